/*
 * smtp_harness.h - the scripted transport test_smtp and test_smtp_session play net/smtp's engine against.
 *
 * A script is a table of steps: S() bytes the server sends, C() bytes the client must have sent by then (exactly,
 * in order), TLS (the engine must ask for STARTTLS now) and END (the session must be over with nothing left unsent).
 * smtp_harness_run_all plays one script every way: server bytes whole and one at a time, and a transport that takes
 * the client's output whole or 7 bytes per write. One session at a time lives in `smtp_harness`, with everything the
 * client sent (transcript) and the engine's debug log; smtp_harness_start clears it.
 */
#ifndef TESTS_UNIT_NET_SMTP_HARNESS_H
#define TESTS_UNIT_NET_SMTP_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/smtp.h"

#define SMTP_HARNESS_SENT_MAX 65536
#define SMTP_HARNESS_LOG_MAX  16384
#define SMTP_HARNESS_T0       1000u
#define SMTP_HARNESS_MIN_MS   60000u

enum smtp_harness_op { SMTP_HARNESS_OP_END, SMTP_HARNESS_OP_SERVER, SMTP_HARNESS_OP_CLIENT, SMTP_HARNESS_OP_TLS };

struct smtp_harness_step {
    enum smtp_harness_op op;
    const char *text;
};

#define S(x)                      \
    {                             \
        SMTP_HARNESS_OP_SERVER, x \
    }
#define C(x)                      \
    {                             \
        SMTP_HARNESS_OP_CLIENT, x \
    }
#define TLS                       \
    {                             \
        SMTP_HARNESS_OP_TLS, NULL \
    }
#define END                       \
    {                             \
        SMTP_HARNESS_OP_END, NULL \
    }

struct smtp_harness_body {
    const char *text;
    size_t len;
    size_t pos;
    size_t max_read; /* the reader hands out at most this much per call */
    bool fail;
};

struct smtp_harness {
    struct smtp_session s;
    uint32_t now;
    size_t server_piece;              /* server bytes per smtp_session_input */
    size_t accept;                    /* octets the transport takes per write */
    char sent[SMTP_HARNESS_SENT_MAX]; /* client output not yet matched by a C() step */
    size_t sent_len;
    char transcript[SMTP_HARNESS_SENT_MAX]; /* everything the client ever sent */
    size_t transcript_len;
    char log[SMTP_HARNESS_LOG_MAX];
    size_t log_len;
};

extern struct smtp_harness smtp_harness;

/* Sends a string literal from the server. */
#define SEND(lit) smtp_harness_server_send(lit, sizeof(lit) - 1)

/* A message body the engine reads through smtp_harness_body_read, at most max_read bytes per call. */
int smtp_harness_body_read(void *ctx, uint8_t *buf, size_t cap);
void smtp_harness_body_set(struct smtp_harness_body *b, const char *text, size_t max_read);
/* The engine's log callback (ctx: &smtp_harness): appends the line to smtp_harness.log. */
void smtp_harness_log_line(void *ctx, const char *line);
/* Takes the client's output, as much per write as the transport accepts. */
void smtp_harness_drain(void);
/* Server bytes in pieces of smtp_harness.server_piece, draining the output after each. */
void smtp_harness_server_send(const char *text, size_t len);
/* Fails the test unless the client's unmatched output starts with text; consumes it. */
void smtp_harness_expect_client(const char *text);
/* Implicit TLS, default timeouts, the reference HMAC-MD5 and the harness's log. */
void smtp_harness_options_base(struct smtp_options *o);
/* A fresh session, connected at SMTP_HARNESS_T0. */
void smtp_harness_start(const struct smtp_options *o, struct smtp_message *msgs, unsigned count, size_t piece,
                        size_t accept);
/* Plays a script to its END; the session must then be done with nothing unsent. */
void smtp_harness_play(const struct smtp_harness_step *steps);

/* Runs a script with every split; `setup` fills options and messages afresh for each run. */
typedef void (*smtp_harness_setup_fn)(struct smtp_options *o, struct smtp_message *m, unsigned *count);
typedef void (*smtp_harness_check_fn)(struct smtp_message *m, unsigned count);
void smtp_harness_run_all(smtp_harness_setup_fn setup, const struct smtp_harness_step *steps,
                          smtp_harness_check_fn check, unsigned round_trips);
/* Fails unless smtp_result_format gives expect. */
void smtp_harness_assert_formats(const struct smtp_result *r, const char *expect);

/* The scenarios' common message: SIMPLE_BODY from pi@example.com, which goes on the wire as SIMPLE_WIRE. */
#define SMTP_HARNESS_SIMPLE_BODY "Subject: t\r\n\r\nline1\n.hidden dot\r\nbare cr\rend"
#define SMTP_HARNESS_SIMPLE_WIRE "Subject: t\r\n\r\nline1\r\n..hidden dot\r\nbare cr\r\nend\r\n"
extern const char *const smtp_harness_one_rcpt[1];
extern struct smtp_harness_body smtp_harness_body1, smtp_harness_body2;
void smtp_harness_msg_simple(struct smtp_message *m, struct smtp_harness_body *b, const char *const *rcpt, unsigned n);

/* Setups and checks more than one script uses. */
void smtp_harness_setup_starttls(struct smtp_options *o, struct smtp_message *m, unsigned *count);
void smtp_harness_setup_starttls_auth(struct smtp_options *o, struct smtp_message *m, unsigned *count);
void smtp_harness_setup_auth_implicit(struct smtp_options *o, struct smtp_message *m, unsigned *count);
void smtp_harness_setup_plain_one(struct smtp_options *o, struct smtp_message *m, unsigned *count);
void smtp_harness_check_ok(struct smtp_message *m, unsigned count);
/* Neither AUTH nor MAIL was ever written, and the message failed as the session did. */
void smtp_harness_check_no_auth_written(struct smtp_message *m, unsigned count);

#endif /* TESTS_UNIT_NET_SMTP_HARNESS_H */
