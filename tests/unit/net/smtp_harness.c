/*
 * smtp_harness.c - the scripted transport and the common scenario pieces of test_smtp and test_smtp_session
 * (smtp_harness.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hmac_md5_ref.h"
#include "smtp_harness.h"

struct smtp_harness smtp_harness;

const char *const smtp_harness_one_rcpt[1] = { "ops@example.com" };
struct smtp_harness_body smtp_harness_body1, smtp_harness_body2;

int smtp_harness_body_read(void *ctx, uint8_t *buf, size_t cap)
{
    struct smtp_harness_body *b = ctx;
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

void smtp_harness_body_set(struct smtp_harness_body *b, const char *text, size_t max_read)
{
    memset(b, 0, sizeof(*b));
    b->text = text;
    b->len = strlen(text);
    b->max_read = max_read;
}

void smtp_harness_log_line(void *ctx, const char *line)
{
    struct smtp_harness *x = ctx;
    size_t n = strlen(line);

    if (x->log_len + n + 2 < SMTP_HARNESS_LOG_MAX) {
        memcpy(x->log + x->log_len, line, n);
        x->log_len += n;
        x->log[x->log_len++] = '\n';
        x->log[x->log_len] = '\0';
    }
}

void smtp_harness_drain(void)
{
    for (;;) {
        const uint8_t *p;
        size_t n = smtp_session_output(&smtp_harness.s, &p);

        if (n == 0) {
            return;
        }
        if (n > smtp_harness.accept) {
            n = smtp_harness.accept;
        }
        assert_true(smtp_harness.sent_len + n < SMTP_HARNESS_SENT_MAX);
        assert_true(smtp_harness.transcript_len + n < SMTP_HARNESS_SENT_MAX);
        memcpy(smtp_harness.sent + smtp_harness.sent_len, p, n);
        smtp_harness.sent_len += n;
        smtp_harness.sent[smtp_harness.sent_len] = '\0';
        memcpy(smtp_harness.transcript + smtp_harness.transcript_len, p, n);
        smtp_harness.transcript_len += n;
        smtp_harness.transcript[smtp_harness.transcript_len] = '\0';
        smtp_session_output_done(&smtp_harness.s, n, smtp_harness.now);
    }
}

void smtp_harness_server_send(const char *text, size_t len)
{
    size_t off = 0;

    while (off < len) {
        size_t n = len - off < smtp_harness.server_piece ? len - off : smtp_harness.server_piece;

        smtp_session_input(&smtp_harness.s, (const uint8_t *)text + off, n, smtp_harness.now);
        off += n;
        smtp_harness_drain();
    }
}

void smtp_harness_expect_client(const char *text)
{
    size_t n = strlen(text);

    smtp_harness_drain();
    if (smtp_harness.sent_len < n || memcmp(smtp_harness.sent, text, n) != 0) {
        fail_msg("client sent:\n---\n%s\n---\nexpected:\n---\n%s\n---", smtp_harness.sent, text);
    }
    memmove(smtp_harness.sent, smtp_harness.sent + n, smtp_harness.sent_len - n + 1);
    smtp_harness.sent_len -= n;
}

void smtp_harness_options_base(struct smtp_options *o)
{
    memset(o, 0, sizeof(*o));
    o->ehlo_name = "client.example";
    o->tls = SMTP_TLS_IMPLICIT;
    smtp_timeouts_default(&o->timeouts);
    o->hmac_md5 = hmac_md5_ref;
    o->log = smtp_harness_log_line;
    o->log_ctx = &smtp_harness;
}

void smtp_harness_start(const struct smtp_options *o, struct smtp_message *msgs, unsigned count, size_t piece,
                        size_t accept)
{
    memset(&smtp_harness, 0, sizeof(smtp_harness));
    smtp_harness.now = SMTP_HARNESS_T0;
    smtp_harness.server_piece = piece;
    smtp_harness.accept = accept;
    smtp_harness.s.opt.log_ctx = &smtp_harness;
    smtp_session_init(&smtp_harness.s, o, msgs, count, smtp_harness.now);
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_CONNECTING);
    smtp_session_connected(&smtp_harness.s, smtp_harness.now);
}

void smtp_harness_play(const struct smtp_harness_step *steps)
{
    for (; steps->op != SMTP_HARNESS_OP_END; steps++) {
        switch (steps->op) {
        case SMTP_HARNESS_OP_SERVER:
            assert_int_not_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
            smtp_harness_server_send(steps->text, strlen(steps->text));
            break;
        case SMTP_HARNESS_OP_CLIENT: smtp_harness_expect_client(steps->text); break;
        case SMTP_HARNESS_OP_TLS:
            smtp_harness_drain();
            assert_int_equal(smtp_harness.sent_len, 0);
            assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_START_TLS);
            smtp_session_tls_started(&smtp_harness.s, smtp_harness.now);
            break;
        default: break;
        }
    }
    smtp_harness_drain();
    if (smtp_harness.sent_len != 0) {
        fail_msg("client sent more than the script expects:\n%s", smtp_harness.sent);
    }
    assert_int_equal(smtp_session_status(&smtp_harness.s), SMTP_STATUS_DONE);
}

void smtp_harness_run_all(smtp_harness_setup_fn setup, const struct smtp_harness_step *steps,
                          smtp_harness_check_fn check, unsigned round_trips)
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
            smtp_harness_options_base(&o);
            setup(&o, m, &count);
            smtp_harness_start(&o, m, count, pieces[i], accepts[j]);
            smtp_harness_play(steps);
            if (check != NULL) {
                check(m, count);
            }
            if (round_trips != 0) {
                assert_int_equal(smtp_session_stats(&smtp_harness.s)->round_trips, round_trips);
            }
        }
    }
}

void smtp_harness_assert_formats(const struct smtp_result *r, const char *expect)
{
    char buf[600];

    smtp_result_format(r, buf, sizeof(buf));
    if (strcmp(buf, expect) != 0) {
        fail_msg("result '%s' != '%s'", buf, expect);
    }
}

void smtp_harness_msg_simple(struct smtp_message *m, struct smtp_harness_body *b, const char *const *rcpt, unsigned n)
{
    smtp_harness_body_set(b, SMTP_HARNESS_SIMPLE_BODY, SIZE_MAX);
    m->from = "pi@example.com";
    m->rcpt = rcpt;
    m->rcpt_count = n;
    m->size = (uint32_t)strlen(SMTP_HARNESS_SIMPLE_WIRE);
    m->read = smtp_harness_body_read;
    m->read_ctx = b;
}
void smtp_harness_setup_starttls(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->tls = SMTP_TLS_STARTTLS;
    o->auth_user = "user";
    o->auth_pass = "secret";
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    *count = 1;
}
void smtp_harness_check_ok(struct smtp_message *m, unsigned count)
{
    unsigned i;

    for (i = 0; i < count; i++) {
        assert_int_equal(m[i].result.err, SMTP_OK);
    }
    assert_int_equal(smtp_session_result(&smtp_harness.s)->err, SMTP_OK);
}
void smtp_harness_setup_starttls_auth(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    smtp_harness_setup_starttls(o, m, count);
}
void smtp_harness_check_no_auth_written(struct smtp_message *m, unsigned count)
{
    (void)count;
    assert_null(strstr(smtp_harness.transcript, "AUTH"));
    assert_null(strstr(smtp_harness.transcript, "MAIL"));
    assert_int_not_equal(m[0].result.err, SMTP_OK);
    assert_int_equal(m[0].result.err, smtp_session_result(&smtp_harness.s)->err);
}
void smtp_harness_setup_auth_implicit(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    o->auth_user = "user";
    o->auth_pass = "secret";
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    *count = 1;
}
void smtp_harness_setup_plain_one(struct smtp_options *o, struct smtp_message *m, unsigned *count)
{
    (void)o;
    smtp_harness_msg_simple(&m[0], &smtp_harness_body1, smtp_harness_one_rcpt, 1);
    *count = 1;
}
