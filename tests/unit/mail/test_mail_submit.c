/*
 * Unit tests for mail/mail_submit: the seed msg.txt through the sendmail path byte for byte (against what
 * Debian's ssmtp 2.64-11 sent for it, plus the Message-ID baremail adds), -t, Bcc, folded and grouped recipient
 * lists, FromLineOverride both ways, line endings, messages without header or separator, flags, errors.
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
#include "mail/mail_submit.h"
#include "mail_decode.h"

#define T_2026 INT64_C(1795869296) /* Sat, 28 Nov 2026 12:34:56 +0000 */
#define UNIQUE UINT64_C(0x00000042deadbeef)

static struct config seed;   /* the seed smtp.conf: FromLineOverride=YES, RewriteDomain=gmail.com */
static struct config strict; /* the same with FromLineOverride=NO and AddHeader */
static char msg_txt[4096];
static size_t msg_len;
static char out[65536];
static struct mail_submit_result res;

static const char seed_conf[] = "root=alerts@example.com\nmailhub=smtp.gmail.com:587\nrewriteDomain=gmail.com\n"
                                "hostname=MiniProjet SMTP Unix\nFromLineOverride=YES\n";
static const char strict_conf[] = "root=alerts@example.com\nmailhub=smtp.gmail.com:587\nrewriteDomain=gmail.com\n"
                                  "hostname=MiniProjet SMTP Unix\nFromLineOverride=NO\nAddHeader=X-Site: garage\n";
static const char seed_aliases[] = "root:alerts@example.com:smtp.gmail.com:587\n";

static void fail_on_error(void *ctx, const struct config_diag *d)
{
    (void)ctx;
    if (d->severity == CONFIG_SEVERITY_ERROR) {
        fail_msg("config error: %s", d->message);
    }
}

static int load(struct config *cfg, const char *conf)
{
    config_init(cfg);
    config_parse(cfg, "smtp.conf", conf, strlen(conf), fail_on_error, NULL);
    config_parse_revaliases(cfg, "revaliases", seed_aliases, strlen(seed_aliases), fail_on_error, NULL);
    return config_finish(cfg, fail_on_error, NULL);
}

static int setup(void **state)
{
    FILE *f = fopen(MAIL_TEST_DATA "/msg.txt", "rb");

    (void)state;
    if (f == NULL) {
        return -1;
    }
    msg_len = fread(msg_txt, 1, sizeof(msg_txt) - 1, f);
    fclose(f);
    return load(&seed, seed_conf) == CONFIG_OK && load(&strict, strict_conf) == CONFIG_OK ? 0 : -1;
}

static int prepare(const struct config *cfg, bool minus_t, const char *const *args, unsigned n, const char *text,
                   size_t len)
{
    struct mail_submit_opts o = {
        .account = "root",
        .read_recipients = minus_t,
        .args = args,
        .arg_count = n,
        .date = T_2026,
        .unique = UNIQUE,
    };
    int rc = mail_submit_prepare(cfg, &o, text, len, out, sizeof(out), &res);

    if (rc == MAIL_OK && !mail_decode_crlf_only(out, res.len)) {
        fail_msg("output has a bare CR or LF:\n%s", out);
    }
    return rc;
}

static int prepare_str(const struct config *cfg, bool minus_t, const char *arg, const char *text)
{
    const char *args[1] = { arg };

    return prepare(cfg, minus_t, args, arg != NULL ? 1 : 0, text, strlen(text));
}

static void expect_rcpts(const char *joined)
{
    char got[2048] = "";
    unsigned i;

    for (i = 0; i < res.rcpt_count; i++) {
        if (i > 0) {
            strcat(got, "|");
        }
        strcat(got, res.rcpt[i]);
    }
    if (strcmp(got, joined) != 0) {
        fail_msg("recipients '%s', expected '%s'", got, joined);
    }
}

static const char seed_expect[] =
    "Received: by MiniProjet (baremail sendmail emulation); Sat, 28 Nov 2026 12:34:56 +0000\r\n"
    "Date: Sat, 28 Nov 2026 12:34:56 +0000\r\n"
    "Message-ID: <20261128123456.00000042deadbeef@MiniProjet>\r\n"
    "To: alerts@example.com\r\n"
    "From: alerts@example.com\r\n"
    "Subject: Test SMTP MiniProjet Unix\r\n"
    "\r\n"
    "Salut,\r\n"
    "On teste le fonctionnement du protocole SMTP sur Unix, j'esp\xc3\xa8re qu'on r\xc3\xa9ussira le coup "
    "d\xc3\xa8s la premi\xc3\xa8re fois!\r\n"
    "\r\n"
    "-Ayoub Man\xc3\xa7our Billah & Abdellah Birouk\r\n";

static void test_seed_with_argument(void **state)
{
    static const char *const args[] = { "alerts@example.com" };

    (void)state;
    assert_int_equal(prepare(&seed, false, args, 1, msg_txt, msg_len), MAIL_OK);
    assert_string_equal(out, seed_expect);
    assert_int_equal(res.len, strlen(seed_expect));
    assert_string_equal(res.sender, "alerts@example.com");
    expect_rcpts("alerts@example.com");
    assert_true(res.needs_8bitmime);
    assert_false(res.needs_smtputf8);
    assert_false(res.long_lines);
}

static void test_seed_with_minus_t(void **state)
{
    (void)state;
    assert_int_equal(prepare(&seed, true, NULL, 0, msg_txt, msg_len), MAIL_OK);
    assert_string_equal(out, seed_expect);
    expect_rcpts("alerts@example.com");
}

static void test_recipient_lists(void **state)
{
    static const char m[] = "To: \"Doe, John\" <john@x.org>, jane@y.org,\n\tbob@z.org\n"
                            "Cc: Team: a@t.org, b@t.org;\n"
                            "Bcc: secret@s.org,\n hidden (the boss) <boss@s.org>\n"
                            "CC: john@x.org\n"
                            "Subject: multi\n\nbody\n";

    (void)state;
    assert_int_equal(prepare_str(&seed, true, NULL, m), MAIL_OK);
    expect_rcpts("john@x.org|jane@y.org|bob@z.org|a@t.org|b@t.org|secret@s.org|boss@s.org");
    assert_null(strstr(out, "Bcc"));
    assert_null(strstr(out, "secret"));
    assert_non_null(strstr(out, "To: \"Doe, John\" <john@x.org>, jane@y.org,\r\n\tbob@z.org\r\n"
                                "Cc: Team: a@t.org, b@t.org;\r\nCC: john@x.org\r\nSubject: multi\r\n\r\nbody\r\n"));
    /* without -t the arguments decide, comma lists and local names included, and Bcc still goes */
    assert_int_equal(prepare_str(&seed, false, "x@y.org, Bob <bob@z.org>,root,pi", m), MAIL_OK);
    expect_rcpts("x@y.org|bob@z.org|alerts@example.com|pi@gmail.com");
    assert_null(strstr(out, "Bcc"));
}

static void test_from_line_override(void **state)
{
    static const char m[] = "To: a@x.org\nFrom: \"Jo, Smith\" <jo@other.org>\nSubject: hi\n\nbody\n";
    char field[256];

    (void)state;
    /* YES: envelope from the message's From, header kept */
    assert_int_equal(prepare_str(&seed, false, "a@x.org", m), MAIL_OK);
    assert_string_equal(res.sender, "jo@other.org");
    assert_true(mail_decode_field(out, res.len, "From", field, sizeof(field)) > 0);
    assert_string_equal(field, "\"Jo, Smith\" <jo@other.org>");
    /* NO: envelope from revaliases, the header still kept (Debian's ssmtp), AddHeader before user fields */
    assert_int_equal(prepare_str(&strict, false, "a@x.org", m), MAIL_OK);
    assert_string_equal(res.sender, "alerts@example.com");
    assert_true(mail_decode_field(out, res.len, "From", field, sizeof(field)) > 0);
    assert_string_equal(field, "\"Jo, Smith\" <jo@other.org>");
    assert_non_null(strstr(out, "X-Site: garage\r\nTo: a@x.org\r\n"));
    /* YES with a local name: qualified as ssmtp's append_domain */
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "From: jo\n\nb\n"), MAIL_OK);
    assert_string_equal(res.sender, "jo@gmail.com");
    /* YES with a broken From: refused rather than guessed */
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "From: Jo <jo@x.org\n\nb\n"), MAIL_ERR_ADDRESS);
}

static void test_added_fields(void **state)
{
    struct mail_submit_opts o = { .account = "root", .from_name = "root", .date = T_2026, .unique = UNIQUE };
    const char *args[] = { "a@x.org" };

    (void)state;
    /* no From: generated from the account; empty From: dropped and generated */
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "Subject: s\n\nb\n"), MAIL_OK);
    assert_non_null(strstr(out, "\r\nFrom: alerts@example.com\r\nDate: "));
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "From:\nSubject: s\n\nb\n"), MAIL_OK);
    assert_non_null(strstr(out, "\r\nFrom: alerts@example.com\r\nDate: "));
    assert_null(strstr(out, "From:\r\n"));
    /* a display name as ssmtp's GECOS */
    o.args = args;
    o.arg_count = 1;
    assert_int_equal(mail_submit_prepare(&seed, &o, "Subject: s\n\nb\n", 14, out, sizeof(out), &res), MAIL_OK);
    assert_non_null(strstr(out, "From: root <alerts@example.com>\r\n"));
    /* the user's Date and Message-ID are kept and not doubled */
    assert_int_equal(
        prepare_str(&seed, false, "a@x.org", "Date: Mon, 1 Jan 2024 00:00:00 +0000\nmessage-id: <x@y>\n\nb\n"),
        MAIL_OK);
    assert_null(strstr(out, "\r\nDate: Sat"));
    assert_null(strstr(out, "Message-ID:"));
    assert_non_null(strstr(out, "message-id: <x@y>\r\n"));
    /* no clock: no Received, no Date, Message-ID from the unique bits */
    o.date = -1;
    assert_int_equal(mail_submit_prepare(&seed, &o, "Subject: s\n\nb\n", 14, out, sizeof(out), &res), MAIL_OK);
    assert_null(strstr(out, "Received:"));
    assert_null(strstr(out, "Date:"));
    assert_non_null(strstr(out, "Message-ID: <00000042deadbeef@MiniProjet>\r\n"));
}

struct shape_case {
    const char *in;
    const char *expect_after_added; /* the output from the first user field on */
};

/* clang-format off */
static const struct shape_case shape_cases[] = {
	/* CRLF, bare LF and bare CR all become CRLF */
	{ "To: a@x.org\r\nSubject: crlf\r\n\r\nbody1\r\n.dot\r\n", "To: a@x.org\r\nSubject: crlf\r\n\r\nbody1\r\n.dot\r\n" },
	{ "To: a@x.org\rSubject: cr\r\rl1\rl2", "To: a@x.org\r\nSubject: cr\r\n\r\nl1\r\nl2\r\n" },
	/* no separator and no final newline: the last field is kept (ssmtp lost it) */
	{ "To: a@x.org\nSubject: nosep", "To: a@x.org\r\nSubject: nosep\r\n\r\n" },
	/* no header at all: a blank line goes between the added fields and the text */
	{ "Hello there, no headers here\nsecond line\n", "\r\nHello there, no headers here\r\nsecond line\r\n" },
	/* a body right after the header without blank line */
	{ "Subject: x\nHello\n", "Subject: x\r\n\r\nHello\r\n" },
	/* a leading mbox line is dropped */
	{ "From nobody Mon Jan  1 00:00:00 2024\nTo: a@x.org\n\nb\n", "To: a@x.org\r\n\r\nb\r\n" },
	/* only a blank line then text */
	{ "\nbody only\n", "\r\nbody only\r\n" },
	{ "", "\r\n" },
};
/* clang-format on */

static void test_message_shapes(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(shape_cases) / sizeof(shape_cases[0]); i++) {
        const char *start;

        if (prepare_str(&seed, false, "a@x.org", shape_cases[i].in) != MAIL_OK) {
            fail_msg("case %zu refused", i);
        }
        /* the added fields end with Message-ID */
        start = strstr(out, "@MiniProjet>\r\n");
        assert_non_null(start);
        start += strlen("@MiniProjet>\r\n");
        if (strcmp(start, shape_cases[i].expect_after_added) != 0) {
            fail_msg("case %zu: got [%s] expected [%s]", i, start, shape_cases[i].expect_after_added);
        }
    }
}

static void test_flags(void **state)
{
    static char longline[1200];

    (void)state;
    assert_int_equal(prepare_str(&seed, false, "j\xc3\xb6rg@example.de", "Subject: s\n\nplain\n"), MAIL_OK);
    assert_true(res.needs_smtputf8);
    assert_false(res.needs_8bitmime);
    memcpy(longline, "Subject: s\n\n", 12);
    memset(longline + 12, 'x', 1000);
    longline[1012] = '\0';
    assert_int_equal(prepare_str(&seed, false, "a@x.org", longline), MAIL_OK);
    assert_true(res.long_lines);
    assert_false(res.needs_smtputf8);
}

/* The unfolded, decoded value of field `name` in the prepared message, into dec (NUL-terminated). */
static void decoded_field(const char *name, char *dec, size_t size)
{
    static char raw[65536];
    int n = mail_decode_field(out, res.len, name, raw, sizeof(raw));

    assert_true(n >= 0);
    assert_true(mail_decode_words(raw, (size_t)n, dec, size) >= 0);
}

/* The longest line of field `name` in the prepared message, its name and colon counted. */
static size_t field_longest_line(const char *name)
{
    static char raw[65536];
    int n = mail_decode_field(out, res.len, name, raw, sizeof(raw));
    size_t first;

    assert_true(n >= 0);
    first = strcspn(raw, "\r") + strlen(name) + 1;
    return first > mail_decode_longest_line(raw, (size_t)n) ? first : mail_decode_longest_line(raw, (size_t)n);
}

/* RFC 5322 2.1.1 and 2.2.3: no header line over 998 octets reaches the server. Text with blanks is folded at
 * them; an unstructured run without blanks becomes encoded-words; a structured field that cannot be folded is
 * refused with the field's name. Unfolding (and decoding) gives back what the user wrote. */
static void test_long_header_lines(void **state)
{
    static char msg[24000], want[21000], dec[24000];
    size_t i;

    (void)state;
    for (i = 0; i < 20000; i++) {
        want[i] = i % 9 == 8 ? ' ' : (char)('a' + i % 7);
    }
    want[i] = '\0';
    snprintf(msg, sizeof(msg), "Subject: %s\n\nbody\n", want);
    assert_int_equal(prepare_str(&seed, false, "a@x.org", msg), MAIL_OK);
    assert_true(field_longest_line("Subject") <= MAIL_FOLD_AT);
    assert_false(res.long_lines);
    decoded_field("Subject", dec, sizeof(dec));
    assert_string_equal(dec, want);

    memset(want, 'x', 20000); /* one run: encoded-words, which may split it anywhere */
    snprintf(msg, sizeof(msg), "X-Trace: %s\n\nbody\n", want);
    assert_int_equal(prepare_str(&seed, false, "a@x.org", msg), MAIL_OK);
    assert_true(field_longest_line("X-Trace") <= MAIL_FOLD_AT);
    decoded_field("X-Trace", dec, sizeof(dec));
    assert_string_equal(dec, want);
    assert_false(res.needs_smtputf8);

    for (i = 0; i < 2500; i++) { /* a structured field, folded by the user too, after 1700 octets */
        want[i] = i % 10 == 9 ? ' ' : i % 10 == 0 ? '<' : i % 10 == 8 ? '>' : 'r';
    }
    want[i] = '\0';
    memcpy(want + 1700, "\n\t", 2);
    snprintf(msg, sizeof(msg), "References: %s\n\nbody\n", want);
    assert_int_equal(prepare_str(&seed, false, "a@x.org", msg), MAIL_OK);
    assert_true(mail_decode_longest_line(out, res.len) <= MAIL_LINE_MAX);
    decoded_field("References", dec, sizeof(dec));
    memmove(want + 1700, want + 1701, strlen(want + 1701) + 1); /* unfolded: the line end goes, the blank stays */
    want[1700] = ' ';                                           /* (written as a space) */
    assert_string_equal(dec, want);

    memset(want, 'r', 1100);
    want[1100] = '\0';
    snprintf(msg, sizeof(msg), "Subject: ok\nMessage-ID: <%s@x>\n\nbody\n", want);
    assert_int_equal(prepare_str(&seed, false, "a@x.org", msg), MAIL_ERR_HEADER);
    assert_string_equal(res.problem, "header Message-ID: a line over 998 octets without a blank to fold it at");
    /* Lines already short enough are sent as the user folded them. */
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "Subject: one\n  two\nX-A: b\n\nbody\n"), MAIL_OK);
    assert_non_null(strstr(out, "\r\nSubject: one\r\n  two\r\nX-A: b\r\n\r\nbody\r\n"));
}

/* Control octets in a header are refused (they would reach a reader's terminal), so is text that is not UTF-8.
 * UTF-8 in Subject becomes encoded-words and needs nothing of the server; UTF-8 kept in a structured field needs
 * SMTPUTF8 (RFC 6532). The body may hold a form feed. */
static void test_header_octets(void **state)
{
    static const char controls[] = { 0x1b, 0x07, 0x0b, 0x0c, 0x08, 0x7f };
    char msg[128], want[96], dec[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(controls); i++) {
        snprintf(msg, sizeof(msg), "To: a@x.org\nSubject: a%cred\n\nbody\n", controls[i]);
        assert_int_equal(prepare_str(&seed, true, NULL, msg), MAIL_ERR_HEADER);
        snprintf(want, sizeof(want), "header Subject: control character 0x%02X is not allowed in a header",
                 (unsigned)controls[i]);
        assert_string_equal(res.problem, want);
    }
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "X-Note: caf\xe9\n\nbody\n"), MAIL_ERR_HEADER);
    assert_string_equal(res.problem, "header X-Note: not valid UTF-8 (write header text in UTF-8)");
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "Subject: x\n\nbody \x1b x\n"), MAIL_OK);
    assert_int_equal(prepare_str(&seed, false, "a@x.org", "Subject: x\n\npage\fbreak\n"), MAIL_OK);

    assert_int_equal(prepare_str(&seed, false, "a@x.org", "Subject: caf\xc3\xa9 cr\xc3\xa8me\n\nbody\n"), MAIL_OK);
    assert_false(mail_has_8bit(out, res.len));
    assert_false(res.needs_smtputf8);
    assert_false(res.needs_8bitmime);
    decoded_field("Subject", dec, sizeof(dec));
    assert_string_equal(dec, "caf\xc3\xa9 cr\xc3\xa8me");

    assert_int_equal(prepare_str(&strict, false, "a@x.org", "From: J\xc3\xb6rg <j@x.org>\n\nbody\n"), MAIL_OK);
    assert_non_null(strstr(out, "\r\nFrom: J\xc3\xb6rg <j@x.org>\r\n"));
    assert_true(res.needs_smtputf8);
}

static void test_errors(void **state)
{
    static const char *const args[] = { "a@x.org" };
    char many[MAIL_RCPT_MAX * 12 + 32];
    unsigned i;

    (void)state;
    assert_int_equal(prepare(&seed, true, args, 1, msg_txt, msg_len), MAIL_ERR_ARG);
    assert_int_equal(prepare_str(&seed, false, NULL, "Subject: s\n\nb\n"), MAIL_ERR_NO_RCPT);
    assert_int_equal(prepare_str(&seed, true, NULL, "Subject: s\n\nb\n"), MAIL_ERR_NO_RCPT);
    assert_int_equal(prepare_str(&seed, true, NULL, "To: Jo <jo@x.org\n\nb\n"), MAIL_ERR_ADDRESS);
    assert_int_equal(prepare_str(&seed, false, "two words", "b\n"), MAIL_ERR_ADDRESS);
    assert_int_equal(prepare(&seed, false, args, 1, "To: a\0b\n\nx", 10), MAIL_ERR_INPUT);
    strcpy(many, "To: ");
    for (i = 0; i <= MAIL_RCPT_MAX; i++) {
        char one[16];
        snprintf(one, sizeof(one), "u%u@x.org,", i);
        strcat(many, one);
    }
    strcat(many, "\n\nb\n");
    assert_int_equal(prepare_str(&seed, true, NULL, many), MAIL_ERR_RCPT_LIMIT);
}

static void test_every_short_buffer_overflows_cleanly(void **state)
{
    static const char *const args[] = { "alerts@example.com" };
    struct mail_submit_opts o = { .account = "root", .args = args, .arg_count = 1, .date = T_2026 };
    static char small[4096];
    size_t need = strlen(seed_expect), size;

    (void)state;
    for (size = 0; size < need; size++) {
        memset(small, '#', sizeof(small));
        if (mail_submit_prepare(&seed, &o, msg_txt, msg_len, small, size, &res) != MAIL_ERR_OVERFLOW) {
            fail_msg("size %zu of %zu did not overflow", size, need);
        }
        if (small[size] != '#') {
            fail_msg("size %zu: wrote past the end", size);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_with_argument),
        cmocka_unit_test(test_seed_with_minus_t),
        cmocka_unit_test(test_recipient_lists),
        cmocka_unit_test(test_from_line_override),
        cmocka_unit_test(test_added_fields),
        cmocka_unit_test(test_message_shapes),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_long_header_lines),
        cmocka_unit_test(test_header_octets),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_every_short_buffer_overflows_cleanly),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
