/*
 * Unit tests for firmware/config_load: the configuration read from the fake boot partition at boot, what the
 * console shows (diagnostics, outcome, `config`, `config errors`, `status`), the LED, and that secrets never appear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_board.h"
#include "board/input_pins.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "firmware/console_builtin.h"
#include "ssmtp_seed.h"
#include "stdout_capture.h"

#define SEED_PASSWORD "abcd efgh ijkl mnop"

/* A minimal usable config with a CA bundle on line 4. */
static const char tls_conf[] = "MailHub=smtp.example.com:587\n"
                               "Root=ops@example.com\n"
                               "UseSTARTTLS=YES\n"
                               "TLS_CA_File=/ca.pem\n";

#define B64_BODY                                                         \
    "MIIBszCCAVmgAwIBAgIUTESTTESTTESTTESTTESTTESTTESTMAoGCCqGSM49BAMC\n" \
    "MBMxETAPBgNVBAMMCGJhcmVtYWlsMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEwMTAw\n" \
    "MDAwMFowEzERMA8GA1UEAwwIYmFyZW1haWw=\n"
static const char cert_pem[] = "-----BEGIN CERTIFICATE-----\n" B64_BODY "-----END CERTIFICATE-----\n";
static const char key_pem[] = "-----BEGIN EC PRIVATE KEY-----\n" B64_BODY "-----END EC PRIVATE KEY-----\n";

/* Output of the last load() or run(), copied so that it outlives the next capture. */
static char *out;

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    console_init();
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    assert_int_equal(config_load_register(), CONSOLE_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end();
    free(out);
    out = NULL;
    return 0;
}

static void keep(const char *captured)
{
    free(out);
    out = strdup(captured);
    assert_non_null(out);
}

static void add_text(const char *name, const char *text)
{
    fake_board_add_file(name, text, strlen(text));
}

/* A file of exactly len bytes that parses as comments. */
static void add_filler(const char *name, size_t len)
{
    char *text = malloc(len);

    assert_non_null(text);
    memset(text, '#', len);
    fake_board_add_file(name, text, len);
    free(text);
}

static int load(void)
{
    stdout_capture_begin();
    int result = config_load_boot();
    keep(stdout_capture_end());
    return result;
}

static int run(const char *line)
{
    char buf[128];

    snprintf(buf, sizeof buf, "%s", line);
    stdout_capture_begin();
    int result = console_execute(buf);
    keep(stdout_capture_end());
    return result;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, haystack);
        fail();
    }
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL) {
        fprintf(stderr, "did not expect \"%s\" in:\n%s\n", needle, haystack);
        fail();
    }
}

static void assert_unusable(int result)
{
    assert_int_equal(result, CONFIG_LOAD_ERR_INVALID);
    assert_int_equal(config_load_result(), CONFIG_LOAD_ERR_INVALID);
    assert_null(config_load_current());
    assert_int_equal(fake_board_led_status(), BOARD_LED_CONFIG_ERROR);
}

static void assert_usable(int result)
{
    if (result != CONFIG_LOAD_OK) {
        fprintf(stderr, "expected a usable configuration; the load printed:\n%s\n", out);
        fail();
    }
    assert_non_null(config_load_current());
    assert_int_equal(fake_board_led_status(), BOARD_LED_RUNNING);
}

static void test_seed_config_is_usable_and_masked(void **state)
{
    (void)state;
    add_text("smtp.conf", ssmtp_seed_conf);
    assert_usable(load());
    assert_contains(out, "smtp.conf:24: HostName: warning: 'MiniProjet SMTP Unix' contains spaces");
    assert_contains(out, "configuration loaded from smtp.conf on the SD card: 1 warning\n");
    assert_lacks(out, SEED_PASSWORD);

    const struct config *cfg = config_load_current();
    assert_string_equal(cfg->mailhub, "smtp.gmail.com");
    assert_int_equal(cfg->port, 587);
    assert_true(cfg->use_starttls);
    assert_string_equal(cfg->ehlo_name, "MiniProjet");
    assert_string_equal(cfg->auth_pass, SEED_PASSWORD); /* kept for the SMTP module, only never shown */

    assert_int_equal(run("config"), CONSOLE_OK);
    assert_contains(out, "from smtp.conf on the SD card (1 warning: 'config errors' lists them)\n");
    assert_contains(out, "MailHub = smtp.gmail.com:587\n");
    assert_contains(out, "AuthPass = " CONFIG_SECRET_MASK "\n");
    assert_lacks(out, SEED_PASSWORD);

    assert_int_equal(run("config errors"), CONSOLE_OK);
    assert_contains(out, "smtp.conf:24: HostName: warning:");
    assert_lacks(out, SEED_PASSWORD);

    assert_int_equal(run("status"), CONSOLE_OK);
    assert_contains(out, "config:   configuration loaded from smtp.conf on the SD card: 1 warning\n");
}

static void test_mailhubb_suggests_mailhub(void **state)
{
    char conf[sizeof ssmtp_seed_conf + 1];
    char *key;

    (void)state;
    snprintf(conf, sizeof conf, "%s", ssmtp_seed_conf);
    key = strstr(conf, "mailhub=");
    assert_non_null(key);
    /* "mailhub=" becomes "MailHubb" followed by the value: same line, same length plus one. */
    memmove(key + 1, key, strlen(key) + 1);
    memcpy(key, "MailHubb=", 9);
    add_text("smtp.conf", conf);

    assert_unusable(load());
    assert_contains(out, "smtp.conf:11: MailHubb: error: unknown key; did you mean MailHub?\n");
    assert_contains(out, "configuration unusable: ");
    assert_lacks(out, SEED_PASSWORD);

    assert_int_equal(run("config"), CONFIG_LOAD_ERR_INVALID);
    assert_contains(out, "none loaded: configuration unusable: ");
    assert_contains(out, "'config errors' lists the problems\n");
    assert_lacks(out, "AuthPass");

    assert_int_equal(run("config errors"), CONSOLE_OK);
    assert_contains(out, "smtp.conf:11: MailHubb: error: unknown key; did you mean MailHub?\n");
    assert_lacks(out, SEED_PASSWORD);
}

static void test_error_count_in_summary(void **state)
{
    (void)state;
    add_text("smtp.conf", "MailHub=smtp.example.com:99999\nRoot=ops@example.com\nRooot=x\n");
    assert_unusable(load());
    assert_contains(out, "smtp.conf:1: MailHub: error:");
    assert_contains(out, "smtp.conf:3: Rooot: error: unknown key; did you mean Root?");
    assert_contains(out, "configuration unusable: 2 errors, ");
}

/* The board, not the parser, says which pins alerts may watch: the Pi 1 Model B's 26-pin header lacks GPIO 5, and
 * the console's pins are refused on every board, each with its line and the board's reason. */
static const struct input_pins_port pi1_b_port = { .header = PI_HEADER_26_REV2, .simulated = true };
static const struct input_pins_port pi2_port = { .header = PI_HEADER_40, .simulated = true };

static void test_alert_pins_are_checked_by_the_board(void **state)
{
    (void)state;
    static const char conf[] = "MailHub=smtp.example.com\nRoot=ops@example.com\n"
                               "Alert=door: gpio=17\nAlert=window: gpio=5\nAlert=tx: gpio=14\n";
    add_text("smtp.conf", conf);
    input_pins_init(&pi2_port);
    assert_int_equal(load(), CONFIG_LOAD_ERR_INVALID);
    assert_contains(out, "smtp.conf:5: Alert: error: tx: gpio: GPIO 14 cannot be watched: it carries the serial "
                         "console's TXD (header pin 8); choose another pin");
    assert_lacks(out, "window");
    assert_contains(out, "1 error");

    input_pins_init(&pi1_b_port);
    assert_int_equal(load(), CONFIG_LOAD_ERR_INVALID);
    assert_contains(out, "smtp.conf:4: Alert: error: window: gpio: GPIO 5 cannot be watched: it is not on this "
                         "model's 26-pin header");
    assert_contains(out, "2 errors");
    assert_lacks(out, "door");
    input_pins_init(&pi2_port);
}

static void test_missing_smtp_conf(void **state)
{
    char want[256];

    (void)state;
    add_text("revaliases", "root:ops@example.com\n");
    assert_int_equal(load(), CONFIG_LOAD_ERR_NO_CONFIG);
    snprintf(want, sizeof want, "no smtp.conf on the SD card's boot partition: %s\n",
             board_strerror(BOARD_ERR_NOT_FOUND));
    assert_string_equal(out, want); /* one line, nothing else */
    assert_null(config_load_current());
    assert_int_equal(fake_board_led_status(), BOARD_LED_CONFIG_ERROR);

    assert_int_equal(run("config"), CONFIG_LOAD_ERR_NO_CONFIG);
    assert_contains(out, "none loaded: no smtp.conf on the SD card's boot partition");
    assert_lacks(out, "config errors");
}

/* A good smtp.conf on a card the board cannot read (media_err): load fails with want, says what (one line: what,
 * then the board's reason) and loads nothing. */
static void expect_card_error(int media_err, int want, const char *what)
{
    char line[256];

    add_text("smtp.conf", ssmtp_seed_conf);
    fake_board_set_media_error(media_err);
    assert_int_equal(load(), want);
    snprintf(line, sizeof line, "%s: %s\n", what, board_strerror(media_err));
    assert_string_equal(out, line);
    assert_null(config_load_current());
    assert_int_equal(fake_board_led_status(), BOARD_LED_CONFIG_ERROR);
}

static void test_no_card(void **state)
{
    (void)state;
    expect_card_error(BOARD_ERR_NO_MEDIA, CONFIG_LOAD_ERR_NO_CONFIG, "no smtp.conf on the SD card's boot partition");
}

static void test_card_io_error(void **state)
{
    (void)state;
    expect_card_error(BOARD_ERR_IO, CONFIG_LOAD_ERR_UNREADABLE,
                      "cannot read smtp.conf from the SD card's boot partition");
}

static void test_oversize_smtp_conf_is_not_read(void **state)
{
    (void)state;
    add_filler("smtp.conf", CONFIG_LOAD_CONF_MAX + 1);
    assert_int_equal(load(), CONFIG_LOAD_ERR_UNREADABLE);
    assert_string_equal(out, "cannot read smtp.conf from the SD card's boot partition: 65537 bytes, more than the "
                             "65536 baremail reads\n");
    assert_int_equal(fake_board_file_reads(), 1); /* only the size was asked for */
    assert_int_equal(fake_board_largest_read(), 0);
    assert_int_equal(fake_board_led_status(), BOARD_LED_CONFIG_ERROR);
}

static void test_largest_smtp_conf_is_read(void **state)
{
    char *text = malloc(CONFIG_LOAD_CONF_MAX);
    static const char head[] = "MailHub=smtp.example.com\nRoot=ops@example.com\n";

    (void)state;
    assert_non_null(text);
    memset(text, '#', CONFIG_LOAD_CONF_MAX);
    memcpy(text, head, sizeof head - 1);
    /* Comment lines within CONFIG_LINE_MAX, so the parser accepts them. */
    for (size_t i = sizeof head - 1 + 1000; i < CONFIG_LOAD_CONF_MAX; i += 1000) {
        text[i] = '\n';
    }
    fake_board_add_file("smtp.conf", text, CONFIG_LOAD_CONF_MAX);
    free(text);
    assert_usable(load());
    assert_string_equal(config_load_current()->mailhub, "smtp.example.com");
}

static void test_empty_smtp_conf(void **state)
{
    (void)state;
    fake_board_add_file("smtp.conf", "", 0);
    assert_unusable(load());
    assert_contains(out, "MailHub");
}

static void test_revaliases_present(void **state)
{
    (void)state;
    add_text("smtp.conf", ssmtp_seed_conf);
    add_text("REVALIASES", "# comment\nroot:alerts@example.com:smtp.gmail.com:587\n");
    assert_usable(load());
    const struct config_alias *alias = config_find_alias(config_load_current(), "root");
    assert_non_null(alias);
    assert_string_equal(alias->address, "alerts@example.com");
    assert_int_equal(alias->line, 2);
    assert_int_equal(run("config"), CONSOLE_OK);
    assert_contains(out, "root:alerts@example.com:smtp.gmail.com:587");
}

static void test_revaliases_absent_is_fine(void **state)
{
    (void)state;
    add_text("smtp.conf", ssmtp_seed_conf);
    assert_usable(load());
    assert_int_equal(config_load_current()->alias_count, 0);
    assert_lacks(out, "revaliases");
}

static void test_revaliases_error_cites_its_line(void **state)
{
    (void)state;
    add_text("smtp.conf", ssmtp_seed_conf);
    add_text("revaliases", "root:alerts@example.com\nnobody\n");
    assert_unusable(load());
    assert_contains(out, "revaliases:2: ");
    assert_contains(out, "configuration unusable: 1 error, ");
}

static void test_oversize_revaliases(void **state)
{
    (void)state;
    add_text("smtp.conf", ssmtp_seed_conf);
    add_filler("revaliases", CONFIG_LOAD_CONF_MAX + 1);
    assert_unusable(load());
    assert_contains(out, "revaliases: error: cannot read the file: 65537 bytes, more than the 65536 baremail reads\n");
}

static void test_ca_file_present(void **state)
{
    (void)state;
    add_text("smtp.conf", tls_conf);
    add_text("CA.pem", cert_pem); /* "/ca.pem" in the config: root of the partition, case ignored as on FAT */
    assert_usable(load());
    assert_lacks(out, "TLS_CA_File");
    assert_contains(out, "configuration loaded from smtp.conf on the SD card: 0 warnings\n");
}

static void test_ca_file_missing(void **state)
{
    char want[256];

    (void)state;
    add_text("smtp.conf", tls_conf);
    assert_unusable(load());
    snprintf(want, sizeof want, "smtp.conf:4: TLS_CA_File: error: cannot read '/ca.pem': %s\n",
             board_strerror(BOARD_ERR_NOT_FOUND));
    assert_contains(out, want);
    assert_contains(out, "configuration unusable: 1 error, 0 warnings\n");
}

static void test_ca_file_not_pem(void **state)
{
    (void)state;
    add_text("smtp.conf", tls_conf);
    add_text("ca.pem", "this is not a certificate\n");
    assert_unusable(load());
    assert_contains(out, "smtp.conf:4: TLS_CA_File: error: '/ca.pem' is not usable PEM: no -----BEGIN");
}

static void test_ca_file_holding_a_key_warns(void **state)
{
    (void)state;
    add_text("smtp.conf", tls_conf);
    add_text("ca.pem", key_pem);
    assert_usable(load());
    assert_contains(out, "smtp.conf:4: TLS_CA_File: warning: '/ca.pem' is PEM but holds something other than "
                         "CERTIFICATE blocks\n");
}

static void test_oversize_ca_file(void **state)
{
    (void)state;
    add_text("smtp.conf", tls_conf);
    add_filler("ca.pem", CONFIG_LOAD_PEM_MAX + 1);
    assert_unusable(load());
    assert_contains(out, "smtp.conf:4: TLS_CA_File: error: cannot read '/ca.pem': 262145 bytes, more than the "
                         "262144 baremail reads\n");
    assert_true(fake_board_largest_read() < CONFIG_LOAD_PEM_MAX);
}

static void test_client_key_contents_never_shown(void **state)
{
    char conf[512];

    (void)state;
    snprintf(conf, sizeof conf, "%sUseTLSCert=YES\nTLSCert=client.pem\nTLSKey=client.key\n", tls_conf);
    add_text("smtp.conf", conf);
    add_text("ca.pem", cert_pem);
    add_text("client.pem", cert_pem);
    add_text("client.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" B64_BODY "-----END ENCRYPTED PRIVATE KEY-----\n");
    assert_unusable(load());
    assert_contains(out, "smtp.conf:7: TLSKey: error: 'client.key' is not usable PEM: encrypted private key");
    assert_lacks(out, "MIIBszCC");

    add_text("client.key", key_pem);
    assert_usable(load());
    assert_int_equal(run("config"), CONSOLE_OK);
    assert_contains(out, "TLSKey = client.key\n");
    assert_lacks(out, "MIIBszCC");
}

/* Secrets in a config with errors and warnings about the very keys that hold them. */
static void test_secrets_never_printed(void **state)
{
    static const char conf[] = "MailHub=smtp.example.com:465\n"
                               "UseTLS=YES\n"
                               "AuthUser=ops\n"
                               "AuthPass=\"S3cret #pass\\\"word\"\n"
                               "AuthPass=S3cret-second\n"
                               "AuthToken=S3cretToken\n"
                               "AuthMethod=FANCY\n";
    static const char *const commands[] = { "config", "config errors", "status" };
    static const char *const secrets[] = { "S3cret", "pass\\\"word", "S3cretToken", "S3cret-second" };

    (void)state;
    add_text("smtp.conf", conf);
    load();
    for (size_t s = 0; s < sizeof secrets / sizeof secrets[0]; s++) {
        assert_lacks(out, secrets[s]);
    }
    /* Without the error: the configuration is shown, secrets masked. */
    add_text("smtp.conf",
             "MailHub=smtp.example.com:465\nRoot=ops@example.com\nUseTLS=YES\nAuthUser=ops\nAuthPass=\"S3cret #pass\"\n"
             "AuthToken=S3cretToken\nAuthPass=S3cret-second\n");
    assert_usable(load());
    assert_string_equal(config_load_current()->auth_pass, "S3cret #pass");
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        run(commands[c]);
        for (size_t s = 0; s < sizeof secrets / sizeof secrets[0]; s++) {
            assert_lacks(out, secrets[s]);
        }
    }
    run("config");
    assert_contains(out, "AuthPass = " CONFIG_SECRET_MASK "\n");
    assert_contains(out, "AuthToken = " CONFIG_SECRET_MASK "\n");
}

static void test_diagnostics_beyond_the_kept_ones_are_counted(void **state)
{
    char conf[4096];
    size_t len = 0;
    const unsigned bad = CONFIG_LOAD_DIAGS_MAX + 5;

    (void)state;
    len += (size_t)snprintf(conf + len, sizeof conf - len, "MailHub=smtp.example.com\nRoot=ops@example.com\n");
    for (unsigned i = 0; i < bad; i++) {
        len += (size_t)snprintf(conf + len, sizeof conf - len, "MailHub%u=x\n", i); /* typos: errors */
    }
    assert_true(len < sizeof conf);
    add_text("smtp.conf", conf);
    assert_unusable(load());
    /* At boot every one is printed. */
    assert_int_equal(stdout_capture_count(out, ": error: unknown key"), bad);
    assert_int_equal(run("config errors"), CONSOLE_OK);
    assert_int_equal(stdout_capture_count(out, ": error: unknown key"), CONFIG_LOAD_DIAGS_MAX);
    assert_contains(out, "... and 5 more\n");
    assert_contains(out, "configuration unusable: 37 errors, 0 warnings\n");
}

static void test_reload_replaces_the_previous_result(void **state)
{
    (void)state;
    add_text("smtp.conf", "MailHubb=smtp.example.com\n");
    assert_unusable(load());
    add_text("smtp.conf", "MailHub=smtp.example.com\nRoot=ops@example.com\n");
    assert_usable(load());
    assert_int_equal(fake_board_led_calls(), 2);
    assert_int_equal(run("config errors"), CONSOLE_OK);
    assert_string_equal(out, "configuration loaded from smtp.conf on the SD card: 0 warnings\n");
}

static void test_config_usage(void **state)
{
    (void)state;
    assert_int_equal(run("config frob"), CONSOLE_ERR_USAGE);
    assert_string_equal(out, "usage: config [errors]\n");
    assert_int_equal(run("config errors extra"), CONSOLE_ERR_USAGE);
}

static void test_strerror_names_every_code(void **state)
{
    static const int codes[] = { CONFIG_LOAD_OK, CONFIG_LOAD_ERR_NOT_LOADED, CONFIG_LOAD_ERR_NO_CONFIG,
                                 CONFIG_LOAD_ERR_UNREADABLE, CONFIG_LOAD_ERR_INVALID };

    (void)state;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_string_not_equal(config_load_strerror(codes[i]), config_load_strerror(-99));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_config_is_usable_and_masked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alert_pins_are_checked_by_the_board, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mailhubb_suggests_mailhub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_count_in_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_smtp_conf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_card, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_io_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_smtp_conf_is_not_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_largest_smtp_conf_is_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_smtp_conf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revaliases_present, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revaliases_absent_is_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revaliases_error_cites_its_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_revaliases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ca_file_present, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ca_file_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ca_file_not_pem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ca_file_holding_a_key_warns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_ca_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_key_contents_never_shown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_never_printed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diagnostics_beyond_the_kept_ones_are_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_replaces_the_previous_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strerror_names_every_code, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
