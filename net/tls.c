/*
 * tls.c - TLS client altcp layer on Mbed TLS 3.6, the I/O side: connections, the handshake, records, reads and
 * writes; see tls.h. The settings each connection is made from (CA certificates, client certificate, pin, saved
 * sessions) are net/tls_config.c's, reached through net/tls_config.h.
 *
 * Data flow. Received ciphertext pbufs are queued (conn->rx) and handed to Mbed TLS by bio_recv as it asks for
 * them; only then is the TCP window reopened (altcp_recved on the inner pcb), so a slow reader holds back the
 * peer instead of filling RAM. Records Mbed TLS writes go straight into the inner pcb by bio_send; when the inner
 * pcb has no room, the rest of the record waits in Mbed TLS's output buffer (flush_pending) and is pushed from the
 * inner sent and poll callbacks.
 *
 * Re-entry. The application's callbacks run from inside the inner pcb's callbacks. A close or abort requested from
 * one of them is recorded and carried out when the outermost of our callbacks returns (conn_leave), so no code
 * here touches a freed connection and lwIP gets ERR_ABRT exactly when the inner pcb was aborted.
 */
#include "net/tls.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/priv/altcp_priv.h"
#include "mbedtls/asn1.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/sha256.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "net/tls_config.h"

/* One line of error text: an Mbed TLS name (under 100 characters) and what was wrong with a certificate. */
#define ERR_TEXT_MAX 256

/* With a pin the chain and the dates do not count: these are the verification results the pin replaces. */
#define PIN_REPLACES_FLAGS                                                                           \
    (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE | \
     MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK)

enum conn_phase {
    PHASE_IDLE,      /* tls_new(): waiting for altcp_connect and the TCP connection */
    PHASE_HANDSHAKE, /* the handshake runs */
    PHASE_OPEN,      /* application data flows */
    PHASE_BROKEN,    /* a fatal error; the pcb waits for the application to close it */
};

struct tls_conn {
    struct tls_config *tc;
    mbedtls_ssl_context ssl;
    char host[TLS_HOST_MAX + 1];
    uint32_t host_ip[4]; /* the host as an address, when it is an IP literal (host_ip_len bytes) */
    size_t host_ip_len;
    enum conn_phase phase;
    struct pbuf *rx;      /* ciphertext received and not yet read by Mbed TLS */
    struct pbuf *refused; /* plaintext the application's recv callback refused, offered again later */
    bool inner_eof;       /* the peer sent FIN */
    bool eof_delivered;   /* the application got its recv(NULL) */
    bool flush_pending;   /* part of a record is still in Mbed TLS's output buffer */
    u32_t plain_unacked;  /* plaintext written and not yet reported to the sent callback */
    altcp_connected_fn connected;
    /* re-entry (see the top of the file) */
    unsigned busy;
    bool close_requested;
    bool abort_requested;
    bool failed; /* report to the application's err callback and abort when the outermost callback returns */
    /* certificate check */
    bool verify_ran;
    bool pin_mismatch;
    uint8_t leaf_sha256[TLS_PIN_LEN];
    bool resumed;
    int err;
    char err_text[ERR_TEXT_MAX];
};

static const struct altcp_functions tls_functions;

/* The last error of any connection, for err callbacks (their pcb is gone). */
static int last_err;
static char last_err_text[ERR_TEXT_MAX];
static char strerror_buf[ERR_TEXT_MAX];

/* ---- error text -------------------------------------------------------------------------------------------- */

const char *tls_strerror(int err)
{
    switch (err) {
    case 0: return "no error";
    case TLS_ERR_ARG: return "invalid argument";
    case TLS_ERR_NO_MEM: return "out of memory";
    case TLS_ERR_CLOCK: return "clock not set: cannot check certificate dates";
    case TLS_ERR_NO_CA: return "no usable CA certificate";
    case TLS_ERR_PIN: return "the server certificate does not match TLS_Fingerprint";
    case TLS_ERR_CLOSED: return "connection closed during the TLS handshake";
    case TLS_ERR_CLIENT_KEY: return "TLSKey is not the private key of TLSCert";
    default: break;
    }
    char name[ERR_TEXT_MAX - 16];
    mbedtls_strerror(err, name, sizeof name);
    snprintf(strerror_buf, sizeof strerror_buf, "%s (-0x%04X)", name, (unsigned)-err);
    return strerror_buf;
}

/* Appends the verification flags as "; "-separated phrases (Mbed TLS writes one per line). */
static void append_verify_info(char *text, size_t size, uint32_t flags)
{
    char info[ERR_TEXT_MAX];
    if (mbedtls_x509_crt_verify_info(info, sizeof info, "", flags) <= 0) {
        return;
    }
    size_t used = strlen(text);
    const char *sep = ": ";
    for (char *line = strtok(info, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        int n = snprintf(text + used, size - used, "%s%s", sep, line);
        if (n < 0 || (size_t)n >= size - used) {
            return;
        }
        used += (size_t)n;
        sep = "; ";
    }
}

/* Records why the connection failed, on the connection and as the module's last error. */
static void conn_set_error(struct tls_conn *c, int err)
{
    if (c->pin_mismatch) {
        err = TLS_ERR_PIN;
    }
    c->err = err;
    snprintf(c->err_text, sizeof c->err_text, "%s", tls_strerror(err));
    if (err == TLS_ERR_PIN) {
        size_t used = strlen(c->err_text);
        used += (size_t)snprintf(c->err_text + used, sizeof c->err_text - used, " (it has SHA-256 ");
        for (size_t i = 0; i < TLS_PIN_LEN && used + 4 < sizeof c->err_text; i++) {
            used += (size_t)snprintf(c->err_text + used, sizeof c->err_text - used, "%s%02X", i ? ":" : "",
                                     c->leaf_sha256[i]);
        }
        snprintf(c->err_text + used, sizeof c->err_text - used, ")");
    } else if (err == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || err == MBEDTLS_ERR_SSL_BAD_CERTIFICATE) {
        append_verify_info(c->err_text, sizeof c->err_text, mbedtls_ssl_get_verify_result(&c->ssl));
    }
    last_err = err;
    memcpy(last_err_text, c->err_text, sizeof last_err_text);
}

int tls_last_error(const struct altcp_pcb *conn, char *buf, size_t len)
{
    int err = last_err;
    const char *text = last_err_text;
    if (conn != NULL) {
        const struct tls_conn *c = tls_is_tls(conn) ? conn->state : NULL;
        err = c != NULL ? c->err : TLS_ERR_ARG;
        text = c != NULL ? c->err_text : tls_strerror(TLS_ERR_ARG);
    }
    if (buf != NULL && len > 0) {
        snprintf(buf, len, "%s", err != 0 ? text : "");
    }
    return err;
}

/* ---- Mbed TLS callbacks ----------------------------------------------------------------------------------- */

/* Called for every certificate of the chain, the root end first and the server's own (depth 0) last; the flags
 * left after the last call decide. Without a pin Mbed TLS's own result stands. */
/* An IP literal is matched against the certificate's iPAddress names (RFC 6125 6.2.1); Mbed TLS does not check
 * it here because it was not given the host (see conn_setup). */
static bool cert_has_ip(const mbedtls_x509_crt *crt, const struct tls_conn *c)
{
    for (const mbedtls_x509_sequence *san = &crt->subject_alt_names; san != NULL; san = san->next) {
        unsigned tag = san->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK;
        if (tag == MBEDTLS_X509_SAN_IP_ADDRESS && san->buf.len == c->host_ip_len &&
            memcmp(san->buf.p, c->host_ip, c->host_ip_len) == 0) {
            return true;
        }
    }
    return false;
}

static int verify_cert(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct tls_conn *c = ctx;
    c->verify_ran = true;
    if (depth == 0 && c->host_ip_len > 0 && !cert_has_ip(crt, c)) {
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    const uint8_t *pin = tls_config_pin(c->tc);
    if (pin == NULL) {
        return 0;
    }
    if (depth > 0) {
        *flags = 0;
        return 0;
    }
    int err = mbedtls_sha256(crt->raw.p, crt->raw.len, c->leaf_sha256, 0);
    if (err != 0) {
        return err;
    }
    if (memcmp(c->leaf_sha256, pin, TLS_PIN_LEN) == 0) {
        *flags &= ~(uint32_t)PIN_REPLACES_FLAGS;
    } else {
        c->pin_mismatch = true;
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
    }
    return 0;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct altcp_pcb *conn = ctx;
    struct altcp_pcb *inner = conn->inner_conn;
    if (inner == NULL) {
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    u16_t room = altcp_sndbuf(inner);
    u16_t n = (u16_t)(len < room ? len : room);
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    err_t err = altcp_write(inner, buf, n, TCP_WRITE_FLAG_COPY);
    if (err == ERR_MEM) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    if (err != ERR_OK) {
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    /* Each record goes out now; the application's pipelining already groups what belongs together. */
    altcp_output(inner);
    return n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct altcp_pcb *conn = ctx;
    struct tls_conn *c = conn->state;
    if (c->rx == NULL) {
        return c->inner_eof ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
    }
    u16_t n = (u16_t)(len < c->rx->tot_len ? len : c->rx->tot_len);
    pbuf_copy_partial(c->rx, buf, n, 0);
    c->rx = pbuf_free_header(c->rx, n);
    if (conn->inner_conn != NULL) {
        altcp_recved(conn->inner_conn, n);
    }
    return n;
}

/* ---- connection life ------------------------------------------------------------------------------------- */

static struct tls_conn *conn_state(const struct altcp_pcb *conn)
{
    return tls_is_tls(conn) ? conn->state : NULL;
}

static void inner_detach(struct altcp_pcb *inner)
{
    altcp_arg(inner, NULL);
    altcp_recv(inner, NULL);
    altcp_sent(inner, NULL);
    altcp_err(inner, NULL);
    altcp_poll(inner, NULL, inner->pollinterval);
}

static err_t inner_recv(void *arg, struct altcp_pcb *inner, struct pbuf *p, err_t err);
static err_t inner_sent(void *arg, struct altcp_pcb *inner, u16_t len);
static void inner_err(void *arg, err_t err);
static err_t inner_poll(void *arg, struct altcp_pcb *inner);

static void inner_attach(struct altcp_pcb *conn, struct altcp_pcb *inner)
{
    conn->inner_conn = inner;
    altcp_arg(inner, conn);
    altcp_recv(inner, inner_recv);
    altcp_sent(inner, inner_sent);
    altcp_err(inner, inner_err);
    altcp_poll(inner, inner_poll, conn->pollinterval);
}

/* The connection's state is freed by altcp_free() (our dealloc), whoever frees the pcb. */
static void conn_dealloc(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (c == NULL) {
        return;
    }
    if (c->rx != NULL) {
        pbuf_free(c->rx);
    }
    if (c->refused != NULL) {
        pbuf_free(c->refused);
    }
    mbedtls_ssl_free(&c->ssl);
    free(c);
    conn->state = NULL;
}

static void conn_abort_now(struct altcp_pcb *conn)
{
    struct altcp_pcb *inner = conn->inner_conn;
    conn->inner_conn = NULL;
    if (inner != NULL) {
        inner_detach(inner);
        altcp_abort(inner);
    }
    altcp_free(conn);
}

static err_t conn_close_now(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    struct altcp_pcb *inner = conn->inner_conn;
    if (inner != NULL) {
        if (c->phase == PHASE_OPEN) {
            /* Best effort: a close_notify that does not fit is not worth keeping the connection for. */
            mbedtls_ssl_close_notify(&c->ssl);
        }
        inner_detach(inner);
        err_t err = altcp_close(inner);
        if (err != ERR_OK) {
            inner_attach(conn, inner);
            return err;
        }
        conn->inner_conn = NULL;
    }
    altcp_free(conn);
    return ERR_OK;
}

/* Marks the connection failed; conn_leave reports it and aborts. */
static void conn_fail(struct altcp_pcb *conn, int err)
{
    struct tls_conn *c = conn->state;
    if (c->phase == PHASE_HANDSHAKE) {
        /* A session that led to a failed handshake is not offered again. */
        tls_config_forget_sessions(c->tc, c->host);
    }
    conn_set_error(c, err);
    c->phase = PHASE_BROKEN;
    c->flush_pending = false;
    c->failed = true;
}

static void conn_enter(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    c->busy++;
}

/* Ends one of our callbacks: when it is the outermost, carries out what was requested meanwhile. Returns ERR_ABRT
 * when the inner pcb was aborted (the value lwIP's callback must return then). */
static err_t conn_leave(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (--c->busy > 0) {
        return ERR_OK;
    }
    if (c->abort_requested) {
        conn_abort_now(conn);
        return ERR_ABRT;
    }
    if (c->close_requested) {
        /* The application has let go of the pcb; if FIN cannot be queued now, a reset does the job. */
        if (conn_close_now(conn) != ERR_OK) {
            conn_abort_now(conn);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    if (c->failed) {
        altcp_err_fn err_fn = conn->err;
        void *arg = conn->arg;
        conn_abort_now(conn);
        if (err_fn != NULL) {
            err_fn(arg, ERR_ABRT);
        }
        return ERR_ABRT;
    }
    return ERR_OK;
}

static bool conn_stopped(const struct tls_conn *c)
{
    return c->abort_requested || c->close_requested || c->failed;
}

/* Hands plaintext to the application. Returns false when it did not take it (kept in c->refused) or when the
 * connection was closed meanwhile. */
static bool conn_deliver(struct altcp_pcb *conn, struct pbuf *p)
{
    struct tls_conn *c = conn->state;
    err_t err = ERR_OK;
    if (conn->recv != NULL) {
        err = conn->recv(conn->arg, conn, p, ERR_OK);
    } else if (p != NULL) {
        pbuf_free(p);
    }
    if (err == ERR_ABRT) {
        c->abort_requested = true;
        return false;
    }
    if (err != ERR_OK && p != NULL) {
        c->refused = p;
        return false;
    }
    return !conn_stopped(c);
}

static void conn_flush(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (!c->flush_pending) {
        return;
    }
    /* With a record waiting, mbedtls_ssl_write() only pushes it on (the data pointer is not read). */
    int ret = mbedtls_ssl_write(&c->ssl, NULL, 0);
    if (ret >= 0) {
        c->flush_pending = false;
    } else if (ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
        conn_fail(conn, ret);
    }
}

static void handshake_done(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    c->phase = PHASE_OPEN;
    c->resumed = !c->verify_ran;
    c->err = 0;
    c->err_text[0] = '\0';
    /* TLS 1.2 sessions are complete now; TLS 1.3 tickets arrive after the handshake (conn_read). */
    if (mbedtls_ssl_get_version_number(&c->ssl) == MBEDTLS_SSL_VERSION_TLS1_2) {
        tls_config_save_session(c->tc, &c->ssl, c->host);
    }
    if (c->connected != NULL) {
        err_t err = c->connected(conn->arg, conn, ERR_OK);
        if (err == ERR_ABRT) {
            c->abort_requested = true;
        }
    }
}

static void conn_read(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (c->refused != NULL) {
        struct pbuf *p = c->refused;
        c->refused = NULL;
        if (!conn_deliver(conn, p)) {
            return;
        }
    }
    while (c->phase == PHASE_OPEN && !c->eof_delivered && !conn_stopped(c)) {
        if (c->rx == NULL && !c->inner_eof && mbedtls_ssl_get_bytes_avail(&c->ssl) == 0 &&
            !mbedtls_ssl_check_pending(&c->ssl)) {
            return;
        }
        struct pbuf *p = pbuf_alloc(PBUF_RAW, TLS_RECV_CHUNK, PBUF_RAM);
        if (p == NULL) {
            return; /* the poll callback tries again */
        }
        int ret = mbedtls_ssl_read(&c->ssl, p->payload, p->len);
        if (ret > 0) {
            pbuf_realloc(p, (u16_t)ret);
            if (!conn_deliver(conn, p)) {
                return;
            }
            continue;
        }
        pbuf_free(p);
        if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            tls_config_save_session(c->tc, &c->ssl, c->host);
        } else if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            /* A TLS 1.3 NewSessionTicket comes back as WANT_READ with the message held for the next call, and
             * the records after it may be here already (servers send several tickets with the greeting): go on
             * while Mbed TLS holds something or ciphertext waits, else the rest waits for the next poll. */
            if (ret == MBEDTLS_ERR_SSL_WANT_WRITE || (c->rx == NULL && !mbedtls_ssl_check_pending(&c->ssl))) {
                return;
            }
        } else if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
            /* close_notify, or TCP FIN without one: either way the server is done; SMTP's replies are complete
             * lines, so a cut-off one shows as a protocol error above us, not as silent truncation. */
            c->eof_delivered = true;
            conn_deliver(conn, NULL);
            return;
        } else {
            conn_fail(conn, ret);
            return;
        }
    }
}

/* Moves everything on: the handshake, a waiting record, received data. */
static void conn_drive(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (c->phase == PHASE_HANDSHAKE) {
        int ret = mbedtls_ssl_handshake(&c->ssl);
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            return;
        }
        if (ret != 0) {
            conn_fail(conn, ret == MBEDTLS_ERR_SSL_CONN_EOF ? TLS_ERR_CLOSED : ret);
            return;
        }
        handshake_done(conn);
        if (conn_stopped(c)) {
            return;
        }
    }
    if (c->phase == PHASE_OPEN) {
        conn_flush(conn);
        conn_read(conn);
    }
}

/* ---- inner pcb callbacks ------------------------------------------------------------------------------------ */

static err_t inner_connected(void *arg, struct altcp_pcb *inner, err_t err)
{
    struct altcp_pcb *conn = arg;
    (void)inner;
    (void)err; /* lwIP always passes ERR_OK; failures come through the err callback */
    struct tls_conn *c = conn->state;
    conn_enter(conn);
    c->phase = PHASE_HANDSHAKE;
    conn_drive(conn);
    return conn_leave(conn);
}

static err_t inner_recv(void *arg, struct altcp_pcb *inner, struct pbuf *p, err_t err)
{
    struct altcp_pcb *conn = arg;
    (void)inner;
    (void)err;
    struct tls_conn *c = conn->state;
    conn_enter(conn);
    if (p == NULL) {
        c->inner_eof = true;
    } else if (c->rx == NULL) {
        c->rx = p;
    } else {
        pbuf_cat(c->rx, p);
    }
    if (c->phase == PHASE_HANDSHAKE || c->phase == PHASE_OPEN) {
        conn_drive(conn);
    }
    return conn_leave(conn);
}

static err_t inner_sent(void *arg, struct altcp_pcb *inner, u16_t len)
{
    struct altcp_pcb *conn = arg;
    (void)inner;
    struct tls_conn *c = conn->state;
    conn_enter(conn);
    if (c->phase == PHASE_HANDSHAKE) {
        conn_drive(conn);
    } else if (c->phase == PHASE_OPEN) {
        conn_flush(conn);
        if (!conn_stopped(c) && c->plain_unacked > 0 && conn->sent != NULL) {
            u16_t n = (u16_t)(len < c->plain_unacked ? len : c->plain_unacked);
            c->plain_unacked -= n;
            if (conn->sent(conn->arg, conn, n) == ERR_ABRT) {
                c->abort_requested = true;
            }
        }
    }
    return conn_leave(conn);
}

static err_t inner_poll(void *arg, struct altcp_pcb *inner)
{
    struct altcp_pcb *conn = arg;
    (void)inner;
    struct tls_conn *c = conn->state;
    conn_enter(conn);
    if (c->phase == PHASE_HANDSHAKE || c->phase == PHASE_OPEN) {
        conn_drive(conn);
    }
    if (!conn_stopped(c) && conn->poll != NULL && conn->poll(conn->arg, conn) == ERR_ABRT) {
        c->abort_requested = true;
    }
    return conn_leave(conn);
}

/* The inner pcb is gone (reset, timeout, or aborted by lwIP for memory). */
static void inner_err(void *arg, err_t err)
{
    struct altcp_pcb *conn = arg;
    struct tls_conn *c = conn->state;
    conn->inner_conn = NULL;
    if (c->phase != PHASE_BROKEN) {
        c->err = TLS_ERR_CLOSED;
        snprintf(c->err_text, sizeof c->err_text, "connection lost (lwIP error %d)", (int)err);
        last_err = c->err;
        memcpy(last_err_text, c->err_text, sizeof last_err_text);
    }
    altcp_err_fn err_fn = conn->err;
    void *app_arg = conn->arg;
    if (c->busy > 0) {
        /* Inside one of our own callbacks (lwIP aborted the pcb under us): finish there. */
        c->failed = !c->close_requested && !c->abort_requested;
        return;
    }
    altcp_free(conn);
    if (err_fn != NULL) {
        err_fn(app_arg, err);
    }
}

/* ---- creating connections --------------------------------------------------------------------------------- */

/* The per-connection part: host name, verification, resumption. The built-in CA bundle is parsed here the first
 * time a connection needs it. */
static int conn_setup(struct altcp_pcb *conn, struct tls_config *tc, const char *host)
{
    if (host == NULL || host[0] == '\0' || strlen(host) > TLS_HOST_MAX) {
        return TLS_ERR_ARG;
    }
    int err = tls_config_prepare(tc);
    if (err != 0) {
        return err;
    }
    struct tls_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return TLS_ERR_NO_MEM;
    }
    conn->state = c;
    conn->fns = &tls_functions;
    c->tc = tc;
    snprintf(c->host, sizeof c->host, "%s", host);
    mbedtls_ssl_init(&c->ssl);
    err = mbedtls_ssl_setup(&c->ssl, tls_config_ssl(tc));
    if (err == 0) {
        /* SNI and the name the certificate must carry. SNI may not carry an address (RFC 6066 section 3), which
         * Mbed TLS would send; for an IP literal it gets no host and verify_cert checks the address. */
        c->host_ip_len = mbedtls_x509_crt_parse_cn_inet_pton(c->host, c->host_ip);
        err = mbedtls_ssl_set_hostname(&c->ssl, c->host_ip_len > 0 ? NULL : c->host);
    }
    if (err != 0) {
        return err;
    }
    mbedtls_ssl_set_verify(&c->ssl, verify_cert, c);
    mbedtls_ssl_set_bio(&c->ssl, conn, bio_send, bio_recv, NULL);
    tls_config_resume(tc, &c->ssl, c->host);
    return 0;
}

static struct altcp_pcb *conn_create(struct tls_config *tc, const char *host, int *err)
{
    int dummy;
    int *e = err != NULL ? err : &dummy;
    if (tc == NULL) {
        *e = TLS_ERR_ARG;
        return NULL;
    }
    struct altcp_pcb *conn = altcp_alloc();
    if (conn == NULL) {
        *e = TLS_ERR_NO_MEM;
        return NULL;
    }
    *e = conn_setup(conn, tc, host);
    if (*e != 0) {
        altcp_free(conn);
        return NULL;
    }
    return conn;
}

struct altcp_pcb *tls_new(struct altcp_pcb *inner, struct tls_config *tc, const char *host, int *err)
{
    if (inner == NULL) {
        if (err != NULL) {
            *err = TLS_ERR_ARG;
        }
        return NULL;
    }
    struct altcp_pcb *conn = conn_create(tc, host, err);
    if (conn != NULL) {
        inner_attach(conn, inner);
    }
    return conn;
}

struct altcp_pcb *tls_wrap(struct altcp_pcb *inner, struct tls_config *tc, const char *host, altcp_connected_fn done,
                           int *err)
{
    if (inner == NULL) {
        if (err != NULL) {
            *err = TLS_ERR_ARG;
        }
        return NULL;
    }
    struct altcp_pcb *conn = conn_create(tc, host, err);
    if (conn == NULL) {
        return NULL;
    }
    struct tls_conn *c = conn->state;
    c->connected = done;
    c->phase = PHASE_HANDSHAKE;
    conn->pollinterval = inner->pollinterval;

    /* The ClientHello goes out now. Nothing can call back into the application before the caller returns. */
    struct altcp_pcb saved = *inner;
    inner_attach(conn, inner);
    int ret = mbedtls_ssl_handshake(&c->ssl);
    if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
        /* The ClientHello could not even be made (random generator, memory): give the caller its pcb back. */
        altcp_arg(inner, saved.arg);
        altcp_recv(inner, saved.recv);
        altcp_sent(inner, saved.sent);
        altcp_err(inner, saved.err);
        altcp_poll(inner, saved.poll, saved.pollinterval);
        conn->inner_conn = NULL;
        conn_set_error(c, ret);
        altcp_free(conn);
        if (err != NULL) {
            *err = ret;
        }
        return NULL;
    }
    return conn;
}

bool tls_is_tls(const struct altcp_pcb *conn)
{
    return conn != NULL && conn->fns == &tls_functions && conn->state != NULL;
}

const char *tls_version(const struct altcp_pcb *conn)
{
    const struct tls_conn *c = conn_state(conn);
    return c != NULL && c->phase == PHASE_OPEN ? mbedtls_ssl_get_version(&c->ssl) : "";
}

const char *tls_ciphersuite(const struct altcp_pcb *conn)
{
    const struct tls_conn *c = conn_state(conn);
    return c != NULL && c->phase == PHASE_OPEN ? mbedtls_ssl_get_ciphersuite(&c->ssl) : "";
}

bool tls_resumed(const struct altcp_pcb *conn)
{
    const struct tls_conn *c = conn_state(conn);
    return c != NULL && c->phase == PHASE_OPEN && c->resumed;
}

/* ---- the altcp functions ------------------------------------------------------------------------------------ */

static void tls_set_poll(struct altcp_pcb *conn, u8_t interval)
{
    if (conn->inner_conn != NULL) {
        altcp_poll(conn->inner_conn, inner_poll, interval);
    }
}

/* The TCP window is reopened as Mbed TLS reads ciphertext (bio_recv); plaintext the application has not taken
 * stays in c->refused, so there is nothing to count here. */
static void tls_recved(struct altcp_pcb *conn, u16_t len)
{
    (void)conn;
    (void)len;
}

static err_t tls_connect(struct altcp_pcb *conn, const ip_addr_t *ipaddr, u16_t port, altcp_connected_fn connected)
{
    struct tls_conn *c = conn->state;
    if (conn->inner_conn == NULL || c->phase != PHASE_IDLE) {
        return ERR_VAL;
    }
    c->connected = connected;
    return altcp_connect(conn->inner_conn, ipaddr, port, inner_connected);
}

static void tls_abort(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (c->busy > 0) {
        c->abort_requested = true;
        return;
    }
    conn_abort_now(conn);
}

static err_t tls_close(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (c->busy > 0) {
        c->close_requested = true;
        return ERR_OK;
    }
    return conn_close_now(conn);
}

static err_t tls_shutdown(struct altcp_pcb *conn, int shut_rx, int shut_tx)
{
    struct tls_conn *c = conn->state;
    if (shut_tx && c->phase == PHASE_OPEN && !c->flush_pending) {
        /* An alert that does not fit waits in Mbed TLS's output buffer like a record: its next write call would
         * push it on and report the application's data written without taking it. (With a record waiting already,
         * close_notify would only push that on and drop the alert.) */
        if (mbedtls_ssl_close_notify(&c->ssl) == MBEDTLS_ERR_SSL_WANT_WRITE) {
            c->flush_pending = true;
        }
    }
    return conn->inner_conn != NULL ? altcp_shutdown(conn->inner_conn, shut_rx, shut_tx) : ERR_CONN;
}

static u16_t tls_sndbuf(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    if (c->phase != PHASE_OPEN || c->flush_pending || conn->inner_conn == NULL) {
        return 0;
    }
    int expansion = mbedtls_ssl_get_record_expansion(&c->ssl);
    int max_payload = mbedtls_ssl_get_max_out_record_payload(&c->ssl);
    int room = (int)altcp_sndbuf(conn->inner_conn) - expansion;
    if (expansion < 0 || max_payload <= 0 || room <= 0) {
        return 0;
    }
    return (u16_t)(room < max_payload ? room : max_payload);
}

static err_t tls_write(struct altcp_pcb *conn, const void *dataptr, u16_t len, u8_t apiflags)
{
    struct tls_conn *c = conn->state;
    (void)apiflags;
    if (c->phase != PHASE_OPEN) {
        return ERR_CONN;
    }
    if (len == 0) {
        return ERR_OK;
    }
    if (len > tls_sndbuf(conn)) {
        return ERR_MEM;
    }
    int ret = mbedtls_ssl_write(&c->ssl, dataptr, len);
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        /* The record is made and partly handed on; the rest goes from the sent or poll callback. */
        c->flush_pending = true;
        ret = len;
    }
    if (ret != (int)len) {
        /* Not reported through the err callback from inside a call of the application's: it gets ERR_CONN and
         * tls_last_error(conn) and closes the pcb itself. */
        conn_set_error(c, ret < 0 ? ret : MBEDTLS_ERR_SSL_INTERNAL_ERROR);
        c->phase = PHASE_BROKEN;
        return ERR_CONN;
    }
    c->plain_unacked += len;
    return ERR_OK;
}

static err_t tls_output(struct altcp_pcb *conn)
{
    return conn->inner_conn != NULL ? altcp_output(conn->inner_conn) : ERR_CONN;
}

static u16_t tls_mss(struct altcp_pcb *conn)
{
    struct tls_conn *c = conn->state;
    u16_t mss = conn->inner_conn != NULL ? altcp_mss(conn->inner_conn) : 0;
    int expansion = c->phase == PHASE_OPEN ? mbedtls_ssl_get_record_expansion(&c->ssl) : 0;
    return expansion >= 0 && mss > expansion ? (u16_t)(mss - expansion) : 0;
}

static const struct altcp_functions tls_functions = {
    .set_poll = tls_set_poll,
    .recved = tls_recved,
    .bind = altcp_default_bind,
    .connect = tls_connect,
    .listen = NULL, /* client only */
    .abort = tls_abort,
    .close = tls_close,
    .shutdown = tls_shutdown,
    .write = tls_write,
    .output = tls_output,
    .mss = tls_mss,
    .sndbuf = tls_sndbuf,
    .sndqueuelen = altcp_default_sndqueuelen,
    .nagle_disable = altcp_default_nagle_disable,
    .nagle_enable = altcp_default_nagle_enable,
    .nagle_disabled = altcp_default_nagle_disabled,
    .setprio = altcp_default_setprio,
    .dealloc = conn_dealloc,
    .addrinfo = altcp_default_get_tcp_addrinfo,
    .getip = altcp_default_get_ip,
    .getport = altcp_default_get_port,
#if LWIP_TCP_KEEPALIVE
    .keepalive_disable = altcp_default_keepalive_disable,
    .keepalive_enable = altcp_default_keepalive_enable,
#endif
#ifdef LWIP_DEBUG
    .dbg_get_tcp_state = altcp_default_dbg_get_tcp_state,
#endif
};
