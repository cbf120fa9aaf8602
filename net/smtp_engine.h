/*
 * smtp_engine - what the parts of the SMTP engine share. Private: only the engine's .c files include it; the public
 * contract is smtp.h.
 *
 * The engine is one module in several files, cut at its seams:
 *   smtp.c               the session: the public calls, output, expectations and timeouts, results, the greeting,
 *                        EHLO and STARTTLS, the dispatch of every reply
 *   smtp_session_auth.c  the AUTH exchange (RFC 4954): the mechanism, the SASL responses, the outcome
 *   smtp_session_txn.c   the transactions: the checks before MAIL, the envelope, the body (through smtp_body.h),
 *                        RSET between messages, and their replies
 * Pure helpers with their own headers and tests: smtp_reply (reply parser), smtp_caps (EHLO capabilities),
 * smtp_body (message encoder), smtp_auth (SASL encodings).
 *
 * Rules: every command is written with smtp_engine_emit, or straight into the output buffer (a SASL response,
 * logged masked; a body chunk from smtp_body), and its reply announced with smtp_engine_expect_push; a failure
 * goes through smtp_engine_fail_session, which owns the end of the session. s->phase changes only where the
 * session's life changes (see enum smtp_phase); the parts test it through the helpers below.
 */
#ifndef NET_SMTP_ENGINE_H
#define NET_SMTP_ENGINE_H

#include "net/smtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP_ENGINE_QUIT_LINE_LEN     6 /* "QUIT\r\n" */
#define SMTP_ENGINE_SECRET_MASK       "********"
#define SMTP_ENGINE_REPLY_CLASS(code) ((code) / 100u)

/* What a command in flight awaits; MAIL to BDAT belong to the current transaction. */
enum smtp_engine_expect_kind {
    SMTP_EXP_GREETING,
    SMTP_EXP_EHLO,
    SMTP_EXP_HELO,
    SMTP_EXP_STARTTLS,
    SMTP_EXP_AUTH,
    SMTP_EXP_MAIL,
    SMTP_EXP_RCPT,
    SMTP_EXP_DATA,
    SMTP_EXP_DATA_END,
    SMTP_EXP_BDAT,
    SMTP_EXP_RSET,
    SMTP_EXP_QUIT,
};

static inline bool smtp_engine_kind_in_txn(unsigned kind)
{
    return kind >= SMTP_EXP_MAIL && kind <= SMTP_EXP_BDAT;
}

/* Bytes are exchanged with the server (the transport's SMTP_STATUS_RUNNING). */
static inline bool smtp_engine_running(const struct smtp_session *s)
{
    return s->phase == SMTP_PHASE_COMMANDS || (s->phase >= SMTP_PHASE_ENVELOPE && s->phase <= SMTP_PHASE_QUIT);
}

static inline bool smtp_engine_in_txn(const struct smtp_session *s)
{
    return s->phase >= SMTP_PHASE_ENVELOPE && s->phase <= SMTP_PHASE_TXN_END;
}

static inline bool smtp_engine_reply_temporary(const struct smtp_reply *r)
{
    return SMTP_ENGINE_REPLY_CLASS(r->code) == 4u;
}

/* ---- smtp.c ---- */

/* Room at the end of the output buffer, after moving what is pending to its start. */
size_t smtp_engine_out_room(struct smtp_session *s);
/* One line for the debug log: prefix, then text with control octets as '?', cut at a safe length. */
void smtp_engine_log_text(struct smtp_session *s, const char *prefix, const char *text, size_t len);
/* Appends one command line (CRLF added) and logs it, or `shown` instead when the line carries a secret. False
 * when it does not fit. */
bool smtp_engine_emit(struct smtp_session *s, const char *shown, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Passes `ok` through; a command that does not fit an otherwise empty buffer ends the session. */
bool smtp_engine_emit_or_fail(struct smtp_session *s, enum smtp_step step, bool ok);
void smtp_engine_progress(struct smtp_session *s, enum smtp_step step, const char *detail);
/* Announces the reply a command just written awaits; false when the ring is full. Rearms the deadline. */
bool smtp_engine_expect_push(struct smtp_session *s, enum smtp_engine_expect_kind kind, uint16_t arg, uint8_t flag);
/* The deadline for what is in flight now (see smtp.c). */
void smtp_engine_rearm(struct smtp_session *s);
void smtp_engine_set_result(struct smtp_result *r, enum smtp_step step, int err, bool temporary,
                            const struct smtp_reply *reply, const char *detail);
/* The session cannot go on: messages not finished get its result. `graceful` sends QUIT and waits for its reply;
 * otherwise the session is DONE at once. */
void smtp_engine_fail_session(struct smtp_session *s, enum smtp_step step, int err, bool temporary,
                              const struct smtp_reply *reply, const char *detail, bool graceful);
/* A local refusal (printf detail), gracefully. */
void smtp_engine_fail_local(struct smtp_session *s, enum smtp_step step, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* QUIT, once; outside a transaction the session then waits for its reply (SMTP_PHASE_QUIT). */
void smtp_engine_send_quit(struct smtp_session *s);

/* ---- smtp_session_auth.c ---- */

/* After EHLO, when credentials are configured: chooses the mechanism and sends AUTH, or fails the session. */
void smtp_engine_start_auth(struct smtp_session *s);
void smtp_engine_on_auth(struct smtp_session *s, const struct smtp_reply *r);

/* ---- smtp_session_txn.c ---- */

/* The first transaction (or QUIT when there is no message to send). */
void smtp_engine_start_messages(struct smtp_session *s);
/* Writes as much of the current transaction as the buffer and the pipelining rules allow. */
void smtp_engine_pump(struct smtp_session *s);
/* The current message failed (the first failure counts). */
void smtp_engine_fail_message(struct smtp_session *s, enum smtp_step step, int err, bool temporary,
                              const struct smtp_reply *reply, const char *detail);
/* A reply to MAIL, RCPT, DATA, the end of data, BDAT or RSET. */
void smtp_engine_on_txn_reply(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r);

#endif /* NET_SMTP_ENGINE_H */
