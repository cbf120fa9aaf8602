/*
 * tls_harness.h - what test_tls and test_tls_session share: net/tls's client over an in-memory altcp "wire" (the
 * inner pcb), an Mbed TLS server the test drives on the other end, certificates made at start-up with Mbed TLS's
 * x509write (EC P-256, so no key material is committed), and the per-test leak check (lwIP's pools and heap, and
 * Mbed TLS's heap through a counting allocator). One connection at a time: tls_harness_wire and tls_harness_app
 * are its two ends. tls_harness_group_setup must run before any test, and tls_harness_group_clock_setup before the
 * tests that need the time of day.
 */
#ifndef TESTS_UNIT_NET_TLS_HARNESS_H
#define TESTS_UNIT_NET_TLS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/altcp.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ticket.h"
#include "mbedtls/x509_crt.h"
#include "net/tls.h"

#define TLS_HARNESS_HOST          "mail.example.test"
#define TLS_HARNESS_PIPE_UP_CAP   8192  /* client -> server bytes in flight: the inner pcb's send buffer */
#define TLS_HARNESS_PIPE_DOWN_CAP 32768 /* server -> client bytes in flight */
#define TLS_HARNESS_PIPE_WINDOW   11680 /* what the client may receive before it calls altcp_recved (lwIP's TCP_WND) */
#define TLS_HARNESS_DELIVER_CHUNK 1000  /* odd segment size, so records arrive split */
#define TLS_HARNESS_PUMP_MAX      200000

struct tls_harness_test_cert {
    mbedtls_pk_context key;
    char subject[64];
    unsigned char der[1024];
    size_t der_len;
    char pem[2048];
    char key_pem[1024];
};

extern struct tls_harness_test_cert tls_harness_ca, tls_harness_other_ca, tls_harness_server_crt,
    tls_harness_expired_crt, tls_harness_other_crt, tls_harness_self_signed, tls_harness_client_crt, tls_harness_ip_crt;
/* Mbed TLS's heap now and at its highest, counted by the allocator the group setup installs. */
extern size_t tls_harness_heap_now;
extern size_t tls_harness_heap_peak;
void tls_harness_cert_sha256(const struct tls_harness_test_cert *c, uint8_t out[32]);
struct tls_pem tls_harness_pem_of(const char *text);

/* The wire: the client's inner pcb. */
struct tls_harness_wire {
    struct altcp_pcb *pcb;
    unsigned char up[TLS_HARNESS_PIPE_UP_CAP];
    size_t up_len;
    unsigned char down[TLS_HARNESS_PIPE_DOWN_CAP];
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
};
extern struct tls_harness_wire tls_harness_wire;
extern const struct altcp_functions tls_harness_pipe_functions;
struct altcp_pcb *tls_harness_pipe_open(void);

/* The server. */
extern mbedtls_ssl_ticket_context tls_harness_tickets;
struct tls_harness_server {
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

struct tls_harness_server_opts {
    const struct tls_harness_test_cert *leaf;
    const struct tls_harness_test_cert *issuer; /* sent after the leaf; NULL for none */
    uint16_t min_version;
    uint16_t max_version;
    bool want_client_cert;
    const uint16_t *groups; /* NULL: Mbed TLS's default */
    uint16_t tickets;       /* TLS 1.3 NewSessionTickets sent after each handshake; 0: Mbed TLS's default (1) */
};

void tls_harness_server_start(struct tls_harness_server *s, const struct tls_harness_server_opts *o);
void tls_harness_server_free(struct tls_harness_server *s);
void tls_harness_server_step(struct tls_harness_server *s);

/* The application on the client's TLS pcb. */
struct tls_harness_app {
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
};
extern struct tls_harness_app tls_harness_app;
err_t tls_harness_app_connected(void *arg, struct altcp_pcb *conn, err_t err);
void tls_harness_app_attach(struct altcp_pcb *tls);
void tls_harness_app_reset(void);

/* Driving both ends: moves at most max bytes down the wire; pumps until neither end makes progress. */
void tls_harness_wire_deliver(size_t max);
void tls_harness_pump(struct tls_harness_server *s);

/* Configurations and connections. */
extern struct tls_settings tls_harness_test_settings;
struct tls_config *tls_harness_config_make(const struct tls_harness_test_cert *trusted,
                                           const struct tls_harness_test_cert *pinned,
                                           const struct tls_harness_test_cert *client);
/* STARTTLS style: wrap the open wire. */
void tls_harness_client_wrap(struct tls_config *tc, const char *host);
void tls_harness_client_close(void);
extern const struct tls_harness_server_opts tls_harness_tls13_opts;
extern const struct tls_harness_server_opts tls_harness_tls12_opts;
/* Runs a handshake that must fail and returns the client's error text. */
int tls_harness_expect_refused(struct tls_config *tc, const char *host, const struct tls_harness_server_opts *o,
                               char *text, size_t len);
/* len bytes of a pattern that depends on seed, malloc'd. */
unsigned char *tls_harness_pattern(size_t len, unsigned seed);
/* Queues len bytes each way on an open connection: *down (pattern seed) for the server to send, *up (seed + 1) for
 * the client; both malloc'd, the caller frees them after the pump. */
void tls_harness_queue_both_ways(struct tls_harness_server *s, size_t len, unsigned seed, unsigned char **down,
                                 unsigned char **up);
/* A TLS 1.3 server and the client connected to it through the pipe. */
void tls_harness_tls13_connect(struct tls_harness_server *s, struct tls_config *tc);
/* A handshake, then `len` bytes each way; checks SNI, version and content. */
void tls_harness_run_exchange(struct tls_config *tc, const struct tls_harness_server_opts *o, size_t len,
                              const char *version);

/* cmocka fixtures: each test leaves no lwIP pcb or heap and no Mbed TLS heap behind; the group setup makes the
 * certificates and warms PSA crypto up, the clock setup sets the time of day (once: it cannot be unset). */
int tls_harness_test_setup(void **state);
int tls_harness_test_teardown(void **state);
int tls_harness_group_setup(void **state);
int tls_harness_group_teardown(void **state);
int tls_harness_group_clock_setup(void **state);

#endif /* TESTS_UNIT_NET_TLS_HARNESS_H */
