/*
 * Unit tests for config/ beyond the keys: revaliases, config_format and the masking of secrets (in its lines and in
 * diagnostics), the diagnostics' format, API misuse, the board's alert GPIO check and template expansion. Every key,
 * error and warning of smtp.conf, and the parser's limits, are in test_config.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config_harness.h"
#include "ssmtp_seed.h"

#define FORMAT_MAX  96
#define FORMAT_LINE (CONFIG_LINE_MAX + 1)

/* ---- revaliases ---- */

static const char sample_revaliases[] = "# sSMTP aliases\n"
                                        "#\n"
                                        "# Format:\tlocal_account:outgoing_address:mailhub\n"
                                        "#\n"
                                        "# Example: root:your_login@your.domain:mailhub.your.domain[:port]\n"
                                        "# where [:port] is an optional port number that defaults to 25.\n"
                                        "root:alerts@example.com:smtp.gmail.com:587\n";

static int parse_with_aliases(const char *conf, const char *aliases)
{
    memset(&config_harness_diags, 0, sizeof(config_harness_diags));
    config_init(&config_harness_cfg);
    config_parse(&config_harness_cfg, "smtp.conf", conf, strlen(conf), config_harness_collect, &config_harness_diags);
    config_parse_revaliases(&config_harness_cfg, "revaliases", aliases, strlen(aliases), config_harness_collect,
                            &config_harness_diags);
    return config_finish(&config_harness_cfg, config_harness_collect, &config_harness_diags);
}

static void test_revaliases_sample(void **state)
{
    const struct config_alias *a;

    (void)state;
    assert_int_equal(parse_with_aliases(CONFIG_HARNESS_BASE, sample_revaliases), 0);
    assert_int_equal(config_harness_diags.count, 0);
    a = config_find_alias(&config_harness_cfg, "root");
    assert_non_null(a);
    assert_string_equal(a->address, "alerts@example.com");
    assert_string_equal(a->mailhub, "smtp.gmail.com");
    assert_int_equal(a->port, 587);
    assert_int_equal(a->line, 7);
}

/* Without Root, alert and boot mail go where revaliases sends root's mail, before AuthUser. */
static void test_recipient_from_revaliases(void **state)
{
    (void)state;
    assert_int_equal(parse_with_aliases("MailHub=smtp.gmail.com:587\nUseSTARTTLS=YES\nAuthUser=someone@gmail.com\n"
                                        "AuthPass=x\n",
                                        "root:alarm@example.org\n"),
                     0);
    assert_int_equal(config_harness_diags.count, 0);
    assert_int_equal(config_harness_cfg.alert_to.count, 1);
    assert_string_equal(config_harness_cfg.alert_to.addr[0], "alarm@example.org");
}

/* A real ssmtp.conf: root commented out and a key of some other program. It loads, and mail goes to AuthUser. */
static void test_real_world_ssmtp_conf(void **state)
{
    static char text[sizeof(ssmtp_seed_conf) + 64];

    (void)state;
    snprintf(text, sizeof(text), "%sSERVER=someone@gmail.com\n",
             config_harness_seed_edited("\nroot=alerts@example.com\n", "\n#root=alerts@example.com\n"));
    assert_int_equal(config_harness_parse(text), 0);
    assert_true(config_harness_has_diag("smtp.conf:31: SERVER: warning: unknown key, ignored, as ssmtp does"));
    assert_int_equal(config_harness_diags.count, 2); /* and HostName's spaces */
    assert_string_equal(config_harness_cfg.root, "");
    assert_int_equal(config_harness_cfg.alert_to.count, 1);
    assert_string_equal(config_harness_cfg.alert_to.addr[0], "alerts@example.com");
    assert_true(config_harness_cfg.boot_mail);
}

static void test_revaliases_forms(void **state)
{
    const struct config_alias *a;

    (void)state;
    assert_int_equal(parse_with_aliases(CONFIG_HARNESS_BASE "Alert=door: gpio=17\nAlert=pump: gpio=4\n",
                                        "root:ops@example.com\r\n"
                                        "door : door@example.com : [2001:db8::25]:465  # security desk\n"
                                        "pump:pump@example.com:mx2.example.com"),
                     0);
    assert_int_equal(config_harness_diags.count, 0);
    a = config_find_alias(&config_harness_cfg, "root");
    assert_string_equal(a->mailhub, "");
    assert_int_equal(a->port, 0);
    a = config_find_alias(&config_harness_cfg, "door");
    assert_string_equal(a->address, "door@example.com");
    assert_string_equal(a->mailhub, "2001:db8::25");
    assert_true(a->mailhub_ipv6);
    assert_int_equal(a->port, 465);
    a = config_find_alias(&config_harness_cfg, "pump");
    assert_int_equal(a->port, 25); /* ssmtp's default */
    assert_null(config_find_alias(&config_harness_cfg, "nobody"));
}

static void test_revaliases_errors(void **state)
{
    (void)state;
    assert_int_equal(parse_with_aliases(CONFIG_HARNESS_BASE, "no colon here\n"
                                                             "root:not-an-address\n"
                                                             "root:a@example.com:bad host:25\n"
                                                             "root:a@example.com:mx.example.com:99999\n"
                                                             ":a@example.com\n"
                                                             "pi:pi@example.com\n"
                                                             "pi:pi2@example.com\n"),
                     CONFIG_ERR_INVALID);
    assert_true(
        config_harness_has_diag("revaliases:1: error: expected local_account:outgoing_address[:mailhub[:port]]"));
    assert_true(config_harness_has_diag("revaliases:2: root: error: expected a mail address"));
    assert_true(config_harness_has_diag("revaliases:3: root: error: 'bad host' is not a valid host name"));
    assert_true(config_harness_has_diag("revaliases:4: root: error: port out of range"));
    assert_true(config_harness_has_diag("revaliases:5: error: expected a local account name"));
    assert_true(config_harness_has_diag("revaliases:7: pi: warning: 'pi' already has an entry on line 6"));
    assert_true(config_harness_has_diag(
        "revaliases:7: pi: warning: not used: baremail's local accounts are root and the Alert"));
}

/* ---- formatting and masking ---- */

struct format_log {
    unsigned count;
    char lines[FORMAT_MAX][FORMAT_LINE];
};

static struct format_log formatted;

static void format_collect(void *ctx, const char *line)
{
    struct format_log *log = ctx;

    if (log->count < FORMAT_MAX) {
        snprintf(log->lines[log->count++], FORMAT_LINE, "%s", line);
    }
}

static bool has_line(const char *line)
{
    unsigned i;

    for (i = 0; i < formatted.count; i++) {
        if (strcmp(formatted.lines[i], line) == 0) {
            return true;
        }
    }
    return false;
}

static bool any_line_contains(const char *needle)
{
    unsigned i;

    for (i = 0; i < formatted.count; i++) {
        if (strstr(formatted.lines[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

static void test_format_masks_secrets(void **state)
{
    (void)state;
    assert_int_equal(config_harness_parse(CONFIG_HARNESS_BASE
                                          "UseSTARTTLS=YES\nTLS_CA_File=ca.pem\nAuthUser=me@example.com\n"
                                          "AuthPass=\"hunter2 #x\"\nAuthMethod=XOAUTH2\nAuthToken=ya29.SECRET-TOKEN\n"),
                     0);
    memset(&formatted, 0, sizeof(formatted));
    config_format(&config_harness_cfg, format_collect, &formatted);
    assert_true(has_line("AuthPass = ********"));
    assert_true(has_line("AuthToken = ********"));
    assert_false(any_line_contains("hunter2"));
    assert_false(any_line_contains("SECRET-TOKEN"));
    assert_true(has_line("AuthUser = me@example.com"));
}

/* Parse `text`, which must be usable, and format it into `formatted`. */
static void format_usable(const char *text)
{
    assert_int_equal(config_harness_parse(text), 0);
    memset(&formatted, 0, sizeof(formatted));
    config_format(&config_harness_cfg, format_collect, &formatted);
}

/* Without AuthMethod the engine picks from what the server offers, PLAIN first over TLS: `config` says so instead of
 * naming ssmtp's LOGIN. */
static void test_format_auth_method(void **state)
{
    (void)state;
    format_usable(CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nAuthUser=me@example.com\nAuthPass=x\n");
    assert_true(has_line("AuthMethod =  # not set: the first of PLAIN, LOGIN, CRAM-MD5 the server offers"));
    format_usable(CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass=x\nAllowAuthWithoutTLS=YES\n");
    assert_true(has_line("AuthMethod =  # not set: the first of CRAM-MD5, PLAIN, LOGIN the server offers"));
    assert_true(has_line("AllowAuthWithoutTLS = YES"));
    format_usable(CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nAuthUser=me@example.com\nAuthToken=ya29.t\n");
    assert_true(has_line("AuthMethod =  # not set: XOAUTH2, as AuthToken is set"));
    format_usable(CONFIG_HARNESS_BASE);
    assert_true(has_line("AuthMethod =  # not set: no AuthUser, no AUTH"));
    format_usable(CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nAuthUser=me@example.com\nAuthPass=x\nAuthMethod=login\n");
    assert_true(has_line("AuthMethod = LOGIN"));
    assert_true(has_line("AllowAuthWithoutTLS = NO"));
}

static void test_diagnostics_hide_secrets(void **state)
{
    unsigned i;

    (void)state;
    config_harness_parse(CONFIG_HARNESS_BASE
                         "AuthPass=\"sec\\ret\nAuthToken=Bearer hidden-token\nAuthPass=\"s3cr3t\"junk\n");
    assert_true(config_harness_diags.count >= 3);
    for (i = 0; i < config_harness_diags.count; i++) {
        assert_null(strstr(config_harness_diags.text[i], "sec"));
        assert_null(strstr(config_harness_diags.text[i], "hidden-token"));
        assert_null(strstr(config_harness_diags.text[i], "s3cr3t"));
    }
}

static void test_format_values(void **state)
{
    (void)state;
    assert_int_equal(
        config_harness_parse(
            "MailHub=[2001:db8::25]:465\nRoot=ops@example.com\nUseTLS=YES\nTLS_Fingerprint=" CONFIG_HARNESS_FP64 "\n"
            "HostName=MiniProjet SMTP Unix\nIP=192.168.1.50/24\nGateway=192.168.1.1\n"
            "DNS=1.1.1.1,9.9.9.9\nRateLimit=3/10m\nHeartbeatMail=YES\nHeartbeatPeriod=90m\n"
            "Alert = door: gpio=17 edge=rising recovery=yes to=a@example.com limit=6/hour "
            "subject=\"Door {state}\" body=\"line1\\nline2\"\n"),
        0);
    memset(&formatted, 0, sizeof(formatted));
    config_format(&config_harness_cfg, format_collect, &formatted);
    assert_true(has_line("MailHub = [2001:db8::25]:465"));
    assert_true(has_line("HostName = \"MiniProjet SMTP Unix\"  # EHLO MiniProjet"));
    assert_true(has_line("IP = 192.168.1.50/24"));
    assert_true(has_line("Gateway = 192.168.1.1"));
    assert_true(has_line("DNS = 1.1.1.1, 9.9.9.9"));
    assert_true(has_line("TLS_Fingerprint = " CONFIG_HARNESS_FP64));
    assert_true(has_line("RateLimit = 3/10m"));
    assert_true(has_line("HeartbeatPeriod = 90m"));
    assert_true(has_line("AuthPass ="));
    assert_true(has_line("Alert = door: gpio=17 edge=rising pull=up debounce=50ms recovery=yes "
                         "to=\"a@example.com\" limit=6/hour subject=\"Door {state}\" body=\"line1\\nline2\""));
}

/* What config_format prints parses back to the same configuration. */
static void test_format_round_trip(void **state)
{
    static struct format_log first;
    static char text[FORMAT_MAX * 256];
    size_t n = 0;
    unsigned i;

    (void)state;
    assert_int_equal(config_harness_parse(ssmtp_seed_conf), 0);
    memset(&first, 0, sizeof(first));
    config_format(&config_harness_cfg, format_collect, &first);
    for (i = 0; i < first.count; i++) {
        /* masked secrets cannot round-trip; put the real value back */
        const char *line =
            strcmp(first.lines[i], "AuthPass = ********") == 0 ? "AuthPass=abcd efgh ijkl mnop" : first.lines[i];
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", line);
    }
    config_harness_parse(text);
    assert_int_equal(config_harness_cfg.error_count, 0);
    memset(&formatted, 0, sizeof(formatted));
    config_format(&config_harness_cfg, format_collect, &formatted);
    assert_int_equal(formatted.count, first.count);
    for (i = 0; i < first.count; i++) {
        assert_string_equal(formatted.lines[i], first.lines[i]);
    }
}

/* ---- small API pieces ---- */

static void test_diag_format(void **state)
{
    char buf[128];
    struct config_diag d = { CONFIG_SEVERITY_ERROR, "smtp.conf", 3, "MailHub", "bad" };

    (void)state;
    config_diag_format(&d, buf, sizeof(buf));
    assert_string_equal(buf, "smtp.conf:3: MailHub: error: bad");
    d.line = 0;
    d.severity = CONFIG_SEVERITY_WARNING;
    config_diag_format(&d, buf, sizeof(buf));
    assert_string_equal(buf, "smtp.conf: MailHub: warning: bad");
    d.key = NULL;
    config_diag_format(&d, buf, sizeof(buf));
    assert_string_equal(buf, "smtp.conf: warning: bad");
    d.line = 9;
    config_diag_format(&d, buf, sizeof(buf));
    assert_string_equal(buf, "smtp.conf:9: warning: bad");
}

static void test_api_misuse(void **state)
{
    (void)state;
    assert_int_equal(config_parse(NULL, "f", "", 0, NULL, NULL), CONFIG_ERR_ARG);
    assert_int_equal(config_parse(&config_harness_cfg, "f", NULL, 5, NULL, NULL), CONFIG_ERR_ARG);
    assert_int_equal(config_harness_parse(CONFIG_HARNESS_BASE), 0);
    /* after config_finish the struct is final */
    assert_int_equal(config_parse(&config_harness_cfg, "f", "Debug=YES", 9, NULL, NULL), CONFIG_ERR_ARG);
    assert_int_equal(config_finish(&config_harness_cfg, NULL, NULL), CONFIG_ERR_ARG);
    assert_string_equal(config_strerror(CONFIG_OK), "ok");
    assert_string_equal(config_strerror(CONFIG_ERR_INVALID), "configuration has errors");
    assert_string_equal(config_strerror(CONFIG_ERR_ARG), "bad argument or call out of order");
    assert_string_equal(config_strerror(-99), "unknown config error");
}

/* A board's rule, as a check callback: refuses 14 and 15, and names the pin it was asked about. */
static unsigned checked[CONFIG_ALERTS_MAX];
static unsigned checked_count;

static const char *refuse_console(void *ctx, unsigned gpio)
{
    assert_ptr_equal(ctx, &checked_count);
    if (checked_count < CONFIG_ALERTS_MAX) {
        checked[checked_count++] = gpio;
    }
    return gpio == 14 || gpio == 15 ? "it carries the serial console" : NULL;
}

static void test_alert_gpio_check(void **state)
{
    (void)state;
    assert_int_equal(
        config_harness_parse(CONFIG_HARNESS_BASE "Alert=pump: gpio=4\nAlert=door: gpio=14\nAlert=tank: gpio=53\n"), 0);
    checked_count = 0;
    assert_int_equal(config_check_alert_gpios(&config_harness_cfg, refuse_console, &checked_count,
                                              CONFIG_SEVERITY_ERROR, config_harness_collect, &config_harness_diags),
                     CONFIG_ERR_INVALID);
    assert_int_equal(checked_count, 3);
    assert_int_equal(checked[0], 4);
    assert_int_equal(checked[1], 14);
    assert_int_equal(checked[2], 53);
    assert_int_equal(config_harness_cfg.error_count, 1);
    assert_true(config_harness_has_diag(
        "smtp.conf:4: Alert: error: door: gpio: GPIO 14 cannot be watched: it carries the serial "
        "console; choose another pin"));

    /* As a warning: counted as one, and the configuration stays usable. */
    assert_int_equal(config_harness_parse(CONFIG_HARNESS_BASE "Alert=door: gpio=15\n"), 0);
    checked_count = 0;
    assert_int_equal(config_check_alert_gpios(&config_harness_cfg, refuse_console, &checked_count,
                                              CONFIG_SEVERITY_WARNING, config_harness_collect, &config_harness_diags),
                     CONFIG_OK);
    assert_int_equal(config_harness_cfg.error_count, 0);
    assert_int_equal(config_harness_cfg.warning_count, 1);
    assert_true(
        config_harness_has_diag("smtp.conf:3: Alert: warning: door: gpio: GPIO 15: it carries the serial console"));

    assert_int_equal(config_check_alert_gpios(NULL, refuse_console, NULL, CONFIG_SEVERITY_ERROR, NULL, NULL),
                     CONFIG_ERR_ARG);
    assert_int_equal(config_check_alert_gpios(&config_harness_cfg, NULL, NULL, CONFIG_SEVERITY_ERROR, NULL, NULL),
                     CONFIG_ERR_ARG);
}

static void test_key_line(void **state)
{
    (void)state;
    assert_int_equal(config_harness_parse(CONFIG_HARNESS_BASE "UseSTARTTLS=YES\ntls_ca_file=ca.pem\n"), 0);
    assert_int_equal(config_key_line(&config_harness_cfg, "TLS_CA_File"), 4);
    assert_int_equal(config_key_line(&config_harness_cfg, "mailhub"), 1);
    assert_int_equal(config_key_line(&config_harness_cfg, "TLSCert"), 0);
    assert_int_equal(config_key_line(&config_harness_cfg, "NoSuchKey"), 0);
}

/* Diagnostics without a callback are still counted. */
static void test_no_callback(void **state)
{
    (void)state;
    config_init(&config_harness_cfg);
    assert_int_equal(config_parse(&config_harness_cfg, NULL, "MailHubb=1\nHostName=a b\n", 24, NULL, NULL),
                     CONFIG_ERR_INVALID);
    assert_int_equal(config_harness_cfg.error_count, 1);
    assert_int_equal(config_harness_cfg.warning_count, 1);
    assert_string_equal(config_harness_cfg.conf_file, "smtp.conf");
}

/* config_template_expand: the parser's template check and the alert mails' expansion are one function. */
static const struct {
    const char *tmpl;
    int rc;          /* expected return: length, or a negative code */
    const char *out; /* expected expansion (rc >= 0) */
    size_t bad;      /* expected error offset (CONFIG_ERR_INVALID) */
} template_vectors[] = {
    { "", 0, "", 0 },
    { "plain text", 10, "plain text", 0 },
    { "{name}", 4, "door", 0 },
    { "[{host}] {name} {state}", 23, "[pi.lan] door triggered", 0 },
    { "{name} (GPIO {gpio}) {state} at {time}.", 49, "door (GPIO 17) triggered at 2025-01-02T03:04:05Z.", 0 },
    { "{{name}}", 6, "{name}", 0 },
    { "{{{name}}}", 6, "{door}", 0 },
    { "a}b", 3, "a}b", 0 },
    { "}}", 1, "}", 0 },
    { "{{", 1, "{", 0 },
    { "x{name", CONFIG_ERR_INVALID, NULL, 1 },
    { "ok {Name}", CONFIG_ERR_INVALID, NULL, 3 },
    { "{name}{}", CONFIG_ERR_INVALID, NULL, 6 },
    { "{nam{name}", CONFIG_ERR_INVALID, NULL, 0 },
    { "{", CONFIG_ERR_INVALID, NULL, 0 },
};

static void test_template_expand(void **state)
{
    static const char *const values[CONFIG_PH_COUNT] = {
        [CONFIG_PH_NAME] = "door",   [CONFIG_PH_STATE] = "triggered",
        [CONFIG_PH_GPIO] = "17",     [CONFIG_PH_TIME] = "2025-01-02T03:04:05Z",
        [CONFIG_PH_HOST] = "pi.lan",
    };
    char out[64];
    size_t i, bad;

    (void)state;
    for (i = 0; i < sizeof(template_vectors) / sizeof(template_vectors[0]); i++) {
        int rc;

        bad = 999;
        rc = config_template_expand(template_vectors[i].tmpl, values, out, sizeof(out), &bad);
        if (rc != template_vectors[i].rc) {
            fail_msg("'%s': got %d, expected %d", template_vectors[i].tmpl, rc, template_vectors[i].rc);
        }
        if (rc >= 0) {
            assert_string_equal(out, template_vectors[i].out);
        } else {
            assert_int_equal(bad, template_vectors[i].bad);
        }
        /* checking alone gives the same verdict */
        rc = config_template_expand(template_vectors[i].tmpl, NULL, NULL, 0, NULL);
        assert_true((rc >= 0) == (template_vectors[i].rc >= 0));
    }
    /* measuring: the length with the values given, without writing */
    assert_int_equal(config_template_expand("{name}-{gpio}", values, NULL, 0, NULL), 7);
    /* exactly full (text and NUL) fits; one byte less is an error, never a cut text */
    assert_int_equal(config_template_expand("{name}!", values, out, 6, NULL), 5);
    assert_string_equal(out, "door!");
    memset(out, 'x', sizeof(out));
    assert_int_equal(config_template_expand("{name}!", values, out, 5, NULL), CONFIG_ERR_OVERFLOW);
    assert_string_equal(out, "");
    assert_int_equal(config_template_expand("ab", values, out, 0, NULL), CONFIG_ERR_OVERFLOW);
    assert_int_equal(out[0], '\0');
    /* An empty expansion still needs its NUL: a zero-size buffer is too small and is not written (body= is empty). */
    out[0] = 'x';
    assert_int_equal(config_template_expand("", values, out, 0, NULL), CONFIG_ERR_OVERFLOW);
    assert_int_equal(out[0], 'x');
    assert_int_equal(config_template_expand("", values, out, 1, NULL), 0);
    assert_string_equal(out, "");
    assert_int_equal(config_template_expand(NULL, values, out, sizeof(out), NULL), CONFIG_ERR_ARG);
    assert_int_equal(config_template_expand("a", values, NULL, 4, NULL), CONFIG_ERR_ARG);
    assert_string_equal(config_strerror(CONFIG_ERR_OVERFLOW), "output buffer too small");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revaliases_sample),     cmocka_unit_test(test_recipient_from_revaliases),
        cmocka_unit_test(test_real_world_ssmtp_conf), cmocka_unit_test(test_revaliases_forms),
        cmocka_unit_test(test_revaliases_errors),     cmocka_unit_test(test_format_masks_secrets),
        cmocka_unit_test(test_format_auth_method),    cmocka_unit_test(test_diagnostics_hide_secrets),
        cmocka_unit_test(test_format_values),         cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_diag_format),           cmocka_unit_test(test_api_misuse),
        cmocka_unit_test(test_alert_gpio_check),      cmocka_unit_test(test_key_line),
        cmocka_unit_test(test_no_callback),           cmocka_unit_test(test_template_expand),
    };

    return cmocka_run_group_tests_name("config_format", tests, NULL, NULL);
}
