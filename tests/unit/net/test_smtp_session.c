/*
 * Unit tests for net/smtp, the sans-I/O SMTP engine: the AUTH mechanisms (LOGIN, CRAM-MD5, XOAUTH2), no credentials
 * in the clear, the HELO fallback, 421, reader errors and bad addresses, 8BITMIME and SMTPUTF8, big bodies over DATA
 * and BDAT, timeouts from the configuration and the names of codes. Scripts are played by the transport of
 * smtp_harness.h (S() server bytes, C() expected client bytes, TLS, END), each several ways, as in test_smtp.c,
 * which has STARTTLS, CHUNKING, SIZE, refused recipients, timeouts and PIPELINING.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmac_md5_ref.h"
#include "net/smtp.h"
#include "smtp_harness.h"

static void setup_login(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)m;
    o->auth_user = "user";
    o->auth_pass = "secret";
    *count = 0;
}

/* clang-format off */
static const struct smtp_harness_step script_login[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250 AUTH LOGIN\r\n"), C("AUTH LOGIN\r\n"),
	S("334 VXNlcm5hbWU6\r\n"), C("dXNlcg==\r\n"),        S("334 UGFzc3dvcmQ6\r\n"),         C("c2VjcmV0\r\n"),
	S("235 ok\r\n"),         C("QUIT\r\n"),             S("221 bye\r\n"),                  END,
};
/* clang-format on */

static void check_login(struct smtp_message *m, unsigned count)
{
    (void)m;
    (void)count;
    assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_OK);
    assert_int_equal(smtp_session_stats(&smtp_harness.s)->auth_mech, SMTP_AUTH_LOGIN);
    assert_null(strstr(smtp_harness.log, "dXNlcg=="));
    assert_null(strstr(smtp_harness.log, "c2VjcmV0"));
}

static void test_auth_login(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_login, script_login, check_login, 6);
}

static void setup_old_login(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    setup_login(o, m, count);
    o->use_old_auth = true;
}

/* clang-format off */
static const struct smtp_harness_step script_old_login[] = {
	S("220 mx ESMTP\r\n"),     C("EHLO client.example\r\n"), S("250-mx\r\n250 AUTH=LOGIN\r\n"),
	C("AUTH LOGIN dXNlcg==\r\n"), S("334 UGFzc3dvcmQ6\r\n"),   C("c2VjcmV0\r\n"),
	S("235 ok\r\n"),           C("QUIT\r\n"),               S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void test_auth_login_old_style(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_old_login, script_old_login, check_login, 5);
}

static void setup_cram(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)m;
    o->auth_user = "tim";
    o->auth_pass = "tanstaaftanstaaf";
    o->auth_forced = SMTP_AUTH_CRAM_MD5;
    *count = 0;
}

/* clang-format off */
static const struct smtp_harness_step script_cram[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"),
	C("AUTH CRAM-MD5\r\n"),
	S("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
	C("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"),
	S("235 ok\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void check_cram(struct smtp_message *m, unsigned count)
{
    (void)m;
    (void)count;
    assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_OK);
    assert_null(strstr(smtp_harness.log, "dGlt"));
}

static void test_auth_cram_md5(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_cram, script_cram, check_cram, 5);
}

/* clang-format off */
static const struct smtp_harness_step script_cram_bad_challenge[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"),
	C("AUTH CRAM-MD5\r\n"),
	S("334 not base64!\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

/* A challenge that is not base64: the server's line is quoted in the error, and nothing secret is sent. */
static void check_cram_bad_challenge(struct smtp_message *m, unsigned count)
{
    (void)m;
    (void)count;
    const struct smtp_result *res = smtp_session_result(&smtp_harness.s);
    assert_int_equal(res->err, SMTP_ERR_PROTOCOL);
    assert_int_equal(res->step, SMTP_STEP_AUTH);
    assert_int_equal(res->reply.code, 334);
    assert_non_null(strstr(res->reply.text, "not base64!"));
}

static void test_auth_cram_md5_bad_challenge_is_quoted(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_cram, script_cram_bad_challenge, check_cram_bad_challenge, 4);
}

static void setup_xoauth2(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)m;
    o->auth_user = "user";
    o->auth_token = "tok123";
    *count = 0;
}

/* clang-format off */
static const struct smtp_harness_step script_xoauth2[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n"),
	C("AUTH XOAUTH2 dXNlcj11c2VyAWF1dGg9QmVhcmVyIHRvazEyMwEB\r\n"),
	S("235 2.7.0 Accepted\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

/* clang-format off */
static const struct smtp_harness_step script_xoauth2_error[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n"),
	C("AUTH XOAUTH2 dXNlcj11c2VyAWF1dGg9QmVhcmVyIHRvazEyMwEB\r\n"),
	S("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n"),
	C("\r\n"),
	S("535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void check_xoauth2(struct smtp_message *m, unsigned count)
{
    (void)m;
    (void)count;
    assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_OK);
    assert_non_null(strstr(smtp_harness.log, "> AUTH XOAUTH2 ********"));
    assert_null(strstr(smtp_harness.log, "dXNlcj11"));
}

static void check_xoauth2_error(struct smtp_message *m, unsigned count)
{
    (void)m;
    (void)count;
    smtp_harness_assert_formats(smtp_session_result(&smtp_harness.s),
                                "AUTH failed: 535 5.7.8 Username and Password not accepted. Learn more (server said: "
                                "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"})");
    assert_null(strstr(smtp_harness.log, "tok123"));
}

static void test_auth_xoauth2(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_xoauth2, script_xoauth2, check_xoauth2, 4);
    smtp_harness_run_all(setup_xoauth2, script_xoauth2_error, check_xoauth2_error, 5);
}

static void setup_cleartext(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    smtp_harness_setup_auth_implicit(o, m, count);
    o->tls = SMTP_TLS_NONE;
}

/* clang-format off */
static const struct smtp_harness_step script_cleartext[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250 AUTH PLAIN\r\n"),
	C("QUIT\r\n"),         S("221 bye\r\n"),             END,
};
/* clang-format on */

static void check_cleartext(struct smtp_message *m, unsigned count)
{
    smtp_harness_check_no_auth_written(m, count);
    assert_int_equal(m[0].result.err, SMTP_ERR_CLEARTEXT_AUTH);
    smtp_harness_assert_formats(&m[0].result,
                                "AUTH failed: refusing to send credentials without TLS: set UseSTARTTLS=YES (port "
                                "587) or UseTLS=YES (port 465)");
    assert_null(strstr(smtp_harness.transcript, "c2VjcmV0")); /* base64 "secret" */
}

/* Every mechanism is refused in clear, CRAM-MD5 (which hides the password but not from an offline guess) and
 * XOAUTH2 (whose token is a bearer secret) too. */
static void setup_cleartext_token(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    setup_cleartext(o, m, count);
    o->auth_token = "tok123";
}

/* clang-format off */
static const struct smtp_harness_step script_cleartext_all[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"),
	S("250-mx\r\n250-AUTH CRAM-MD5 XOAUTH2\r\n250 AUTH=PLAIN LOGIN\r\n"), C("QUIT\r\n"), S("221 bye\r\n"), END,
};
/* clang-format on */

static void check_cleartext_token(struct smtp_message *m, unsigned count)
{
    check_cleartext(m, count);
    assert_null(strstr(smtp_harness.transcript, "tok123"));
    assert_int_equal(smtp_session_stats(&smtp_harness.s)->auth_mech, 0);
}

/* AllowAuthWithoutTLS=YES (a relay on a trusted LAN): then CRAM-MD5 first, the one that keeps the password, and
 * without being forced (script_cram's server offers PLAIN and LOGIN first). */
static void setup_cleartext_allowed(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    setup_cram(o, m, count);
    o->auth_forced = 0;
    o->tls = SMTP_TLS_NONE;
    o->allow_cleartext_auth = true;
}

static void check_cleartext_allowed(struct smtp_message *m, unsigned count)
{
    check_cram(m, count);
    assert_int_equal(smtp_session_stats(&smtp_harness.s)->auth_mech, SMTP_AUTH_CRAM_MD5);
}

static void test_no_credentials_in_clear(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_cleartext, script_cleartext, check_cleartext, 0);
    smtp_harness_run_all(setup_cleartext_token, script_cleartext_all, check_cleartext_token, 0);
    smtp_harness_run_all(setup_cleartext_allowed, script_cram, check_cleartext_allowed, 0);
}

static void setup_helo(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->tls = SMTP_TLS_NONE;
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    *count = 1;
}

/* clang-format off */
static const struct smtp_harness_step script_helo[] = {
	S("220 old.example SMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("502 5.5.1 command not implemented\r\n"),
	C("HELO client.example\r\n"),
	S("250 old.example\r\n"),
	C("MAIL FROM:<pi@example.com>\r\n"),
	S("250 ok\r\n"),
	C("RCPT TO:<ops@example.com>\r\n"),
	S("250 ok\r\n"),
	C("DATA\r\n"),
	S("354 go\r\n"),
	C(SMTP_HARNESS_SIMPLE_WIRE ".\r\n"),
	S("250 ok\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void test_helo_fallback(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_helo, script_helo, smtp_harness_check_ok, 0);
}

/* clang-format off */
static const struct smtp_harness_step script_helo_refused[] = {
	S("220 old.example SMTP\r\n"), C("EHLO client.example\r\n"), S("500 what?\r\n"), C("QUIT\r\n"),
	S("221 bye\r\n"),              END,
};
/* clang-format on */

static void check_helo_refused(struct smtp_message *m, unsigned count)
{
    smtp_harness_check_no_auth_written(m, count);
    assert_int_equal(m[0].result.err, SMTP_ERR_NO_EXTENSIONS);
    smtp_harness_assert_formats(&m[0].result,
                                "EHLO failed: 500 what? (server does not speak ESMTP, which this session needs)");
}

static void test_helo_not_when_extensions_needed(void **state)
{
    (void)state;
    smtp_harness_run_all(smtp_harness_setup_starttls_auth, script_helo_refused, check_helo_refused, 0);
}

static void test_421_and_close(void **state)
{
    struct smtp_options o;
    static struct smtp_message m[1];
    unsigned count;

    (void)state;
    smtp_harness_options_base(&o);
    memset(m, 0, sizeof(m));
    smtp_harness_setup_plain_one(&o, m, &count);
    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("421 4.3.2 Service shutting down\r\n");
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    smtp_harness_assert_formats(&m[0].result, "EHLO failed: 421 4.3.2 Service shutting down");
    assert_true(m[0].result.temporary);

    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 PIPELINING\r\n");
    smtp_harness_expect_client("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n");
    smtp_session_closed(&smtp_harness.s, smtp_harness.now);
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    smtp_harness_assert_formats(&m[0].result, "MAIL failed: connection closed by the server");
    assert_true(m[0].result.temporary);
}

static void test_reader_error_and_bad_address(void **state)
{
    struct smtp_options o;
    static struct smtp_message m[1];
    static const char *const evil[] = { "ops@example.com>\r\nRCPT TO:<victim@example.com" };
    unsigned count;

    (void)state;
    smtp_harness_options_base(&o);
    memset(m, 0, sizeof(m));
    smtp_harness_setup_plain_one(&o, m, &count);
    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 CHUNKING\r\n");
    smtp_harness_expect_client("MAIL FROM:<pi@example.com>\r\n");
    SEND("250 ok\r\n");
    smtp_harness_expect_client("RCPT TO:<ops@example.com>\r\n");
    smtp_harness_body1.fail = true;
    SEND("250 ok\r\n");
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    smtp_harness_assert_formats(&m[0].result, "BODY failed: message reader failed");
    assert_int_equal(smtp_harness.sent_len, 0);

    memset(m, 0, sizeof(m));
    smtp_harness_setup_plain_one(&o, m, &count);
    m[0].rcpt = evil;
    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250 PIPELINING\r\n");
    smtp_harness_expect_client("QUIT\r\n");
    smtp_harness_assert_formats(&m[0].result, "MAIL failed: unusable recipient address #1");
    assert_null(strstr(smtp_harness.transcript, "victim"));
}

static void test_8bitmime_and_smtputf8(void **state)
{
    struct smtp_options o;
    static struct smtp_message m[2];
    static const char *const utf8_rcpt[] = { "j\xc3\xb6rg@example.com" };
    unsigned count;

    (void)state;
    smtp_harness_options_base(&o);
    memset(m, 0, sizeof(m));
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    m[0].needs_8bitmime = true;
    m[0].size = 0;
    smtp_harness_msg_simple(&m[1], &smtp_harness_body2, utf8_rcpt, 1);
    m[1].size = 0;
    count = 2;
    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250-PIPELINING\r\n250-SIZE 100000\r\n250 8BITMIME\r\n");
    /* the second message needs SMTPUTF8, which is not offered: refused before MAIL */
    smtp_harness_expect_client("MAIL FROM:<pi@example.com> BODY=8BITMIME\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n");
    SEND("250 ok\r\n250 ok\r\n354 go\r\n");
    smtp_harness_expect_client(SMTP_HARNESS_SIMPLE_WIRE ".\r\n");
    SEND("250 ok\r\n");
    smtp_harness_expect_client("QUIT\r\n");
    assert_int_equal(m[0].result.err, SMTP_OK);
    smtp_harness_assert_formats(&m[1].result, "MAIL failed: message needs SMTPUTF8, which the server does not offer");

    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250 mx\r\n");
    smtp_harness_expect_client("QUIT\r\n");
    smtp_harness_assert_formats(&m[0].result, "MAIL failed: message needs 8BITMIME, which the server does not offer");

    m[0].needs_8bitmime = false;
    smtp_harness_start(&o, &m[1], 1, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 SMTPUTF8\r\n");
    smtp_harness_expect_client("MAIL FROM:<pi@example.com> SMTPUTF8\r\n");
}

/* A body larger than the output buffer, read one octet at a time, through a transport taking 100 octets per
 * write: the DATA stream must be exactly the dot-stuffed, CRLF-normalized message. */
static void make_big(char *text, size_t cap, char *wire, size_t wire_cap, bool stuff)
{
    size_t t = 0, w = 0;
    unsigned i;

    for (i = 0; t + 40 < cap && w + 40 < wire_cap; i++) {
        int n = snprintf(text + t, cap - t, "%sline %u of the message\n", i % 7 == 0 ? "." : "", i);
        int k = snprintf(wire + w, wire_cap - w, "%s%sline %u of the message\r\n", i % 7 == 0 && stuff ? "." : "",
                         i % 7 == 0 ? "." : "", i);

        t += (size_t)n;
        w += (size_t)k;
    }
    text[t] = '\0';
    wire[w] = '\0';
}

static void test_big_body_data(void **state)
{
    static char text[12000], wire[14000], expect[15000];
    struct smtp_options o;
    static struct smtp_message m[1];

    (void)state;
    make_big(text, sizeof(text), wire, sizeof(wire), true);
    smtp_harness_options_base(&o);
    memset(m, 0, sizeof(m));
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    smtp_harness_body_set(&smtp_harness_body1, text, 1);
    m[0].size = 0;
    smtp_harness_start(&o, m, 1, SIZE_MAX, 100);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 PIPELINING\r\n");
    smtp_harness_expect_client("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n");
    SEND("250 ok\r\n250 ok\r\n354 go\r\n");
    snprintf(expect, sizeof(expect), "%s.\r\nQUIT\r\n", wire);
    smtp_harness_expect_client(expect);
    SEND("250 ok\r\n221 bye\r\n");
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    assert_int_equal(m[0].result.err, SMTP_OK);
    assert_int_equal(m[0].body_octets, strlen(wire));
}

/* With CHUNKING the same body goes as several BDAT chunks whose sizes add up, the last one LAST. */
static void test_big_body_bdat(void **state)
{
    static char text[12000], wire[14000], joined[14000];
    struct smtp_options o;
    static struct smtp_message m[1];
    size_t joined_len = 0, off = 0;
    unsigned chunks = 0, answered = 0;
    bool last = false;

    (void)state;
    make_big(text, sizeof(text), wire, sizeof(wire), false);
    smtp_harness_options_base(&o);
    memset(m, 0, sizeof(m));
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    smtp_harness_body_set(&smtp_harness_body1, text, 3);
    smtp_harness_start(&o, m, 1, SIZE_MAX, 100);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250-CHUNKING\r\n250 PIPELINING\r\n");
    smtp_harness_expect_client("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\n");
    SEND("250 ok\r\n250 ok\r\n");
    while (!last) {
        unsigned long n;
        int used = 0;

        smtp_harness_drain();
        if (off == smtp_harness.sent_len) {
            /* The engine stopped because its pipeline is full: answer the chunks so far. */
            assert_true(answered < chunks);
            while (answered < chunks) {
                SEND("250 chunk ok\r\n");
                answered++;
            }
            continue;
        }
        if (sscanf(smtp_harness.sent + off, "BDAT %lu%n", &n, &used) != 1) {
            fail_msg("no BDAT at %zu: %.60s", off, smtp_harness.sent + off);
        }
        off += (size_t)used;
        if (strncmp(smtp_harness.sent + off, " LAST", 5) == 0) {
            last = true;
            off += 5;
        }
        assert_memory_equal(smtp_harness.sent + off, "\r\n", 2);
        off += 2;
        assert_true(off + n <= smtp_harness.sent_len);
        memcpy(joined + joined_len, smtp_harness.sent + off, n);
        joined_len += n;
        off += n;
        chunks++;
    }
    assert_string_equal(smtp_harness.sent + off, "QUIT\r\n");
    joined[joined_len] = '\0';
    assert_string_equal(joined, wire);
    assert_true(chunks >= 3);
    while (++answered < chunks) {
        SEND("250 chunk ok\r\n");
    }
    SEND("250 2.0.0 queued\r\n221 bye\r\n");
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    smtp_harness_assert_formats(&m[0].result, "sent: 250 2.0.0 queued");
    assert_int_equal(m[0].body_octets, strlen(wire));
}

/* docs/config.md: SMTPTimeout bounds every reply and the body's progress, but the reply to the end of the data
 * gets at least RFC 5321's 10 minutes (§4.5.3.2.6). A session with the options firmware/net_settings.c makes of
 * SMTPTimeout=30s (tests/unit/firmware/test_net_settings.c checks that part): each timeout is kept where it applies. */
static void test_smtp_timeout_from_config(void **state)
{
    static struct smtp_message m[1];
    struct smtp_options o;

    (void)state;
    memset(m, 0, sizeof(m));
    memset(&o, 0, sizeof(o));
    o.ehlo_name = "client.example";
    o.timeouts.connect_ms = 10000;
    o.timeouts.greeting_ms = 30000;
    o.timeouts.command_ms = 30000;
    o.timeouts.mail_ms = 30000;
    o.timeouts.rcpt_ms = 30000;
    o.timeouts.data_init_ms = 30000;
    o.timeouts.data_block_ms = 30000;
    o.timeouts.data_end_ms = 10 * SMTP_HARNESS_MIN_MS;
    o.log = smtp_harness_log_line;
    o.log_ctx = &smtp_harness;
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    smtp_harness_start(&o, m, 1, SIZE_MAX, SIZE_MAX);
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 30000); /* greeting */
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 30000);
    SEND("250 mx\r\n");
    smtp_harness_expect_client("MAIL FROM:<pi@example.com>\r\n");
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 30000);
    SEND("250 ok\r\n");
    smtp_harness_expect_client("RCPT TO:<ops@example.com>\r\n");
    SEND("250 ok\r\n");
    smtp_harness_expect_client("DATA\r\n");
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 30000);
    SEND("354 go\r\n");
    smtp_harness_expect_client(SMTP_HARNESS_SIMPLE_WIRE ".\r\n");
    smtp_harness.now += 30000;
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 10 * SMTP_HARNESS_MIN_MS - 30000);
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_RUNNING);
    smtp_harness.now += 10 * SMTP_HARNESS_MIN_MS - 30000;
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 0);
    smtp_harness_assert_formats(&m[0].result, "BODY failed: no reply within 600 s");
}

static void test_names(void **state)
{
    struct smtp_result r;

    (void)state;
    assert_string_equal(smtp_step_name(SMTP_STEP_AUTH), "AUTH");
    assert_string_equal(smtp_strerror(SMTP_ERR_NO_STARTTLS), "server does not offer STARTTLS");
    assert_string_equal(smtp_strerror(-999), "unknown SMTP error");
    memset(&r, 0, sizeof(r));
    r.err = SMTP_ERR_TIMEOUT;
    r.step = SMTP_STEP_RCPT;
    smtp_harness_assert_formats(&r, "RCPT failed: timed out");
    r.err = SMTP_ERR_NOT_SENT;
    smtp_harness_assert_formats(&r, "not sent");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp_timeout_from_config),
        cmocka_unit_test(test_auth_login),
        cmocka_unit_test(test_auth_login_old_style),
        cmocka_unit_test(test_auth_cram_md5),
        cmocka_unit_test(test_auth_cram_md5_bad_challenge_is_quoted),
        cmocka_unit_test(test_auth_xoauth2),
        cmocka_unit_test(test_no_credentials_in_clear),
        cmocka_unit_test(test_helo_fallback),
        cmocka_unit_test(test_helo_not_when_extensions_needed),
        cmocka_unit_test(test_421_and_close),
        cmocka_unit_test(test_reader_error_and_bad_address),
        cmocka_unit_test(test_8bitmime_and_smtputf8),
        cmocka_unit_test(test_big_body_data),
        cmocka_unit_test(test_big_body_bdat),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
