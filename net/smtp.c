/*
 * smtp - SMTP submission client engine (see smtp.h for the contract).
 *
 * Structure: every command the engine sends pushes an "expectation" (what kind of reply it awaits) onto a
 * small ring; replies are matched against the ring in order, which is what makes PIPELINING (RFC 2920) work
 * the same way as one command at a time. Single commands (EHLO, STARTTLS, AUTH, RSET, QUIT) are written by the
 * reply handlers; the transactions are written by smtp_engine_pump() (smtp_session_txn.c). This file holds the
 * session: its phase, output, expectations and timeouts, results, and the steps before AUTH.
 *
 * Round trips: the engine counts a round trip each time it has sent everything it can and must wait for the
 * server (greeting, EHLO, STARTTLS, EHLO, AUTH, envelope, end of data).
 */
#include "net/smtp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/units.h"
#include "net/smtp_engine.h"

/* RFC 5321 §4.5.3.2. */
#define RFC_GREETING_MS    (5u * MS_PER_MIN)
#define RFC_MAIL_MS        (5u * MS_PER_MIN)
#define RFC_RCPT_MS        (5u * MS_PER_MIN)
#define RFC_DATA_INIT_MS   (2u * MS_PER_MIN)
#define RFC_DATA_BLOCK_MS  (3u * MS_PER_MIN)
#define RFC_DATA_END_MS    (10u * MS_PER_MIN)
#define DEFAULT_CONNECT_MS (30u * MS_PER_S)

#define LOG_LINE_MAX 200
#define REPLY_CLASS  SMTP_ENGINE_REPLY_CLASS

/* ---- output ---- */

size_t smtp_engine_out_room(struct smtp_session *s)
{
    if (s->out_head == s->out_tail) {
        s->out_head = 0;
        s->out_tail = 0;
    } else if (s->out_head > 0) {
        memmove(s->out, s->out + s->out_head, s->out_tail - s->out_head);
        s->out_tail -= s->out_head;
        s->out_head = 0;
    }
    return SMTP_OUT_MAX - s->out_tail;
}

void smtp_engine_log_text(struct smtp_session *s, const char *prefix, const char *text, size_t len)
{
    char line[LOG_LINE_MAX + 8];
    size_t n = 0, i;

    if (s->opt.log == NULL) {
        return;
    }
    n = (size_t)snprintf(line, sizeof(line), "%s", prefix);
    for (i = 0; i < len && n < LOG_LINE_MAX; i++) {
        unsigned char c = (unsigned char)text[i];

        line[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    if (i < len) {
        n += (size_t)snprintf(line + n, sizeof(line) - n, "...");
    }
    line[n] = '\0';
    s->opt.log(s->opt.log_ctx, line);
}

bool smtp_engine_emit(struct smtp_session *s, const char *shown, const char *fmt, ...)
{
    size_t room = smtp_engine_out_room(s);
    char *dst = (char *)s->out + s->out_tail;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n + 2 > room) {
        return false;
    }
    if (shown != NULL) {
        smtp_engine_log_text(s, "> ", shown, strlen(shown));
    } else {
        smtp_engine_log_text(s, "> ", dst, (size_t)n);
    }
    dst[n] = '\r';
    dst[n + 1] = '\n';
    s->out_tail += (size_t)n + 2;
    return true;
}

void smtp_engine_progress(struct smtp_session *s, enum smtp_step step, const char *detail)
{
    if (s->opt.progress != NULL) {
        s->opt.progress(s->opt.progress_ctx, step, detail);
    }
}

/* ---- expectations and time ---- */

static uint32_t kind_timeout(const struct smtp_session *s, const struct smtp_expect *e)
{
    const struct smtp_timeouts *t = &s->opt.timeouts;

    switch (e->kind) {
    case SMTP_EXP_GREETING: return t->greeting_ms;
    case SMTP_EXP_MAIL: return t->mail_ms;
    case SMTP_EXP_RCPT: return t->rcpt_ms;
    case SMTP_EXP_DATA: return t->data_init_ms;
    case SMTP_EXP_DATA_END: return t->data_end_ms;
    case SMTP_EXP_BDAT: return e->flag ? t->data_end_ms : t->data_block_ms;
    default: return t->command_ms;
    }
}

static enum smtp_step kind_step(const struct smtp_expect *e)
{
    static const enum smtp_step steps[] = {
        [SMTP_EXP_GREETING] = SMTP_STEP_GREETING, [SMTP_EXP_EHLO] = SMTP_STEP_EHLO,
        [SMTP_EXP_HELO] = SMTP_STEP_EHLO,         [SMTP_EXP_STARTTLS] = SMTP_STEP_STARTTLS,
        [SMTP_EXP_AUTH] = SMTP_STEP_AUTH,         [SMTP_EXP_MAIL] = SMTP_STEP_MAIL,
        [SMTP_EXP_RCPT] = SMTP_STEP_RCPT,         [SMTP_EXP_DATA] = SMTP_STEP_DATA,
        [SMTP_EXP_DATA_END] = SMTP_STEP_BODY,     [SMTP_EXP_BDAT] = SMTP_STEP_BODY,
        [SMTP_EXP_RSET] = SMTP_STEP_MAIL,         [SMTP_EXP_QUIT] = SMTP_STEP_QUIT,
    };

    return steps[e->kind];
}

static struct smtp_expect *expect_head(struct smtp_session *s)
{
    return s->exp_count > 0 ? &s->expect[s->exp_head] : NULL;
}

/* The deadline covers everything in flight: now plus the longest timeout among the awaited replies, the body's
 * progress timeout while the content is being sent, or the handshake's while the transport runs it. */
void smtp_engine_rearm(struct smtp_session *s)
{
    uint32_t longest = 0;
    unsigned i;

    for (i = 0; i < s->exp_count; i++) {
        uint32_t t = kind_timeout(s, &s->expect[(s->exp_head + i) % SMTP_EXPECT_MAX]);

        if (t > longest) {
            longest = t;
        }
    }
    if (s->exp_count == 0 && s->phase == SMTP_PHASE_CONTENT) {
        longest = s->opt.timeouts.data_block_ms;
    }
    if (s->exp_count == 0 && s->phase != SMTP_PHASE_CONTENT && s->phase != SMTP_PHASE_START_TLS) {
        s->deadline_set = false;
        return;
    }
    if (s->phase == SMTP_PHASE_START_TLS) {
        longest = s->opt.timeouts.connect_ms;
    }
    s->deadline = s->now + longest;
    s->deadline_set = true;
}

bool smtp_engine_expect_push(struct smtp_session *s, enum smtp_engine_expect_kind kind, uint16_t arg, uint8_t flag)
{
    struct smtp_expect *e;

    if (s->exp_count >= SMTP_EXPECT_MAX) {
        return false;
    }
    e = &s->expect[(s->exp_head + s->exp_count) % SMTP_EXPECT_MAX];
    e->kind = (uint8_t)kind;
    e->arg = arg;
    e->flag = flag;
    s->exp_count++;
    if (smtp_engine_kind_in_txn(kind)) {
        s->txn_pending++;
    }
    smtp_engine_rearm(s);
    return true;
}

static struct smtp_expect expect_pop(struct smtp_session *s)
{
    struct smtp_expect e = s->expect[s->exp_head];

    s->exp_head = (s->exp_head + 1) % SMTP_EXPECT_MAX;
    s->exp_count--;
    if (smtp_engine_kind_in_txn(e.kind)) {
        s->txn_pending--;
    }
    smtp_engine_rearm(s);
    return e;
}

/* QUIT was written (it is answered last: its expectation leaves the ring only when the session ends). */
static bool quit_queued(const struct smtp_session *s)
{
    unsigned i;

    for (i = 0; i < s->exp_count; i++) {
        if (s->expect[(s->exp_head + i) % SMTP_EXPECT_MAX].kind == SMTP_EXP_QUIT) {
            return true;
        }
    }
    return false;
}

static void update_wait(struct smtp_session *s)
{
    bool waiting = smtp_engine_running(s) && s->exp_count > 0 && s->out_head == s->out_tail;

    if (waiting && !s->waiting) {
        s->stats.round_trips++;
    }
    s->waiting = waiting;
}

/* ---- results ---- */

void smtp_engine_set_result(struct smtp_result *r, enum smtp_step step, int err, bool temporary,
                            const struct smtp_reply *reply, const char *detail)
{
    memset(r, 0, sizeof(*r));
    r->err = err;
    r->step = step;
    r->temporary = temporary;
    if (reply != NULL) {
        r->reply = *reply;
    }
    if (detail != NULL) {
        snprintf(r->detail, sizeof(r->detail), "%s", detail);
    }
}

/* Messages not finished get the session's result. Without `graceful` the connection is to be closed at once
 * (timeouts, garbage, 421, transport errors). */
void smtp_engine_fail_session(struct smtp_session *s, enum smtp_step step, int err, bool temporary,
                              const struct smtp_reply *reply, const char *detail, bool graceful)
{
    unsigned i;

    if (s->phase == SMTP_PHASE_DONE) {
        return;
    }
    if (s->result.err == SMTP_OK) {
        smtp_engine_set_result(&s->result, step, err, temporary, reply, detail);
    }
    for (i = s->msg_index; i < s->msg_count; i++) {
        if (s->msgs[i].result.err == SMTP_ERR_NOT_SENT) {
            s->msgs[i].result = s->result;
        }
    }
    s->msg_index = s->msg_count;
    if (smtp_engine_in_txn(s)) {
        s->phase = SMTP_PHASE_COMMANDS;
    }
    if (graceful && smtp_engine_running(s) && !quit_queued(s)) {
        s->exp_count = 0;
        s->txn_pending = 0;
        smtp_engine_send_quit(s);
        if (quit_queued(s)) {
            return;
        }
    }
    s->phase = SMTP_PHASE_DONE;
    s->out_head = 0;
    s->out_tail = 0;
    s->exp_count = 0;
    s->deadline_set = false;
}

void smtp_engine_fail_local(struct smtp_session *s, enum smtp_step step, int err, const char *fmt, ...)
{
    char detail[SMTP_DETAIL_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    smtp_engine_fail_session(s, step, err, false, NULL, detail, true);
}

/* Commands are only written when the buffer has room; a single command that does not fit an otherwise empty
 * buffer cannot happen with the sizes in smtp.h, but must not pass silently. */
bool smtp_engine_emit_or_fail(struct smtp_session *s, enum smtp_step step, bool ok)
{
    if (!ok) {
        smtp_engine_fail_session(s, step, SMTP_ERR_ARG, false, NULL, "command does not fit the output buffer", false);
    }
    return ok;
}

/* ---- session steps ---- */

static bool auth_wanted(const struct smtp_session *s)
{
    return s->opt.auth_user != NULL && s->opt.auth_user[0] != '\0';
}

static void send_ehlo(struct smtp_session *s)
{
    memset(&s->caps, 0, sizeof(s->caps));
    s->ehlo_lines = 0;
    if (smtp_engine_emit_or_fail(s, SMTP_STEP_EHLO, smtp_engine_emit(s, NULL, "EHLO %s", s->opt.ehlo_name))) {
        smtp_engine_expect_push(s, SMTP_EXP_EHLO, 0, 0);
    }
}

/* Pipelined after the last end of data, QUIT is written inside the transaction, whose replies come first. */
void smtp_engine_send_quit(struct smtp_session *s)
{
    if (!quit_queued(s)) {
        if (!smtp_engine_emit(s, NULL, "QUIT") || !smtp_engine_expect_push(s, SMTP_EXP_QUIT, 0, 0)) {
            return;
        }
        smtp_engine_progress(s, SMTP_STEP_QUIT, "");
    }
    if (!smtp_engine_in_txn(s)) {
        s->phase = SMTP_PHASE_QUIT;
    }
}

static bool message_needs_extensions(const struct smtp_session *s)
{
    unsigned i;

    for (i = 0; i < s->msg_count; i++) {
        if (s->msgs[i].needs_8bitmime || s->msgs[i].needs_smtputf8) {
            return true;
        }
    }
    return false;
}

/* After a successful EHLO (or HELO): upgrade to TLS, authenticate, or start sending. */
static void after_ehlo(struct smtp_session *s)
{
    if (s->opt.tls == SMTP_TLS_STARTTLS && !s->stats.tls_active) {
        if (!s->caps.starttls) {
            smtp_engine_fail_local(s, SMTP_STEP_STARTTLS, SMTP_ERR_NO_STARTTLS,
                                   "server does not offer STARTTLS; refusing to continue without TLS");
            return;
        }
        smtp_engine_progress(s, SMTP_STEP_STARTTLS, "");
        if (smtp_engine_emit_or_fail(s, SMTP_STEP_STARTTLS, smtp_engine_emit(s, NULL, "STARTTLS"))) {
            smtp_engine_expect_push(s, SMTP_EXP_STARTTLS, 0, 0);
        }
        return;
    }
    if (auth_wanted(s)) {
        smtp_engine_start_auth(s);
        return;
    }
    smtp_engine_start_messages(s);
}

/* ---- replies ---- */

static void on_greeting(struct smtp_session *s, const struct smtp_reply *r)
{
    if (r->code == 220) {
        smtp_engine_progress(s, SMTP_STEP_GREETING, r->text);
        send_ehlo(s);
    } else if (REPLY_CLASS(r->code) == 2u) {
        smtp_engine_fail_session(s, SMTP_STEP_GREETING, SMTP_ERR_PROTOCOL, false, r, "unexpected greeting", false);
    } else {
        /* 554 means no service here; RFC 5321 §3.1 still wants a QUIT. */
        smtp_engine_fail_session(s, SMTP_STEP_GREETING, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r, NULL,
                                 r->code == 554);
    }
}

static void on_ehlo(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r)
{
    bool needs_ext;

    if (REPLY_CLASS(r->code) == 2u) {
        s->caps.esmtp = e->kind == SMTP_EXP_EHLO;
        after_ehlo(s);
        return;
    }
    memset(&s->caps, 0, sizeof(s->caps));
    needs_ext =
        (s->opt.tls == SMTP_TLS_STARTTLS && !s->stats.tls_active) || auth_wanted(s) || message_needs_extensions(s);
    if (e->kind == SMTP_EXP_EHLO && (r->code == 500 || r->code == 502) && !needs_ext) {
        if (smtp_engine_emit_or_fail(s, SMTP_STEP_EHLO, smtp_engine_emit(s, NULL, "HELO %s", s->opt.ehlo_name))) {
            smtp_engine_expect_push(s, SMTP_EXP_HELO, 0, 0);
        }
        return;
    }
    if (e->kind == SMTP_EXP_EHLO && (r->code == 500 || r->code == 502)) {
        smtp_engine_fail_session(s, SMTP_STEP_EHLO, SMTP_ERR_NO_EXTENSIONS, false, r,
                                 "server does not speak ESMTP, which this session needs", true);
    } else {
        smtp_engine_fail_session(s, SMTP_STEP_EHLO, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r, NULL, true);
    }
}

static void on_starttls(struct smtp_session *s, const struct smtp_reply *r)
{
    if (r->code == 220) {
        s->phase = SMTP_PHASE_START_TLS;
        smtp_engine_rearm(s);
        return;
    }
    smtp_engine_fail_session(s, SMTP_STEP_STARTTLS, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r,
                             "STARTTLS refused; refusing to continue without TLS", true);
}

static void on_reply(struct smtp_session *s, const struct smtp_reply *r)
{
    struct smtp_expect e;

    if (s->exp_count == 0) {
        smtp_engine_fail_session(s, SMTP_STEP_NONE, r->code == 421 ? SMTP_ERR_REPLY : SMTP_ERR_PROTOCOL, true, r,
                                 r->code == 421 ? NULL : "reply to no command", false);
        return;
    }
    e = expect_pop(s);
    if (r->code == 421 && e.kind != SMTP_EXP_QUIT) {
        /* The server is shutting the channel down (RFC 5321 §3.8): whatever was in flight failed. */
        if (smtp_engine_in_txn(s)) {
            smtp_engine_fail_message(s, kind_step(&e), SMTP_ERR_REPLY, true, r, NULL);
        }
        smtp_engine_fail_session(s, kind_step(&e), SMTP_ERR_REPLY, true, r, NULL, false);
        return;
    }
    switch (e.kind) {
    case SMTP_EXP_GREETING: on_greeting(s, r); break;
    case SMTP_EXP_EHLO:
    case SMTP_EXP_HELO: on_ehlo(s, &e, r); break;
    case SMTP_EXP_STARTTLS: on_starttls(s, r); break;
    case SMTP_EXP_AUTH: smtp_engine_on_auth(s, r); break;
    case SMTP_EXP_QUIT: /* whatever it says, the session is over */
        s->phase = SMTP_PHASE_DONE;
        s->deadline_set = false;
        break;
    default: smtp_engine_on_txn_reply(s, &e, r); break;
    }
}

static void on_line(struct smtp_session *s, bool last)
{
    size_t len;
    const char *text = smtp_reply_line(&s->parser, &len);
    const struct smtp_expect *e = expect_head(s);
    char prefix[12];

    snprintf(prefix, sizeof(prefix), "< %03u%c", s->parser.reply.code, last ? ' ' : '-');
    smtp_engine_log_text(s, prefix, text, len);
    if (e != NULL && e->kind == SMTP_EXP_EHLO && s->parser.reply.code == 250 && s->ehlo_lines++ > 0) {
        smtp_caps_parse_line(&s->caps, text, len);
    }
}

/* ---- public ---- */

void smtp_timeouts_default(struct smtp_timeouts *t)
{
    t->connect_ms = DEFAULT_CONNECT_MS;
    t->greeting_ms = RFC_GREETING_MS;
    t->command_ms = RFC_MAIL_MS;
    t->mail_ms = RFC_MAIL_MS;
    t->rcpt_ms = RFC_RCPT_MS;
    t->data_init_ms = RFC_DATA_INIT_MS;
    t->data_block_ms = RFC_DATA_BLOCK_MS;
    t->data_end_ms = RFC_DATA_END_MS;
}

void smtp_session_init(struct smtp_session *s, const struct smtp_options *opt, struct smtp_message *msgs,
                       unsigned count, uint32_t now_ms)
{
    unsigned i;

    memset(s, 0, sizeof(*s));
    s->opt = *opt;
    if (s->opt.ehlo_name == NULL || s->opt.ehlo_name[0] == '\0') {
        s->opt.ehlo_name = SMTP_DEFAULT_EHLO_NAME;
    }
    s->msgs = msgs;
    s->msg_count = msgs != NULL ? count : 0;
    for (i = 0; i < s->msg_count; i++) {
        smtp_engine_set_result(&msgs[i].result, SMTP_STEP_NONE, SMTP_ERR_NOT_SENT, false, NULL, NULL);
        msgs[i].rcpt_accepted = 0;
        msgs[i].body_octets = 0;
    }
    smtp_reply_reset(&s->parser);
    s->phase = SMTP_PHASE_CONNECTING;
    s->now = now_ms;
    s->deadline = now_ms + s->opt.timeouts.connect_ms;
    s->deadline_set = true;
}

void smtp_session_connected(struct smtp_session *s, uint32_t now_ms)
{
    if (s->phase != SMTP_PHASE_CONNECTING) {
        return;
    }
    s->now = now_ms;
    s->phase = SMTP_PHASE_COMMANDS;
    s->stats.tls_active = s->opt.tls == SMTP_TLS_IMPLICIT;
    smtp_engine_expect_push(s, SMTP_EXP_GREETING, 0, 0);
    update_wait(s);
}

void smtp_session_input(struct smtp_session *s, const uint8_t *data, size_t len, uint32_t now_ms)
{
    s->now = now_ms;
    if (s->phase == SMTP_PHASE_DONE) {
        return;
    }
    s->stats.bytes_received += (uint32_t)len;
    if (!smtp_engine_running(s)) {
        if (len > 0) {
            smtp_engine_fail_session(s, s->phase == SMTP_PHASE_START_TLS ? SMTP_STEP_STARTTLS : SMTP_STEP_CONNECT,
                                     SMTP_ERR_PROTOCOL, false, NULL, "server sent data before TLS was established",
                                     false);
        }
        return;
    }
    while (len > 0 && smtp_engine_running(s)) {
        size_t used;
        int rc = smtp_reply_feed(&s->parser, data, len, &used);
        const struct smtp_expect *e = expect_head(s);

        data += used;
        len -= used;
        if (rc < 0) {
            smtp_engine_fail_session(s, e != NULL ? kind_step(e) : SMTP_STEP_NONE, SMTP_ERR_PROTOCOL, false, NULL,
                                     smtp_reply_strerror(rc), false);
            return;
        }
        if (rc == SMTP_REPLY_MORE) {
            break;
        }
        on_line(s, rc == SMTP_REPLY_DONE);
        if (rc == SMTP_REPLY_DONE) {
            on_reply(s, &s->parser.reply);
        }
        if (s->phase == SMTP_PHASE_START_TLS && len > 0) {
            smtp_engine_fail_session(s, SMTP_STEP_STARTTLS, SMTP_ERR_PROTOCOL, false, NULL,
                                     "server sent data after its STARTTLS reply (injection attempt?)", false);
        }
    }
    smtp_engine_pump(s);
    update_wait(s);
}

size_t smtp_session_output(struct smtp_session *s, const uint8_t **data)
{
    smtp_engine_pump(s);
    *data = s->out + s->out_head;
    return s->out_tail - s->out_head;
}

void smtp_session_output_done(struct smtp_session *s, size_t n, uint32_t now_ms)
{
    size_t pending = s->out_tail - s->out_head;

    s->now = now_ms;
    if (n > pending) {
        n = pending;
    }
    s->out_head += n;
    s->stats.bytes_sent += (uint32_t)n;
    if (n > 0 && s->phase == SMTP_PHASE_CONTENT) {
        smtp_engine_rearm(s);
    }
    smtp_engine_pump(s);
    update_wait(s);
}

void smtp_session_tls_started(struct smtp_session *s, uint32_t now_ms)
{
    if (s->phase != SMTP_PHASE_START_TLS) {
        return;
    }
    s->now = now_ms;
    s->phase = SMTP_PHASE_COMMANDS;
    s->stats.tls_active = true;
    smtp_reply_reset(&s->parser);
    send_ehlo(s);
    update_wait(s);
}

void smtp_session_abort(struct smtp_session *s, enum smtp_step step, bool temporary, const char *detail,
                        uint32_t now_ms)
{
    s->now = now_ms;
    if (smtp_engine_in_txn(s)) {
        smtp_engine_fail_message(s, step, SMTP_ERR_TRANSPORT, temporary, NULL, detail);
    }
    smtp_engine_fail_session(s, step, SMTP_ERR_TRANSPORT, temporary, NULL, detail, false);
}

void smtp_session_closed(struct smtp_session *s, uint32_t now_ms)
{
    const struct smtp_expect *e = expect_head(s);

    s->now = now_ms;
    if (s->phase == SMTP_PHASE_DONE) {
        return;
    }
    if (s->msg_index >= s->msg_count && e != NULL && e->kind == SMTP_EXP_QUIT) {
        s->phase = SMTP_PHASE_DONE;
        s->deadline_set = false;
        return;
    }
    if (smtp_engine_in_txn(s)) {
        smtp_engine_fail_message(s, e != NULL ? kind_step(e) : SMTP_STEP_BODY, SMTP_ERR_CLOSED, true, NULL,
                                 "connection closed by the server");
    }
    smtp_engine_fail_session(s, e != NULL ? kind_step(e) : SMTP_STEP_CONNECT, SMTP_ERR_CLOSED, true, NULL,
                             "connection closed by the server", false);
}

uint32_t smtp_session_poll(struct smtp_session *s, uint32_t now_ms)
{
    char detail[SMTP_DETAIL_MAX];
    const struct smtp_expect *e;
    enum smtp_step step;
    uint32_t limit;
    int32_t left;

    s->now = now_ms;
    if (s->phase == SMTP_PHASE_DONE || !s->deadline_set) {
        return SMTP_NO_DEADLINE;
    }
    left = (int32_t)(s->deadline - now_ms);
    if (left > 0) {
        return (uint32_t)left;
    }
    e = expect_head(s);
    if (s->phase == SMTP_PHASE_CONNECTING) {
        step = SMTP_STEP_CONNECT;
    } else if (s->phase == SMTP_PHASE_START_TLS) {
        step = SMTP_STEP_TLS;
    } else if (e != NULL) {
        step = kind_step(e);
    } else {
        step = SMTP_STEP_BODY;
    }
    if (step == SMTP_STEP_CONNECT || step == SMTP_STEP_TLS) {
        limit = s->opt.timeouts.connect_ms;
    } else {
        limit = e != NULL ? kind_timeout(s, e) : s->opt.timeouts.data_block_ms;
    }
    snprintf(detail, sizeof(detail), "no reply within %lu s", (unsigned long)(limit / MS_PER_S));
    if (smtp_engine_in_txn(s)) {
        smtp_engine_fail_message(s, step, SMTP_ERR_TIMEOUT, true, NULL, detail);
    }
    /* RFC 5321 §4.5.3.2: after a timeout the client closes the connection; a QUIT would wait again. */
    smtp_engine_fail_session(s, step, SMTP_ERR_TIMEOUT, true, NULL, detail, false);
    return 0;
}

enum smtp_status smtp_session_status(const struct smtp_session *s)
{
    switch (s->phase) {
    case SMTP_PHASE_CONNECTING: return SMTP_STATUS_CONNECTING;
    case SMTP_PHASE_START_TLS: return SMTP_STATUS_START_TLS;
    case SMTP_PHASE_DONE: return SMTP_STATUS_DONE;
    default: return SMTP_STATUS_RUNNING;
    }
}

const struct smtp_result *smtp_session_result(const struct smtp_session *s)
{
    return &s->result;
}

const struct smtp_stats *smtp_session_stats(const struct smtp_session *s)
{
    return &s->stats;
}

const struct smtp_caps *smtp_session_caps(const struct smtp_session *s)
{
    return &s->caps;
}

int smtp_result_format(const struct smtp_result *r, char *buf, size_t size)
{
    char reply[SMTP_REPLY_TEXT_MAX + 32] = "";
    bool has_reply = r->reply.code != 0;

    if (has_reply) {
        smtp_reply_format(&r->reply, reply, sizeof(reply));
    }
    if (r->err == SMTP_OK) {
        return snprintf(buf, size, "sent%s%s", has_reply ? ": " : "", reply);
    }
    if (r->err == SMTP_ERR_NOT_SENT) {
        return snprintf(buf, size, "not sent");
    }
    if (has_reply) {
        return snprintf(buf, size, "%s failed: %s%s%s%s", smtp_step_name(r->step), reply,
                        r->detail[0] != '\0' ? " (" : "", r->detail, r->detail[0] != '\0' ? ")" : "");
    }
    return snprintf(buf, size, "%s failed: %s", smtp_step_name(r->step),
                    r->detail[0] != '\0' ? r->detail : smtp_strerror(r->err));
}

const char *smtp_step_name(enum smtp_step step)
{
    static const char *const names[] = {
        [SMTP_STEP_NONE] = "SMTP", [SMTP_STEP_CONNECT] = "CONNECT",   [SMTP_STEP_GREETING] = "GREETING",
        [SMTP_STEP_EHLO] = "EHLO", [SMTP_STEP_STARTTLS] = "STARTTLS", [SMTP_STEP_TLS] = "TLS",
        [SMTP_STEP_AUTH] = "AUTH", [SMTP_STEP_MAIL] = "MAIL",         [SMTP_STEP_RCPT] = "RCPT",
        [SMTP_STEP_DATA] = "DATA", [SMTP_STEP_BODY] = "BODY",         [SMTP_STEP_QUIT] = "QUIT",
    };

    return (unsigned)step < sizeof(names) / sizeof(names[0]) ? names[step] : "SMTP";
}

const char *smtp_strerror(int err)
{
    switch (err) {
    case SMTP_OK: return "ok";
    case SMTP_ERR_ARG: return "bad argument or call out of order";
    case SMTP_ERR_REPLY: return "refused by the server";
    case SMTP_ERR_PROTOCOL: return "protocol error";
    case SMTP_ERR_TIMEOUT: return "timed out";
    case SMTP_ERR_CLOSED: return "connection closed by the server";
    case SMTP_ERR_TRANSPORT: return "connection or TLS failure";
    case SMTP_ERR_NO_STARTTLS: return "server does not offer STARTTLS";
    case SMTP_ERR_CLEARTEXT_AUTH: return "credentials would be sent without TLS";
    case SMTP_ERR_NO_AUTH_MECH: return "no usable AUTH mechanism";
    case SMTP_ERR_SIZE: return "message larger than the server accepts";
    case SMTP_ERR_8BITMIME: return "server lacks 8BITMIME";
    case SMTP_ERR_SMTPUTF8: return "server lacks SMTPUTF8";
    case SMTP_ERR_ADDRESS: return "unusable address";
    case SMTP_ERR_READER: return "message reader failed";
    case SMTP_ERR_NOT_SENT: return "not sent";
    case SMTP_ERR_NO_EXTENSIONS: return "server does not support ESMTP";
    default: return "unknown SMTP error";
    }
}
