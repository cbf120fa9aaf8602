/*
 * Tests for firmware/net_settings.c: smtp.conf and revaliases, parsed by config/, turned into the settings of net/
 * (the interface, TLS, the SMTP engine, one submission).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "firmware/net_settings.h"
#include "lwip/ip4_addr.h"

#define MIN_MS 60000u

/* An address in settings equals a.b.c.d. */
static void assert_ip4(const ip4_addr_t *got, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    ip4_addr_t want;
    IP4_ADDR(&want, a, b, c, d);
    assert_int_equal(ip4_addr_get_u32(got), ip4_addr_get_u32(&want));
}

static struct config cfg;

/* Parses an smtp.conf (and a revaliases, when not NULL) that must be valid. */
static void load(const char *conf, const char *aliases)
{
    config_init(&cfg);
    assert_int_equal(config_parse(&cfg, "smtp.conf", conf, strlen(conf), NULL, NULL), 0);
    if (aliases != NULL) {
        assert_int_equal(config_parse_revaliases(&cfg, "revaliases", aliases, strlen(aliases), NULL, NULL), 0);
    }
    assert_int_equal(config_finish(&cfg, NULL, NULL), 0);
}

static void test_options_from_config(void **state)
{
    struct smtp_options o;

    (void)state;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.ehlo_name, "pi.example");
    strcpy(cfg.auth_user, "user");
    strcpy(cfg.auth_pass, "pw");
    cfg.use_tls = true;
    cfg.use_starttls = true;
    cfg.auth_method = CONFIG_AUTH_CRAM_MD5;
    cfg.auth_method_set = true;
    cfg.connect_timeout_ms = 30000;
    cfg.smtp_timeout_ms = 60000;
    net_settings_smtp(&o, &cfg);
    assert_int_equal(o.tls, SMTP_TLS_STARTTLS);
    assert_false(o.allow_cleartext_auth);
    assert_int_equal(o.auth_forced, SMTP_AUTH_CRAM_MD5);
    assert_string_equal(o.ehlo_name, "pi.example");
    assert_string_equal(o.auth_user, "user");
    assert_string_equal(o.auth_pass, "pw");
    assert_int_equal(o.timeouts.connect_ms, 30000);
    assert_int_equal(o.timeouts.mail_ms, 60000);
    assert_int_equal(o.timeouts.data_end_ms, 10 * MIN_MS);
    assert_null(o.log);
    assert_null(o.progress);
    assert_null(o.hmac_md5);

    cfg.use_starttls = false;
    cfg.auth_method_set = false;
    net_settings_smtp(&o, &cfg);
    assert_int_equal(o.tls, SMTP_TLS_IMPLICIT);
    assert_int_equal(o.auth_forced, 0);

    /* UseTLS=NO alone no longer lets a credential go in clear: only AllowAuthWithoutTLS=YES does. */
    cfg.use_tls = false;
    net_settings_smtp(&o, &cfg);
    assert_int_equal(o.tls, SMTP_TLS_NONE);
    assert_false(o.allow_cleartext_auth);
    cfg.allow_auth_without_tls = true;
    net_settings_smtp(&o, &cfg);
    assert_true(o.allow_cleartext_auth);
}

/* docs/config.md: SMTPTimeout bounds every reply and the body's progress, but the reply to the end of the data
 * gets at least RFC 5321's 10 minutes (§4.5.3.2.6). */
static void test_smtp_timeout_from_config(void **state)
{
    struct smtp_options o;

    (void)state;
    load("MailHub=mail.example.com\nConnectTimeout=10s\nSMTPTimeout=30s\n", NULL);
    net_settings_smtp(&o, &cfg);
    assert_int_equal(o.timeouts.connect_ms, 10000);
    assert_int_equal(o.timeouts.greeting_ms, 30000);
    assert_int_equal(o.timeouts.command_ms, 30000);
    assert_int_equal(o.timeouts.mail_ms, 30000);
    assert_int_equal(o.timeouts.rcpt_ms, 30000);
    assert_int_equal(o.timeouts.data_init_ms, 30000);
    assert_int_equal(o.timeouts.data_block_ms, 30000);
    assert_int_equal(o.timeouts.data_end_ms, 10 * MIN_MS);
}

static void test_static_interface(void **state)
{
    struct net_settings s;

    (void)state;
    load("MailHub=mail.example.com\nIP=192.168.1.42/24\nGateway=192.168.1.1\nDNS=1.1.1.1, 9.9.9.9\n"
         "NTPServer=ntp.example.test\nHostName=pi-alarm.example.test\n",
         NULL);
    net_settings_interface(&s, &cfg);
    assert_false(s.dhcp);
    assert_ip4(&s.ip, 192, 168, 1, 42);
    assert_ip4(&s.netmask, 255, 255, 255, 0);
    assert_ip4(&s.gateway, 192, 168, 1, 1);
    assert_int_equal(s.dns_count, 2);
    assert_ip4(&s.dns[0], 1, 1, 1, 1);
    assert_ip4(&s.dns[1], 9, 9, 9, 9);
    assert_string_equal(s.ntp_server, "ntp.example.test");
    assert_string_equal(s.hostname, "pi-alarm.example.test");
}

static void test_dhcp_interface_and_defaults(void **state)
{
    struct net_settings s;

    (void)state;
    load("MailHub=mail.example.com\n", NULL);
    net_settings_interface(&s, &cfg);
    assert_true(s.dhcp);
    assert_true(ip4_addr_isany_val(s.ip));
    assert_int_equal(s.dns_count, 0);
    assert_string_equal(s.ntp_server, CONFIG_DEFAULT_NTP_SERVER);
    assert_string_equal(s.hostname, CONFIG_DEFAULT_EHLO_NAME);

    /* No configuration: what net_init(NULL) does. */
    memset(&s, 0xA5, sizeof s);
    net_settings_interface(&s, NULL);
    assert_true(s.dhcp);
    assert_int_equal(s.dns_count, 0);
    assert_null(s.hostname);
    assert_null(s.ntp_server);
}

static void test_tls_settings(void **state)
{
    struct tls_settings t;

    (void)state;
    load("MailHub=mail.example.com\nUseTLS=YES\n", NULL);
    net_settings_tls(&t, &cfg);
    assert_int_equal(t.min_version, TLS_VERSION_1_2);
    assert_false(t.pinned);

    load("MailHub=mail.example.com\nUseTLS=YES\nTLS_MinVersion=1.3\nTLS_Fingerprint="
         "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\n",
         NULL);
    net_settings_tls(&t, &cfg);
    assert_int_equal(t.min_version, TLS_VERSION_1_3);
    assert_true(t.pinned);
    static const uint8_t pin[TLS_PIN_LEN] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA,
                                              0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                              0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF };
    assert_memory_equal(t.pin, pin, sizeof pin);
}

/* ssmtp's rule: an account's revaliases entry that names a mail hub sends its mail there; every other account
 * goes through MailHub. */
static void test_submission_server_by_account(void **state)
{
    struct smtp_client_settings s;

    (void)state;
    load("Root=ops@example.com\nMailHub=mail.example.com:587\nUseSTARTTLS=YES\nAuthUser=pi\nAuthPass=pw\n",
         "door:door@example.com:alerts.example.com:465\nroot:pi@example.com\n");
    net_settings_submission(&s, &cfg, "door");
    assert_string_equal(s.host, "alerts.example.com");
    assert_int_equal(s.port, 465);
    net_settings_submission(&s, &cfg, "root");
    assert_string_equal(s.host, "mail.example.com");
    assert_int_equal(s.port, 587);
    net_settings_submission(&s, &cfg, NULL);
    assert_string_equal(s.host, "mail.example.com");
    assert_int_equal(s.options.tls, SMTP_TLS_STARTTLS);
    assert_string_equal(s.options.auth_user, "pi");
    assert_false(s.debug);
}

/* The TLS files: the CA file always (empty: the built-in bundle), the client certificate only with
 * UseTLSCert=YES, its key from TLSCert's file when TLSKey is not given. */
static void test_submission_tls_files(void **state)
{
    struct smtp_client_settings s;

    (void)state;
    load("MailHub=mail.example.com:465\nUseTLS=YES\nTLSCert=client.pem\nDebug=YES\n", NULL);
    net_settings_submission(&s, &cfg, "root");
    assert_string_equal(s.ca_file, "");
    assert_null(s.cert_file);
    assert_null(s.key_file);
    assert_true(s.debug);

    load("MailHub=mail.example.com:465\nUseTLS=YES\nTLS_CA_File=ca.pem\nUseTLSCert=YES\nTLSCert=client.pem\n", NULL);
    net_settings_submission(&s, &cfg, "root");
    assert_string_equal(s.ca_file, "ca.pem");
    assert_string_equal(s.cert_file, "client.pem");
    assert_string_equal(s.key_file, "client.pem");
    assert_int_equal(s.tls.min_version, TLS_VERSION_1_2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_from_config),  cmocka_unit_test(test_smtp_timeout_from_config),
        cmocka_unit_test(test_static_interface),     cmocka_unit_test(test_dhcp_interface_and_defaults),
        cmocka_unit_test(test_tls_settings),         cmocka_unit_test(test_submission_server_by_account),
        cmocka_unit_test(test_submission_tls_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
