/*
 * fake_transport.h - everything below net/smtp_client on the host: altcp connections, the TLS layer (net/tls.h),
 * the name lookup (dns_gethostbyname), net_is_up() and the HMAC-MD5 of mbedTLS, faked at their interfaces.
 *
 * lwIP's own altcp.c dispatches to the fake connections and its pbufs carry the server's bytes (link altcp.c,
 * pbuf.c, mem.c, memp.c, def.c, stats.c and ip4_addr.c from lwIP, with MEM_LIBC_MALLOC so ASan sees them).
 * Connections are malloc'd and freed as lwIP frees them (on close, abort, and before the err callback), so ASan
 * sees any use after free; a call on a connection that is not live, a write larger than altcp_sndbuf() offered, or
 * more connections than FAKE_TRANSPORT_CONNS_MAX abort(). The TLS layer only marks the wrapped connection as
 * encrypted; the real record handling is tested in test_tls and fuzz_tls_records.
 *
 * The test (or fuzz target) plays the network with the fake_transport_* calls below, which invoke the callbacks
 * the client registered, and reads what happened in fake_transport. Used by tests/unit/test_smtp_client.c and
 * tests/fuzz/fuzz_smtp_client.c; one fake network per process, not thread-safe.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_TRANSPORT_H
#define TESTS_UNIT_FAKES_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/altcp.h"
#include "lwip/dns.h"

#define FAKE_TRANSPORT_CONNS_MAX   8
#define FAKE_TRANSPORT_WRITTEN_MAX 16384

/* How dns_gethostbyname answers. */
enum fake_transport_dns {
    FAKE_DNS_AT_ONCE, /* ERR_OK with 10.0.2.2 (a cached name) */
    FAKE_DNS_LATER,   /* ERR_INPROGRESS: fake_transport_dns_answer() gives the answer */
    FAKE_DNS_ERR_ARG, /* ERR_ARG at once */
    FAKE_DNS_ERR_VAL, /* ERR_VAL at once */
};

struct fake_transport_conn {
    struct altcp_pcb pcb;              /* first: the client's pointer is this struct's */
    bool tls;                          /* bytes written are encrypted */
    struct fake_transport_conn *inner; /* a TLS connection owns the TCP one below */
    altcp_connected_fn tls_done;
    bool connecting;
};

struct fake_transport {
    struct fake_transport_conn *live[FAKE_TRANSPORT_CONNS_MAX];
    unsigned live_count;
    struct fake_transport_conn *current; /* the connection the client uses now (the TLS one once wrapped) */
    /* set by the test */
    bool net_up;
    enum fake_transport_dns dns_mode;
    uint16_t sndbuf;   /* altcp_sndbuf(); each accepted write takes its length off */
    err_t write_err;   /* what altcp_write returns instead of ERR_OK */
    bool close_fails;  /* the next altcp_close fails with ERR_MEM */
    bool no_memory;    /* altcp_tcp_new_ip_type returns NULL */
    int tls_reason;    /* tls_new/tls_wrap fail with it when TLS_ERR_NO_MEM; tls_last_error reports it */
    bool tls_required; /* a credential before TLS is up counts in cleartext_secret */
    /* what the client did */
    bool tls_up;           /* a TLS connection is current and its handshake finished */
    bool cleartext_secret; /* AUTH or the test's password ("secret", base64 "c2VjcmV0") written without TLS */
    unsigned closes;       /* graceful closes */
    unsigned aborts;       /* altcp_abort calls */
    unsigned tls_wraps;    /* STARTTLS handshakes begun */
    char host[256];        /* the name last looked up */
    char written[FAKE_TRANSPORT_WRITTEN_MAX + 1]; /* every octet written, NUL-terminated (cut when full) */
    size_t written_len;
    dns_found_callback dns_cb;
    void *dns_arg, *dns_old_arg;
};

extern struct fake_transport fake_transport;

/* Forgets every connection (without freeing: call between runs only after the client has ended) and puts back the
 * defaults: network up, lookup at once, a send buffer of 4096, nothing failing. */
void fake_transport_reset(void);

/* The server sends n bytes, as a pbuf chain split after `split` bytes (0: one pbuf). */
void fake_transport_deliver(const void *data, size_t n, size_t split);
/* The server acknowledges len bytes: the send buffer grows by len (up to 8192) and the sent callback runs. */
void fake_transport_sent(uint16_t len);
/* The server closes (recv with a NULL pbuf). */
void fake_transport_fin(void);
/* The connection fails: lwIP frees it, then calls the err callback with err; tls_reason is what tls_last_error
 * reports during that call (0: none). */
void fake_transport_fail(err_t err, int tls_reason);
/* The TCP connect (and an implicit-TLS handshake) completes. False when no connect is pending. */
bool fake_transport_connected(void);
/* The STARTTLS handshake completes. False when none is running. */
bool fake_transport_tls_done(void);
/* The pending lookup answers (found or not), with the callback argument of this submission or of the one before
 * (`stale`); `again` keeps the callback for a second answer. False when no lookup is pending. */
bool fake_transport_dns_answer(bool found, bool stale, bool again);

#endif /* TESTS_UNIT_FAKES_FAKE_TRANSPORT_H */
