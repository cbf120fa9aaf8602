/*
 * libFuzzer target for net/smtp_client: the transport's connection states under any order of network events.
 * The input is a script: byte 0 picks the configuration (no TLS, STARTTLS or implicit TLS; credentials or not) and
 * how the name lookup answers; then each event is an opcode byte and its argument bytes, played against the
 * client: server bytes in pbuf chains of any shape, sent acknowledgements, a FIN, connection errors (ERR_RST,
 * ERR_ABRT with or without a TLS reason...), the connect and handshake completing, late or stale DNS answers, the
 * clock jumping, a full or failing send buffer, close refused for want of memory, Ctrl-C, and a new submission.
 *
 * The connection below the client is tests/unit/fakes/fake_transport (lwIP's altcp.c dispatching to fake connections, a
 * TLS layer that only marks the wrapped connection as encrypted: the real TLS record handling has its own target,
 * fuzz_tls_records). Connections are malloc'd and freed as lwIP frees them, so ASan sees any use after free.
 * Besides ASan/UBSan findings, these are bugs (abort): AUTH or a
 * credential written where TLS is required but not up; a write larger than the send buffer said; a connection
 * left open or one used after a submission ended; a submission that does not end when cancelled; a result line
 * that is not a bounded string. -DFUZZ_SHOW prints the client's progress lines, to see what a seed reaches.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fake_board.h"
#include "fake_transport.h"
#include "lib/units.h"
#include "firmware/net_settings.h"
#include "net/smtp_client.h"
#include "net/tls.h"

#define CERT_REFUSED (-0x2700) /* MBEDTLS_ERR_X509_CERT_VERIFY_FAILED: what tls_last_error reports */

enum op {
    OP_DATA,      /* n, then n server bytes, split into a chain at a point given by the next byte */
    OP_SENT,      /* acknowledged length */
    OP_ERR,       /* which error */
    OP_FIN,       /* the server closes */
    OP_CONNECTED, /* the connect (and an implicit-TLS handshake) completes */
    OP_DNS,       /* the lookup answers: found or not, for this submission or an earlier one */
    OP_TLS_DONE,  /* the STARTTLS handshake completes */
    OP_CLOCK,     /* seconds pass, then smtp_client_poll */
    OP_POLL,
    OP_CANCEL,
    OP_SNDBUF,    /* the send buffer's room, and whether writes fail */
    OP_CLOSE_MEM, /* the next close fails with ERR_MEM (the client must abort then) */
    OP_START,     /* a new submission when none runs */
    OP_COUNT
};

/* ---- the script ------------------------------------------------------------------------------------------------ */

static struct config configs[4];
/* clang-format off */
static const char *const conf_texts[4] = {
	"root=a@example.com\nmailhub=mail.example.com:25\nUseTLS=NO\n",
	"root=a@example.com\nmailhub=mail.example.com:587\nUseSTARTTLS=YES\nAuthUser=user\nAuthPass=secret\n",
	"root=a@example.com\nmailhub=mail.example.com:465\nUseTLS=YES\nAuthUser=user\nAuthPass=secret\n",
	("root=a@example.com\nmailhub=mail.example.com:587\nUseSTARTTLS=YES\nAuthUser=user\nAuthPass=secret\n"
	 "AuthMethod=cram-md5\nDebug=YES\n"),
};
/* clang-format on */

static void ignore(void *ctx, const struct config_diag *d)
{
    (void)ctx;
    (void)d;
}

static void ignore_line(void *ctx, const char *line)
{
    (void)ctx;
#ifdef FUZZ_SHOW
    fprintf(stderr, "| %s\n", line);
#endif
    if (strlen(line) >= SMTP_CLIENT_LINE_MAX) {
        abort();
    }
}

static int read_body(void *ctx, uint8_t *buf, size_t cap)
{
    size_t *left = ctx, n = *left < cap ? *left : cap;

    memset(buf, 'b', n);
    if (n > 0) {
        buf[n - 1] = '\n';
    }
    *left -= n;
    return (int)n;
}

static struct smtp_message msg;
static size_t body_left;
static const char *const rcpt[] = { "r@example.com" };

static void start(unsigned conf)
{
    struct smtp_client_settings settings;

    memset(&msg, 0, sizeof(msg));
    body_left = 3000;
    msg.from = "a@example.com";
    msg.rcpt = rcpt;
    msg.rcpt_count = 1;
    msg.size = (uint32_t)body_left;
    msg.read = read_body;
    msg.read_ctx = &body_left;
    net_settings_submission(&settings, &configs[conf % 4], "root"); /* as the firmware starts a submission */
    fake_transport.tls_required = settings.options.tls != SMTP_TLS_NONE;
    fake_transport.tls_up = false;
    fake_transport.sndbuf = 4096;
    fake_transport.write_err = ERR_OK;
    if (smtp_client_start(&settings, &msg, (conf >> 2) & 1, ignore_line, NULL) != SMTP_CLIENT_OK &&
        fake_transport.net_up) {
        abort();
    }
}

static void check_done(void)
{
    const struct smtp_result *r = smtp_client_result();
    char line[SMTP_REPLY_TEXT_MAX + SMTP_DETAIL_MAX + 64];

    if (fake_transport.cleartext_secret) {
        abort(); /* AUTH or a credential where TLS is required but not up */
    }
    if (!smtp_client_done()) {
        return;
    }
    if (fake_transport.live_count != 0) {
        abort(); /* a submission ended and left its connection open */
    }
    if (memchr(r->reply.text, '\0', sizeof(r->reply.text)) == NULL) {
        abort();
    }
    smtp_result_format(r, line, sizeof(line));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const err_t errs[] = { ERR_RST, ERR_ABRT, ERR_CLSD, ERR_TIMEOUT, ERR_MEM, ERR_CONN };
    static bool loaded;
    size_t i = 1;

    if (!loaded) {
        for (unsigned k = 0; k < 4; k++) {
            config_init(&configs[k]);
            config_parse(&configs[k], "smtp.conf", conf_texts[k], strlen(conf_texts[k]), ignore, NULL);
            if (config_finish(&configs[k], ignore, NULL) != CONFIG_OK) {
                abort();
            }
        }
        loaded = true;
    }
    if (size < 1) {
        return 0;
    }
    fake_board_reset();
    fake_transport_reset();
    fake_transport.net_up = (data[0] & 0x80) == 0;
    fake_transport.dns_mode = (enum fake_transport_dns)((data[0] >> 3) & 3);
    fake_transport.tls_reason = (data[0] & 0x40) ? TLS_ERR_NO_MEM : 0;
    start(data[0]);
    fake_transport.tls_reason = 0;
    check_done();

    while (i < size) {
        uint8_t op = data[i++] % OP_COUNT, arg = i < size ? data[i] : 0;
        switch (op) {
        case OP_DATA: {
            size_t n = arg;

            i++;
            if (n > size - i) {
                n = size - i;
            }
            fake_transport_deliver(data + i, n, i + n < size ? data[i + n] : 0);
            i += n + 1;
            break;
        }
        case OP_SENT:
            i++;
            fake_transport_sent((uint16_t)(arg * 16u));
            break;
        case OP_ERR:
            i++;
            if (fake_transport.current != NULL) {
                fake_transport_fail(errs[arg % (sizeof(errs) / sizeof(errs[0]))],
                                    (arg & 0x80) && fake_transport.current->tls ? CERT_REFUSED : 0);
            }
            break;
        case OP_FIN: fake_transport_fin(); break;
        case OP_CONNECTED: fake_transport_connected(); break;
        case OP_DNS:
            i++;
            /* answered once, or kept so that a stale answer may come again */
            fake_transport_dns_answer(arg & 1, arg & 4, arg & 2);
            break;
        case OP_TLS_DONE: fake_transport_tls_done(); break;
        case OP_CLOCK:
            i++;
            fake_board_set_uptime_us(board_uptime_us() + (uint64_t)arg * arg * US_PER_S);
            smtp_client_poll();
            break;
        case OP_POLL: smtp_client_poll(); break;
        case OP_CANCEL: smtp_client_cancel(); break;
        case OP_SNDBUF:
            i++;
            fake_transport.sndbuf = (u16_t)((arg & 0x7f) * 32u);
            fake_transport.write_err = (arg & 0x80) ? ((arg & 1) ? ERR_CONN : ERR_MEM) : ERR_OK;
            break;
        case OP_CLOSE_MEM: fake_transport.close_fails = true; break;
        case OP_START:
            i++;
            if (smtp_client_done()) {
                start(arg);
            }
            break;
        default: break;
        }
        check_done();
    }
    smtp_client_cancel();
    if (!smtp_client_done()) {
        abort();
    }
    check_done();
    return 0;
}
