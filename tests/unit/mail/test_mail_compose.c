/*
 * Unit tests for mail/mail_compose: the whole machine-made message for the seed configuration, transfer
 * encodings chosen by content and server, no-clock behaviour, folding of To, argument errors, and every buffer
 * size below the needed one failing cleanly without a write past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "mail/mail.h"
#include "mail/mail_compose.h"
#include "mail_decode.h"

#define T_2026 INT64_C(1795869296) /* Sat, 28 Nov 2026 12:34:56 +0000 */
#define UNIQUE UINT64_C(0x00000042deadbeef)

static struct config cfg;
static char out[16384];
static char dec[16384];
static char body[4096];
static size_t body_len;

static const char seed_conf[] = "root=alerts@example.com\nmailhub=smtp.gmail.com:587\nrewriteDomain=gmail.com\n"
                                "hostname=MiniProjet SMTP Unix\nFromLineOverride=YES\n"
                                "AddHeader = X-Device: pi-garage\n";
static const char seed_aliases[] = "root:alerts@example.com:smtp.gmail.com:587\n";

static void fail_on_error(void *ctx, const struct config_diag *d)
{
    (void)ctx;
    if (d->severity == CONFIG_SEVERITY_ERROR) {
        fail_msg("config error: %s", d->message);
    }
}

/* The body of the seed message (msg.txt after its blank line). */
static int setup(void **state)
{
    FILE *f = fopen(MAIL_TEST_DATA "/msg.txt", "rb");
    char raw[4096];
    size_t n;
    const char *sep;

    (void)state;
    if (f == NULL) {
        return -1;
    }
    n = fread(raw, 1, sizeof(raw) - 1, f);
    fclose(f);
    raw[n] = '\0';
    sep = strstr(raw, "\n\n");
    if (sep == NULL) {
        return -1;
    }
    body_len = n - (size_t)(sep + 2 - raw);
    memcpy(body, sep + 2, body_len);
    config_init(&cfg);
    config_parse(&cfg, "smtp.conf", seed_conf, strlen(seed_conf), fail_on_error, NULL);
    config_parse_revaliases(&cfg, "revaliases", seed_aliases, strlen(seed_aliases), fail_on_error, NULL);
    return config_finish(&cfg, fail_on_error, NULL) == CONFIG_OK ? 0 : -1;
}

static const char *const one_rcpt[] = { "alerts@example.com" };

static struct mail_compose_msg seed_msg(void)
{
    struct mail_compose_msg m = {
        .account = "root",
        .to = one_rcpt,
        .to_count = 1,
        .subject = "Test SMTP MiniProjet Unix",
        .body = body,
        .body_len = body_len,
        .date = T_2026,
        .unique = UNIQUE,
        .user_agent = "baremail/1.0 (rpi2)",
        .auto_submitted = true,
        .allow_8bit = true,
    };
    return m;
}

static void test_seed_message_8bit(void **state)
{
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;
    static const char expect_head[] = "Date: Sat, 28 Nov 2026 12:34:56 +0000\r\n"
                                      "From: alerts@example.com\r\n"
                                      "To: alerts@example.com\r\n"
                                      "Subject: Test SMTP MiniProjet Unix\r\n"
                                      "Message-ID: <20261128123456.00000042deadbeef@MiniProjet>\r\n"
                                      "MIME-Version: 1.0\r\n"
                                      "Content-Type: text/plain; charset=utf-8\r\n"
                                      "Content-Transfer-Encoding: 8bit\r\n"
                                      "Auto-Submitted: auto-generated\r\n"
                                      "User-Agent: baremail/1.0 (rpi2)\r\n"
                                      "X-Device: pi-garage\r\n"
                                      "\r\n"
                                      "Salut,\r\n";

    (void)state;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_int_equal(r.len, strlen(out));
    assert_memory_equal(out, expect_head, strlen(expect_head));
    assert_string_equal(r.sender, "alerts@example.com");
    assert_true(r.needs_8bitmime);
    assert_false(r.needs_smtputf8);
    assert_int_equal(r.encoding, MAIL_CTE_8BIT);
    assert_true(mail_decode_crlf_only(out, r.len));
    assert_non_null(strstr(out, "j'esp\xc3\xa8re qu'on r\xc3\xa9ussira"));
    assert_string_equal(out + r.len - strlen("Birouk\r\n"), "Birouk\r\n");
}

static void test_seed_message_without_8bitmime(void **state)
{
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;
    char normalized[4096];
    int b, n;
    size_t i, k = 0;

    (void)state;
    m.allow_8bit = false;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_false(r.needs_8bitmime);
    assert_int_equal(r.encoding, MAIL_CTE_QP);
    assert_false(mail_has_8bit(out, r.len));
    assert_non_null(strstr(out, "Content-Transfer-Encoding: quoted-printable\r\n"));
    b = mail_decode_body_offset(out, r.len);
    assert_true(b > 0);
    n = mail_decode_qp(out + b, r.len - (size_t)b, dec, sizeof(dec));
    for (i = 0; i < body_len; i++) { /* msg.txt has LF endings */
        if (body[i] == '\n') {
            normalized[k++] = '\r';
        }
        normalized[k++] = body[i];
    }
    assert_int_equal(n, (int)k);
    assert_memory_equal(dec, normalized, k);
}

static void test_encodings_by_content(void **state)
{
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;
    static char longline[2100];

    (void)state;
    m.body = "all ascii\nhere\n";
    m.body_len = strlen(m.body);
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_int_equal(r.encoding, MAIL_CTE_7BIT);
    assert_false(r.needs_8bitmime);
    assert_non_null(strstr(out, "Content-Transfer-Encoding: 7bit\r\n"));

    memset(longline, 'z', 2000);
    m.body = longline;
    m.body_len = 2000;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_int_equal(r.encoding, MAIL_CTE_QP);
    assert_true(mail_decode_longest_line(out, r.len) <= 998);

    m.body = NULL;
    m.body_len = 0;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_string_equal(out + r.len - 4, "\r\n\r\n");
}

static void test_subject_and_name_encoded(void **state)
{
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;
    char field[512];
    int n;

    (void)state;
    m.subject = "[MiniProjet] Porte d'entr\xc3\xa9"
                "e ouverte \xe2\x80\x94 v\xc3\xa9rifiez";
    m.from_name = "Garage \xc3\xa0 v\xc3\xa9los";
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    n = mail_decode_field(out, r.len, "Subject", field, sizeof(field));
    assert_true(n > 0);
    assert_false(mail_has_8bit(field, (size_t)n));
    assert_true(mail_decode_words(field, (size_t)n, dec, sizeof(dec)) > 0);
    assert_string_equal(dec, m.subject);
    n = mail_decode_field(out, r.len, "From", field, sizeof(field));
    assert_true(n > 0);
    assert_non_null(strstr(field, "?= <alerts@example.com>"));
    /* header is pure ASCII although subject and name are not */
    assert_false(mail_has_8bit(out, (size_t)mail_decode_body_offset(out, r.len)));
}

static void test_no_clock(void **state)
{
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;

    (void)state;
    m.date = -1;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_null(strstr(out, "Date:"));
    assert_non_null(strstr(out, "Message-ID: <00000042deadbeef@MiniProjet>\r\n"));
    m.auto_submitted = false;
    m.user_agent = NULL;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_null(strstr(out, "Auto-Submitted"));
    assert_null(strstr(out, "User-Agent"));
}

static void test_many_recipients_folded(void **state)
{
    static const char *const to[] = { "first.person@example.com", "second.person@example.com",
                                      "third.person@example.com", "j\xc3\xb6rg@example.de" };
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;
    char field[512];

    (void)state;
    m.to = to;
    m.to_count = 4;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    assert_true(mail_decode_field(out, r.len, "To", field, sizeof(field)) > 0);
    assert_string_equal(field, "first.person@example.com, second.person@example.com,\r\n"
                               " third.person@example.com, j\xc3\xb6rg@example.de");
    assert_true(r.needs_smtputf8);
    assert_true(mail_decode_longest_line(out, (size_t)mail_decode_body_offset(out, r.len)) <= 78);
}

static void test_argument_errors(void **state)
{
    static const char *const bad[] = { "not an address" };
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;

    (void)state;
    m.to_count = 0;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_ERR_NO_RCPT);
    m = seed_msg();
    m.to = bad;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_ERR_ADDRESS);
    m = seed_msg();
    m.subject = NULL;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_ERR_ARG);
    m = seed_msg();
    assert_int_equal(mail_compose(NULL, &m, out, sizeof(out), &r), MAIL_ERR_ARG);
}

static void test_every_short_buffer_overflows_cleanly(void **state)
{
    struct mail_compose_msg m = seed_msg();
    struct mail_compose_result r;
    static char small[8192];
    size_t need, size;

    (void)state;
    assert_int_equal(mail_compose(&cfg, &m, out, sizeof(out), &r), MAIL_OK);
    need = r.len;
    for (size = 0; size < need; size++) {
        memset(small, '#', sizeof(small));
        if (mail_compose(&cfg, &m, small, size, &r) != MAIL_ERR_OVERFLOW) {
            fail_msg("size %zu of %zu did not overflow", size, need);
        }
        if (small[size] != '#') {
            fail_msg("size %zu: wrote past the end", size);
        }
    }
    assert_int_equal(mail_compose(&cfg, &m, small, need, &r), MAIL_OK);
    assert_memory_equal(small, out, need);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_message_8bit),
        cmocka_unit_test(test_seed_message_without_8bitmime),
        cmocka_unit_test(test_encodings_by_content),
        cmocka_unit_test(test_subject_and_name_encoded),
        cmocka_unit_test(test_no_clock),
        cmocka_unit_test(test_many_recipients_folded),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_every_short_buffer_overflows_cleanly),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
