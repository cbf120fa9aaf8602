/*
 * The configuration as net/'s settings; see net_settings.h.
 */
#include "firmware/net_settings.h"

#include <stdint.h>
#include <string.h>

#include "lwip/def.h"

#define IPV4_BITS 32u

/* config/ keeps IPv4 addresses as host-order integers; lwIP wants network order. */
static void ip4_from_host_order(ip4_addr_t *out, uint32_t host)
{
    ip4_addr_set_u32(out, lwip_htonl(host));
}

void net_settings_interface(struct net_settings *out, const struct config *cfg)
{
    memset(out, 0, sizeof *out);
    out->dhcp = cfg == NULL || cfg->dhcp;
    if (cfg == NULL) {
        return;
    }
    if (!cfg->dhcp) {
        uint32_t mask = cfg->prefix_len == 0 ? 0 : UINT32_MAX << (IPV4_BITS - cfg->prefix_len);
        ip4_from_host_order(&out->ip, cfg->ip);
        ip4_from_host_order(&out->netmask, mask);
        ip4_from_host_order(&out->gateway, cfg->gateway);
    }
    out->dns_count = cfg->dns_count < DNS_MAX_SERVERS ? cfg->dns_count : DNS_MAX_SERVERS;
    for (unsigned i = 0; i < out->dns_count; i++) {
        ip4_from_host_order(&out->dns[i], cfg->dns[i]);
    }
    out->hostname = cfg->ehlo_name;
    out->ntp_server = cfg->ntp_server[0] != '\0' ? cfg->ntp_server : CONFIG_DEFAULT_NTP_SERVER;
}

void net_settings_smtp(struct smtp_options *out, const struct config *cfg)
{
    static const unsigned mech_bits[] = {
        [CONFIG_AUTH_LOGIN] = SMTP_AUTH_LOGIN,
        [CONFIG_AUTH_PLAIN] = SMTP_AUTH_PLAIN,
        [CONFIG_AUTH_CRAM_MD5] = SMTP_AUTH_CRAM_MD5,
        [CONFIG_AUTH_XOAUTH2] = SMTP_AUTH_XOAUTH2,
    };
    memset(out, 0, sizeof *out);
    out->ehlo_name = cfg->ehlo_name[0] != '\0' ? cfg->ehlo_name : CONFIG_DEFAULT_EHLO_NAME;
    out->tls = cfg->use_starttls ? SMTP_TLS_STARTTLS : cfg->use_tls ? SMTP_TLS_IMPLICIT : SMTP_TLS_NONE;
    out->allow_cleartext_auth = cfg->allow_auth_without_tls;
    out->auth_user = cfg->auth_user;
    out->auth_pass = cfg->auth_pass;
    out->auth_token = cfg->auth_token;
    out->auth_forced = cfg->auth_method_set ? mech_bits[cfg->auth_method] : 0;
    out->use_old_auth = cfg->use_old_auth;

    /* RFC 5321's wait for the end of the data is the floor of SMTPTimeout there. */
    struct smtp_timeouts rfc;
    smtp_timeouts_default(&rfc);
    struct smtp_timeouts *t = &out->timeouts;
    t->connect_ms = cfg->connect_timeout_ms;
    t->greeting_ms = cfg->smtp_timeout_ms;
    t->command_ms = cfg->smtp_timeout_ms;
    t->mail_ms = cfg->smtp_timeout_ms;
    t->rcpt_ms = cfg->smtp_timeout_ms;
    t->data_init_ms = cfg->smtp_timeout_ms;
    t->data_block_ms = cfg->smtp_timeout_ms;
    t->data_end_ms = cfg->smtp_timeout_ms > rfc.data_end_ms ? cfg->smtp_timeout_ms : rfc.data_end_ms;
}

void net_settings_tls(struct tls_settings *out, const struct config *cfg)
{
    memset(out, 0, sizeof *out);
    out->min_version = cfg->tls_min_version == CONFIG_TLS_1_3 ? TLS_VERSION_1_3 : TLS_VERSION_1_2;
    out->pinned = cfg->has_fingerprint;
    _Static_assert(sizeof out->pin == sizeof cfg->fingerprint, "a TLS_Fingerprint is the pin");
    memcpy(out->pin, cfg->fingerprint, sizeof out->pin);
}

void net_settings_submission(struct smtp_client_settings *out, const struct config *cfg, const char *account)
{
    memset(out, 0, sizeof *out);
    const struct config_alias *alias = account != NULL ? config_find_alias(cfg, account) : NULL;
    if (alias != NULL && alias->mailhub[0] != '\0') {
        out->host = alias->mailhub;
        out->port = alias->port;
    } else {
        out->host = cfg->mailhub;
        out->port = cfg->port;
    }
    net_settings_smtp(&out->options, cfg);
    out->debug = cfg->debug;
    net_settings_tls(&out->tls, cfg);
    out->ca_file = cfg->tls_ca_file;
    if (cfg->use_tls_cert) {
        out->cert_file = cfg->tls_cert;
        out->key_file = cfg->tls_key;
    }
}
