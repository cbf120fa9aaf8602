/*
 * config - the revaliases file (ssmtp's local_account:outgoing_address[:mailhub[:port]]). Part of the parser
 * (config.h is the contract, config_parse.h what the parts share).
 */
#include "config/config_parse.h"

#include <string.h>

/* ---- revaliases ---- */

static void alias_line(struct parser *p, const char *s, size_t n)
{
    struct config *cfg = p->cfg;
    struct config_alias a;
    char line[CONFIG_LINE_MAX + 1];
    char *account, *address, *hub, *c1, *c2;
    size_t i = config_skip_blanks(s, n, 0), end;
    unsigned k;

    if (i == n || s[i] == '#') {
        return;
    }
    end = i + config_comment_start(s + i, n - i, true, false);
    while (end > i && is_blank(s[end - 1])) {
        end--;
    }
    memcpy(line, s + i, end - i);
    line[end - i] = '\0';
    memset(&a, 0, sizeof(a));
    a.line = p->line;

    c1 = strchr(line, ':');
    if (c1 == NULL) {
        config_fail(p, "expected local_account:outgoing_address[:mailhub[:port]], e.g. "
                       "root:alerts@example.com:smtp.example.com:587");
        return;
    }
    *c1 = '\0';
    account = line;
    address = c1 + 1;
    c2 = strchr(address, ':');
    hub = NULL;
    if (c2 != NULL) {
        *c2 = '\0';
        hub = c2 + 1;
    }
    while (*account != '\0' && is_blank(account[strlen(account) - 1])) {
        account[strlen(account) - 1] = '\0';
    }
    address += strspn(address, " \t");
    while (*address != '\0' && is_blank(address[strlen(address) - 1])) {
        address[strlen(address) - 1] = '\0';
    }
    p->key = NULL;
    if (account[0] == '\0' || strlen(account) > CONFIG_NAME_MAX || config_has_blank(account)) {
        config_fail(p, "expected a local account name (root or an alert name) before ':', got '%s'", account);
        return;
    }
    memcpy(a.account, account, strlen(account) + 1);
    p->key = a.account;
    if (config_check_address(p, address, false) != 0) {
        return;
    }
    memcpy(a.address, address, strlen(address) + 1);
    if (hub != NULL) {
        bool has_port;
        hub += strspn(hub, " \t");
        a.port = CONFIG_DEFAULT_PORT; /* ssmtp: "[:port] ... defaults to 25" */
        if (config_parse_hostport(p, hub, a.mailhub, &a.mailhub_ipv6, &a.port, &has_port) != 0) {
            return;
        }
    }
    for (k = 0; k < cfg->alias_count; k++) {
        if (strcmp(cfg->aliases[k].account, a.account) == 0) {
            config_warn(p, "'%s' already has an entry on line %u; the last one is used, as in ssmtp", a.account,
                        cfg->aliases[k].line);
            cfg->aliases[k] = a;
            return;
        }
    }
    if (cfg->alias_count >= CONFIG_ALIASES_MAX) {
        config_fail(p, "too many entries (at most %d)", CONFIG_ALIASES_MAX);
        return;
    }
    cfg->aliases[cfg->alias_count++] = a;
}

int config_parse_revaliases(struct config *cfg, const char *filename, const char *text, size_t len, config_diag_fn diag,
                            void *diag_ctx)
{
    struct parser p;
    size_t n;

    if (cfg == NULL || (text == NULL && len > 0) || cfg->finished) {
        return CONFIG_ERR_ARG;
    }
    config_parser_begin(&p, cfg, filename != NULL ? filename : "revaliases", diag, diag_ctx);
    n = strlen(p.file);
    if (n >= sizeof(cfg->aliases_file)) {
        n = sizeof(cfg->aliases_file) - 1;
    }
    memcpy(cfg->aliases_file, p.file, n);
    cfg->aliases_file[n] = '\0';
    if (text != NULL) {
        config_for_each_line(&p, text, len, alias_line);
    }
    return p.errors == 0 ? CONFIG_OK : CONFIG_ERR_INVALID;
}

const struct config_alias *config_find_alias(const struct config *cfg, const char *account)
{
    unsigned i;

    for (i = 0; cfg != NULL && account != NULL && i < cfg->alias_count; i++) {
        if (strcmp(cfg->aliases[i].account, account) == 0) {
            return &cfg->aliases[i];
        }
    }
    return NULL;
}
