/*
 * Host tests of net/tls: real TLS 1.2 and 1.3 handshakes in-process, through tls_harness.h (the client is the TLS
 * layer over an in-memory altcp "wire", the server an Mbed TLS server driven by the test; certificates are made at
 * test time). Here: before the clock is set, handshakes of each version with SNI and data, implicit TLS and
 * STARTTLS, and the server's verification (host names, IP literals, untrusted and expired certificates, pins).
 * Offered groups, resumption, client certificates, closing, memory, the built-in bundle and the error texts are in
 * test_tls_session.c. After each test the lwIP pools, lwIP's heap and Mbed TLS's heap are back where they were.
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

/* ---- before the clock is set ------------------------------------------------------------------------------- */

static void test_clock_not_set_refuses_ca_check(void **state)
{
    (void)state;
    assert_false(net_clock_is_set());
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct altcp_pcb *inner = tls_harness_pipe_open();
    int err = 0;
    assert_null(tls_wrap(inner, tc, TLS_HARNESS_HOST, tls_harness_app_connected, &err));
    assert_int_equal(err, TLS_ERR_CLOCK);
    assert_string_equal(tls_strerror(err), "clock not set: cannot check certificate dates");
    /* The inner pcb is still the caller's, untouched, and nothing was sent. */
    assert_ptr_equal(inner->fns, &tls_harness_pipe_functions);
    assert_null(inner->recv);
    assert_int_equal(tls_harness_wire.up_len, 0);
    altcp_close(inner);
    tls_config_free(tc);
}

static void test_pin_works_before_clock(void **state)
{
    (void)state;
    assert_false(net_clock_is_set());
    /* A self-signed, long expired certificate no CA vouches for: the pin alone makes it acceptable. */
    struct tls_config *tc = tls_harness_config_make(NULL, &tls_harness_self_signed, NULL);
    struct tls_harness_server s;
    struct tls_harness_server_opts o = tls_harness_tls13_opts;
    o.leaf = &tls_harness_self_signed;
    o.issuer = NULL;
    tls_harness_server_start(&s, &o);
    tls_harness_client_wrap(tc, TLS_HARNESS_HOST);
    tls_harness_pump(&s);
    assert_true(tls_harness_app.connected);
    assert_true(s.hs_done);
    assert_string_equal(tls_version(tls_harness_app.tls), "TLSv1.3");
    assert_int_equal(tls_last_error(tls_harness_app.tls, NULL, 0), 0);
    tls_harness_client_close();
    tls_harness_server_free(&s);
    tls_config_free(tc);
}

/* ---- with the clock ------------------------------------------------------------------------------------------- */

static void test_tls13_handshake_sni_and_data(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    tls_harness_run_exchange(tc, &tls_harness_tls13_opts, 40000, "TLSv1.3");
    tls_config_free(tc);
}

static void test_tls12_handshake_sni_and_data(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    tls_harness_run_exchange(tc, &tls_harness_tls12_opts, 40000, "TLSv1.2");
    tls_config_free(tc);
}

static void test_min_version_tls13_refuses_tls12_server(void **state)
{
    (void)state;
    memset(&tls_harness_test_settings, 0, sizeof tls_harness_test_settings);
    tls_harness_test_settings.min_version = TLS_VERSION_1_3;
    struct tls_pem ca_pem = tls_harness_pem_of(tls_harness_ca.pem);
    struct tls_config *tc;
    assert_int_equal(tls_config_new(&tc, &tls_harness_test_settings, &ca_pem, NULL, NULL), 0);
    char text[256];
    int err = tls_harness_expect_refused(tc, TLS_HARNESS_HOST, &tls_harness_tls12_opts, text, sizeof text);
    assert_true(err < 0 && err > -0x8000);
    tls_config_free(tc);
}

static void test_implicit_tls_connects_then_handshakes(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server s;
    tls_harness_server_start(&s, &tls_harness_tls13_opts);
    tls_harness_app_reset();
    struct altcp_pcb *inner = tls_harness_pipe_open();
    int err = 1;
    struct altcp_pcb *tls = tls_new(inner, tc, TLS_HARNESS_HOST, &err);
    assert_non_null(tls);
    tls_harness_app_attach(tls);
    ip_addr_t addr = IPADDR4_INIT(0x0100007f);
    assert_int_equal(altcp_connect(tls, &addr, 465, tls_harness_app_connected), ERR_OK);
    tls_harness_pump(&s);
    assert_int_equal(tls_harness_wire.up_len, 0); /* nothing before TCP is up */
    assert_false(tls_harness_app.connected);
    assert_non_null(tls_harness_wire.connected);
    assert_int_equal(tls_harness_wire.connected(tls_harness_wire.pcb->arg, tls_harness_wire.pcb, ERR_OK), ERR_OK);
    tls_harness_pump(&s);
    assert_true(tls_harness_app.connected);
    assert_true(s.hs_done);
    tls_harness_client_close();
    tls_harness_server_free(&s);
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
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    tls_harness_app_reset();
    struct altcp_pcb *inner = tls_harness_pipe_open();
    /* Plain text first, as SMTP does before STARTTLS. */
    assert_int_equal(altcp_write(inner, "STARTTLS\r\n", 10, TCP_WRITE_FLAG_COPY), ERR_OK);
    assert_int_equal(tls_harness_wire.up_len, 10);
    assert_memory_equal(tls_harness_wire.up, "STARTTLS\r\n", 10);
    tls_harness_wire.up_len = 0;
    tls_harness_wire.hello_len = 0;
    memcpy(tls_harness_wire.down, "220 2.0.0 Ready to start TLS\r\n", 30);
    tls_harness_wire.down_len = 30;
    plain_len = 0;
    altcp_recv(inner, plain_recv);
    tls_harness_pump(NULL);
    assert_int_equal(plain_len, 30);
    assert_memory_equal(plain_got, "220 2.0.0 Ready to start TLS\r\n", 30);

    struct tls_harness_server s;
    tls_harness_server_start(&s, &tls_harness_tls13_opts);
    int err = 1;
    struct altcp_pcb *tls = tls_wrap(inner, tc, TLS_HARNESS_HOST, tls_harness_app_connected, &err);
    assert_non_null(tls);
    tls_harness_app_attach(tls);
    assert_true(tls_harness_wire.hello_len > 0 &&
                tls_harness_wire.hello[0] == 22); /* the ClientHello went out at once */
    tls_harness_pump(&s);
    assert_true(tls_harness_app.connected);
    assert_string_equal(s.sni, TLS_HARNESS_HOST);
    tls_harness_client_close();
    tls_harness_server_free(&s);
    tls_config_free(tc);
}

static void test_wrong_host_refused(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    char text[256];
    int err = tls_harness_expect_refused(tc, "other.example.test", &tls_harness_tls13_opts, text, sizeof text);
    assert_int_equal(err, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "(-0x2700)"));
    assert_non_null(strstr(text, "Common Name (CN) does not match"));
    tls_config_free(tc);
}

/* MailHub given as an address: no SNI, and the address must be in the certificate. */
static void test_ip_literal_host(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server_opts o = tls_harness_tls13_opts;
    o.leaf = &tls_harness_ip_crt;
    struct tls_harness_server s;
    tls_harness_server_start(&s, &o);
    tls_harness_client_wrap(tc, "10.0.2.2");
    tls_harness_pump(&s);
    assert_true(tls_harness_app.connected);
    assert_string_equal(s.sni, ""); /* the SNI callback never ran */
    tls_harness_client_close();
    tls_harness_pump(&s);
    tls_harness_server_free(&s);

    char text[256];
    assert_int_equal(tls_harness_expect_refused(tc, "10.0.2.3", &o, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "Common Name (CN) does not match"));
    /* A certificate for a name does not cover an address (in a full handshake: the first one left a ticket). */
    tls_config_forget_sessions(tc, NULL);
    assert_int_equal(tls_harness_expect_refused(tc, "10.0.2.2", &tls_harness_tls13_opts, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    tls_config_free(tc);
}

static void test_untrusted_ca_refused(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server_opts o = tls_harness_tls12_opts;
    o.leaf = &tls_harness_other_crt;
    o.issuer = &tls_harness_other_ca;
    char text[256];
    assert_int_equal(tls_harness_expect_refused(tc, TLS_HARNESS_HOST, &o, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "not correctly signed by the trusted CA"));
    tls_config_free(tc);
}

static void test_expired_refused(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, NULL, NULL);
    struct tls_harness_server_opts o = tls_harness_tls13_opts;
    o.leaf = &tls_harness_expired_crt;
    char text[256];
    assert_int_equal(tls_harness_expect_refused(tc, TLS_HARNESS_HOST, &o, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "validity has expired"));
    tls_config_free(tc);
}

static void test_pin_mismatch_refused_even_if_ca_valid(void **state)
{
    (void)state;
    /* The pin names the self-signed certificate; the server shows a CA-valid one. */
    struct tls_config *tc = tls_harness_config_make(&tls_harness_ca, &tls_harness_self_signed, NULL);
    unsigned loaded, skipped;
    tls_config_ca_count(tc, &loaded, &skipped);
    assert_int_equal(loaded, 0); /* the pin is the only anchor: no chain check against the CA */
    char text[256];
    assert_int_equal(tls_harness_expect_refused(tc, TLS_HARNESS_HOST, &tls_harness_tls13_opts, text, sizeof text),
                     TLS_ERR_PIN);
    assert_non_null(strstr(text, "does not match TLS_Fingerprint"));
    uint8_t actual[32];
    tls_harness_cert_sha256(&tls_harness_server_crt, actual);
    char hex[8];
    snprintf(hex, sizeof hex, "%02X:%02X", actual[0], actual[1]);
    assert_non_null(strstr(text, hex)); /* the message shows what to pin */
    tls_config_free(tc);
}

static void test_pin_still_checks_host(void **state)
{
    (void)state;
    struct tls_config *tc = tls_harness_config_make(NULL, &tls_harness_self_signed, NULL);
    struct tls_harness_server_opts o = tls_harness_tls12_opts;
    o.leaf = &tls_harness_self_signed;
    o.issuer = NULL;
    char text[256];
    assert_int_equal(tls_harness_expect_refused(tc, "other.example.test", &o, text, sizeof text),
                     MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    assert_non_null(strstr(text, "Common Name (CN) does not match"));
    tls_config_free(tc);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tls_harness_test_setup, tls_harness_test_teardown)

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
    };
    int failed =
        cmocka_run_group_tests_name("tls before the clock is set", before_clock, tls_harness_group_setup, NULL);
    failed += cmocka_run_group_tests_name("tls", with_clock, tls_harness_group_clock_setup, tls_harness_group_teardown);
    return failed;
}
