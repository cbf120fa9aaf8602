/*
 * Host tests of net/tls: real TLS 1.2 and 1.3 handshakes in-process. The client is the TLS layer over an in-memory
 * altcp "wire" (the inner pcb); the server is an Mbed TLS server driven by the test on the other end of the wire.
 * The CA, server and client certificates are made at test time with Mbed TLS's x509write (EC P-256), so no key
 * material is committed. After each test the lwIP pools, lwIP's heap and Mbed TLS's heap are back where they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lwip/altcp.h"
#include "lwip/ip4_addr.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "lwip/priv/altcp_priv.h"
#include "lwip/stats.h"
#include "mbedtls/ecp.h"
#include "mbedtls/pem.h"
#include "mbedtls/pk.h"
#include "mbedtls/platform.h"
#include "mbedtls/sha256.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ticket.h"
#include "mbedtls/x509_crt.h"
#include "net/ca_bundle.h"
#include "net/clock.h"
#include "net/random.h"
#include "net/tls.h"
#include "psa/crypto.h"

#define HOST          "mail.example.test"
#define PIPE_UP_CAP   8192  /* client -> server bytes in flight: the inner pcb's send buffer */
#define PIPE_DOWN_CAP 32768 /* server -> client bytes in flight */
#define PIPE_WINDOW   11680 /* what the client may receive before it calls altcp_recved (lwIP's TCP_WND) */
#define DELIVER_CHUNK 1000  /* odd segment size, so records arrive split */
#define PUMP_MAX      200000

/* lwIP's DHCP comes into the link through netif.c but never runs here; on the boards net/net.c has this hook. */
void dhcp_set_ntp_servers(u8_t num, const ip4_addr_t *server)
{
    (void)num;
    (void)server;
    fail_msg("DHCP ran in the TLS test");
}

/* ---- counting allocator for Mbed TLS ------------------------------------------------------------------------- */

#define HEAP_HDR 16
static size_t heap_now;
static size_t heap_peak;

static void *count_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size - HEAP_HDR) {
        return NULL;
    }
    size_t total = n * size;
    unsigned char *p = calloc(1, total + HEAP_HDR);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, &total, sizeof total);
    heap_now += total;
    if (heap_now > heap_peak) {
        heap_peak = heap_now;
    }
    return p + HEAP_HDR;
}

static void count_free(void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    unsigned char *p = (unsigned char *)ptr - HEAP_HDR;
    size_t total;
    memcpy(&total, p, sizeof total);
    heap_now -= total;
    free(p);
}

/* ---- certificates --------------------------------------------------------------------------------------------- */

struct test_cert {
    mbedtls_pk_context key;
    char subject[64];
    unsigned char der[1024];
    size_t der_len;
    char pem[2048];
    char key_pem[1024];
};

static struct test_cert ca, other_ca, server_crt, expired_crt, other_crt, self_signed, client_crt, ip_crt;

static void cert_make(struct test_cert *c, const char *cn, const struct test_cert *issuer, bool is_ca,
                      const char *not_before, const char *not_after, unsigned char serial)
{
    mbedtls_pk_init(&c->key);
    assert_int_equal(mbedtls_pk_setup(&c->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(c->key), net_random_bytes, NULL), 0);
    snprintf(c->subject, sizeof c->subject, "CN=%s,O=baremail test", cn);

    mbedtls_x509write_cert w;
    mbedtls_x509write_crt_init(&w);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    assert_int_equal(mbedtls_x509write_crt_set_serial_raw(&w, &serial, 1), 0);
    assert_int_equal(mbedtls_x509write_crt_set_validity(&w, not_before, not_after), 0);
    assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, c->subject), 0);
    assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, issuer != NULL ? issuer->subject : c->subject), 0);
    mbedtls_x509write_crt_set_subject_key(&w, &c->key);
    mbedtls_x509write_crt_set_issuer_key(&w, issuer != NULL ? (mbedtls_pk_context *)&issuer->key : &c->key);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    assert_int_equal(mbedtls_x509write_crt_set_basic_constraints(&w, is_ca, -1), 0);
    /* A host name, or an address: its four bytes as an iPAddress name. */
    mbedtls_x509_san_list san = { .node = { .type = MBEDTLS_X509_SAN_DNS_NAME } };
    uint32_t ip[4];
    size_t ip_len = mbedtls_x509_crt_parse_cn_inet_pton(cn, ip);
    if (!is_ca) {
        san.node.san.unstructured_name.p = ip_len > 0 ? (unsigned char *)ip : (unsigned char *)cn;
        san.node.san.unstructured_name.len = ip_len > 0 ? ip_len : strlen(cn);
        san.node.type = ip_len > 0 ? MBEDTLS_X509_SAN_IP_ADDRESS : MBEDTLS_X509_SAN_DNS_NAME;
        assert_int_equal(mbedtls_x509write_crt_set_subject_alternative_name(&w, &san), 0);
    }
    unsigned char buf[2048];
    int n = mbedtls_x509write_crt_der(&w, buf, sizeof buf, net_random_bytes, NULL);
    assert_true(n > 0 && (size_t)n <= sizeof c->der);
    memcpy(c->der, buf + sizeof buf - (size_t)n, (size_t)n);
    c->der_len = (size_t)n;
    mbedtls_x509write_crt_free(&w);

    size_t olen;
    assert_int_equal(mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n", c->der,
                                              c->der_len, (unsigned char *)c->pem, sizeof c->pem, &olen),
                     0);
    assert_int_equal(mbedtls_pk_write_key_pem(&c->key, (unsigned char *)c->key_pem, sizeof c->key_pem), 0);
}

static void cert_free(struct test_cert *c)
{
    mbedtls_pk_free(&c->key);
}

static void cert_sha256(const struct test_cert *c, uint8_t out[32])
{
    assert_int_equal(mbedtls_sha256(c->der, c->der_len, out, 0), 0);
}

/* PEM text as a card file would be: not NUL-terminated (len excludes the NUL). */
static struct tls_pem pem_of(const char *text)
{
    return (struct tls_pem){ .text = text, .len = strlen(text) };
}

/* ---- the wire: the client's inner pcb ----------------------------------------------------------------------- */

static struct {
    struct altcp_pcb *pcb;
    unsigned char up[PIPE_UP_CAP];
    size_t up_len;
    unsigned char down[PIPE_DOWN_CAP];
    size_t down_len;
    size_t window;
    size_t acked; /* consumed by the server, not yet reported to the client's sent callback */
    bool fin_to_client;
    bool closed;
    bool aborted;
    altcp_connected_fn connected;
    unsigned char hello[2048]; /* the first record the client wrote */
    size_t hello_len;
    size_t moved; /* bytes moved either way, to tell whether a step made progress */
} wire;

static err_t pipe_write(struct altcp_pcb *conn, const void *data, u16_t len, u8_t flags)
{
    (void)conn;
    (void)flags;
    if (len > PIPE_UP_CAP - wire.up_len) {
        return ERR_MEM;
    }
    if (wire.hello_len == 0 && len <= sizeof wire.hello) {
        memcpy(wire.hello, data, len);
        wire.hello_len = len;
    }
    memcpy(wire.up + wire.up_len, data, len);
    wire.up_len += len;
    wire.moved += len;
    return ERR_OK;
}

static err_t pipe_output(struct altcp_pcb *conn)
{
    (void)conn;
    return ERR_OK;
}

static u16_t pipe_sndbuf(struct altcp_pcb *conn)
{
    (void)conn;
    return (u16_t)(PIPE_UP_CAP - wire.up_len);
}

static u16_t pipe_mss(struct altcp_pcb *conn)
{
    (void)conn;
    return 1460;
}

static void pipe_recved(struct altcp_pcb *conn, u16_t len)
{
    (void)conn;
    wire.window += len;
    assert_true(wire.window <= PIPE_WINDOW);
}

static err_t pipe_connect(struct altcp_pcb *conn, const ip_addr_t *addr, u16_t port, altcp_connected_fn cb)
{
    (void)conn;
    (void)addr;
    (void)port;
    wire.connected = cb;
    return ERR_OK;
}

static err_t pipe_close(struct altcp_pcb *conn)
{
    wire.closed = true;
    wire.pcb = NULL;
    altcp_free(conn);
    return ERR_OK;
}

static void pipe_abort(struct altcp_pcb *conn)
{
    wire.aborted = true;
    wire.pcb = NULL;
    altcp_free(conn);
}

static const struct altcp_functions pipe_functions = {
    .recved = pipe_recved,
    .connect = pipe_connect,
    .abort = pipe_abort,
    .close = pipe_close,
    .write = pipe_write,
    .output = pipe_output,
    .mss = pipe_mss,
    .sndbuf = pipe_sndbuf,
};

static struct altcp_pcb *pipe_open(void)
{
    memset(&wire, 0, sizeof wire);
    wire.window = PIPE_WINDOW;
    wire.pcb = altcp_alloc();
    assert_non_null(wire.pcb);
    wire.pcb->fns = &pipe_functions;
    return wire.pcb;
}

/* The server end's bio. */
static int srv_send(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    size_t n = PIPE_DOWN_CAP - wire.down_len;
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    n = len < n ? len : n;
    memcpy(wire.down + wire.down_len, buf, n);
    wire.down_len += n;
    wire.moved += n;
    return (int)n;
}

static int srv_recv(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    if (wire.up_len == 0) {
        return wire.closed || wire.aborted ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
    }
    size_t n = len < wire.up_len ? len : wire.up_len;
    memcpy(buf, wire.up, n);
    memmove(wire.up, wire.up + n, wire.up_len - n);
    wire.up_len -= n;
    wire.acked += n;
    wire.moved += n;
    return (int)n;
}

/* ---- the server ----------------------------------------------------------------------------------------------- */

static mbedtls_ssl_ticket_context tickets;

struct server {
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_x509_crt chain;
    mbedtls_x509_crt client_ca;
    bool hs_done;
    int hs_err;
    char sni[TLS_HOST_MAX + 1];
    unsigned char *rx;
    size_t rx_len;
    const unsigned char *tx;
    size_t tx_len;
    size_t tx_off;
    bool got_close_notify;
};

static int server_sni(void *ctx, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    struct server *s = ctx;
    (void)ssl;
    assert_true(len < sizeof s->sni);
    memcpy(s->sni, name, len);
    s->sni[len] = '\0';
    return 0;
}

struct server_opts {
    const struct test_cert *leaf;
    const struct test_cert *issuer; /* sent after the leaf; NULL for none */
    uint16_t min_version;
    uint16_t max_version;
    bool want_client_cert;
    const uint16_t *groups; /* NULL: Mbed TLS's default */
    uint16_t tickets;       /* TLS 1.3 NewSessionTickets sent after each handshake; 0: Mbed TLS's default (1) */
};

static void server_start(struct server *s, const struct server_opts *o)
{
    memset(s, 0, sizeof *s);
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_ssl_init(&s->ssl);
    mbedtls_x509_crt_init(&s->chain);
    mbedtls_x509_crt_init(&s->client_ca);
    assert_int_equal(mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                 MBEDTLS_SSL_PRESET_DEFAULT),
                     0);
    mbedtls_ssl_conf_rng(&s->conf, net_random_bytes, NULL);
    assert_int_equal(mbedtls_x509_crt_parse_der(&s->chain, o->leaf->der, o->leaf->der_len), 0);
    if (o->issuer != NULL) {
        assert_int_equal(mbedtls_x509_crt_parse_der(&s->chain, o->issuer->der, o->issuer->der_len), 0);
    }
    assert_int_equal(mbedtls_ssl_conf_own_cert(&s->conf, &s->chain, (mbedtls_pk_context *)&o->leaf->key), 0);
    mbedtls_ssl_conf_min_tls_version(&s->conf, o->min_version);
    mbedtls_ssl_conf_max_tls_version(&s->conf, o->max_version);
    mbedtls_ssl_conf_sni(&s->conf, server_sni, s);
    mbedtls_ssl_conf_session_tickets_cb(&s->conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse, &tickets);
    mbedtls_ssl_conf_tls13_key_exchange_modes(&s->conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL |
                                                            MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL);
    if (o->groups != NULL) {
        mbedtls_ssl_conf_groups(&s->conf, o->groups);
    }
    if (o->tickets > 0) {
        mbedtls_ssl_conf_new_session_tickets(&s->conf, o->tickets);
    }
    if (o->want_client_cert) {
        assert_int_equal(mbedtls_x509_crt_parse_der(&s->client_ca, ca.der, ca.der_len), 0);
        mbedtls_ssl_conf_ca_chain(&s->conf, &s->client_ca, NULL);
        mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else {
        mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    assert_int_equal(mbedtls_ssl_setup(&s->ssl, &s->conf), 0);
    mbedtls_ssl_set_bio(&s->ssl, NULL, srv_send, srv_recv, NULL);
}

static void server_free(struct server *s)
{
    mbedtls_ssl_free(&s->ssl);
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_x509_crt_free(&s->chain);
    mbedtls_x509_crt_free(&s->client_ca);
    free(s->rx);
}

static void server_step(struct server *s)
{
    if (!s->hs_done) {
        if (s->hs_err != 0) {
            return;
        }
        int ret = mbedtls_ssl_handshake(&s->ssl);
        if (ret == 0) {
            s->hs_done = true;
        } else if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            /* Like a real server: the alert (if any) is on its way, then the connection closes. */
            s->hs_err = ret;
            wire.fin_to_client = true;
        }
        return;
    }
    if (s->tx_off < s->tx_len) {
        int ret = mbedtls_ssl_write(&s->ssl, s->tx + s->tx_off, s->tx_len - s->tx_off);
        if (ret > 0) {
            s->tx_off += (size_t)ret;
        } else {
            assert_true(ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == MBEDTLS_ERR_SSL_WANT_READ);
        }
    }
    unsigned char buf[4096];
    int ret = mbedtls_ssl_read(&s->ssl, buf, sizeof buf);
    if (ret > 0) {
        s->rx = realloc(s->rx, s->rx_len + (size_t)ret);
        assert_non_null(s->rx);
        memcpy(s->rx + s->rx_len, buf, (size_t)ret);
        s->rx_len += (size_t)ret;
    } else if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        s->got_close_notify = true;
    }
}

/* ---- the application on the client's TLS pcb ---------------------------------------------------------------- */

static struct {
    struct altcp_pcb *tls;
    bool connected;
    unsigned err_calls;
    err_t err;
    unsigned char *rx;
    size_t rx_len;
    bool eof;
    bool close_on_eof;
    const unsigned char *tx;
    size_t tx_len;
    size_t tx_off;
    size_t sent_reported;
} app;

static err_t app_connected(void *arg, struct altcp_pcb *conn, err_t err)
{
    (void)arg;
    assert_ptr_equal(conn, app.tls);
    assert_int_equal(err, ERR_OK);
    app.connected = true;
    return ERR_OK;
}

static err_t app_recv(void *arg, struct altcp_pcb *conn, struct pbuf *p, err_t err)
{
    (void)arg;
    assert_int_equal(err, ERR_OK);
    if (p == NULL) {
        app.eof = true;
        if (app.close_on_eof) {
            assert_int_equal(altcp_close(conn), ERR_OK);
            app.tls = NULL;
        }
        return ERR_OK;
    }
    assert_true(p->tot_len <= TLS_RECV_CHUNK);
    app.rx = realloc(app.rx, app.rx_len + p->tot_len);
    assert_non_null(app.rx);
    pbuf_copy_partial(p, app.rx + app.rx_len, p->tot_len, 0);
    app.rx_len += p->tot_len;
    altcp_recved(conn, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t app_sent(void *arg, struct altcp_pcb *conn, u16_t len)
{
    (void)arg;
    (void)conn;
    app.sent_reported += len;
    return ERR_OK;
}

static void app_err(void *arg, err_t err)
{
    (void)arg;
    app.err_calls++;
    app.err = err;
    app.tls = NULL;
}

static void app_attach(struct altcp_pcb *tls)
{
    app.tls = tls;
    altcp_arg(tls, &app);
    altcp_recv(tls, app_recv);
    altcp_sent(tls, app_sent);
    altcp_err(tls, app_err);
}

static void app_reset(void)
{
    free(app.rx);
    memset(&app, 0, sizeof app);
}

static void app_send_more(void)
{
    if (app.tls == NULL || !app.connected || app.tx_off >= app.tx_len) {
        return;
    }
    u16_t room = altcp_sndbuf(app.tls);
    size_t n = app.tx_len - app.tx_off;
    n = n < room ? n : room;
    if (n > 0) {
        assert_int_equal(altcp_write(app.tls, app.tx + app.tx_off, (u16_t)n, TCP_WRITE_FLAG_COPY), ERR_OK);
        app.tx_off += n;
        wire.moved++;
    }
}

/* ---- driving both ends ---------------------------------------------------------------------------------------- */

/* Hands up to `max` bytes of what the server wrote to the client, as one TCP segment would (within the window). */
static void wire_deliver(size_t max)
{
    if (wire.pcb != NULL && wire.down_len > 0 && wire.window > 0) {
        size_t n = wire.down_len < wire.window ? wire.down_len : wire.window;
        n = n < max ? n : max;
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        assert_non_null(p);
        memcpy(p->payload, wire.down, n);
        memmove(wire.down, wire.down + n, wire.down_len - n);
        wire.down_len -= n;
        wire.window -= n;
        wire.moved += n;
        struct altcp_pcb *pcb = wire.pcb;
        err_t err = pcb->recv != NULL ? pcb->recv(pcb->arg, pcb, p, ERR_OK) : (pbuf_free(p), ERR_OK);
        assert_true(err == ERR_OK || err == ERR_ABRT);
    }
}

static void pump_once(struct server *s)
{
    if (s != NULL) {
        server_step(s);
    }
    wire_deliver(DELIVER_CHUNK);
    if (wire.pcb != NULL && wire.acked > 0 && wire.pcb->sent != NULL) {
        u16_t n = (u16_t)wire.acked;
        wire.acked = 0;
        wire.pcb->sent(wire.pcb->arg, wire.pcb, n);
    }
    if (wire.pcb != NULL && wire.fin_to_client && wire.down_len == 0) {
        wire.fin_to_client = false;
        wire.pcb->recv(wire.pcb->arg, wire.pcb, NULL, ERR_OK);
    }
    app_send_more();
}

/* Runs both ends until nothing moves any more. */
static void pump(struct server *s)
{
    unsigned idle = 0;
    for (unsigned i = 0; i < PUMP_MAX && idle < 3; i++) {
        size_t before = wire.moved;
        bool hs_before = s != NULL && s->hs_done;
        pump_once(s);
        idle = wire.moved == before && (s == NULL || s->hs_done == hs_before) ? idle + 1 : 0;
    }
}

/* ---- configurations and connections ------------------------------------------------------------------------- */

static struct tls_settings test_settings;

static struct tls_config *config_make(const struct test_cert *trusted, const struct test_cert *pinned,
                                      const struct test_cert *client)
{
    memset(&test_settings, 0, sizeof test_settings);
    test_settings.min_version = TLS_VERSION_1_2;
    if (pinned != NULL) {
        test_settings.pinned = true;
        cert_sha256(pinned, test_settings.pin);
    }
    struct tls_pem ca_pem = trusted != NULL ? pem_of(trusted->pem) : (struct tls_pem){ 0 };
    struct tls_pem cert_pem = client != NULL ? pem_of(client->pem) : (struct tls_pem){ 0 };
    struct tls_pem key_pem = client != NULL ? pem_of(client->key_pem) : (struct tls_pem){ 0 };
    struct tls_config *tc = NULL;
    int err = tls_config_new(&tc, &test_settings, trusted != NULL ? &ca_pem : NULL, client != NULL ? &cert_pem : NULL,
                             client != NULL ? &key_pem : NULL);
    assert_int_equal(err, 0);
    assert_non_null(tc);
    return tc;
}

/* STARTTLS style: wrap the open wire. */
static void client_wrap(struct tls_config *tc, const char *host)
{
    app_reset();
    struct altcp_pcb *inner = pipe_open();
    int err = 1;
    struct altcp_pcb *tls = tls_wrap(inner, tc, host, app_connected, &err);
    assert_non_null(tls);
    assert_int_equal(err, 0);
    assert_true(tls_is_tls(tls));
    app_attach(tls);
}

static void client_close(void)
{
    if (app.tls != NULL) {
        assert_int_equal(altcp_close(app.tls), ERR_OK);
        app.tls = NULL;
    }
    assert_null(wire.pcb);
}

static const struct server_opts tls13_opts = {
    .leaf = &server_crt,
    .issuer = &ca,
    .min_version = MBEDTLS_SSL_VERSION_TLS1_3,
    .max_version = MBEDTLS_SSL_VERSION_TLS1_3,
};
static const struct server_opts tls12_opts = {
    .leaf = &server_crt,
    .issuer = &ca,
    .min_version = MBEDTLS_SSL_VERSION_TLS1_2,
    .max_version = MBEDTLS_SSL_VERSION_TLS1_2,
};

/* Runs a handshake that must fail and returns the client's error text. */
static int expect_refused(struct tls_config *tc, const char *host, const struct server_opts *o, char *text, size_t len)
{
    struct server s;
    server_start(&s, o);
    client_wrap(tc, host);
    pump(&s);
    assert_false(app.connected);
    assert_int_equal(app.err_calls, 1);
    assert_int_equal(app.err, ERR_ABRT);
    assert_true(wire.aborted);
    assert_false(s.hs_done);
    assert_int_not_equal(s.hs_err, 0); /* the server got the fatal alert or saw the connection go */
    int err = tls_last_error(NULL, text, len);
    server_free(&s);
    return err;
}

/* ---- leak checks ------------------------------------------------------------------------------------------- */

static size_t heap_at_start;

static int test_setup(void **state)
{
    (void)state;
    heap_at_start = heap_now;
    return 0;
}

static int test_teardown(void **state)
{
    (void)state;
    app_reset();
    assert_int_equal(lwip_stats.memp[MEMP_ALTCP_PCB]->used, 0);
    assert_int_equal(lwip_stats.mem.used, 0);
    assert_int_equal(heap_now, heap_at_start);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    mbedtls_platform_set_calloc_free(count_calloc, count_free);
    lwip_init();
    if (psa_crypto_init() != PSA_SUCCESS || net_random_init() != 0) {
        return -1;
    }
    mbedtls_ssl_ticket_init(&tickets);
    if (mbedtls_ssl_ticket_setup(&tickets, net_random_bytes, NULL, MBEDTLS_CIPHER_AES_256_GCM, 86400) != 0) {
        return -1;
    }
    cert_make(&ca, "Baremail Test CA", NULL, true, "20200101000000", "20991231235959", 1);
    cert_make(&other_ca, "Other Test CA", NULL, true, "20200101000000", "20991231235959", 2);
    cert_make(&server_crt, HOST, &ca, false, "20200101000000", "20991231235959", 3);
    cert_make(&expired_crt, HOST, &ca, false, "20000101000000", "20010101000000", 4);
    cert_make(&other_crt, HOST, &other_ca, false, "20200101000000", "20991231235959", 5);
    cert_make(&self_signed, HOST, NULL, false, "20000101000000", "20010101000000", 6);
    cert_make(&client_crt, "client.example.test", &ca, false, "20200101000000", "20991231235959", 7);
    cert_make(&ip_crt, "10.0.2.2", &ca, false, "20200101000000", "20991231235959", 8);

    /* One handshake of each version first: PSA crypto allocates its key store on first use and keeps it, which
     * the per-test heap check would otherwise count against the first test. */
    struct tls_config *tc = config_make(NULL, &self_signed, NULL);
    static const struct server_opts warm[] = {
        { .leaf = &self_signed, .min_version = MBEDTLS_SSL_VERSION_TLS1_3, .max_version = MBEDTLS_SSL_VERSION_TLS1_3 },
        { .leaf = &self_signed, .min_version = MBEDTLS_SSL_VERSION_TLS1_2, .max_version = MBEDTLS_SSL_VERSION_TLS1_2 },
    };
    for (size_t i = 0; i < 2; i++) {
        struct server s;
        server_start(&s, &warm[i]);
        client_wrap(tc, HOST);
        pump(&s);
        if (!app.connected) {
            return -1;
        }
        client_close();
        server_free(&s);
        /* The TLS 1.3 ticket is kept; offered to the TLS 1.2 server it would fail the handshake. */
        tls_config_forget_sessions(tc, NULL);
    }
    tls_config_free(tc);
    app_reset();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    struct test_cert *all[] = { &ca,        &other_ca,    &server_crt, &expired_crt,
                                &other_crt, &self_signed, &client_crt, &ip_crt };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        cert_free(all[i]);
    }
    mbedtls_ssl_ticket_free(&tickets);
    return 0;
}

/* ---- before the clock is set ------------------------------------------------------------------------------- */

static void test_clock_not_set_refuses_ca_check(void **state)
{
    (void)state;
    assert_false(net_clock_is_set());
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct altcp_pcb *inner = pipe_open();
    int err = 0;
    assert_null(tls_wrap(inner, tc, HOST, app_connected, &err));
    assert_int_equal(err, TLS_ERR_CLOCK);
    assert_string_equal(tls_strerror(err), "clock not set: cannot check certificate dates");
    /* The inner pcb is still the caller's, untouched, and nothing was sent. */
    assert_ptr_equal(inner->fns, &pipe_functions);
    assert_null(inner->recv);
    assert_int_equal(wire.up_len, 0);
    altcp_close(inner);
    tls_config_free(tc);
}

static void test_pin_works_before_clock(void **state)
{
    (void)state;
    assert_false(net_clock_is_set());
    /* A self-signed, long expired certificate no CA vouches for: the pin alone makes it acceptable. */
    struct tls_config *tc = config_make(NULL, &self_signed, NULL);
    struct server s;
    struct server_opts o = tls13_opts;
    o.leaf = &self_signed;
    o.issuer = NULL;
    server_start(&s, &o);
    client_wrap(tc, HOST);
    pump(&s);
    assert_true(app.connected);
    assert_true(s.hs_done);
    assert_string_equal(tls_version(app.tls), "TLSv1.3");
    assert_int_equal(tls_last_error(app.tls, NULL, 0), 0);
    client_close();
    server_free(&s);
    tls_config_free(tc);
}

/* ---- with the clock ------------------------------------------------------------------------------------------- */

static int group_clock_setup(void **state)
{
    (void)state;
    net_clock_set_utc((uint32_t)time(NULL), 0);
    return 0;
}

static unsigned char *pattern(size_t len, unsigned seed)
{
    unsigned char *p = malloc(len);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++) {
        p[i] = (unsigned char)(i * 131u + seed + (i >> 8));
    }
    return p;
}

/* A TLS 1.3 server and the client connected to it through the pipe. */
static void tls13_connect(struct server *s, struct tls_config *tc)
{
    server_start(s, &tls13_opts);
    client_wrap(tc, HOST);
    pump(s);
    assert_true(app.connected);
}

/* A handshake, then `len` bytes each way; checks SNI, version and content. */
static void run_exchange(struct tls_config *tc, const struct server_opts *o, size_t len, const char *version)
{
    struct server s;
    server_start(&s, o);
    client_wrap(tc, HOST);
    pump(&s);
    if (!s.hs_done) {
        char text[256];
        tls_last_error(NULL, text, sizeof text);
        fail_msg("server %s, client %s", tls_strerror(s.hs_err), text);
    }
    assert_true(app.connected);
    assert_string_equal(s.sni, HOST);
    assert_string_equal(tls_version(app.tls), version);
    assert_true(strlen(tls_ciphersuite(app.tls)) > 0);

    unsigned char *down = pattern(len, 1);
    unsigned char *up = pattern(len, 2);
    s.tx = down;
    s.tx_len = len;
    app.tx = up;
    app.tx_len = len;
    pump(&s);
    assert_int_equal(app.rx_len, len);
    assert_memory_equal(app.rx, down, len);
    assert_int_equal(s.rx_len, len);
    assert_memory_equal(s.rx, up, len);
    assert_int_equal(app.sent_reported, len);

    client_close();
    pump(&s);
    assert_true(s.got_close_notify);
    server_free(&s);
    free(down);
    free(up);
}

static void test_tls13_handshake_sni_and_data(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    run_exchange(tc, &tls13_opts, 40000, "TLSv1.3");
    tls_config_free(tc);
}

static void test_tls12_handshake_sni_and_data(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    run_exchange(tc, &tls12_opts, 40000, "TLSv1.2");
    tls_config_free(tc);
}

static void test_min_version_tls13_refuses_tls12_server(void **state)
{
    (void)state;
    memset(&test_settings, 0, sizeof test_settings);
    test_settings.min_version = TLS_VERSION_1_3;
    struct tls_pem ca_pem = pem_of(ca.pem);
    struct tls_config *tc;
    assert_int_equal(tls_config_new(&tc, &test_settings, &ca_pem, NULL, NULL), 0);
    char text[256];
    int err = expect_refused(tc, HOST, &tls12_opts, text, sizeof text);
    assert_true(err < 0 && err > -0x8000);
    tls_config_free(tc);
}

static void test_implicit_tls_connects_then_handshakes(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server s;
    server_start(&s, &tls13_opts);
    app_reset();
    struct altcp_pcb *inner = pipe_open();
    int err = 1;
    struct altcp_pcb *tls = tls_new(inner, tc, HOST, &err);
    assert_non_null(tls);
    app_attach(tls);
    ip_addr_t addr = IPADDR4_INIT(0x0100007f);
    assert_int_equal(altcp_connect(tls, &addr, 465, app_connected), ERR_OK);
    pump(&s);
    assert_int_equal(wire.up_len, 0); /* nothing before TCP is up */
    assert_false(app.connected);
    assert_non_null(wire.connected);
    assert_int_equal(wire.connected(wire.pcb->arg, wire.pcb, ERR_OK), ERR_OK);
    pump(&s);
    assert_true(app.connected);
    assert_true(s.hs_done);
    client_close();
    server_free(&s);
    tls_config_free(tc);
}

static char plain_got[64];
static size_t plain_len;

static err_t plain_recv(void *arg, struct altcp_pcb *conn, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    assert_non_null(p);
    assert_true(p->tot_len <= sizeof plain_got);
    pbuf_copy_partial(p, plain_got, p->tot_len, 0);
    plain_len = p->tot_len;
    altcp_recved(conn, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void test_starttls_after_plain_exchange(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    app_reset();
    struct altcp_pcb *inner = pipe_open();
    /* Plain text first, as SMTP does before STARTTLS. */
    assert_int_equal(altcp_write(inner, "STARTTLS\r\n", 10, TCP_WRITE_FLAG_COPY), ERR_OK);
    assert_int_equal(wire.up_len, 10);
    assert_memory_equal(wire.up, "STARTTLS\r\n", 10);
    wire.up_len = 0;
    wire.hello_len = 0;
    memcpy(wire.down, "220 2.0.0 Ready to start TLS\r\n", 30);
    wire.down_len = 30;
    plain_len = 0;
    altcp_recv(inner, plain_recv);
    pump(NULL);
    assert_int_equal(plain_len, 30);
    assert_memory_equal(plain_got, "220 2.0.0 Ready to start TLS\r\n", 30);

    struct server s;
    server_start(&s, &tls13_opts);
    int err = 1;
    struct altcp_pcb *tls = tls_wrap(inner, tc, HOST, app_connected, &err);
    assert_non_null(tls);
    app_attach(tls);
    assert_true(wire.hello_len > 0 && wire.hello[0] == 22); /* the ClientHello went out at once */
    pump(&s);
    assert_true(app.connected);
    assert_string_equal(s.sni, HOST);
    client_close();
    server_free(&s);
    tls_config_free(tc);
}

static void test_wrong_host_refused(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    char text[256];
    int err = expect_refused(tc, "other.example.test", &tls13_opts, text, sizeof text);
    assert_int_equal(err, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "(-0x2700)"));
    assert_non_null(strstr(text, "Common Name (CN) does not match"));
    tls_config_free(tc);
}

/* MailHub given as an address: no SNI, and the address must be in the certificate. */
static void test_ip_literal_host(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server_opts o = tls13_opts;
    o.leaf = &ip_crt;
    struct server s;
    server_start(&s, &o);
    client_wrap(tc, "10.0.2.2");
    pump(&s);
    assert_true(app.connected);
    assert_string_equal(s.sni, ""); /* the SNI callback never ran */
    client_close();
    pump(&s);
    server_free(&s);

    char text[256];
    assert_int_equal(expect_refused(tc, "10.0.2.3", &o, text, sizeof text), MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "Common Name (CN) does not match"));
    /* A certificate for a name does not cover an address (in a full handshake: the first one left a ticket). */
    tls_config_forget_sessions(tc, NULL);
    assert_int_equal(expect_refused(tc, "10.0.2.2", &tls13_opts, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    tls_config_free(tc);
}

static void test_untrusted_ca_refused(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server_opts o = tls12_opts;
    o.leaf = &other_crt;
    o.issuer = &other_ca;
    char text[256];
    assert_int_equal(expect_refused(tc, HOST, &o, text, sizeof text), MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "not correctly signed by the trusted CA"));
    tls_config_free(tc);
}

static void test_expired_refused(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server_opts o = tls13_opts;
    o.leaf = &expired_crt;
    char text[256];
    assert_int_equal(expect_refused(tc, HOST, &o, text, sizeof text), MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "validity has expired"));
    tls_config_free(tc);
}

static void test_pin_mismatch_refused_even_if_ca_valid(void **state)
{
    (void)state;
    /* The pin names the self-signed certificate; the server shows a CA-valid one. */
    struct tls_config *tc = config_make(&ca, &self_signed, NULL);
    unsigned loaded, skipped;
    tls_config_ca_count(tc, &loaded, &skipped);
    assert_int_equal(loaded, 0); /* the pin is the only anchor: no chain check against the CA */
    char text[256];
    assert_int_equal(expect_refused(tc, HOST, &tls13_opts, text, sizeof text), TLS_ERR_PIN);
    assert_non_null(strstr(text, "does not match TLS_Fingerprint"));
    uint8_t actual[32];
    cert_sha256(&server_crt, actual);
    char hex[8];
    snprintf(hex, sizeof hex, "%02X:%02X", actual[0], actual[1]);
    assert_non_null(strstr(text, hex)); /* the message shows what to pin */
    tls_config_free(tc);
}

static void test_pin_still_checks_host(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(NULL, &self_signed, NULL);
    struct server_opts o = tls12_opts;
    o.leaf = &self_signed;
    o.issuer = NULL;
    char text[256];
    assert_int_equal(expect_refused(tc, "other.example.test", &o, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "Common Name (CN) does not match"));
    tls_config_free(tc);
}

static uint16_t be16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The supported_groups extension of the ClientHello the client sent; returns the number of groups. */
static size_t hello_groups(uint16_t *groups, size_t max)
{
    const unsigned char *p = wire.hello;
    assert_true(wire.hello_len > 5 + 4 + 2 + 32 + 1);
    assert_int_equal(p[0], 22); /* handshake record */
    assert_int_equal(p[5], 1);  /* client_hello */
    const unsigned char *end = p + 5 + be16(p + 3);
    assert_true(end <= p + wire.hello_len);
    p += 5 + 4 + 2 + 32;
    p += 1 + p[0];    /* session id */
    p += 2 + be16(p); /* cipher suites */
    p += 1 + p[0];    /* compression methods */
    const unsigned char *ext_end = p + 2 + be16(p);
    assert_true(ext_end <= end);
    p += 2;
    while (p + 4 <= ext_end) {
        uint16_t type = be16(p);
        uint16_t len = be16(p + 2);
        if (type == 10) {
            size_t n = be16(p + 4) / 2;
            assert_true(n <= max);
            for (size_t i = 0; i < n; i++) {
                groups[i] = be16(p + 6 + 2 * i);
            }
            return n;
        }
        p += 4 + len;
    }
    fail_msg("no supported_groups extension");
    return 0;
}

static void test_only_x25519_and_p256_offered(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    client_wrap(tc, HOST);
    uint16_t groups[16];
    size_t n = hello_groups(groups, 16);
    assert_int_equal(n, 2);
    assert_int_equal(groups[0], MBEDTLS_SSL_IANA_TLS_GROUP_X25519); /* the cheaper one, with Everest, first */
    assert_int_equal(groups[1], MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1);
    altcp_abort(app.tls);
    app.tls = NULL;

    /* And a server that only has P-384 finds nothing in common. */
    static const uint16_t p384_only[] = { MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1, MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    struct server_opts o = tls13_opts;
    o.groups = p384_only;
    char text[256];
    expect_refused(tc, HOST, &o, text, sizeof text);

    /* Each of the two alone is enough, in both versions: X25519 runs through Everest, in TLS 1.2 (Mbed TLS's ECDH
     * context: key pair and shared secret) as in TLS 1.3 (PSA: the shared secret). */
    static const uint16_t p256_only[] = { MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    static const uint16_t x25519_only[] = { MBEDTLS_SSL_IANA_TLS_GROUP_X25519, MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    const uint16_t *const alone[] = { p256_only, x25519_only };
    for (size_t i = 0; i < sizeof alone / sizeof alone[0]; i++) {
        o = tls13_opts;
        o.groups = alone[i];
        run_exchange(tc, &o, 100, "TLSv1.3");
        tls_config_forget_sessions(tc, NULL); /* a TLS 1.3 session would make the client offer TLS 1.3 only */
        o = tls12_opts;
        o.groups = alone[i];
        run_exchange(tc, &o, 100, "TLSv1.2");
        tls_config_forget_sessions(tc, NULL);
    }
    tls_config_free(tc);
}

/* Two connections with one configuration: the second resumes the first's session. */
static void resume_twice(const struct server_opts *o)
{
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    for (int round = 0; round < 2; round++) {
        struct server s;
        server_start(&s, o);
        client_wrap(tc, HOST);
        pump(&s);
        assert_true(app.connected);
        assert_int_equal(tls_resumed(app.tls), round == 1);
        /* Some data, so that a TLS 1.3 ticket (sent after the handshake) is read. */
        static const unsigned char hello[] = "220 hello\r\n";
        s.tx = hello;
        s.tx_len = sizeof hello - 1;
        pump(&s);
        assert_int_equal(app.rx_len, sizeof hello - 1);
        client_close();
        pump(&s);
        server_free(&s);
    }
    /* Forgetting the session means a full handshake again. */
    tls_config_forget_sessions(tc, HOST);
    struct server s;
    server_start(&s, o);
    client_wrap(tc, HOST);
    pump(&s);
    assert_true(app.connected);
    assert_false(tls_resumed(app.tls));
    client_close();
    pump(&s);
    server_free(&s);
    tls_config_free(tc);
}

static void test_resumption_tls13(void **state)
{
    (void)state;
    resume_twice(&tls13_opts);
}

static void test_resumption_tls12(void **state)
{
    (void)state;
    resume_twice(&tls12_opts);
}

/* TLS 1.3 records waiting in wire.down (each begins with a 5-byte header ending in its length). */
static unsigned down_records(void)
{
    unsigned n = 0;
    for (size_t at = 0; at + 5 <= wire.down_len; n++) {
        at += 5 + ((size_t)wire.down[at + 3] << 8 | wire.down[at + 4]);
    }
    return n;
}

/* Several tickets and the greeting arrive in one segment, as from a server on Python's ssl (OpenSSL sends its
 * tickets with the first data). After each NewSessionTicket Mbed TLS asks for more input while the next record
 * is already in its buffer; all of them must be handled in this one callback, not one per lwIP poll. */
static void test_tickets_and_greeting_in_one_segment(void **state)
{
    (void)state;
    enum { TICKETS = 5 };
    static const struct server_opts opts = {
        .leaf = &server_crt,
        .issuer = &ca,
        .tickets = TICKETS,
        .min_version = MBEDTLS_SSL_VERSION_TLS1_3,
        .max_version = MBEDTLS_SSL_VERSION_TLS1_3,
    };
    static const unsigned char hello[] = "220 hello\r\n";
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    for (int round = 0; round < 2; round++) {
        struct server s;
        server_start(&s, &opts);
        client_wrap(tc, HOST);
        /* The handshake, holding back what the server writes once it is over. */
        for (unsigned i = 0; i < PUMP_MAX && !s.hs_done; i++) {
            server_step(&s);
            if (!s.hs_done) {
                wire_deliver(DELIVER_CHUNK);
            }
        }
        assert_true(s.hs_done);
        assert_true(app.connected);
        assert_int_equal(tls_resumed(app.tls), round == 1);
        /* Mbed TLS's server writes one ticket per call. */
        for (unsigned i = 0; i < 2 * TICKETS; i++) {
            server_step(&s);
        }
        s.tx = hello;
        s.tx_len = sizeof hello - 1;
        server_step(&s);
        assert_int_equal(s.tx_off, s.tx_len);
        /* Mbed TLS's server sends one ticket only after a resumed handshake. */
        assert_int_equal(down_records(), (round == 0 ? TICKETS : 1) + 1);

        wire_deliver(SIZE_MAX);
        assert_int_equal(wire.down_len, 0);
        assert_int_equal(app.rx_len, sizeof hello - 1); /* the greeting, at once */
        assert_memory_equal(app.rx, hello, sizeof hello - 1);
        assert_int_equal(wire.window, PIPE_WINDOW); /* every record was read */
        client_close();
        pump(&s);
        server_free(&s);
    }
    tls_config_free(tc);
}

/* Mbed TLS offers only the version of the session it resumes. A server that went from TLS 1.3 back to 1.2 fails
 * that one handshake; the session is dropped with it, so the next connection negotiates afresh. */
static void test_failed_resumption_forgets_session(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server s;
    server_start(&s, &tls13_opts);
    client_wrap(tc, HOST);
    pump(&s);
    static const unsigned char hello[] = "220 hello\r\n";
    s.tx = hello;
    s.tx_len = sizeof hello - 1;
    pump(&s); /* the ticket arrives with the greeting */
    client_close();
    pump(&s);
    server_free(&s);

    char text[256];
    expect_refused(tc, HOST, &tls12_opts, text, sizeof text);
    run_exchange(tc, &tls12_opts, 100, "TLSv1.2");
    tls_config_free(tc);
}

static void test_client_certificate(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, &client_crt);
    for (int v = 0; v < 2; v++) {
        struct server_opts o = v == 0 ? tls13_opts : tls12_opts;
        o.want_client_cert = true;
        struct server s;
        server_start(&s, &o);
        client_wrap(tc, HOST);
        pump(&s);
        assert_true(app.connected);
        assert_true(s.hs_done);
        const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&s.ssl);
        assert_non_null(peer);
        assert_int_equal(peer->raw.len, client_crt.der_len);
        assert_memory_equal(peer->raw.p, client_crt.der, client_crt.der_len);
        client_close();
        pump(&s);
        server_free(&s);
        tls_config_forget_sessions(tc, NULL); /* a full handshake each time: the certificate is sent in those */
    }
    tls_config_free(tc);
}

static void test_client_key_must_match_cert(void **state)
{
    (void)state;
    memset(&test_settings, 0, sizeof test_settings);
    struct tls_pem ca_pem = pem_of(ca.pem);
    struct tls_pem cert_pem = pem_of(client_crt.pem);
    struct tls_pem key_pem = pem_of(server_crt.key_pem);
    struct tls_config *tc = NULL;
    assert_int_equal(tls_config_new(&tc, &test_settings, &ca_pem, &cert_pem, &key_pem), TLS_ERR_CLIENT_KEY);
    assert_null(tc);
    /* Text without a PEM block is taken for DER by Mbed TLS, and its error passed on. */
    struct tls_pem junk = pem_of("not a certificate\n");
    assert_int_equal(tls_config_new(&tc, &test_settings, &junk, NULL, NULL), MBEDTLS_ERR_X509_INVALID_FORMAT);
    assert_null(tc);
}

static void test_close_from_recv_callback(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server s;
    server_start(&s, &tls13_opts);
    client_wrap(tc, HOST);
    app.close_on_eof = true;
    pump(&s);
    assert_true(app.connected);
    static const unsigned char bye[] = "221 bye\r\n";
    s.tx = bye;
    s.tx_len = sizeof bye - 1;
    pump(&s);
    assert_int_equal(mbedtls_ssl_close_notify(&s.ssl), 0);
    pump(&s);
    assert_true(app.eof);
    assert_null(app.tls);     /* closed from inside the callback */
    assert_true(wire.closed); /* and the layer finished the close when the callback returned */
    assert_int_equal(app.rx_len, sizeof bye - 1);
    server_free(&s);
    tls_config_free(tc);
}

/* A close_notify that does not fit the send buffer waits like a record: the application may not write before it
 * (Mbed TLS's next write would push the alert on and drop the data), and the sent callback pushes it on. */
static void test_shutdown_alert_waits_for_room(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server s;
    tls13_connect(&s, tc);
    /* The server reads nothing meanwhile: the client fills the send buffer until less than an alert's record fits. */
    unsigned char *up = pattern(PIPE_UP_CAP, 2);
    size_t written = 0;
    for (u16_t room = altcp_sndbuf(app.tls); room > 0; room = altcp_sndbuf(app.tls)) {
        assert_int_equal(altcp_write(app.tls, up + written, room, TCP_WRITE_FLAG_COPY), ERR_OK);
        written += room;
    }
    altcp_shutdown(app.tls, 0, 1); /* the pipe has no shutdown of its own: only the alert matters here */
    server_step(&s);               /* room again, and no sent callback yet */
    assert_int_equal(altcp_sndbuf(app.tls), 0);
    pump(&s);
    assert_true(s.got_close_notify);
    assert_int_equal(s.rx_len, written);
    assert_memory_equal(s.rx, up, written);
    client_close();
    server_free(&s);
    free(up);
    tls_config_free(tc);
}

static void test_server_vanishes_mid_handshake(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    client_wrap(tc, HOST);
    wire.fin_to_client = true;
    pump(NULL);
    assert_int_equal(app.err_calls, 1);
    char text[128];
    assert_int_equal(tls_last_error(NULL, text, sizeof text), TLS_ERR_CLOSED);
    assert_string_equal(text, "connection closed during the TLS handshake");
    tls_config_free(tc);
}

/* Peak Mbed TLS heap and lwIP heap while moving `len` bytes each way on an open connection. */
static void measure_transfer(size_t len, size_t *mbed_peak, size_t *lwip_peak)
{
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    struct server s;
    tls13_connect(&s, tc);
    unsigned char *down = pattern(len, 3);
    unsigned char *up = pattern(len, 4);
    s.tx = down;
    s.tx_len = len;
    app.tx = up;
    app.tx_len = len;
    heap_peak = heap_now;
    lwip_stats.mem.max = lwip_stats.mem.used;
    size_t before = heap_now;
    pump(&s);
    assert_int_equal(app.rx_len, len);
    assert_int_equal(s.rx_len, len);
    *mbed_peak = heap_peak - before;
    *lwip_peak = lwip_stats.mem.max;
    client_close();
    pump(&s);
    server_free(&s);
    tls_config_free(tc);
    free(down);
    free(up);
}

static void test_buffers_bounded(void **state)
{
    (void)state;
    size_t small_mbed, small_lwip, big_mbed, big_lwip;
    measure_transfer(64 * 1024, &small_mbed, &small_lwip);
    measure_transfer(1024 * 1024, &big_mbed, &big_lwip);
    print_message("transfer 64 KiB: Mbed TLS heap +%zu, lwIP heap peak %zu; 1 MiB: +%zu, %zu\n", small_mbed, small_lwip,
                  big_mbed, big_lwip);
    /* Sixteen times the data, the same memory: records pass through, nothing accumulates. */
    assert_true(big_mbed <= small_mbed + 1024);
    assert_true(big_lwip <= small_lwip + 1024);
    assert_true(big_lwip < 16 * 1024);
}

static void test_connection_memory(void **state)
{
    (void)state;
    struct tls_config *tc = config_make(&ca, NULL, NULL);
    size_t before = heap_now;
    client_wrap(tc, HOST);
    print_message("one TLS connection, Mbed TLS heap before the handshake: %zu bytes\n", heap_now - before);
    assert_true(heap_now - before < 24 * 1024);
    altcp_abort(app.tls);
    app.tls = NULL;
    tls_config_free(tc);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_builtin_bundle_parsed_at_first_use(void **state)
{
    (void)state;
    memset(&test_settings, 0, sizeof test_settings);
    struct tls_config *tc = NULL;
    assert_int_equal(tls_config_new(&tc, &test_settings, NULL, NULL, NULL), 0);
    unsigned loaded, skipped;
    tls_config_ca_count(tc, &loaded, &skipped);
    assert_int_equal(loaded, 0); /* nothing parsed at configuration time */

    size_t before = heap_now;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    client_wrap(tc, HOST);
    double secs = seconds_since(&t0);
    altcp_abort(app.tls);
    app.tls = NULL;
    tls_config_ca_count(tc, &loaded, &skipped);
    print_message("built-in bundle: %u of %u certificates (%zu bytes DER) parsed in %.1f ms (host, ASan), "
                  "%zu bytes of heap\n",
                  loaded, tls_builtin_ca_count, tls_builtin_ca_der_len, secs * 1e3, heap_now - before);
    assert_int_equal(loaded + skipped, tls_builtin_ca_count);
    assert_true(loaded > tls_builtin_ca_count * 9 / 10);

    /* Our test CA is not in Debian's bundle. */
    char text[256];
    assert_int_equal(expect_refused(tc, HOST, &tls13_opts, text, sizeof text), MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "not correctly signed by the trusted CA"));
    tls_config_free(tc);
}

static void test_strerror(void **state)
{
    (void)state;
    static const struct {
        int err;
        const char *text;
    } vectors[] = {
        { 0, "no error" },
        { TLS_ERR_CLOCK, "clock not set: cannot check certificate dates" },
        { TLS_ERR_PIN, "the server certificate does not match TLS_Fingerprint" },
        { MBEDTLS_ERR_SSL_WANT_READ, "SSL - No data of requested type currently available on underlying "
                                     "transport (-0x6900)" },
        { MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, "X509 - Certificate verification failed, e.g. CRL, CA or "
                                               "signature check failed (-0x2700)" },
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        assert_string_equal(tls_strerror(vectors[i].err), vectors[i].text);
    }
    char buf[8];
    assert_int_equal(tls_last_error(NULL, buf, sizeof buf), tls_last_error(NULL, NULL, 0));
    assert_int_equal(tls_last_error(pipe_open(), buf, sizeof buf), TLS_ERR_ARG); /* not a TLS pcb */
    altcp_close(wire.pcb);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
    /* The clock is set once and cannot be unset: the cases without it run first, in their own group. */
    const struct CMUnitTest before_clock[] = {
        T(test_clock_not_set_refuses_ca_check),
        T(test_pin_works_before_clock),
    };
    const struct CMUnitTest with_clock[] = {
        T(test_tls13_handshake_sni_and_data),
        T(test_tls12_handshake_sni_and_data),
        T(test_min_version_tls13_refuses_tls12_server),
        T(test_implicit_tls_connects_then_handshakes),
        T(test_starttls_after_plain_exchange),
        T(test_wrong_host_refused),
        T(test_ip_literal_host),
        T(test_untrusted_ca_refused),
        T(test_expired_refused),
        T(test_pin_mismatch_refused_even_if_ca_valid),
        T(test_pin_still_checks_host),
        T(test_only_x25519_and_p256_offered),
        T(test_resumption_tls13),
        T(test_resumption_tls12),
        T(test_failed_resumption_forgets_session),
        T(test_tickets_and_greeting_in_one_segment),
        T(test_client_certificate),
        T(test_client_key_must_match_cert),
        T(test_close_from_recv_callback),
        T(test_shutdown_alert_waits_for_room),
        T(test_server_vanishes_mid_handshake),
        T(test_buffers_bounded),
        T(test_connection_memory),
        T(test_builtin_bundle_parsed_at_first_use),
        T(test_strerror),
    };
    int failed = cmocka_run_group_tests_name("tls before the clock is set", before_clock, group_setup, NULL);
    failed += cmocka_run_group_tests_name("tls", with_clock, group_clock_setup, group_teardown);
    return failed;
}
