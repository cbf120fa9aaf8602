/*
 * tls.h - TLS 1.2/1.3 client as an lwIP altcp layer on Mbed TLS 3.6 (lwIP's own altcp_tls_mbedtls.c only builds
 * against Mbed TLS 2).
 *
 * A TLS connection is an altcp_pcb like any other: the application uses altcp_write/altcp_recv/altcp_close on it
 * and the layer encrypts into the connection below ("inner"), usually lwIP's altcp_tcp. Two ways in:
 *   - implicit TLS (SMTPS, port 465): tls_new() over a new altcp_tcp pcb, then altcp_connect(); the connected
 *     callback runs once the TCP connection is open AND the handshake has succeeded;
 *   - STARTTLS (port 587): tls_wrap() over a connection that is already open and has exchanged plain text; the
 *     `done` callback runs once the handshake has succeeded. From then on the application uses the returned pcb
 *     only: it owns the inner one and closing it closes both.
 *
 * Security (what every connection gets from its tls_config, made from a struct tls_settings the firmware fills from
 * smtp.conf: firmware/net_settings.c; this layer never sees the configuration itself):
 *   - TLS 1.2 or 1.3 (the minimum from TLS_MinVersion); ECDHE key exchange on X25519 or P-256 only; AEAD suites.
 *   - The host name is sent as SNI and checked against the certificate (subjectAltName or CN). An IP address
 *     (MailHub=10.0.2.2) is not sent as SNI (RFC 6066 forbids it) and must be an iPAddress subjectAltName.
 *   - Without TLS_Fingerprint: the chain must lead to a CA of the bundle (TLS_CA_File, or the bundle built into
 *     the image from Debian's ca-certificates) and every certificate must be within its dates. Dates need the
 *     clock: while net/clock is not set, a connection is refused up front (TLS_ERR_CLOCK, "clock not set: cannot
 *     check certificate dates") rather than checked against 1970 or not checked.
 *   - With TLS_Fingerprint: the pin is the only trust anchor. The server certificate is accepted when the SHA-256
 *     of its DER equals the pin, whatever its chain and dates (so it works before SNTP has set the clock); any
 *     other certificate is refused, even one the CA bundle would accept. The host name is still checked. The CA
 *     certificates are not even parsed then: a chain check the pin overrules anyway would cost a signature check.
 *   - A failed handshake sends the matching fatal alert and never reaches the application as data.
 *
 * Errors: functions return 0 or a negative code: either an Mbed TLS error (-0x0001 .. -0x7FFF, passed through)
 * or a TLS_ERR_* below; tls_strerror() names both. A connection that fails (handshake or later) is aborted and
 * the application's err callback gets ERR_ABRT (TCP errors from below pass through as lwIP reports them); the pcb
 * is gone then, as always with lwIP, and tls_last_error(NULL, ...) tells why: e.g. "X509 - Certificate
 * verification failed, e.g. CRL, CA or signature check failed (-0x2700): certificate not trusted".
 *
 * Memory: per connection one Mbed TLS context with a 16 KiB input and a 4 KiB output record buffer (see
 * MBEDTLS_SSL_IN/OUT_CONTENT_LEN in net/mbedtls_config.h), about 23 KiB on the heap in all; ciphertext waits in
 * lwIP's pbufs (bounded by the TCP window: it is acknowledged to the peer only once Mbed TLS has read it) and
 * plaintext goes to the application in pbufs of at most TLS_RECV_CHUNK bytes. Nothing is proportional to the
 * amount of data: a mail passes through record by record. The tls_config holds the parsed CA certificates
 * (shared by all connections; ~1.6 KiB each on a 64-bit host, see net/ca_bundle.h) and the last session of up to
 * TLS_SESSION_SLOTS servers.
 *
 * Sending: altcp_sndbuf() on a TLS pcb is the plaintext that fits into one record now (0 during the handshake);
 * altcp_write() takes all of len or nothing (ERR_MEM when len exceeds altcp_sndbuf(), like tcp_write), always
 * copies, and hands the record to the inner connection at once (apiflags are ignored: a record is never held
 * back). The sent callback reports acknowledged ciphertext, capped at the plaintext outstanding: a signal that
 * sndbuf has grown, not an exact byte count.
 *
 * Rules: main loop only (lwIP's NO_SYS context); net_stack_init() has run (PSA crypto and net/random seeded from
 * the hardware RNG). Every connection made with a tls_config must be closed before tls_config_free(). Closing or
 * aborting a TLS pcb from inside one of its callbacks is allowed (the layer finishes it when the callback returns).
 *
 * Files: the settings side (tls_config_*: CA certificates, client certificate, pin, session cache) is
 * net/tls_config.c; the I/O side (connections, the handshake, records, reads and writes) is net/tls.c; they meet
 * in the private net/tls_config.h.
 */
#ifndef NET_TLS_H
#define NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lwip/altcp.h"

/* Errors of our own, below the range of Mbed TLS codes (which are -0x0001 .. -0x7FFF). */
#define TLS_ERR_ARG        (-ERR_BASE_TLS - 1) /* NULL or unusable argument (empty or over-long host name) */
#define TLS_ERR_NO_MEM     (-ERR_BASE_TLS - 2) /* out of memory */
#define TLS_ERR_CLOCK      (-ERR_BASE_TLS - 3) /* clock not set: cannot check certificate dates */
#define TLS_ERR_NO_CA      (-ERR_BASE_TLS - 4) /* the CA data holds no certificate Mbed TLS can use */
#define TLS_ERR_PIN        (-ERR_BASE_TLS - 5) /* the server certificate does not match TLS_Fingerprint */
#define TLS_ERR_CLOSED     (-ERR_BASE_TLS - 6) /* the peer closed the connection before the handshake finished */
#define TLS_ERR_CLIENT_KEY (-ERR_BASE_TLS - 7) /* TLSKey is not the key of TLSCert */

/* Plaintext is handed to the recv callback in pbufs of at most this many bytes (one record is up to 16 KiB). */
#ifndef TLS_RECV_CHUNK
#define TLS_RECV_CHUNK 2048
#endif

/* Servers whose last session is kept for resumption. The firmware talks to one mail hub (two with a revaliases
 * entry naming another); each slot holds a session with the server's certificate, 1-2 KiB. */
#ifndef TLS_SESSION_SLOTS
#define TLS_SESSION_SLOTS 2
#endif

/* Longest host name (RFC 1035), the session cache key. */
#define TLS_HOST_MAX 253

/* Text a caller reads from a file: `len` bytes at `text`, not necessarily NUL-terminated. */
struct tls_pem {
    const char *text;
    size_t len;
};

/* SHA-256 of a certificate's DER: the pin's length. */
#define TLS_PIN_LEN 32

/* The lowest protocol version a connection accepts (TLS_MinVersion). */
enum tls_version { TLS_VERSION_1_2, TLS_VERSION_1_3 };

/* What the policy of every connection depends on; the caller fills it (zeroed: TLS 1.2 or later, no pin). */
struct tls_settings {
    enum tls_version min_version;
    bool pinned;              /* TLS_Fingerprint: `pin` is the only trust anchor (see Security above) */
    uint8_t pin[TLS_PIN_LEN]; /* the SHA-256 of the server certificate's DER, when pinned */
};

/* Settings shared by every connection: opaque, made by tls_config_new(). */
struct tls_config;

/*
 * Builds the settings from `settings` (copied) and the files the caller has read: `ca` is the CA file's text
 * (TLS_CA_File), or NULL for the built-in bundle (net/ca_bundle.h); `cert` and `key` are the client certificate
 * and its key (TLSCert and TLSKey; the same text when one file holds both), both NULL without one (UseTLSCert=NO).
 * The texts are parsed (copied) here and may be freed afterwards. The built-in bundle is parsed only when the
 * first connection needs it (not with a pin), in place from the image: see net/ca_bundle.h for time and RAM.
 * PEM blocks Mbed TLS cannot use (e.g. a P-521 root) are skipped; an error only when none is usable.
 * Returns 0 and *out, or a negative code (TLS_ERR_NO_CA, TLS_ERR_CLIENT_KEY, an Mbed TLS parse error).
 */
int tls_config_new(struct tls_config **out, const struct tls_settings *settings, const struct tls_pem *ca,
                   const struct tls_pem *cert, const struct tls_pem *key);

/* Frees the settings, the CA certificates, the client key (wiped) and the saved sessions. NULL is allowed. */
void tls_config_free(struct tls_config *tc);

/* CA certificates loaded (0 before the built-in bundle's first use, and always 0 with a pin, which is then the only
 * trust anchor) and PEM blocks skipped as unusable. */
void tls_config_ca_count(const struct tls_config *tc, unsigned *loaded, unsigned *skipped);

/* Forgets the saved session of `host` (NULL: of every server), so the next connection makes a full handshake. */
void tls_config_forget_sessions(struct tls_config *tc, const char *host);

/*
 * Implicit TLS: a TLS pcb over `inner`, a new pcb not yet connected (altcp_tcp_new_ip_type()), which the TLS pcb
 * owns from now on. Call altcp_connect() on the TLS pcb; its connected callback runs after the TCP connect and
 * the handshake. `host` is the server name for SNI and the certificate check (copied). Returns the pcb, or NULL
 * with *err (may be NULL) set to a negative code, in which case `inner` is still the caller's.
 */
struct altcp_pcb *tls_new(struct altcp_pcb *inner, struct tls_config *tc, const char *host, int *err);

/*
 * STARTTLS: wraps `inner`, an open connection on which nothing unread remains, and starts the handshake at once.
 * The inner pcb's callbacks and arg now belong to the layer. Set arg and callbacks on the returned pcb before the
 * main loop runs again; `done(arg, conn, ERR_OK)` runs when the handshake has succeeded (a failure goes to the err
 * callback). Returns the TLS pcb, or NULL with *err set, in which case `inner` is untouched and still the caller's.
 */
struct altcp_pcb *tls_wrap(struct altcp_pcb *inner, struct tls_config *tc, const char *host, altcp_connected_fn done,
                           int *err);

/* True for a pcb made by tls_new() or tls_wrap(). */
bool tls_is_tls(const struct altcp_pcb *conn);

/* After the handshake: "TLSv1.3" / "TLSv1.2" and the suite, e.g. "TLS1-3-CHACHA20-POLY1305-SHA256"; "" before. */
const char *tls_version(const struct altcp_pcb *conn);
const char *tls_ciphersuite(const struct altcp_pcb *conn);
/* True when the handshake resumed a saved session (no certificate was sent, so none was checked again). */
bool tls_resumed(const struct altcp_pcb *conn);

/*
 * The last error of `conn` (0 when none), or with conn NULL the last error of any TLS connection, which is how an
 * err callback learns why (its pcb is gone). Writes the one-line text into buf (NUL-terminated when len > 0; may
 * be NULL): the Mbed TLS name and code, and for a refused certificate what was wrong with it. Returns the code.
 */
int tls_last_error(const struct altcp_pcb *conn, char *buf, size_t len);

/* Text for a tls or Mbed TLS error code. Valid until the next call. */
const char *tls_strerror(int err);

#endif /* NET_TLS_H */
