/*
 * tls_harness.c - the wire, the server, the client's application, the certificates and the leak checks that
 * test_tls and test_tls_session share (tls_harness.h).
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
#include "tls_harness.h"

/* lwIP's DHCP comes into the link through netif.c but never runs here; on the boards net/net.c has this hook. */
void dhcp_set_ntp_servers(u8_t num, const ip4_addr_t *server)
{
    (void)num;
    (void)server;
    fail_msg("DHCP ran in the TLS test");
}

/* ---- counting allocator for Mbed TLS ------------------------------------------------------------------------- */

#define HEAP_HDR 16
size_t tls_harness_heap_now;
size_t tls_harness_heap_peak;

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
    tls_harness_heap_now += total;
    if (tls_harness_heap_now > tls_harness_heap_peak) {
        tls_harness_heap_peak = tls_harness_heap_now;
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
    tls_harness_heap_now -= total;
    free(p);
}

/* ---- certificates --------------------------------------------------------------------------------------------- */

struct tls_harness_test_cert tls_harness_ca, tls_harness_other_ca, tls_harness_server_crt, tls_harness_expired_crt,
    tls_harness_other_crt, tls_harness_self_signed, tls_harness_client_crt, tls_harness_ip_crt;

static void cert_make(struct tls_harness_test_cert *c, const char *cn, const struct tls_harness_test_cert *issuer,
                      bool is_ca, const char *not_before, const char *not_after, unsigned char serial)
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

static void cert_free(struct tls_harness_test_cert *c)
{
    mbedtls_pk_free(&c->key);
}

void tls_harness_cert_sha256(const struct tls_harness_test_cert *c, uint8_t out[32])
{
    assert_int_equal(mbedtls_sha256(c->der, c->der_len, out, 0), 0);
}

/* PEM text as a card file would be: not NUL-terminated (len excludes the NUL). */
struct tls_pem tls_harness_pem_of(const char *text)
{
    return (struct tls_pem){ .text = text, .len = strlen(text) };
}

/* ---- the wire: the client's inner pcb ----------------------------------------------------------------------- */

struct tls_harness_wire tls_harness_wire;

static err_t pipe_write(struct altcp_pcb *conn, const void *data, u16_t len, u8_t flags)
{
    (void)conn;
    (void)flags;
    if (len > TLS_HARNESS_PIPE_UP_CAP - tls_harness_wire.up_len) {
        return ERR_MEM;
    }
    if (tls_harness_wire.hello_len == 0 && len <= sizeof tls_harness_wire.hello) {
        memcpy(tls_harness_wire.hello, data, len);
        tls_harness_wire.hello_len = len;
    }
    memcpy(tls_harness_wire.up + tls_harness_wire.up_len, data, len);
    tls_harness_wire.up_len += len;
    tls_harness_wire.moved += len;
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
    return (u16_t)(TLS_HARNESS_PIPE_UP_CAP - tls_harness_wire.up_len);
}

static u16_t pipe_mss(struct altcp_pcb *conn)
{
    (void)conn;
    return 1460;
}

static void pipe_recved(struct altcp_pcb *conn, u16_t len)
{
    (void)conn;
    tls_harness_wire.window += len;
    assert_true(tls_harness_wire.window <= TLS_HARNESS_PIPE_WINDOW);
}

static err_t pipe_connect(struct altcp_pcb *conn, const ip_addr_t *addr, u16_t port, altcp_connected_fn cb)
{
    (void)conn;
    (void)addr;
    (void)port;
    tls_harness_wire.connected = cb;
    return ERR_OK;
}

static err_t pipe_close(struct altcp_pcb *conn)
{
    tls_harness_wire.closed = true;
    tls_harness_wire.pcb = NULL;
    altcp_free(conn);
    return ERR_OK;
}

static void pipe_abort(struct altcp_pcb *conn)
{
    tls_harness_wire.aborted = true;
    tls_harness_wire.pcb = NULL;
    altcp_free(conn);
}

const struct altcp_functions tls_harness_pipe_functions = {
    .recved = pipe_recved,
    .connect = pipe_connect,
    .abort = pipe_abort,
    .close = pipe_close,
    .write = pipe_write,
    .output = pipe_output,
    .mss = pipe_mss,
    .sndbuf = pipe_sndbuf,
};

struct altcp_pcb *tls_harness_pipe_open(void)
{
    memset(&tls_harness_wire, 0, sizeof tls_harness_wire);
    tls_harness_wire.window = TLS_HARNESS_PIPE_WINDOW;
    tls_harness_wire.pcb = altcp_alloc();
    assert_non_null(tls_harness_wire.pcb);
    tls_harness_wire.pcb->fns = &tls_harness_pipe_functions;
    return tls_harness_wire.pcb;
}

/* The server end's bio. */
static int srv_send(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    size_t n = TLS_HARNESS_PIPE_DOWN_CAP - tls_harness_wire.down_len;
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    n = len < n ? len : n;
    memcpy(tls_harness_wire.down + tls_harness_wire.down_len, buf, n);
    tls_harness_wire.down_len += n;
    tls_harness_wire.moved += n;
    return (int)n;
}

static int srv_recv(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    if (tls_harness_wire.up_len == 0) {
        return tls_harness_wire.closed || tls_harness_wire.aborted ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
    }
    size_t n = len < tls_harness_wire.up_len ? len : tls_harness_wire.up_len;
    memcpy(buf, tls_harness_wire.up, n);
    memmove(tls_harness_wire.up, tls_harness_wire.up + n, tls_harness_wire.up_len - n);
    tls_harness_wire.up_len -= n;
    tls_harness_wire.acked += n;
    tls_harness_wire.moved += n;
    return (int)n;
}

/* ---- the server ----------------------------------------------------------------------------------------------- */

mbedtls_ssl_ticket_context tls_harness_tickets;

static int server_sni(void *ctx, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    struct tls_harness_server *s = ctx;
    (void)ssl;
    assert_true(len < sizeof s->sni);
    memcpy(s->sni, name, len);
    s->sni[len] = '\0';
    return 0;
}

void tls_harness_server_start(struct tls_harness_server *s, const struct tls_harness_server_opts *o)
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
    mbedtls_ssl_conf_session_tickets_cb(&s->conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                        &tls_harness_tickets);
    mbedtls_ssl_conf_tls13_key_exchange_modes(&s->conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL |
                                                            MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL);
    if (o->groups != NULL) {
        mbedtls_ssl_conf_groups(&s->conf, o->groups);
    }
    if (o->tickets > 0) {
        mbedtls_ssl_conf_new_session_tickets(&s->conf, o->tickets);
    }
    if (o->want_client_cert) {
        assert_int_equal(mbedtls_x509_crt_parse_der(&s->client_ca, tls_harness_ca.der, tls_harness_ca.der_len), 0);
        mbedtls_ssl_conf_ca_chain(&s->conf, &s->client_ca, NULL);
        mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else {
        mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    assert_int_equal(mbedtls_ssl_setup(&s->ssl, &s->conf), 0);
    mbedtls_ssl_set_bio(&s->ssl, NULL, srv_send, srv_recv, NULL);
}

void tls_harness_server_free(struct tls_harness_server *s)
{
    mbedtls_ssl_free(&s->ssl);
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_x509_crt_free(&s->chain);
    mbedtls_x509_crt_free(&s->client_ca);
    free(s->rx);
}

void tls_harness_server_step(struct tls_harness_server *s)
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
            tls_harness_wire.fin_to_client = true;
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

struct tls_harness_app tls_harness_app;

err_t tls_harness_app_connected(void *arg, struct altcp_pcb *conn, err_t err)
{
    (void)arg;
    assert_ptr_equal(conn, tls_harness_app.tls);
    assert_int_equal(err, ERR_OK);
    tls_harness_app.connected = true;
    return ERR_OK;
}

static err_t app_recv(void *arg, struct altcp_pcb *conn, struct pbuf *p, err_t err)
{
    (void)arg;
    assert_int_equal(err, ERR_OK);
    if (p == NULL) {
        tls_harness_app.eof = true;
        if (tls_harness_app.close_on_eof) {
            assert_int_equal(altcp_close(conn), ERR_OK);
            tls_harness_app.tls = NULL;
        }
        return ERR_OK;
    }
    assert_true(p->tot_len <= TLS_RECV_CHUNK);
    tls_harness_app.rx = realloc(tls_harness_app.rx, tls_harness_app.rx_len + p->tot_len);
    assert_non_null(tls_harness_app.rx);
    pbuf_copy_partial(p, tls_harness_app.rx + tls_harness_app.rx_len, p->tot_len, 0);
    tls_harness_app.rx_len += p->tot_len;
    altcp_recved(conn, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t app_sent(void *arg, struct altcp_pcb *conn, u16_t len)
{
    (void)arg;
    (void)conn;
    tls_harness_app.sent_reported += len;
    return ERR_OK;
}

static void app_err(void *arg, err_t err)
{
    (void)arg;
    tls_harness_app.err_calls++;
    tls_harness_app.err = err;
    tls_harness_app.tls = NULL;
}

void tls_harness_app_attach(struct altcp_pcb *tls)
{
    tls_harness_app.tls = tls;
    altcp_arg(tls, &tls_harness_app);
    altcp_recv(tls, app_recv);
    altcp_sent(tls, app_sent);
    altcp_err(tls, app_err);
}

void tls_harness_app_reset(void)
{
    free(tls_harness_app.rx);
    memset(&tls_harness_app, 0, sizeof tls_harness_app);
}

static void app_send_more(void)
{
    if (tls_harness_app.tls == NULL || !tls_harness_app.connected || tls_harness_app.tx_off >= tls_harness_app.tx_len) {
        return;
    }
    u16_t room = altcp_sndbuf(tls_harness_app.tls);
    size_t n = tls_harness_app.tx_len - tls_harness_app.tx_off;
    n = n < room ? n : room;
    if (n > 0) {
        assert_int_equal(altcp_write(tls_harness_app.tls, tls_harness_app.tx + tls_harness_app.tx_off, (u16_t)n,
                                     TCP_WRITE_FLAG_COPY),
                         ERR_OK);
        tls_harness_app.tx_off += n;
        tls_harness_wire.moved++;
    }
}

/* ---- driving both ends ---------------------------------------------------------------------------------------- */

/* Hands up to `max` bytes of what the server wrote to the client, as one TCP segment would (within the window). */
void tls_harness_wire_deliver(size_t max)
{
    if (tls_harness_wire.pcb != NULL && tls_harness_wire.down_len > 0 && tls_harness_wire.window > 0) {
        size_t n =
            tls_harness_wire.down_len < tls_harness_wire.window ? tls_harness_wire.down_len : tls_harness_wire.window;
        n = n < max ? n : max;
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        assert_non_null(p);
        memcpy(p->payload, tls_harness_wire.down, n);
        memmove(tls_harness_wire.down, tls_harness_wire.down + n, tls_harness_wire.down_len - n);
        tls_harness_wire.down_len -= n;
        tls_harness_wire.window -= n;
        tls_harness_wire.moved += n;
        struct altcp_pcb *pcb = tls_harness_wire.pcb;
        err_t err = pcb->recv != NULL ? pcb->recv(pcb->arg, pcb, p, ERR_OK) : (pbuf_free(p), ERR_OK);
        assert_true(err == ERR_OK || err == ERR_ABRT);
    }
}

static void pump_once(struct tls_harness_server *s)
{
    if (s != NULL) {
        tls_harness_server_step(s);
    }
    tls_harness_wire_deliver(TLS_HARNESS_DELIVER_CHUNK);
    if (tls_harness_wire.pcb != NULL && tls_harness_wire.acked > 0 && tls_harness_wire.pcb->sent != NULL) {
        u16_t n = (u16_t)tls_harness_wire.acked;
        tls_harness_wire.acked = 0;
        tls_harness_wire.pcb->sent(tls_harness_wire.pcb->arg, tls_harness_wire.pcb, n);
    }
    if (tls_harness_wire.pcb != NULL && tls_harness_wire.fin_to_client && tls_harness_wire.down_len == 0) {
        tls_harness_wire.fin_to_client = false;
        tls_harness_wire.pcb->recv(tls_harness_wire.pcb->arg, tls_harness_wire.pcb, NULL, ERR_OK);
    }
    app_send_more();
}

/* Runs both ends until nothing moves any more. */
void tls_harness_pump(struct tls_harness_server *s)
{
    unsigned idle = 0;
    for (unsigned i = 0; i < TLS_HARNESS_PUMP_MAX && idle < 3; i++) {
        size_t before = tls_harness_wire.moved;
        bool hs_before = s != NULL && s->hs_done;
        pump_once(s);
        idle = tls_harness_wire.moved == before && (s == NULL || s->hs_done == hs_before) ? idle + 1 : 0;
    }
}

/* ---- configurations and connections ------------------------------------------------------------------------- */

struct tls_settings tls_harness_test_settings;

struct tls_config *tls_harness_config_make(const struct tls_harness_test_cert *trusted,
                                           const struct tls_harness_test_cert *pinned,
                                           const struct tls_harness_test_cert *client)
{
    memset(&tls_harness_test_settings, 0, sizeof tls_harness_test_settings);
    tls_harness_test_settings.min_version = TLS_VERSION_1_2;
    if (pinned != NULL) {
        tls_harness_test_settings.pinned = true;
        tls_harness_cert_sha256(pinned, tls_harness_test_settings.pin);
    }
    struct tls_pem ca_pem = trusted != NULL ? tls_harness_pem_of(trusted->pem) : (struct tls_pem){ 0 };
    struct tls_pem cert_pem = client != NULL ? tls_harness_pem_of(client->pem) : (struct tls_pem){ 0 };
    struct tls_pem key_pem = client != NULL ? tls_harness_pem_of(client->key_pem) : (struct tls_pem){ 0 };
    struct tls_config *tc = NULL;
    int err = tls_config_new(&tc, &tls_harness_test_settings, trusted != NULL ? &ca_pem : NULL,
                             client != NULL ? &cert_pem : NULL, client != NULL ? &key_pem : NULL);
    assert_int_equal(err, 0);
    assert_non_null(tc);
    return tc;
}

/* STARTTLS style: wrap the open wire. */
void tls_harness_client_wrap(struct tls_config *tc, const char *host)
{
    tls_harness_app_reset();
    struct altcp_pcb *inner = tls_harness_pipe_open();
    int err = 1;
    struct altcp_pcb *tls = tls_wrap(inner, tc, host, tls_harness_app_connected, &err);
    assert_non_null(tls);
    assert_int_equal(err, 0);
    assert_true(tls_is_tls(tls));
    tls_harness_app_attach(tls);
}

void tls_harness_client_close(void)
{
    if (tls_harness_app.tls != NULL) {
        assert_int_equal(altcp_close(tls_harness_app.tls), ERR_OK);
        tls_harness_app.tls = NULL;
    }
    assert_null(tls_harness_wire.pcb);
}

const struct tls_harness_server_opts tls_harness_tls13_opts = {
    .leaf = &tls_harness_server_crt,
    .issuer = &tls_harness_ca,
    .min_version = MBEDTLS_SSL_VERSION_TLS1_3,
    .max_version = MBEDTLS_SSL_VERSION_TLS1_3,
};
const struct tls_harness_server_opts tls_harness_tls12_opts = {
    .leaf = &tls_harness_server_crt,
    .issuer = &tls_harness_ca,
    .min_version = MBEDTLS_SSL_VERSION_TLS1_2,
    .max_version = MBEDTLS_SSL_VERSION_TLS1_2,
};

/* Runs a handshake that must fail and returns the client's error text. */
int tls_harness_expect_refused(struct tls_config *tc, const char *host, const struct tls_harness_server_opts *o,
                               char *text, size_t len)
{
    struct tls_harness_server s;
    tls_harness_server_start(&s, o);
    tls_harness_client_wrap(tc, host);
    tls_harness_pump(&s);
    assert_false(tls_harness_app.connected);
    assert_int_equal(tls_harness_app.err_calls, 1);
    assert_int_equal(tls_harness_app.err, ERR_ABRT);
    assert_true(tls_harness_wire.aborted);
    assert_false(s.hs_done);
    assert_int_not_equal(s.hs_err, 0); /* the server got the fatal alert or saw the connection go */
    int err = tls_last_error(NULL, text, len);
    tls_harness_server_free(&s);
    return err;
}

/* ---- leak checks ------------------------------------------------------------------------------------------- */

static size_t heap_at_start;

int tls_harness_test_setup(void **state)
{
    (void)state;
    heap_at_start = tls_harness_heap_now;
    return 0;
}

int tls_harness_test_teardown(void **state)
{
    (void)state;
    tls_harness_app_reset();
    assert_int_equal(lwip_stats.memp[MEMP_ALTCP_PCB]->used, 0);
    assert_int_equal(lwip_stats.mem.used, 0);
    assert_int_equal(tls_harness_heap_now, heap_at_start);
    return 0;
}

int tls_harness_group_setup(void **state)
{
    (void)state;
    mbedtls_platform_set_calloc_free(count_calloc, count_free);
    lwip_init();
    if (psa_crypto_init() != PSA_SUCCESS || net_random_init() != 0) {
        return -1;
    }
    mbedtls_ssl_ticket_init(&tls_harness_tickets);
    if (mbedtls_ssl_ticket_setup(&tls_harness_tickets, net_random_bytes, NULL, MBEDTLS_CIPHER_AES_256_GCM, 86400) !=
        0) {
        return -1;
    }
    cert_make(&tls_harness_ca, "Baremail Test CA", NULL, true, "20200101000000", "20991231235959", 1);
    cert_make(&tls_harness_other_ca, "Other Test CA", NULL, true, "20200101000000", "20991231235959", 2);
    cert_make(&tls_harness_server_crt, TLS_HARNESS_HOST, &tls_harness_ca, false, "20200101000000", "20991231235959", 3);
    cert_make(&tls_harness_expired_crt, TLS_HARNESS_HOST, &tls_harness_ca, false, "20000101000000", "20010101000000",
              4);
    cert_make(&tls_harness_other_crt, TLS_HARNESS_HOST, &tls_harness_other_ca, false, "20200101000000",
              "20991231235959", 5);
    cert_make(&tls_harness_self_signed, TLS_HARNESS_HOST, NULL, false, "20000101000000", "20010101000000", 6);
    cert_make(&tls_harness_client_crt, "client.example.test", &tls_harness_ca, false, "20200101000000",
              "20991231235959", 7);
    cert_make(&tls_harness_ip_crt, "10.0.2.2", &tls_harness_ca, false, "20200101000000", "20991231235959", 8);

    /* One handshake of each version first: PSA crypto allocates its key store on first use and keeps it, which
     * the per-test heap check would otherwise count against the first test. */
    struct tls_config *tc = tls_harness_config_make(NULL, &tls_harness_self_signed, NULL);
    static const struct tls_harness_server_opts warm[] = {
        { .leaf = &tls_harness_self_signed,
          .min_version = MBEDTLS_SSL_VERSION_TLS1_3,
          .max_version = MBEDTLS_SSL_VERSION_TLS1_3 },
        { .leaf = &tls_harness_self_signed,
          .min_version = MBEDTLS_SSL_VERSION_TLS1_2,
          .max_version = MBEDTLS_SSL_VERSION_TLS1_2 },
    };
    for (size_t i = 0; i < 2; i++) {
        struct tls_harness_server s;
        tls_harness_server_start(&s, &warm[i]);
        tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
        tls_harness_pump(&s);
        if (!tls_harness_app.connected) {
            return -1;
        }
        tls_harness_client_close();
        tls_harness_server_free(&s);
        /* The TLS 1.3 ticket is kept; offered to the TLS 1.2 server it would fail the handshake. */
        tls_config_forget_sessions(tc, NULL);
    }
    tls_config_free(tc);
    tls_harness_app_reset();
    return 0;
}

int tls_harness_group_teardown(void **state)
{
    (void)state;
    struct tls_harness_test_cert *all[] = { &tls_harness_ca,          &tls_harness_other_ca,  &tls_harness_server_crt,
                                            &tls_harness_expired_crt, &tls_harness_other_crt, &tls_harness_self_signed,
                                            &tls_harness_client_crt,  &tls_harness_ip_crt };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        cert_free(all[i]);
    }
    mbedtls_ssl_ticket_free(&tls_harness_tickets);
    return 0;
}

int tls_harness_group_clock_setup(void **state)
{
    (void)state;
    net_clock_set_utc((uint32_t)time(NULL), 0);
    return 0;
}

unsigned char *tls_harness_pattern(size_t len, unsigned seed)
{
    unsigned char *p = malloc(len);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++) {
        p[i] = (unsigned char)(i * 131u + seed + (i >> 8));
    }
    return p;
}

/* Queues len bytes each way: *down (pattern seed) from the server, *up (seed + 1) from the client. */
void tls_harness_queue_both_ways(struct tls_harness_server *s, size_t len, unsigned seed, unsigned char **down,
                                 unsigned char **up)
{
    *down = tls_harness_pattern(len, seed);
    *up = tls_harness_pattern(len, seed + 1);
    s->tx = *down;
    s->tx_len = len;
    tls_harness_app.tx = *up;
    tls_harness_app.tx_len = len;
}

/* A TLS 1.3 server and the client connected to it through the pipe. */
void tls_harness_tls13_connect(struct tls_harness_server *s, struct tls_config *tc)
{
    tls_harness_server_start(s, &tls_harness_tls13_opts);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    tls_harness_pump(s);
    assert_true(tls_harness_app.connected);
}

/* A handshake, then `len` bytes each way; checks SNI, version and content. */
void tls_harness_run_exchange(struct tls_config *tc, const struct tls_harness_server_opts *o, size_t len,
                              const char *version)
{
    struct tls_harness_server s;
    tls_harness_server_start(&s, o);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    tls_harness_pump(&s);
    if (!s.hs_done) {
        char text[256];
        tls_last_error(NULL, text, sizeof text);
        fail_msg("server %s, client %s", tls_strerror(s.hs_err), text);
    }
    assert_true(tls_harness_app.connected);
    assert_string_equal(s.sni, TLS_HARNESS_HOST);
    assert_string_equal(tls_version(tls_harness_app.tls), version);
    assert_true(strlen(tls_ciphersuite(tls_harness_app.tls)) > 0);

    unsigned char *down, *up;
    tls_harness_queue_both_ways(&s, len, 1, &down, &up);
    tls_harness_pump(&s);
    assert_int_equal(tls_harness_app.rx_len, len);
    assert_memory_equal(tls_harness_app.rx, down, len);
    assert_int_equal(s.rx_len, len);
    assert_memory_equal(s.rx, up, len);
    assert_int_equal(tls_harness_app.sent_reported, len);

    tls_harness_client_close();
    tls_harness_pump(&s);
    assert_true(s.got_close_notify);
    tls_harness_server_free(&s);
    free(down);
    free(up);
}
