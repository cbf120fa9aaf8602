/*
 * config - the checks across keys once the files are read (config_finish: defaults that depend on several keys,
 * recipients) and against the board (config_check_alert_gpios). Part of the parser (config.h is the contract,
 * config_parse.h what the parts share).
 */
#include "config/config_parse.h"

#include <string.h>

/* ---- checks across keys ---- */

/* ssmtp's append_domain: a bare local name gets @RewriteDomain, or @hostname without one. */
static void qualify_recipients(struct parser *p, struct config_recipients *list, const char *domain, unsigned line,
                               const char *key)
{
    unsigned i;

    for (i = 0; i < list->count; i++) {
        char *addr = list->addr[i];
        size_t a = strlen(addr), d = strlen(domain);
        if (strchr(addr, '@') != NULL) {
            continue;
        }
        if (a + 1 + d > CONFIG_ADDR_MAX) {
            config_report(p, CONFIG_SEVERITY_ERROR, line, key, "'%s@%s' is too long for an address", addr, domain);
            continue;
        }
        addr[a] = '@';
        memcpy(addr + a + 1, domain, d + 1);
    }
}

/*
 * Alert and boot mail go to AlertTo; without it, where system mail goes: Root as ssmtp did, else the address
 * revaliases gives root, else AuthUser when it is an address (the account the mail is sent from, which is all a
 * real ssmtp.conf with Root commented out names).
 */
static void default_recipient(struct config *cfg)
{
    const struct config_alias *root = config_find_alias(cfg, "root");
    const char *to = NULL;

    if (cfg->alert_to.count > 0) {
        return;
    }
    if (cfg->root[0] != '\0') {
        to = cfg->root;
    } else if (root != NULL) {
        to = root->address;
    } else if (config_is_address(cfg->auth_user)) {
        to = cfg->auth_user;
    }
    if (to == NULL) {
        return;
    }
    cfg->alert_to.count = 1;
    memcpy(cfg->alert_to.addr[0], to, strlen(to) + 1);
}

static void finish_auth(struct parser *p, struct config *cfg)
{
    const unsigned *kl = cfg->key_line;
    bool oauth = cfg->auth_method == CONFIG_AUTH_XOAUTH2 || (!cfg->auth_method_set && cfg->auth_token[0] != '\0');

    if (oauth && !cfg->auth_method_set) {
        cfg->auth_method = CONFIG_AUTH_XOAUTH2;
    }
    if (cfg->auth_pass[0] != '\0' && cfg->auth_user[0] == '\0') {
        config_report(p, CONFIG_SEVERITY_WARNING, kl[KEY_AUTHPASS], "AuthPass",
                      "AuthPass is set but AuthUser is not: no login is attempted (as in ssmtp)");
    }
    if (cfg->auth_user[0] == '\0') {
        if (cfg->auth_token[0] != '\0') {
            config_report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHTOKEN], "AuthToken",
                          "XOAUTH2 needs the account name too: set AuthUser");
        }
        return;
    }
    if (oauth) {
        if (cfg->auth_token[0] == '\0') {
            config_report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHMETHOD], "AuthMethod",
                          "AuthMethod=XOAUTH2 needs AuthToken (an OAuth2 access token)");
        }
        if (cfg->auth_pass[0] != '\0') {
            config_report(p, CONFIG_SEVERITY_WARNING, kl[KEY_AUTHPASS], "AuthPass",
                          "ignored: XOAUTH2 logs in with AuthToken");
        }
    } else {
        if (cfg->auth_pass[0] == '\0') {
            config_report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHPASS] ? kl[KEY_AUTHPASS] : kl[KEY_AUTHUSER], "AuthPass",
                          "AuthUser is set but AuthPass is empty: expected the password of %s", cfg->auth_user);
        }
        if (cfg->auth_token[0] != '\0') {
            config_report(p, CONFIG_SEVERITY_WARNING, kl[KEY_AUTHTOKEN], "AuthToken",
                          "ignored: AuthMethod is not XOAUTH2");
        }
    }
    /* net/smtp.c refuses to send a credential without TLS unless AllowAuthWithoutTLS=YES: such a file cannot
	 * send, so it is an error here, with the fix, before it reaches a card. */
    if (!cfg->use_tls && !cfg->allow_auth_without_tls) {
        config_report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHUSER], "AuthUser",
                      "TLS is off (UseTLS=NO), so the %s would go in clear text, which baremail refuses: set "
                      "UseSTARTTLS=YES (port 587) or UseTLS=YES (port 465); only for a relay on a network you trust, "
                      "AllowAuthWithoutTLS=YES",
                      oauth ? "token" : "password");
    }
}

static void finish_tls(struct parser *p, struct config *cfg)
{
    const unsigned *kl = cfg->key_line;

    if (cfg->use_tls_cert) {
        if (cfg->tls_cert[0] == '\0') {
            config_report(p, CONFIG_SEVERITY_ERROR, kl[KEY_USETLSCERT], "UseTLSCert",
                          "UseTLSCert=YES needs TLSCert (a PEM client certificate on the card)");
        } else if (cfg->tls_key[0] == '\0') {
            memcpy(cfg->tls_key, cfg->tls_cert, sizeof(cfg->tls_key)); /* key in the cert file */
        }
    } else if (cfg->tls_cert[0] != '\0' || cfg->tls_key[0] != '\0') {
        unsigned line = kl[KEY_TLSCERT] ? kl[KEY_TLSCERT] : kl[KEY_TLSKEY];
        config_report(p, CONFIG_SEVERITY_WARNING, line, kl[KEY_TLSCERT] ? "TLSCert" : "TLSKey",
                      "ignored unless UseTLSCert=YES");
    }
    if (!cfg->use_tls) {
        if (cfg->tls_ca_file[0] != '\0' || cfg->has_fingerprint) {
            config_report(p, CONFIG_SEVERITY_WARNING,
                          kl[KEY_TLS_CA_FILE] ? kl[KEY_TLS_CA_FILE] : kl[KEY_TLS_FINGERPRINT],
                          kl[KEY_TLS_CA_FILE] ? "TLS_CA_File" : "TLS_Fingerprint", "ignored: UseTLS=NO");
        }
        return;
    }
    /* A port and a TLS mode both written are the user's choice and are not second-guessed (docs/providers.md
	 * says what `test` prints when they do not match); TLS from the first byte on the port nobody wrote is. */
    if (!cfg->use_starttls && !cfg->port_set) {
        config_report(p, CONFIG_SEVERITY_WARNING, kl[KEY_USETLS], "UseTLS",
                      "no port given, so TLS from the first byte goes to port %u; that is normally port 465 "
                      "(MailHub=host:465), and port 587 takes UseSTARTTLS=YES",
                      (unsigned)cfg->port);
    }
    /* Without TLS_CA_File or TLS_Fingerprint the firmware verifies against the CA bundle built into the image
	 * (Debian's ca-certificates): nothing to warn about. */
}

static void finish_network(struct parser *p, struct config *cfg)
{
    const unsigned *kl = cfg->key_line;
    uint32_t mask = cfg->prefix_len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> cfg->prefix_len);

    if (cfg->dhcp) {
        if (cfg->gateway != 0) {
            config_report(p, CONFIG_SEVERITY_WARNING, kl[KEY_GATEWAY], "Gateway",
                          "ignored with IP=dhcp: the DHCP server gives the gateway");
        }
        return;
    }
    if (cfg->gateway == 0) {
        config_report(p, CONFIG_SEVERITY_WARNING, kl[KEY_IP], "IP",
                      "static address without Gateway: only the local network is reachable");
    } else if ((cfg->gateway & mask) != (cfg->ip & mask)) {
        config_report(p, CONFIG_SEVERITY_WARNING, kl[KEY_GATEWAY], "Gateway", "not in the network of IP=%u.%u.%u.%u/%u",
                      (unsigned)(cfg->ip >> 24), (unsigned)(cfg->ip >> 16 & 0xFF), (unsigned)(cfg->ip >> 8 & 0xFF),
                      (unsigned)(cfg->ip & 0xFF), cfg->prefix_len);
    }
    if (cfg->dns_count == 0) {
        uint32_t dummy;
        bool literal = cfg->mailhub_ipv6 || config_parse_ipv4_n(cfg->mailhub, strlen(cfg->mailhub), &dummy) == 0;
        if (!literal && cfg->mailhub[0] != '\0') {
            config_report(p, CONFIG_SEVERITY_ERROR, kl[KEY_IP], "DNS",
                          "a static IP needs DNS servers to resolve MailHub %s: add DNS = a.b.c.d", cfg->mailhub);
        }
    }
}

int config_finish(struct config *cfg, config_diag_fn diag, void *diag_ctx)
{
    struct parser p;
    const unsigned *kl;
    const char *domain;
    unsigned i;

    if (cfg == NULL || cfg->finished) {
        return CONFIG_ERR_ARG;
    }
    config_parser_begin(&p, cfg, cfg->conf_file[0] != '\0' ? cfg->conf_file : "smtp.conf", diag, diag_ctx);
    kl = cfg->key_line;
    cfg->finished = true;

    /* A file that is not text has reported that already: its keys are unread, not missing. */
    if (cfg->mailhub[0] == '\0' && kl[KEY_MAILHUB] == 0 && !cfg->conf_not_text) {
        config_report(&p, CONFIG_SEVERITY_ERROR, 0, "MailHub",
                      "not set: expected MailHub=host[:port], e.g. MailHub=smtp.example.com:587");
    }

    if (cfg->hostname[0] != '\0') {
        config_derive_ehlo(cfg->hostname, cfg->ehlo_name);
    } else {
        memcpy(cfg->ehlo_name, CONFIG_DEFAULT_EHLO_NAME, sizeof(CONFIG_DEFAULT_EHLO_NAME));
    }

    finish_auth(&p, cfg);
    finish_tls(&p, cfg);
    finish_network(&p, cfg);

    domain = cfg->rewrite_domain[0] != '\0' ? cfg->rewrite_domain : cfg->ehlo_name;
    default_recipient(cfg);
    qualify_recipients(&p, &cfg->alert_to, domain, kl[KEY_ALERTTO] ? kl[KEY_ALERTTO] : kl[KEY_ROOT],
                       kl[KEY_ALERTTO] ? "AlertTo" : "Root");
    for (i = 0; i < cfg->alert_count; i++) {
        qualify_recipients(&p, &cfg->alerts[i].to, domain, cfg->alerts[i].line, "Alert");
    }
    if (cfg->alert_to.count == 0 && !cfg->conf_not_text) {
        bool needed = cfg->heartbeat_mail || (cfg->boot_mail && kl[KEY_BOOTMAIL] != 0);
        for (i = 0; i < cfg->alert_count; i++) {
            needed = needed || cfg->alerts[i].to.count == 0;
        }
        if (needed) {
            config_report(&p, CONFIG_SEVERITY_ERROR, 0, "AlertTo",
                          "no recipient for alert, boot or heartbeat mail: set AlertTo (or Root)");
        } else if (cfg->boot_mail) {
            /* Only the default boot mail wanted one: a file that sends with `sendmail` alone is usable. */
            cfg->boot_mail = false;
            config_report(&p, CONFIG_SEVERITY_WARNING, 0, "AlertTo",
                          "no recipient (no AlertTo, Root, root in revaliases, nor an address in AuthUser), so no "
                          "boot mail: set AlertTo to get it");
        }
    }
    if (kl[KEY_HEARTBEATPERIOD] != 0 && !cfg->heartbeat_mail) {
        config_report(&p, CONFIG_SEVERITY_WARNING, kl[KEY_HEARTBEATPERIOD], "HeartbeatPeriod",
                      "ignored: HeartbeatMail=NO");
    }

    /* revaliases: the local accounts are root and the alert names. */
    if (cfg->alias_count > 0) {
        p.file = cfg->aliases_file;
    }
    for (i = 0; i < cfg->alias_count; i++) {
        const struct config_alias *a = &cfg->aliases[i];
        if (strcmp(a->account, "root") != 0 && config_find_alert(cfg, a->account) == NULL) {
            config_report(&p, CONFIG_SEVERITY_WARNING, a->line, a->account,
                          "not used: baremail's local accounts are root and the Alert names");
        }
    }
    return cfg->error_count == 0 ? CONFIG_OK : CONFIG_ERR_INVALID;
}

int config_check_alert_gpios(struct config *cfg, config_gpio_check_fn check, void *check_ctx,
                             enum config_severity severity, config_diag_fn diag, void *diag_ctx)
{
    struct parser p;
    unsigned errors;
    unsigned i;

    if (cfg == NULL || check == NULL) {
        return CONFIG_ERR_ARG;
    }
    config_parser_begin(&p, cfg, cfg->conf_file[0] != '\0' ? cfg->conf_file : "smtp.conf", diag, diag_ctx);
    errors = cfg->error_count;
    for (i = 0; i < cfg->alert_count; i++) {
        const struct config_alert *a = &cfg->alerts[i];
        const char *why = check(check_ctx, a->gpio);
        if (why == NULL) {
            continue;
        }
        if (severity == CONFIG_SEVERITY_ERROR) {
            config_report(&p, severity, a->line, "Alert", "%s: gpio: GPIO %u cannot be watched: %s; choose another pin",
                          a->name, a->gpio, why);
        } else {
            config_report(&p, severity, a->line, "Alert", "%s: gpio: GPIO %u: %s", a->name, a->gpio, why);
        }
    }
    return cfg->error_count == errors ? CONFIG_OK : CONFIG_ERR_INVALID;
}
