/*
 * config - text for people: a diagnostic as one line, the effective configuration in smtp.conf syntax, the
 * names of the error codes. Part of the parser (config.h is the contract, config_parse.h what the parts share).
 */
#include "config/config_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int config_diag_format(const struct config_diag *d, char *buf, size_t size)
{
    const char *sev = d->severity == CONFIG_SEVERITY_ERROR ? "error" : "warning";
    const char *file = d->file != NULL ? d->file : "";

    if (d->line != 0 && d->key != NULL) {
        return snprintf(buf, size, "%s:%u: %s: %s: %s", file, d->line, d->key, sev, d->message);
    }
    if (d->line != 0) {
        return snprintf(buf, size, "%s:%u: %s: %s", file, d->line, sev, d->message);
    }
    if (d->key != NULL) {
        return snprintf(buf, size, "%s: %s: %s: %s", file, d->key, sev, d->message);
    }
    return snprintf(buf, size, "%s: %s: %s", file, sev, d->message);
}

/* Output buffer for config_format: one line, appended to piece by piece. */
struct out {
    char buf[CONFIG_LINE_MAX + 1];
    size_t len;
    void (*emit)(void *ctx, const char *line);
    void *ctx;
};

__attribute__((format(printf, 2, 3))) static void out_add(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->len >= sizeof(o->buf) - 1) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        o->len += (size_t)n < sizeof(o->buf) - o->len ? (size_t)n : sizeof(o->buf) - 1 - o->len;
    }
}

static void out_line(struct out *o)
{
    while (o->len > 0 && o->buf[o->len - 1] == ' ') {
        o->buf[--o->len] = '\0';
    }
    o->emit(o->ctx, o->buf);
    o->len = 0;
    o->buf[0] = '\0';
}

/* A string value, quoted when reading it back unquoted would change it. */
static void out_string(struct out *o, const char *v)
{
    bool quote = v[0] == '"' || strpbrk(v, " \t#\\\n") != NULL;
    const char *c;

    if (!quote) {
        out_add(o, "%s", v);
        return;
    }
    out_add(o, "\"");
    for (c = v; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            out_add(o, "\\%c", *c);
        } else if (*c == '\n') {
            out_add(o, "\\n");
        } else if (*c == '\t') {
            out_add(o, "\\t");
        } else {
            out_add(o, "%c", *c);
        }
    }
    out_add(o, "\"");
}

static void out_kv(struct out *o, const char *key, const char *v)
{
    out_add(o, "%s = ", key);
    out_string(o, v);
    out_line(o);
}

static void out_bool(struct out *o, const char *key, bool v)
{
    out_add(o, "%s = %s", key, v ? "YES" : "NO");
    out_line(o);
}

static void out_secret(struct out *o, const char *key, const char *v)
{
    out_add(o, "%s = %s", key, v[0] != '\0' ? CONFIG_SECRET_MASK : "");
    out_line(o);
}

static void out_ipv4(struct out *o, uint32_t a)
{
    out_add(o, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16 & 0xFF), (unsigned)(a >> 8 & 0xFF),
            (unsigned)(a & 0xFF));
}

static void out_duration_ms(struct out *o, uint64_t ms)
{
    if (ms == 0 || ms % MS_PER_S != 0) {
        out_add(o, "%lums", (unsigned long)ms);
    } else if (ms % ((uint64_t)S_PER_DAY * MS_PER_S) == 0) {
        out_add(o, "%lud", (unsigned long)(ms / ((uint64_t)S_PER_DAY * MS_PER_S)));
    } else if (ms % ((uint64_t)S_PER_HOUR * MS_PER_S) == 0) {
        out_add(o, "%luh", (unsigned long)(ms / ((uint64_t)S_PER_HOUR * MS_PER_S)));
    } else if (ms % ((uint64_t)S_PER_MIN * MS_PER_S) == 0) {
        out_add(o, "%lum", (unsigned long)(ms / ((uint64_t)S_PER_MIN * MS_PER_S)));
    } else {
        out_add(o, "%lus", (unsigned long)(ms / MS_PER_S));
    }
}

static void out_rate(struct out *o, const struct config_rate *r)
{
    if (r->count == 0) {
        out_add(o, "none");
    } else if (r->period_s == S_PER_MIN || r->period_s == S_PER_HOUR || r->period_s == S_PER_DAY) {
        out_add(o, "%lu/%s", (unsigned long)r->count,
                r->period_s == S_PER_MIN ? "minute" : (r->period_s == S_PER_HOUR ? "hour" : "day"));
    } else {
        out_add(o, "%lu/", (unsigned long)r->count);
        out_duration_ms(o, (uint64_t)r->period_s * MS_PER_S);
    }
}

static void out_recipients(struct out *o, const struct config_recipients *r)
{
    unsigned i;

    for (i = 0; i < r->count; i++) {
        out_add(o, "%s%s", i > 0 ? ", " : "", r->addr[i]);
    }
}

static void out_hostport(struct out *o, const char *host, bool ipv6, uint16_t port)
{
    out_add(o, ipv6 ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
}

static void out_alert(struct out *o, const struct config_alert *a)
{
    out_add(o, "Alert = %s: gpio=%u edge=%s pull=%s debounce=", a->name, a->gpio, config_edge_name(a->edge),
            config_pull_name(a->pull));
    out_duration_ms(o, a->debounce_ms);
    out_add(o, " recovery=%s", a->recovery ? "yes" : "no");
    if (a->to.count > 0) {
        out_add(o, " to=\"");
        out_recipients(o, &a->to);
        out_add(o, "\"");
    }
    if (a->limit.count > 0) {
        out_add(o, " limit=");
        out_rate(o, &a->limit);
    }
    out_add(o, " subject=");
    out_add(o, "%s", a->subject[0] == '\0' ? "\"\"" : "");
    out_string(o, a->subject);
    out_add(o, " body=");
    out_add(o, "%s", a->body[0] == '\0' ? "\"\"" : "");
    out_string(o, a->body);
    out_line(o);
}

void config_format(const struct config *cfg, void (*emit)(void *ctx, const char *line), void *ctx)
{
    static const char *const methods[] = { "LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2" };
    static struct out o; /* too big for a small stack; config_format is not reentrant */
    unsigned i;

    if (cfg == NULL || emit == NULL) {
        return;
    }
    o.len = 0;
    o.buf[0] = '\0';
    o.emit = emit;
    o.ctx = ctx;

    out_add(&o, "# effective configuration from %s (secrets shown as %s)",
            cfg->conf_file[0] != '\0' ? cfg->conf_file : "defaults", CONFIG_SECRET_MASK);
    out_line(&o);
    out_kv(&o, "Root", cfg->root);
    out_add(&o, "MailHub = ");
    out_hostport(&o, cfg->mailhub, cfg->mailhub_ipv6, cfg->port);
    out_line(&o);
    out_add(&o, "HostName = ");
    out_string(&o, cfg->hostname);
    if (cfg->ehlo_name[0] != '\0' && strcmp(cfg->ehlo_name, cfg->hostname) != 0) {
        out_add(&o, "%s# EHLO %s", cfg->hostname[0] != '\0' ? "  " : "", cfg->ehlo_name);
    }
    out_line(&o);
    out_kv(&o, "RewriteDomain", cfg->rewrite_domain);
    out_bool(&o, "FromLineOverride", cfg->from_line_override);
    out_bool(&o, "UseTLS", cfg->use_tls);
    out_bool(&o, "UseSTARTTLS", cfg->use_starttls);
    out_bool(&o, "UseTLSCert", cfg->use_tls_cert);
    out_kv(&o, "TLSCert", cfg->tls_cert);
    /* The key's path is not secret; its contents are, and this module never reads them. */
    out_kv(&o, "TLSKey", cfg->tls_key);
    out_kv(&o, "TLS_CA_File", cfg->tls_ca_file);
    out_kv(&o, "AuthUser", cfg->auth_user);
    out_secret(&o, "AuthPass", cfg->auth_pass);
    /* Not set, the engine chooses among what the server offers (net/smtp_auth.c, smtp_auth_choose): show that
	 * rather than a method that may not be the one used. */
    if (cfg->auth_method_set) {
        out_add(&o, "AuthMethod = %s", methods[cfg->auth_method]);
    } else if (cfg->auth_user[0] == '\0') {
        out_add(&o, "AuthMethod =  # not set: no AuthUser, no AUTH");
    } else if (cfg->auth_token[0] != '\0') {
        out_add(&o, "AuthMethod =  # not set: XOAUTH2, as AuthToken is set");
    } else {
        out_add(&o, "AuthMethod =  # not set: the first of %s the server offers",
                cfg->use_tls ? "PLAIN, LOGIN, CRAM-MD5" : "CRAM-MD5, PLAIN, LOGIN");
    }
    out_line(&o);
    out_bool(&o, "UseOldAUTH", cfg->use_old_auth);
    for (i = 0; i < cfg->header_count; i++) {
        out_add(&o, "AddHeader = %s", cfg->headers[i]);
        out_line(&o);
    }
    out_bool(&o, "Debug", cfg->debug);

    out_add(&o, "IP = ");
    if (cfg->dhcp) {
        out_add(&o, "dhcp");
    } else {
        out_ipv4(&o, cfg->ip);
        out_add(&o, "/%u", cfg->prefix_len);
    }
    out_line(&o);
    out_add(&o, "Gateway = ");
    if (cfg->gateway != 0) {
        out_ipv4(&o, cfg->gateway);
    }
    out_line(&o);
    out_add(&o, "DNS = ");
    for (i = 0; i < cfg->dns_count; i++) {
        if (i > 0) {
            out_add(&o, ", ");
        }
        out_ipv4(&o, cfg->dns[i]);
    }
    out_line(&o);
    out_kv(&o, "NTPServer", cfg->ntp_server);
    out_add(&o, "TLS_MinVersion = %s", cfg->tls_min_version == CONFIG_TLS_1_3 ? "1.3" : "1.2");
    out_line(&o);
    out_add(&o, "TLS_Fingerprint = ");
    for (i = 0; cfg->has_fingerprint && i < CONFIG_SHA256_LEN; i++) {
        out_add(&o, "%s%02X", i > 0 ? ":" : "", (unsigned)cfg->fingerprint[i]);
    }
    out_line(&o);
    out_add(&o, "ConnectTimeout = ");
    out_duration_ms(&o, cfg->connect_timeout_ms);
    out_line(&o);
    out_add(&o, "SMTPTimeout = ");
    out_duration_ms(&o, cfg->smtp_timeout_ms);
    out_line(&o);
    out_secret(&o, "AuthToken", cfg->auth_token);
    out_bool(&o, "AllowAuthWithoutTLS", cfg->allow_auth_without_tls);

    out_add(&o, "AlertTo = ");
    out_recipients(&o, &cfg->alert_to);
    out_line(&o);
    out_add(&o, "RateLimit = ");
    out_rate(&o, &cfg->rate_limit);
    out_line(&o);
    out_bool(&o, "BootMail", cfg->boot_mail);
    out_bool(&o, "HeartbeatMail", cfg->heartbeat_mail);
    out_add(&o, "HeartbeatPeriod = ");
    out_duration_ms(&o, (uint64_t)cfg->heartbeat_period_s * MS_PER_S);
    out_line(&o);
    for (i = 0; i < cfg->alert_count; i++) {
        out_alert(&o, &cfg->alerts[i]);
    }

    if (cfg->alias_count > 0) {
        out_add(&o, "# revaliases from %s", cfg->aliases_file);
        out_line(&o);
    }
    for (i = 0; i < cfg->alias_count; i++) {
        const struct config_alias *a = &cfg->aliases[i];
        out_add(&o, "#   %s:%s", a->account, a->address);
        if (a->mailhub[0] != '\0') {
            out_add(&o, ":");
            out_hostport(&o, a->mailhub, a->mailhub_ipv6, a->port);
        }
        out_line(&o);
    }
}

const char *config_strerror(int err)
{
    switch (err) {
    case CONFIG_OK: return "ok";
    case CONFIG_ERR_ARG: return "bad argument or call out of order";
    case CONFIG_ERR_INVALID: return "configuration has errors";
    case CONFIG_ERR_OVERFLOW: return "output buffer too small";
    default: return "unknown config error";
    }
}
