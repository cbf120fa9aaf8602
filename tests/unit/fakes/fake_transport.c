/*
 * fake_transport.c - the network below net/smtp_client, faked at its interfaces (see fake_transport.h).
 */
#include "fake_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/priv/altcp_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "mbedtls/md.h"
#include "net/net.h"
#include "net/smtp_auth.h"
#include "net/tls.h"

#define SNDBUF_DEFAULT 4096u
#define SNDBUF_MAX     8192u

struct fake_transport fake_transport;

/* pbuf.c drops TCP's out-of-sequence queues when pbufs run short; there is no TCP below the fake connections. */
struct tcp_pcb *tcp_active_pcbs;

void tcp_free_ooseq(struct tcp_pcb *pcb)
{
    (void)pcb;
}

void fake_transport_reset(void)
{
    memset(&fake_transport, 0, sizeof(fake_transport));
    fake_transport.net_up = true;
    fake_transport.dns_mode = FAKE_DNS_AT_ONCE;
    fake_transport.sndbuf = SNDBUF_DEFAULT;
    fake_transport.write_err = ERR_OK;
}

bool net_is_up(void)
{
    return fake_transport.net_up;
}

/* CRAM-MD5's HMAC: a stand-in that depends on its inputs; CRAM-MD5 itself is test_smtp_auth's. */
const mbedtls_md_info_t *mbedtls_md_info_from_type(mbedtls_md_type_t md_type)
{
    static const char md5_tag;

    return md_type == MBEDTLS_MD_MD5 ? (const mbedtls_md_info_t *)(const void *)&md5_tag : NULL;
}

int mbedtls_md_hmac(const mbedtls_md_info_t *md_info, const unsigned char *key, size_t keylen,
                    const unsigned char *input, size_t ilen, unsigned char *output)
{
    (void)md_info;
    memset(output, 0, SMTP_AUTH_MD5_LEN);
    output[0] = (unsigned char)(keylen + ilen);
    output[1] = keylen > 0 ? key[0] : 0;
    output[2] = ilen > 0 ? input[0] : 0;
    return 0;
}

/* ---- connections ---- */

static bool is_live(const struct fake_transport_conn *c)
{
    for (unsigned i = 0; i < fake_transport.live_count; i++) {
        if (fake_transport.live[i] == c) {
            return true;
        }
    }
    return false;
}

static struct fake_transport_conn *conn_of(struct altcp_pcb *pcb)
{
    struct fake_transport_conn *c = (struct fake_transport_conn *)pcb;

    if (!is_live(c)) {
        abort(); /* the client used a connection lwIP has freed (ASan would see the access too) */
    }
    return c;
}

static void unlist(struct fake_transport_conn *c)
{
    for (unsigned i = 0; i < fake_transport.live_count; i++) {
        if (fake_transport.live[i] == c) {
            fake_transport.live[i] = fake_transport.live[--fake_transport.live_count];
            return;
        }
    }
}

/* Frees a connection and the one it owns, as lwIP does on close, abort and before the err callback. */
static void conn_free(struct fake_transport_conn *c)
{
    unlist(c);
    if (fake_transport.current == c) {
        fake_transport.current = NULL;
    }
    if (c->inner != NULL) {
        conn_free(c->inner);
    }
    free(c);
}

static void fake_abort(struct altcp_pcb *pcb)
{
    struct fake_transport_conn *c = conn_of(pcb);
    altcp_err_fn err = pcb->err;
    void *arg = pcb->arg;

    fake_transport.aborts++;
    conn_free(c);
    if (err != NULL) {
        err(arg, ERR_ABRT); /* tcp_abort calls the err callback: the client detaches first */
    }
}

static err_t fake_close(struct altcp_pcb *pcb)
{
    struct fake_transport_conn *c = conn_of(pcb);

    if (fake_transport.close_fails) {
        fake_transport.close_fails = false;
        return ERR_MEM;
    }
    fake_transport.closes++;
    conn_free(c);
    return ERR_OK;
}

static err_t fake_connect(struct altcp_pcb *pcb, const ip_addr_t *addr, u16_t port, altcp_connected_fn connected)
{
    struct fake_transport_conn *c = conn_of(pcb);

    (void)addr;
    (void)port;
    pcb->connected = connected;
    c->connecting = true;
    return ERR_OK;
}

static u16_t fake_sndbuf(struct altcp_pcb *pcb)
{
    conn_of(pcb);
    return fake_transport.sndbuf;
}

static bool contains(const void *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp((const char *)p + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

static err_t fake_write(struct altcp_pcb *pcb, const void *data, u16_t len, u8_t flags)
{
    struct fake_transport_conn *c = conn_of(pcb);
    size_t room = FAKE_TRANSPORT_WRITTEN_MAX - fake_transport.written_len;

    (void)flags;
    if (len > fake_transport.sndbuf) {
        abort(); /* more than altcp_sndbuf() offered */
    }
    if (fake_transport.write_err != ERR_OK) {
        return fake_transport.write_err;
    }
    /* "c2VjcmV0" is base64 of the tests' password, as AUTH LOGIN sends it. */
    if (fake_transport.tls_required && !(c->tls && fake_transport.tls_up) &&
        (contains(data, len, "AUTH") || contains(data, len, "c2VjcmV0") || contains(data, len, "secret"))) {
        fake_transport.cleartext_secret = true;
    }
    fake_transport.sndbuf -= len;
    memcpy(fake_transport.written + fake_transport.written_len, data, len < room ? len : room);
    fake_transport.written_len += len < room ? len : room;
    fake_transport.written[fake_transport.written_len] = '\0';
    return ERR_OK;
}

static err_t fake_output(struct altcp_pcb *pcb)
{
    conn_of(pcb);
    return ERR_OK;
}

static void fake_recved(struct altcp_pcb *pcb, u16_t len)
{
    (void)len;
    conn_of(pcb);
}

static void fake_nagle_disable(struct altcp_pcb *pcb)
{
    conn_of(pcb);
}

static const struct altcp_functions fake_functions = {
    .recved = fake_recved,
    .connect = fake_connect,
    .abort = fake_abort,
    .close = fake_close,
    .write = fake_write,
    .output = fake_output,
    .sndbuf = fake_sndbuf,
    .nagle_disable = fake_nagle_disable,
};

static struct fake_transport_conn *conn_new(struct fake_transport_conn *inner)
{
    struct fake_transport_conn *c;

    if (fake_transport.live_count >= FAKE_TRANSPORT_CONNS_MAX) {
        abort(); /* connections pile up: the client leaks them */
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        abort();
    }
    c->pcb.fns = &fake_functions;
    c->inner = inner;
    c->tls = inner != NULL;
    fake_transport.live[fake_transport.live_count++] = c;
    fake_transport.current = c;
    return c;
}

/* A TLS connection takes the TCP one over: it is no longer the client's (nor live on its own). */
static struct fake_transport_conn *conn_wrap(struct altcp_pcb *inner)
{
    struct fake_transport_conn *in = conn_of(inner);

    unlist(in);
    return conn_new(in);
}

struct altcp_pcb *altcp_tcp_new_ip_type(u8_t ip_type)
{
    (void)ip_type;
    if (fake_transport.no_memory || fake_transport.live_count >= FAKE_TRANSPORT_CONNS_MAX) {
        return NULL;
    }
    return &conn_new(NULL)->pcb;
}

err_t dns_gethostbyname(const char *hostname, ip_addr_t *addr, dns_found_callback found, void *callback_arg)
{
    snprintf(fake_transport.host, sizeof(fake_transport.host), "%s", hostname);
    switch (fake_transport.dns_mode) {
    case FAKE_DNS_AT_ONCE: IP_ADDR4(addr, 10, 0, 2, 2); return ERR_OK;
    case FAKE_DNS_LATER:
        fake_transport.dns_cb = found;
        fake_transport.dns_old_arg = fake_transport.dns_arg;
        fake_transport.dns_arg = callback_arg;
        return ERR_INPROGRESS;
    case FAKE_DNS_ERR_ARG: return ERR_ARG;
    default: return ERR_VAL;
    }
}

/* ---- the TLS layer ---- */

static struct tls_config *fake_tls_config(void)
{
    static char tag;

    return (struct tls_config *)(void *)&tag;
}

int tls_config_new(struct tls_config **out, const struct tls_settings *settings, const struct tls_pem *ca,
                   const struct tls_pem *cert, const struct tls_pem *key)
{
    (void)settings;
    (void)ca;
    (void)cert;
    (void)key;
    *out = fake_tls_config();
    return 0;
}

void tls_config_free(struct tls_config *tc)
{
    if (tc != NULL && tc != fake_tls_config()) {
        abort();
    }
}

struct altcp_pcb *tls_new(struct altcp_pcb *inner, struct tls_config *tc, const char *host, int *err)
{
    (void)tc;
    (void)host;
    if (fake_transport.tls_reason == TLS_ERR_NO_MEM) {
        *err = TLS_ERR_NO_MEM;
        return NULL;
    }
    fake_transport.tls_up = true; /* implicit TLS: connected runs only after the handshake */
    return &conn_wrap(inner)->pcb;
}

struct altcp_pcb *tls_wrap(struct altcp_pcb *inner, struct tls_config *tc, const char *host, altcp_connected_fn done,
                           int *err)
{
    struct fake_transport_conn *c;

    (void)tc;
    (void)host;
    if (fake_transport.tls_reason == TLS_ERR_NO_MEM) {
        *err = TLS_ERR_NO_MEM;
        return NULL;
    }
    fake_transport.tls_wraps++;
    c = conn_wrap(inner);
    c->tls_done = done;
    fake_transport.tls_up = false;
    return &c->pcb;
}

int tls_last_error(const struct altcp_pcb *conn, char *buf, size_t len)
{
    (void)conn;
    if (buf != NULL && len > 0) {
        snprintf(buf, len, "%s", fake_transport.tls_reason != 0 ? "X509 - certificate not trusted" : "");
    }
    return fake_transport.tls_reason;
}

const char *tls_strerror(int err)
{
    return err == TLS_ERR_NO_MEM ? "out of memory" : "TLS error";
}

const char *tls_version(const struct altcp_pcb *conn)
{
    (void)conn;
    return "TLSv1.3";
}

const char *tls_ciphersuite(const struct altcp_pcb *conn)
{
    (void)conn;
    return "TLS1-3-AES-128-GCM-SHA256";
}

bool tls_resumed(const struct altcp_pcb *conn)
{
    (void)conn;
    return false;
}

/* ---- the network's events ---- */

void fake_transport_deliver(const void *data, size_t n, size_t split)
{
    struct fake_transport_conn *c = fake_transport.current;
    struct pbuf *p, *q;

    if (c == NULL || c->pcb.recv == NULL || n == 0) {
        return;
    }
    if (split == 0 || split >= n) {
        split = n;
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)split, PBUF_RAM);
    if (p == NULL) {
        return;
    }
    memcpy(p->payload, data, split);
    if (split < n) {
        q = pbuf_alloc(PBUF_RAW, (u16_t)(n - split), PBUF_RAM);
        if (q == NULL) {
            pbuf_free(p);
            return;
        }
        memcpy(q->payload, (const uint8_t *)data + split, n - split);
        pbuf_cat(p, q);
    }
    c->pcb.recv(c->pcb.arg, &c->pcb, p, ERR_OK); /* the callback owns p */
}

void fake_transport_sent(uint16_t len)
{
    struct fake_transport_conn *c = fake_transport.current;
    unsigned room = fake_transport.sndbuf + (unsigned)len;

    fake_transport.sndbuf = (uint16_t)(room > SNDBUF_MAX ? SNDBUF_MAX : room);
    if (c != NULL && c->pcb.sent != NULL) {
        c->pcb.sent(c->pcb.arg, &c->pcb, len);
    }
}

void fake_transport_fin(void)
{
    struct fake_transport_conn *c = fake_transport.current;

    if (c != NULL && c->pcb.recv != NULL) {
        c->pcb.recv(c->pcb.arg, &c->pcb, NULL, ERR_OK);
    }
}

void fake_transport_fail(err_t err, int tls_reason)
{
    struct fake_transport_conn *c = fake_transport.current;
    int saved = fake_transport.tls_reason;
    altcp_err_fn fn;
    void *arg;

    if (c == NULL) {
        return;
    }
    fn = c->pcb.err;
    arg = c->pcb.arg;
    fake_transport.tls_reason = tls_reason;
    conn_free(c);
    if (fn != NULL) {
        fn(arg, err);
    }
    fake_transport.tls_reason = saved;
}

bool fake_transport_connected(void)
{
    struct fake_transport_conn *c = fake_transport.current;

    if (c == NULL || !c->connecting || c->pcb.connected == NULL) {
        return false;
    }
    c->connecting = false;
    c->pcb.connected(c->pcb.arg, &c->pcb, ERR_OK);
    return true;
}

bool fake_transport_tls_done(void)
{
    struct fake_transport_conn *c = fake_transport.current;

    if (c == NULL || c->tls_done == NULL || fake_transport.tls_up) {
        return false;
    }
    fake_transport.tls_up = true;
    c->tls_done(c->pcb.arg, &c->pcb, ERR_OK);
    return true;
}

bool fake_transport_dns_answer(bool found, bool stale, bool again)
{
    dns_found_callback cb = fake_transport.dns_cb;
    ip_addr_t addr;

    if (cb == NULL) {
        return false;
    }
    IP_ADDR4(&addr, 10, 0, 2, 2);
    if (!again) {
        fake_transport.dns_cb = NULL;
    }
    cb(fake_transport.host, found ? &addr : NULL, stale ? fake_transport.dns_old_arg : fake_transport.dns_arg);
    return true;
}
