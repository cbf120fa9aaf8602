/*
 * Unit tests for mail/mail_mime: encoded-words (exact vectors, then round trips through an independent
 * decoder with the RFC's length rules), quoted-printable, line endings, header fields, transfer-encoding choice,
 * re-encoding a message, and the bounded writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mail/mail.h"
#include "mail/mail_mime.h"
#include "mail_decode.h"

#define BIG 16384

static char out_buf[BIG];
static char dec_buf[BIG];

/* "Subject: " + the encoded text, as mail_compose writes it. */
static size_t subject(const char *text, bool phrase)
{
    struct mail_out o;
    size_t len;

    mail_out_init(&o, out_buf, sizeof(out_buf));
    mail_out_str(&o, "Subject: ");
    mail_mime_put_words(&o, text, strlen(text), phrase);
    mail_out_crlf(&o);
    assert_int_equal(mail_out_finish(&o, &len), MAIL_OK);
    return len;
}

struct word_case {
    const char *in;
    bool phrase;
    const char *expect; /* the whole field line(s) */
};

/* clang-format off */
static const struct word_case word_cases[] = {
	{ "Test SMTP MiniProjet Unix", false, "Subject: Test SMTP MiniProjet Unix\r\n" },
	/* one accented letter: B (4 octets) is shorter than Q (6) */
	{ "\xc3\xa9", false, "Subject: =?UTF-8?B?w6k=?=\r\n" },
	{ "Caf\xc3\xa9 ouvert", false, "Subject: =?UTF-8?Q?Caf=C3=A9_ouvert?=\r\n" },
	/* six euro signs: Q would be 54 octets, B 24 */
	{ "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", false,
	  "Subject: =?UTF-8?B?4oKs4oKs4oKs4oKs4oKs4oKs?=\r\n" },
	/* looks like an encoded-word: must be encoded so a reader shows it literally */
	{ "=?x?", false, "Subject: =?UTF-8?B?PT94Pw==?=\r\n" },
	/* header injection attempt: CR/LF become blanks */
	{ "a\r\nBcc: x@y", false, "Subject: a  Bcc: x@y\r\n" },
	{ "Front door", true, "Subject: Front door\r\n" },
	{ "Doe, John", true, "Subject: \"Doe, John\"\r\n" },
	{ "say \"hi\"", true, "Subject: \"say \\\"hi\\\"\"\r\n" },
	{ "Zo\xc3\xa9", true, "Subject: =?UTF-8?Q?Zo=C3=A9?=\r\n" },
};
/* clang-format on */

static void test_words_exact(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(word_cases) / sizeof(word_cases[0]); i++) {
        subject(word_cases[i].in, word_cases[i].phrase);
        if (strcmp(out_buf, word_cases[i].expect) != 0) {
            fail_msg("case %zu: got [%s] expected [%s]", i, out_buf, word_cases[i].expect);
        }
    }
}

/* Encode, check every rule, decode and compare. */
static void round_trip(const char *text)
{
    size_t len = subject(text, false);
    const char *value = out_buf + strlen("Subject: ");
    size_t vlen = len - strlen("Subject: ") - 2;
    const char *p;
    int n;

    assert_true(mail_decode_crlf_only(out_buf, len));
    if (mail_has_8bit(text, strlen(text))) {
        assert_true(mail_decode_longest_line(out_buf, len) <= 76);
        /* every encoded-word <= 75 octets (the decoder also refuses longer ones) */
        for (p = strstr(out_buf, "=?"); p != NULL; p = strstr(p + 2, "=?")) {
            assert_true(strstr(p, "?=") - p + 2 <= 75);
        }
        assert_false(mail_has_8bit(out_buf, len));
    } else {
        assert_true(mail_decode_longest_line(out_buf, len) <= 78);
    }
    n = mail_decode_words(value, vlen, dec_buf, sizeof(dec_buf));
    if (n < 0) {
        fail_msg("undecodable: [%s]", out_buf);
    }
    if (strcmp(dec_buf, text) != 0) {
        fail_msg("round trip: [%s] -> [%s] -> [%s]", text, out_buf, dec_buf);
    }
}

static void test_words_round_trip(void **state)
{
    static const char msg_subject[] =
        "On teste le fonctionnement du protocole SMTP sur Unix, j'esp\xc3\xa8re qu'on r\xc3\xa9ussira le "
        "coup d\xc3\xa8s la premi\xc3\xa8re fois!";
    char text[600];
    size_t i;

    (void)state;
    round_trip("Test SMTP MiniProjet Unix");
    round_trip(msg_subject);
    round_trip("Ayoub Man\xc3\xa7our Billah & Abdellah Birouk");
    /* long ASCII folds at blanks */
    text[0] = '\0';
    for (i = 0; i < 30; i++) {
        strcat(text, "alarm word ");
    }
    round_trip(text);
    assert_non_null(strstr(out_buf, "\r\n "));
    /* long accented text: several words over several lines */
    text[0] = '\0';
    for (i = 0; i < 60; i++) {
        strcat(text, "\xc3\xa9t\xc3\xa9 ");
    }
    round_trip(text);
    /* 4-octet characters are never split across words (the decoder checks each word is whole UTF-8) */
    text[0] = '\0';
    for (i = 0; i < 40; i++) {
        strcat(text, "\xf0\x9f\x94\xa5");
    }
    round_trip(text);
    /* mixed 2-, 3- and 4-octet characters at every offset */
    for (i = 0; i < 8; i++) {
        size_t k;
        memset(text, 'x', i);
        text[i] = '\0';
        for (k = 0; k < 15; k++) {
            strcat(text, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5 ");
        }
        round_trip(text);
    }
}

static void test_words_invalid_utf8_is_contained(void **state)
{
    size_t len;

    (void)state;
    len = subject("bad \xff\xfe bytes", false);
    assert_false(mail_has_8bit(out_buf, len));
    assert_true(mail_decode_crlf_only(out_buf, len));
    assert_non_null(strstr(out_buf, "=?UTF-8?"));
}

struct qp_case {
    const char *in;
    const char *expect;
};

/* clang-format off */
static const struct qp_case qp_cases[] = {
	{ "a=b", "a=3Db\r\n" },
	{ "trailing \n", "trailing=20\r\n" },
	{ "tab\t", "tab=09\r\n" },
	{ "\xc3\xa9t\xc3\xa9", "=C3=A9t=C3=A9\r\n" },
	{ "a\r\nb\rc\n\nd", "a\r\nb\r\nc\r\n\r\nd\r\n" },
	{ "mid space ok", "mid space ok\r\n" },
	{ "", "" },
};
/* clang-format on */

static void test_qp_exact(void **state)
{
    size_t i, len;

    (void)state;
    for (i = 0; i < sizeof(qp_cases) / sizeof(qp_cases[0]); i++) {
        struct mail_out o;
        mail_out_init(&o, out_buf, sizeof(out_buf));
        mail_mime_put_qp(&o, qp_cases[i].in, strlen(qp_cases[i].in));
        assert_int_equal(mail_out_finish(&o, &len), MAIL_OK);
        if (strcmp(out_buf, qp_cases[i].expect) != 0) {
            fail_msg("case %zu: got [%s] expected [%s]", i, out_buf, qp_cases[i].expect);
        }
    }
}

static void test_qp_long_line_round_trip(void **state)
{
    static char line[2100];
    static char expect[2100];
    struct mail_out o;
    size_t len, i;
    int n;

    (void)state;
    /* 2000 octets: ASCII, '=', accented letters, blanks, and a blank at the very end */
    for (i = 0; i < 1999; i++) {
        static const char pattern[] = "ab= \xc3\xa9.";
        line[i] = pattern[i % (sizeof(pattern) - 1)];
    }
    line[1999] = ' ';
    memcpy(line + 2000, "\nsecond\n", 9);
    mail_out_init(&o, out_buf, sizeof(out_buf));
    mail_mime_put_qp(&o, line, strlen(line));
    assert_int_equal(mail_out_finish(&o, &len), MAIL_OK);
    assert_true(mail_decode_crlf_only(out_buf, len));
    assert_true(mail_decode_longest_line(out_buf, len) <= 76);
    assert_false(mail_has_8bit(out_buf, len));
    for (i = 0; i + 1 < len; i++) { /* no blank right before a line end */
        assert_false((out_buf[i] == ' ' || out_buf[i] == '\t') && out_buf[i + 1] == '\r');
    }
    n = mail_decode_qp(out_buf, len, dec_buf, sizeof(dec_buf));
    assert_true(n > 0);
    memcpy(expect, line, 2000);
    memcpy(expect + 2000, "\r\nsecond\r\n", 11);
    assert_int_equal(n, 2010);
    assert_memory_equal(dec_buf, expect, 2010);
}

static void test_put_text_line_endings(void **state)
{
    struct mail_out o;
    size_t len;

    (void)state;
    mail_out_init(&o, out_buf, sizeof(out_buf));
    mail_mime_put_text(&o, "a\nb\r\nc\rd\n\ne", 11);
    assert_int_equal(mail_out_finish(&o, &len), MAIL_OK);
    assert_string_equal(out_buf, "a\r\nb\r\nc\r\nd\r\n\r\ne\r\n");
    assert_true(mail_decode_crlf_only(out_buf, len));
}

static void test_field_at(void **state)
{
    static const char msg[] = "To: a@x.org,\r\n\tb@y.org\r\nX-Odd:v\nnot a header\r\n";
    struct mail_mime_field f;

    (void)state;
    assert_true(mail_mime_field_at(msg, strlen(msg), 0, &f));
    assert_true(mail_mime_field_is(msg, &f, "to"));
    assert_false(mail_mime_field_is(msg, &f, "t"));
    assert_int_equal(f.value, 3);
    assert_memory_equal(msg + f.value, " a@x.org,\r\n\tb@y.org", f.value_end - f.value);
    assert_true(mail_mime_field_at(msg, strlen(msg), f.next, &f));
    assert_true(mail_mime_field_is(msg, &f, "X-Odd"));
    assert_memory_equal(msg + f.value, "v", f.value_end - f.value);
    assert_false(mail_mime_field_at(msg, strlen(msg), f.next, &f));
    assert_false(mail_mime_field_at(" cont: x", 8, 0, &f));
    assert_false(mail_mime_field_at(": x", 3, 0, &f));
    assert_false(mail_mime_field_at("Subject", 7, 0, &f));
}

struct cte_case {
    const char *body;
    size_t repeat_line; /* > 0: body is one line of this many 'a' */
    bool allow_8bit;
    enum mail_cte expect;
};

/* clang-format off */
static const struct cte_case cte_cases[] = {
	{ "plain ascii\r\n", 0, true, MAIL_CTE_7BIT },
	{ "plain ascii\r\n", 0, false, MAIL_CTE_7BIT },
	{ "caf\xc3\xa9\n", 0, true, MAIL_CTE_8BIT },
	{ "caf\xc3\xa9\n", 0, false, MAIL_CTE_QP },
	{ NULL, 998, true, MAIL_CTE_7BIT },
	{ NULL, 999, true, MAIL_CTE_QP },
	{ NULL, 2000, false, MAIL_CTE_QP },
};
/* clang-format on */

static void test_choose_cte(void **state)
{
    static char body[2100];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cte_cases) / sizeof(cte_cases[0]); i++) {
        const struct cte_case *c = &cte_cases[i];
        struct mail_mime_scan scan;
        size_t n;

        if (c->body != NULL) {
            n = strlen(c->body);
            memcpy(body, c->body, n);
        } else {
            n = c->repeat_line;
            memset(body, 'a', n);
        }
        mail_mime_scan(body, n, &scan);
        if (mail_mime_choose_cte(&scan, c->allow_8bit) != c->expect) {
            fail_msg("case %zu: wrong encoding", i);
        }
    }
    assert_string_equal(mail_mime_cte_name(MAIL_CTE_QP), "quoted-printable");
    assert_string_equal(mail_mime_cte_name(MAIL_CTE_8BIT), "8bit");
    assert_string_equal(mail_mime_cte_name(MAIL_CTE_7BIT), "7bit");
}

static void test_scan_utf8(void **state)
{
    struct mail_mime_scan s;

    (void)state;
    mail_mime_scan("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5", 9, &s);
    assert_true(s.has_8bit);
    assert_true(s.valid_utf8);
    mail_mime_scan("\xc0\xaf", 2, &s); /* overlong '/' */
    assert_false(s.valid_utf8);
    mail_mime_scan("\xed\xa0\x80", 3, &s); /* surrogate */
    assert_false(s.valid_utf8);
    mail_mime_scan("\xc3", 1, &s); /* truncated */
    assert_false(s.valid_utf8);
    mail_mime_scan("ab\r\ncdef\n", 9, &s);
    assert_false(s.has_8bit);
    assert_int_equal(s.longest_line, 4);
}

static void test_downgrade(void **state)
{
    static const char msg[] = "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n"
                              "Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xc3\xa9 = ok\r\n";
    static const char bare[] = "Subject: y\n\nna\xc3\xafve\n";
    size_t len;
    int n, body;

    (void)state;
    assert_int_equal(mail_mime_downgrade(msg, strlen(msg), out_buf, sizeof(out_buf), &len), MAIL_OK);
    assert_string_equal(out_buf, "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\nMIME-Version: 1.0\r\n"
                                 "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =3D ok\r\n");
    assert_int_equal(mail_mime_downgrade(bare, strlen(bare), out_buf, sizeof(out_buf), &len), MAIL_OK);
    assert_non_null(strstr(out_buf, "Content-Type: text/plain; charset=utf-8\r\n"));
    body = mail_decode_body_offset(out_buf, len);
    assert_true(body > 0);
    n = mail_decode_qp(out_buf + body, len - (size_t)body, dec_buf, sizeof(dec_buf));
    assert_string_equal(dec_buf, "na\xc3\xafve\r\n");
    assert_int_equal(n, 8);

    assert_int_equal(mail_mime_downgrade("Content-Type: multipart/mixed; boundary=x\r\n\r\n\xc3\xa9", 48, out_buf,
                                         sizeof(out_buf), &len),
                     MAIL_ERR_UNSUPPORTED);
    assert_int_equal(
        mail_mime_downgrade("Content-Transfer-Encoding: base64\r\n\r\nAAAA", 41, out_buf, sizeof(out_buf), &len),
        MAIL_ERR_UNSUPPORTED);
    assert_int_equal(mail_mime_downgrade("Subject: z\r\n\r\n\xff", 15, out_buf, sizeof(out_buf), &len),
                     MAIL_ERR_UNSUPPORTED);
    assert_int_equal(mail_mime_downgrade(msg, strlen(msg), out_buf, 40, &len), MAIL_ERR_OVERFLOW);
    assert_int_equal(mail_mime_downgrade(msg, strlen(msg), out_buf, sizeof(out_buf), NULL), MAIL_ERR_ARG);
}

/* Bodies built to make quoted-printable as long as it gets: every octet "=XX", lines ending right after a soft
 * break would be due, one-octet lines, a last line without its ending. Each must fit the bound exactly sized,
 * and the "=XX" text must come close to it (the bound is what the encoding really needs, not a guess). */
static void test_downgrade_max_is_the_worst_case(void **state)
{
    static const char head[] = "Subject: worst\nContent-Type: text/plain; charset=latin1\n\n";
    static const char *const units[] = { "\xc3\xa9",     "\xff", "\x80\n",
                                         " \n",          "=",    "\t",
                                         "\xe2\x82\xac", "\n",   "abcdefghijklmnopqrstuvwx\xff\r\n" };
    static char msg[64 * 1024], out[4 * 64 * 1024];
    size_t u, hl = strlen(head);

    (void)state;
    assert_int_equal(mail_mime_downgrade_max((size_t)-1), 0);
    for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        size_t ul = strlen(units[u]), len = hl, max, out_len;

        memcpy(msg, head, hl);
        while (len + ul <= 61440) {
            memcpy(msg + len, units[u], ul);
            len += ul;
        }
        max = mail_mime_downgrade_max(len);
        assert_true(max <= sizeof(out));
        assert_int_equal(mail_mime_downgrade(msg, len, out, max, &out_len), MAIL_OK);
        assert_true(out_len < max);
        if (u < 2) {
            assert_true(max - out_len < 3 * hl / 2 + 200);
        }
    }
}

static void test_out_overflow_is_bounded(void **state)
{
    char buf[16];
    struct mail_out o;
    size_t len = 99;

    (void)state;
    memset(buf, '#', sizeof(buf));
    mail_out_init(&o, buf, 8);
    mail_out_str(&o, "12345");
    mail_out_str(&o, "6789"); /* does not fit: sticky error */
    mail_out_str(&o, "x");    /* ignored even though it would fit */
    assert_int_equal(mail_out_finish(&o, &len), MAIL_ERR_OVERFLOW);
    assert_int_equal(len, 0);
    assert_memory_equal(buf, "12345", 5);
    assert_int_equal(buf[8], '#');
    /* exactly full: fine, no NUL */
    mail_out_init(&o, buf, 5);
    mail_out_str(&o, "12345");
    assert_int_equal(mail_out_finish(&o, &len), MAIL_OK);
    assert_int_equal(len, 5);
    assert_string_equal(mail_strerror(MAIL_ERR_OVERFLOW), "message too large for the buffer");
    assert_string_equal(mail_strerror(-99), "unknown mail error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_exact),
        cmocka_unit_test(test_words_round_trip),
        cmocka_unit_test(test_words_invalid_utf8_is_contained),
        cmocka_unit_test(test_qp_exact),
        cmocka_unit_test(test_qp_long_line_round_trip),
        cmocka_unit_test(test_put_text_line_endings),
        cmocka_unit_test(test_field_at),
        cmocka_unit_test(test_choose_cte),
        cmocka_unit_test(test_scan_utf8),
        cmocka_unit_test(test_downgrade),
        cmocka_unit_test(test_downgrade_max_is_the_worst_case),
        cmocka_unit_test(test_out_overflow_is_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
