/*
 * config_harness.c - the config_harness_parse-and-config_harness_collect helpers test_config and test_config_format share (config_harness.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config_harness.h"
#include "ssmtp_seed.h"

struct config config_harness_cfg;
struct config_harness_diag_log config_harness_diags;

void config_harness_collect(void *ctx, const struct config_diag *d)
{
    struct config_harness_diag_log *log = ctx;

    if (log->count < CONFIG_HARNESS_MAX_DIAGS) {
        config_diag_format(d, log->text[log->count++], CONFIG_HARNESS_DIAG_LEN);
    }
}

int config_harness_parse_text(const char *text, size_t len)
{
    memset(&config_harness_diags, 0, sizeof(config_harness_diags));
    config_init(&config_harness_cfg);
    config_parse(&config_harness_cfg, "smtp.conf", text, len, config_harness_collect, &config_harness_diags);
    return config_finish(&config_harness_cfg, config_harness_collect, &config_harness_diags);
}

int config_harness_parse(const char *text)
{
    return config_harness_parse_text(text, strlen(text));
}

bool config_harness_has_diag(const char *needle)
{
    unsigned i;

    for (i = 0; i < config_harness_diags.count; i++) {
        if (strstr(config_harness_diags.text[i], needle) != NULL) {
            return true;
        }
    }
    return false;
}

void config_harness_print_diags(void)
{
    unsigned i;

    for (i = 0; i < config_harness_diags.count; i++) {
        print_message("  diag: %s\n", config_harness_diags.text[i]);
    }
}
const char *config_harness_seed_edited(const char *find, const char *with)
{
    static char text[sizeof(ssmtp_seed_conf) + 64];
    const char *at = strstr(ssmtp_seed_conf, find);
    size_t before = (size_t)(at - ssmtp_seed_conf);

    assert_non_null(at);
    snprintf(text, sizeof(text), "%.*s%s%s", (int)before, ssmtp_seed_conf, with, at + strlen(find));
    return text;
}
