/*
 * smtp_session_txn - the SMTP engine's transactions (part of net/smtp, see smtp_engine.h).
 *
 * The envelope and the body are written by smtp_engine_pump(), as far as the output buffer and the pipelining rules
 * allow, because they can be longer than the buffer. With PIPELINING the envelope (MAIL, all RCPT, DATA) is one
 * flight and QUIT follows the last message's end of data in the same flight; with CHUNKING the body follows the
 * envelope without waiting for a 354. Messages after the first wait for the previous transaction's outcome so that
 * RSET can be sent when, and only when, it is needed.
 */
#include <stdio.h>
#include <string.h>

#include "net/smtp_engine.h"

/* While earlier output is still waiting to be sent, start a BDAT chunk only when it can be this large: every
 * chunk costs a command line and a reply. */
#define BDAT_MIN_CHUNK (SMTP_OUT_MAX / 2)

static void begin_message(struct smtp_session *s);

/* 0 when usable; sets *utf8 when the address has non-ASCII octets. */
static int check_address(const char *a, bool allow_empty, bool *utf8)
{
    size_t len;
    size_t i;

    if (a == NULL) {
        return SMTP_ERR_ADDRESS;
    }
    len = strlen(a);
    if ((len == 0 && !allow_empty) || len > SMTP_ADDR_MAX) {
        return SMTP_ERR_ADDRESS;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)a[i];

        if (c <= ' ' || c == 0x7f || c == '<' || c == '>') {
            return SMTP_ERR_ADDRESS;
        }
        if (c >= 0x80) {
            *utf8 = true;
        }
    }
    return SMTP_OK;
}

void smtp_engine_fail_message(struct smtp_session *s, enum smtp_step step, int err, bool temporary,
                              const struct smtp_reply *reply, const char *detail)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    if (s->txn_failed) {
        return;
    }
    s->txn_failed = true;
    smtp_engine_set_result(&m->result, step, err, temporary, reply, detail);
}

/* The transaction will write nothing more: only its replies are awaited. */
static void stop_txn(struct smtp_session *s)
{
    s->phase = SMTP_PHASE_TXN_END;
}

/* The local checks RFC 1870, 6152 and 6531 ask for before MAIL. Returns false (and sets the result) when the
 * message cannot be sent over this session. */
static bool message_precheck(struct smtp_session *s, struct smtp_message *m, bool *utf8)
{
    char detail[SMTP_DETAIL_MAX];
    unsigned i;
    int err = SMTP_OK;

    *utf8 = m->needs_smtputf8;
    if (check_address(m->from, true, utf8) != SMTP_OK) {
        snprintf(detail, sizeof(detail), "unusable sender address");
        err = SMTP_ERR_ADDRESS;
    }
    for (i = 0; err == SMTP_OK && i < m->rcpt_count; i++) {
        if (check_address(m->rcpt[i], false, utf8) != SMTP_OK) {
            snprintf(detail, sizeof(detail), "unusable recipient address #%u", i + 1);
            err = SMTP_ERR_ADDRESS;
        }
    }
    if (err == SMTP_OK && (m->rcpt_count == 0 || m->read == NULL)) {
        snprintf(detail, sizeof(detail), m->rcpt_count == 0 ? "no recipients" : "no message reader");
        err = SMTP_ERR_ARG;
    }
    if (err == SMTP_OK && s->caps.size && s->caps.size_limit != 0 && m->size > s->caps.size_limit) {
        snprintf(detail, sizeof(detail), "message of %lu octets exceeds the server's limit of %lu (SIZE)",
                 (unsigned long)m->size, (unsigned long)s->caps.size_limit);
        err = SMTP_ERR_SIZE;
    }
    if (err == SMTP_OK && m->needs_8bitmime && !s->caps.eightbitmime) {
        snprintf(detail, sizeof(detail), "message needs 8BITMIME, which the server does not offer");
        err = SMTP_ERR_8BITMIME;
    }
    if (err == SMTP_OK && *utf8 && !s->caps.smtputf8) {
        snprintf(detail, sizeof(detail), "message needs SMTPUTF8, which the server does not offer");
        err = SMTP_ERR_SMTPUTF8;
    }
    if (err == SMTP_OK) {
        return true;
    }
    smtp_engine_set_result(&m->result, SMTP_STEP_MAIL, err, false, NULL, detail);
    return false;
}

static void begin_message(struct smtp_session *s)
{
    while (s->msg_index < s->msg_count) {
        struct smtp_message *m = &s->msgs[s->msg_index];
        bool utf8;

        m->rcpt_accepted = 0;
        m->body_octets = 0;
        if (!message_precheck(s, m, &utf8)) {
            s->msg_index++;
            continue;
        }
        s->phase = SMTP_PHASE_ENVELOPE;
        s->txn_next = 0;
        s->txn_pending = 0;
        s->txn_mail_ok = false;
        s->txn_failed = false;
        s->txn_dot_sent = false;
        s->txn_any_temp = false;
        memset(&s->first_reject, 0, sizeof(s->first_reject));
        smtp_engine_progress(s, SMTP_STEP_MAIL, m->from);
        return;
    }
    s->phase = SMTP_PHASE_COMMANDS;
    smtp_engine_send_quit(s);
}

void smtp_engine_start_messages(struct smtp_session *s)
{
    s->msg_index = 0;
    begin_message(s);
}

/* The current transaction is over (every reply in): next message, with RSET first when the server may still
 * hold a half-open transaction. */
static void end_message(struct smtp_session *s)
{
    bool rset = s->txn_failed && s->txn_mail_ok && !s->txn_dot_sent;

    s->phase = SMTP_PHASE_COMMANDS;
    s->msg_index++;
    if (rset && s->msg_index < s->msg_count) {
        if (!smtp_engine_emit_or_fail(s, SMTP_STEP_MAIL, smtp_engine_emit(s, NULL, "RSET"))) {
            return;
        }
        smtp_engine_expect_push(s, SMTP_EXP_RSET, 0, 0);
    }
    begin_message(s);
}

static void maybe_end_message(struct smtp_session *s)
{
    if (s->phase == SMTP_PHASE_TXN_END && s->txn_pending == 0) {
        end_message(s);
    }
}

static bool last_message(const struct smtp_session *s)
{
    return s->msg_index + 1 >= s->msg_count;
}

static void body_start(struct smtp_session *s)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    s->phase = SMTP_PHASE_CONTENT;
    smtp_body_start(&s->body, m->read, m->read_ctx);
    smtp_engine_progress(s, SMTP_STEP_BODY, "");
    smtp_engine_rearm(s);
}

/* The chunk is in the output buffer: count and log it; at the message's end, QUIT follows it in the same flight
 * after the last message. */
static void body_written(struct smtp_session *s, const struct smtp_body_chunk *c)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    s->out_tail += c->len;
    m->body_octets += (uint32_t)c->data_len;
    if (c->header_len > 0) {
        smtp_engine_log_text(s, "> ", (const char *)s->out + s->out_tail - c->len, c->header_len - 2);
    }
    if (!c->last) {
        return;
    }
    if (!s->caps.chunking) {
        s->txn_dot_sent = true;
    }
    stop_txn(s);
    if (s->opt.log != NULL) {
        char line[64];

        snprintf(line, sizeof(line), "> [message: %lu octets]", (unsigned long)m->body_octets);
        s->opt.log(s->opt.log_ctx, line);
    }
}

/* A reader failure (or no room, which is the engine's own fault, a bad argument as at smtp.c's buffer check): the
 * server would take whatever ends the content as the whole message, so the connection is dropped. */
static void body_failed(struct smtp_session *s, int err)
{
    const char *why = smtp_body_strerror(err);
    int code = err == SMTP_BODY_ERR_ROOM ? SMTP_ERR_ARG : SMTP_ERR_READER;

    smtp_engine_fail_message(s, SMTP_STEP_BODY, code, false, NULL, why);
    smtp_engine_fail_session(s, SMTP_STEP_BODY, code, false, NULL, why, false);
}

/* DATA content: stream until the end, then ".", and QUIT in the same flight after the last message. */
static void body_emit_data(struct smtp_session *s)
{
    while (s->phase == SMTP_PHASE_CONTENT) {
        size_t room = smtp_engine_out_room(s);
        struct smtp_body_chunk c;
        int err;

        if (room < SMTP_BODY_DATA_ROOM_MIN + SMTP_ENGINE_QUIT_LINE_LEN) {
            return;
        }
        err = smtp_body_data(&s->body, s->out + s->out_tail, room - SMTP_ENGINE_QUIT_LINE_LEN, &c);
        if (err != SMTP_BODY_OK) {
            body_failed(s, err);
            return;
        }
        body_written(s, &c);
        if (c.last) {
            smtp_engine_expect_push(s, SMTP_EXP_DATA_END, 0, 0);
            if (last_message(s) && s->caps.pipelining) {
                smtp_engine_send_quit(s);
            }
        }
    }
}

/* BDAT content (RFC 3030), one chunk per command. */
static void body_emit_bdat(struct smtp_session *s)
{
    while (s->phase == SMTP_PHASE_CONTENT) {
        struct smtp_body_chunk c;
        size_t room;
        int err;

        if ((!s->caps.pipelining && s->exp_count > 0) || s->exp_count + 2 > SMTP_EXPECT_MAX) {
            return;
        }
        room = smtp_engine_out_room(s);
        if (room < SMTP_BODY_BDAT_ROOM_MIN + SMTP_ENGINE_QUIT_LINE_LEN ||
            (s->out_tail > 0 && room < SMTP_BODY_BDAT_HEADER_MAX + SMTP_ENGINE_QUIT_LINE_LEN + BDAT_MIN_CHUNK)) {
            return;
        }
        err = smtp_body_bdat(&s->body, s->out + s->out_tail, room - SMTP_ENGINE_QUIT_LINE_LEN, &c);
        if (err != SMTP_BODY_OK) {
            body_failed(s, err);
            return;
        }
        body_written(s, &c);
        smtp_engine_expect_push(s, SMTP_EXP_BDAT, 0, c.last ? 1u : 0u);
        if (c.last && last_message(s) && s->caps.pipelining) {
            smtp_engine_send_quit(s);
        }
    }
}

/* Write the envelope: MAIL, each RCPT, then DATA or the BDAT body; all at once with PIPELINING, otherwise one
 * command per reply. */
static void txn_emit(struct smtp_session *s)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    while (s->phase == SMTP_PHASE_ENVELOPE) {
        bool ok;

        if ((!s->caps.pipelining && s->exp_count > 0) || s->exp_count + 2 > SMTP_EXPECT_MAX) {
            return;
        }
        if (s->txn_next == 0) {
            char size[24] = "";
            bool utf8 = m->needs_smtputf8;

            check_address(m->from, true, &utf8);
            for (unsigned i = 0; i < m->rcpt_count; i++) {
                check_address(m->rcpt[i], false, &utf8);
            }
            if (s->caps.size && m->size > 0) {
                snprintf(size, sizeof(size), " SIZE=%lu", (unsigned long)m->size);
            }
            ok = smtp_engine_emit(s, NULL, "MAIL FROM:<%s>%s%s%s", m->from, size,
                                  m->needs_8bitmime ? " BODY=8BITMIME" : "", utf8 ? " SMTPUTF8" : "");
            if (ok) {
                smtp_engine_expect_push(s, SMTP_EXP_MAIL, 0, 0);
            }
        } else if (s->txn_next <= m->rcpt_count) {
            ok = smtp_engine_emit(s, NULL, "RCPT TO:<%s>", m->rcpt[s->txn_next - 1]);
            if (ok) {
                smtp_engine_expect_push(s, SMTP_EXP_RCPT, (uint16_t)(s->txn_next - 1), 0);
            }
        } else if (s->txn_next == m->rcpt_count + 1) {
            if (!s->caps.pipelining && m->rcpt_accepted == 0) {
                /* Every RCPT refused: nothing to send. */
                smtp_engine_fail_message(s, SMTP_STEP_RCPT, SMTP_ERR_REPLY, s->txn_any_temp, &s->first_reject, NULL);
                stop_txn(s);
                maybe_end_message(s);
                return;
            }
            if (s->caps.chunking) {
                s->txn_next++;
                body_start(s);
                return;
            }
            ok = smtp_engine_emit(s, NULL, "DATA");
            if (ok) {
                smtp_engine_expect_push(s, SMTP_EXP_DATA, 0, 0);
            }
        } else {
            return;
        }
        if (!ok) {
            return; /* wait for the transport to drain the buffer */
        }
        s->txn_next++;
    }
}

void smtp_engine_pump(struct smtp_session *s)
{
    if (s->phase == SMTP_PHASE_ENVELOPE) {
        txn_emit(s);
    }
    if (s->phase == SMTP_PHASE_CONTENT) {
        if (s->caps.chunking) {
            body_emit_bdat(s);
        } else {
            body_emit_data(s);
        }
    }
    maybe_end_message(s);
}

/* ---- replies ---- */

static void on_mail(struct smtp_session *s, const struct smtp_reply *r)
{
    if (SMTP_ENGINE_REPLY_CLASS(r->code) == 2u) {
        s->txn_mail_ok = true;
        return;
    }
    smtp_engine_fail_message(s, SMTP_STEP_MAIL, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r, NULL);
    stop_txn(s);
}

static void on_rcpt(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    if (m->rcpt_replies != NULL && e->arg < m->rcpt_count) {
        m->rcpt_replies[e->arg] = *r;
    }
    if (SMTP_ENGINE_REPLY_CLASS(r->code) == 2u) {
        m->rcpt_accepted++;
        return;
    }
    if (s->first_reject.code == 0) {
        s->first_reject = *r;
    }
    if (smtp_engine_reply_temporary(r)) {
        s->txn_any_temp = true;
    }
}

/* Why nothing could be delivered when the server reached DATA/BDAT: the MAIL or RCPT refusal comes first. */
static void fail_before_data(struct smtp_session *s, const struct smtp_reply *r, enum smtp_step step)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    if (m->rcpt_accepted == 0 && s->txn_mail_ok) {
        smtp_engine_fail_message(s, SMTP_STEP_RCPT, SMTP_ERR_REPLY, s->txn_any_temp, &s->first_reject, NULL);
    } else {
        smtp_engine_fail_message(s, step, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r, NULL);
    }
}

static void on_data(struct smtp_session *s, const struct smtp_reply *r)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    if (r->code == 354) {
        if (!s->txn_failed && m->rcpt_accepted > 0) {
            body_start(s);
            return;
        }
        /* RFC 2920 §3.1: DATA may be accepted although nothing before it was; end it with an empty body. */
        fail_before_data(s, r, SMTP_STEP_DATA);
        if (smtp_engine_emit_or_fail(s, SMTP_STEP_DATA, smtp_engine_emit(s, NULL, "."))) {
            s->txn_dot_sent = true;
            smtp_engine_expect_push(s, SMTP_EXP_DATA_END, 1, 0);
        }
        if (smtp_engine_in_txn(s)) {
            stop_txn(s);
        }
        return;
    }
    fail_before_data(s, r, SMTP_STEP_DATA);
    stop_txn(s);
}

static void on_data_end(struct smtp_session *s, const struct smtp_reply *r)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    if (SMTP_ENGINE_REPLY_CLASS(r->code) == 2u && !s->txn_failed) {
        smtp_engine_set_result(&m->result, SMTP_STEP_NONE, SMTP_OK, false, r, NULL);
        return;
    }
    smtp_engine_fail_message(s, SMTP_STEP_BODY, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r, NULL);
}

static void on_bdat(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r)
{
    struct smtp_message *m = &s->msgs[s->msg_index];

    if (SMTP_ENGINE_REPLY_CLASS(r->code) != 2u) {
        fail_before_data(s, r, SMTP_STEP_BODY);
        stop_txn(s); /* RFC 3030 forbids further chunks */
        return;
    }
    if (e->flag && !s->txn_failed) {
        smtp_engine_set_result(&m->result, SMTP_STEP_NONE, SMTP_OK, false, r, NULL);
    }
}

static void on_rset(struct smtp_session *s, const struct smtp_reply *r)
{
    if (SMTP_ENGINE_REPLY_CLASS(r->code) != 2u) {
        smtp_engine_fail_session(s, SMTP_STEP_MAIL, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r, "RSET refused",
                                 false);
    }
}

void smtp_engine_on_txn_reply(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r)
{
    switch (e->kind) {
    case SMTP_EXP_MAIL: on_mail(s, r); break;
    case SMTP_EXP_RCPT: on_rcpt(s, e, r); break;
    case SMTP_EXP_DATA: on_data(s, r); break;
    case SMTP_EXP_DATA_END: on_data_end(s, r); break;
    case SMTP_EXP_BDAT: on_bdat(s, e, r); break;
    default: /* SMTP_EXP_RSET */ on_rset(s, r); return;
    }
    if (smtp_engine_in_txn(s)) {
        smtp_engine_pump(s);
    }
}
