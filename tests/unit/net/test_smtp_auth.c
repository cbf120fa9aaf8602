/*
 * Unit tests for net/smtp_auth: base64 (RFC 4648 §10 vectors), the reference HMAC-MD5 the other tests rely on
 * (RFC 2104 vectors), each SASL response against a published example, and the mechanism choice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hmac_md5_ref.h"
#include "net/smtp_auth.h"

static void test_base64_vectors(void **state)
{
    static const struct {
        const char *plain;
        const char *b64;
    } v[] = {
        { "", "" },
        { "f", "Zg==" },
        { "fo", "Zm8=" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" },
        { "foobar", "Zm9vYmFy" },
    };
    char out[32];
    uint8_t back[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        int n = smtp_auth_login(out, sizeof(out), v[i].plain);

        assert_int_equal(n, (int)strlen(v[i].b64));
        assert_string_equal(out, v[i].b64);
        n = smtp_auth_b64_decode(v[i].b64, strlen(v[i].b64), back, sizeof(back));
        assert_int_equal(n, (int)strlen(v[i].plain));
        assert_memory_equal(back, v[i].plain, (size_t)n);
    }
}

static void test_base64_streaming_and_space(void **state)
{
    struct smtp_auth_b64 b;
    char out[16];

    (void)state;
    /* Pieces of any size give the same text as one piece. */
    smtp_auth_b64_begin(&b, out, sizeof(out));
    smtp_auth_b64_add(&b, "f", 1);
    smtp_auth_b64_add(&b, "oob", 3);
    smtp_auth_b64_add(&b, "ar", 2);
    assert_int_equal(smtp_auth_b64_finish(&b), 8);
    assert_string_equal(out, "Zm9vYmFy");
    /* Exactly full (8 + NUL) fits, one less does not and leaves an empty string. */
    assert_int_equal(smtp_auth_login(out, 9, "foobar"), 8);
    assert_int_equal(smtp_auth_login(out, 8, "foobar"), SMTP_AUTH_ERR_SPACE);
    assert_string_equal(out, "");
}

static void test_base64_decode_rejects(void **state)
{
    static const char *const bad[] = { "Zg=", "Z===", "Zg=a", "Zm9v!", "Zm 9", "=Zm9", "Zg==Zg==" };
    uint8_t out[16];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(smtp_auth_b64_decode(bad[i], strlen(bad[i]), out, sizeof(out)), SMTP_AUTH_ERR_BASE64);
    }
    assert_int_equal(smtp_auth_b64_decode("Zm9vYmFy", 8, out, 5), SMTP_AUTH_ERR_SPACE);
}

static void test_hmac_md5_reference(void **state)
{
    static const struct {
        uint8_t key_byte;
        size_t key_len;
        const char *key;
        uint8_t data_byte;
        size_t data_len;
        const char *data;
        const char *mac_hex;
    } v[] = {
        /* RFC 2104 Appendix test vectors */
        { 0x0b, 16, NULL, 0, 8, "Hi There", "9294727a3638bb1c13f48ef8158bfc9d" },
        { 0, 4, "Jefe", 0, 28, "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738" },
        { 0xaa, 16, NULL, 0xdd, 50, NULL, "56be34521d144c88dbb8c733f0e8b3f6" },
    };
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t key[64], data[64], mac[16];
        char hex[33];

        if (v[i].key != NULL) {
            memcpy(key, v[i].key, v[i].key_len);
        } else {
            memset(key, v[i].key_byte, v[i].key_len);
        }
        if (v[i].data != NULL) {
            memcpy(data, v[i].data, v[i].data_len);
        } else {
            memset(data, v[i].data_byte, v[i].data_len);
        }
        assert_int_equal(hmac_md5_ref(NULL, key, v[i].key_len, data, v[i].data_len, mac), 0);
        for (j = 0; j < 16; j++) {
            hex[2 * j] = "0123456789abcdef"[mac[j] >> 4];
            hex[2 * j + 1] = "0123456789abcdef"[mac[j] & 15];
        }
        hex[32] = '\0';
        assert_string_equal(hex, v[i].mac_hex);
    }
}

static void test_plain(void **state)
{
    char out[64];

    (void)state;
    /* base64("\0tim\0tanstaaftanstaaf") */
    assert_true(smtp_auth_plain(out, sizeof(out), "tim", "tanstaaftanstaaf") > 0);
    assert_string_equal(out, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}

static void test_cram_md5_rfc2195(void **state)
{
    /* RFC 2195 §2: base64 of "<1896.697170952@postoffice.reston.mci.net>" (.net, as in the RFC). */
    const char *challenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
    char out[128];
    uint8_t decoded[128];
    int n;

    (void)state;
    n = smtp_auth_cram_md5(out, sizeof(out), challenge, strlen(challenge), "tim", "tanstaaftanstaaf", hmac_md5_ref,
                           NULL);
    assert_true(n > 0);
    /* RFC 2195 §2: "tim b913a602c7eda7a495b4e6e7334d3890" */
    assert_string_equal(out, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    n = smtp_auth_b64_decode(out, strlen(out), decoded, sizeof(decoded));
    assert_int_equal(n, 36);
    assert_memory_equal(decoded, "tim b913a602c7eda7a495b4e6e7334d3890", 36);
    assert_int_equal(smtp_auth_cram_md5(out, sizeof(out), challenge, strlen(challenge), "tim", "x", NULL, NULL),
                     SMTP_AUTH_ERR_HMAC);
    assert_int_equal(smtp_auth_cram_md5(out, sizeof(out), "%%%%", 4, "tim", "x", hmac_md5_ref, NULL),
                     SMTP_AUTH_ERR_BASE64);
}

static void test_xoauth2_google_example(void **state)
{
    char out[256];

    (void)state;
    /* The example in Google's "OAuth 2.0 Mechanism" page for IMAP/SMTP. */
    assert_true(smtp_auth_xoauth2(out, sizeof(out), "someuser@example.com",
                                  "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg") > 0);
    assert_string_equal(out, "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
                             "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
}

static void test_mech_names(void **state)
{
    (void)state;
    assert_int_equal(smtp_auth_mech_from_name("cram-md5", 8), SMTP_AUTH_CRAM_MD5);
    assert_int_equal(smtp_auth_mech_from_name("PLAIN", 5), SMTP_AUTH_PLAIN);
    assert_int_equal(smtp_auth_mech_from_name("PLAINX", 6), 0);
    assert_int_equal(smtp_auth_mech_from_name("GSSAPI", 6), 0);
    assert_string_equal(smtp_auth_mech_name(SMTP_AUTH_XOAUTH2), "XOAUTH2");
    assert_string_equal(smtp_auth_mech_name(0), "none");
}

static void test_choose(void **state)
{
    static const struct {
        unsigned offered, forced;
        bool token, pass, tls, hmac;
        unsigned expect;
    } v[] = {
        { SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN | SMTP_AUTH_CRAM_MD5, 0, false, true, true, true, SMTP_AUTH_PLAIN },
        { SMTP_AUTH_LOGIN | SMTP_AUTH_CRAM_MD5, 0, false, true, true, true, SMTP_AUTH_LOGIN },
        { SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN | SMTP_AUTH_CRAM_MD5, 0, false, true, false, true, SMTP_AUTH_CRAM_MD5 },
        { SMTP_AUTH_PLAIN | SMTP_AUTH_CRAM_MD5, 0, false, true, false, false, SMTP_AUTH_PLAIN },
        { SMTP_AUTH_CRAM_MD5, 0, false, true, true, false, 0 },
        { SMTP_AUTH_PLAIN | SMTP_AUTH_XOAUTH2, 0, true, false, true, true, SMTP_AUTH_XOAUTH2 },
        { SMTP_AUTH_PLAIN, 0, true, false, true, true, 0 },
        { SMTP_AUTH_PLAIN | SMTP_AUTH_XOAUTH2, 0, false, true, true, true, SMTP_AUTH_PLAIN },
        { SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN, SMTP_AUTH_LOGIN, false, true, true, true, SMTP_AUTH_LOGIN },
        { SMTP_AUTH_PLAIN, SMTP_AUTH_CRAM_MD5, false, true, true, true, 0 },
        { 0, 0, false, true, true, true, 0 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        unsigned got = smtp_auth_choose(v[i].offered, v[i].forced, v[i].token, v[i].pass, v[i].tls, v[i].hmac);

        if (got != v[i].expect) {
            fail_msg("row %zu: got %s, expected %s", i, smtp_auth_mech_name(got), smtp_auth_mech_name(v[i].expect));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_base64_streaming_and_space),
        cmocka_unit_test(test_base64_decode_rejects),
        cmocka_unit_test(test_hmac_md5_reference),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_cram_md5_rfc2195),
        cmocka_unit_test(test_xoauth2_google_example),
        cmocka_unit_test(test_mech_names),
        cmocka_unit_test(test_choose),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
