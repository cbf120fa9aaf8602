/*
 * Unit tests for net/smtp_caps: each row is the capability lines of an EHLO reply (after the first line) and the
 * capabilities they must give, as real servers write them and as hostile ones might.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "net/smtp_auth.h"
#include "net/smtp_caps.h"

#define LINES_MAX 6

struct caps_case {
    const char *name;
    const char *lines[LINES_MAX];
    struct smtp_caps expect;
};

/* clang-format off */
static const struct caps_case cases[] = {
	{ "Postfix submission",
	  { "PIPELINING", "SIZE 10240000", "ETRN", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME" },
	  { .pipelining = true, .size = true, .size_limit = 10240000, .auth = SMTP_AUTH_PLAIN | SMTP_AUTH_LOGIN,
	    .enhanced = true, .eightbitmime = true } },
	{ "Gmail before TLS", { "SIZE 35882577", "8BITMIME", "STARTTLS", "ENHANCEDSTATUSCODES", "PIPELINING",
	  "CHUNKING" },
	  { .size = true, .size_limit = 35882577, .eightbitmime = true, .starttls = true, .enhanced = true,
	    .pipelining = true, .chunking = true } },
	{ "lower case and SMTPUTF8", { "pipelining", "smtputf8", "auth cram-md5 xoauth2" },
	  { .pipelining = true, .smtputf8 = true, .auth = SMTP_AUTH_CRAM_MD5 | SMTP_AUTH_XOAUTH2 } },
	{ "pre-RFC AUTH= form and blanks", { "AUTH=LOGIN", "AUTH  PLAIN   CRAM-MD5 " },
	  { .auth = SMTP_AUTH_LOGIN | SMTP_AUTH_PLAIN | SMTP_AUTH_CRAM_MD5 } },
	{ "unknown mechanisms and keywords ignored", { "AUTH GSSAPI NTLM", "X-EXPS LOGIN", "DSN", "PIPELINING2" },
	  { .auth = 0 } },
	{ "SIZE without a limit", { "SIZE" }, { .size = true, .size_limit = 0 } },
	{ "SIZE over 32 bits", { "SIZE 99999999999999999999" }, { .size = true, .size_limit = UINT32_MAX } },
	{ "SIZE with garbage after the digits", { "SIZE 1000x5" }, { .size = true, .size_limit = 1000 } },
	{ "prefix of a keyword is not the keyword", { "STARTTL", "CHUNK", "AUTHX PLAIN" }, { .auth = 0 } },
	{ "AUTH alone", { "AUTH" }, { .auth = 0 } },
};
/* clang-format on */

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct caps_case *t = &cases[i];
        struct smtp_caps c;

        memset(&c, 0, sizeof(c));
        for (size_t k = 0; k < LINES_MAX && t->lines[k] != NULL; k++) {
            smtp_caps_parse_line(&c, t->lines[k], strlen(t->lines[k]));
        }
        if (memcmp(&c, &t->expect, sizeof(c)) != 0) {
            fail_msg("%s: pipelining %d chunking %d size %d/%lu 8bit %d utf8 %d starttls %d enhanced %d auth %#x",
                     t->name, c.pipelining, c.chunking, c.size, (unsigned long)c.size_limit, c.eightbitmime, c.smtputf8,
                     c.starttls, c.enhanced, c.auth);
        }
    }
}

/* The parser reads only the length it is given: the line is not NUL-terminated in the reply parser's buffer. */
static void test_length_bounds(void **state)
{
    struct smtp_caps c;

    (void)state;
    memset(&c, 0, sizeof(c));
    smtp_caps_parse_line(&c, "STARTTLSX", 8);
    assert_true(c.starttls);
    smtp_caps_parse_line(&c, "SIZE 12345", 7);
    assert_true(c.size);
    assert_int_equal(c.size_limit, 12);
    smtp_caps_parse_line(&c, "AUTH PLAIN LOGIN", 10);
    assert_int_equal(c.auth, SMTP_AUTH_PLAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_length_bounds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
