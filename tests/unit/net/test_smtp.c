/*
 * Unit tests for net/smtp, the sans-I/O SMTP engine: STARTTLS, CHUNKING and SIZE, AUTH refused, recipients
 * refused, garbage and long lines, timeouts, and two messages with and without PIPELINING. A scripted transport
 * (smtp_harness.h) plays the server: each script is a table of steps, S() bytes the server sends, C() bytes the
 * client must have sent by then (exactly, in order), TLS (the engine must ask for STARTTLS now) and END (the session
 * must be over with nothing left unsent). Every script runs several ways: server bytes whole and one at a time, and
 * a transport that takes the client's output whole or 7 bytes per write. Checks after a script look at the results,
 * the round-trip counter, the full transcript ("no AUTH ever written") and the debug log ("no secret ever logged").
 * The AUTH mechanisms, cleartext refusal, HELO, 421, readers, 8BITMIME and big bodies are in test_smtp_session.c.
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

/* ---- the scenarios ---- */

static const char *const two_rcpt[] = { "ops@example.com", "nobody@example.com" };
static struct smtp_reply rcpt_replies[2];

/* clang-format off */
static const struct smtp_harness_step script_starttls[] = {
	S("220 mx.example.com ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	/* Before TLS the server claims CHUNKING; after TLS it does not: the client must use DATA. */
	S("250-mx.example.com\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"),
	C("STARTTLS\r\n"),
	S("220 2.0.0 Ready to start TLS\r\n"),
	TLS,
	C("EHLO client.example\r\n"),
	S("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n"
	  "250-8BITMIME\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"),
	C("AUTH PLAIN AHVzZXIAc2VjcmV0\r\n"),
	S("235 2.7.0 Authentication successful\r\n"),
	C("MAIL FROM:<pi@example.com> SIZE=49\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n"),
	S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"),
	C(SMTP_HARNESS_SIMPLE_WIRE ".\r\nQUIT\r\n"),
	S("250 2.0.0 Ok: queued as 4F2\r\n221 2.0.0 Bye\r\n"),
	END,
};
/* clang-format on */

static void check_starttls(struct smtp_message *m, unsigned count)
{
    const struct smtp_stats *st = smtp_session_stats(&smtp_harness.s);

    (void)count;
    assert_int_equal(m[0].result.err, SMTP_OK);
    smtp_harness_assert_formats(&m[0].result, "sent: 250 2.0.0 Ok: queued as 4F2");
    assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_OK);
    assert_true(st->tls_active);
    assert_int_equal(st->auth_mech, SMTP_AUTH_PLAIN);
    assert_int_equal(st->bytes_sent, smtp_harness.transcript_len);
    assert_int_equal(m[0].body_octets, strlen(SMTP_HARNESS_SIMPLE_WIRE));
    assert_int_equal(m[0].rcpt_accepted, 1);
    assert_false(smtp_session_caps(&smtp_harness.s)->chunking);
    /* the debug log shows the dialogue but never the secret */
    assert_non_null(strstr(smtp_harness.log, "> AUTH PLAIN ********"));
    assert_null(strstr(smtp_harness.log, "AHVzZXIAc2VjcmV0"));
    assert_null(strstr(smtp_harness.log, "secret"));
    assert_non_null(strstr(smtp_harness.log, "< 235 2.7.0 Authentication successful"));
}

static void test_starttls_session(void **state)
{
    (void)state;
    /* greeting, EHLO, STARTTLS, EHLO, AUTH, envelope, end of data + QUIT */
    smtp_harness_run_all(smtp_harness_setup_starttls, script_starttls, check_starttls, 7);
}

static void setup_chunking(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->auth_user = "user";
    o->auth_pass = "secret";
    smtp_harness_body_set(&smtp_harness_body1, ".starts with dot\nx", SIZE_MAX);
    m[0].from = "pi@example.com";
    m[0].rcpt = smtp_harness_one_rcpt;
    m[0].rcpt_count = 1;
    m[0].size = 21;
    m[0].read = smtp_harness_body_read;
    m[0].read_ctx = &smtp_harness_body1;
    *count = 1;
}

/* clang-format off */
static const struct smtp_harness_step script_chunking[] = {
	S("220 mx.example.com ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx.example.com\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-SIZE\r\n250 AUTH=PLAIN\r\n"),
	C("AUTH PLAIN AHVzZXIAc2VjcmV0\r\n"),
	S("235 ok\r\n"),
	/* no dot-stuffing with BDAT; the whole transaction and QUIT in one flight */
	C("MAIL FROM:<pi@example.com> SIZE=21\r\nRCPT TO:<ops@example.com>\r\nBDAT 21 LAST\r\n"
	  ".starts with dot\r\nx\r\nQUIT\r\n"),
	S("250 ok\r\n250 ok\r\n250 2.0.0 queued\r\n221 bye\r\n"),
	END,
};
/* clang-format on */

static void test_chunking_session(void **state)
{
    (void)state;
    /* implicit TLS + PIPELINING + CHUNKING: greeting, EHLO, AUTH, everything else */
    smtp_harness_run_all(setup_chunking, script_chunking, smtp_harness_check_ok, 4);
}

static void setup_size(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    m[0].size = 2000;
    *count = 1;
}

/* clang-format off */
static const struct smtp_harness_step script_size[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"),
	C("QUIT\r\n"),         S("221 bye\r\n"),             END,
};
/* clang-format on */

static void check_size(struct smtp_message *m, unsigned count)
{
    (void)count;
    assert_int_equal(m[0].result.err, SMTP_ERR_SIZE);
    assert_false(m[0].result.temporary);
    smtp_harness_assert_formats(&m[0].result,
                                "MAIL failed: message of 2000 octets exceeds the server's limit of 1000 (SIZE)");
    assert_null(strstr(smtp_harness.transcript, "MAIL"));
    assert_int_equal(smtp_harness_body1.pos, 0);
}

static void test_size_too_big(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_size, script_size, check_size, 0);
}

/* clang-format off */
static const struct smtp_harness_step script_no_starttls[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"),
	C("QUIT\r\n"),         S("221 bye\r\n"),             END,
};
/* clang-format on */

static void check_no_starttls(struct smtp_message *m, unsigned count)
{
    smtp_harness_check_no_auth_written(m, count);
    assert_int_equal(m[0].result.err, SMTP_ERR_NO_STARTTLS);
    smtp_harness_assert_formats(&m[0].result,
                                "STARTTLS failed: server does not offer STARTTLS; refusing to continue without TLS");
    assert_false(smtp_session_stats(&smtp_harness.s)->tls_active);
}

static void test_starttls_not_offered(void **state)
{
    (void)state;
    smtp_harness_run_all(smtp_harness_setup_starttls_auth, script_no_starttls, check_no_starttls, 0);
}

/* clang-format off */
static const struct smtp_harness_step script_starttls_refused[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"),
	C("STARTTLS\r\n"),
	S("454 4.7.0 TLS not available due to temporary reason\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void check_starttls_refused(struct smtp_message *m, unsigned count)
{
    smtp_harness_check_no_auth_written(m, count);
    assert_true(m[0].result.temporary);
    assert_int_equal(m[0].result.step, SMTP_STEP_STARTTLS);
    smtp_harness_assert_formats(&m[0].result, "STARTTLS failed: 454 4.7.0 TLS not available due to temporary reason "
                                              "(STARTTLS refused; refusing to continue without TLS)");
}

static void test_starttls_refused(void **state)
{
    (void)state;
    smtp_harness_run_all(smtp_harness_setup_starttls_auth, script_starttls_refused, check_starttls_refused, 0);
}

/* clang-format off */
static const struct smtp_harness_step script_injection[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"),
	C("STARTTLS\r\n"),
	/* plaintext after the 220 that a naive client would read as the first reply under TLS */
	S("220 go ahead\r\n250-mx\r\n250 AUTH PLAIN\r\n"),
	END,
};
/* clang-format on */

static void check_injection(struct smtp_message *m, unsigned count)
{
    smtp_harness_check_no_auth_written(m, count);
    assert_int_equal(m[0].result.err, SMTP_ERR_PROTOCOL);
    assert_int_equal(m[0].result.step, SMTP_STEP_STARTTLS);
}

static void test_starttls_injection(void **state)
{
    static const size_t pieces[] = { SIZE_MAX, 1 };
    size_t i;

    (void)state;
    /* whole: the bytes arrive with the 220; one at a time: they arrive while the engine waits for TLS */
    for (i = 0; i < 2; i++) {
        struct smtp_options o;
        static struct smtp_message m[1];
        unsigned count;

        memset(m, 0, sizeof(m));
        smtp_harness_options_base(&o);
        smtp_harness_setup_starttls(&o, m, &count);
        smtp_harness_start(&o, m, count, pieces[i], SIZE_MAX);
        smtp_harness_play(script_injection);
        check_injection(m, count);
    }
}

static void test_tls_handshake_fails(void **state)
{
    static const struct smtp_harness_step script[] = {
        S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250 STARTTLS\r\n"),
        C("STARTTLS\r\n"),     S("220 ready\r\n"),           END,
    };
    struct smtp_options o;
    static struct smtp_message m[1];
    unsigned count;
    size_t i;

    (void)state;
    memset(m, 0, sizeof(m));
    smtp_harness_options_base(&o);
    smtp_harness_setup_starttls(&o, m, &count);
    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    for (i = 0; script[i].op != SMTP_HARNESS_OP_END; i++) {
        if (script[i].op == SMTP_HARNESS_OP_SERVER) {
            smtp_harness_server_send(script[i].text, strlen(script[i].text));
        } else {
            smtp_harness_expect_client(script[i].text);
        }
    }
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_START_TLS);
    /* the handshake has the connect timeout */
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), o.timeouts.connect_ms);
    smtp_session_abort(&smtp_harness.s, SMTP_STEP_TLS, false, "certificate not trusted (X509 - verify failed)",
                       smtp_harness.now);
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    smtp_harness_drain();
    assert_int_equal(smtp_harness.sent_len, 0);
    smtp_harness_assert_formats(&m[0].result, "TLS failed: certificate not trusted (X509 - verify failed)");
    assert_null(strstr(smtp_harness.transcript, "AUTH"));
}

/* clang-format off */
static const struct smtp_harness_step script_535[] = {
	S("220 smtp.gmail.com ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-smtp.gmail.com at your service\r\n250-AUTH LOGIN PLAIN XOAUTH2\r\n250-ENHANCEDSTATUSCODES\r\n"
	  "250 PIPELINING\r\n"),
	C("AUTH PLAIN AHVzZXIAc2VjcmV0\r\n"),
	S("535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
	  "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1-2\r\n"),
	C("QUIT\r\n"),
	S("221 2.0.0 closing connection\r\n"),
	END,
};
/* clang-format on */

static void check_535(struct smtp_message *m, unsigned count)
{
    const char *first;

    (void)count;
    smtp_harness_assert_formats(&m[0].result,
                                "AUTH failed: 535 5.7.8 Username and Password not accepted. For more "
                                "information, go to https://support.google.com/mail/?p=BadCredentials x1-2");
    assert_false(m[0].result.temporary);
    assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_ERR_REPLY);
    /* one AUTH, never a second mechanism with the same password */
    first = strstr(smtp_harness.transcript, "AUTH");
    assert_non_null(first);
    assert_null(strstr(first + 4, "AUTH"));
}

static void test_auth_535(void **state)
{
    (void)state;
    smtp_harness_run_all(smtp_harness_setup_auth_implicit, script_535, check_535, 0);
}

static const char *rcpt_reject_line;
static bool rcpt_reject_temporary;
static char rcpt_script_reply[128];

static void test_rcpt_temporary_and_permanent(void **state)
{
    static const struct {
        const char *reply;
        bool temporary;
        const char *formatted;
    } rows[] = {
        { "450 4.2.0 mailbox busy\r\n", true, "RCPT failed: 450 4.2.0 mailbox busy" },
        { "550 5.1.1 no such user\r\n", false, "RCPT failed: 550 5.1.1 no such user" },
    };
    size_t r;

    (void)state;
    for (r = 0; r < 2; r++) {
        struct smtp_harness_step script[] = {
            S("220 mx ESMTP\r\n"),
            C("EHLO client.example\r\n"),
            S("250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
            C("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n"),
            S(NULL),
            C("QUIT\r\n"),
            S("221 bye\r\n"),
            END,
        };
        struct smtp_options o;
        static struct smtp_message m[1];
        unsigned count;

        snprintf(rcpt_script_reply, sizeof(rcpt_script_reply), "250 ok\r\n%s554 5.5.1 no valid recipients\r\n",
                 rows[r].reply);
        script[4].text = rcpt_script_reply;
        rcpt_reject_line = rows[r].reply;
        rcpt_reject_temporary = rows[r].temporary;
        memset(m, 0, sizeof(m));
        smtp_harness_options_base(&o);
        smtp_harness_setup_plain_one(&o, m, &count);
        smtp_harness_start(&o, m, count, 1, SIZE_MAX);
        smtp_harness_play(script);
        assert_int_equal(m[0].result.err, SMTP_ERR_REPLY);
        assert_int_equal(m[0].result.step, SMTP_STEP_RCPT);
        assert_int_equal(m[0].result.temporary, rows[r].temporary);
        smtp_harness_assert_formats(&m[0].result, rows[r].formatted);
        assert_int_equal(smtp_harness_body1.pos, 0);
    }
}

static void setup_two_rcpt(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, two_rcpt, 2);
    m[0].rcpt_replies = rcpt_replies;
    memset(rcpt_replies, 0, sizeof(rcpt_replies));
    *count = 1;
}

/* clang-format off */
static const struct smtp_harness_step script_two_rcpt[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n"),
	C("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\n"),
	S("250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n"
	  "354 go ahead\r\n"),
	C(SMTP_HARNESS_SIMPLE_WIRE ".\r\nQUIT\r\n"),
	S("250 2.0.0 queued\r\n221 bye\r\n"),
	END,
};
/* clang-format on */

static void check_two_rcpt(struct smtp_message *m, unsigned count)
{
    char buf[200];

    (void)count;
    assert_int_equal(m[0].result.err, SMTP_OK);
    assert_int_equal(m[0].rcpt_accepted, 1);
    assert_int_equal(rcpt_replies[0].code, 250);
    assert_int_equal(rcpt_replies[1].code, 550);
    smtp_reply_format(&rcpt_replies[1], buf, sizeof(buf));
    assert_string_equal(buf, "550 5.1.1 <nobody@example.com>: Recipient address rejected");
}

static void test_one_of_two_rcpt_rejected(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_two_rcpt, script_two_rcpt, check_two_rcpt, 4);
}

/* Bad server data ends the session at once, without QUIT, with a protocol error naming the step. */
static void test_garbage_and_long_lines(void **state)
{
    static char long_line[SMTP_REPLY_LINE_MAX + 16];
    const struct {
        const char *before; /* a good exchange first, or NULL */
        const char *bad;
        enum smtp_step step;
    } rows[] = {
        { NULL, "hello there\r\n", SMTP_STEP_GREETING },
        { NULL, "\x16\x03\x01\x02\x05\r\n", SMTP_STEP_GREETING },
        { "220 mx\r\n", "250-mx\r\n251 PIPELINING\r\n", SMTP_STEP_EHLO },
        { NULL, long_line, SMTP_STEP_GREETING },
    };
    size_t r;

    (void)state;
    memset(long_line, 'x', sizeof(long_line) - 1);
    memcpy(long_line, "220 ", 4);
    memcpy(long_line + sizeof(long_line) - 3, "\r\n", 3);
    for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        struct smtp_options o;
        static struct smtp_message m[1];
        unsigned count;

        memset(m, 0, sizeof(m));
        smtp_harness_options_base(&o);
        o.tls = SMTP_TLS_NONE;
        smtp_harness_setup_plain_one(&o, m, &count);
        smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
        if (rows[r].before != NULL) {
            smtp_harness_server_send(rows[r].before, strlen(rows[r].before));
            smtp_harness_expect_client("EHLO client.example\r\n");
        }
        smtp_harness_server_send(rows[r].bad, strlen(rows[r].bad));
        smtp_harness_drain();
        assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
        assert_int_equal(smtp_harness.sent_len, 0);
        assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_ERR_PROTOCOL);
        assert_int_equal(smtp_session_result(&smtp_harness.s)->step, rows[r].step);
        assert_int_not_equal(m[0].result.err, SMTP_OK);
    }
}

static void test_timeouts(void **state)
{
    struct smtp_options o;
    static struct smtp_message m[1];
    unsigned count;

    (void)state;
    /* connect */
    smtp_harness_options_base(&o);
    memset(m, 0, sizeof(m));
    smtp_harness_setup_plain_one(&o, m, &count);
    memset(&smtp_harness, 0, sizeof(smtp_harness));
    smtp_session_init(&smtp_harness.s, &o, m, count, SMTP_HARNESS_T0);
    assert_int_equal(smtp_session_poll(&smtp_harness.s, SMTP_HARNESS_T0 + 1000), o.timeouts.connect_ms - 1000);
    assert_int_equal(smtp_session_poll(&smtp_harness.s, SMTP_HARNESS_T0 + o.timeouts.connect_ms), 0);
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    smtp_harness_assert_formats(&m[0].result, "CONNECT failed: no reply within 30 s");
    assert_true(m[0].result.temporary);

    /* greeting: 5 minutes (RFC 5321 §4.5.3.2), and the clock may wrap */
    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    smtp_session_init(&smtp_harness.s, &o, m, count, UINT32_MAX - 1000);
    smtp_session_connected(&smtp_harness.s, UINT32_MAX - 1000);
    assert_int_equal(smtp_session_poll(&smtp_harness.s, UINT32_MAX - 1000 + 5 * SMTP_HARNESS_MIN_MS - 1), 1);
    assert_int_equal(smtp_session_poll(&smtp_harness.s, UINT32_MAX - 1000 + 5 * SMTP_HARNESS_MIN_MS), 0);
    assert_int_equal(smtp_session_result(&smtp_harness.s)->step, SMTP_STEP_GREETING);
    assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_ERR_TIMEOUT);

    /* DATA termination waits 10 minutes, not the 3 of a data block */
    smtp_harness_start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    smtp_harness_expect_client("EHLO client.example\r\n");
    SEND("250 mx\r\n");
    smtp_harness_expect_client("MAIL FROM:<pi@example.com>\r\n");
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 5 * SMTP_HARNESS_MIN_MS);
    SEND("250 ok\r\n");
    smtp_harness_expect_client("RCPT TO:<ops@example.com>\r\n");
    SEND("250 ok\r\n");
    smtp_harness_expect_client("DATA\r\n");
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 2 * SMTP_HARNESS_MIN_MS);
    SEND("354 go\r\n");
    smtp_harness_expect_client(SMTP_HARNESS_SIMPLE_WIRE ".\r\n");
    smtp_harness.now += 3 * SMTP_HARNESS_MIN_MS;
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 7 * SMTP_HARNESS_MIN_MS);
    smtp_harness.now += 7 * SMTP_HARNESS_MIN_MS;
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), 0);
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
    smtp_harness_assert_formats(&m[0].result, "BODY failed: no reply within 600 s");
    assert_true(m[0].result.temporary);
    smtp_harness_drain();
    assert_int_equal(smtp_harness.sent_len, 0); /* no QUIT after a timeout */
    assert_int_equal(smtp_session_poll(&smtp_harness.s, smtp_harness.now), SMTP_NO_DEADLINE);
}

static void setup_two_messages(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    smtp_harness_msg_simple(&m[1], &smtp_harness_body2, two_rcpt, 1);
    m[1].from = "alerts@example.com";
    *count = 2;
}

/* clang-format off */
static const struct smtp_harness_step script_rset[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 PIPELINING\r\n"),
	C("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n"),
	S("250 ok\r\n550 5.1.1 no\r\n554 5.5.1 no valid recipients\r\n"),
	/* the failed transaction is still open at the server: RSET, then the next envelope in the same flight */
	C("RSET\r\nMAIL FROM:<alerts@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n"),
	S("250 reset\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
	C(SMTP_HARNESS_SIMPLE_WIRE ".\r\nQUIT\r\n"),
	S("250 queued\r\n221 bye\r\n"),
	END,
};
/* clang-format on */

static void check_rset(struct smtp_message *m, unsigned count)
{
    (void)count;
    smtp_harness_assert_formats(&m[0].result, "RCPT failed: 550 5.1.1 no");
    assert_int_equal(m[1].result.err, SMTP_OK);
}

static void test_two_messages_rset(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_two_messages, script_rset, check_rset, 5);
}

/* clang-format off */
static const struct smtp_harness_step script_no_pipelining[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 SIZE 100000\r\n"),
	C("MAIL FROM:<pi@example.com> SIZE=49\r\n"),
	S("250 ok\r\n"),
	C("RCPT TO:<ops@example.com>\r\n"),
	S("250 ok\r\n"),
	C("DATA\r\n"),
	S("354 go\r\n"),
	C(SMTP_HARNESS_SIMPLE_WIRE ".\r\n"),
	S("250 queued 1\r\n"),
	/* a successful transaction needs no RSET */
	C("MAIL FROM:<alerts@example.com> SIZE=49\r\n"),
	S("250 ok\r\n"),
	C("RCPT TO:<ops@example.com>\r\n"),
	S("250 ok\r\n"),
	C("DATA\r\n"),
	S("354 go\r\n"),
	C(SMTP_HARNESS_SIMPLE_WIRE ".\r\n"),
	S("250 queued 2\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void test_two_messages_without_pipelining(void **state)
{
    (void)state;
    smtp_harness_run_all(setup_two_messages, script_no_pipelining, smtp_harness_check_ok, 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starttls_session),
        cmocka_unit_test(test_chunking_session),
        cmocka_unit_test(test_size_too_big),
        cmocka_unit_test(test_starttls_not_offered),
        cmocka_unit_test(test_starttls_refused),
        cmocka_unit_test(test_starttls_injection),
        cmocka_unit_test(test_tls_handshake_fails),
        cmocka_unit_test(test_auth_535),
        cmocka_unit_test(test_rcpt_temporary_and_permanent),
        cmocka_unit_test(test_one_of_two_rcpt_rejected),
        cmocka_unit_test(test_garbage_and_long_lines),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_two_messages_rset),
        cmocka_unit_test(test_two_messages_without_pipelining),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
