/*
 * net/smtp_client: the files a TLS submission reads from the card (TLS_CA_File, TLSCert, TLSKey) and what the user
 * reads when one cannot be read. The submission must end at its TLS step with the file's name and the real cause:
 * a missing file as missing, and no memory for it as "out of memory" (it once came out as "file too large").
 *
 * Only smtp_client_start() runs: it reads the files before any name lookup or connection, so the network below is
 * stubs that fail the test when called. malloc is wrapped (-Wl,--wrap=malloc) so that a test can make the client's
 * allocation for a file fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "firmware/net_settings.h"
#include "fake_board.h"
#include "lwip/altcp.h"
#include "lwip/altcp_tcp.h"
#include "lwip/dns.h"
#include "lwip/sys.h"
#include "mbedtls/md.h"
#include "net/net.h"
#include "net/smtp_client.h"
#include "net/tls.h"

/* ---- malloc that fails on demand ------------------------------------------------------------------------------- */

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);

static size_t fail_malloc_of; /* a malloc of exactly this many bytes fails; 0: none does */

void *__wrap_malloc(size_t size)
{
    if (fail_malloc_of != 0 && size == fail_malloc_of) {
        return NULL;
    }
    return __real_malloc(size);
}

/* ---- what smtp_client_start() may use ------------------------------------------------------------------------ */

bool net_is_up(void)
{
    return true;
}

u32_t sys_now(void)
{
    return 0;
}

void tls_config_free(struct tls_config *tc)
{
    assert_null(tc);
}

/* ---- what it must not reach when a file cannot be read -------------------------------------------------------- */

#define NOT_REACHED(ret)                                                                    \
    do {                                                                                    \
        fail_msg("%s called: the submission should have ended at the TLS files", __func__); \
        return ret;                                                                         \
    } while (0)

int tls_config_new(struct tls_config **out, const struct tls_settings *settings, const struct tls_pem *ca,
                   const struct tls_pem *cert, const struct tls_pem *key)
{
    (void)out, (void)settings, (void)ca, (void)cert, (void)key;
    NOT_REACHED(TLS_ERR_ARG);
}
struct altcp_pcb *tls_new(struct altcp_pcb *inner, struct tls_config *tc, const char *host, int *err)
{
    (void)inner, (void)tc, (void)host, (void)err;
    NOT_REACHED(NULL);
}
struct altcp_pcb *tls_wrap(struct altcp_pcb *inner, struct tls_config *tc, const char *host, altcp_connected_fn done,
                           int *err)
{
    (void)inner, (void)tc, (void)host, (void)done, (void)err;
    NOT_REACHED(NULL);
}
int tls_last_error(const struct altcp_pcb *conn, char *buf, size_t len)
{
    (void)conn, (void)buf, (void)len;
    NOT_REACHED(0);
}
const char *tls_version(const struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED("");
}
const char *tls_ciphersuite(const struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED("");
}
bool tls_resumed(const struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED(false);
}
const char *tls_strerror(int err)
{
    (void)err;
    NOT_REACHED("");
}
err_t dns_gethostbyname(const char *hostname, ip_addr_t *addr, dns_found_callback found, void *arg)
{
    (void)hostname, (void)addr, (void)found, (void)arg;
    NOT_REACHED(ERR_VAL);
}
struct altcp_pcb *altcp_tcp_new_ip_type(u8_t ip_type)
{
    (void)ip_type;
    NOT_REACHED(NULL);
}
void altcp_arg(struct altcp_pcb *conn, void *arg)
{
    (void)conn, (void)arg;
    NOT_REACHED();
}
void altcp_recv(struct altcp_pcb *conn, altcp_recv_fn recv)
{
    (void)conn, (void)recv;
    NOT_REACHED();
}
void altcp_sent(struct altcp_pcb *conn, altcp_sent_fn sent)
{
    (void)conn, (void)sent;
    NOT_REACHED();
}
void altcp_err(struct altcp_pcb *conn, altcp_err_fn err)
{
    (void)conn, (void)err;
    NOT_REACHED();
}
void altcp_poll(struct altcp_pcb *conn, altcp_poll_fn poll, u8_t interval)
{
    (void)conn, (void)poll, (void)interval;
    NOT_REACHED();
}
void altcp_nagle_disable(struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED();
}
err_t altcp_connect(struct altcp_pcb *conn, const ip_addr_t *ipaddr, u16_t port, altcp_connected_fn connected)
{
    (void)conn, (void)ipaddr, (void)port, (void)connected;
    NOT_REACHED(ERR_VAL);
}
err_t altcp_write(struct altcp_pcb *conn, const void *dataptr, u16_t len, u8_t apiflags)
{
    (void)conn, (void)dataptr, (void)len, (void)apiflags;
    NOT_REACHED(ERR_VAL);
}
err_t altcp_output(struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED(ERR_VAL);
}
u16_t altcp_sndbuf(struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED(0);
}
void altcp_recved(struct altcp_pcb *conn, u16_t len)
{
    (void)conn, (void)len;
    NOT_REACHED();
}
err_t altcp_close(struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED(ERR_VAL);
}
void altcp_abort(struct altcp_pcb *conn)
{
    (void)conn;
    NOT_REACHED();
}
u8_t pbuf_free(struct pbuf *p)
{
    (void)p;
    NOT_REACHED(0);
}
char *ip4addr_ntoa(const ip4_addr_t *addr)
{
    (void)addr;
    NOT_REACHED(NULL);
}
const mbedtls_md_info_t *mbedtls_md_info_from_type(mbedtls_md_type_t md_type)
{
    (void)md_type;
    NOT_REACHED(NULL);
}
int mbedtls_md_hmac(const mbedtls_md_info_t *md_info, const unsigned char *key, size_t keylen,
                    const unsigned char *input, size_t ilen, unsigned char *output)
{
    (void)md_info, (void)key, (void)keylen, (void)input, (void)ilen, (void)output;
    NOT_REACHED(-1);
}

/* ---- the tests --------------------------------------------------------------------------------------------------- */

static const char CA_PEM[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static struct config cfg;
static struct smtp_client_settings settings; /* points into cfg, as the firmware's */

static void ignore_diag(void *ctx, const struct config_diag *d)
{
    (void)ctx, (void)d;
}

static int setup(void **state)
{
    (void)state;
    static const char conf[] = "MailHub=mail.example.com:465\nUseTLS=YES\nTLS_CA_File=ca.pem\n"
                               "root=alerts@example.com\n";
    fake_board_reset();
    fail_malloc_of = 0;
    config_init(&cfg);
    assert_int_equal(config_parse(&cfg, "smtp.conf", conf, strlen(conf), ignore_diag, NULL), CONFIG_OK);
    assert_int_equal(config_finish(&cfg, ignore_diag, NULL), CONFIG_OK);
    net_settings_submission(&settings, &cfg, "root");
    return 0;
}

/* Starts a configuration check (no message) and returns how it ended; it must end at once, at its TLS step. */
static const struct smtp_result *check_config(void)
{
    assert_int_equal(smtp_client_start(&settings, NULL, 0, NULL, NULL), SMTP_CLIENT_OK);
    assert_true(smtp_client_done());
    const struct smtp_result *r = smtp_client_result();
    assert_int_equal(r->step, SMTP_STEP_TLS);
    return r;
}

static void test_missing_ca_file_is_named_missing(void **state)
{
    (void)state;
    assert_string_equal(check_config()->detail, "cannot read ca.pem: no such file on the boot partition");
}

static void test_no_memory_for_the_ca_file_says_so(void **state)
{
    (void)state;
    fake_board_add_file("ca.pem", CA_PEM, sizeof CA_PEM - 1);
    fail_malloc_of = sizeof CA_PEM - 1;
    assert_string_equal(check_config()->detail, "cannot read ca.pem: out of memory");
    assert_string_equal(smtp_client_strerror(SMTP_CLIENT_ERR_NO_MEM), "out of memory");
}

static void test_a_card_error_keeps_the_boards_words(void **state)
{
    (void)state;
    fake_board_add_file("ca.pem", CA_PEM, sizeof CA_PEM - 1);
    fake_board_set_media_error(BOARD_ERR_IO);
    assert_string_equal(check_config()->detail, "cannot read ca.pem: SD card read or write error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_missing_ca_file_is_named_missing, setup),
        cmocka_unit_test_setup(test_no_memory_for_the_ca_file_says_so, setup),
        cmocka_unit_test_setup(test_a_card_error_keeps_the_boards_words, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
