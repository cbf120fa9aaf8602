/*
 * config - smtp.conf and revaliases parser (see config.h for the contract, docs/config.md for the keys).
 *
 * ssmtp 2.64 split each line with strtok-like calls on "= \t\n" after cutting it at the first '#'. That is why
 * "key = value" gave an empty value, a value was cut at its first space or '=', a password could not contain
 * '#', and the last line was lost without a newline. This parser reads a line as: optional blanks, a key, optional
 * blanks, '=', optional blanks, then a value that is either a double-quoted string or everything up to an
 * inline comment (a '#' preceded by a blank) with trailing blanks removed. The meaning of each key stays ssmtp's.
 *
 * This file holds the key table, the handler of each key and the line reader; config_parse.h lists the other
 * parts (values, Alert lines, revaliases, the checks across keys, formatting).
 */
#include "config/config_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KEY_FIRST_WINS 0x2u /* ssmtp kept the first AuthUser/AuthPass/AuthMethod, ignoring later ones */
#define KEY_REPEAT     0x4u /* may appear on several lines, each adds */

struct key_def {
    const char *name;
    int (*set)(struct parser *p, const char *v);
    unsigned flags;
};

/* ---- diagnostics ---- */

static void vreport(struct parser *p, enum config_severity sev, unsigned line, const char *key, const char *fmt,
                    va_list ap)
{
    char msg[CONFIG_MSG_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (sev == CONFIG_SEVERITY_ERROR) {
        p->errors++;
        p->cfg->error_count++;
    } else {
        p->cfg->warning_count++;
    }
    if (p->fn != NULL) {
        struct config_diag d = { sev, p->file, line, key, msg };
        p->fn(p->ctx, &d);
    }
}

/* A diagnostic about another line or key than the one being parsed (used by the checks across keys). */
void config_report(struct parser *p, enum config_severity sev, unsigned line, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(p, sev, line, key, fmt, ap);
    va_end(ap);
}

/* An error on the current line and key; returns -1 so that handlers can `return config_fail(...)`. */
int config_fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(p, CONFIG_SEVERITY_ERROR, p->line, p->key, fmt, ap);
    va_end(ap);
    return -1;
}

void config_warn(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(p, CONFIG_SEVERITY_WARNING, p->line, p->key, fmt, ap);
    va_end(ap);
}

/* ---- quoting ---- */

/*
 * s[0] is '"'. Unescape into out (size CONFIG_LINE_MAX + 1 is always enough) and return the index just after
 * the closing quote, or 0 after reporting an error. Escapes: \" \\ \n \t.
 */
size_t config_unquote(struct parser *p, const char *s, size_t n, char *out)
{
    size_t i = 1, o = 0;

    while (i < n && s[i] != '"') {
        char c = s[i++];
        if (c == '\\') {
            if (i == n) {
                break;
            }
            c = s[i++];
            switch (c) {
            case '"':
            case '\\': break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            default:
                config_fail(p, "unknown escape '\\%c' in quotes: only \\\" \\\\ \\n and \\t are allowed", c);
                return 0;
            }
        }
        out[o++] = c;
    }
    if (i >= n) {
        config_fail(p, "missing closing '\"'");
        return 0;
    }
    out[o] = '\0';
    return i + 1;
}

/* Where an unquoted value ends: before a '#' that follows a blank (or starts the value after blanks). */
size_t config_comment_start(const char *s, size_t n, bool blank_before, bool quote_aware)
{
    bool in_quotes = false;
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (in_quotes) {
            if (c == '\\' && i + 1 < n) {
                i++;
            } else if (c == '"') {
                in_quotes = false;
            }
        } else if (quote_aware && c == '"') {
            in_quotes = true;
        } else if (c == '#' && (i == 0 ? blank_before : is_blank(s[i - 1]))) {
            return i;
        }
    }
    return n;
}

/* ---- key handlers (ssmtp keys first, in ssmtp's order) ---- */

static int set_root(struct parser *p, const char *v)
{
    /* ssmtp: empty Root disables rewriting of system users' mail. */
    if (v[0] != '\0' && config_check_address(p, v, true) != 0) {
        return -1;
    }
    return config_store(p, p->cfg->root, sizeof(p->cfg->root), v);
}

static int set_mailhub(struct parser *p, const char *v)
{
    struct config *cfg = p->cfg;
    char host[CONFIG_HOST_MAX + 1];
    uint16_t port = cfg->port;
    bool ipv6, has_port;

    if (config_parse_hostport(p, v, host, &ipv6, &port, &has_port) != 0) {
        return -1;
    }
    /* ssmtp: MailHub's :port and RemotePort set the same variable; the later line wins. */
    if (has_port && cfg->key_line[KEY_REMOTEPORT] != 0 && port != cfg->port) {
        config_warn(p, "port %u overrides RemotePort=%u (line %u)", (unsigned)port, (unsigned)cfg->port,
                    cfg->key_line[KEY_REMOTEPORT]);
    }
    if (has_port) {
        p->mailhub_port_line = p->line;
        cfg->port_set = true;
    }
    memcpy(cfg->mailhub, host, strlen(host) + 1);
    cfg->mailhub_ipv6 = ipv6;
    cfg->port = port;
    return 0;
}

static int set_remote_port(struct parser *p, const char *v)
{
    uint16_t port;

    if (config_parse_port(p, v, &port) != 0) {
        return -1;
    }
    if (p->mailhub_port_line != 0 && port != p->cfg->port) {
        config_warn(p, "RemotePort=%u overrides the port %u given in MailHub (line %u)", (unsigned)port,
                    (unsigned)p->cfg->port, p->mailhub_port_line);
    }
    p->cfg->port = port;
    p->cfg->port_set = true;
    return 0;
}

static int set_hostname(struct parser *p, const char *v)
{
    char ehlo[CONFIG_HOST_MAX + 1];

    if (config_store(p, p->cfg->hostname, sizeof(p->cfg->hostname), v) != 0) {
        return -1;
    }
    if (v[0] == '\0' || config_valid_hostname(v)) {
        return 0;
    }
    config_derive_ehlo(v, ehlo);
    if (config_has_blank(v)) {
        config_warn(p,
                    "'%s' contains spaces, which a host name cannot; ssmtp sent only the first word, and so does "
                    "baremail: EHLO %s",
                    v, ehlo);
    } else {
        config_warn(p, "'%s' is not a valid host name (letters, digits, '-' and '.'); EHLO %s", v, ehlo);
    }
    return 0;
}

static int set_rewrite_domain(struct parser *p, const char *v)
{
    const char *at = strrchr(v, '@');

    /* ssmtp logged "RewriteDomain ... is invalid" and used the part after '@'; keep that, but say so. */
    if (at != NULL) {
        config_warn(p, "'%s' is an address, not a domain; using '%s' as ssmtp did", v, at + 1);
        v = at + 1;
    }
    if (v[0] != '\0' && !config_valid_hostname(v)) {
        return config_fail(p, "expected a domain like example.com, got '%s'", v);
    }
    return config_store(p, p->cfg->rewrite_domain, sizeof(p->cfg->rewrite_domain), v);
}

static int set_from_line_override(struct parser *p, const char *v)
{
    return config_parse_bool(p, v, &p->cfg->from_line_override);
}

static int set_use_tls(struct parser *p, const char *v)
{
    if (config_parse_bool(p, v, &p->cfg->use_tls) != 0) {
        return -1;
    }
    /* ssmtp: UseTLS=NO also turns STARTTLS off. */
    if (!p->cfg->use_tls) {
        p->cfg->use_starttls = false;
    }
    return 0;
}

static int set_use_starttls(struct parser *p, const char *v)
{
    if (config_parse_bool(p, v, &p->cfg->use_starttls) != 0) {
        return -1;
    }
    /* ssmtp: STARTTLS implies TLS. */
    if (p->cfg->use_starttls) {
        p->cfg->use_tls = true;
    }
    return 0;
}

static int set_use_tls_cert(struct parser *p, const char *v)
{
    return config_parse_bool(p, v, &p->cfg->use_tls_cert);
}

static int set_path(struct parser *p, char *dst, size_t size, const char *v)
{
    return config_store(p, dst, size, v);
}

static int set_tls_cert(struct parser *p, const char *v)
{
    return set_path(p, p->cfg->tls_cert, sizeof(p->cfg->tls_cert), v);
}

static int set_tls_key(struct parser *p, const char *v)
{
    return set_path(p, p->cfg->tls_key, sizeof(p->cfg->tls_key), v);
}

static int set_tls_ca_file(struct parser *p, const char *v)
{
    return set_path(p, p->cfg->tls_ca_file, sizeof(p->cfg->tls_ca_file), v);
}

static int set_tls_ca_dir(struct parser *p, const char *v)
{
    (void)v;
    config_warn(p, "not supported on the device (no certificate directory to scan); ignored: put a PEM bundle on the "
                   "card and name it with TLS_CA_File");
    return 0;
}

static int set_auth_user(struct parser *p, const char *v)
{
    return config_store(p, p->cfg->auth_user, sizeof(p->cfg->auth_user), v);
}

static int set_auth_pass(struct parser *p, const char *v)
{
    return config_store(p, p->cfg->auth_pass, sizeof(p->cfg->auth_pass), v);
}

static int set_auth_method(struct parser *p, const char *v)
{
    static const struct {
        const char *name;
        enum config_auth_method method;
    } methods[] = {
        { "LOGIN", CONFIG_AUTH_LOGIN },
        { "PLAIN", CONFIG_AUTH_PLAIN },
        { "CRAM-MD5", CONFIG_AUTH_CRAM_MD5 },
        { "XOAUTH2", CONFIG_AUTH_XOAUTH2 },
    };
    size_t i;

    if (v[0] == '\0') {
        p->cfg->auth_method_set = false;
        p->cfg->auth_method = CONFIG_AUTH_LOGIN;
        return 0;
    }
    for (i = 0; i < ARRAY_SIZE(methods); i++) {
        if (config_ci_equal(v, methods[i].name)) {
            p->cfg->auth_method = methods[i].method;
            p->cfg->auth_method_set = true;
            return 0;
        }
    }
    return config_fail(p, "expected LOGIN, PLAIN, CRAM-MD5 or XOAUTH2, got '%s'", v);
}

static int set_use_old_auth(struct parser *p, const char *v)
{
    return config_parse_bool(p, v, &p->cfg->use_old_auth);
}

static int set_add_header(struct parser *p, const char *v)
{
    struct config *cfg = p->cfg;
    const char *colon = strchr(v, ':');
    const char *c;

    if (colon == NULL || colon == v) {
        return config_fail(p, "expected 'Name: value', e.g. AddHeader=X-Sender: baremail; got '%s'", v);
    }
    for (c = v; c < colon; c++) {
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 127) {
            return config_fail(p, "header name '%.*s' may contain only printable ASCII without spaces",
                               (int)(colon - v), v);
        }
    }
    if (cfg->header_count >= CONFIG_HEADERS_MAX) {
        return config_fail(p, "too many AddHeader lines (at most %d)", CONFIG_HEADERS_MAX);
    }
    if (config_store(p, cfg->headers[cfg->header_count], sizeof(cfg->headers[0]), v) != 0) {
        return -1;
    }
    cfg->header_count++;
    return 0;
}

static int set_debug(struct parser *p, const char *v)
{
    return config_parse_bool(p, v, &p->cfg->debug);
}

static int set_ip(struct parser *p, const char *v)
{
    const char *slash = strchr(v, '/');
    uint32_t ip;
    uint64_t prefix;

    if (config_ci_equal(v, "dhcp")) {
        p->cfg->dhcp = true;
        return 0;
    }
    if (slash == NULL || config_parse_ipv4_n(v, (size_t)(slash - v), &ip) != 0 ||
        config_parse_uint(slash + 1, strlen(slash + 1), 32, &prefix) != 0 || prefix == 0) {
        return config_fail(p,
                           "expected dhcp or a.b.c.d/nn (address and prefix length, e.g. 192.168.1.50/24), "
                           "got '%s'",
                           v);
    }
    p->cfg->dhcp = false;
    p->cfg->ip = ip;
    p->cfg->prefix_len = (unsigned)prefix;
    return 0;
}

static int set_gateway(struct parser *p, const char *v)
{
    if (v[0] == '\0') {
        p->cfg->gateway = 0;
        return 0;
    }
    return config_parse_ipv4(p, v, &p->cfg->gateway);
}

static int set_dns(struct parser *p, const char *v)
{
    struct config *cfg = p->cfg;
    const char *s = v;

    if (v[0] == '\0') {
        cfg->dns_count = 0;
        return 0;
    }
    while (*s != '\0') {
        size_t n = strcspn(s, ", \t");
        uint32_t addr;
        if (n > 0) {
            if (config_parse_ipv4_n(s, n, &addr) != 0) {
                return config_fail(p,
                                   "expected IPv4 addresses separated by commas, e.g. 1.1.1.1, 9.9.9.9; "
                                   "got '%.*s'",
                                   (int)n, s);
            }
            if (cfg->dns_count >= CONFIG_DNS_MAX) {
                return config_fail(p, "too many DNS servers (at most %d)", CONFIG_DNS_MAX);
            }
            cfg->dns[cfg->dns_count++] = addr;
        }
        s += n;
        s += strspn(s, ", \t");
    }
    return 0;
}

static int set_ntp_server(struct parser *p, const char *v)
{
    if (!config_valid_hostname(v)) {
        return config_fail(p, "expected a host name or IPv4 address, got '%s'", v);
    }
    return config_store(p, p->cfg->ntp_server, sizeof(p->cfg->ntp_server), v);
}

static int set_tls_min_version(struct parser *p, const char *v)
{
    const char *n = v;

    if (config_ci_equal_n(n, 4, "TLSv")) {
        n += 4;
    } else if (config_ci_equal_n(n, 3, "TLS")) {
        n += 3;
    }
    if (strcmp(n, "1.2") == 0) {
        p->cfg->tls_min_version = CONFIG_TLS_1_2;
    } else if (strcmp(n, "1.3") == 0) {
        p->cfg->tls_min_version = CONFIG_TLS_1_3;
    } else {
        return config_fail(p, "expected 1.2 or 1.3, got '%s' (older TLS versions are not supported)", v);
    }
    return 0;
}

static int set_tls_fingerprint(struct parser *p, const char *v)
{
    struct config *cfg = p->cfg;
    size_t len = strlen(v), i, o = 0;

    if (len == 0) {
        cfg->has_fingerprint = false;
        return 0;
    }
    /* msmtp's format: hex byte pairs separated by colons; plain hex is accepted too. */
    for (i = 0; i < len;) {
        if (o == CONFIG_SHA256_LEN || i + 1 >= len || !is_hex(v[i]) || !is_hex(v[i + 1])) {
            break;
        }
        cfg->fingerprint[o++] = (uint8_t)(hex_value(v[i]) << 4 | hex_value(v[i + 1]));
        i += 2;
        if (i < len && v[i] == ':' && i + 1 < len) {
            i++;
        }
    }
    if (i != len || o != CONFIG_SHA256_LEN) {
        if (i == len && (o == 20 || o == 16)) {
            return config_fail(p,
                               "this is a %s fingerprint; only SHA-256 (32 bytes) is accepted, e.g. from "
                               "'msmtp --serverinfo --tls'",
                               o == 20 ? "SHA-1" : "MD5");
        }
        return config_fail(p,
                           "expected a SHA-256 fingerprint: 32 hex byte pairs separated by colons "
                           "(AB:CD:...), got '%s'",
                           v);
    }
    cfg->has_fingerprint = true;
    return 0;
}

static int set_connect_timeout(struct parser *p, const char *v)
{
    uint64_t ms;

    if (config_parse_duration_range(p, v, MS_PER_S, TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, &ms) != 0) {
        return -1;
    }
    p->cfg->connect_timeout_ms = (uint32_t)ms;
    return 0;
}

static int set_smtp_timeout(struct parser *p, const char *v)
{
    uint64_t ms;

    if (config_parse_duration_range(p, v, MS_PER_S, TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, &ms) != 0) {
        return -1;
    }
    p->cfg->smtp_timeout_ms = (uint32_t)ms;
    return 0;
}

static int set_auth_token(struct parser *p, const char *v)
{
    if (config_has_blank(v)) {
        return config_fail(p, "a bearer token has no spaces; write only the token, without 'Bearer'");
    }
    return config_store(p, p->cfg->auth_token, sizeof(p->cfg->auth_token), v);
}

static int set_allow_auth_without_tls(struct parser *p, const char *v)
{
    return config_parse_bool(p, v, &p->cfg->allow_auth_without_tls);
}

static int set_alert_to(struct parser *p, const char *v)
{
    if (v[0] == '\0') {
        p->cfg->alert_to.count = 0;
        return 0;
    }
    return config_parse_recipients(p, v, &p->cfg->alert_to);
}

static int set_rate_limit(struct parser *p, const char *v)
{
    return config_parse_rate(p, v, &p->cfg->rate_limit);
}

static int set_boot_mail(struct parser *p, const char *v)
{
    return config_parse_bool(p, v, &p->cfg->boot_mail);
}

static int set_heartbeat_mail(struct parser *p, const char *v)
{
    return config_parse_bool(p, v, &p->cfg->heartbeat_mail);
}

static int set_heartbeat_period(struct parser *p, const char *v)
{
    uint64_t ms;

    if (config_parse_duration_range(p, v, MS_PER_S, (uint64_t)HEARTBEAT_MIN_S * MS_PER_S,
                                    (uint64_t)HEARTBEAT_MAX_S * MS_PER_S, &ms) != 0) {
        return -1;
    }
    p->cfg->heartbeat_period_s = (uint32_t)(ms / MS_PER_S);
    return 0;
}

/* ---- the key table ----
 * The handlers of the secret keys (AuthPass, AuthToken) never put the value into a message. */

/* clang-format off */
static const struct key_def keys[KEY_COUNT] = {
	[KEY_ROOT] = { "Root", set_root, 0 },
	[KEY_MAILHUB] = { "MailHub", set_mailhub, 0 },
	[KEY_REMOTEPORT] = { "RemotePort", set_remote_port, 0 },
	[KEY_HOSTNAME] = { "HostName", set_hostname, 0 },
	[KEY_REWRITEDOMAIN] = { "RewriteDomain", set_rewrite_domain, 0 },
	[KEY_FROMLINEOVERRIDE] = { "FromLineOverride", set_from_line_override, 0 },
	[KEY_USETLS] = { "UseTLS", set_use_tls, 0 },
	[KEY_USESTARTTLS] = { "UseSTARTTLS", set_use_starttls, 0 },
	[KEY_USETLSCERT] = { "UseTLSCert", set_use_tls_cert, 0 },
	[KEY_TLSCERT] = { "TLSCert", set_tls_cert, 0 },
	[KEY_TLSKEY] = { "TLSKey", set_tls_key, 0 },
	[KEY_TLS_CA_FILE] = { "TLS_CA_File", set_tls_ca_file, 0 },
	[KEY_TLS_CA_DIR] = { "TLS_CA_Dir", set_tls_ca_dir, 0 },
	[KEY_AUTHUSER] = { "AuthUser", set_auth_user, KEY_FIRST_WINS },
	[KEY_AUTHPASS] = { "AuthPass", set_auth_pass, KEY_FIRST_WINS },
	[KEY_AUTHMETHOD] = { "AuthMethod", set_auth_method, KEY_FIRST_WINS },
	[KEY_USEOLDAUTH] = { "UseOldAUTH", set_use_old_auth, 0 },
	[KEY_ADDHEADER] = { "AddHeader", set_add_header, KEY_REPEAT },
	[KEY_DEBUG] = { "Debug", set_debug, 0 },
	[KEY_IP] = { "IP", set_ip, 0 },
	[KEY_GATEWAY] = { "Gateway", set_gateway, 0 },
	[KEY_DNS] = { "DNS", set_dns, KEY_REPEAT },
	[KEY_NTPSERVER] = { "NTPServer", set_ntp_server, 0 },
	[KEY_TLS_MINVERSION] = { "TLS_MinVersion", set_tls_min_version, 0 },
	[KEY_TLS_FINGERPRINT] = { "TLS_Fingerprint", set_tls_fingerprint, 0 },
	[KEY_CONNECTTIMEOUT] = { "ConnectTimeout", set_connect_timeout, 0 },
	[KEY_SMTPTIMEOUT] = { "SMTPTimeout", set_smtp_timeout, 0 },
	[KEY_AUTHTOKEN] = { "AuthToken", set_auth_token, 0 },
	[KEY_ALLOWAUTHWITHOUTTLS] = { "AllowAuthWithoutTLS", set_allow_auth_without_tls, 0 },
	[KEY_ALERTTO] = { "AlertTo", set_alert_to, KEY_REPEAT },
	[KEY_ALERT] = { "Alert", NULL, KEY_REPEAT },
	[KEY_RATELIMIT] = { "RateLimit", set_rate_limit, 0 },
	[KEY_BOOTMAIL] = { "BootMail", set_boot_mail, 0 },
	[KEY_HEARTBEATMAIL] = { "HeartbeatMail", set_heartbeat_mail, 0 },
	[KEY_HEARTBEATPERIOD] = { "HeartbeatPeriod", set_heartbeat_period, 0 },
};
/* clang-format on */

static int find_key(const char *name)
{
    int i;

    for (i = 0; i < KEY_COUNT; i++) {
        if (config_ci_equal(name, keys[i].name)) {
            return i;
        }
    }
    return -1;
}

static void report_unknown_key(struct parser *p, const char *name)
{
    const char *names[KEY_COUNT];
    const char *hint;
    int i;

    for (i = 0; i < KEY_COUNT; i++) {
        names[i] = keys[i].name;
    }
    hint = config_closest(name, names, KEY_COUNT);
    p->key = name;
    /* A near miss is a typo that would silently change what the device does: refuse it. Anything else is a key
	 * of some other program (real ssmtp.conf files carry them), which ssmtp skipped without a word. */
    if (hint != NULL) {
        config_fail(p, "unknown key; did you mean %s?", hint);
    } else {
        config_warn(p, "unknown key, ignored, as ssmtp does (docs/config.md lists the keys)");
    }
}

/* ---- lines ---- */

/* The key at the start of a line, for naming it in a diagnostic about the whole line. */
static const char *leading_key(const char *s, size_t n)
{
    char name[KEY_NAME_MAX + 1];
    size_t i = config_skip_blanks(s, n, 0), k = 0;
    int id;

    while (i < n && k < KEY_NAME_MAX && (is_alnum(s[i]) || s[i] == '_')) {
        name[k++] = s[i++];
    }
    name[k] = '\0';
    id = find_key(name);
    return id >= 0 ? keys[id].name : NULL;
}

void config_for_each_line(struct parser *p, const char *text, size_t len, config_line_fn fn)
{
    size_t pos = 0;

    p->line = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        pos = 3; /* UTF-8 byte-order mark written by Windows editors */
    }
    if (len >= 2 && ((unsigned char)text[0] == 0xFF || (unsigned char)text[0] == 0xFE) &&
        ((unsigned char)text[1] == 0xFF || (unsigned char)text[1] == 0xFE)) {
        p->line = 1;
        p->key = NULL;
        p->not_text = true;
        config_fail(p, "the file is UTF-16; save it as UTF-8 or plain ASCII");
        return;
    }
    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

        pos += n + (nl != NULL ? 1 : 0);
        p->line++;
        if (n > 0 && s[n - 1] == '\r') {
            n--;
        }
        p->key = NULL;
        if (n > CONFIG_LINE_MAX) {
            p->key = leading_key(s, n);
            config_fail(p, "line too long (%lu characters; at most %d)", (unsigned long)n, CONFIG_LINE_MAX);
            continue;
        }
        if (memchr(s, '\0', n) != NULL) {
            p->key = leading_key(s, n);
            config_fail(p, "NUL byte in the line: is this a text file?");
            continue;
        }
        fn(p, s, n);
    }
}

static void conf_line(struct parser *p, const char *s, size_t n)
{
    struct config *cfg = p->cfg;
    char name[KEY_NAME_MAX + 1];
    char value[CONFIG_LINE_MAX + 1];
    size_t i = config_skip_blanks(s, n, 0), k0, eq, end, comment;
    int id;
    const struct key_def *def;

    if (i == n || s[i] == '#') {
        return;
    }
    k0 = i;
    while (i < n && (is_alnum(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.')) {
        i++;
    }
    if (i == k0) {
        config_fail(p, "expected Key=Value, e.g. MailHub=smtp.example.com:587");
        return;
    }
    memcpy(name, s + k0, i - k0 < KEY_NAME_MAX ? i - k0 : KEY_NAME_MAX);
    name[i - k0 < KEY_NAME_MAX ? i - k0 : KEY_NAME_MAX] = '\0';
    if (i - k0 > KEY_NAME_MAX) {
        config_warn(p, "unknown key '%s...', ignored, as ssmtp does", name);
        return;
    }
    eq = config_skip_blanks(s, n, i);
    if (eq == n || s[eq] != '=') {
        p->key = name;
        config_fail(p, "expected '=' after the key name (Key=Value)");
        return;
    }
    id = find_key(name);
    if (id < 0) {
        report_unknown_key(p, name);
        return;
    }
    def = &keys[id];
    p->key = def->name;

    for (i = eq + 1; i < n; i++) {
        if ((unsigned char)s[i] < ' ' && s[i] != '\t') {
            config_fail(p, "control character (code %u) in the line", (unsigned)(unsigned char)s[i]);
            return;
        }
    }
    i = config_skip_blanks(s, n, eq + 1);
    /* In a quoted value a '#' is data; Alert lines hold quoted fields anywhere. */
    comment = i + config_comment_start(s + i, n - i, i > eq + 1, id == KEY_ALERT || (i < n && s[i] == '"'));
    end = comment;
    while (end > i && is_blank(s[end - 1])) {
        end--;
    }

    if (cfg->key_line[id] != 0 && (def->flags & KEY_REPEAT) == 0) {
        if (def->flags & KEY_FIRST_WINS) {
            config_warn(p,
                        "set again (first on line %u); as in ssmtp, the first %s is used and this line is "
                        "ignored",
                        cfg->key_line[id], def->name);
            return;
        }
        config_warn(p, "set again (first on line %u); the last value is used", cfg->key_line[id]);
    }
    if (cfg->key_line[id] == 0) {
        cfg->key_line[id] = p->line;
    }

    if (id == KEY_ALERT) {
        config_parse_alert(p, s + i, end - i, value);
        return;
    }
    /* The password is masked everywhere, so a cut the user cannot see must at least be named. */
    if (id == KEY_AUTHPASS && comment < n && !(i < n && s[i] == '"')) {
        config_warn(p,
                    "the password ends before column %u: a '#' after a blank starts a comment (as in ssmtp); if "
                    "the '#' and what follows belong to the password, put it in double quotes: AuthPass=\"...\"",
                    (unsigned)(comment + 1));
    }
    if (i < end && s[i] == '"') {
        size_t used = config_unquote(p, s + i, end - i, value);
        if (used == 0) {
            return;
        }
        if (i + used != end) {
            config_fail(p, "unexpected text after the closing quote (a comment needs a blank before '#')");
            return;
        }
        if (strchr(value, '\n') != NULL) {
            config_fail(p, "a line break (\\n) is allowed only in an alert body");
            return;
        }
    } else {
        memcpy(value, s + i, end - i);
        value[end - i] = '\0';
        /* Shell habit: ssmtp kept the quotes, and so does baremail, but say so. */
        if (end - i >= 2 && value[0] == '\'' && value[end - i - 1] == '\'') {
            config_warn(p,
                        "the single quotes are part of the value (as in ssmtp); only double quotes quote a "
                        "value: %s=\"...\"",
                        def->name);
        }
    }
    def->set(p, value);
}

int config_parser_begin(struct parser *p, struct config *cfg, const char *filename, config_diag_fn fn, void *ctx)
{
    memset(p, 0, sizeof(*p));
    p->cfg = cfg;
    p->file = filename != NULL ? filename : "smtp.conf";
    p->fn = fn;
    p->ctx = ctx;
    return 0;
}

int config_parse(struct config *cfg, const char *filename, const char *text, size_t len, config_diag_fn diag,
                 void *diag_ctx)
{
    struct parser p;
    size_t n;

    if (cfg == NULL || (text == NULL && len > 0) || cfg->finished) {
        return CONFIG_ERR_ARG;
    }
    config_parser_begin(&p, cfg, filename, diag, diag_ctx);
    n = strlen(p.file);
    if (n >= sizeof(cfg->conf_file)) {
        n = sizeof(cfg->conf_file) - 1;
    }
    memcpy(cfg->conf_file, p.file, n);
    cfg->conf_file[n] = '\0';
    if (text != NULL) {
        config_for_each_line(&p, text, len, conf_line);
    }
    cfg->conf_not_text = p.not_text;
    return p.errors == 0 ? CONFIG_OK : CONFIG_ERR_INVALID;
}

/* ---- lookups, init, formatting ---- */

unsigned config_key_line(const struct config *cfg, const char *key)
{
    int id = key != NULL ? find_key(key) : -1;

    return (cfg != NULL && id >= 0) ? cfg->key_line[id] : 0;
}

void config_init(struct config *cfg)
{
    if (cfg == NULL) {
        return;
    }
    memset(cfg, 0, sizeof(*cfg));
    cfg->port = CONFIG_DEFAULT_PORT;
    cfg->auth_method = CONFIG_AUTH_LOGIN;
    cfg->dhcp = true;
    memcpy(cfg->ntp_server, CONFIG_DEFAULT_NTP_SERVER, sizeof(CONFIG_DEFAULT_NTP_SERVER));
    cfg->tls_min_version = CONFIG_TLS_1_2;
    cfg->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    cfg->smtp_timeout_ms = DEFAULT_SMTP_TIMEOUT_MS;
    cfg->rate_limit.count = DEFAULT_RATE_COUNT;
    cfg->rate_limit.period_s = DEFAULT_RATE_PERIOD_S;
    cfg->boot_mail = true;
    cfg->heartbeat_period_s = DEFAULT_HEARTBEAT_S;
}
