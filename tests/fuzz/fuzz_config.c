/*
 * libFuzzer target for config/: the input is split at the first NUL byte into an smtp.conf and a revaliases
 * text, both parsed, finished and formatted, and every alert's templates expanded. Anything ASan/UBSan flags, a
 * diagnostic or formatted line that is not a NUL-terminated string of bounded length, or an accepted template that
 * the expander refuses or expands to another length than it measured, is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static void check_diag(void *ctx, const struct config_diag *d)
{
    char buf[CONFIG_MSG_MAX + CONFIG_PATH_MAX + 64];

    (void)ctx;
    if (strlen(d->message) >= CONFIG_MSG_MAX) {
        abort();
    }
    config_diag_format(d, buf, sizeof(buf));
}

static void check_line(void *ctx, const char *line)
{
    (void)ctx;
    if (strlen(line) > CONFIG_LINE_MAX) {
        abort();
    }
}

/* Expand into a buffer that fits and into one a byte short: the length measured, then an overflow, never a cut. */
static void check_template(const char *tmpl)
{
    static const char *const values[CONFIG_PH_COUNT] = { "door", "triggered", "17", "2026-11-28T12:34:56Z",
                                                         "host.example" };
    static char buf[CONFIG_BODY_MAX * 20 + 1];
    int n = config_template_expand(tmpl, values, NULL, 0, NULL);

    if (n < 0 || (size_t)n >= sizeof(buf) || config_template_expand(tmpl, values, buf, sizeof(buf), NULL) != n ||
        strlen(buf) != (size_t)n) {
        abort();
    }
    if (config_template_expand(tmpl, values, buf, (size_t)n, NULL) != CONFIG_ERR_OVERFLOW ||
        (n > 0 && buf[0] != '\0')) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct config cfg;
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t conf_len = nul != NULL ? (size_t)(nul - text) : size;

    config_init(&cfg);
    config_parse(&cfg, "smtp.conf", text, conf_len, check_diag, NULL);
    if (nul != NULL) {
        config_parse_revaliases(&cfg, "revaliases", nul + 1, size - conf_len - 1, check_diag, NULL);
    }
    config_finish(&cfg, check_diag, NULL);
    if (cfg.alert_count > CONFIG_ALERTS_MAX || cfg.alias_count > CONFIG_ALIASES_MAX ||
        cfg.header_count > CONFIG_HEADERS_MAX || cfg.dns_count > CONFIG_DNS_MAX) {
        abort();
    }
    config_format(&cfg, check_line, NULL);
    for (unsigned i = 0; i < cfg.alert_count; i++) {
        check_template(cfg.alerts[i].subject);
        check_template(cfg.alerts[i].body);
    }
    return 0;
}
