/*
 * The SMTP transport; see smtp_client.h.
 *
 * lwIP calls back from inside net_poll(): the callbacks only feed the engine and write what it answers. Anything
 * that replaces or frees the connection (the TLS start after STARTTLS, the close at the end) waits for
 * smtp_client_poll(), so no callback ever returns into a pcb that was just wrapped or freed.
 */
#include "net/smtp_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "lib/units.h"
#include "lib/wake.h"
#include "lwip/altcp.h"
#include "lwip/altcp_tcp.h"
#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "mbedtls/md.h"
#include "net/net.h"
#include "net/tls.h"

enum phase {
    PHASE_IDLE,       /* no submission, or the last one has ended */
    PHASE_RESOLVING,  /* waiting for DNS */
    PHASE_CONNECTING, /* TCP connect (and the TLS handshake with implicit TLS) */
    PHASE_RUNNING,    /* the engine talks to the server */
    PHASE_TLS,        /* STARTTLS accepted: the handshake over the open connection */
};

static struct {
    enum phase phase;
    struct smtp_session session;
    struct smtp_options opt;
    const char *host;
    uint16_t port;
    ip_addr_t addr;
    struct altcp_pcb *pcb;
    bool pcb_is_tls;
    uintptr_t generation; /* DNS answers for an earlier submission are stale */
    enum smtp_step step;  /* the last step the engine announced: where a cancel or a write error happened */
    smtp_client_report_fn report;
    void *report_ctx;
    struct smtp_result result;
    struct smtp_stats stats;
    uint64_t next_us;   /* the engine's deadline at the last poll (board_uptime_us()), UINT64_MAX for none */
    bool write_stalled; /* lwIP had no memory for a write: retried from the poll (see pump) */
} client;

/* A write lwIP refused for want of memory is tried again this soon, if no ACK (which frees memory) comes first. */
#ifndef SMTP_CLIENT_WRITE_RETRY_US
#define SMTP_CLIENT_WRITE_RETRY_US 10000u
#endif

/* The TLS settings outlive a submission so that the next one can resume the server's session (one round trip and
 * no certificate check less). They are rebuilt when a setting they came from changes. */
static struct {
    struct tls_config *config;
    char ca_file[SMTP_CLIENT_PATH_MAX + 1];
    char cert[SMTP_CLIENT_PATH_MAX + 1];
    char key[SMTP_CLIENT_PATH_MAX + 1];
    bool use_cert;
    struct tls_settings settings;
} tls;

/* ---- reporting --------------------------------------------------------------------------------------------- */

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
    if (client.report == NULL) {
        return;
    }
    char line[SMTP_CLIENT_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    client.report(client.report_ctx, line);
}

static void engine_log(void *ctx, const char *line)
{
    (void)ctx;
    report("%s", line);
}

static void engine_progress(void *ctx, enum smtp_step step, const char *detail)
{
    (void)ctx;
    client.step = step;
    switch (step) {
    case SMTP_STEP_GREETING: report("server: %s", detail); break;
    case SMTP_STEP_STARTTLS: report("STARTTLS"); break;
    case SMTP_STEP_AUTH: report("AUTH %s", detail); break;
    case SMTP_STEP_MAIL: report("MAIL FROM:<%s>", detail); break;
    case SMTP_STEP_BODY: report("sending the message"); break;
    default: break;
    }
}

/* CRAM-MD5's HMAC-MD5 (RFC 2195), from mbedTLS so the image carries one MD5. */
static int hmac_md5(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                    uint8_t mac[SMTP_AUTH_MD5_LEN])
{
    (void)ctx;
    const mbedtls_md_info_t *md5 = mbedtls_md_info_from_type(MBEDTLS_MD_MD5);
    if (md5 == NULL) {
        return MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE;
    }
    return mbedtls_md_hmac(md5, key, key_len, msg, msg_len, mac);
}

/* ---- the connection ---------------------------------------------------------------------------------------- */

static void detach_pcb(void)
{
    if (client.pcb == NULL) {
        return;
    }
    altcp_arg(client.pcb, NULL);
    altcp_recv(client.pcb, NULL);
    altcp_sent(client.pcb, NULL);
    altcp_err(client.pcb, NULL);
    altcp_poll(client.pcb, NULL, 0);
}

/* Closes the connection gracefully (a TLS close_notify, then FIN), or resets it when lwIP has no memory for that. */
static void close_pcb(bool graceful)
{
    if (client.pcb == NULL) {
        return;
    }
    detach_pcb();
    if (!graceful || altcp_close(client.pcb) != ERR_OK) {
        altcp_abort(client.pcb);
    }
    client.pcb = NULL;
}

/* Hands the engine's output to the connection as far as its send buffer allows; the sent callback continues. */
static void pump(void)
{
    uint32_t now = sys_now();
    bool wrote = false;
    client.write_stalled = false;
    while (client.phase == PHASE_RUNNING && client.pcb != NULL &&
           smtp_session_status(&client.session) == SMTP_STATUS_RUNNING) {
        const uint8_t *data;
        size_t len = smtp_session_output(&client.session, &data);
        u16_t room = altcp_sndbuf(client.pcb);
        if (len == 0 || room == 0) {
            break;
        }
        u16_t chunk = len < room ? (u16_t)len : room;
        err_t err = altcp_write(client.pcb, data, chunk, TCP_WRITE_FLAG_COPY);
        if (err == ERR_MEM) {
            client.write_stalled = true;
            break; /* the queue is full: the sent callback or the next poll tries again */
        }
        if (err != ERR_OK) {
            char detail[SMTP_DETAIL_MAX];
            snprintf(detail, sizeof detail, "write failed: %s", net_strerror(err));
            smtp_session_abort(&client.session, client.step, true, detail, now);
            break;
        }
        smtp_session_output_done(&client.session, chunk, now);
        wrote = true;
    }
    if (wrote) {
        altcp_output(client.pcb);
    }
}

static err_t on_recv(void *arg, struct altcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    uint32_t now = sys_now();
    if (p == NULL) {
        smtp_session_closed(&client.session, now);
        return ERR_OK;
    }
    if (err == ERR_OK) {
        for (struct pbuf *q = p; q != NULL; q = q->next) {
            smtp_session_input(&client.session, q->payload, q->len, now);
        }
    }
    altcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    pump();
    return ERR_OK;
}

static err_t on_sent(void *arg, struct altcp_pcb *pcb, u16_t len)
{
    (void)arg;
    (void)pcb;
    (void)len;
    pump();
    return ERR_OK;
}

/* The pcb is gone (reset by the peer, refused, a failed handshake, or out of memory): lwIP has freed it already. */
static void on_err(void *arg, err_t err)
{
    (void)arg;
    uint32_t now = sys_now();
    client.pcb = NULL;
    char detail[SMTP_DETAIL_MAX];
    /* The TLS layer aborts its pcb on a failure and keeps the reason. */
    int tls_err = client.pcb_is_tls && err == ERR_ABRT ? tls_last_error(NULL, detail, sizeof detail) : 0;
    if (tls_err == 0) {
        snprintf(detail, sizeof detail, "%s:%u: %s", client.host, (unsigned)client.port,
                 err != ERR_RST                     ? net_strerror(err)
                 : client.phase == PHASE_CONNECTING ? "connection refused"
                                                    : "connection reset");
    }
    if (client.phase == PHASE_CONNECTING && tls_err == 0) {
        smtp_session_abort(&client.session, SMTP_STEP_CONNECT, true, detail, now);
    } else if (client.phase == PHASE_CONNECTING || client.phase == PHASE_TLS) {
        /* A refused certificate stays refused: retrying later helps only when the connection failed. */
        smtp_session_abort(&client.session, SMTP_STEP_TLS, tls_err == 0 || tls_err == TLS_ERR_CLOSED, detail, now);
    } else if (tls_err == 0 && (err == ERR_RST || err == ERR_CLSD)) {
        smtp_session_closed(&client.session, now);
    } else {
        smtp_session_abort(&client.session, client.step, true, detail, now);
    }
}

static void report_tls(struct altcp_pcb *pcb)
{
    report("TLS: %s, %s%s", tls_version(pcb), tls_ciphersuite(pcb), tls_resumed(pcb) ? ", session resumed" : "");
}

static err_t on_connected(void *arg, struct altcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK) {
        return ERR_OK; /* lwIP reports the failure through on_err */
    }
    client.phase = PHASE_RUNNING;
    report("connected to %s:%u (%s)", client.host, (unsigned)client.port, ipaddr_ntoa(&client.addr));
    if (client.pcb_is_tls) {
        report_tls(pcb);
    }
    smtp_session_connected(&client.session, sys_now());
    pump();
    return ERR_OK;
}

/* The STARTTLS handshake succeeded: the engine starts again with EHLO, over TLS. */
static err_t on_tls_ready(void *arg, struct altcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK) {
        return ERR_OK; /* failures come through on_err */
    }
    client.phase = PHASE_RUNNING;
    report_tls(pcb);
    smtp_session_tls_started(&client.session, sys_now());
    pump();
    return ERR_OK;
}

static void set_callbacks(struct altcp_pcb *pcb)
{
    altcp_arg(pcb, NULL);
    altcp_recv(pcb, on_recv);
    altcp_sent(pcb, on_sent);
    altcp_err(pcb, on_err);
}

/* STARTTLS was accepted: the TLS layer takes the open connection over and runs the handshake. Called from
 * smtp_client_poll(), never from inside a callback of the pcb being wrapped. */
static void start_tls(void)
{
    int err = 0;
    struct altcp_pcb *pcb = tls_wrap(client.pcb, tls.config, client.host, on_tls_ready, &err);
    if (pcb == NULL) {
        char detail[SMTP_DETAIL_MAX];
        snprintf(detail, sizeof detail, "cannot start TLS: %s", tls_strerror(err));
        smtp_session_abort(&client.session, SMTP_STEP_TLS, true, detail, sys_now());
        return;
    }
    client.pcb = pcb;
    client.pcb_is_tls = true;
    client.phase = PHASE_TLS;
    set_callbacks(pcb);
}

static void connect_now(void)
{
    uint32_t now = sys_now();
    client.phase = PHASE_CONNECTING;
    client.pcb = altcp_tcp_new_ip_type(IP_GET_TYPE(&client.addr));
    if (client.pcb == NULL) {
        smtp_session_abort(&client.session, SMTP_STEP_CONNECT, true, "no memory for a connection", now);
        return;
    }
    if (client.opt.tls == SMTP_TLS_IMPLICIT) {
        int err = 0;
        struct altcp_pcb *pcb = tls_new(client.pcb, tls.config, client.host, &err);
        if (pcb == NULL) {
            char detail[SMTP_DETAIL_MAX];
            snprintf(detail, sizeof detail, "cannot start TLS: %s", tls_strerror(err));
            close_pcb(false);
            smtp_session_abort(&client.session, SMTP_STEP_TLS, true, detail, now);
            return;
        }
        client.pcb = pcb;
        client.pcb_is_tls = true;
    }
    /* The engine writes a pipelined group as several pieces and then waits: Nagle would hold the last one back.
     * On a TLS pcb this reaches the TCP connection below. */
    altcp_nagle_disable(client.pcb);
    set_callbacks(client.pcb);
    report("connecting to %s:%u (%s)", client.host, (unsigned)client.port, ipaddr_ntoa(&client.addr));
    err_t err = altcp_connect(client.pcb, &client.addr, client.port, on_connected);
    if (err != ERR_OK) {
        char detail[SMTP_DETAIL_MAX];
        snprintf(detail, sizeof detail, "%s:%u: %s", client.host, (unsigned)client.port, net_strerror(err));
        close_pcb(false);
        smtp_session_abort(&client.session, SMTP_STEP_CONNECT, true, detail, now);
    }
}

static void on_resolved(const char *name, const ip_addr_t *addr, void *arg)
{
    if ((uintptr_t)arg != client.generation || client.phase != PHASE_RESOLVING) {
        return;
    }
    if (addr == NULL) {
        char detail[SMTP_DETAIL_MAX];
        snprintf(detail, sizeof detail, "cannot resolve %s", name);
        smtp_session_abort(&client.session, SMTP_STEP_CONNECT, true, detail, sys_now());
        return;
    }
    client.addr = *addr;
    connect_now();
}

/* ---- the session's life ------------------------------------------------------------------------------------ */

/* Reads a whole file of the boot partition into a new buffer (the caller frees it). Returns 0, a BOARD_ERR_* code,
 * or SMTP_CLIENT_ERR_NO_MEM. */
static int read_file(const char *name, struct tls_pem *pem)
{
    size_t len = 0;
    int err = board_read_boot_file(name, NULL, 0, &len);
    if (err != BOARD_ERR_TOO_BIG && err != 0) {
        return err;
    }
    char *buf = malloc(len > 0 ? len : 1);
    if (buf == NULL) {
        return SMTP_CLIENT_ERR_NO_MEM;
    }
    err = board_read_boot_file(name, buf, len, &len);
    if (err != 0) {
        free(buf);
        return err;
    }
    pem->text = buf;
    pem->len = len;
    return 0;
}

/* A file name of the settings: NULL counts as "". */
static const char *file_name(const char *name)
{
    return name != NULL ? name : "";
}

/* The files are compared by name, not contents: the firmware reads its configuration once, at boot. */
static bool tls_settings_unchanged(const struct smtp_client_settings *s)
{
    const struct tls_settings *t = &s->tls;
    bool use_cert = s->cert_file != NULL;
    return tls.config != NULL && strcmp(tls.ca_file, file_name(s->ca_file)) == 0 && tls.use_cert == use_cert &&
           (!use_cert || (strcmp(tls.cert, s->cert_file) == 0 && strcmp(tls.key, file_name(s->key_file)) == 0)) &&
           tls.settings.min_version == t->min_version && tls.settings.pinned == t->pinned &&
           memcmp(tls.settings.pin, t->pin, sizeof t->pin) == 0;
}

static void tls_settings_remember(const struct smtp_client_settings *s)
{
    snprintf(tls.ca_file, sizeof tls.ca_file, "%s", file_name(s->ca_file));
    tls.use_cert = s->cert_file != NULL;
    snprintf(tls.cert, sizeof tls.cert, "%s", file_name(s->cert_file));
    snprintf(tls.key, sizeof tls.key, "%s", file_name(s->key_file));
    tls.settings = s->tls;
}

/* The TLS settings: the CA file (or the built-in bundle) and the client certificate, read from the card.
 * Returns 0, or fills detail and returns a negative code. */
static int prepare_tls(const struct smtp_client_settings *s, char *detail, size_t size)
{
    if (tls_settings_unchanged(s)) {
        return 0;
    }
    tls_config_free(tls.config);
    tls.config = NULL;
    struct tls_pem ca = { 0 }, cert = { 0 }, key = { 0 };
    const char *ca_file = file_name(s->ca_file);
    bool use_cert = s->cert_file != NULL;
    const char *failed = NULL;
    int err = 0;
    if (ca_file[0] != '\0' && (err = read_file(ca_file, &ca)) != 0) {
        failed = ca_file;
    } else if (use_cert && (err = read_file(s->cert_file, &cert)) != 0) {
        failed = s->cert_file;
    } else if (use_cert && (err = read_file(file_name(s->key_file), &key)) != 0) {
        failed = file_name(s->key_file);
    }
    if (failed != NULL) {
        snprintf(detail, size, "cannot read %s: %s", failed,
                 err_in_range(err, ERR_BASE_BOARD) ? board_strerror(err) : smtp_client_strerror(err));
    } else {
        err = tls_config_new(&tls.config, &s->tls, ca.text != NULL ? &ca : NULL, use_cert ? &cert : NULL,
                             use_cert ? &key : NULL);
        if (err != 0) {
            snprintf(detail, size, "TLS settings: %s", tls_strerror(err));
            tls.config = NULL;
        } else {
            tls_settings_remember(s);
        }
    }
    free((void *)ca.text);
    free((void *)cert.text);
    free((void *)key.text);
    return err;
}

static void finish(void)
{
    close_pcb(smtp_session_status(&client.session) == SMTP_STATUS_DONE);
    client.result = *smtp_session_result(&client.session);
    client.stats = *smtp_session_stats(&client.session);
    client.phase = PHASE_IDLE;
}

int smtp_client_start(const struct smtp_client_settings *settings, struct smtp_message *msgs, unsigned count,
                      smtp_client_report_fn report_fn, void *report_ctx)
{
    if (client.phase != PHASE_IDLE) {
        return SMTP_CLIENT_ERR_BUSY;
    }
    if (settings == NULL || settings->host == NULL || (msgs == NULL && count > 0)) {
        return SMTP_CLIENT_ERR_ARG;
    }
    if (!net_is_up()) {
        return SMTP_CLIENT_ERR_NO_NET;
    }
    client.generation++;
    client.report = report_fn;
    client.report_ctx = report_ctx;
    client.step = SMTP_STEP_CONNECT;
    client.host = settings->host;
    client.port = settings->port;

    client.opt = settings->options;
    client.opt.hmac_md5 = hmac_md5;
    client.opt.hmac_ctx = NULL;
    client.opt.progress = engine_progress;
    client.opt.progress_ctx = NULL;
    client.opt.log = settings->debug ? engine_log : NULL;
    client.opt.log_ctx = NULL;
    smtp_session_init(&client.session, &client.opt, msgs, count, sys_now());
    client.pcb_is_tls = false;

    char detail[SMTP_DETAIL_MAX];
    if (client.opt.tls != SMTP_TLS_NONE && prepare_tls(settings, detail, sizeof detail) != 0) {
        smtp_session_abort(&client.session, SMTP_STEP_TLS, false, detail, sys_now());
        finish();
        return SMTP_CLIENT_OK;
    }

    client.phase = PHASE_RESOLVING;
    err_t err = dns_gethostbyname(client.host, &client.addr, on_resolved, (void *)client.generation);
    if (err == ERR_OK) {
        connect_now();
    } else if (err == ERR_INPROGRESS) {
        report("resolving %s", client.host);
    } else {
        snprintf(detail, sizeof detail, "cannot resolve %s: %s", client.host, net_dns_strerror(err));
        smtp_session_abort(&client.session, SMTP_STEP_CONNECT, true, detail, sys_now());
    }
    smtp_client_poll();
    return SMTP_CLIENT_OK;
}

/* Notes the engine's deadline as of now_us, for smtp_client_next_deadline_us(). The engine's timeouts were enforced
 * at this time already, so this only reads how long is left: the time the last step's output started counting. */
static void note_deadline(uint64_t now_us)
{
    if (smtp_session_status(&client.session) == SMTP_STATUS_DONE) {
        client.next_us = 0; /* a write failed or the TLS start was refused just now: the next poll finishes */
        return;
    }
    uint32_t left_ms = smtp_session_poll(&client.session, (uint32_t)(now_us / US_PER_MS));
    client.next_us = left_ms == SMTP_NO_DEADLINE ? UINT64_MAX : (now_us / US_PER_MS + left_ms) * US_PER_MS;
}

void smtp_client_poll(void)
{
    if (client.phase == PHASE_IDLE) {
        return;
    }
    /* sys_now() is this reading in milliseconds (net/sys_arch.c): the engine's deadline, in its milliseconds, is
     * due at that many whole milliseconds of uptime. */
    uint64_t now_us = board_uptime_us();
    smtp_session_poll(&client.session, (uint32_t)(now_us / US_PER_MS));
    enum smtp_status status = smtp_session_status(&client.session);
    if (status == SMTP_STATUS_DONE) {
        finish();
        return;
    }
    if (status == SMTP_STATUS_START_TLS && client.phase == PHASE_RUNNING && client.pcb != NULL) {
        start_tls();
    } else {
        pump();
    }
    note_deadline(now_us);
}

uint64_t smtp_client_next_deadline_us(void)
{
    if (client.phase == PHASE_IDLE) {
        return UINT64_MAX;
    }
    if (client.write_stalled) {
        return wake_min(board_uptime_us() + SMTP_CLIENT_WRITE_RETRY_US, client.next_us);
    }
    return client.next_us;
}

bool smtp_client_done(void)
{
    return client.phase == PHASE_IDLE;
}

void smtp_client_cancel(void)
{
    if (client.phase == PHASE_IDLE) {
        return;
    }
    close_pcb(false);
    smtp_session_abort(&client.session, client.step, true, "cancelled", sys_now());
    finish();
}

const struct smtp_result *smtp_client_result(void)
{
    return &client.result;
}

const struct smtp_stats *smtp_client_stats(void)
{
    return &client.stats;
}

const char *smtp_client_strerror(int err)
{
    switch (err) {
    case SMTP_CLIENT_OK: return "ok";
    case SMTP_CLIENT_ERR_BUSY: return "a submission is already running";
    case SMTP_CLIENT_ERR_ARG: return "no settings, server or message";
    case SMTP_CLIENT_ERR_NO_NET: return "the network is not up (see `net`)";
    case SMTP_CLIENT_ERR_NO_MEM: return "out of memory";
    default: return "unknown error";
    }
}
