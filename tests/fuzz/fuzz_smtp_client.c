/*
 * libFuzzer target for net/smtp_client: the transport's connection states under any order of network events.
 * The input is a script: byte 0 picks the configuration (no TLS, STARTTLS or implicit TLS; credentials or not) and
 * how the name lookup answers; then each event is an opcode byte and its argument bytes, played against the
 * client: server bytes in pbuf chains of any shape, sent acknowledgements, a FIN, connection errors (ERR_RST,
 * ERR_ABRT with or without a TLS reason...), the connect and handshake completing, late or stale DNS answers, the
 * clock jumping, a full or failing send buffer, close refused for want of memory, Ctrl-C, and a new submission.
 *
 * The connection below the client is a fake altcp (lwIP's altcp.c dispatching to this file), and the TLS layer a
 * fake that only marks the wrapped connection as encrypted: the real TLS record handling has its own target
 * (fuzz_tls_records). Connections are malloc'd and freed as lwIP frees them (on close, abort, and before the err
 * callback), so ASan sees any use after free. Besides ASan/UBSan findings, these are bugs (abort): AUTH or a
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
#include "lib/units.h"
#include "lwip/altcp.h"
#include "lwip/dns.h"
#include "lwip/pbuf.h"
#include "lwip/priv/altcp_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "mbedtls/md.h"
#include "net/net.h"
#include "net/smtp_client.h"
#include "net/tls.h"

#define CONNS_MAX 8

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

struct fake_conn {
	struct altcp_pcb pcb;   /* first: the client's pointer is this struct's */
	bool tls;               /* bytes written are encrypted */
	struct fake_conn *inner; /* a TLS connection owns the TCP one below */
	altcp_connected_fn tls_done;
	bool connecting;
};

static struct {
	struct fake_conn *live[CONNS_MAX];
	unsigned live_count;
	struct fake_conn *current; /* the connection the client uses now (the TLS one once wrapped) */
	u16_t sndbuf;
	err_t write_err;
	bool close_fails;
	enum smtp_tls_mode tls_mode;
	bool tls_up;               /* a TLS connection is current and its handshake finished */
	int tls_reason;            /* what tls_last_error reports after ERR_ABRT on a TLS connection */
	unsigned dns_mode;
	dns_found_callback dns_cb;
	void *dns_arg, *dns_old_arg;
	char dns_name[CONFIG_HOST_MAX + 1];
	bool net_up;
} fz;

/* ---- the fakes below the client ----------------------------------------------------------------------------- */

/* pbuf.c drops TCP's out-of-sequence queues when pbufs run short; there is no TCP below the fake connections. */
struct tcp_pcb *tcp_active_pcbs;

void tcp_free_ooseq(struct tcp_pcb *pcb)
{
	(void)pcb;
}

bool net_is_up(void)
{
	return fz.net_up;
}

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

static bool is_live(const struct fake_conn *c)
{
	for (unsigned i = 0; i < fz.live_count; i++)
		if (fz.live[i] == c)
			return true;
	return false;
}

static struct fake_conn *conn_of(struct altcp_pcb *pcb)
{
	struct fake_conn *c = (struct fake_conn *)pcb;

	if (!is_live(c))
		abort(); /* the client used a connection lwIP has freed (ASan would see the access too) */
	return c;
}

/* Frees a connection and the one it owns, as lwIP does on close, abort and before the err callback. */
static void conn_free(struct fake_conn *c)
{
	for (unsigned i = 0; i < fz.live_count; i++) {
		if (fz.live[i] == c) {
			fz.live[i] = fz.live[--fz.live_count];
			break;
		}
	}
	if (fz.current == c)
		fz.current = NULL;
	if (c->inner != NULL)
		conn_free(c->inner);
	free(c);
}

static void fake_abort(struct altcp_pcb *pcb)
{
	struct fake_conn *c = conn_of(pcb);
	altcp_err_fn err = pcb->err;
	void *arg = pcb->arg;

	conn_free(c);
	if (err != NULL)
		err(arg, ERR_ABRT); /* tcp_abort calls the err callback: the client detaches first */
}

static err_t fake_close(struct altcp_pcb *pcb)
{
	struct fake_conn *c = conn_of(pcb);

	if (fz.close_fails) {
		fz.close_fails = false;
		return ERR_MEM;
	}
	conn_free(c);
	return ERR_OK;
}

static err_t fake_connect(struct altcp_pcb *pcb, const ip_addr_t *addr, u16_t port, altcp_connected_fn connected)
{
	struct fake_conn *c = conn_of(pcb);

	(void)addr;
	(void)port;
	pcb->connected = connected;
	c->connecting = true;
	return ERR_OK;
}

static u16_t fake_sndbuf(struct altcp_pcb *pcb)
{
	conn_of(pcb);
	return fz.sndbuf;
}

static bool contains(const void *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp((const char *)p + i, needle, k) == 0)
			return true;
	return false;
}

static err_t fake_write(struct altcp_pcb *pcb, const void *data, u16_t len, u8_t flags)
{
	struct fake_conn *c = conn_of(pcb);

	(void)flags;
	if (len > fz.sndbuf)
		abort(); /* more than altcp_sndbuf() offered */
	if (fz.write_err != ERR_OK)
		return fz.write_err;
	/* "dXNlcg" and "c2VjcmV0" are base64 of the test's user and password, as AUTH PLAIN/LOGIN send them. */
	if (fz.tls_mode != SMTP_TLS_NONE && !(c->tls && fz.tls_up) &&
	    (contains(data, len, "AUTH") || contains(data, len, "c2VjcmV0") || contains(data, len, "secret")))
		abort();
	fz.sndbuf -= len;
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

static struct fake_conn *conn_new(struct fake_conn *inner)
{
	struct fake_conn *c;

	if (fz.live_count >= CONNS_MAX)
		abort(); /* connections pile up: the client leaks them */
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		abort();
	c->pcb.fns = &fake_functions;
	c->inner = inner;
	c->tls = inner != NULL;
	fz.live[fz.live_count++] = c;
	fz.current = c;
	return c;
}

/* A TLS connection takes the TCP one over: it is no longer the client's (nor live on its own). */
static struct fake_conn *conn_wrap(struct altcp_pcb *inner)
{
	struct fake_conn *in = conn_of(inner);

	for (unsigned i = 0; i < fz.live_count; i++)
		if (fz.live[i] == in)
			fz.live[i] = fz.live[--fz.live_count];
	return conn_new(in);
}

struct altcp_pcb *altcp_tcp_new_ip_type(u8_t ip_type)
{
	(void)ip_type;
	return fz.live_count < CONNS_MAX ? &conn_new(NULL)->pcb : NULL;
}

err_t dns_gethostbyname(const char *hostname, ip_addr_t *addr, dns_found_callback found, void *callback_arg)
{
	switch (fz.dns_mode) {
	case 0:
		IP_ADDR4(addr, 10, 0, 2, 2);
		return ERR_OK;
	case 1:
		fz.dns_cb = found;
		fz.dns_old_arg = fz.dns_arg;
		fz.dns_arg = callback_arg;
		strncpy(fz.dns_name, hostname, sizeof(fz.dns_name) - 1);
		return ERR_INPROGRESS;
	case 2:
		return ERR_ARG;
	default:
		return ERR_VAL;
	}
}

static struct tls_config *fake_tls_config(void)
{
	static char tag;

	return (struct tls_config *)(void *)&tag;
}

int tls_config_new(struct tls_config **out, const struct config *cfg, const struct tls_pem *ca,
		   const struct tls_pem *cert, const struct tls_pem *key)
{
	(void)cfg;
	(void)ca;
	(void)cert;
	(void)key;
	*out = fake_tls_config();
	return 0;
}

void tls_config_free(struct tls_config *tc)
{
	if (tc != NULL && tc != fake_tls_config())
		abort();
}

struct altcp_pcb *tls_new(struct altcp_pcb *inner, struct tls_config *tc, const char *host, int *err)
{
	(void)tc;
	(void)host;
	if (fz.tls_reason == TLS_ERR_NO_MEM) {
		*err = TLS_ERR_NO_MEM;
		return NULL;
	}
	fz.tls_up = true; /* implicit TLS: connected runs only after the handshake */
	return &conn_wrap(inner)->pcb;
}

struct altcp_pcb *tls_wrap(struct altcp_pcb *inner, struct tls_config *tc, const char *host, altcp_connected_fn done,
			   int *err)
{
	struct fake_conn *c;

	(void)tc;
	(void)host;
	if (fz.tls_reason == TLS_ERR_NO_MEM) {
		*err = TLS_ERR_NO_MEM;
		return NULL;
	}
	c = conn_wrap(inner);
	c->tls_done = done;
	fz.tls_up = false;
	return &c->pcb;
}

int tls_last_error(const struct altcp_pcb *conn, char *buf, size_t len)
{
	(void)conn;
	if (buf != NULL && len > 0)
		strncpy(buf, fz.tls_reason != 0 ? "X509 - certificate not trusted" : "", len - 1)[len - 1] = '\0';
	return fz.tls_reason;
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

/* ---- the script ------------------------------------------------------------------------------------------------ */

static struct config configs[4];
static const char *const conf_texts[4] = {
	"root=a@example.com\nmailhub=mail.example.com:25\nUseTLS=NO\n",
	"root=a@example.com\nmailhub=mail.example.com:587\nUseSTARTTLS=YES\nAuthUser=user\nAuthPass=secret\n",
	"root=a@example.com\nmailhub=mail.example.com:465\nUseTLS=YES\nAuthUser=user\nAuthPass=secret\n",
	("root=a@example.com\nmailhub=mail.example.com:587\nUseSTARTTLS=YES\nAuthUser=user\nAuthPass=secret\n"
	 "AuthMethod=cram-md5\nDebug=YES\n"),
};

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
	if (strlen(line) >= SMTP_CLIENT_LINE_MAX)
		abort();
}

static int read_body(void *ctx, uint8_t *buf, size_t cap)
{
	size_t *left = ctx, n = *left < cap ? *left : cap;

	memset(buf, 'b', n);
	if (n > 0)
		buf[n - 1] = '\n';
	*left -= n;
	return (int)n;
}

static struct smtp_message msg;
static size_t body_left;
static const char *const rcpt[] = { "r@example.com" };

static void start(unsigned conf)
{
	const struct config *cfg = &configs[conf % 4];
	struct smtp_options o;

	memset(&msg, 0, sizeof(msg));
	body_left = 3000;
	msg.from = "a@example.com";
	msg.rcpt = rcpt;
	msg.rcpt_count = 1;
	msg.size = (uint32_t)body_left;
	msg.read = read_body;
	msg.read_ctx = &body_left;
	smtp_options_from_config(&o, cfg); /* what the configuration asks for, as the client reads it */
	fz.tls_mode = o.tls;
	fz.tls_up = false;
	fz.sndbuf = 4096;
	fz.write_err = ERR_OK;
	if (smtp_client_start(cfg, "root", &msg, (conf >> 2) & 1, ignore_line, NULL) != SMTP_CLIENT_OK && fz.net_up)
		abort();
}

static void check_done(void)
{
	const struct smtp_result *r = smtp_client_result();
	char line[SMTP_REPLY_TEXT_MAX + SMTP_DETAIL_MAX + 64];

	if (!smtp_client_done())
		return;
	if (fz.live_count != 0)
		abort(); /* a submission ended and left its connection open */
	if (memchr(r->reply.text, '\0', sizeof(r->reply.text)) == NULL)
		abort();
	smtp_result_format(r, line, sizeof(line));
}

static void deliver(const uint8_t *data, size_t n, size_t split)
{
	struct fake_conn *c = fz.current;
	struct pbuf *p, *q;

	if (c == NULL || c->pcb.recv == NULL || n == 0)
		return;
	if (split == 0 || split >= n)
		split = n;
	p = pbuf_alloc(PBUF_RAW, (u16_t)split, PBUF_RAM);
	if (p == NULL)
		return;
	memcpy(p->payload, data, split);
	if (split < n) {
		q = pbuf_alloc(PBUF_RAW, (u16_t)(n - split), PBUF_RAM);
		if (q == NULL) {
			pbuf_free(p);
			return;
		}
		memcpy(q->payload, data + split, n - split);
		pbuf_cat(p, q);
	}
	c->pcb.recv(c->pcb.arg, &c->pcb, p, ERR_OK); /* the callback owns p */
}

static void fail_connection(uint8_t how)
{
	static const err_t errs[] = { ERR_RST, ERR_ABRT, ERR_CLSD, ERR_TIMEOUT, ERR_MEM, ERR_CONN };
	struct fake_conn *c = fz.current;
	altcp_err_fn err;
	void *arg;

	if (c == NULL)
		return;
	err = c->pcb.err;
	arg = c->pcb.arg;
	fz.tls_reason = (how & 0x80) && c->tls ? -0x2700 : 0; /* a refused certificate, else a plain failure */
	conn_free(c);
	if (err != NULL)
		err(arg, errs[how % (sizeof(errs) / sizeof(errs[0]))]);
	fz.tls_reason = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool loaded;
	size_t i = 1;

	if (!loaded) {
		for (unsigned k = 0; k < 4; k++) {
			config_init(&configs[k]);
			config_parse(&configs[k], "smtp.conf", conf_texts[k], strlen(conf_texts[k]), ignore, NULL);
			if (config_finish(&configs[k], ignore, NULL) != CONFIG_OK)
				abort();
		}
		loaded = true;
	}
	if (size < 1)
		return 0;
	fake_board_reset();
	memset(&fz, 0, sizeof(fz));
	fz.net_up = (data[0] & 0x80) == 0;
	fz.dns_mode = (data[0] >> 3) & 3;
	fz.tls_reason = (data[0] & 0x40) ? TLS_ERR_NO_MEM : 0;
	start(data[0]);
	fz.tls_reason = 0;
	check_done();

	while (i < size) {
		uint8_t op = data[i++] % OP_COUNT, arg = i < size ? data[i] : 0;
		struct fake_conn *c = fz.current;

		switch (op) {
		case OP_DATA: {
			size_t n = arg;

			i++;
			if (n > size - i)
				n = size - i;
			deliver(data + i, n, i + n < size ? data[i + n] : 0);
			i += n + 1;
			break;
		}
		case OP_SENT:
			i++;
			fz.sndbuf = (u16_t)(fz.sndbuf + arg * 16u > 8192 ? 8192 : fz.sndbuf + arg * 16u);
			if (c != NULL && c->pcb.sent != NULL)
				c->pcb.sent(c->pcb.arg, &c->pcb, (u16_t)(arg * 16u));
			break;
		case OP_ERR:
			i++;
			fail_connection(arg);
			break;
		case OP_FIN:
			if (c != NULL && c->pcb.recv != NULL)
				c->pcb.recv(c->pcb.arg, &c->pcb, NULL, ERR_OK);
			break;
		case OP_CONNECTED:
			if (c != NULL && c->connecting && c->pcb.connected != NULL) {
				c->connecting = false;
				c->pcb.connected(c->pcb.arg, &c->pcb, ERR_OK);
			}
			break;
		case OP_DNS:
			i++;
			if (fz.dns_cb != NULL) {
				ip_addr_t addr;
				dns_found_callback cb = fz.dns_cb;

				IP_ADDR4(&addr, 10, 0, 2, 2);
				if (!(arg & 2))
					fz.dns_cb = NULL; /* answered once; a stale answer may come again */
				cb(fz.dns_name, (arg & 1) ? &addr : NULL, (arg & 4) ? fz.dns_old_arg : fz.dns_arg);
			}
			break;
		case OP_TLS_DONE:
			if (c != NULL && c->tls_done != NULL && !fz.tls_up) {
				fz.tls_up = true;
				c->tls_done(c->pcb.arg, &c->pcb, ERR_OK);
			}
			break;
		case OP_CLOCK:
			i++;
			fake_board_set_uptime_us(board_uptime_us() + (uint64_t)arg * arg * US_PER_S);
			smtp_client_poll();
			break;
		case OP_POLL:
			smtp_client_poll();
			break;
		case OP_CANCEL:
			smtp_client_cancel();
			break;
		case OP_SNDBUF:
			i++;
			fz.sndbuf = (u16_t)((arg & 0x7f) * 32u);
			fz.write_err = (arg & 0x80) ? ((arg & 1) ? ERR_CONN : ERR_MEM) : ERR_OK;
			break;
		case OP_CLOSE_MEM:
			fz.close_fails = true;
			break;
		case OP_START:
			i++;
			if (smtp_client_done())
				start(arg);
			break;
		default:
			break;
		}
		check_done();
	}
	smtp_client_cancel();
	if (!smtp_client_done())
		abort();
	check_done();
	return 0;
}
