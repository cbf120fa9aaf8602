/*
 * smtp - SMTP submission client engine (see smtp.h for the contract).
 *
 * Structure: every command the engine sends pushes an "expectation" (what kind of reply it awaits) onto a
 * small ring; replies are matched against the ring in order, which is what makes PIPELINING (RFC 2920) work
 * the same way as one command at a time. Single commands (EHLO, STARTTLS, AUTH, RSET, QUIT) are written by the
 * reply handlers; the envelope and the body are written by pump(), as far as the output buffer and the
 * pipelining rules allow, because they can be longer than the buffer.
 *
 * Round trips: the engine counts a round trip each time it has sent everything it can and must wait for the
 * server (greeting, EHLO, STARTTLS, EHLO, AUTH, envelope, end of data). With PIPELINING the envelope (MAIL, all
 * RCPT, DATA) is one flight and QUIT follows the last message's end of data in the same flight; with CHUNKING
 * the body follows the envelope without waiting for a 354. Messages after the first wait for the previous
 * transaction's outcome so that RSET can be sent when, and only when, it is needed.
 */
#include "net/smtp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "lib/units.h"

/* RFC 5321 §4.5.3.2. */
#define RFC_GREETING_MS (5u * MS_PER_MIN)
#define RFC_MAIL_MS (5u * MS_PER_MIN)
#define RFC_RCPT_MS (5u * MS_PER_MIN)
#define RFC_DATA_INIT_MS (2u * MS_PER_MIN)
#define RFC_DATA_BLOCK_MS (3u * MS_PER_MIN)
#define RFC_DATA_END_MS (10u * MS_PER_MIN)
#define DEFAULT_CONNECT_MS (30u * MS_PER_S)

/* "BDAT 4294967295 LAST\r\n" */
#define BDAT_HEADER_MAX 22
/* While earlier output is still waiting to be sent, start a BDAT chunk only when it can be this large: every
 * chunk costs a command line and a reply. */
#define BDAT_MIN_CHUNK (SMTP_OUT_MAX / 2)
/* One input octet becomes at most four output octets (a pending CR's CRLF, then a stuffed ".."). */
#define BODY_EXPANSION_MAX 4
#define QUIT_LINE "QUIT\r\n"
#define QUIT_LINE_LEN 6
#define DATA_END_LEN 7 /* "\r\n" to end the last line, then ".\r\n", with room to spare */
#define LOG_LINE_MAX 200
#define SECRET_MASK "********"
#define REPLY_CLASS(code) ((code) / 100u)

enum expect_kind {
	EXP_GREETING,
	EXP_EHLO,
	EXP_HELO,
	EXP_STARTTLS,
	EXP_AUTH,
	EXP_MAIL,
	EXP_RCPT,
	EXP_DATA,
	EXP_DATA_END,
	EXP_BDAT,
	EXP_RSET,
	EXP_QUIT,
};

enum auth_stage {
	AUTH_FINAL,        /* the next reply is the outcome */
	AUTH_LOGIN_USER,   /* 334: send the user name */
	AUTH_LOGIN_PASS,   /* 334: send the password */
	AUTH_CRAM,         /* 334: the challenge */
	AUTH_XOAUTH2,      /* 235, or 334 with the error JSON */
	AUTH_XOAUTH2_FAIL, /* after the empty response: the final 5xx */
	AUTH_CANCELLED,    /* sent "*" after an unexpected challenge */
};

enum body_state { BODY_NONE, BODY_ACTIVE, BODY_DONE };

static void pump(struct smtp_session *s);
static void begin_message(struct smtp_session *s);
static void send_quit(struct smtp_session *s);

/* ---- output ---- */

static size_t out_room(struct smtp_session *s)
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

static void log_text(struct smtp_session *s, const char *prefix, const char *text, size_t len)
{
	char line[LOG_LINE_MAX + 8];
	size_t n = 0, i;

	if (s->opt.log == NULL)
		return;
	n = (size_t)snprintf(line, sizeof(line), "%s", prefix);
	for (i = 0; i < len && n < LOG_LINE_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		line[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (i < len)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "...");
	line[n] = '\0';
	s->opt.log(s->opt.log_ctx, line);
}

/* Append one command line (CRLF added). `shown` replaces the line in the log when it carries a secret. */
static bool emit(struct smtp_session *s, const char *shown, const char *fmt, ...)
{
	size_t room = out_room(s);
	char *dst = (char *)s->out + s->out_tail;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 > room)
		return false;
	if (shown != NULL)
		log_text(s, "> ", shown, strlen(shown));
	else
		log_text(s, "> ", dst, (size_t)n);
	dst[n] = '\r';
	dst[n + 1] = '\n';
	s->out_tail += (size_t)n + 2;
	return true;
}

static void progress(struct smtp_session *s, enum smtp_step step, const char *detail)
{
	if (s->opt.progress != NULL)
		s->opt.progress(s->opt.progress_ctx, step, detail);
}

/* ---- expectations and time ---- */

static uint32_t kind_timeout(const struct smtp_session *s, const struct smtp_expect *e)
{
	const struct smtp_timeouts *t = &s->opt.timeouts;

	switch (e->kind) {
	case EXP_GREETING:
		return t->greeting_ms;
	case EXP_MAIL:
		return t->mail_ms;
	case EXP_RCPT:
		return t->rcpt_ms;
	case EXP_DATA:
		return t->data_init_ms;
	case EXP_DATA_END:
		return t->data_end_ms;
	case EXP_BDAT:
		return e->flag ? t->data_end_ms : t->data_block_ms;
	default:
		return t->command_ms;
	}
}

static enum smtp_step kind_step(const struct smtp_expect *e)
{
	static const enum smtp_step steps[] = {
		[EXP_GREETING] = SMTP_STEP_GREETING, [EXP_EHLO] = SMTP_STEP_EHLO,     [EXP_HELO] = SMTP_STEP_EHLO,
		[EXP_STARTTLS] = SMTP_STEP_STARTTLS, [EXP_AUTH] = SMTP_STEP_AUTH,     [EXP_MAIL] = SMTP_STEP_MAIL,
		[EXP_RCPT] = SMTP_STEP_RCPT,         [EXP_DATA] = SMTP_STEP_DATA,     [EXP_DATA_END] = SMTP_STEP_BODY,
		[EXP_BDAT] = SMTP_STEP_BODY,         [EXP_RSET] = SMTP_STEP_MAIL,     [EXP_QUIT] = SMTP_STEP_QUIT,
	};

	return steps[e->kind];
}

static struct smtp_expect *expect_head(struct smtp_session *s)
{
	return s->exp_count > 0 ? &s->expect[s->exp_head] : NULL;
}

/* The deadline covers everything in flight: now plus the longest timeout among the awaited replies, or the
 * body's progress timeout while DATA content is being sent. */
static void rearm(struct smtp_session *s)
{
	uint32_t longest = 0;
	unsigned i;

	for (i = 0; i < s->exp_count; i++) {
		uint32_t t = kind_timeout(s, &s->expect[(s->exp_head + i) % SMTP_EXPECT_MAX]);

		if (t > longest)
			longest = t;
	}
	if (s->exp_count == 0 && s->body_state == BODY_ACTIVE)
		longest = s->opt.timeouts.data_block_ms;
	if (s->exp_count == 0 && s->body_state != BODY_ACTIVE && s->status != SMTP_STATUS_START_TLS) {
		s->deadline_set = false;
		return;
	}
	if (s->status == SMTP_STATUS_START_TLS)
		longest = s->opt.timeouts.connect_ms;
	s->deadline = s->now + longest;
	s->deadline_set = true;
}

static bool expect_push(struct smtp_session *s, enum expect_kind kind, uint16_t arg, uint8_t flag)
{
	struct smtp_expect *e;

	if (s->exp_count >= SMTP_EXPECT_MAX)
		return false;
	e = &s->expect[(s->exp_head + s->exp_count) % SMTP_EXPECT_MAX];
	e->kind = (uint8_t)kind;
	e->arg = arg;
	e->flag = flag;
	s->exp_count++;
	if (kind >= EXP_MAIL && kind <= EXP_BDAT)
		s->txn_pending++;
	rearm(s);
	return true;
}

static struct smtp_expect expect_pop(struct smtp_session *s)
{
	struct smtp_expect e = s->expect[s->exp_head];

	s->exp_head = (s->exp_head + 1) % SMTP_EXPECT_MAX;
	s->exp_count--;
	if (e.kind >= EXP_MAIL && e.kind <= EXP_BDAT)
		s->txn_pending--;
	rearm(s);
	return e;
}

static void update_wait(struct smtp_session *s)
{
	bool waiting = s->status == SMTP_STATUS_RUNNING && s->exp_count > 0 && s->out_head == s->out_tail;

	if (waiting && !s->waiting)
		s->stats.round_trips++;
	s->waiting = waiting;
}

/* ---- results ---- */

static void set_result(struct smtp_result *r, enum smtp_step step, int err, bool temporary,
		       const struct smtp_reply *reply, const char *detail)
{
	memset(r, 0, sizeof(*r));
	r->err = err;
	r->step = step;
	r->temporary = temporary;
	if (reply != NULL)
		r->reply = *reply;
	if (detail != NULL)
		snprintf(r->detail, sizeof(r->detail), "%s", detail);
}

static bool reply_temporary(const struct smtp_reply *r)
{
	return REPLY_CLASS(r->code) == 4u;
}

/* The session cannot go on. Messages not finished get the same result. `graceful` sends QUIT and waits for
 * its reply; otherwise the connection is to be closed at once (timeouts, garbage, 421, transport errors). */
static void fail_session(struct smtp_session *s, enum smtp_step step, int err, bool temporary,
			 const struct smtp_reply *reply, const char *detail, bool graceful)
{
	unsigned i;

	if (s->status == SMTP_STATUS_DONE)
		return;
	if (s->result.err == SMTP_OK)
		set_result(&s->result, step, err, temporary, reply, detail);
	for (i = s->msg_index; i < s->msg_count; i++)
		if (s->msgs[i].result.err == SMTP_ERR_NOT_SENT)
			s->msgs[i].result = s->result;
	s->msg_index = s->msg_count;
	s->in_txn = false;
	s->body_state = BODY_NONE;
	if (graceful && s->status == SMTP_STATUS_RUNNING && !s->quit_sent) {
		s->exp_count = 0;
		s->txn_pending = 0;
		send_quit(s);
		if (s->quit_sent)
			return;
	}
	s->status = SMTP_STATUS_DONE;
	s->out_head = 0;
	s->out_tail = 0;
	s->exp_count = 0;
	s->deadline_set = false;
}

static void fail_local(struct smtp_session *s, enum smtp_step step, int err, const char *fmt, ...)
{
	char detail[SMTP_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fail_session(s, step, err, false, NULL, detail, true);
}

/* Commands are only written when the buffer has room; a single command that does not fit an otherwise empty
 * buffer cannot happen with the sizes in smtp.h, but must not pass silently. */
static bool emit_or_fail(struct smtp_session *s, enum smtp_step step, bool ok)
{
	if (!ok)
		fail_session(s, step, SMTP_ERR_ARG, false, NULL, "command does not fit the output buffer", false);
	return ok;
}

/* ---- capabilities ---- */

static bool word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	if (strlen(word) != len)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != word[i])
			return false;
	}
	return true;
}

static void parse_auth_list(struct smtp_caps *caps, const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && p[i] == ' ')
			i++;
		start = i;
		while (i < len && p[i] != ' ')
			i++;
		caps->auth |= smtp_auth_mech_from_name(p + start, i - start);
	}
}

static void parse_capability(struct smtp_caps *caps, const char *line, size_t len)
{
	size_t kw = 0;

	while (kw < len && line[kw] != ' ' && line[kw] != '=')
		kw++;
	if (word_is(line, kw, "PIPELINING"))
		caps->pipelining = true;
	else if (word_is(line, kw, "CHUNKING"))
		caps->chunking = true;
	else if (word_is(line, kw, "8BITMIME"))
		caps->eightbitmime = true;
	else if (word_is(line, kw, "SMTPUTF8"))
		caps->smtputf8 = true;
	else if (word_is(line, kw, "STARTTLS"))
		caps->starttls = true;
	else if (word_is(line, kw, "ENHANCEDSTATUSCODES"))
		caps->enhanced = true;
	else if (word_is(line, kw, "AUTH") && kw < len) /* "AUTH mechs" and the pre-RFC "AUTH=mechs" */
		parse_auth_list(caps, line + kw + 1, len - kw - 1);
	else if (word_is(line, kw, "SIZE")) {
		uint64_t v = 0;
		size_t i;

		caps->size = true;
		for (i = kw + 1; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
			v = v * 10u + (uint64_t)(line[i] - '0');
			if (v > UINT32_MAX)
				v = UINT32_MAX;
		}
		caps->size_limit = (uint32_t)v;
	}
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
	if (emit_or_fail(s, SMTP_STEP_EHLO, emit(s, NULL, "EHLO %s", s->opt.ehlo_name)))
		expect_push(s, EXP_EHLO, 0, 0);
}

static void send_quit(struct smtp_session *s)
{
	if (s->quit_sent)
		return;
	if (!emit(s, NULL, "QUIT") || !expect_push(s, EXP_QUIT, 0, 0))
		return;
	s->quit_sent = true;
	progress(s, SMTP_STEP_QUIT, "");
}

static void start_messages(struct smtp_session *s)
{
	s->msg_index = 0;
	begin_message(s);
}

static void start_auth(struct smtp_session *s)
{
	const struct smtp_options *o = &s->opt;
	bool have_token = o->auth_token != NULL && o->auth_token[0] != '\0';
	bool have_pass = o->auth_pass != NULL && o->auth_pass[0] != '\0';
	size_t room, pre;
	char *dst;
	int n = 0;
	unsigned mech;

	/* Every mechanism, CRAM-MD5 included: without TLS its response still gives away the user name and lets
	 * anyone who records it (or poses as the server) try passwords offline. */
	if (!s->stats.tls_active && !o->allow_cleartext_auth) {
		fail_local(s, SMTP_STEP_AUTH, SMTP_ERR_CLEARTEXT_AUTH,
			   "refusing to send credentials without TLS: set UseSTARTTLS=YES (port 587) or UseTLS=YES "
			   "(port 465)");
		return;
	}
	mech = smtp_auth_choose(s->caps.auth, o->auth_forced, have_token, have_pass, s->stats.tls_active,
				o->hmac_md5 != NULL);
	if (mech == 0) {
		fail_local(s, SMTP_STEP_AUTH, SMTP_ERR_NO_AUTH_MECH, "server offers%s%s%s%s%s, configured %s",
			   s->caps.auth == 0 ? " no AUTH" : "",
			   (s->caps.auth & SMTP_AUTH_PLAIN) != 0 ? " PLAIN" : "",
			   (s->caps.auth & SMTP_AUTH_LOGIN) != 0 ? " LOGIN" : "",
			   (s->caps.auth & SMTP_AUTH_CRAM_MD5) != 0 ? " CRAM-MD5" : "",
			   (s->caps.auth & SMTP_AUTH_XOAUTH2) != 0 ? " XOAUTH2" : "",
			   o->auth_forced != 0 ? smtp_auth_mech_name(o->auth_forced) : "credentials");
		return;
	}
	s->stats.auth_mech = mech;
	s->auth_detail[0] = '\0';
	progress(s, SMTP_STEP_AUTH, smtp_auth_mech_name(mech));

	/* Responses with an initial response are written straight into the output buffer: no other copy of the
	 * encoded secret exists. */
	room = out_room(s);
	dst = (char *)s->out + s->out_tail;
	switch (mech) {
	case SMTP_AUTH_PLAIN:
		pre = (size_t)snprintf(dst, room, "AUTH PLAIN ");
		n = pre < room ? smtp_auth_plain(dst + pre, room - pre, o->auth_user, o->auth_pass) : -1;
		s->auth_stage = AUTH_FINAL;
		break;
	case SMTP_AUTH_XOAUTH2:
		pre = (size_t)snprintf(dst, room, "AUTH XOAUTH2 ");
		n = pre < room ? smtp_auth_xoauth2(dst + pre, room - pre, o->auth_user, o->auth_token) : -1;
		s->auth_stage = AUTH_XOAUTH2;
		break;
	case SMTP_AUTH_LOGIN:
		if (o->use_old_auth) {
			pre = (size_t)snprintf(dst, room, "AUTH LOGIN ");
			n = pre < room ? smtp_auth_login(dst + pre, room - pre, o->auth_user) : -1;
			s->auth_stage = AUTH_LOGIN_PASS;
		} else {
			pre = (size_t)snprintf(dst, room, "AUTH LOGIN");
			s->auth_stage = AUTH_LOGIN_USER;
		}
		break;
	default: /* CRAM-MD5 */
		pre = (size_t)snprintf(dst, room, "AUTH CRAM-MD5");
		s->auth_stage = AUTH_CRAM;
		break;
	}
	if (n < 0 || pre + (size_t)n + 2 > room) {
		fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_ARG, false, NULL, "AUTH command does not fit", false);
		return;
	}
	if (n > 0) {
		char shown[32];

		snprintf(shown, sizeof(shown), "%.*s" SECRET_MASK, (int)pre, dst);
		log_text(s, "> ", shown, strlen(shown));
	} else {
		log_text(s, "> ", dst, pre);
	}
	dst[pre + (size_t)n] = '\r';
	dst[pre + (size_t)n + 1] = '\n';
	s->out_tail += pre + (size_t)n + 2;
	expect_push(s, EXP_AUTH, 0, 0);
}

static bool message_needs_extensions(const struct smtp_session *s)
{
	unsigned i;

	for (i = 0; i < s->msg_count; i++)
		if (s->msgs[i].needs_8bitmime || s->msgs[i].needs_smtputf8)
			return true;
	return false;
}

/* After a successful EHLO (or HELO): upgrade to TLS, authenticate, or start sending. */
static void after_ehlo(struct smtp_session *s)
{
	if (s->opt.tls == SMTP_TLS_STARTTLS && !s->stats.tls_active) {
		if (!s->caps.starttls) {
			fail_local(s, SMTP_STEP_STARTTLS, SMTP_ERR_NO_STARTTLS,
				   "server does not offer STARTTLS; refusing to continue without TLS");
			return;
		}
		progress(s, SMTP_STEP_STARTTLS, "");
		if (emit_or_fail(s, SMTP_STEP_STARTTLS, emit(s, NULL, "STARTTLS")))
			expect_push(s, EXP_STARTTLS, 0, 0);
		return;
	}
	if (auth_wanted(s)) {
		start_auth(s);
		return;
	}
	start_messages(s);
}

/* ---- messages ---- */

/* 0 when usable; sets *utf8 when the address has non-ASCII octets. */
static int check_address(const char *a, bool allow_empty, bool *utf8)
{
	size_t len;
	size_t i;

	if (a == NULL)
		return SMTP_ERR_ADDRESS;
	len = strlen(a);
	if ((len == 0 && !allow_empty) || len > SMTP_ADDR_MAX)
		return SMTP_ERR_ADDRESS;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)a[i];

		if (c <= ' ' || c == 0x7f || c == '<' || c == '>')
			return SMTP_ERR_ADDRESS;
		if (c >= 0x80)
			*utf8 = true;
	}
	return SMTP_OK;
}

static void fail_message(struct smtp_session *s, enum smtp_step step, int err, bool temporary,
			 const struct smtp_reply *reply, const char *detail)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	if (s->txn_failed)
		return;
	s->txn_failed = true;
	set_result(&m->result, step, err, temporary, reply, detail);
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
	for (i = 0; err == SMTP_OK && i < m->rcpt_count; i++)
		if (check_address(m->rcpt[i], false, utf8) != SMTP_OK) {
			snprintf(detail, sizeof(detail), "unusable recipient address #%u", i + 1);
			err = SMTP_ERR_ADDRESS;
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
	if (err == SMTP_OK)
		return true;
	set_result(&m->result, SMTP_STEP_MAIL, err, false, NULL, detail);
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
		s->in_txn = true;
		s->txn_next = 0;
		s->txn_pending = 0;
		s->txn_mail_ok = false;
		s->txn_failed = false;
		s->txn_stop = false;
		s->txn_dot_sent = false;
		s->txn_any_temp = false;
		s->txn_bdat = s->caps.chunking;
		s->body_state = BODY_NONE;
		memset(&s->first_reject, 0, sizeof(s->first_reject));
		progress(s, SMTP_STEP_MAIL, m->from);
		return;
	}
	s->in_txn = false;
	send_quit(s);
}

/* The current transaction is over (every reply in): next message, with RSET first when the server may still
 * hold a half-open transaction. */
static void end_message(struct smtp_session *s)
{
	bool rset = s->txn_failed && s->txn_mail_ok && !s->txn_dot_sent;

	s->in_txn = false;
	s->body_state = BODY_NONE;
	s->msg_index++;
	if (rset && s->msg_index < s->msg_count) {
		if (!emit_or_fail(s, SMTP_STEP_MAIL, emit(s, NULL, "RSET")))
			return;
		expect_push(s, EXP_RSET, 0, 0);
	}
	begin_message(s);
}

static void maybe_end_message(struct smtp_session *s)
{
	if (s->in_txn && s->txn_pending == 0 && (s->txn_stop || s->body_state == BODY_DONE))
		end_message(s);
}

static bool last_message(const struct smtp_session *s)
{
	return s->msg_index + 1 >= s->msg_count;
}

static void refill(struct smtp_session *s)
{
	struct smtp_message *m = &s->msgs[s->msg_index];
	int n;

	if (s->in_pos < s->in_len || s->body_eof)
		return;
	n = m->read(m->read_ctx, s->in, sizeof(s->in));
	s->in_pos = 0;
	s->in_len = 0;
	if (n < 0 || (size_t)n > sizeof(s->in)) {
		fail_message(s, SMTP_STEP_BODY, SMTP_ERR_READER, false, NULL, "message reader failed");
		/* The server would take whatever ends the content as the whole message: drop the connection. */
		fail_session(s, SMTP_STEP_BODY, SMTP_ERR_READER, false, NULL, "message reader failed", false);
		return;
	}
	if (n == 0)
		s->body_eof = true;
	s->in_len = (size_t)n;
}

/* Turn message octets into wire octets at dst (room >= BODY_EXPANSION_MAX + 2 on entry) until room runs short
 * or the message ends; returns octets written. CRLF, bare LF and bare CR all become CRLF; in DATA mode a '.'
 * at the start of a line is doubled (RFC 5321 §4.5.2). At the end, a missing final CRLF is added. */
static size_t transform(struct smtp_session *s, uint8_t *dst, size_t room, bool stuff)
{
	size_t n = 0;

	while (room - n >= BODY_EXPANSION_MAX + 2) {
		uint8_t c;

		refill(s);
		if (s->status == SMTP_STATUS_DONE)
			return 0;
		if (s->in_pos == s->in_len) {
			if (s->body_pending_cr || !s->body_line_start) {
				dst[n++] = '\r';
				dst[n++] = '\n';
				s->body_pending_cr = false;
				s->body_line_start = true;
			}
			break;
		}
		c = s->in[s->in_pos++];
		if (s->body_pending_cr) {
			s->body_pending_cr = false;
			dst[n++] = '\r';
			dst[n++] = '\n';
			s->body_line_start = true;
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			s->body_pending_cr = true;
			continue;
		}
		if (c == '\n') {
			dst[n++] = '\r';
			dst[n++] = '\n';
			s->body_line_start = true;
			continue;
		}
		if (stuff && s->body_line_start && c == '.')
			dst[n++] = '.';
		dst[n++] = c;
		s->body_line_start = false;
	}
	return n;
}

static bool body_finished(const struct smtp_session *s)
{
	return s->body_eof && s->in_pos == s->in_len && !s->body_pending_cr && s->body_line_start;
}

static void body_start(struct smtp_session *s)
{
	s->body_state = BODY_ACTIVE;
	s->body_line_start = true;
	s->body_pending_cr = false;
	s->body_eof = false;
	s->in_pos = 0;
	s->in_len = 0;
	progress(s, SMTP_STEP_BODY, "");
	rearm(s);
}

static void body_complete(struct smtp_session *s)
{
	s->body_state = BODY_DONE;
	if (s->opt.log != NULL) {
		char line[64];

		snprintf(line, sizeof(line), "> [message: %lu octets]",
			 (unsigned long)s->msgs[s->msg_index].body_octets);
		s->opt.log(s->opt.log_ctx, line);
	}
}

/* DATA content: stream until the end, then ".", and QUIT in the same flight after the last message. */
static void body_emit_data(struct smtp_session *s)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	while (s->body_state == BODY_ACTIVE && s->status == SMTP_STATUS_RUNNING) {
		size_t room = out_room(s);
		size_t n;

		if (room < BODY_EXPANSION_MAX + 2 + DATA_END_LEN + QUIT_LINE_LEN)
			return;
		n = transform(s, s->out + s->out_tail, room - DATA_END_LEN - QUIT_LINE_LEN, true);
		if (s->status != SMTP_STATUS_RUNNING)
			return;
		s->out_tail += n;
		m->body_octets += (uint32_t)n;
		if (!body_finished(s))
			continue;
		memcpy(s->out + s->out_tail, ".\r\n", 3);
		s->out_tail += 3;
		s->txn_dot_sent = true;
		body_complete(s);
		expect_push(s, EXP_DATA_END, 0, 0);
		if (last_message(s) && s->caps.pipelining)
			send_quit(s);
	}
}

/* BDAT content (RFC 3030): each chunk is written after a reserved header slot, then the header is filled in and
 * the data moved up against it. */
static void body_emit_bdat(struct smtp_session *s)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	while (s->body_state == BODY_ACTIVE && s->status == SMTP_STATUS_RUNNING) {
		size_t room, hdr, n, h;
		bool last;
		char header[BDAT_HEADER_MAX + 1];

		if (s->txn_stop) {
			/* A BDAT failed: RFC 3030 forbids further chunks. */
			s->body_state = BODY_DONE;
			return;
		}
		if ((!s->caps.pipelining && s->exp_count > 0) || s->exp_count + 2 > SMTP_EXPECT_MAX)
			return;
		room = out_room(s);
		if (room < BDAT_HEADER_MAX + QUIT_LINE_LEN + BODY_EXPANSION_MAX + 2 ||
		    (s->out_tail > 0 && room < BDAT_HEADER_MAX + QUIT_LINE_LEN + BDAT_MIN_CHUNK))
			return;
		hdr = s->out_tail;
		n = transform(s, s->out + hdr + BDAT_HEADER_MAX, room - BDAT_HEADER_MAX - QUIT_LINE_LEN, false);
		if (s->status != SMTP_STATUS_RUNNING)
			return;
		refill(s); /* look ahead so that the chunk that ends the message carries LAST */
		if (s->status != SMTP_STATUS_RUNNING)
			return;
		last = body_finished(s);
		h = (size_t)snprintf(header, sizeof(header), "BDAT %lu%s\r\n", (unsigned long)n, last ? " LAST" : "");
		memcpy(s->out + hdr, header, h);
		memmove(s->out + hdr + h, s->out + hdr + BDAT_HEADER_MAX, n);
		s->out_tail = hdr + h + n;
		m->body_octets += (uint32_t)n;
		log_text(s, "> ", header, h - 2);
		expect_push(s, EXP_BDAT, 0, last ? 1u : 0u);
		if (last) {
			body_complete(s);
			if (last_message(s) && s->caps.pipelining)
				send_quit(s);
		}
	}
}

/* Write the envelope: MAIL, each RCPT, then DATA or the BDAT body; all at once with PIPELINING, otherwise one
 * command per reply. */
static void txn_emit(struct smtp_session *s)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	while (s->in_txn && !s->txn_stop && s->status == SMTP_STATUS_RUNNING && s->body_state == BODY_NONE) {
		bool ok;

		if ((!s->caps.pipelining && s->exp_count > 0) || s->exp_count + 2 > SMTP_EXPECT_MAX)
			return;
		if (s->txn_next == 0) {
			char size[24] = "";
			bool utf8 = m->needs_smtputf8;

			check_address(m->from, true, &utf8);
			for (unsigned i = 0; i < m->rcpt_count; i++)
				check_address(m->rcpt[i], false, &utf8);
			if (s->caps.size && m->size > 0)
				snprintf(size, sizeof(size), " SIZE=%lu", (unsigned long)m->size);
			ok = emit(s, NULL, "MAIL FROM:<%s>%s%s%s", m->from, size,
				  m->needs_8bitmime ? " BODY=8BITMIME" : "", utf8 ? " SMTPUTF8" : "");
			if (ok)
				expect_push(s, EXP_MAIL, 0, 0);
		} else if (s->txn_next <= m->rcpt_count) {
			ok = emit(s, NULL, "RCPT TO:<%s>", m->rcpt[s->txn_next - 1]);
			if (ok)
				expect_push(s, EXP_RCPT, (uint16_t)(s->txn_next - 1), 0);
		} else if (s->txn_next == m->rcpt_count + 1) {
			if (!s->caps.pipelining && m->rcpt_accepted == 0) {
				/* Every RCPT refused: nothing to send. */
				fail_message(s, SMTP_STEP_RCPT, SMTP_ERR_REPLY, s->txn_any_temp, &s->first_reject, NULL);
				s->txn_stop = true;
				maybe_end_message(s);
				return;
			}
			if (s->txn_bdat) {
				s->txn_next++;
				body_start(s);
				return;
			}
			ok = emit(s, NULL, "DATA");
			if (ok)
				expect_push(s, EXP_DATA, 0, 0);
		} else {
			return;
		}
		if (!ok)
			return; /* wait for the transport to drain the buffer */
		s->txn_next++;
	}
}

static void pump(struct smtp_session *s)
{
	if (s->status != SMTP_STATUS_RUNNING || !s->in_txn)
		return;
	if (s->body_state == BODY_NONE)
		txn_emit(s);
	if (s->in_txn && s->body_state == BODY_ACTIVE) {
		if (s->txn_bdat)
			body_emit_bdat(s);
		else
			body_emit_data(s);
	}
	if (s->in_txn)
		maybe_end_message(s);
}

/* ---- replies ---- */

static void on_greeting(struct smtp_session *s, const struct smtp_reply *r)
{
	if (r->code == 220) {
		progress(s, SMTP_STEP_GREETING, r->text);
		send_ehlo(s);
	} else if (REPLY_CLASS(r->code) == 2u) {
		fail_session(s, SMTP_STEP_GREETING, SMTP_ERR_PROTOCOL, false, r, "unexpected greeting", false);
	} else {
		/* 554 means no service here; RFC 5321 §3.1 still wants a QUIT. */
		fail_session(s, SMTP_STEP_GREETING, SMTP_ERR_REPLY, reply_temporary(r), r, NULL, r->code == 554);
	}
}

static void on_ehlo(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r)
{
	bool needs_ext;

	if (REPLY_CLASS(r->code) == 2u) {
		s->caps.esmtp = e->kind == EXP_EHLO;
		after_ehlo(s);
		return;
	}
	memset(&s->caps, 0, sizeof(s->caps));
	needs_ext = (s->opt.tls == SMTP_TLS_STARTTLS && !s->stats.tls_active) || auth_wanted(s) ||
		    message_needs_extensions(s);
	if (e->kind == EXP_EHLO && (r->code == 500 || r->code == 502) && !needs_ext) {
		if (emit_or_fail(s, SMTP_STEP_EHLO, emit(s, NULL, "HELO %s", s->opt.ehlo_name)))
			expect_push(s, EXP_HELO, 0, 0);
		return;
	}
	if (e->kind == EXP_EHLO && (r->code == 500 || r->code == 502))
		fail_session(s, SMTP_STEP_EHLO, SMTP_ERR_NO_EXTENSIONS, false, r,
			     "server does not speak ESMTP, which this session needs", true);
	else
		fail_session(s, SMTP_STEP_EHLO, SMTP_ERR_REPLY, reply_temporary(r), r, NULL, true);
}

static void on_starttls(struct smtp_session *s, const struct smtp_reply *r)
{
	if (r->code == 220) {
		s->status = SMTP_STATUS_START_TLS;
		rearm(s);
		return;
	}
	fail_session(s, SMTP_STEP_STARTTLS, SMTP_ERR_REPLY, reply_temporary(r), r,
		     "STARTTLS refused; refusing to continue without TLS", true);
}

/* Send one SASL response line built by `make` (base64 of a secret). */
static void send_auth_response(struct smtp_session *s, int n, size_t room)
{
	char *dst = (char *)s->out + s->out_tail;

	if (n < 0 || (size_t)n + 2 > room) {
		fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_PROTOCOL, false, NULL,
			     n == SMTP_AUTH_ERR_BASE64 || n == SMTP_AUTH_ERR_HMAC ? smtp_auth_strerror(n)
										: "AUTH response does not fit",
			     n == SMTP_AUTH_ERR_BASE64);
		return;
	}
	log_text(s, "> ", SECRET_MASK, strlen(SECRET_MASK));
	dst[n] = '\r';
	dst[n + 1] = '\n';
	s->out_tail += (size_t)n + 2;
	expect_push(s, EXP_AUTH, 0, 0);
}

static void note_xoauth2_error(struct smtp_session *s, const struct smtp_reply *r)
{
	uint8_t json[SMTP_DETAIL_MAX];
	int n = smtp_auth_b64_decode(r->text, strlen(r->text), json, sizeof(json) - 1);
	int i;

	if (n <= 0)
		return;
	for (i = 0; i < n; i++)
		if (json[i] < 0x20 || json[i] >= 0x7f)
			json[i] = ' ';
	json[n] = '\0';
	snprintf(s->auth_detail, sizeof(s->auth_detail), "server said: %.*s", (int)sizeof(s->auth_detail) - 14,
		 (const char *)json);
}

static void on_auth(struct smtp_session *s, const struct smtp_reply *r)
{
	const struct smtp_options *o = &s->opt;
	size_t room;
	char *dst;

	if (REPLY_CLASS(r->code) == 2u && s->auth_stage != AUTH_CANCELLED) {
		start_messages(s);
		return;
	}
	if (r->code != 334 || s->auth_stage == AUTH_CANCELLED || s->auth_stage == AUTH_XOAUTH2_FAIL) {
		if (s->auth_stage == AUTH_CANCELLED)
			fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_PROTOCOL, false, &s->first_reject,
				     "unexpected AUTH challenge", true);
		else
			fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_REPLY, reply_temporary(r), r,
				     s->auth_detail[0] != '\0' ? s->auth_detail : NULL, true);
		return;
	}
	room = out_room(s);
	dst = (char *)s->out + s->out_tail;
	switch (s->auth_stage) {
	case AUTH_LOGIN_USER:
		s->auth_stage = AUTH_LOGIN_PASS;
		send_auth_response(s, smtp_auth_login(dst, room, o->auth_user), room);
		break;
	case AUTH_LOGIN_PASS:
		s->auth_stage = AUTH_FINAL;
		send_auth_response(s, smtp_auth_login(dst, room, o->auth_pass), room);
		break;
	case AUTH_CRAM:
		s->auth_stage = AUTH_FINAL;
		send_auth_response(s,
				   smtp_auth_cram_md5(dst, room, r->text, strlen(r->text), o->auth_user, o->auth_pass,
						      o->hmac_md5, o->hmac_ctx),
				   room);
		break;
	case AUTH_XOAUTH2:
		/* Google's error challenge: acknowledge with an empty line, the 5xx outcome follows. */
		note_xoauth2_error(s, r);
		s->auth_stage = AUTH_XOAUTH2_FAIL;
		if (emit_or_fail(s, SMTP_STEP_AUTH, emit(s, "(empty response)", "%s", "")))
			expect_push(s, EXP_AUTH, 0, 0);
		break;
	default:
		/* A challenge where the mechanism has none left: cancel (RFC 4954 §4) and fail. */
		s->first_reject = *r;
		s->auth_stage = AUTH_CANCELLED;
		if (emit_or_fail(s, SMTP_STEP_AUTH, emit(s, NULL, "*")))
			expect_push(s, EXP_AUTH, 0, 0);
		break;
	}
}

static void on_mail(struct smtp_session *s, const struct smtp_reply *r)
{
	if (REPLY_CLASS(r->code) == 2u) {
		s->txn_mail_ok = true;
		return;
	}
	fail_message(s, SMTP_STEP_MAIL, SMTP_ERR_REPLY, reply_temporary(r), r, NULL);
	s->txn_stop = true;
}

static void on_rcpt(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	if (m->rcpt_replies != NULL && e->arg < m->rcpt_count)
		m->rcpt_replies[e->arg] = *r;
	if (REPLY_CLASS(r->code) == 2u) {
		m->rcpt_accepted++;
		return;
	}
	if (s->first_reject.code == 0)
		s->first_reject = *r;
	if (reply_temporary(r))
		s->txn_any_temp = true;
}

/* Why nothing could be delivered when the server reached DATA/BDAT: the MAIL or RCPT refusal comes first. */
static void fail_before_data(struct smtp_session *s, const struct smtp_reply *r, enum smtp_step step)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	if (m->rcpt_accepted == 0 && s->txn_mail_ok)
		fail_message(s, SMTP_STEP_RCPT, SMTP_ERR_REPLY, s->txn_any_temp, &s->first_reject, NULL);
	else
		fail_message(s, step, SMTP_ERR_REPLY, reply_temporary(r), r, NULL);
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
		if (emit_or_fail(s, SMTP_STEP_DATA, emit(s, NULL, "."))) {
			s->txn_dot_sent = true;
			expect_push(s, EXP_DATA_END, 1, 0);
		}
		s->txn_stop = true;
		return;
	}
	fail_before_data(s, r, SMTP_STEP_DATA);
	s->txn_stop = true;
}

static void on_data_end(struct smtp_session *s, const struct smtp_reply *r)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	if (REPLY_CLASS(r->code) == 2u && !s->txn_failed) {
		set_result(&m->result, SMTP_STEP_NONE, SMTP_OK, false, r, NULL);
		return;
	}
	fail_message(s, SMTP_STEP_BODY, SMTP_ERR_REPLY, reply_temporary(r), r, NULL);
}

static void on_bdat(struct smtp_session *s, const struct smtp_expect *e, const struct smtp_reply *r)
{
	struct smtp_message *m = &s->msgs[s->msg_index];

	if (REPLY_CLASS(r->code) != 2u) {
		fail_before_data(s, r, SMTP_STEP_BODY);
		s->txn_stop = true;
		return;
	}
	if (e->flag && !s->txn_failed)
		set_result(&m->result, SMTP_STEP_NONE, SMTP_OK, false, r, NULL);
}

static void on_rset(struct smtp_session *s, const struct smtp_reply *r)
{
	if (REPLY_CLASS(r->code) != 2u)
		fail_session(s, SMTP_STEP_MAIL, SMTP_ERR_REPLY, reply_temporary(r), r, "RSET refused", false);
}

static void on_reply(struct smtp_session *s, const struct smtp_reply *r)
{
	struct smtp_expect e;

	if (s->exp_count == 0) {
		fail_session(s, SMTP_STEP_NONE, r->code == 421 ? SMTP_ERR_REPLY : SMTP_ERR_PROTOCOL, true, r,
			     r->code == 421 ? NULL : "reply to no command", false);
		return;
	}
	e = expect_pop(s);
	if (r->code == 421 && e.kind != EXP_QUIT) {
		/* The server is shutting the channel down (RFC 5321 §3.8): whatever was in flight failed. */
		if (s->in_txn)
			fail_message(s, kind_step(&e), SMTP_ERR_REPLY, true, r, NULL);
		fail_session(s, kind_step(&e), SMTP_ERR_REPLY, true, r, NULL, false);
		return;
	}
	switch (e.kind) {
	case EXP_GREETING:
		on_greeting(s, r);
		break;
	case EXP_EHLO:
	case EXP_HELO:
		on_ehlo(s, &e, r);
		break;
	case EXP_STARTTLS:
		on_starttls(s, r);
		break;
	case EXP_AUTH:
		on_auth(s, r);
		break;
	case EXP_MAIL:
		on_mail(s, r);
		break;
	case EXP_RCPT:
		on_rcpt(s, &e, r);
		break;
	case EXP_DATA:
		on_data(s, r);
		break;
	case EXP_DATA_END:
		on_data_end(s, r);
		break;
	case EXP_BDAT:
		on_bdat(s, &e, r);
		break;
	case EXP_RSET:
		on_rset(s, r);
		break;
	default: /* EXP_QUIT: whatever it says, the session is over */
		s->status = SMTP_STATUS_DONE;
		s->deadline_set = false;
		break;
	}
	if (s->in_txn && e.kind >= EXP_MAIL && e.kind <= EXP_BDAT) {
		pump(s);
		maybe_end_message(s);
	}
}

static void on_line(struct smtp_session *s, bool last)
{
	size_t len;
	const char *text = smtp_reply_line(&s->parser, &len);
	const struct smtp_expect *e = expect_head(s);
	char prefix[12];

	snprintf(prefix, sizeof(prefix), "< %03u%c", s->parser.reply.code, last ? ' ' : '-');
	log_text(s, prefix, text, len);
	if (e != NULL && e->kind == EXP_EHLO && s->parser.reply.code == 250 && s->ehlo_lines++ > 0)
		parse_capability(&s->caps, text, len);
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

void smtp_options_from_config(struct smtp_options *o, const struct config *cfg)
{
	static const unsigned mech_bits[] = {
		[CONFIG_AUTH_LOGIN] = SMTP_AUTH_LOGIN,
		[CONFIG_AUTH_PLAIN] = SMTP_AUTH_PLAIN,
		[CONFIG_AUTH_CRAM_MD5] = SMTP_AUTH_CRAM_MD5,
		[CONFIG_AUTH_XOAUTH2] = SMTP_AUTH_XOAUTH2,
	};
	struct smtp_timeouts *t = &o->timeouts;

	memset(o, 0, sizeof(*o));
	o->ehlo_name = cfg->ehlo_name[0] != '\0' ? cfg->ehlo_name : CONFIG_DEFAULT_EHLO_NAME;
	o->tls = cfg->use_starttls ? SMTP_TLS_STARTTLS : cfg->use_tls ? SMTP_TLS_IMPLICIT : SMTP_TLS_NONE;
	o->allow_cleartext_auth = cfg->allow_auth_without_tls;
	o->auth_user = cfg->auth_user;
	o->auth_pass = cfg->auth_pass;
	o->auth_token = cfg->auth_token;
	o->auth_forced = cfg->auth_method_set ? mech_bits[cfg->auth_method] : 0;
	o->use_old_auth = cfg->use_old_auth;
	t->connect_ms = cfg->connect_timeout_ms;
	t->greeting_ms = cfg->smtp_timeout_ms;
	t->command_ms = cfg->smtp_timeout_ms;
	t->mail_ms = cfg->smtp_timeout_ms;
	t->rcpt_ms = cfg->smtp_timeout_ms;
	t->data_init_ms = cfg->smtp_timeout_ms;
	t->data_block_ms = cfg->smtp_timeout_ms;
	t->data_end_ms = cfg->smtp_timeout_ms > RFC_DATA_END_MS ? cfg->smtp_timeout_ms : RFC_DATA_END_MS;
}

void smtp_session_init(struct smtp_session *s, const struct smtp_options *opt, struct smtp_message *msgs,
		       unsigned count, uint32_t now_ms)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->opt = *opt;
	if (s->opt.ehlo_name == NULL || s->opt.ehlo_name[0] == '\0')
		s->opt.ehlo_name = CONFIG_DEFAULT_EHLO_NAME;
	s->msgs = msgs;
	s->msg_count = msgs != NULL ? count : 0;
	for (i = 0; i < s->msg_count; i++) {
		set_result(&msgs[i].result, SMTP_STEP_NONE, SMTP_ERR_NOT_SENT, false, NULL, NULL);
		msgs[i].rcpt_accepted = 0;
		msgs[i].body_octets = 0;
	}
	smtp_reply_reset(&s->parser);
	s->status = SMTP_STATUS_CONNECTING;
	s->now = now_ms;
	s->deadline = now_ms + s->opt.timeouts.connect_ms;
	s->deadline_set = true;
}

void smtp_session_connected(struct smtp_session *s, uint32_t now_ms)
{
	if (s->status != SMTP_STATUS_CONNECTING)
		return;
	s->now = now_ms;
	s->status = SMTP_STATUS_RUNNING;
	s->stats.tls_active = s->opt.tls == SMTP_TLS_IMPLICIT;
	expect_push(s, EXP_GREETING, 0, 0);
	update_wait(s);
}

void smtp_session_input(struct smtp_session *s, const uint8_t *data, size_t len, uint32_t now_ms)
{
	s->now = now_ms;
	if (s->status == SMTP_STATUS_DONE)
		return;
	s->stats.bytes_received += (uint32_t)len;
	if (s->status != SMTP_STATUS_RUNNING) {
		if (len > 0)
			fail_session(s, s->status == SMTP_STATUS_START_TLS ? SMTP_STEP_STARTTLS : SMTP_STEP_CONNECT,
				     SMTP_ERR_PROTOCOL, false, NULL, "server sent data before TLS was established",
				     false);
		return;
	}
	while (len > 0 && s->status == SMTP_STATUS_RUNNING) {
		size_t used;
		int rc = smtp_reply_feed(&s->parser, data, len, &used);
		const struct smtp_expect *e = expect_head(s);

		data += used;
		len -= used;
		if (rc < 0) {
			fail_session(s, e != NULL ? kind_step(e) : SMTP_STEP_NONE, SMTP_ERR_PROTOCOL, false, NULL,
				     smtp_reply_strerror(rc), false);
			return;
		}
		if (rc == SMTP_REPLY_MORE)
			break;
		on_line(s, rc == SMTP_REPLY_DONE);
		if (rc == SMTP_REPLY_DONE)
			on_reply(s, &s->parser.reply);
		if (s->status == SMTP_STATUS_START_TLS && len > 0)
			fail_session(s, SMTP_STEP_STARTTLS, SMTP_ERR_PROTOCOL, false, NULL,
				     "server sent data after its STARTTLS reply (injection attempt?)", false);
	}
	pump(s);
	update_wait(s);
}

size_t smtp_session_output(struct smtp_session *s, const uint8_t **data)
{
	pump(s);
	*data = s->out + s->out_head;
	return s->out_tail - s->out_head;
}

void smtp_session_output_done(struct smtp_session *s, size_t n, uint32_t now_ms)
{
	size_t pending = s->out_tail - s->out_head;

	s->now = now_ms;
	if (n > pending)
		n = pending;
	s->out_head += n;
	s->stats.bytes_sent += (uint32_t)n;
	if (n > 0 && s->body_state == BODY_ACTIVE)
		rearm(s);
	pump(s);
	update_wait(s);
}

void smtp_session_tls_started(struct smtp_session *s, uint32_t now_ms)
{
	if (s->status != SMTP_STATUS_START_TLS)
		return;
	s->now = now_ms;
	s->status = SMTP_STATUS_RUNNING;
	s->stats.tls_active = true;
	smtp_reply_reset(&s->parser);
	send_ehlo(s);
	update_wait(s);
}

void smtp_session_abort(struct smtp_session *s, enum smtp_step step, bool temporary, const char *detail,
			uint32_t now_ms)
{
	s->now = now_ms;
	if (s->in_txn)
		fail_message(s, step, SMTP_ERR_TRANSPORT, temporary, NULL, detail);
	fail_session(s, step, SMTP_ERR_TRANSPORT, temporary, NULL, detail, false);
}

void smtp_session_closed(struct smtp_session *s, uint32_t now_ms)
{
	const struct smtp_expect *e = expect_head(s);

	s->now = now_ms;
	if (s->status == SMTP_STATUS_DONE)
		return;
	if (s->quit_sent && s->msg_index >= s->msg_count && e != NULL && e->kind == EXP_QUIT) {
		s->status = SMTP_STATUS_DONE;
		s->deadline_set = false;
		return;
	}
	if (s->in_txn)
		fail_message(s, e != NULL ? kind_step(e) : SMTP_STEP_BODY, SMTP_ERR_CLOSED, true, NULL,
			     "connection closed by the server");
	fail_session(s, e != NULL ? kind_step(e) : SMTP_STEP_CONNECT, SMTP_ERR_CLOSED, true, NULL,
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
	if (s->status == SMTP_STATUS_DONE || !s->deadline_set)
		return SMTP_NO_DEADLINE;
	left = (int32_t)(s->deadline - now_ms);
	if (left > 0)
		return (uint32_t)left;
	e = expect_head(s);
	if (s->status == SMTP_STATUS_CONNECTING)
		step = SMTP_STEP_CONNECT;
	else if (s->status == SMTP_STATUS_START_TLS)
		step = SMTP_STEP_TLS;
	else if (e != NULL)
		step = kind_step(e);
	else
		step = SMTP_STEP_BODY;
	if (step == SMTP_STEP_CONNECT || step == SMTP_STEP_TLS)
		limit = s->opt.timeouts.connect_ms;
	else
		limit = e != NULL ? kind_timeout(s, e) : s->opt.timeouts.data_block_ms;
	snprintf(detail, sizeof(detail), "no reply within %lu s", (unsigned long)(limit / MS_PER_S));
	if (s->in_txn)
		fail_message(s, step, SMTP_ERR_TIMEOUT, true, NULL, detail);
	/* RFC 5321 §4.5.3.2: after a timeout the client closes the connection; a QUIT would wait again. */
	fail_session(s, step, SMTP_ERR_TIMEOUT, true, NULL, detail, false);
	return 0;
}

enum smtp_status smtp_session_status(const struct smtp_session *s)
{
	return s->status;
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

	if (has_reply)
		smtp_reply_format(&r->reply, reply, sizeof(reply));
	if (r->err == SMTP_OK)
		return snprintf(buf, size, "sent%s%s", has_reply ? ": " : "", reply);
	if (r->err == SMTP_ERR_NOT_SENT)
		return snprintf(buf, size, "not sent");
	if (has_reply)
		return snprintf(buf, size, "%s failed: %s%s%s%s", smtp_step_name(r->step), reply,
				r->detail[0] != '\0' ? " (" : "", r->detail, r->detail[0] != '\0' ? ")" : "");
	return snprintf(buf, size, "%s failed: %s", smtp_step_name(r->step),
			r->detail[0] != '\0' ? r->detail : smtp_strerror(r->err));
}

int smtp_text_read(void *ctx, uint8_t *buf, size_t cap)
{
	struct smtp_text *t = ctx;
	size_t n = t->len - t->pos < cap ? t->len - t->pos : cap;

	memcpy(buf, t->text + t->pos, n);
	t->pos += n;
	return (int)n;
}

const char *smtp_step_name(enum smtp_step step)
{
	static const char *const names[] = {
		[SMTP_STEP_NONE] = "SMTP",         [SMTP_STEP_CONNECT] = "CONNECT", [SMTP_STEP_GREETING] = "GREETING",
		[SMTP_STEP_EHLO] = "EHLO",         [SMTP_STEP_STARTTLS] = "STARTTLS", [SMTP_STEP_TLS] = "TLS",
		[SMTP_STEP_AUTH] = "AUTH",         [SMTP_STEP_MAIL] = "MAIL",       [SMTP_STEP_RCPT] = "RCPT",
		[SMTP_STEP_DATA] = "DATA",         [SMTP_STEP_BODY] = "BODY",       [SMTP_STEP_QUIT] = "QUIT",
	};

	return (unsigned)step < sizeof(names) / sizeof(names[0]) ? names[step] : "SMTP";
}

const char *smtp_strerror(int err)
{
	switch (err) {
	case SMTP_OK:
		return "ok";
	case SMTP_ERR_ARG:
		return "bad argument or call out of order";
	case SMTP_ERR_REPLY:
		return "refused by the server";
	case SMTP_ERR_PROTOCOL:
		return "protocol error";
	case SMTP_ERR_TIMEOUT:
		return "timed out";
	case SMTP_ERR_CLOSED:
		return "connection closed by the server";
	case SMTP_ERR_TRANSPORT:
		return "connection or TLS failure";
	case SMTP_ERR_NO_STARTTLS:
		return "server does not offer STARTTLS";
	case SMTP_ERR_CLEARTEXT_AUTH:
		return "credentials would be sent without TLS";
	case SMTP_ERR_NO_AUTH_MECH:
		return "no usable AUTH mechanism";
	case SMTP_ERR_SIZE:
		return "message larger than the server accepts";
	case SMTP_ERR_8BITMIME:
		return "server lacks 8BITMIME";
	case SMTP_ERR_SMTPUTF8:
		return "server lacks SMTPUTF8";
	case SMTP_ERR_ADDRESS:
		return "unusable address";
	case SMTP_ERR_READER:
		return "message reader failed";
	case SMTP_ERR_NOT_SENT:
		return "not sent";
	case SMTP_ERR_NO_EXTENSIONS:
		return "server does not support ESMTP";
	default:
		return "unknown SMTP error";
	}
}
