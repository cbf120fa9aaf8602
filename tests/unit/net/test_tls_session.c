/*
 * Host tests of net/tls: real TLS 1.2 and 1.3 handshakes in-process, through tls_harness.h (the client is the TLS
 * layer over an in-memory altcp "wire", the server an Mbed TLS server driven by the test; certificates are made at
 * test time). Here: the groups the client offers, session resumption and tickets, client certificates, closing
 * from callbacks and a vanishing server, buffer and connection memory, the built-in CA bundle and the error texts.
 * Handshakes and the server's verification are in test_tls.c. After each test the lwIP pools, lwIP's heap and Mbed
 * TLS's heap are back where they were.
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

static uint16_t be16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The supported_groups extension of the ClientHello the client sent; returns the number of groups. */
static size_t hello_groups(uint16_t *groups, size_t max)
{
    const unsigned char *p = tls_harness_wire.hello;
    assert_true(tls_harness_wire.hello_len > 5 + 4 + 2 + 32 + 1);
    assert_int_equal(p[0], 22); /* handshake record */
    assert_int_equal(p[5], 1);  /* client_hello */
    const unsigned char *end = p + 5 + be16(p + 3);
    assert_true(end <= p + tls_harness_wire.hello_len);
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
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    uint16_t groups[16];
    size_t n = hello_groups(groups, 16);
    assert_int_equal(n, 2);
    assert_int_equal(groups[0], MBEDTLS_SSL_IANA_TLS_GROUP_X25519); /* the cheaper one, with Everest, first */
    assert_int_equal(groups[1], MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1);
    altcp_abort(tls_harness_app.tls);
    tls_harness_app.tls = NULL;

    /* And a server that only has P-384 finds nothing in common. */
    static const uint16_t p384_only[] = { MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1, MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    struct tls_harness_server_opts o = tls_harness_tls13_opts;
    o.groups = p384_only;
    char text[256];
    tls_harness_expect_refused(tc, TLS_HARNESS_HOST, &o, text, sizeof text);

    /* Each of the two alone is enough, in both versions: X25519 runs through Everest, in TLS 1.2 (Mbed TLS's ECDH
     * context: key pair and shared secret) as in TLS 1.3 (PSA: the shared secret). */
    static const uint16_t p256_only[] = { MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    static const uint16_t x25519_only[] = { MBEDTLS_SSL_IANA_TLS_GROUP_X25519, MBEDTLS_SSL_IANA_TLS_GROUP_NONE };
    const uint16_t *const alone[] = { p256_only, x25519_only };
    for (size_t i = 0; i < sizeof alone / sizeof alone[0]; i++) {
        o = tls_harness_tls13_opts;
        o.groups = alone[i];
        tls_harness_run_exchange(tc, &o, 100, "TLSv1.3");
        tls_config_forget_sessions(tc, NULL); /* a TLS 1.3 session would make the client offer TLS 1.3 only */
        o = tls_harness_tls12_opts;
        o.groups = alone[i];
        tls_harness_run_exchange(tc, &o, 100, "TLSv1.2");
        tls_config_forget_sessions(tc, NULL);
    }
    tls_config_free(tc);
}

/* Two connections with one configuration: the second resumes the first's session. */
static void resume_twice(const struct tls_harness_server_opts *o)
{
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    for (int round = 0; round < 2; round++) {
        struct tls_harness_server s;
        tls_harness_server_start(&s, o);
        tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
        tls_harness_pump(&s);
        assert_true(tls_harness_app.connected);
        assert_int_equal(tls_resumed(tls_harness_app.tls), round == 1);
        /* Some data, so that a TLS 1.3 ticket (sent after the handshake) is read. */
        static const unsigned char hello[] = "220 hello\r\n";
        s.tx = hello;
        s.tx_len = sizeof hello - 1;
        tls_harness_pump(&s);
        assert_int_equal(tls_harness_app.rx_len, sizeof hello - 1);
        tls_harness_client_close();
        tls_harness_pump(&s);
        tls_harness_server_free(&s);
    }
    /* Forgetting the session means a full handshake again. */
    tls_config_forget_sessions(tc, TLS_HARNESS_HOST);
    struct tls_harness_server s;
    tls_harness_server_start(&s, o);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    tls_harness_pump(&s);
    assert_true(tls_harness_app.connected);
    assert_false(tls_resumed(tls_harness_app.tls));
    tls_harness_client_close();
    tls_harness_pump(&s);
    tls_harness_server_free(&s);
    tls_config_free(tc);
}

static void test_resumption_tls13(void **state)
{
    (void)state;
    resume_twice(&tls_harness_tls13_opts);
}

static void test_resumption_tls12(void **state)
{
    (void)state;
    resume_twice(&tls_harness_tls12_opts);
}

/* TLS 1.3 records waiting in tls_harness_wire.down (each begins with a 5-byte header ending in its length). */
static unsigned down_records(void)
{
    unsigned n = 0;
    for (size_t at = 0; at + 5 <= tls_harness_wire.down_len; n++) {
        at += 5 + ((size_t)tls_harness_wire.down[at + 3] << 8 | tls_harness_wire.down[at + 4]);
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
    static const struct tls_harness_server_opts opts = {
        .leaf = &tls_harness_server_crt,
        .issuer = &tls_harness_ca,
        .tickets = TICKETS,
        .min_version = MBEDTLS_SSL_VERSION_TLS1_3,
        .max_version = MBEDTLS_SSL_VERSION_TLS1_3,
    };
    static const unsigned char hello[] = "220 hello\r\n";
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    for (int round = 0; round < 2; round++) {
        struct tls_harness_server s;
        tls_harness_server_start(&s, &opts);
        tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
        /* The handshake, holding back what the server writes once it is over. */
        for (unsigned i = 0; i < TLS_HARNESS_PUMP_MAX && !s.hs_done; i++) {
            tls_harness_server_step(&s);
            if (!s.hs_done) {
                tls_harness_wire_deliver(TLS_HARNESS_DELIVER_CHUNK);
            }
        }
        assert_true(s.hs_done);
        assert_true(tls_harness_app.connected);
        assert_int_equal(tls_resumed(tls_harness_app.tls), round == 1);
        /* Mbed TLS's server writes one ticket per call. */
        for (unsigned i = 0; i < 2 * TICKETS; i++) {
            tls_harness_server_step(&s);
        }
        s.tx = hello;
        s.tx_len = sizeof hello - 1;
        tls_harness_server_step(&s);
        assert_int_equal(s.tx_off, s.tx_len);
        /* Mbed TLS's server sends one ticket only after a resumed handshake. */
        assert_int_equal(down_records(), (round == 0 ? TICKETS : 1) + 1);

        tls_harness_wire_deliver(SIZE_MAX);
        assert_int_equal(tls_harness_wire.down_len, 0);
        assert_int_equal(tls_harness_app.rx_len, sizeof hello - 1); /* the greeting, at once */
        assert_memory_equal(tls_harness_app.rx, hello, sizeof hello - 1);
        assert_int_equal(tls_harness_wire.window, TLS_HARNESS_PIPE_WINDOW); /* every record was read */
        tls_harness_client_close();
        tls_harness_pump(&s);
        tls_harness_server_free(&s);
    }
    tls_config_free(tc);
}

/* Mbed TLS offers only the version of the session it resumes. A server that went from TLS 1.3 back to 1.2 fails
 * that one handshake; the session is dropped with it, so the next connection negotiates afresh. */
static void test_failed_resumption_forgets_session(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server s;
    tls_harness_server_start(&s, &tls_harness_tls13_opts);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    tls_harness_pump(&s);
    static const unsigned char hello[] = "220 hello\r\n";
    s.tx = hello;
    s.tx_len = sizeof hello - 1;
    tls_harness_pump(&s); /* the ticket arrives with the greeting */
    tls_harness_client_close();
    tls_harness_pump(&s);
    tls_harness_server_free(&s);

    char text[256];
    tls_harness_expect_refused(tc, TLS_HARNESS_HOST, &tls_harness_tls12_opts, text, sizeof text);
    tls_harness_run_exchange(tc, &tls_harness_tls12_opts, 100, "TLSv1.2");
    tls_config_free(tc);
}

static void test_client_certificate(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, &tls_harness_client_crt);
    for (int v = 0; v < 2; v++) {
        struct tls_harness_server_opts o = v == 0 ? tls_harness_tls13_opts : tls_harness_tls12_opts;
        o.want_client_cert = true;
        struct tls_harness_server s;
        tls_harness_server_start(&s, &o);
        tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
        tls_harness_pump(&s);
        assert_true(tls_harness_app.connected);
        assert_true(s.hs_done);
        const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&s.ssl);
        assert_non_null(peer);
        assert_int_equal(peer->raw.len, tls_harness_client_crt.der_len);
        assert_memory_equal(peer->raw.p, tls_harness_client_crt.der, tls_harness_client_crt.der_len);
        tls_harness_client_close();
        tls_harness_pump(&s);
        tls_harness_server_free(&s);
        tls_config_forget_sessions(tc, NULL); /* a full handshake each time: the certificate is sent in those */
    }
    tls_config_free(tc);
}

static void test_client_key_must_match_cert(void **state)
{
    (void)state;
    memset(&tls_harness_test_settings, 0, sizeof tls_harness_test_settings);
    struct tls_pem ca_pem = tls_harness_pem_of(tls_harness_ca.pem);
    struct tls_pem cert_pem = tls_harness_pem_of(tls_harness_client_crt.pem);
    struct tls_pem key_pem = tls_harness_pem_of(tls_harness_server_crt.key_pem);
    struct tls_config *tc = NULL;
    assert_int_equal(tls_config_new(&tc, &tls_harness_test_settings, &ca_pem, &cert_pem, &key_pem), TLS_ERR_CLIENT_KEY);
    assert_null(tc);
    /* Text without a PEM block is taken for DER by Mbed TLS, and its error passed on. */
    struct tls_pem junk = tls_harness_pem_of("not a certificate\n");
    assert_int_equal(tls_config_new(&tc, &tls_harness_test_settings, &junk, NULL, NULL),
                     MBEDTLS_ERR_X509_INVALID_FORMAT);
    assert_null(tc);
}

static void test_close_from_recv_callback(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server s;
    tls_harness_server_start(&s, &tls_harness_tls13_opts);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    tls_harness_app.close_on_eof = true;
    tls_harness_pump(&s);
    assert_true(tls_harness_app.connected);
    static const unsigned char bye[] = "221 bye\r\n";
    s.tx = bye;
    s.tx_len = sizeof bye - 1;
    tls_harness_pump(&s);
    assert_int_equal(mbedtls_ssl_close_notify(&s.ssl), 0);
    tls_harness_pump(&s);
    assert_true(tls_harness_app.eof);
    assert_null(tls_harness_app.tls);     /* closed from inside the callback */
    assert_true(tls_harness_wire.closed); /* and the layer finished the close when the callback returned */
    assert_int_equal(tls_harness_app.rx_len, sizeof bye - 1);
    tls_harness_server_free(&s);
    tls_config_free(tc);
}

/* A close_notify that does not fit the send buffer waits like a record: the application may not write before it
 * (Mbed TLS's next write would push the alert on and drop the data), and the sent callback pushes it on. */
static void test_shutdown_alert_waits_for_room(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server s;
    tls_harness_tls13_connect(&s, tc);
    /* The server reads nothing meanwhile: the client fills the send buffer until less than an alert's record fits. */
    unsigned char *up = tls_harness_pattern(TLS_HARNESS_PIPE_UP_CAP, 2);
    size_t written = 0;
    for (u16_t room = altcp_sndbuf(tls_harness_app.tls); room > 0; room = altcp_sndbuf(tls_harness_app.tls)) {
        assert_int_equal(altcp_write(tls_harness_app.tls, up + written, room, TCP_WRITE_FLAG_COPY), ERR_OK);
        written += room;
    }
    altcp_shutdown(tls_harness_app.tls, 0, 1); /* the pipe has no shutdown of its own: only the alert matters here */
    tls_harness_server_step(&s);               /* room again, and no sent callback yet */
    assert_int_equal(altcp_sndbuf(tls_harness_app.tls), 0);
    tls_harness_pump(&s);
    assert_true(s.got_close_notify);
    assert_int_equal(s.rx_len, written);
    assert_memory_equal(s.rx, up, written);
    tls_harness_client_close();
    tls_harness_server_free(&s);
    free(up);
    tls_config_free(tc);
}

static void test_server_vanishes_mid_handshake(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    tls_harness_wire.fin_to_client = true;
    tls_harness_pump(NULL);
    assert_int_equal(tls_harness_app.err_calls, 1);
    char text[128];
    assert_int_equal(tls_last_error(NULL, text, sizeof text), TLS_ERR_CLOSED);
    assert_string_equal(text, "connection closed during the TLS handshake");
    tls_config_free(tc);
}

/* Peak Mbed TLS heap and lwIP heap while moving `len` bytes each way on an open connection. */
static void measure_transfer(size_t len, size_t *mbed_peak, size_t *lwip_peak)
{
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server s;
    tls_harness_tls13_connect(&s, tc);
    unsigned char *down, *up;
    tls_harness_queue_both_ways(&s, len, 3, &down, &up);
    tls_harness_heap_peak = tls_harness_heap_now;
    lwip_stats.mem.max = lwip_stats.mem.used;
    size_t before = tls_harness_heap_now;
    tls_harness_pump(&s);
    assert_int_equal(tls_harness_app.rx_len, len);
    assert_int_equal(s.rx_len, len);
    *mbed_peak = tls_harness_heap_peak - before;
    *lwip_peak = lwip_stats.mem.max;
    tls_harness_client_close();
    tls_harness_pump(&s);
    tls_harness_server_free(&s);
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
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    size_t before = tls_harness_heap_now;
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    print_message("one TLS connection, Mbed TLS heap before the handshake: %zu bytes\n", tls_harness_heap_now - before);
    assert_true(tls_harness_heap_now - before < 24 * 1024);
    altcp_abort(tls_harness_app.tls);
    tls_harness_app.tls = NULL;
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
    memset(&tls_harness_test_settings, 0, sizeof tls_harness_test_settings);
    struct tls_config *tc = NULL;
    assert_int_equal(tls_config_new(&tc, &tls_harness_test_settings, NULL, NULL, NULL), 0);
    unsigned loaded, skipped;
    tls_config_ca_count(tc, &loaded, &skipped);
    assert_int_equal(loaded, 0); /* nothing parsed at configuration time */

    size_t before = tls_harness_heap_now;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    double secs = seconds_since(&t0);
    altcp_abort(tls_harness_app.tls);
    tls_harness_app.tls = NULL;
    tls_config_ca_count(tc, &loaded, &skipped);
    print_message("built-in bundle: %u of %u certificates (%zu bytes DER) parsed in %.1f ms (host, ASan), "
                  "%zu bytes of heap\n",
                  loaded, tls_builtin_ca_count, tls_builtin_ca_der_len, secs * 1e3, tls_harness_heap_now - before);
    assert_int_equal(loaded + skipped, tls_builtin_ca_count);
    assert_true(loaded > tls_builtin_ca_count * 9 / 10);

    /* Our test CA is not in Debian's bundle. */
    char text[256];
    assert_int_equal(tls_harness_expect_refused(tc, TLS_HARNESS_HOST, &tls_harness_tls13_opts, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
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
    assert_int_equal(tls_last_error(tls_harness_pipe_open(), buf, sizeof buf), TLS_ERR_ARG); /* not a TLS pcb */
    altcp_close(tls_harness_wire.pcb);
}

/* No case here runs before the clock is set: the certificates and the clock in one group setup. */
static int group_setup_with_clock(void **state)
{
    if (tls_harness_group_setup(state) != 0) {
        return -1;
    }
    return tls_harness_group_clock_setup(state);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tls_harness_test_setup, tls_harness_test_teardown)

int main(void)
{
    const struct CMUnitTest with_clock[] = {
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
    return cmocka_run_group_tests_name("tls sessions", with_clock, group_setup_with_clock, tls_harness_group_teardown);
}
