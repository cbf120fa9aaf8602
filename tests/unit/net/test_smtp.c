/*
 * Unit tests for net/smtp, the sans-I/O SMTP engine. A scripted transport plays the server: each script is a
 * table of steps, S() bytes the server sends, C() bytes the client must have sent by then (exactly, in order),
 * TLS (the engine must ask for STARTTLS now) and END (the session must be over with nothing left unsent).
 * Every script runs several ways: server bytes whole and one at a time, and a transport that takes the
 * client's output whole or 7 bytes per write. Checks after a script look at the results, the round-trip
 * counter, the full transcript ("no AUTH ever written") and the debug log ("no secret ever logged").
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

#define SENT_MAX 65536
#define LOG_MAX  16384
#define T0       1000u
#define MIN_MS   60000u

enum op { OP_END, OP_SERVER, OP_CLIENT, OP_TLS };

struct step {
    enum op op;
    const char *text;
};

#define S(x)         \
    {                \
        OP_SERVER, x \
    }
#define C(x)         \
    {                \
        OP_CLIENT, x \
    }
#define TLS          \
    {                \
        OP_TLS, NULL \
    }
#define END          \
    {                \
        OP_END, NULL \
    }

struct body {
    const char *text;
    size_t len;
    size_t pos;
    size_t max_read; /* the reader hands out at most this much per call */
    bool fail;
};

struct harness {
    struct smtp_session s;
    uint32_t now;
    size_t server_piece; /* server bytes per smtp_session_input */
    size_t accept;       /* octets the transport takes per write */
    char sent[SENT_MAX]; /* client output not yet matched by a C() step */
    size_t sent_len;
    char transcript[SENT_MAX]; /* everything the client ever sent */
    size_t transcript_len;
    char log[LOG_MAX];
    size_t log_len;
};

static struct harness h;

static int body_read(void *ctx, uint8_t *buf, size_t cap)
{
    struct body *b = ctx;
    size_t n = b->len - b->pos;

    if (b->fail) {
        return -1;
    }
    if (n > cap) {
        n = cap;
    }
    if (n > b->max_read) {
        n = b->max_read;
    }
    memcpy(buf, b->text + b->pos, n);
    b->pos += n;
    return (int)n;
}

static void body_set(struct body *b, const char *text, size_t max_read)
{
    memset(b, 0, sizeof(*b));
    b->text = text;
    b->len = strlen(text);
    b->max_read = max_read;
}

static void log_line(void *ctx, const char *line)
{
    struct harness *x = ctx;
    size_t n = strlen(line);

    if (x->log_len + n + 2 < LOG_MAX) {
        memcpy(x->log + x->log_len, line, n);
        x->log_len += n;
        x->log[x->log_len++] = '\n';
        x->log[x->log_len] = '\0';
    }
}

static void drain(void)
{
    for (;;) {
        const uint8_t *p;
        size_t n = smtp_session_output(&h.s, &p);

        if (n == 0) {
            return;
        }
        if (n > h.accept) {
            n = h.accept;
        }
        assert_true(h.sent_len + n < SENT_MAX);
        assert_true(h.transcript_len + n < SENT_MAX);
        memcpy(h.sent + h.sent_len, p, n);
        h.sent_len += n;
        h.sent[h.sent_len] = '\0';
        memcpy(h.transcript + h.transcript_len, p, n);
        h.transcript_len += n;
        h.transcript[h.transcript_len] = '\0';
        smtp_session_output_done(&h.s, n, h.now);
    }
}

static void server_send(const char *text, size_t len)
{
    size_t off = 0;

    while (off < len) {
        size_t n = len - off < h.server_piece ? len - off : h.server_piece;

        smtp_session_input(&h.s, (const uint8_t *)text + off, n, h.now);
        off += n;
        drain();
    }
}

#define SEND(lit) server_send(lit, sizeof(lit) - 1)

static void expect_client(const char *text)
{
    size_t n = strlen(text);

    drain();
    if (h.sent_len < n || memcmp(h.sent, text, n) != 0) {
        fail_msg("client sent:\n---\n%s\n---\nexpected:\n---\n%s\n---", h.sent, text);
    }
    memmove(h.sent, h.sent + n, h.sent_len - n + 1);
    h.sent_len -= n;
}

static void options_base(struct smtp_options *o)
{
    memset(o, 0, sizeof(*o));
    o->ehlo_name = "client.example";
    o->tls = SMTP_TLS_IMPLICIT;
    smtp_timeouts_default(&o->timeouts);
    o->hmac_md5 = hmac_md5_ref;
    o->log = log_line;
    o->log_ctx = &h;
}

static void start(const struct smtp_options *o, struct smtp_message *msgs, unsigned count, size_t piece, size_t accept)
{
    memset(&h, 0, sizeof(h));
    h.now = T0;
    h.server_piece = piece;
    h.accept = accept;
    h.s.opt.log_ctx = &h;
    smtp_session_init(&h.s, o, msgs, count, h.now);
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_CONNECTING);
    smtp_session_connected(&h.s, h.now);
}

static void play(const struct step *steps)
{
    for (; steps->op != OP_END; steps++) {
        switch (steps->op) {
        case OP_SERVER:
            assert_int_not_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
            server_send(steps->text, strlen(steps->text));
            break;
        case OP_CLIENT: expect_client(steps->text); break;
        case OP_TLS:
            drain();
            assert_int_equal(h.sent_len, 0);
            assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_START_TLS);
            smtp_session_tls_started(&h.s, h.now);
            break;
        default: break;
        }
    }
    drain();
    if (h.sent_len != 0) {
        fail_msg("client sent more than the script expects:\n%s", h.sent);
    }
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
}

/* Runs a script with every split; `setup` fills options and messages afresh for each run. */
typedef void (*setup_fn)(struct smtp_options *o, struct smtp_message *m, unsigned *count);
typedef void (*check_fn)(struct smtp_message *m, unsigned count);

static void run_all(setup_fn setup, const struct step *steps, check_fn check, unsigned round_trips)
{
    static const size_t pieces[] = { SIZE_MAX, 1 };
    static const size_t accepts[] = { SIZE_MAX, 7 };
    size_t i, j;

    for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        for (j = 0; j < sizeof(accepts) / sizeof(accepts[0]); j++) {
            struct smtp_options o;
            static struct smtp_message m[4];
            unsigned count = 0;

            memset(m, 0, sizeof(m));
            options_base(&o);
            setup(&o, m, &count);
            start(&o, m, count, pieces[i], accepts[j]);
            play(steps);
            if (check != NULL) {
                check(m, count);
            }
            if (round_trips != 0) {
                assert_int_equal(smtp_session_stats(&h.s)->round_trips, round_trips);
            }
        }
    }
}

static void assert_formats(const struct smtp_result *r, const char *expect)
{
    char buf[600];

    smtp_result_format(r, buf, sizeof(buf));
    if (strcmp(buf, expect) != 0) {
        fail_msg("result '%s' != '%s'", buf, expect);
    }
}

/* ---- the scenarios ---- */

static const char *const one_rcpt[] = { "ops@example.com" };
static const char *const two_rcpt[] = { "ops@example.com", "nobody@example.com" };
static struct body body1, body2;
static struct smtp_reply rcpt_replies[2];

#define SIMPLE_BODY "Subject: t\r\n\r\nline1\n.hidden dot\r\nbare cr\rend"
#define SIMPLE_WIRE "Subject: t\r\n\r\nline1\r\n..hidden dot\r\nbare cr\r\nend\r\n"

static void msg_simple(struct smtp_message *m, struct body *b, const char *const *rcpt, unsigned n)
{
    body_set(b, SIMPLE_BODY, SIZE_MAX);
    m->from = "pi@example.com";
    m->rcpt = rcpt;
    m->rcpt_count = n;
    m->size = (uint32_t)strlen(SIMPLE_WIRE);
    m->read = body_read;
    m->read_ctx = b;
}

static void setup_starttls(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->tls = SMTP_TLS_STARTTLS;
    o->auth_user = "user";
    o->auth_pass = "secret";
    msg_simple(&m[0], &body1, one_rcpt, 1);
    *count = 1;
}

/* clang-format off */
static const struct step script_starttls[] = {
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
	C(SIMPLE_WIRE ".\r\nQUIT\r\n"),
	S("250 2.0.0 Ok: queued as 4F2\r\n221 2.0.0 Bye\r\n"),
	END,
};
/* clang-format on */

static void check_starttls(struct smtp_message *m, unsigned count)
{
    const struct smtp_stats *st = smtp_session_stats(&h.s);

    (void)count;
    assert_int_equal(m[0].result.err, SMTP_OK);
    assert_formats(&m[0].result, "sent: 250 2.0.0 Ok: queued as 4F2");
    assert_int_equal(smtp_session_result(&h.s)->err, SMTP_OK);
    assert_true(st->tls_active);
    assert_int_equal(st->auth_mech, SMTP_AUTH_PLAIN);
    assert_int_equal(st->bytes_sent, h.transcript_len);
    assert_int_equal(m[0].body_octets, strlen(SIMPLE_WIRE));
    assert_int_equal(m[0].rcpt_accepted, 1);
    assert_false(smtp_session_caps(&h.s)->chunking);
    /* the debug log shows the dialogue but never the secret */
    assert_non_null(strstr(h.log, "> AUTH PLAIN ********"));
    assert_null(strstr(h.log, "AHVzZXIAc2VjcmV0"));
    assert_null(strstr(h.log, "secret"));
    assert_non_null(strstr(h.log, "< 235 2.7.0 Authentication successful"));
}

static void test_starttls_session(void **state)
{
    (void)state;
    /* greeting, EHLO, STARTTLS, EHLO, AUTH, envelope, end of data + QUIT */
    run_all(setup_starttls, script_starttls, check_starttls, 7);
}

static void setup_chunking(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->auth_user = "user";
    o->auth_pass = "secret";
    body_set(&body1, ".starts with dot\nx", SIZE_MAX);
    m[0].from = "pi@example.com";
    m[0].rcpt = one_rcpt;
    m[0].rcpt_count = 1;
    m[0].size = 21;
    m[0].read = body_read;
    m[0].read_ctx = &body1;
    *count = 1;
}

/* clang-format off */
static const struct step script_chunking[] = {
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

static void check_ok(struct smtp_message *m, unsigned count)
{
    unsigned i;

    for (i = 0; i < count; i++) {
        assert_int_equal(m[i].result.err, SMTP_OK);
    }
    assert_int_equal(smtp_session_result(&h.s)->err, SMTP_OK);
}

static void test_chunking_session(void **state)
{
    (void)state;
    /* implicit TLS + PIPELINING + CHUNKING: greeting, EHLO, AUTH, everything else */
    run_all(setup_chunking, script_chunking, check_ok, 4);
}

static void setup_size(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    msg_simple(&m[0], &body1, one_rcpt, 1);
    m[0].size = 2000;
    *count = 1;
}

/* clang-format off */
static const struct step script_size[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"),
	C("QUIT\r\n"),         S("221 bye\r\n"),             END,
};
/* clang-format on */

static void check_size(struct smtp_message *m, unsigned count)
{
    (void)count;
    assert_int_equal(m[0].result.err, SMTP_ERR_SIZE);
    assert_false(m[0].result.temporary);
    assert_formats(&m[0].result, "MAIL failed: message of 2000 octets exceeds the server's limit of 1000 (SIZE)");
    assert_null(strstr(h.transcript, "MAIL"));
    assert_int_equal(body1.pos, 0);
}

static void test_size_too_big(void **state)
{
    (void)state;
    run_all(setup_size, script_size, check_size, 0);
}

static void setup_starttls_auth(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    setup_starttls(o, m, count);
}

/* clang-format off */
static const struct step script_no_starttls[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"),
	C("QUIT\r\n"),         S("221 bye\r\n"),             END,
};
/* clang-format on */

static void check_no_auth_written(struct smtp_message *m, unsigned count)
{
    (void)count;
    assert_null(strstr(h.transcript, "AUTH"));
    assert_null(strstr(h.transcript, "MAIL"));
    assert_int_not_equal(m[0].result.err, SMTP_OK);
    assert_int_equal(m[0].result.err, smtp_session_result(&h.s)->err);
}

static void check_no_starttls(struct smtp_message *m, unsigned count)
{
    check_no_auth_written(m, count);
    assert_int_equal(m[0].result.err, SMTP_ERR_NO_STARTTLS);
    assert_formats(&m[0].result, "STARTTLS failed: server does not offer STARTTLS; refusing to continue without TLS");
    assert_false(smtp_session_stats(&h.s)->tls_active);
}

static void test_starttls_not_offered(void **state)
{
    (void)state;
    run_all(setup_starttls_auth, script_no_starttls, check_no_starttls, 0);
}

/* clang-format off */
static const struct step script_starttls_refused[] = {
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
    check_no_auth_written(m, count);
    assert_true(m[0].result.temporary);
    assert_int_equal(m[0].result.step, SMTP_STEP_STARTTLS);
    assert_formats(&m[0].result, "STARTTLS failed: 454 4.7.0 TLS not available due to temporary reason "
                                 "(STARTTLS refused; refusing to continue without TLS)");
}

static void test_starttls_refused(void **state)
{
    (void)state;
    run_all(setup_starttls_auth, script_starttls_refused, check_starttls_refused, 0);
}

/* clang-format off */
static const struct step script_injection[] = {
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
    check_no_auth_written(m, count);
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
        options_base(&o);
        setup_starttls(&o, m, &count);
        start(&o, m, count, pieces[i], SIZE_MAX);
        play(script_injection);
        check_injection(m, count);
    }
}

static void test_tls_handshake_fails(void **state)
{
    static const struct step script[] = {
        S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250 STARTTLS\r\n"),
        C("STARTTLS\r\n"),     S("220 ready\r\n"),           END,
    };
    struct smtp_options o;
    static struct smtp_message m[1];
    unsigned count;
    size_t i;

    (void)state;
    memset(m, 0, sizeof(m));
    options_base(&o);
    setup_starttls(&o, m, &count);
    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    for (i = 0; script[i].op != OP_END; i++) {
        if (script[i].op == OP_SERVER) {
            server_send(script[i].text, strlen(script[i].text));
        } else {
            expect_client(script[i].text);
        }
    }
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_START_TLS);
    /* the handshake has the connect timeout */
    assert_int_equal(smtp_session_poll(&h.s, h.now), o.timeouts.connect_ms);
    smtp_session_abort(&h.s, SMTP_STEP_TLS, false, "certificate not trusted (X509 - verify failed)", h.now);
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
    drain();
    assert_int_equal(h.sent_len, 0);
    assert_formats(&m[0].result, "TLS failed: certificate not trusted (X509 - verify failed)");
    assert_null(strstr(h.transcript, "AUTH"));
}

static void setup_auth_implicit(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->auth_user = "user";
    o->auth_pass = "secret";
    msg_simple(&m[0], &body1, one_rcpt, 1);
    *count = 1;
}

/* clang-format off */
static const struct step script_535[] = {
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
    assert_formats(&m[0].result, "AUTH failed: 535 5.7.8 Username and Password not accepted. For more "
                                 "information, go to https://support.google.com/mail/?p=BadCredentials x1-2");
    assert_false(m[0].result.temporary);
    assert_int_equal(smtp_session_result(&h.s)->err, SMTP_ERR_REPLY);
    /* one AUTH, never a second mechanism with the same password */
    first = strstr(h.transcript, "AUTH");
    assert_non_null(first);
    assert_null(strstr(first + 4, "AUTH"));
}

static void test_auth_535(void **state)
{
    (void)state;
    run_all(setup_auth_implicit, script_535, check_535, 0);
}

static void setup_plain_one(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    msg_simple(&m[0], &body1, one_rcpt, 1);
    *count = 1;
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
        struct step script[] = {
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
        options_base(&o);
        setup_plain_one(&o, m, &count);
        start(&o, m, count, 1, SIZE_MAX);
        play(script);
        assert_int_equal(m[0].result.err, SMTP_ERR_REPLY);
        assert_int_equal(m[0].result.step, SMTP_STEP_RCPT);
        assert_int_equal(m[0].result.temporary, rows[r].temporary);
        assert_formats(&m[0].result, rows[r].formatted);
        assert_int_equal(body1.pos, 0);
    }
}

static void setup_two_rcpt(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    msg_simple(&m[0], &body1, two_rcpt, 2);
    m[0].rcpt_replies = rcpt_replies;
    memset(rcpt_replies, 0, sizeof(rcpt_replies));
    *count = 1;
}

/* clang-format off */
static const struct step script_two_rcpt[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n"),
	C("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\n"),
	S("250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n"
	  "354 go ahead\r\n"),
	C(SIMPLE_WIRE ".\r\nQUIT\r\n"),
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
    run_all(setup_two_rcpt, script_two_rcpt, check_two_rcpt, 4);
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
        options_base(&o);
        o.tls = SMTP_TLS_NONE;
        setup_plain_one(&o, m, &count);
        start(&o, m, count, SIZE_MAX, SIZE_MAX);
        if (rows[r].before != NULL) {
            server_send(rows[r].before, strlen(rows[r].before));
            expect_client("EHLO client.example\r\n");
        }
        server_send(rows[r].bad, strlen(rows[r].bad));
        drain();
        assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
        assert_int_equal(h.sent_len, 0);
        assert_int_equal(smtp_session_result(&h.s)->err, SMTP_ERR_PROTOCOL);
        assert_int_equal(smtp_session_result(&h.s)->step, rows[r].step);
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
    options_base(&o);
    memset(m, 0, sizeof(m));
    setup_plain_one(&o, m, &count);
    memset(&h, 0, sizeof(h));
    smtp_session_init(&h.s, &o, m, count, T0);
    assert_int_equal(smtp_session_poll(&h.s, T0 + 1000), o.timeouts.connect_ms - 1000);
    assert_int_equal(smtp_session_poll(&h.s, T0 + o.timeouts.connect_ms), 0);
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
    assert_formats(&m[0].result, "CONNECT failed: no reply within 30 s");
    assert_true(m[0].result.temporary);

    /* greeting: 5 minutes (RFC 5321 §4.5.3.2), and the clock may wrap */
    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    smtp_session_init(&h.s, &o, m, count, UINT32_MAX - 1000);
    smtp_session_connected(&h.s, UINT32_MAX - 1000);
    assert_int_equal(smtp_session_poll(&h.s, UINT32_MAX - 1000 + 5 * MIN_MS - 1), 1);
    assert_int_equal(smtp_session_poll(&h.s, UINT32_MAX - 1000 + 5 * MIN_MS), 0);
    assert_int_equal(smtp_session_result(&h.s)->step, SMTP_STEP_GREETING);
    assert_int_equal(smtp_session_result(&h.s)->err, SMTP_ERR_TIMEOUT);

    /* DATA termination waits 10 minutes, not the 3 of a data block */
    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250 mx\r\n");
    expect_client("MAIL FROM:<pi@example.com>\r\n");
    assert_int_equal(smtp_session_poll(&h.s, h.now), 5 * MIN_MS);
    SEND("250 ok\r\n");
    expect_client("RCPT TO:<ops@example.com>\r\n");
    SEND("250 ok\r\n");
    expect_client("DATA\r\n");
    assert_int_equal(smtp_session_poll(&h.s, h.now), 2 * MIN_MS);
    SEND("354 go\r\n");
    expect_client(SIMPLE_WIRE ".\r\n");
    h.now += 3 * MIN_MS;
    assert_int_equal(smtp_session_poll(&h.s, h.now), 7 * MIN_MS);
    h.now += 7 * MIN_MS;
    assert_int_equal(smtp_session_poll(&h.s, h.now), 0);
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
    assert_formats(&m[0].result, "BODY failed: no reply within 600 s");
    assert_true(m[0].result.temporary);
    drain();
    assert_int_equal(h.sent_len, 0); /* no QUIT after a timeout */
    assert_int_equal(smtp_session_poll(&h.s, h.now), SMTP_NO_DEADLINE);
}

static void setup_two_messages(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    msg_simple(&m[0], &body1, one_rcpt, 1);
    msg_simple(&m[1], &body2, two_rcpt, 1);
    m[1].from = "alerts@example.com";
    *count = 2;
}

/* clang-format off */
static const struct step script_rset[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 PIPELINING\r\n"),
	C("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n"),
	S("250 ok\r\n550 5.1.1 no\r\n554 5.5.1 no valid recipients\r\n"),
	/* the failed transaction is still open at the server: RSET, then the next envelope in the same flight */
	C("RSET\r\nMAIL FROM:<alerts@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n"),
	S("250 reset\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
	C(SIMPLE_WIRE ".\r\nQUIT\r\n"),
	S("250 queued\r\n221 bye\r\n"),
	END,
};
/* clang-format on */

static void check_rset(struct smtp_message *m, unsigned count)
{
    (void)count;
    assert_formats(&m[0].result, "RCPT failed: 550 5.1.1 no");
    assert_int_equal(m[1].result.err, SMTP_OK);
}

static void test_two_messages_rset(void **state)
{
    (void)state;
    run_all(setup_two_messages, script_rset, check_rset, 5);
}

/* clang-format off */
static const struct step script_no_pipelining[] = {
	S("220 mx ESMTP\r\n"),
	C("EHLO client.example\r\n"),
	S("250-mx\r\n250 SIZE 100000\r\n"),
	C("MAIL FROM:<pi@example.com> SIZE=49\r\n"),
	S("250 ok\r\n"),
	C("RCPT TO:<ops@example.com>\r\n"),
	S("250 ok\r\n"),
	C("DATA\r\n"),
	S("354 go\r\n"),
	C(SIMPLE_WIRE ".\r\n"),
	S("250 queued 1\r\n"),
	/* a successful transaction needs no RSET */
	C("MAIL FROM:<alerts@example.com> SIZE=49\r\n"),
	S("250 ok\r\n"),
	C("RCPT TO:<ops@example.com>\r\n"),
	S("250 ok\r\n"),
	C("DATA\r\n"),
	S("354 go\r\n"),
	C(SIMPLE_WIRE ".\r\n"),
	S("250 queued 2\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void test_two_messages_without_pipelining(void **state)
{
    (void)state;
    run_all(setup_two_messages, script_no_pipelining, check_ok, 11);
}

static void setup_login(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)m;
    o->auth_user = "user";
    o->auth_pass = "secret";
    *count = 0;
}

/* clang-format off */
static const struct step script_login[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250 AUTH LOGIN\r\n"), C("AUTH LOGIN\r\n"),
	S("334 VXNlcm5hbWU6\r\n"), C("dXNlcg==\r\n"),        S("334 UGFzc3dvcmQ6\r\n"),         C("c2VjcmV0\r\n"),
	S("235 ok\r\n"),         C("QUIT\r\n"),             S("221 bye\r\n"),                  END,
};
/* clang-format on */

static void check_login(struct smtp_message *m, unsigned count)
{
    (void)m;
    (void)count;
    assert_int_equal(smtp_session_result(&h.s)->err, SMTP_OK);
    assert_int_equal(smtp_session_stats(&h.s)->auth_mech, SMTP_AUTH_LOGIN);
    assert_null(strstr(h.log, "dXNlcg=="));
    assert_null(strstr(h.log, "c2VjcmV0"));
}

static void test_auth_login(void **state)
{
    (void)state;
    run_all(setup_login, script_login, check_login, 6);
}

static void setup_old_login(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    setup_login(o, m, count);
    o->use_old_auth = true;
}

/* clang-format off */
static const struct step script_old_login[] = {
	S("220 mx ESMTP\r\n"),     C("EHLO client.example\r\n"), S("250-mx\r\n250 AUTH=LOGIN\r\n"),
	C("AUTH LOGIN dXNlcg==\r\n"), S("334 UGFzc3dvcmQ6\r\n"),   C("c2VjcmV0\r\n"),
	S("235 ok\r\n"),           C("QUIT\r\n"),               S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void test_auth_login_old_style(void **state)
{
    (void)state;
    run_all(setup_old_login, script_old_login, check_login, 5);
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
static const struct step script_cram[] = {
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
    assert_int_equal(smtp_session_result(&h.s)->err, SMTP_OK);
    assert_null(strstr(h.log, "dGlt"));
}

static void test_auth_cram_md5(void **state)
{
    (void)state;
    run_all(setup_cram, script_cram, check_cram, 5);
}

static void setup_xoauth2(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)m;
    o->auth_user = "user";
    o->auth_token = "tok123";
    *count = 0;
}

/* clang-format off */
static const struct step script_xoauth2[] = {
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
static const struct step script_xoauth2_error[] = {
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
    assert_int_equal(smtp_session_result(&h.s)->err, SMTP_OK);
    assert_non_null(strstr(h.log, "> AUTH XOAUTH2 ********"));
    assert_null(strstr(h.log, "dXNlcj11"));
}

static void check_xoauth2_error(struct smtp_message *m, unsigned count)
{
    (void)m;
    (void)count;
    assert_formats(smtp_session_result(&h.s),
                   "AUTH failed: 535 5.7.8 Username and Password not accepted. Learn more (server said: "
                   "{\"status\":\"401\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"})");
    assert_null(strstr(h.log, "tok123"));
}

static void test_auth_xoauth2(void **state)
{
    (void)state;
    run_all(setup_xoauth2, script_xoauth2, check_xoauth2, 4);
    run_all(setup_xoauth2, script_xoauth2_error, check_xoauth2_error, 5);
}

static void setup_cleartext(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    setup_auth_implicit(o, m, count);
    o->tls = SMTP_TLS_NONE;
}

/* clang-format off */
static const struct step script_cleartext[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"), S("250-mx\r\n250 AUTH PLAIN\r\n"),
	C("QUIT\r\n"),         S("221 bye\r\n"),             END,
};
/* clang-format on */

static void check_cleartext(struct smtp_message *m, unsigned count)
{
    check_no_auth_written(m, count);
    assert_int_equal(m[0].result.err, SMTP_ERR_CLEARTEXT_AUTH);
    assert_formats(&m[0].result, "AUTH failed: refusing to send credentials without TLS: set UseSTARTTLS=YES (port "
                                 "587) or UseTLS=YES (port 465)");
    assert_null(strstr(h.transcript, "c2VjcmV0")); /* base64 "secret" */
}

/* Every mechanism is refused in clear, CRAM-MD5 (which hides the password but not from an offline guess) and
 * XOAUTH2 (whose token is a bearer secret) too. */
static void setup_cleartext_token(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    setup_cleartext(o, m, count);
    o->auth_token = "tok123";
}

/* clang-format off */
static const struct step script_cleartext_all[] = {
	S("220 mx ESMTP\r\n"), C("EHLO client.example\r\n"),
	S("250-mx\r\n250-AUTH CRAM-MD5 XOAUTH2\r\n250 AUTH=PLAIN LOGIN\r\n"), C("QUIT\r\n"), S("221 bye\r\n"), END,
};
/* clang-format on */

static void check_cleartext_token(struct smtp_message *m, unsigned count)
{
    check_cleartext(m, count);
    assert_null(strstr(h.transcript, "tok123"));
    assert_int_equal(smtp_session_stats(&h.s)->auth_mech, 0);
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
    assert_int_equal(smtp_session_stats(&h.s)->auth_mech, SMTP_AUTH_CRAM_MD5);
}

static void test_no_credentials_in_clear(void **state)
{
    (void)state;
    run_all(setup_cleartext, script_cleartext, check_cleartext, 0);
    run_all(setup_cleartext_token, script_cleartext_all, check_cleartext_token, 0);
    run_all(setup_cleartext_allowed, script_cram, check_cleartext_allowed, 0);
}

static void setup_helo(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->tls = SMTP_TLS_NONE;
    msg_simple(&m[0], &body1, one_rcpt, 1);
    *count = 1;
}

/* clang-format off */
static const struct step script_helo[] = {
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
	C(SIMPLE_WIRE ".\r\n"),
	S("250 ok\r\n"),
	C("QUIT\r\n"),
	S("221 bye\r\n"),
	END,
};
/* clang-format on */

static void test_helo_fallback(void **state)
{
    (void)state;
    run_all(setup_helo, script_helo, check_ok, 0);
}

/* clang-format off */
static const struct step script_helo_refused[] = {
	S("220 old.example SMTP\r\n"), C("EHLO client.example\r\n"), S("500 what?\r\n"), C("QUIT\r\n"),
	S("221 bye\r\n"),              END,
};
/* clang-format on */

static void check_helo_refused(struct smtp_message *m, unsigned count)
{
    check_no_auth_written(m, count);
    assert_int_equal(m[0].result.err, SMTP_ERR_NO_EXTENSIONS);
    assert_formats(&m[0].result, "EHLO failed: 500 what? (server does not speak ESMTP, which this session needs)");
}

static void test_helo_not_when_extensions_needed(void **state)
{
    (void)state;
    run_all(setup_starttls_auth, script_helo_refused, check_helo_refused, 0);
}

static void test_421_and_close(void **state)
{
    struct smtp_options o;
    static struct smtp_message m[1];
    unsigned count;

    (void)state;
    options_base(&o);
    memset(m, 0, sizeof(m));
    setup_plain_one(&o, m, &count);
    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("421 4.3.2 Service shutting down\r\n");
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
    assert_formats(&m[0].result, "EHLO failed: 421 4.3.2 Service shutting down");
    assert_true(m[0].result.temporary);

    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 PIPELINING\r\n");
    expect_client("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n");
    smtp_session_closed(&h.s, h.now);
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
    assert_formats(&m[0].result, "MAIL failed: connection closed by the server");
    assert_true(m[0].result.temporary);
}

static void test_reader_error_and_bad_address(void **state)
{
    struct smtp_options o;
    static struct smtp_message m[1];
    static const char *const evil[] = { "ops@example.com>\r\nRCPT TO:<victim@example.com" };
    unsigned count;

    (void)state;
    options_base(&o);
    memset(m, 0, sizeof(m));
    setup_plain_one(&o, m, &count);
    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 CHUNKING\r\n");
    expect_client("MAIL FROM:<pi@example.com>\r\n");
    SEND("250 ok\r\n");
    expect_client("RCPT TO:<ops@example.com>\r\n");
    body1.fail = true;
    SEND("250 ok\r\n");
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
    assert_formats(&m[0].result, "BODY failed: message reader failed");
    assert_int_equal(h.sent_len, 0);

    memset(m, 0, sizeof(m));
    setup_plain_one(&o, m, &count);
    m[0].rcpt = evil;
    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250 PIPELINING\r\n");
    expect_client("QUIT\r\n");
    assert_formats(&m[0].result, "MAIL failed: unusable recipient address #1");
    assert_null(strstr(h.transcript, "victim"));
}

static void test_8bitmime_and_smtputf8(void **state)
{
    struct smtp_options o;
    static struct smtp_message m[2];
    static const char *const utf8_rcpt[] = { "j\xc3\xb6rg@example.com" };
    unsigned count;

    (void)state;
    options_base(&o);
    memset(m, 0, sizeof(m));
    msg_simple(&m[0], &body1, one_rcpt, 1);
    m[0].needs_8bitmime = true;
    m[0].size = 0;
    msg_simple(&m[1], &body2, utf8_rcpt, 1);
    m[1].size = 0;
    count = 2;
    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250-PIPELINING\r\n250-SIZE 100000\r\n250 8BITMIME\r\n");
    /* the second message needs SMTPUTF8, which is not offered: refused before MAIL */
    expect_client("MAIL FROM:<pi@example.com> BODY=8BITMIME\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n");
    SEND("250 ok\r\n250 ok\r\n354 go\r\n");
    expect_client(SIMPLE_WIRE ".\r\n");
    SEND("250 ok\r\n");
    expect_client("QUIT\r\n");
    assert_int_equal(m[0].result.err, SMTP_OK);
    assert_formats(&m[1].result, "MAIL failed: message needs SMTPUTF8, which the server does not offer");

    start(&o, m, count, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250 mx\r\n");
    expect_client("QUIT\r\n");
    assert_formats(&m[0].result, "MAIL failed: message needs 8BITMIME, which the server does not offer");

    m[0].needs_8bitmime = false;
    start(&o, &m[1], 1, SIZE_MAX, SIZE_MAX);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 SMTPUTF8\r\n");
    expect_client("MAIL FROM:<pi@example.com> SMTPUTF8\r\n");
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
    options_base(&o);
    memset(m, 0, sizeof(m));
    msg_simple(&m[0], &body1, one_rcpt, 1);
    body_set(&body1, text, 1);
    m[0].size = 0;
    start(&o, m, 1, SIZE_MAX, 100);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250 PIPELINING\r\n");
    expect_client("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n");
    SEND("250 ok\r\n250 ok\r\n354 go\r\n");
    snprintf(expect, sizeof(expect), "%s.\r\nQUIT\r\n", wire);
    expect_client(expect);
    SEND("250 ok\r\n221 bye\r\n");
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
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
    options_base(&o);
    memset(m, 0, sizeof(m));
    msg_simple(&m[0], &body1, one_rcpt, 1);
    body_set(&body1, text, 3);
    start(&o, m, 1, SIZE_MAX, 100);
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    SEND("250-mx\r\n250-CHUNKING\r\n250 PIPELINING\r\n");
    expect_client("MAIL FROM:<pi@example.com>\r\nRCPT TO:<ops@example.com>\r\n");
    SEND("250 ok\r\n250 ok\r\n");
    while (!last) {
        unsigned long n;
        int used = 0;

        drain();
        if (off == h.sent_len) {
            /* The engine stopped because its pipeline is full: answer the chunks so far. */
            assert_true(answered < chunks);
            while (answered < chunks) {
                SEND("250 chunk ok\r\n");
                answered++;
            }
            continue;
        }
        if (sscanf(h.sent + off, "BDAT %lu%n", &n, &used) != 1) {
            fail_msg("no BDAT at %zu: %.60s", off, h.sent + off);
        }
        off += (size_t)used;
        if (strncmp(h.sent + off, " LAST", 5) == 0) {
            last = true;
            off += 5;
        }
        assert_memory_equal(h.sent + off, "\r\n", 2);
        off += 2;
        assert_true(off + n <= h.sent_len);
        memcpy(joined + joined_len, h.sent + off, n);
        joined_len += n;
        off += n;
        chunks++;
    }
    assert_string_equal(h.sent + off, "QUIT\r\n");
    joined[joined_len] = '\0';
    assert_string_equal(joined, wire);
    assert_true(chunks >= 3);
    while (++answered < chunks) {
        SEND("250 chunk ok\r\n");
    }
    SEND("250 2.0.0 queued\r\n221 bye\r\n");
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_DONE);
    assert_formats(&m[0].result, "sent: 250 2.0.0 queued");
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
    o.timeouts.data_end_ms = 10 * MIN_MS;
    o.log = log_line;
    o.log_ctx = &h;
    msg_simple(&m[0], &body1, one_rcpt, 1);
    start(&o, m, 1, SIZE_MAX, SIZE_MAX);
    assert_int_equal(smtp_session_poll(&h.s, h.now), 30000); /* greeting */
    SEND("220 mx\r\n");
    expect_client("EHLO client.example\r\n");
    assert_int_equal(smtp_session_poll(&h.s, h.now), 30000);
    SEND("250 mx\r\n");
    expect_client("MAIL FROM:<pi@example.com>\r\n");
    assert_int_equal(smtp_session_poll(&h.s, h.now), 30000);
    SEND("250 ok\r\n");
    expect_client("RCPT TO:<ops@example.com>\r\n");
    SEND("250 ok\r\n");
    expect_client("DATA\r\n");
    assert_int_equal(smtp_session_poll(&h.s, h.now), 30000);
    SEND("354 go\r\n");
    expect_client(SIMPLE_WIRE ".\r\n");
    h.now += 30000;
    assert_int_equal(smtp_session_poll(&h.s, h.now), 10 * MIN_MS - 30000);
    assert_int_equal(smtp_session_status(&h.s), SMTP_STATUS_RUNNING);
    h.now += 10 * MIN_MS - 30000;
    assert_int_equal(smtp_session_poll(&h.s, h.now), 0);
    assert_formats(&m[0].result, "BODY failed: no reply within 600 s");
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
    assert_formats(&r, "RCPT failed: timed out");
    r.err = SMTP_ERR_NOT_SENT;
    assert_formats(&r, "not sent");
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
        cmocka_unit_test(test_smtp_timeout_from_config),
        cmocka_unit_test(test_two_messages_rset),
        cmocka_unit_test(test_two_messages_without_pipelining),
        cmocka_unit_test(test_auth_login),
        cmocka_unit_test(test_auth_login_old_style),
        cmocka_unit_test(test_auth_cram_md5),
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
