/*
 * smtp - SMTP submission client engine (RFC 5321, 3207, 8314, 2920, 3030, 1870, 6152, 6531, 2034, 4954).
 *
 * The engine speaks SMTP and nothing else: it never touches a socket, a clock or a TLS library ("sans-I/O").
 * A transport (lwIP altcp + net/tls on the boards and on board/native, a script in the unit tests) moves bytes
 * and tells the engine what happened; the engine tells the transport what to send and when to start TLS. The
 * same code therefore runs on the Pi, on the host, under the fuzzer and under valgrind.
 *
 * Transport contract (every call passes the caller's monotonic millisecond clock, which may wrap):
 *   1. smtp_session_init(), then open the TCP connection (and, for SMTP_TLS_IMPLICIT, complete the TLS
 *      handshake), then smtp_session_connected(). On failure call smtp_session_abort() with SMTP_STEP_CONNECT
 *      or SMTP_STEP_TLS.
 *   2. Whenever smtp_session_output() returns bytes, send what the connection accepts and report it with
 *      smtp_session_output_done(). Call smtp_session_output() again after every other call into the engine.
 *   3. Hand every received byte to smtp_session_input(), in order, in pieces of any size.
 *   4. When smtp_session_status() is SMTP_STATUS_START_TLS, the output is empty: run the TLS handshake over the
 *      open connection, then call smtp_session_tls_started() (or smtp_session_abort(SMTP_STEP_TLS, ...)). Any
 *      byte received before the handshake is a protocol error: the engine refuses plaintext injected after the
 *      server's 220 (the STARTTLS command-injection attack).
 *   5. Call smtp_session_poll() at least every time its return value elapses; it enforces the timeouts.
 *   6. When the status is SMTP_STATUS_DONE, close the connection. If the server closes first, call
 *      smtp_session_closed(). Results are then in each smtp_message and in smtp_session_result().
 *   The transport should disable Nagle (altcp_nagle_disable): the engine sends a pipelined group as several
 *   writes and waits for the answer to all of them.
 *
 * Security rules the engine enforces:
 *   - With SMTP_TLS_STARTTLS, nothing but EHLO, STARTTLS and QUIT is sent before TLS; if STARTTLS is not
 *     offered or refused, or TLS fails, the session ends before any credential. After TLS every capability
 *     learned before is dropped and EHLO is sent again. Never a downgrade.
 *   - Credentials (with any mechanism, CRAM-MD5 too) are sent only over TLS unless options.allow_cleartext_auth
 *     is set; otherwise the session ends after EHLO with one line naming the fix, before any byte of a secret.
 *   - On an AUTH failure no other mechanism is tried with the same credentials.
 *   - The debug log (options.log) shows "AUTH PLAIN ********" and "********" for every client SASL response.
 *   - Envelope addresses with control characters, blanks or '<' '>' are refused (no command injection); the
 *     body is dot-stuffed and every bare CR or LF becomes CRLF, so the body cannot end the DATA early.
 *
 * Memory: struct smtp_session is about 7 KiB, owned by the caller, no allocation. Messages and every string in
 * the options and messages are the caller's and must stay valid and unchanged until the session is DONE. The
 * body is pulled through smtp_message.read in chunks of at most SMTP_READ_CHUNK octets, never copied whole.
 * Not thread-safe: call one session from one context (the lwIP thread on the boards).
 */
#ifndef NET_SMTP_H
#define NET_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "net/smtp_auth.h"
#include "net/smtp_body.h"
#include "net/smtp_caps.h"
#include "net/smtp_reply.h"

/* Pending output. Must hold the longest command line, "AUTH XOAUTH2 " with the base64 of a 255-octet user and
 * a 2048-octet token (about 3.1 KiB), and is the most one BDAT chunk can be. */
#ifndef SMTP_OUT_MAX
#define SMTP_OUT_MAX 4096
#endif
/* Commands in flight at once (pipelining depth); larger envelopes are sent in several groups. */
#ifndef SMTP_EXPECT_MAX
#define SMTP_EXPECT_MAX 24
#endif
#define SMTP_DETAIL_MAX  160
#define SMTP_ADDR_MAX    254
#define SMTP_NO_DEADLINE UINT32_MAX

#define SMTP_OK                 0
#define SMTP_ERR_ARG            (-ERR_BASE_SMTP - 1)  /* bad argument or call out of order */
#define SMTP_ERR_REPLY          (-ERR_BASE_SMTP - 2)  /* the server refused (its reply is in the result) */
#define SMTP_ERR_PROTOCOL       (-ERR_BASE_SMTP - 3)  /* malformed, over-long or unexpected server data */
#define SMTP_ERR_TIMEOUT        (-ERR_BASE_SMTP - 4)  /* no reply within the step's timeout */
#define SMTP_ERR_CLOSED         (-ERR_BASE_SMTP - 5)  /* the server closed the connection */
#define SMTP_ERR_TRANSPORT      (-ERR_BASE_SMTP - 6)  /* connect or TLS failure reported by the transport */
#define SMTP_ERR_NO_STARTTLS    (-ERR_BASE_SMTP - 7)  /* STARTTLS required but not offered */
#define SMTP_ERR_CLEARTEXT_AUTH (-ERR_BASE_SMTP - 8)  /* credentials would go without TLS */
#define SMTP_ERR_NO_AUTH_MECH   (-ERR_BASE_SMTP - 9)  /* no offered mechanism fits the configuration */
#define SMTP_ERR_SIZE           (-ERR_BASE_SMTP - 10) /* larger than the server's SIZE limit */
#define SMTP_ERR_8BITMIME       (-ERR_BASE_SMTP - 11) /* message needs 8BITMIME, not offered */
#define SMTP_ERR_SMTPUTF8       (-ERR_BASE_SMTP - 12) /* message needs SMTPUTF8, not offered */
#define SMTP_ERR_ADDRESS        (-ERR_BASE_SMTP - 13) /* unusable envelope address */
#define SMTP_ERR_READER         (-ERR_BASE_SMTP - 14) /* the message reader failed */
#define SMTP_ERR_NOT_SENT       (-ERR_BASE_SMTP - 15) /* not attempted (yet) */
#define SMTP_ERR_NO_EXTENSIONS  (-ERR_BASE_SMTP - 16) /* EHLO refused and the session needs extensions */

enum smtp_step {
    SMTP_STEP_NONE,
    SMTP_STEP_CONNECT,
    SMTP_STEP_GREETING,
    SMTP_STEP_EHLO,
    SMTP_STEP_STARTTLS,
    SMTP_STEP_TLS,
    SMTP_STEP_AUTH,
    SMTP_STEP_MAIL,
    SMTP_STEP_RCPT,
    SMTP_STEP_DATA,
    SMTP_STEP_BODY,
    SMTP_STEP_QUIT,
};

enum smtp_tls_mode {
    SMTP_TLS_NONE,     /* plain SMTP (only with UseTLS=NO) */
    SMTP_TLS_IMPLICIT, /* RFC 8314: TLS from the first byte, port 465 */
    SMTP_TLS_STARTTLS, /* RFC 3207: plain connection upgraded by STARTTLS, port 587 */
};

enum smtp_status {
    SMTP_STATUS_CONNECTING, /* waiting for smtp_session_connected */
    SMTP_STATUS_RUNNING,    /* exchange bytes */
    SMTP_STATUS_START_TLS,  /* run the TLS handshake, then smtp_session_tls_started */
    SMTP_STATUS_DONE,       /* close the connection; results are final */
};

/* RFC 5321 §4.5.3.2 gives the minimum a client should wait for each reply. */
struct smtp_timeouts {
    uint32_t connect_ms;    /* TCP connect, and each TLS handshake */
    uint32_t greeting_ms;   /* 220 greeting: 5 min */
    uint32_t command_ms;    /* EHLO, STARTTLS, AUTH, RSET, QUIT (RFC has none; 5 min like MAIL) */
    uint32_t mail_ms;       /* MAIL: 5 min */
    uint32_t rcpt_ms;       /* RCPT: 5 min */
    uint32_t data_init_ms;  /* DATA's 354: 2 min */
    uint32_t data_block_ms; /* progress while sending the body, and each BDAT chunk: 3 min */
    uint32_t data_end_ms;   /* final reply after the body: 10 min */
};

/* One line for the debug log, without a line end: "> EHLO name" (sent) or "< 250 ok" (received). */
typedef void (*smtp_log_fn)(void *ctx, const char *line);
/* A step begins (GREETING with the server's text, STARTTLS, AUTH with the mechanism, MAIL with the sender,
 * BODY, QUIT). For a console that prints what happens; `detail` is valid during the call only. */
typedef void (*smtp_progress_fn)(void *ctx, enum smtp_step step, const char *detail);
/* The message reader (smtp_read_fn) and smtp_text_read, for a message already in memory, are in net/smtp_body.h. */

/* The EHLO name when the options give none. */
#define SMTP_DEFAULT_EHLO_NAME "baremail"

/* What a session does; the firmware fills it from smtp.conf (firmware/net_settings.c). */
struct smtp_options {
    const char *ehlo_name; /* NULL or "": SMTP_DEFAULT_EHLO_NAME */
    enum smtp_tls_mode tls;
    bool allow_cleartext_auth;
    const char *auth_user; /* NULL or "": no AUTH */
    const char *auth_pass;
    const char *auth_token;    /* OAuth2 access token for XOAUTH2, NULL or "" when none */
    unsigned auth_forced;      /* one SMTP_AUTH_* bit, or 0 to choose (smtp_auth_choose) */
    bool use_old_auth;         /* LOGIN sends the user name with the command (ssmtp's UseOldAUTH) */
    smtp_hmac_md5_fn hmac_md5; /* NULL: CRAM-MD5 unavailable */
    void *hmac_ctx;
    struct smtp_timeouts timeouts;
    smtp_log_fn log; /* NULL: no log (Debug=NO) */
    void *log_ctx;
    smtp_progress_fn progress; /* may be NULL */
    void *progress_ctx;
};

/* How a message, or the session, ended. */
struct smtp_result {
    int err;                      /* SMTP_OK, or SMTP_ERR_* */
    enum smtp_step step;          /* the step that failed; SMTP_STEP_NONE on success */
    bool temporary;               /* 4xx, timeout or lost connection: worth retrying later */
    struct smtp_reply reply;      /* the server reply that decided it; code 0 when none */
    char detail[SMTP_DETAIL_MAX]; /* what the engine adds (local reason, XOAUTH2 error), "" when nothing */
};

struct smtp_message {
    /* set by the caller */
    const char *from;        /* reverse-path without brackets; "" for the null sender */
    const char *const *rcpt; /* forward-paths without brackets */
    unsigned rcpt_count;
    uint32_t size;       /* octets with CRLF line ends (RFC 1870), 0 when unknown: no SIZE= nor check */
    bool needs_8bitmime; /* body has octets >= 0x80: BODY=8BITMIME */
    bool needs_smtputf8; /* UTF-8 addresses or headers: SMTPUTF8 (implied by a non-ASCII address) */
    smtp_read_fn read;
    void *read_ctx;
    struct smtp_reply *rcpt_replies; /* NULL, or rcpt_count entries the engine fills with each RCPT reply */
    /* set by the engine */
    struct smtp_result result;
    unsigned rcpt_accepted;
    uint32_t body_octets; /* octets of the message sent (after CRLF and dot-stuffing) */
};

struct smtp_stats {
    unsigned round_trips; /* times the engine had sent everything and waited for the server */
    uint32_t bytes_sent;
    uint32_t bytes_received;
    bool tls_active;
    unsigned auth_mech; /* SMTP_AUTH_* bit used, 0 when none */
};

/* Where the session is. Everything below is private to the engine (net/smtp*.c, see smtp_engine.h); it is here
 * only so that callers can allocate a session. smtp_session_status() is the phase as the transport needs it. */
enum smtp_phase {
    SMTP_PHASE_CONNECTING, /* waiting for smtp_session_connected */
    SMTP_PHASE_COMMANDS,   /* greeting, EHLO, STARTTLS, AUTH, RSET: commands outside a transaction */
    SMTP_PHASE_START_TLS,  /* STARTTLS accepted: the transport runs the handshake */
    SMTP_PHASE_ENVELOPE,   /* a transaction: MAIL, RCPT and DATA (or the first BDAT) being written */
    SMTP_PHASE_CONTENT,    /* the transaction's message being written (after the 354, or as BDAT chunks) */
    SMTP_PHASE_TXN_END,    /* the transaction wrote all it will (content sent, or refused): its replies are due */
    SMTP_PHASE_QUIT,       /* QUIT sent after the last transaction: its reply or the close ends the session */
    SMTP_PHASE_DONE,       /* results are final */
};

struct smtp_expect {
    uint8_t kind;
    uint8_t flag;
    uint16_t arg;
};

struct smtp_session {
    struct smtp_options opt;
    struct smtp_message *msgs;
    unsigned msg_count;
    unsigned msg_index;
    enum smtp_phase phase;
    uint32_t now;
    uint32_t deadline;
    bool deadline_set;
    bool waiting; /* everything was sent and a reply is awaited (counts round trips) */
    uint8_t auth_stage;
    unsigned ehlo_lines;
    struct smtp_caps caps;
    struct smtp_stats stats;
    struct smtp_result result;
    struct smtp_reply_parser parser;
    struct smtp_expect expect[SMTP_EXPECT_MAX];
    unsigned exp_head;
    unsigned exp_count;
    size_t out_head;
    size_t out_tail;
    uint8_t out[SMTP_OUT_MAX];
    /* the current transaction: what its replies said so far */
    unsigned txn_next;    /* the next envelope command: 0 MAIL, 1..n RCPT, n+1 DATA or the body */
    unsigned txn_pending; /* its replies still awaited */
    bool txn_mail_ok;
    bool txn_failed;
    bool txn_dot_sent; /* the server has seen the end of the data: no RSET needed */
    bool txn_any_temp;
    struct smtp_body body;
    struct smtp_reply first_reject;
    char auth_detail[SMTP_DETAIL_MAX];
};

/* RFC 5321's timeouts, and 30 s to connect. */
void smtp_timeouts_default(struct smtp_timeouts *t);

/* Prepare a session that will submit `count` messages (count may be 0: connect, EHLO, AUTH, QUIT, which checks
 * a configuration). Starts the connect timeout. Every message's result becomes SMTP_ERR_NOT_SENT. */
void smtp_session_init(struct smtp_session *s, const struct smtp_options *opt, struct smtp_message *msgs,
                       unsigned count, uint32_t now_ms);

/* The connection is open (and TLS is up for SMTP_TLS_IMPLICIT); the engine waits for the greeting. */
void smtp_session_connected(struct smtp_session *s, uint32_t now_ms);

/* Bytes received from the server, any split. */
void smtp_session_input(struct smtp_session *s, const uint8_t *data, size_t len, uint32_t now_ms);

/* The pending output: *data points into the session and stays valid until the next call into it. Generates
 * more of the body when there is room. Returns the number of octets, 0 when nothing is to be sent. */
size_t smtp_session_output(struct smtp_session *s, const uint8_t **data);

/* `n` octets of the output were handed to the connection. */
void smtp_session_output_done(struct smtp_session *s, size_t n, uint32_t now_ms);

/* The TLS handshake asked for by SMTP_STATUS_START_TLS succeeded (certificate and host name verified). */
void smtp_session_tls_started(struct smtp_session *s, uint32_t now_ms);

/* The transport failed (step SMTP_STEP_CONNECT or SMTP_STEP_TLS, or any step for a write error); `detail`
 * explains it (e.g. "certificate not trusted"). The session is DONE. */
void smtp_session_abort(struct smtp_session *s, enum smtp_step step, bool temporary, const char *detail,
                        uint32_t now_ms);

/* The server closed the connection. */
void smtp_session_closed(struct smtp_session *s, uint32_t now_ms);

/* Enforce the timeouts. Returns the milliseconds until the current deadline (0 when it just expired and the
 * session is now DONE), or SMTP_NO_DEADLINE when nothing is awaited. */
uint32_t smtp_session_poll(struct smtp_session *s, uint32_t now_ms);

enum smtp_status smtp_session_status(const struct smtp_session *s);
/* How the session ended: SMTP_OK when it got to QUIT (see each message for its own result). */
const struct smtp_result *smtp_session_result(const struct smtp_session *s);
const struct smtp_stats *smtp_session_stats(const struct smtp_session *s);
/* What the server offered in its last EHLO reply. */
const struct smtp_caps *smtp_session_caps(const struct smtp_session *s);

/* One line: "AUTH failed: 535 5.7.8 Username and Password not accepted", "STARTTLS failed: server does not
 * offer STARTTLS", "sent: 250 2.0.0 Ok: queued as 4F2". NUL-terminated when size > 0; returns the length
 * snprintf would produce. */
int smtp_result_format(const struct smtp_result *r, char *buf, size_t size);

/* "AUTH", "RCPT", ... */
const char *smtp_step_name(enum smtp_step step);
const char *smtp_strerror(int err);

#endif /* NET_SMTP_H */
