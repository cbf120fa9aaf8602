/*
 * Unit tests for config/: every key, every error and warning, ssmtp compatibility (the seed's ssmtp.conf) and the
 * parser's limits. Most cases are rows of one table: text of an smtp.conf, whether it is usable, the diagnostics
 * expected (as substrings of "file:line: key: severity: message"), and an optional check of the parsed values.
 * Revaliases, formatting, masking and the small API pieces are in test_config_format.c.
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

struct conf_case {
    const char *name;
    const char *text;
    bool usable;
    const char *expect[3]; /* substrings of diagnostics; NULL-terminated */
    unsigned diag_count;   /* exact number of diagnostics expected */
    void (*check)(const struct config *c);
};

/* ---- value checks for the table ---- */

static void chk_defaults(const struct config *c)
{
    assert_string_equal(c->mailhub, "mx.example.com");
    assert_int_equal(c->port, 25);
    assert_false(c->use_tls);
    assert_false(c->use_starttls);
    assert_true(c->dhcp);
    assert_string_equal(c->ntp_server, "pool.ntp.org");
    assert_int_equal(c->tls_min_version, CONFIG_TLS_1_2);
    assert_int_equal(c->connect_timeout_ms, 30000);
    assert_int_equal(c->smtp_timeout_ms, 60000);
    assert_int_equal(c->rate_limit.count, 20);
    assert_int_equal(c->rate_limit.period_s, 3600);
    assert_true(c->boot_mail);
    assert_false(c->heartbeat_mail);
    assert_int_equal(c->heartbeat_period_s, 86400);
    assert_int_equal(c->auth_method, CONFIG_AUTH_LOGIN);
    assert_string_equal(c->ehlo_name, "baremail");
    /* AlertTo defaults to Root */
    assert_int_equal(c->alert_to.count, 1);
    assert_string_equal(c->alert_to.addr[0], "ops@example.com");
}

static void chk_mailhub_port(const struct config *c)
{
    assert_string_equal(c->mailhub, "smtp.gmail.com");
    assert_int_equal(c->port, 587);
}

static void chk_ipv6(const struct config *c)
{
    assert_string_equal(c->mailhub, "2001:db8::25");
    assert_true(c->mailhub_ipv6);
    assert_int_equal(c->port, 465);
}

static void chk_port_2525(const struct config *c)
{
    assert_int_equal(c->port, 2525);
}

static void chk_spaces_eq(const struct config *c)
{
    assert_string_equal(c->auth_user, "me@example.com");
    assert_string_equal(c->auth_pass, "a=b=c");
}

static void chk_quoted(const struct config *c)
{
    assert_string_equal(c->auth_pass, "pa ss\"wo\\rd # not a comment");
}

static void chk_hash_no_blank(const struct config *c)
{
    assert_string_equal(c->auth_pass, "abc#def");
}

static void chk_inline_comment(const struct config *c)
{
    assert_string_equal(c->auth_pass, "abc");
}

static void chk_single_quoted(const struct config *c)
{
    assert_string_equal(c->auth_pass, "'abc def'");
}

static void chk_tls_starttls(const struct config *c)
{
    assert_true(c->use_tls);
    assert_true(c->use_starttls);
}

static void chk_tls_off_clears_starttls(const struct config *c)
{
    assert_false(c->use_tls);
    assert_false(c->use_starttls);
}

static void chk_bools_true(const struct config *c)
{
    assert_true(c->from_line_override);
    assert_true(c->use_old_auth);
    assert_true(c->debug);
    assert_false(c->boot_mail);
    assert_true(c->heartbeat_mail);
    assert_int_equal(c->heartbeat_period_s, 6 * 3600);
}

static void chk_case_keys(const struct config *c)
{
    assert_string_equal(c->mailhub, "smtp.example.org");
    assert_true(c->from_line_override);
    assert_string_equal(c->rewrite_domain, "example.org");
}

static void chk_rewrite_at(const struct config *c)
{
    assert_string_equal(c->rewrite_domain, "example.net");
}

static void chk_root_local(const struct config *c)
{
    assert_string_equal(c->root, "postmaster");
    assert_string_equal(c->alert_to.addr[0], "postmaster@example.org");
}

static void chk_hostname_ok(const struct config *c)
{
    assert_string_equal(c->ehlo_name, "pi.example.com");
}

static void chk_hostname_spaces(const struct config *c)
{
    assert_string_equal(c->hostname, "MiniProjet SMTP Unix");
    assert_string_equal(c->ehlo_name, "MiniProjet");
}

static void chk_hostname_underscore(const struct config *c)
{
    assert_string_equal(c->ehlo_name, "my-pi");
}

static void chk_tls_cert(const struct config *c)
{
    assert_true(c->use_tls_cert);
    assert_string_equal(c->tls_cert, "client.pem");
    assert_string_equal(c->tls_key, "client.pem"); /* key in the certificate file, as in Debian's ssmtp */
    assert_string_equal(c->tls_ca_file, "ca.pem");
}

static void chk_tls_key(const struct config *c)
{
    assert_string_equal(c->tls_key, "client.key");
}

static void chk_auth(const struct config *c)
{
    assert_string_equal(c->auth_user, "me@example.com");
    assert_int_equal(c->auth_method, CONFIG_AUTH_CRAM_MD5);
}

static void chk_allow_clear(const struct config *c)
{
    assert_true(c->allow_auth_without_tls);
    assert_false(c->use_tls);
}

static void chk_auth_first(const struct config *c)
{
    assert_string_equal(c->auth_user, "first@example.com");
}

static void chk_xoauth(const struct config *c)
{
    assert_int_equal(c->auth_method, CONFIG_AUTH_XOAUTH2);
    assert_string_equal(c->auth_token, "ya29.token-value");
}

static void chk_headers(const struct config *c)
{
    assert_int_equal(c->header_count, 2);
    assert_string_equal(c->headers[0], "X-Sender: baremail");
    assert_string_equal(c->headers[1], "Reply-To: ops@example.com");
}

static void chk_static_ip(const struct config *c)
{
    assert_false(c->dhcp);
    assert_int_equal(c->ip, 0xC0A80132u);
    assert_int_equal(c->prefix_len, 24);
    assert_int_equal(c->gateway, 0xC0A80101u);
    assert_int_equal(c->dns_count, 3);
    assert_int_equal(c->dns[0], 0x01010101u);
    assert_int_equal(c->dns[1], 0x09090909u);
    assert_int_equal(c->dns[2], 0x08080808u);
}

static void chk_ntp(const struct config *c)
{
    assert_string_equal(c->ntp_server, "time.example.com");
}

static void chk_tls13(const struct config *c)
{
    assert_int_equal(c->tls_min_version, CONFIG_TLS_1_3);
}

static void chk_fp(const struct config *c)
{
    assert_true(c->has_fingerprint);
    assert_int_equal(c->fingerprint[0], 0xAB);
    assert_int_equal(c->fingerprint[31], 0x89);
}

static void chk_timeouts(const struct config *c)
{
    assert_int_equal(c->connect_timeout_ms, 10000);
    assert_int_equal(c->smtp_timeout_ms, 120000);
}

static void chk_alert_to(const struct config *c)
{
    assert_int_equal(c->alert_to.count, 2);
    assert_string_equal(c->alert_to.addr[0], "a@example.com");
    assert_string_equal(c->alert_to.addr[1], "b@example.com");
}

static void chk_no_boot_mail(const struct config *c)
{
    assert_int_equal(c->alert_to.count, 0);
    assert_false(c->boot_mail);
}

static void chk_to_auth_user(const struct config *c)
{
    assert_int_equal(c->alert_to.count, 1);
    assert_string_equal(c->alert_to.addr[0], "someone@gmail.com");
    assert_string_equal(c->root, "");
    assert_true(c->boot_mail);
}

static void chk_rate(const struct config *c)
{
    assert_int_equal(c->rate_limit.count, 3);
    assert_int_equal(c->rate_limit.period_s, 600);
}

static void chk_rate_none(const struct config *c)
{
    assert_int_equal(c->rate_limit.count, 0);
}

static void chk_alert_full(const struct config *c)
{
    const struct config_alert *a = config_find_alert(c, "door");

    assert_non_null(a);
    assert_int_equal(c->alert_count, 1);
    assert_int_equal(a->gpio, 17);
    assert_int_equal(a->edge, CONFIG_EDGE_RISING);
    assert_int_equal(a->pull, CONFIG_PULL_DOWN);
    assert_int_equal(a->debounce_ms, 200);
    assert_true(a->recovery);
    assert_string_equal(a->subject, "Door {state} on {host}");
    assert_string_equal(a->body, "The door (GPIO {gpio}) is open.\nTime: {time} # really");
    assert_int_equal(a->to.count, 1);
    assert_string_equal(a->to.addr[0], "guard@example.com");
    assert_int_equal(a->limit.count, 6);
    assert_int_equal(a->limit.period_s, 3600);
    assert_int_equal(a->line, 3);
}

static void chk_alert_defaults(const struct config *c)
{
    const struct config_alert *a = config_find_alert(c, "pump");

    assert_non_null(a);
    assert_int_equal(a->gpio, 4);
    assert_int_equal(a->edge, CONFIG_EDGE_FALLING);
    assert_int_equal(a->pull, CONFIG_PULL_UP);
    assert_int_equal(a->debounce_ms, 50);
    assert_false(a->recovery);
    assert_int_equal(a->to.count, 0);
    assert_string_equal(a->subject, "[{host}] {name} {state}");
    assert_null(config_find_alert(c, "door"));
}

static void chk_two_alerts(const struct config *c)
{
    assert_int_equal(c->alert_count, 2);
    assert_int_equal(c->alerts[1].pull, CONFIG_PULL_NONE);
    assert_int_equal(c->alerts[1].edge, CONFIG_EDGE_BOTH);
}

/* clang-format off */
static const struct conf_case conf_cases[] = {
	/* defaults and ssmtp keys */
	{ "minimal", CONFIG_HARNESS_BASE, true, { NULL }, 0, chk_defaults },
	{ "mailhub port", "MailHub=smtp.gmail.com:587\nRoot=ops@example.com\n", true, { NULL }, 0, chk_mailhub_port },
	{ "mailhub ipv6", "MailHub=[2001:db8::25]:465\nRoot=ops@example.com\nUseTLS=YES\nTLS_Fingerprint=" CONFIG_HARNESS_FP64 "\n",
	  true, { NULL }, 0, chk_ipv6 },
	{ "ipv6 without brackets", "MailHub=2001:db8::25\nRoot=a@example.com\n", false,
	  { "smtp.conf:1: MailHub: error: an IPv6 address must be written in brackets" }, 1, NULL },
	{ "bad ipv6", "MailHub=[zz::1]:25\nRoot=a@example.com\n", false, { "smtp.conf:1: MailHub: error: expected [IPv6" },
	  1, NULL },
	{ "mailhub bad host", "MailHub=smtp example.com\nRoot=a@example.com\n", false,
	  { "smtp.conf:1: MailHub: error: 'smtp example.com' is not a valid host name" }, 1, NULL },
	{ "mailhub empty", "MailHub=\nRoot=a@example.com\n", false, { "smtp.conf:1: MailHub: error: expected host[:port]" },
	  1, NULL },
	{ "mailhub missing", "Root=a@example.com\n", false, { "smtp.conf: MailHub: error: not set" }, 1, NULL },
	{ "remoteport", CONFIG_HARNESS_BASE "RemotePort=2525\n", true, { NULL }, 0, chk_port_2525 },
	{ "remoteport overrides mailhub port", "MailHub=mx.example.com:587\nRoot=a@example.com\nRemotePort=2525\n", true,
	  { "smtp.conf:3: RemotePort: warning: RemotePort=2525 overrides the port 587 given in MailHub (line 1)" }, 1,
	  chk_port_2525 },
	{ "mailhub port overrides remoteport", "RemotePort=587\nMailHub=mx.example.com:2525\nRoot=a@example.com\n", true,
	  { "smtp.conf:2: MailHub: warning: port 2525 overrides RemotePort=587 (line 1)" }, 1, chk_port_2525 },
	{ "port zero", CONFIG_HARNESS_BASE "RemotePort=0\n", false, { "smtp.conf:3: RemotePort: error: port out of range" }, 1, NULL },
	{ "port too big", "MailHub=mx.example.com:70000\nRoot=a@example.com\n", false,
	  { "smtp.conf:1: MailHub: error: port out of range: expected 1-65535, got 70000" }, 1, NULL },
	{ "port not a number", CONFIG_HARNESS_BASE "RemotePort=smtp\n", false, { "RemotePort: error: expected a port number 1-65535" }, 1,
	  NULL },
	{ "spaces around = and = in value", CONFIG_HARNESS_BASE "AuthUser = me@example.com\nAuthPass = a=b=c\nUseTLS = yes\n"
	  "UseSTARTTLS = yes\nTLS_Fingerprint = " CONFIG_HARNESS_FP64 "\n",
	  true, { NULL }, 0, chk_spaces_eq },
	{ "quoted password", CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass=\"pa ss\\\"wo\\\\rd # not a comment\"  # comment\n"
	  "UseSTARTTLS=YES\nTLS_Fingerprint=" CONFIG_HARNESS_FP64 "\n",
	  true, { NULL }, 0, chk_quoted },
	{ "hash without blank is data", CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass=abc#def\nUseSTARTTLS=YES\n"
	  "TLS_Fingerprint=" CONFIG_HARNESS_FP64 "\n",
	  true, { NULL }, 0, chk_hash_no_blank },
	/* The cut password is masked everywhere: the warning names the column, never the text. */
	{ "inline comment after blank", CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass=abc   # the password\n"
	  "UseSTARTTLS=YES\nTLS_Fingerprint=" CONFIG_HARNESS_FP64 "\n",
	  true,
	  { "smtp.conf:4: AuthPass: warning: the password ends before column 16: a '#' after a blank starts a comment",
	    "put it in double quotes: AuthPass=\"...\"" },
	  1, chk_inline_comment },
	{ "comment after a quoted password", CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass=\"abc #def\"  # gmail\n"
	  "UseSTARTTLS=YES\n",
	  true, { NULL }, 0, NULL },
	{ "single-quoted value", CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass='abc def'\nUseSTARTTLS=YES\n", true,
	  { "smtp.conf:4: AuthPass: warning: the single quotes are part of the value (as in ssmtp); only double quotes "
	    "quote a value: AuthPass=\"...\"" },
	  1, chk_single_quoted },
	{ "single-quoted host", CONFIG_HARNESS_BASE "HostName='pi.example.com'\n", true,
	  { "HostName: warning: the single quotes are part of the value", "HostName: warning: ''pi.example.com'' is not" },
	  2, NULL },
	{ "unterminated quote", CONFIG_HARNESS_BASE "AuthPass=\"abc\n", false, { "smtp.conf:3: AuthPass: error: missing closing '\"'" },
	  1, NULL },
	{ "text after quote", CONFIG_HARNESS_BASE "HostName=\"a\"b\n", false, { "smtp.conf:3: HostName: error: unexpected text after" },
	  1, NULL },
	{ "bad escape", CONFIG_HARNESS_BASE "HostName=\"a\\qb\"\n", false, { "HostName: error: unknown escape '\\q'" }, 1, NULL },
	{ "newline escape outside body", CONFIG_HARNESS_BASE "HostName=\"a\\nb\"\n", false,
	  { "HostName: error: a line break (\\n) is allowed only in an alert body" }, 1, NULL },
	{ "control character", CONFIG_HARNESS_BASE "HostName=a\x01z\n", false, { "HostName: error: control character (code 1)" }, 1,
	  NULL },
	{ "keys are case-insensitive", "MAILHUB=smtp.example.org\nroot=a@example.com\nfromlineoverride=Yes\n"
	  "REWRITEDOMAIN=example.org\n",
	  true, { NULL }, 0, chk_case_keys },
	{ "starttls implies tls", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_Fingerprint=" CONFIG_HARNESS_FP64 "\n", true, { NULL }, 0,
	  chk_tls_starttls },
	{ "usetls=no clears starttls", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nUseTLS=NO\n", true, { NULL }, 0,
	  chk_tls_off_clears_starttls },
	{ "booleans in all spellings", CONFIG_HARNESS_BASE "FromLineOverride=true\nUseOldAUTH=1\nDebug=YES\nBootMail=no\n"
	  "HeartbeatMail=on\nHeartbeatPeriod=6h\n",
	  true, { NULL }, 0, chk_bools_true },
	{ "bad boolean", CONFIG_HARNESS_BASE "UseTLS=maybe\n", false,
	  { "smtp.conf:3: UseTLS: error: expected YES or NO (or yes/no, true/false, 1/0), got 'maybe'" }, 1, NULL },
	{ "empty boolean", CONFIG_HARNESS_BASE "Debug=\n", false, { "Debug: error: expected YES or NO" }, 1, NULL },
	{ "rewritedomain with @", CONFIG_HARNESS_BASE "RewriteDomain=user@example.net\n", true,
	  { "smtp.conf:3: RewriteDomain: warning: 'user@example.net' is an address, not a domain" }, 1,
	  chk_rewrite_at },
	{ "rewritedomain bad", CONFIG_HARNESS_BASE "RewriteDomain=exa mple\n", false, { "RewriteDomain: error: expected a domain" }, 1,
	  NULL },
	{ "root local name gets domain", "MailHub=mx.example.com\nRoot=postmaster\nRewriteDomain=example.org\n", true,
	  { NULL }, 0, chk_root_local },
	{ "root bad", "MailHub=mx.example.com\nRoot=a b@example.com\n", false,
	  { "Root: error: expected a mail address", "AlertTo: warning: no recipient" }, 2, NULL },
	{ "hostname valid", CONFIG_HARNESS_BASE "HostName=pi.example.com\n", true, { NULL }, 0, chk_hostname_ok },
	{ "hostname with spaces", CONFIG_HARNESS_BASE "hostname=MiniProjet SMTP Unix\n", true,
	  { "smtp.conf:3: HostName: warning: 'MiniProjet SMTP Unix' contains spaces", "EHLO MiniProjet" }, 1,
	  chk_hostname_spaces },
	{ "hostname bad chars", CONFIG_HARNESS_BASE "HostName=my_pi\n", true,
	  { "HostName: warning: 'my_pi' is not a valid host name", "EHLO my-pi" }, 1, chk_hostname_underscore },
	{ "tls client cert", CONFIG_HARNESS_BASE "UseTLS=YES\nUseSTARTTLS=YES\nUseTLSCert=YES\nTLSCert=client.pem\nTLS_CA_File=ca.pem\n",
	  true, { NULL }, 0, chk_tls_cert },
	{ "tls key separate", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nUseTLSCert=YES\nTLSCert=c.pem\nTLSKey=client.key\n"
	  "TLS_CA_File=ca.pem\n",
	  true, { NULL }, 0, chk_tls_key },
	{ "tls cert missing", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nUseTLSCert=YES\nTLS_CA_File=ca.pem\n", false,
	  { "smtp.conf:4: UseTLSCert: error: UseTLSCert=YES needs TLSCert" }, 1, NULL },
	{ "tls cert unused", CONFIG_HARNESS_BASE "TLSCert=c.pem\n", true, { "smtp.conf:3: TLSCert: warning: ignored unless UseTLSCert=YES" },
	  1, NULL },
	{ "tls ca dir unsupported", CONFIG_HARNESS_BASE "TLS_CA_Dir=/etc/ssl/certs\n", true,
	  { "smtp.conf:3: TLS_CA_Dir: warning: not supported on the device" }, 1, NULL },
	{ "ca file with tls off", CONFIG_HARNESS_BASE "TLS_CA_File=ca.pem\n", true, { "TLS_CA_File: warning: ignored: UseTLS=NO" }, 1,
	  NULL },
	{ "tls with the built-in ca bundle", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\n", true, { NULL }, 0, NULL },
	/* A port and a TLS mode both written are followed without a warning; the default port is not a choice. */
	{ "starttls on 465 as written", "MailHub=mx.example.com:465\nRoot=a@example.com\nUseSTARTTLS=YES\n"
	  "TLS_CA_File=ca.pem\n",
	  true, { NULL }, 0, NULL },
	{ "direct tls on 587 as written", "MailHub=mx.example.com:587\nRoot=a@example.com\nUseTLS=true\n"
	  "TLS_CA_File=ca.pem\n",
	  true, { NULL }, 0, NULL },
	{ "direct tls on remoteport 587", CONFIG_HARNESS_BASE "RemotePort=587\nUseTLS=YES\n", true, { NULL }, 0, NULL },
	{ "direct tls on the default port", CONFIG_HARNESS_BASE "UseTLS=YES\n", true,
	  { "smtp.conf:3: UseTLS: warning: no port given, so TLS from the first byte goes to port 25; that is normally "
	    "port 465" },
	  1, NULL },
	{ "auth", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_CA_File=ca.pem\nAuthUser=me@example.com\nAuthPass=x\nAuthMethod=cram-md5\n",
	  true, { NULL }, 0, chk_auth },
	{ "auth method bad", CONFIG_HARNESS_BASE "AuthMethod=DIGEST\n", false,
	  { "AuthMethod: error: expected LOGIN, PLAIN, CRAM-MD5 or XOAUTH2, got 'DIGEST'" }, 1, NULL },
	{ "auth without tls", CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass=x\n", false,
	  { "smtp.conf:3: AuthUser: error: TLS is off (UseTLS=NO), so the password would go in clear text, which "
	    "baremail refuses: set UseSTARTTLS=YES (port 587) or UseTLS=YES (port 465); only for a relay on a network "
	    "you trust, AllowAuthWithoutTLS=YES" },
	  1, NULL },
	{ "token without tls", CONFIG_HARNESS_BASE "UseTLS=NO\nAuthUser=me@example.com\nAuthToken=ya29.t\n", false,
	  { "smtp.conf:4: AuthUser: error: TLS is off (UseTLS=NO), so the token would go in clear text" }, 1, NULL },
	{ "auth without tls allowed", CONFIG_HARNESS_BASE "AuthUser=me@example.com\nAuthPass=x\nAllowAuthWithoutTLS=YES\n", true,
	  { NULL }, 0, chk_allow_clear },
	{ "authpass without authuser", CONFIG_HARNESS_BASE "AuthPass=secret\n", true,
	  { "smtp.conf:3: AuthPass: warning: AuthPass is set but AuthUser is not" }, 1, NULL },
	{ "authuser without authpass", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_CA_File=ca.pem\nAuthUser=me@example.com\nAuthPass=\n",
	  false, { "smtp.conf:6: AuthPass: error: AuthUser is set but AuthPass is empty" }, 1, NULL },
	{ "auth keys: first wins as in ssmtp", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_CA_File=ca.pem\nAuthUser=first@example.com\n"
	  "AuthUser=second@example.com\nAuthPass=x\n",
	  true, { "smtp.conf:6: AuthUser: warning: set again (first on line 5); as in ssmtp, the first" }, 1,
	  chk_auth_first },
	{ "other keys: last wins", CONFIG_HARNESS_BASE "RemotePort=2600\nRemotePort=2525\n", true,
	  { "smtp.conf:4: RemotePort: warning: set again (first on line 3); the last value is used" }, 1,
	  chk_port_2525 },
	{ "xoauth2 from token", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_CA_File=ca.pem\nAuthUser=me@example.com\n"
	  "AuthToken=ya29.token-value\n",
	  true, { NULL }, 0, chk_xoauth },
	{ "xoauth2 without token", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_CA_File=ca.pem\nAuthUser=me@example.com\n"
	  "AuthMethod=XOAUTH2\n",
	  false, { "smtp.conf:6: AuthMethod: error: AuthMethod=XOAUTH2 needs AuthToken" }, 1, NULL },
	{ "token without user", CONFIG_HARNESS_BASE "AuthToken=abc\n", false, { "smtp.conf:3: AuthToken: error: XOAUTH2 needs the account" },
	  1, NULL },
	{ "token with spaces", CONFIG_HARNESS_BASE "AuthToken=Bearer abc\n", false, { "AuthToken: error: a bearer token has no spaces" },
	  1, NULL },
	{ "token ignored with login", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_CA_File=ca.pem\nAuthUser=me@example.com\n"
	  "AuthPass=x\nAuthMethod=LOGIN\nAuthToken=t\n",
	  true, { "AuthToken: warning: ignored: AuthMethod is not XOAUTH2" }, 1, NULL },
	{ "add header", CONFIG_HARNESS_BASE "AddHeader=X-Sender: baremail\nAddHeader=Reply-To: ops@example.com\n", true, { NULL }, 0,
	  chk_headers },
	{ "add header bad", CONFIG_HARNESS_BASE "AddHeader=no colon here\n", false, { "AddHeader: error: expected 'Name: value'" }, 1,
	  NULL },
	/* firmware keys */
	{ "static ip", CONFIG_HARNESS_BASE "IP=192.168.1.50/24\nGateway=192.168.1.1\nDNS=1.1.1.1, 9.9.9.9\nDNS=8.8.8.8\n", true, { NULL },
	  0, chk_static_ip },
	{ "ip without prefix", CONFIG_HARNESS_BASE "IP=192.168.1.50\n", false, { "smtp.conf:3: IP: error: expected dhcp or a.b.c.d/nn" },
	  1, NULL },
	{ "ip bad octet", CONFIG_HARNESS_BASE "IP=192.168.1.300/24\n", false, { "IP: error: expected dhcp or a.b.c.d/nn" }, 1, NULL },
	{ "static ip without gateway", CONFIG_HARNESS_BASE "IP=10.0.0.5/8\nDNS=10.0.0.1\n", true,
	  { "smtp.conf:3: IP: warning: static address without Gateway" }, 1, NULL },
	{ "gateway outside subnet", CONFIG_HARNESS_BASE "IP=10.0.0.5/24\nGateway=10.0.1.1\nDNS=10.0.0.1\n", true,
	  { "smtp.conf:4: Gateway: warning: not in the network of IP=10.0.0.5/24" }, 1, NULL },
	{ "gateway with dhcp", CONFIG_HARNESS_BASE "Gateway=10.0.0.1\n", true, { "Gateway: warning: ignored with IP=dhcp" }, 1, NULL },
	{ "static ip needs dns", CONFIG_HARNESS_BASE "IP=10.0.0.5/24\nGateway=10.0.0.1\n", false,
	  { "smtp.conf:3: DNS: error: a static IP needs DNS servers to resolve MailHub mx.example.com" }, 1, NULL },
	{ "bad gateway", CONFIG_HARNESS_BASE "Gateway=10.0.0\n", false, { "Gateway: error: expected an IPv4 address" }, 1, NULL },
	{ "bad dns", CONFIG_HARNESS_BASE "DNS=1.1.1.1, dns.google\n", false, { "DNS: error: expected IPv4 addresses" }, 1, NULL },
	{ "too many dns", CONFIG_HARNESS_BASE "DNS=1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4\n", false, { "DNS: error: too many DNS servers" }, 1,
	  NULL },
	{ "ntp server", CONFIG_HARNESS_BASE "NTPServer=time.example.com\n", true, { NULL }, 0, chk_ntp },
	{ "ntp server bad", CONFIG_HARNESS_BASE "NTPServer=\n", false, { "NTPServer: error: expected a host name" }, 1, NULL },
	{ "tls 1.3", CONFIG_HARNESS_BASE "TLS_MinVersion=TLSv1.3\n", true, { NULL }, 0, chk_tls13 },
	{ "tls 1.0 refused", CONFIG_HARNESS_BASE "TLS_MinVersion=1.0\n", false, { "TLS_MinVersion: error: expected 1.2 or 1.3" }, 1, NULL },
	{ "fingerprint", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_Fingerprint=" CONFIG_HARNESS_FP64 "\n", true, { NULL }, 0, chk_fp },
	{ "fingerprint without colons", CONFIG_HARNESS_BASE "UseSTARTTLS=YES\nTLS_Fingerprint="
	  "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\n",
	  true, { NULL }, 0, chk_fp },
	{ "fingerprint sha1", CONFIG_HARNESS_BASE "TLS_Fingerprint=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01\n", false,
	  { "TLS_Fingerprint: error: this is a SHA-1 fingerprint; only SHA-256" }, 1, NULL },
	{ "fingerprint garbage", CONFIG_HARNESS_BASE "TLS_Fingerprint=AB:CD:XY\n", false,
	  { "TLS_Fingerprint: error: expected a SHA-256 fingerprint" }, 1, NULL },
	{ "timeouts", CONFIG_HARNESS_BASE "ConnectTimeout=10\nSMTPTimeout=2m\n", true, { NULL }, 0, chk_timeouts },
	{ "timeout out of range", CONFIG_HARNESS_BASE "ConnectTimeout=500ms\n", false, { "ConnectTimeout: error: '500ms' is out of range" },
	  1, NULL },
	{ "timeout bad unit", CONFIG_HARNESS_BASE "SMTPTimeout=5 weeks\n", false, { "SMTPTimeout: error: unknown unit ' weeks'" }, 1, NULL },
	{ "alert to", CONFIG_HARNESS_BASE "AlertTo=a@example.com, b@example.com\n", true, { NULL }, 0, chk_alert_to },
	{ "alert to bad", CONFIG_HARNESS_BASE "AlertTo=a@example.com,,b@example.com\n", false, { "AlertTo: error: empty address" }, 1,
	  NULL },
	/* Only the default boot mail lacks a recipient: the file still sends with `sendmail`. */
	{ "no recipient", "MailHub=mx.example.com\n", true,
	  { "smtp.conf: AlertTo: warning: no recipient (no AlertTo, Root, root in revaliases, nor an address in "
	    "AuthUser), so no boot mail" },
	  1, chk_no_boot_mail },
	{ "no recipient for boot mail asked for", "MailHub=mx.example.com\nBootMail=YES\n", false,
	  { "smtp.conf: AlertTo: error: no recipient for alert, boot or heartbeat mail" }, 1, NULL },
	{ "no recipient for heartbeat", "MailHub=mx.example.com\nBootMail=NO\nHeartbeatMail=YES\n", false,
	  { "AlertTo: error: no recipient" }, 1, NULL },
	{ "no recipient needed", "MailHub=mx.example.com\nBootMail=NO\n", true, { NULL }, 0, NULL },
	{ "recipient from authuser", "MailHub=smtp.gmail.com:587\nUseSTARTTLS=YES\nAuthUser=someone@gmail.com\n"
	  "AuthPass=x\n",
	  true, { NULL }, 0, chk_to_auth_user },
	{ "authuser that is no address", "MailHub=mx.example.com:587\nUseSTARTTLS=YES\nAuthUser=someone\nAuthPass=x\n",
	  true, { "AlertTo: warning: no recipient" }, 1, chk_no_boot_mail },
	{ "rate limit", CONFIG_HARNESS_BASE "RateLimit=3/10m\n", true, { NULL }, 0, chk_rate },
	{ "rate limit none", CONFIG_HARNESS_BASE "RateLimit=none\n", true, { NULL }, 0, chk_rate_none },
	{ "rate limit bad", CONFIG_HARNESS_BASE "RateLimit=lots\n", false, { "RateLimit: error: expected N/period" }, 1, NULL },
	{ "rate limit bad period", CONFIG_HARNESS_BASE "RateLimit=5/fortnight\n", false, { "RateLimit: error: unknown period 'fortnight'" },
	  1, NULL },
	{ "heartbeat too short", CONFIG_HARNESS_BASE "HeartbeatMail=YES\nHeartbeatPeriod=30s\n", false,
	  { "HeartbeatPeriod: error: '30s' is out of range" }, 1, NULL },
	{ "heartbeat period unused", CONFIG_HARNESS_BASE "HeartbeatPeriod=1h\n", true,
	  { "smtp.conf:3: HeartbeatPeriod: warning: ignored: HeartbeatMail=NO" }, 1, NULL },
	/* alerts */
	{ "alert all fields", CONFIG_HARNESS_BASE "Alert = door: gpio=17 edge=rising pull=down debounce=200ms recovery=yes "
	  "subject=\"Door {state} on {host}\" body=\"The door (GPIO {gpio}) is open.\\nTime: {time} # really\" "
	  "to=guard@example.com limit=6/hour  # front door\n",
	  true, { NULL }, 0, chk_alert_full },
	{ "alert defaults", CONFIG_HARNESS_BASE "Alert=pump: gpio=4\n", true, { NULL }, 0, chk_alert_defaults },
	{ "two alerts", CONFIG_HARNESS_BASE "Alert=pump: gpio=4\nAlert=tank: gpio=5 pull=none edge=both\n", true, { NULL }, 0,
	  chk_two_alerts },
	{ "duplicate pin", CONFIG_HARNESS_BASE "Alert=pump: gpio=4\nAlert=tank: gpio=4\n", false,
	  { "smtp.conf:4: Alert: error: tank: duplicate pin: GPIO 4 is already watched by 'pump' (line 3)" }, 1, NULL },
	{ "duplicate name", CONFIG_HARNESS_BASE "Alert=pump: gpio=4\nAlert=Pump: gpio=5\n", false,
	  { "smtp.conf:4: Alert: error: duplicate alert name 'Pump' (already defined on line 3)" }, 1, NULL },
	{ "alert no gpio", CONFIG_HARNESS_BASE "Alert=pump: edge=both\n", false, { "Alert: error: pump: missing gpio=N" }, 1, NULL },
	/* Which BCM GPIOs are legal is the board's answer (test_alert_gpio_check); the parser checks the number. */
	{ "alert console pin is the board's", CONFIG_HARNESS_BASE "Alert=pump: gpio=14\n", true, { NULL }, 0, NULL },
	{ "alert gpio range", CONFIG_HARNESS_BASE "Alert=pump: gpio=54\n", false,
	  { "Alert: error: pump: gpio: expected a BCM GPIO number 0-53, got '54'" },
	  1, NULL },
	{ "alert bad edge", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 edge=up\n", false,
	  { "Alert: error: pump: edge: expected falling, rising or both, got 'up'" }, 1, NULL },
	{ "alert bad pull", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 pull=high\n", false, { "pump: pull: expected up, down or none" }, 1,
	  NULL },
	{ "alert unknown field", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 debounse=10ms\n", false,
	  { "pump: unknown field 'debounse' (did you mean debounce?)" }, 1, NULL },
	{ "alert field twice", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 gpio=5\n", false, { "pump: field 'gpio' given twice" }, 1, NULL },
	{ "alert no name", CONFIG_HARNESS_BASE "Alert=gpio=4\n", false, { "Alert: error: expected 'NAME: gpio=N" }, 1, NULL },
	{ "alert bad name", CONFIG_HARNESS_BASE "Alert=4door: gpio=4\n", false, { "Alert: error: expected 'NAME: gpio=N ...' where NAME" },
	  1, NULL },
	{ "alert root name", CONFIG_HARNESS_BASE "Alert=root: gpio=4\n", false, { "'root' is the system account" }, 1, NULL },
	{ "alert bad placeholder", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 subject=\"{nam} is {state}\"\n", false,
	  { "Alert: error: subject: unknown placeholder near '{nam}" }, 1, NULL },
	{ "alert literal brace", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 body=\"{{literal}} {name}\"\n", true, { NULL }, 0, NULL },
	{ "alert subject one line", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 subject=\"a\\nb\"\n", false,
	  { "pump: subject: a line break (\\n) is allowed only in body" }, 1, NULL },
	{ "alert debounce range", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 debounce=2m\n", false, { "'2m' is out of range" }, 1, NULL },
	{ "alert recovery with both", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 edge=both recovery=yes\n", true,
	  { "Alert: warning: pump: recovery=yes has no effect with edge=both" }, 1, NULL },
	{ "alert missing field value", CONFIG_HARNESS_BASE "Alert=pump: gpio=4 junk\n", false, { "pump: expected field=value at 'junk'" }, 1,
	  NULL },
	{ "alert to without alertto", "MailHub=mx.example.com\nBootMail=no\nAlert=pump: gpio=4 to=a@example.com\n", true,
	  { NULL }, 0, NULL },
	{ "alert without any recipient", "MailHub=mx.example.com\nBootMail=no\nAlert=pump: gpio=4\n", false,
	  { "AlertTo: error: no recipient" }, 1, NULL },
	/* syntax */
	{ "unknown key with suggestion", "MailHubb=smtp.gmail.com:587\nRoot=a@example.com\n", false,
	  { "smtp.conf:1: MailHubb: error: unknown key; did you mean MailHub?", "MailHub: error: not set" }, 2, NULL },
	{ "unknown key far from any", CONFIG_HARNESS_BASE "Frobnicate=1\n", true,
	  { "smtp.conf:3: Frobnicate: warning: unknown key, ignored, as ssmtp does (docs/config.md lists the keys)" }, 1,
	  NULL },
	{ "unknown key from a real ssmtp.conf", CONFIG_HARNESS_BASE "SERVER=someone@gmail.com\n", true,
	  { "smtp.conf:3: SERVER: warning: unknown key, ignored, as ssmtp does" }, 1, NULL },
	{ "typo in a short key", CONFIG_HARNESS_BASE "IPP=dhcp\n", false, { "smtp.conf:3: IPP: error: unknown key; did you mean IP?" }, 1,
	  NULL },
	{ "typo in firmware key", CONFIG_HARNESS_BASE "HeartBeatPeriode=1h\n", false, { "did you mean HeartbeatPeriod?" }, 1, NULL },
	{ "no equals sign", CONFIG_HARNESS_BASE "MailHub smtp.example.com\n", false,
	  { "smtp.conf:3: MailHub: error: expected '=' after the key name" }, 1, NULL },
	{ "no key", CONFIG_HARNESS_BASE "=value\n", false, { "smtp.conf:3: error: expected Key=Value" }, 1, NULL },
	{ "very long key", CONFIG_HARNESS_BASE "ThisKeyNameIsFarTooLongToBeAnyKnownKeyAtAll=1\n", true,
	  { "smtp.conf:3: warning: unknown key 'ThisKeyNameIsFarTooLongToBeAnyKnownKeyAt...', ignored, as ssmtp does" },
	  1, NULL },
	{ "comments and blank lines", "# comment\n\n   # indented comment\n\t\n" CONFIG_HARNESS_BASE, true, { NULL }, 0, NULL },
};
/* clang-format on */

static void test_conf_table(void **state)
{
    size_t i;
    unsigned failures = 0;

    (void)state;
    for (i = 0; i < sizeof(conf_cases) / sizeof(conf_cases[0]); i++) {
        const struct conf_case *c = &conf_cases[i];
        int rc = config_harness_parse(c->text);
        bool ok = (rc == 0) == c->usable && config_harness_diags.count == c->diag_count;
        unsigned k;

        for (k = 0; k < 3 && c->expect[k] != NULL; k++) {
            if (!config_harness_has_diag(c->expect[k])) {
                print_message("case '%s': missing diagnostic '%s'\n", c->name, c->expect[k]);
                ok = false;
            }
        }
        if (!ok) {
            print_message("case '%s': rc=%d (want %s), %u diagnostics (want %u)\n", c->name, rc,
                          c->usable ? "usable" : "errors", config_harness_diags.count, c->diag_count);
            config_harness_print_diags();
            failures++;
            continue;
        }
        if (c->check != NULL) {
            c->check(&config_harness_cfg);
        }
    }
    assert_int_equal(failures, 0);
}

/* ---- the seed's ssmtp.conf (tests/unit/fakes/ssmtp_seed.h) ---- */

static void check_seed(void)
{
    assert_string_equal(config_harness_cfg.root, "alerts@example.com");
    assert_string_equal(config_harness_cfg.mailhub, "smtp.gmail.com");
    assert_int_equal(config_harness_cfg.port, 587);
    assert_string_equal(config_harness_cfg.auth_user, "alerts@example.com");
    assert_string_equal(config_harness_cfg.auth_pass, "abcd efgh ijkl mnop");
    assert_true(config_harness_cfg.use_tls);
    assert_true(config_harness_cfg.use_starttls);
    assert_string_equal(config_harness_cfg.rewrite_domain, "gmail.com");
    assert_string_equal(config_harness_cfg.hostname, "MiniProjet SMTP Unix");
    assert_string_equal(config_harness_cfg.ehlo_name, "MiniProjet");
    assert_true(config_harness_cfg.from_line_override);
    assert_string_equal(config_harness_cfg.alert_to.addr[0], "alerts@example.com");
    assert_true(config_harness_has_diag("smtp.conf:24: HostName: warning: 'MiniProjet SMTP Unix' contains spaces"));
}

static void test_seed_conf(void **state)
{
    (void)state;
    assert_int_equal(config_harness_parse(ssmtp_seed_conf), 0);
    assert_int_equal(config_harness_cfg.error_count, 0);
    check_seed();
}

/* Windows editors: CRLF, a byte-order mark, and no newline at the end. ssmtp lost such a last line. */
static void test_seed_conf_windows(void **state)
{
    static char text[sizeof(ssmtp_seed_conf) * 2 + 8];
    size_t i, n = 0;

    (void)state;
    memcpy(text, "\xEF\xBB\xBF", 3);
    n = 3;
    for (i = 0; ssmtp_seed_conf[i] != '\0'; i++) {
        if (ssmtp_seed_conf[i] == '\n') {
            text[n++] = '\r';
        }
        text[n++] = ssmtp_seed_conf[i];
    }
    n -= 2; /* drop the final CRLF: FromLineOverride=YES must still count */
    assert_int_equal(config_harness_parse_text(text, n), 0);
    check_seed();
}

static void test_seed_empty_password(void **state)
{
    (void)state;
    assert_int_equal(config_harness_parse(config_harness_seed_edited("AuthPass=abcd efgh ijkl mnop", "AuthPass=")),
                     CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("smtp.conf:15: AuthPass: error: AuthUser is set but AuthPass is empty"));
}

static void test_misspelt_mailhub(void **state)
{
    (void)state;
    assert_int_equal(config_harness_parse(config_harness_seed_edited("mailhub=", "MailHubb=")), CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("smtp.conf:11: MailHubb: error: unknown key; did you mean MailHub?"));
}

/* ---- limits ---- */

static void test_long_line(void **state)
{
    static char text[CONFIG_LINE_MAX + 64];
    size_t n;

    (void)state;
    n = (size_t)snprintf(text, sizeof(text), CONFIG_HARNESS_BASE "AuthPass=");
    memset(text + n, 'x', CONFIG_LINE_MAX);
    text[n + CONFIG_LINE_MAX] = '\n';
    assert_int_equal(config_harness_parse_text(text, n + CONFIG_LINE_MAX + 1), CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("smtp.conf:3: AuthPass: error: line too long"));
    assert_false(config_harness_has_diag("xxxx"));
}

static void test_value_too_long(void **state)
{
    static char text[1024];
    size_t n;

    (void)state;
    n = (size_t)snprintf(text, sizeof(text), CONFIG_HARNESS_BASE "AuthUser=");
    memset(text + n, 'u', CONFIG_TEXT_MAX + 1);
    text[n + CONFIG_TEXT_MAX + 1] = '\n';
    assert_int_equal(config_harness_parse_text(text, n + CONFIG_TEXT_MAX + 2), CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("smtp.conf:3: AuthUser: error: value too long (256 characters; at most 255)"));
}

static void test_too_many_alerts(void **state)
{
    static char text[8192];
    size_t n;
    unsigned i;

    (void)state;
    n = (size_t)snprintf(text, sizeof(text), CONFIG_HARNESS_BASE);
    for (i = 0; i <= CONFIG_ALERTS_MAX; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "Alert=in%u: gpio=%u\n", i, i < 14 ? i : i + 2);
    }
    assert_int_equal(config_harness_parse_text(text, n), CONFIG_ERR_INVALID);
    assert_int_equal(config_harness_cfg.alert_count, CONFIG_ALERTS_MAX);
    assert_true(config_harness_has_diag("Alert: error: too many Alert lines (at most 16)"));
}

static void test_too_many_headers(void **state)
{
    static char text[4096];
    size_t n;
    unsigned i;

    (void)state;
    n = (size_t)snprintf(text, sizeof(text), CONFIG_HARNESS_BASE);
    for (i = 0; i <= CONFIG_HEADERS_MAX; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "AddHeader=X-H%u: v\n", i);
    }
    assert_int_equal(config_harness_parse_text(text, n), CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("AddHeader: error: too many AddHeader lines"));
}

static void test_too_many_recipients(void **state)
{
    (void)state;
    assert_int_equal(
        config_harness_parse(CONFIG_HARNESS_BASE
                             "AlertTo=a@x.org,b@x.org,c@x.org,d@x.org,e@x.org,f@x.org,g@x.org,h@x.org,i@x.org\n"),
        CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("AlertTo: error: too many recipients (at most 8)"));
}

static void test_binary_input(void **state)
{
    static const char nul[] = CONFIG_HARNESS_BASE "Debug=YES\0junk\n";
    static const char utf16[] = "\xFF\xFEM\0a\0";

    (void)state;
    assert_int_equal(config_harness_parse_text(nul, sizeof(nul) - 1), CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("smtp.conf:3: Debug: error: NUL byte in the line"));
    assert_int_equal(config_harness_parse_text(utf16, sizeof(utf16) - 1), CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("smtp.conf:1: error: the file is UTF-16"));
    /* Its keys are unread, not missing: no "MailHub not set" nor "no recipient" after it. */
    assert_int_equal(config_harness_diags.count, 1);
}

static void test_empty_input(void **state)
{
    (void)state;
    assert_int_equal(config_harness_parse_text(NULL, 0), CONFIG_ERR_INVALID);
    assert_true(config_harness_has_diag("MailHub: error: not set"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_table),        cmocka_unit_test(test_seed_conf),
        cmocka_unit_test(test_seed_conf_windows), cmocka_unit_test(test_seed_empty_password),
        cmocka_unit_test(test_misspelt_mailhub),  cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_value_too_long),    cmocka_unit_test(test_too_many_alerts),
        cmocka_unit_test(test_too_many_headers),  cmocka_unit_test(test_too_many_recipients),
        cmocka_unit_test(test_binary_input),      cmocka_unit_test(test_empty_input),
    };

    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
