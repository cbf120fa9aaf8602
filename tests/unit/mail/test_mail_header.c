/*
 * Unit tests for mail/mail_header: Date from UTC seconds (leap years, centuries, single-digit days, the
 * range ends), Message-ID format and uniqueness, and the sender/recipient rules of ssmtp 2.64 for combinations of
 * Root, RewriteDomain, HostName and revaliases (expected values observed with Debian's ssmtp 2.64-11).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "config/config.h"
#include "mail/mail.h"
#include "mail/mail_header.h"

struct date_case {
    int64_t utc;
    const char *expect;  /* RFC 5322 (Date) */
    const char *iso8601; /* {time} in alert mails */
};

/* clang-format off */
static const struct date_case date_cases[] = {
	{ INT64_C(0), "Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z" },
	{ INT64_C(951782400), "Tue, 29 Feb 2000 00:00:00 +0000", "2000-02-29T00:00:00Z" },
	{ INT64_C(1709251199), "Thu, 29 Feb 2024 23:59:59 +0000", "2024-02-29T23:59:59Z" },
	{ INT64_C(1795869296), "Sat, 28 Nov 2026 12:34:56 +0000", "2026-11-28T12:34:56Z" },
	{ INT64_C(4107499200), "Sun, 28 Feb 2100 12:00:00 +0000", "2100-02-28T12:00:00Z" },
	{ INT64_C(4107542400), "Mon, 1 Mar 2100 00:00:00 +0000", "2100-03-01T00:00:00Z" },
	{ INT64_C(1772355907), "Sun, 1 Mar 2026 09:05:07 +0000", "2026-03-01T09:05:07Z" },
	{ INT64_C(946684799), "Fri, 31 Dec 1999 23:59:59 +0000", "1999-12-31T23:59:59Z" },
	{ INT64_C(2147483648), "Tue, 19 Jan 2038 03:14:08 +0000", "2038-01-19T03:14:08Z" },
	{ INT64_C(253402300799), "Fri, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z" },
};
/* clang-format on */

static void test_date_table(void **state)
{
    char buf[MAIL_HEADER_DATE_SIZE], iso[MAIL_HEADER_ISO8601_SIZE];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++) {
        int n = mail_header_date(date_cases[i].utc, buf, sizeof(buf));
        if (n != (int)strlen(date_cases[i].expect) || strcmp(buf, date_cases[i].expect) != 0) {
            fail_msg("%lld: got '%s' (%d), expected '%s'", (long long)date_cases[i].utc, buf, n, date_cases[i].expect);
        }
        n = mail_header_iso8601(date_cases[i].utc, iso, sizeof(iso));
        if (n != (int)strlen(date_cases[i].iso8601) || strcmp(iso, date_cases[i].iso8601) != 0) {
            fail_msg("%lld: got '%s' (%d), expected '%s'", (long long)date_cases[i].utc, iso, n, date_cases[i].iso8601);
        }
    }
    assert_int_equal(mail_header_date(-1, buf, sizeof(buf)), MAIL_ERR_ARG);
    assert_int_equal(mail_header_date(INT64_C(253402300800), buf, sizeof(buf)), MAIL_ERR_ARG);
    assert_int_equal(mail_header_date(0, buf, 10), MAIL_ERR_OVERFLOW);
    assert_int_equal(mail_header_iso8601(-1, iso, sizeof(iso)), MAIL_ERR_ARG);
    assert_int_equal(mail_header_iso8601(INT64_C(253402300800), iso, sizeof(iso)), MAIL_ERR_ARG);
    assert_int_equal(mail_header_iso8601(0, iso, sizeof(iso) - 1), MAIL_ERR_OVERFLOW);
}

static void test_message_id(void **state)
{
    char a[MAIL_HEADER_MSGID_SIZE], b[MAIL_HEADER_MSGID_SIZE];

    (void)state;
    assert_int_equal(
        mail_header_message_id(INT64_C(1795869296), UINT64_C(0x0123456789abcdef), "MiniProjet", a, sizeof(a)),
        (int)strlen("<20261128123456.0123456789abcdef@MiniProjet>"));
    assert_string_equal(a, "<20261128123456.0123456789abcdef@MiniProjet>");
    /* same second, different unique bits: different ids */
    mail_header_message_id(INT64_C(1795869296), UINT64_C(0x0123456789abcdee), "MiniProjet", b, sizeof(b));
    assert_string_not_equal(a, b);
    /* same unique bits, another second: different ids */
    mail_header_message_id(INT64_C(1795869297), UINT64_C(0x0123456789abcdef), "MiniProjet", b, sizeof(b));
    assert_string_not_equal(a, b);
    /* no clock */
    mail_header_message_id(-1, UINT64_C(0xfedcba9876543210), "pi.local", b, sizeof(b));
    assert_string_equal(b, "<fedcba9876543210@pi.local>");
    assert_int_equal(mail_header_message_id(0, 1, "", b, sizeof(b)), MAIL_ERR_ARG);
    assert_int_equal(mail_header_message_id(0, 1, "host", b, 20), MAIL_ERR_OVERFLOW);
}

/* Errors fail the test with their text; warnings (e.g. HostName with blanks) are expected. */
static void ignore_diag(void *ctx, const struct config_diag *d)
{
    char line[CONFIG_MSG_MAX + 64];

    (void)ctx;
    if (d->severity == CONFIG_SEVERITY_ERROR) {
        config_diag_format(d, line, sizeof(line));
        fail_msg("config: %s", line);
    }
}

static void load(struct config *cfg, const char *conf, const char *aliases)
{
    config_init(cfg);
    assert_int_equal(config_parse(cfg, "smtp.conf", conf, strlen(conf), ignore_diag, NULL), CONFIG_OK);
    if (aliases != NULL) {
        assert_int_equal(config_parse_revaliases(cfg, "revaliases", aliases, strlen(aliases), ignore_diag, NULL),
                         CONFIG_OK);
    }
    assert_int_equal(config_finish(cfg, ignore_diag, NULL), CONFIG_OK);
}

struct who_case {
    const char *conf;
    const char *aliases;
    const char *account;
    const char *sender;
    const char *rcpt_in;
    const char *rcpt;
};

#define SEED_CONF                                                                    \
    "root=alerts@example.com\nmailhub=smtp.gmail.com:587\nrewriteDomain=gmail.com\n" \
    "hostname=MiniProjet SMTP Unix\nFromLineOverride=YES\n"
#define PI_CONF "root=postmaster\nmailhub=127.0.0.1:2525\nhostname=pi.local\n"
#define ALERTS  "Alert = door: gpio=17\nAlert = flood: gpio=27\n"

/* clang-format off */
static const struct who_case who_cases[] = {
	/* the seed: revaliases gives root its address */
	{ SEED_CONF, "root:alerts@example.com:smtp.gmail.com:587\n", "root", "alerts@example.com", "bob",
	  "bob@gmail.com" },
	{ SEED_CONF, "root:alerts@example.com:smtp.gmail.com:587\n", "root", "alerts@example.com", "root",
	  "alerts@example.com" },
	/* no revaliases entry: account@RewriteDomain */
	{ SEED_CONF, NULL, "root", "root@gmail.com", "a@x.org", "a@x.org" },
	/* only the account "root" (case-sensitive, as getpwnam) goes to Root */
	{ SEED_CONF, NULL, "root", "root@gmail.com", "Root", "Root@gmail.com" },
	/* no RewriteDomain: the host name; Root without '@' is qualified the same way */
	{ PI_CONF, NULL, "root", "root@pi.local", "root", "postmaster@pi.local" },
	{ PI_CONF, NULL, "root", "root@pi.local", "bob", "bob@pi.local" },
	/* HostName with blanks: its first word, as ssmtp */
	{ "mailhub=h\nhostname=MiniProjet SMTP Unix\nRoot=x@y.org\n", NULL, "root", "root@MiniProjet", "bob",
	  "bob@MiniProjet" },
	/* alert accounts: their own entry, else root's */
	{ SEED_CONF ALERTS, "root:alerts@example.com\ndoor:security@example.com\n", "door", "security@example.com",
	  "root", "alerts@example.com" },
	{ SEED_CONF ALERTS, "root:alerts@example.com\ndoor:security@example.com\n", "flood", "alerts@example.com",
	  "c@d.org", "c@d.org" },
	{ SEED_CONF ALERTS, NULL, "flood", "root@gmail.com", "c@d.org", "c@d.org" },
};
/* clang-format on */

static void test_sender_and_recipient(void **state)
{
    static struct config cfg;
    char buf[MAIL_ADDR_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(who_cases) / sizeof(who_cases[0]); i++) {
        const struct who_case *c = &who_cases[i];

        load(&cfg, c->conf, c->aliases);
        assert_int_equal(mail_header_sender(&cfg, c->account, buf, sizeof(buf)), MAIL_OK);
        if (strcmp(buf, c->sender) != 0) {
            fail_msg("case %zu: sender '%s', expected '%s'", i, buf, c->sender);
        }
        assert_int_equal(mail_header_recipient(&cfg, c->rcpt_in, buf, sizeof(buf)), MAIL_OK);
        if (strcmp(buf, c->rcpt) != 0) {
            fail_msg("case %zu: recipient '%s', expected '%s'", i, buf, c->rcpt);
        }
    }
}

static void test_helpers_and_errors(void **state)
{
    static struct config cfg;
    char buf[11];

    (void)state;
    load(&cfg, PI_CONF, NULL);
    assert_string_equal(mail_header_host(&cfg), "pi.local");
    assert_string_equal(mail_header_domain(&cfg), "pi.local");
    assert_int_equal(mail_header_qualify(&cfg, "x", buf, sizeof(buf)), MAIL_OK);
    assert_string_equal(buf, "x@pi.local");
    assert_int_equal(mail_header_qualify(&cfg, "xy", buf, sizeof(buf)), MAIL_ERR_OVERFLOW);
    assert_int_equal(mail_header_sender(&cfg, "root", buf, sizeof(buf)), MAIL_ERR_OVERFLOW);
    assert_int_equal(mail_header_sender(&cfg, "", buf, sizeof(buf)), MAIL_ERR_ARG);
    assert_int_equal(mail_header_recipient(NULL, "a", buf, sizeof(buf)), MAIL_ERR_ARG);
    config_init(&cfg);
    assert_string_equal(mail_header_host(&cfg), CONFIG_DEFAULT_EHLO_NAME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_table),
        cmocka_unit_test(test_message_id),
        cmocka_unit_test(test_sender_and_recipient),
        cmocka_unit_test(test_helpers_and_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
