/*
 * smtp_client.h - one SMTP submission over the network: the transport that runs the sans-I/O engine (net/smtp.h)
 * on lwIP's altcp and the TLS layer (net/tls.h).
 *
 * smtp_client_start() resolves the mail hub, connects, and from then on smtp_client_poll(), called on every pass of
 * the main loop, moves bytes between the connection and the engine until smtp_client_done(). What the transport
 * does follows its struct smtp_client_settings, which the firmware fills from smtp.conf exactly as ssmtp reads it
 * (firmware/net_settings.c; this module never sees the configuration itself):
 *  - the server: MailHub and its port, or the mail hub of the account's revaliases entry when it names one;
 *  - SMTP_TLS_STARTTLS (UseSTARTTLS=YES): a plain connection upgraded after the server's STARTTLS reply (the TLS
 *    layer wraps the open connection); SMTP_TLS_IMPLICIT (UseTLS=YES alone): TLS from the first byte (RFC 8314,
 *    port 465); SMTP_TLS_NONE (UseTLS=NO): plain SMTP, where the engine sends credentials only with
 *    allow_cleartext_auth (AllowAuthWithoutTLS=YES);
 *  - the TLS settings (net/tls.h) and the files they need (CA file, client certificate and key), read from the
 *    boot partition when a submission first needs them and kept, with the servers' saved sessions, until a later
 *    submission names other files or other settings;
 *  - ConnectTimeout bounds the name lookup, the TCP connect and an implicit-TLS handshake together, and each
 *    STARTTLS handshake; SMTPTimeout bounds every reply but the one to the end of the data, which gets at least
 *    RFC 5321's 10 minutes (the engine enforces both through smtp_session_poll).
 * The engine, not this module, refuses to send a credential before TLS or after a failed or missing STARTTLS.
 *
 * Progress reaches the caller as one line per event, as it happens: the lookup, "connected to host:port (addr)",
 * the TLS version and cipher suite, STARTTLS, the AUTH mechanism, the sender, and with Debug=YES every line sent
 * and received (secrets masked by the engine). The lines have no line end and are valid during the call only.
 *
 * Rules: main loop only (lwIP's callbacks run there too); one submission at a time. The settings struct is copied,
 * but the messages and every string the settings and messages point to are the caller's and must stay unchanged
 * until smtp_client_done(), and the results are read before the next smtp_client_start(). lwIP callbacks that
 * arrive after a submission ended never touch the caller's memory. Return codes: 0 or a negative SMTP_CLIENT_ERR_*, named by smtp_client_strerror().
 */
#ifndef NET_SMTP_CLIENT_H
#define NET_SMTP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "net/smtp.h"
#include "net/tls.h"

#define SMTP_CLIENT_OK         0
#define SMTP_CLIENT_ERR_BUSY   (-ERR_BASE_SMTP_CLIENT - 1) /* a submission is still running */
#define SMTP_CLIENT_ERR_ARG    (-ERR_BASE_SMTP_CLIENT - 2) /* NULL settings, server or messages */
#define SMTP_CLIENT_ERR_NO_NET (-ERR_BASE_SMTP_CLIENT - 3) /* the network is not up (no address, or no link) */
#define SMTP_CLIENT_ERR_NO_MEM (-ERR_BASE_SMTP_CLIENT - 4) /* no memory for a file the TLS settings name */

/* Longest progress line handed to the callback, a server reply of RFC 5321's 512 octets included. */
#define SMTP_CLIENT_LINE_MAX 600

/* Longest file name of the TLS settings that is remembered as such; a longer one only costs reading the files
 * again at every submission. */
#define SMTP_CLIENT_PATH_MAX 255

/* One submission's settings. */
struct smtp_client_settings {
    const char *host; /* the mail hub: a name or an address */
    uint16_t port;
    /* The engine's options; the client sets the log, progress and HMAC callbacks (log only with debug). */
    struct smtp_options options;
    bool debug; /* report every line sent and received (Debug=YES) */
    /* Used unless options.tls is SMTP_TLS_NONE: */
    struct tls_settings tls;
    const char *ca_file;   /* CA certificates (PEM) on the boot partition; NULL or "": the built-in bundle */
    const char *cert_file; /* the client certificate (PEM); NULL: none */
    const char *key_file;  /* its key (PEM; may name cert_file's file); used with cert_file only */
};

typedef void (*smtp_client_report_fn)(void *ctx, const char *line);

/*
 * Starts submitting `count` messages in one session, with `settings` (for the firmware: net_settings_submission(),
 * which picks an account's revaliases mail hub). count may be 0 (connect, EHLO, AUTH and QUIT: a configuration
 * check). `report` (may be NULL) gets the progress lines. Returns 0, and the session then runs in
 * smtp_client_poll(); or an error, and nothing was started.
 */
int smtp_client_start(const struct smtp_client_settings *settings, struct smtp_message *msgs, unsigned count,
                      smtp_client_report_fn report, void *report_ctx);

/* The transport's main-loop work: deadlines, the TLS start, writes the connection had no room for, closing at the
 * end. Returns at once when no submission runs. */
void smtp_client_poll(void);

/* When smtp_client_poll() next has work that no frame announces (board_uptime_us()): the engine's reply or connect
 * timeout, or a retry of a write lwIP had no memory for; UINT64_MAX when no submission runs. Everything else it
 * does follows a received frame or lwIP's timers (net_next_deadline_us()). As of the last smtp_client_poll(), which
 * every start and every main-loop pass runs after anything that moves the session. */
uint64_t smtp_client_next_deadline_us(void);

/* True when no submission is running: before the first start, and once the last one ended (results final). */
bool smtp_client_done(void);

/* Ends a running submission now (Ctrl-C): the connection is aborted, every message not yet accepted fails with
 * the step it was at and "cancelled". */
void smtp_client_cancel(void);

/* How the last session ended (SMTP_OK when it got to QUIT; each message has its own result). */
const struct smtp_result *smtp_client_result(void);

/* Round trips, octets and the AUTH mechanism of the last session. */
const struct smtp_stats *smtp_client_stats(void);

const char *smtp_client_strerror(int err);

#endif /* NET_SMTP_CLIENT_H */
