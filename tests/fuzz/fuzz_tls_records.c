/*
 * libFuzzer target for net/tls's record handling: the TLS layer's I/O side (inner_recv, bio_recv/bio_send,
 * inner_sent, inner_poll, inner_err) and its altcp face (write, sndbuf, close, abort, shutdown) under any order
 * and shape of events, with the application closing or aborting from inside its own callbacks.
 *
 * Byte 0 picks the peer: a real Mbed TLS server in this process (TLS 1.3 or 1.2, its certificate pinned with
 * TLS_Fingerprint, made by openssl at build time), or none, the input's bytes then being all the client hears
 * (hostile handshakes and records). Then each event is an opcode byte and its arguments: the server sends
 * application data or close_notify; its ciphertext reaches the client in pbuf chains of chosen sizes, cut at any
 * point, with a byte flipped or raw bytes injected; FIN, a reset, sent and poll callbacks; the send buffer
 * shrinks or fails; the application writes, closes, aborts, shuts down, or sets how its recv callback behaves
 * (take, refuse, close or abort inside it).
 *
 * Besides ASan/UBSan findings, these are bugs (abort): plaintext that is not what the peer sent (on either side:
 * a flipped or injected byte must fail the connection, never reach the application); a pbuf over TLS_RECV_CHUNK;
 * a callback after the application closed or aborted, or after the err callback; the layer writing more than the
 * inner connection's send buffer offered; the inner connection used after it was freed, or left open when the TLS
 * connection is gone.
 *
 * The random generator below the layer (drivers/rng.h) is a counter here, so an input replays the same way; PSA's
 * generator is seeded once per process, so a run's handshakes differ between processes, not within one.
 * About 15 inputs a second under the sanitizers: each makes a full handshake. -DFUZZ_SHOW prints each input's
 * byte counts, to see what a seed reaches.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/rng.h"
#include "lwip/altcp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/pbuf.h"
#include "lwip/priv/altcp_priv.h"
#include "mbedtls/pk.h"
#include "mbedtls/sha256.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "net/random.h"
#include "net/tls.h"
#include "psa/crypto.h"

#define HOST        "mail.example.test"
#define QUEUE_CAP   (128u * 1024u)
#define PUMP_ROUNDS 64

enum op {
    OP_SERVER_DATA,  /* n: the server writes n * 37 bytes of its pattern */
    OP_DELIVER,      /* n, cut: up to n * 64 queued bytes reach the client, in a chain cut at `cut` */
    OP_PUMP,         /* both sides run until nothing moves: whole segments each way */
    OP_FLIP,         /* offset: a byte of the queued ciphertext is flipped */
    OP_RAW,          /* n, then n bytes queued to the client as they are */
    OP_SERVER_CLOSE, /* close_notify */
    OP_FIN,
    OP_RESET, /* the inner connection fails (lwIP frees it, then calls err) */
    OP_SENT,  /* n: the inner connection acknowledges n * 64 bytes */
    OP_POLL,
    OP_SNDBUF,    /* room: the inner send buffer's room (0 blocks), bit 7: writes fail with ERR_MEM */
    OP_APP_WRITE, /* n: the application writes up to n * 37 bytes of its pattern */
    OP_APP_MODE,  /* how the application's recv callback answers from now on */
    OP_APP_CLOSE,
    OP_APP_ABORT,
    OP_APP_SHUTDOWN,
    OP_CLOSE_FAILS, /* the inner connection's next close returns ERR_MEM */
    OP_COUNT
};

enum app_mode { APP_TAKE, APP_REFUSE, APP_CLOSE_INSIDE, APP_ABORT_INSIDE, APP_MODES };

struct queue {
    uint8_t buf[QUEUE_CAP];
    size_t len;
};

struct inner {
    struct altcp_pcb pcb;
    u16_t sndbuf;
    bool write_fails;
    bool close_fails;
};

static struct {
    struct queue up, down; /* client -> server, server -> client */
    struct inner *inner;   /* NULL once freed */
    struct altcp_pcb *tls; /* the application's pcb; NULL once it let go or was told it is gone */
    bool app_gone;         /* closed, aborted, or err reported: no callback may come any more */
    enum app_mode mode;
    size_t got, sent_plain;   /* plaintext the client received / wrote, checked against the patterns */
    size_t srv_got, srv_sent; /* the same for the server */
    bool with_server;
    bool srv_ready;
    bool srv_pending; /* a record the server made is still in Mbed TLS's output buffer, partly queued */
    uint64_t rng;
} fz;

static mbedtls_ssl_config srv_conf[2];
static mbedtls_x509_crt srv_crt;
static mbedtls_pk_context srv_key;
static mbedtls_ssl_context srv;
static struct tls_settings settings;

/* lwIP's DHCP comes into the link through netif.c but never runs here (net/net.c has this hook on the boards). */
void dhcp_set_ntp_servers(u8_t num, const ip4_addr_t *server)
{
    (void)num;
    (void)server;
    abort();
}

/* Deterministic: the same input replays the same handshake randomness below PSA. */
int rng_read(void *buf, size_t len)
{
    uint8_t *out = buf;

    for (size_t i = 0; i < len; i++) {
        fz.rng ^= fz.rng << 13;
        fz.rng ^= fz.rng >> 7;
        fz.rng ^= fz.rng << 17;
        out[i] = (uint8_t)fz.rng;
    }
    return 0;
}

const char *rng_strerror(int err)
{
    (void)err;
    return "fuzz generator";
}

static int srv_rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    return rng_read(out, len);
}

static uint8_t pattern(size_t i, unsigned salt)
{
    return (uint8_t)((i * 131u + (i >> 8) + salt) & 0xff);
}

static void queue_put(struct queue *q, const uint8_t *data, size_t n)
{
    if (n > QUEUE_CAP - q->len) {
        abort(); /* callers check the room first */
    }
    memcpy(q->buf + q->len, data, n);
    q->len += n;
}

static size_t queue_take(struct queue *q, uint8_t *out, size_t n)
{
    if (n > q->len) {
        n = q->len;
    }
    memcpy(out, q->buf, n);
    memmove(q->buf, q->buf + n, q->len - n);
    q->len -= n;
    return n;
}

/* ---- the inner connection (what altcp_tcp would be) ----------------------------------------------------------- */

static struct inner *inner_of(struct altcp_pcb *pcb)
{
    if (fz.inner == NULL || &fz.inner->pcb != pcb) {
        abort(); /* used after it was freed */
    }
    return fz.inner;
}

static void inner_free(void)
{
    free(fz.inner);
    fz.inner = NULL;
}

static void fake_set_poll(struct altcp_pcb *pcb, u8_t interval)
{
    (void)interval;
    inner_of(pcb);
}

static void fake_recved(struct altcp_pcb *pcb, u16_t len)
{
    (void)len;
    inner_of(pcb);
}

static err_t fake_connect(struct altcp_pcb *pcb, const ip_addr_t *addr, u16_t port, altcp_connected_fn connected)
{
    (void)addr;
    (void)port;
    inner_of(pcb)->pcb.connected = connected;
    return ERR_OK;
}

static void fake_abort(struct altcp_pcb *pcb)
{
    altcp_err_fn err = pcb->err;
    void *arg = pcb->arg;

    inner_of(pcb);
    inner_free();
    if (err != NULL) {
        err(arg, ERR_ABRT); /* as tcp_abort: the layer detaches first */
    }
}

static err_t fake_close(struct altcp_pcb *pcb)
{
    struct inner *in = inner_of(pcb);

    if (in->close_fails) {
        in->close_fails = false;
        return ERR_MEM;
    }
    inner_free();
    return ERR_OK;
}

static err_t fake_shutdown(struct altcp_pcb *pcb, int shut_rx, int shut_tx)
{
    (void)shut_rx;
    (void)shut_tx;
    inner_of(pcb);
    return ERR_OK;
}

static err_t fake_write(struct altcp_pcb *pcb, const void *data, u16_t len, u8_t flags)
{
    struct inner *in = inner_of(pcb);

    (void)flags;
    if (len > in->sndbuf) {
        abort(); /* more than altcp_sndbuf() offered */
    }
    if (in->write_fails || len > QUEUE_CAP - fz.up.len) {
        return ERR_MEM;
    }
    if (fz.with_server) {
        queue_put(&fz.up, data, len); /* else nobody reads it */
    }
    in->sndbuf -= len;
    return ERR_OK;
}

static err_t fake_output(struct altcp_pcb *pcb)
{
    inner_of(pcb);
    return ERR_OK;
}

static u16_t fake_mss(struct altcp_pcb *pcb)
{
    inner_of(pcb);
    return 1460;
}

static u16_t fake_sndbuf(struct altcp_pcb *pcb)
{
    return inner_of(pcb)->sndbuf;
}

static void fake_nagle(struct altcp_pcb *pcb)
{
    inner_of(pcb);
}

static const struct altcp_functions fake_functions = {
    .set_poll = fake_set_poll,
    .recved = fake_recved,
    .connect = fake_connect,
    .abort = fake_abort,
    .close = fake_close,
    .shutdown = fake_shutdown,
    .write = fake_write,
    .output = fake_output,
    .mss = fake_mss,
    .sndbuf = fake_sndbuf,
    .nagle_disable = fake_nagle,
    .nagle_enable = fake_nagle,
};

/* ---- the application on top -------------------------------------------------------------------------------------- */

static void app_check(struct altcp_pcb *pcb)
{
    if (fz.app_gone || pcb != fz.tls) {
        abort(); /* a callback after close, abort or err, or for another pcb */
    }
}

static void app_let_go(void)
{
    fz.app_gone = true;
    fz.tls = NULL;
}

static err_t app_connected(void *arg, struct altcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)err;
    app_check(pcb);
    return ERR_OK;
}

static err_t app_recv(void *arg, struct altcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    app_check(pcb);
    if (p != NULL) {
        if (p->tot_len > TLS_RECV_CHUNK) {
            abort();
        }
        switch (fz.mode) {
        case APP_REFUSE: return ERR_MEM; /* the layer keeps p and offers it again */
        case APP_ABORT_INSIDE:
            pbuf_free(p);
            altcp_abort(pcb);
            app_let_go();
            return ERR_ABRT;
        default: break;
        }
        for (struct pbuf *q = p; q != NULL; q = q->next) {
            for (u16_t i = 0; i < q->len; i++) {
                if (((const uint8_t *)q->payload)[i] != pattern(fz.got++, 1)) {
                    abort(); /* plaintext the server never sent */
                }
            }
        }
        altcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    if (p == NULL || fz.mode == APP_CLOSE_INSIDE) {
        if (altcp_close(pcb) != ERR_OK) {
            altcp_abort(pcb);
        }
        app_let_go();
    }
    return ERR_OK;
}

static err_t app_sent(void *arg, struct altcp_pcb *pcb, u16_t len)
{
    (void)arg;
    (void)len;
    app_check(pcb);
    return ERR_OK;
}

static void app_err(void *arg, err_t err)
{
    (void)arg;
    (void)err;
    if (fz.app_gone) {
        abort();
    }
    app_let_go(); /* the pcb is gone already */
}

static void app_write(size_t n)
{
    uint8_t buf[255 * 37];
    u16_t room;

    if (fz.tls == NULL) {
        return;
    }
    room = altcp_sndbuf(fz.tls);
    if (n > room) {
        n = room;
    }
    for (size_t i = 0; i < n; i++) {
        buf[i] = pattern(fz.sent_plain + i, 2);
    }
    if (n > 0 && altcp_write(fz.tls, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK) {
        fz.sent_plain += n;
    }
}

/* ---- the server ------------------------------------------------------------------------------------------------- */

static int srv_send(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    if (len > QUEUE_CAP - fz.down.len) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    queue_put(&fz.down, buf, len);
    return (int)len;
}

static int srv_recv(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    return fz.up.len == 0 ? MBEDTLS_ERR_SSL_WANT_READ : (int)queue_take(&fz.up, buf, len);
}

/* Runs the server as far as it goes: its handshake, then reading (and checking) what the client wrote. */
static void server_step(void)
{
    uint8_t buf[4096];
    int ret;

    if (!fz.with_server) {
        return;
    }
    if (!fz.srv_ready) {
        ret = mbedtls_ssl_handshake(&srv);
        if (ret == 0) {
            fz.srv_ready = true;
        } else if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            fz.with_server = false; /* the client gave up or was cut off: the server is done */
        }
        return;
    }
    while ((ret = mbedtls_ssl_read(&srv, buf, sizeof(buf))) > 0) {
        for (int i = 0; i < ret; i++) {
            if (buf[i] != pattern(fz.srv_got++, 2)) {
                abort(); /* the server got plaintext the client never wrote */
            }
        }
    }
}

/* Mbed TLS keeps a record it could not queue whole (WANT_WRITE) and pushes it on at its next write call, whatever
 * that call's data, which then returns its own length as if written (the API expects the same data offered again).
 * So the record counts as sent when it is made, and is pushed on here, with a write of nothing, before anything else
 * is written. Returns whether nothing waits any more. */
static bool server_flush(void)
{
    int ret;

    if (!fz.srv_pending) {
        return true;
    }
    ret = mbedtls_ssl_write(&srv, NULL, 0);
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return false;
    }
    fz.srv_pending = false;
    if (ret < 0) {
        fz.with_server = false;
    }
    return ret >= 0;
}

static void server_write(size_t n)
{
    uint8_t buf[255 * 37];
    int max = mbedtls_ssl_get_max_out_record_payload(&srv);

    if (!fz.with_server || !fz.srv_ready || max <= 0 || !server_flush()) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        buf[i] = pattern(fz.srv_sent + i, 1);
    }
    for (size_t done = 0; done < n;) {
        size_t len = n - done < (size_t)max ? n - done : (size_t)max; /* one record */
        int ret = mbedtls_ssl_write(&srv, buf + done, len);

        if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            fz.srv_pending = true; /* made: it reaches the client before anything written later */
            fz.srv_sent += len;
            return;
        }
        if (ret <= 0) {
            return;
        }
        done += (size_t)ret;
        fz.srv_sent += (size_t)ret;
    }
}

static void server_close(void)
{
    /* With a record waiting, Mbed TLS's close_notify only pushes that record on and drops the alert. */
    if (fz.with_server && fz.srv_ready && server_flush() &&
        mbedtls_ssl_close_notify(&srv) == MBEDTLS_ERR_SSL_WANT_WRITE) {
        fz.srv_pending = true;
    }
}

/* ---- events ------------------------------------------------------------------------------------------------------ */

/* Up to n queued bytes to the client's inner recv callback, as a chain of two pbufs cut at `cut`. */
static void deliver(size_t n, size_t cut)
{
    struct pbuf *p, *q = NULL;
    struct inner *in = fz.inner;

    if (in == NULL || in->pcb.recv == NULL || fz.down.len == 0) {
        return;
    }
    if (n > fz.down.len) {
        n = fz.down.len;
    }
    if (n > 0xffff) {
        n = 0xffff;
    }
    if (cut == 0 || cut >= n) {
        cut = n;
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)cut, PBUF_RAM);
    if (cut < n) {
        q = pbuf_alloc(PBUF_RAW, (u16_t)(n - cut), PBUF_RAM);
    }
    if (p == NULL || (cut < n && q == NULL)) {
        if (p != NULL) {
            pbuf_free(p);
        }
        return;
    }
    queue_take(&fz.down, p->payload, cut);
    if (q != NULL) {
        queue_take(&fz.down, q->payload, n - cut);
        pbuf_cat(p, q);
    }
    in->pcb.recv(in->pcb.arg, &in->pcb, p, ERR_OK);
}

static void pump(void)
{
    for (unsigned round = 0; round < PUMP_ROUNDS; round++) {
        size_t before = fz.up.len + fz.down.len;

        server_step();
        deliver(fz.down.len, 0);
        if (fz.inner != NULL) {
            fz.inner->sndbuf = 8192; /* everything written was acknowledged */
            if (fz.inner->pcb.sent != NULL) {
                fz.inner->pcb.sent(fz.inner->pcb.arg, &fz.inner->pcb, 1460);
            }
        }
        if (fz.up.len + fz.down.len == 0 || fz.up.len + fz.down.len == before) {
            break;
        }
    }
}

static void inner_event(bool fin, bool reset, bool sent, bool poll, u16_t len)
{
    struct inner *in = fz.inner;
    altcp_err_fn err;
    void *arg;

    if (in == NULL) {
        return;
    }
    if (fin && in->pcb.recv != NULL) {
        in->pcb.recv(in->pcb.arg, &in->pcb, NULL, ERR_OK);
    }
    if (sent && in->pcb.sent != NULL) {
        in->sndbuf = (u16_t)(in->sndbuf + len > 8192 ? 8192 : in->sndbuf + len);
        in->pcb.sent(in->pcb.arg, &in->pcb, len);
    }
    if (poll && in->pcb.poll != NULL) {
        in->pcb.poll(in->pcb.arg, &in->pcb);
    }
    if (reset) {
        err = in->pcb.err;
        arg = in->pcb.arg;
        inner_free();
        if (err != NULL) {
            err(arg, ERR_RST);
        }
    }
}

/* ---- one input --------------------------------------------------------------------------------------------------- */

/* The PEM file `name` made at build time, NUL-terminated as Mbed TLS's PEM parsers want; returns its size. */
static size_t read_pem(const char *name, unsigned char *buf, size_t size)
{
    char path[512];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", FUZZ_TLS_DIR, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        abort();
    }
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n + 1;
}

static void setup_once(void)
{
    unsigned char pem[8192];
    uint8_t pin[32];
    size_t n;

    lwip_init();
    if (psa_crypto_init() != PSA_SUCCESS || net_random_init() != 0) {
        abort();
    }
    mbedtls_x509_crt_init(&srv_crt);
    mbedtls_pk_init(&srv_key);
    n = read_pem("cert.pem", pem, sizeof(pem));
    if (mbedtls_x509_crt_parse(&srv_crt, pem, n) != 0) {
        abort();
    }
    n = read_pem("key.pem", pem, sizeof(pem));
    if (mbedtls_pk_parse_key(&srv_key, pem, n, NULL, 0, srv_rng, NULL) != 0) {
        abort();
    }
    for (unsigned v = 0; v < 2; v++) {
        mbedtls_ssl_config_init(&srv_conf[v]);
        if (mbedtls_ssl_config_defaults(&srv_conf[v], MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                        MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
            mbedtls_ssl_conf_own_cert(&srv_conf[v], &srv_crt, &srv_key) != 0) {
            abort();
        }
        mbedtls_ssl_conf_rng(&srv_conf[v], srv_rng, NULL);
        mbedtls_ssl_conf_max_tls_version(&srv_conf[v],
                                         v == 0 ? MBEDTLS_SSL_VERSION_TLS1_3 : MBEDTLS_SSL_VERSION_TLS1_2);
    }
    /* The client trusts the server's certificate by its pin: no CA bundle, no clock. */
    mbedtls_sha256(srv_crt.raw.p, srv_crt.raw.len, pin, 0);
    memset(&settings, 0, sizeof(settings));
    settings.pinned = true;
    memcpy(settings.pin, pin, sizeof(pin));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct tls_config *tc = NULL;
    ip_addr_t addr;
    int err = 0;
    size_t i = 1;

    if (!ready) {
        setup_once();
        ready = true;
    }
    if (size < 1) {
        return 0;
    }
    memset(&fz, 0, sizeof(fz));
    fz.rng = 0x9e3779b97f4a7c15u ^ data[0];
    fz.with_server = (data[0] & 1) == 0;
    if (tls_config_new(&tc, &settings, NULL, NULL, NULL) != 0) {
        abort();
    }
    if (fz.with_server) {
        mbedtls_ssl_init(&srv);
        if (mbedtls_ssl_setup(&srv, &srv_conf[(data[0] >> 1) & 1]) != 0) {
            abort();
        }
        mbedtls_ssl_set_bio(&srv, NULL, srv_send, srv_recv, NULL);
    }
    fz.inner = calloc(1, sizeof(*fz.inner));
    if (fz.inner == NULL) {
        abort();
    }
    fz.inner->pcb.fns = &fake_functions;
    fz.inner->sndbuf = 8192;
    fz.tls = tls_new(&fz.inner->pcb, tc, HOST, &err);
    if (fz.tls == NULL) {
        abort();
    }
    altcp_recv(fz.tls, app_recv);
    altcp_sent(fz.tls, app_sent);
    altcp_err(fz.tls, app_err);
    IP_ADDR4(&addr, 10, 0, 2, 2);
    if (altcp_connect(fz.tls, &addr, 465, app_connected) != ERR_OK || fz.inner->pcb.connected == NULL) {
        abort();
    }
    fz.inner->pcb.connected(fz.inner->pcb.arg, &fz.inner->pcb, ERR_OK); /* TCP is up: the handshake starts */

    while (i < size) {
        uint8_t op = data[i++] % OP_COUNT, arg = i < size ? data[i] : 0;

        switch (op) {
        case OP_SERVER_DATA:
            i++;
            server_write(arg * 37u);
            break;
        case OP_DELIVER:
            i += 2;
            deliver(arg * 64u, i - 1 < size ? data[i - 1] * 7u : 0);
            break;
        case OP_PUMP: pump(); break;
        case OP_FLIP:
            i++;
            if (fz.down.len > 0) {
                fz.down.buf[(arg * 13u) % fz.down.len] ^= 0x20;
            }
            break;
        case OP_RAW: {
            size_t n = arg;

            i++;
            if (n > size - i) {
                n = size - i;
            }
            if (n <= QUEUE_CAP - fz.down.len) {
                queue_put(&fz.down, data + i, n);
            }
            i += n;
            break;
        }
        case OP_SERVER_CLOSE: server_close(); break;
        case OP_FIN: inner_event(true, false, false, false, 0); break;
        case OP_RESET: inner_event(false, true, false, false, 0); break;
        case OP_SENT:
            i++;
            inner_event(false, false, true, false, (u16_t)(arg * 64u));
            break;
        case OP_POLL: inner_event(false, false, false, true, 0); break;
        case OP_SNDBUF:
            i++;
            if (fz.inner != NULL) {
                fz.inner->sndbuf = (u16_t)((arg & 0x7f) * 64u);
                fz.inner->write_fails = (arg & 0x80) != 0;
            }
            break;
        case OP_APP_WRITE:
            i++;
            app_write(arg * 37u);
            break;
        case OP_APP_MODE:
            i++;
            fz.mode = (enum app_mode)(arg % APP_MODES);
            break;
        case OP_APP_CLOSE:
            if (fz.tls != NULL) {
                if (altcp_close(fz.tls) != ERR_OK) {
                    altcp_abort(fz.tls);
                }
                app_let_go();
            }
            break;
        case OP_APP_ABORT:
            if (fz.tls != NULL) {
                altcp_abort(fz.tls);
                app_let_go();
            }
            break;
        case OP_APP_SHUTDOWN:
            if (fz.tls != NULL) {
                altcp_shutdown(fz.tls, 0, 1);
            }
            break;
        case OP_CLOSE_FAILS:
            if (fz.inner != NULL) {
                fz.inner->close_fails = true;
            }
            break;
        default: break;
        }
        if (fz.app_gone && fz.inner != NULL) {
            abort(); /* the TLS connection is gone and left the one below open */
        }
    }
    if (fz.tls != NULL) {
        altcp_abort(fz.tls);
        app_let_go();
    }
    if (fz.inner != NULL) {
        abort();
    }
#ifdef FUZZ_SHOW
    fprintf(stderr, "client got %zu of %zu, server got %zu of %zu, handshake %s\n", fz.got, fz.srv_sent, fz.srv_got,
            fz.sent_plain, fz.srv_ready ? "done" : "not done");
#endif
    tls_config_free(tc);
    if (fz.with_server || (data[0] & 1) == 0) {
        mbedtls_ssl_free(&srv);
    }
    return 0;
}
