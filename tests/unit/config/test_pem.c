/*
 * Unit tests for config/pem: one table of texts with the code and summary pem_check must give, and a check that
 * the buffer is never read past its length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/pem.h"

#define B64                                                              \
    "MIIBszCCAVmgAwIBAgIUTESTTESTTESTTESTTESTTESTTESTMAoGCCqGSM49BAMC\n" \
    "MDAwMFowEzERMA8GA1UEAwwIYmFyZW1haWw=\n"
#define BLOCK(label) "-----BEGIN " label "-----\n" B64 "-----END " label "-----\n"

struct pem_case {
    const char *name;
    const char *text;
    const char *want;
    int err;
    unsigned blocks;
    bool labels_match;
};

/* clang-format off */
static const struct pem_case cases[] = {
	{ "one certificate", BLOCK("CERTIFICATE"), "CERTIFICATE", PEM_OK, 1, true },
	{ "bundle with comments", "# ISRG Root X1\n" BLOCK("CERTIFICATE") "\n# next\n" BLOCK("CERTIFICATE"),
	  "CERTIFICATE", PEM_OK, 2, true },
	{ "CRLF line endings",
	  "-----BEGIN CERTIFICATE-----\r\nQUJD\r\nREVG\r\n-----END CERTIFICATE-----\r\n", "CERTIFICATE", PEM_OK, 1,
	  true },
	{ "no final newline", "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----", "CERTIFICATE", PEM_OK,
	  1, true },
	{ "padding", "-----BEGIN X-----\nQUI=\n-----END X-----\n", "", PEM_OK, 1, true },
	{ "EC key matches PRIVATE KEY", BLOCK("EC PRIVATE KEY"), "PRIVATE KEY", PEM_OK, 1, true },
	{ "key where a certificate is wanted", BLOCK("PRIVATE KEY"), "CERTIFICATE", PEM_OK, 1, false },
	{ "certificate and key, any label", BLOCK("CERTIFICATE") BLOCK("RSA PRIVATE KEY"), "", PEM_OK, 2, true },
	{ "certificate and key, certificate wanted", BLOCK("CERTIFICATE") BLOCK("RSA PRIVATE KEY"), "CERTIFICATE",
	  PEM_OK, 2, false },
	{ "empty", "", "", PEM_ERR_NO_BLOCK, 0, false },
	{ "text", "just text\n", "", PEM_ERR_NO_BLOCK, 0, false },
	{ "DER", "\x30\x82\x01\x0a\x02\x82", "", PEM_ERR_NO_BLOCK, 0, false },
	{ "BEGIN at the end", "-----BEGIN CERTIFICATE-----", "", PEM_ERR_BEGIN_EOL, 0, false },
	{ "BEGIN without label", "-----BEGIN -----\nQUJD\n-----END -----\n", "", PEM_ERR_BEGIN_LINE, 0, false },
	{ "BEGIN without dashes", "-----BEGIN CERTIFICATE\nQUJD\n", "", PEM_ERR_BEGIN_LINE, 0, false },
	{ "label too long",
	  "-----BEGIN AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-----\nQUJD\n", "",
	  PEM_ERR_BEGIN_LINE, 0, false },
	{ "PKCS#8 encrypted key", BLOCK("ENCRYPTED PRIVATE KEY"), "PRIVATE KEY", PEM_ERR_ENCRYPTED, 0, false },
	{ "legacy encrypted key",
	  "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n" B64 "-----END RSA PRIVATE KEY-----\n",
	  "PRIVATE KEY", PEM_ERR_HEADERS, 0, false },
	{ "no END", "-----BEGIN CERTIFICATE-----\n" B64, "", PEM_ERR_NO_END, 0, false },
	{ "END label differs", "-----BEGIN CERTIFICATE-----\n" B64 "-----END CERT-----\n", "", PEM_ERR_END_LABEL,
	  0, false },
	{ "END without dashes", "-----BEGIN CERTIFICATE-----\n" B64 "-----END CERTIFICATE\n", "",
	  PEM_ERR_END_LABEL, 0, false },
	{ "bad base64", "-----BEGIN X-----\nMIIB$$$notbase64\n-----END X-----\n", "", PEM_ERR_BASE64, 0, false },
	{ "data after padding", "-----BEGIN X-----\nQU==QUJD\n-----END X-----\n", "", PEM_ERR_BASE64, 0, false },
	{ "short quantum", "-----BEGIN X-----\nQUJD=\n-----END X-----\n", "", PEM_ERR_BASE64_LENGTH, 0, false },
	{ "too much padding", "-----BEGIN X-----\nQ===\n-----END X-----\n", "", PEM_ERR_BASE64_LENGTH, 0, false },
	{ "empty body", "-----BEGIN X-----\n-----END X-----\n", "", PEM_ERR_BASE64_LENGTH, 0, false },
	{ "second block broken", BLOCK("CERTIFICATE") "-----BEGIN CERTIFICATE-----\nQUJD\n", "CERTIFICATE",
	  PEM_ERR_NO_END, 0, false },
};
/* clang-format on */

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct pem_case *c = &cases[i];
        struct pem_summary summary = { 99, false };
        int err = pem_check(c->text, strlen(c->text), c->want, &summary);

        if (err != c->err) {
            fail_msg("%s: got %d (%s), want %d (%s)", c->name, err, pem_strerror(err), c->err, pem_strerror(c->err));
        }
        if (err == PEM_OK && (summary.blocks != c->blocks || summary.labels_match != c->labels_match)) {
            fail_msg("%s: got %u blocks, labels %d; want %u, %d", c->name, summary.blocks, summary.labels_match,
                     c->blocks, c->labels_match);
        }
        if (err != PEM_OK && summary.blocks != 99) {
            fail_msg("%s: summary written on failure", c->name);
        }
    }
}

/* Every prefix of a valid bundle, copied to a buffer of exactly that size: AddressSanitizer catches any read past
 * the length, and a prefix is well-formed only when it ends at the end of a block. */
static void test_prefixes_stay_in_bounds(void **state)
{
    static const char text[] = BLOCK("CERTIFICATE") BLOCK("CERTIFICATE");
    size_t len = sizeof(text) - 1;

    (void)state;
    for (size_t n = 0; n <= len; n++) {
        char *buf = malloc(n > 0 ? n : 1);
        int err;

        assert_non_null(buf);
        memcpy(buf, text, n);
        err = pem_check(buf, n, "CERTIFICATE", NULL);
        free(buf);
        /* Each block is complete with or without the newline after its END line; nothing shorter is PEM. */
        if (n + 1 >= len || n + 1 == len / 2 || n == len / 2) {
            assert_int_equal(err, PEM_OK);
        } else if (n + 1 < len / 2) {
            assert_int_not_equal(err, PEM_OK);
        }
    }
}

static void test_strerror(void **state)
{
    (void)state;
    for (int err = PEM_ERR_BASE64_LENGTH; err <= PEM_ERR_NO_BLOCK; err++) {
        assert_string_not_equal(pem_strerror(err), pem_strerror(-100));
    }
    assert_string_equal(pem_strerror(PEM_ERR_NO_BLOCK), "no -----BEGIN ...----- block: not a PEM file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_prefixes_stay_in_bounds),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
