/*
 * Unit tests for net/smtp_reply: each row is server bytes and the replies (or the error) expected, fed whole,
 * one byte at a time and in pieces of 2, 3 and 7 bytes, which must all give the same result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "net/smtp_reply.h"

#define MAX_REPLIES 4

struct reply_case {
    const char *name;
    const char *input;
    int error; /* 0, or the SMTP_REPLY_ERR_* expected after the replies */
    unsigned count;
    const char *formatted[MAX_REPLIES]; /* smtp_reply_format of each reply */
    unsigned lines[MAX_REPLIES];
};

/* clang-format off */
static const struct reply_case cases[] = {
	{ "single", "220 mx.example.com ESMTP\r\n", 0, 1, { "220 mx.example.com ESMTP" }, { 1 } },
	{ "code only", "250\r\n", 0, 1, { "250" }, { 1 } },
	{ "multi-line", "250-mx hello\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", 0, 1,
	  { "250 mx hello PIPELINING SIZE 1000" }, { 3 } },
	{ "enhanced", "535 5.7.8 Username and Password not accepted\r\n", 0, 1,
	  { "535 5.7.8 Username and Password not accepted" }, { 1 } },
	{ "enhanced on every line (Gmail)",
	  "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
	  "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1-2\r\n",
	  0, 1,
	  { "535 5.7.8 Username and Password not accepted. For more information, go to "
	    "https://support.google.com/mail/?p=BadCredentials x1-2" },
	  { 2 } },
	{ "enhanced class must match", "250 5.1.1 ok\r\n", 0, 1, { "250 5.1.1 ok" }, { 1 } },
	{ "enhanced three-digit parts", "550 5.123.456 no\r\n", 0, 1, { "550 5.123.456 no" }, { 1 } },
	{ "not enhanced: four digits", "550 5.1234.1 no\r\n", 0, 1, { "550 5.1234.1 no" }, { 1 } },
	{ "two replies in one read", "250 ok\r\n354 go ahead\r\n", 0, 2, { "250 ok", "354 go ahead" }, { 1, 1 } },
	{ "bare LF", "250 ok\n251 fine\n", 0, 2, { "250 ok", "251 fine" }, { 1, 1 } },
	{ "control characters made safe", "250 a\x1b[2Jb\xff\r\n", 0, 1, { "250 a?[2Jb?" }, { 1 } },
	{ "letters for a code", "ABC hello\r\n", SMTP_REPLY_ERR_SYNTAX, 0, { NULL }, { 0 } },
	{ "short line", "25\r\n", SMTP_REPLY_ERR_SYNTAX, 0, { NULL }, { 0 } },
	{ "first digit 1", "150 no\r\n", SMTP_REPLY_ERR_SYNTAX, 0, { NULL }, { 0 } },
	{ "second digit 6", "260 no\r\n", SMTP_REPLY_ERR_SYNTAX, 0, { NULL }, { 0 } },
	{ "bad separator", "250+ok\r\n", SMTP_REPLY_ERR_SYNTAX, 0, { NULL }, { 0 } },
	{ "mismatched multi-line", "250-a\r\n251 b\r\n", SMTP_REPLY_ERR_SYNTAX, 0, { NULL }, { 0 } },
	{ "garbage after a good reply", "220 hi\r\n\x00\x01\x02\r\n", SMTP_REPLY_ERR_SYNTAX, 1, { "220 hi" }, { 1 } },
};
/* clang-format on */

static int feed(struct smtp_reply_parser *p, const char *in, size_t len, size_t piece, char out[][512], unsigned *count,
                unsigned *lines)
{
    size_t off = 0;

    *count = 0;
    while (off < len) {
        size_t n = len - off < piece ? len - off : piece;
        const uint8_t *d = (const uint8_t *)in + off;

        while (n > 0) {
            size_t used;
            int rc = smtp_reply_feed(p, d, n, &used);

            assert_true(used <= n);
            d += used;
            n -= used;
            off += used;
            if (rc < 0) {
                return rc;
            }
            if (rc == SMTP_REPLY_DONE && *count < MAX_REPLIES) {
                smtp_reply_format(&p->reply, out[*count], 512);
                lines[*count] = p->reply.lines;
                (*count)++;
            }
            if (rc == SMTP_REPLY_MORE) {
                assert_int_equal(n, 0);
            }
        }
    }
    return 0;
}

static void test_table(void **state)
{
    static const size_t pieces[] = { SIZE_MAX, 1, 2, 3, 7 };
    size_t c, k;

    (void)state;
    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const struct reply_case *t = &cases[c];
        size_t len = strlen(t->input);

        /* The garbage row holds a NUL: its length is given by the text before the NUL plus the rest. */
        if (strstr(t->name, "garbage") != NULL) {
            len = strlen("220 hi\r\n") + 5;
        }
        for (k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
            struct smtp_reply_parser p;
            char out[MAX_REPLIES][512];
            unsigned count, lines[MAX_REPLIES], i;
            int rc;

            smtp_reply_reset(&p);
            rc = feed(&p, t->input, len, pieces[k], out, &count, lines);
            if (rc != t->error || count != t->count) {
                fail_msg("%s (piece %zu): rc %d count %u", t->name, pieces[k], rc, count);
            }
            for (i = 0; i < count; i++) {
                if (strcmp(out[i], t->formatted[i]) != 0) {
                    fail_msg("%s (piece %zu): '%s' != '%s'", t->name, pieces[k], out[i], t->formatted[i]);
                }
                assert_int_equal(lines[i], t->lines[i]);
            }
        }
    }
}

static void test_enhanced_fields(void **state)
{
    struct smtp_reply_parser p;
    const char *in = "451-4.3.0 try\r\n451 4.3.0 later\r\n";
    size_t used, off = 0;
    int rc;

    (void)state;
    smtp_reply_reset(&p);
    rc = smtp_reply_feed(&p, (const uint8_t *)in, strlen(in), &used);
    assert_int_equal(rc, SMTP_REPLY_LINE);
    off += used;
    assert_true(smtp_reply_pending(&p));
    rc = smtp_reply_feed(&p, (const uint8_t *)in + off, strlen(in) - off, &used);
    assert_int_equal(rc, SMTP_REPLY_DONE);
    assert_int_equal(p.reply.code, 451);
    assert_true(p.reply.has_enhanced);
    assert_int_equal(p.reply.enh_class, 4);
    assert_int_equal(p.reply.enh_subject, 3);
    assert_int_equal(p.reply.enh_detail, 0);
    assert_string_equal(p.reply.text, "try later");
    assert_false(smtp_reply_pending(&p));
}

static void test_line_text(void **state)
{
    struct smtp_reply_parser p;
    const char *in = "250-AUTH PLAIN LOGIN\r\n";
    size_t used, len;
    const char *line;

    (void)state;
    smtp_reply_reset(&p);
    assert_int_equal(smtp_reply_feed(&p, (const uint8_t *)in, strlen(in), &used), SMTP_REPLY_LINE);
    line = smtp_reply_line(&p, &len);
    assert_int_equal(len, strlen("AUTH PLAIN LOGIN"));
    assert_memory_equal(line, "AUTH PLAIN LOGIN", len);
}

/* A line of exactly SMTP_REPLY_LINE_MAX octets with its CRLF is accepted; one more is refused, never cut. */
static void test_line_limit(void **state)
{
    static char in[SMTP_REPLY_LINE_MAX + 8];
    struct smtp_reply_parser p;
    size_t used, i, total;
    int rc = SMTP_REPLY_MORE;

    (void)state;
    for (int extra = 0; extra <= 1; extra++) {
        total = SMTP_REPLY_LINE_MAX + (size_t)extra;
        memcpy(in, "250 ", 4);
        memset(in + 4, 'x', total - 6);
        memcpy(in + total - 2, "\r\n", 2);
        smtp_reply_reset(&p);
        for (i = 0; i < total; i += used) {
            rc = smtp_reply_feed(&p, (const uint8_t *)in + i, 1, &used);
            if (rc < 0) {
                break;
            }
        }
        if (extra == 0) {
            assert_int_equal(rc, SMTP_REPLY_DONE);
            assert_true(p.reply.truncated);
            assert_int_equal(strlen(p.reply.text), SMTP_REPLY_TEXT_MAX);
        } else {
            assert_int_equal(rc, SMTP_REPLY_ERR_TOO_LONG);
            /* and the parser stays failed */
            assert_int_equal(smtp_reply_feed(&p, (const uint8_t *)"250 ok\r\n", 8, &used), SMTP_REPLY_ERR_SYNTAX);
        }
    }
    /* An endless line without CRLF fails as soon as it passes the limit. */
    smtp_reply_reset(&p);
    memset(in, '2', sizeof(in));
    rc = smtp_reply_feed(&p, (const uint8_t *)in, sizeof(in), &used);
    assert_int_equal(rc, SMTP_REPLY_ERR_TOO_LONG);
    assert_true(used <= SMTP_REPLY_LINE_MAX);
}

static void test_format_and_strerror(void **state)
{
    struct smtp_reply r;
    char buf[8];

    (void)state;
    memset(&r, 0, sizeof(r));
    r.code = 250;
    strcpy(r.text, "a long text here");
    assert_int_equal(smtp_reply_format(&r, buf, sizeof(buf)), (int)strlen("250 a long text here"));
    assert_string_equal(buf, "250 a l");
    assert_string_equal(smtp_reply_strerror(SMTP_REPLY_ERR_TOO_LONG), "reply line too long");
    assert_string_equal(smtp_reply_strerror(-99), "unknown reply parser code");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),      cmocka_unit_test(test_enhanced_fields),     cmocka_unit_test(test_line_text),
        cmocka_unit_test(test_line_limit), cmocka_unit_test(test_format_and_strerror),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
