/*
 * config_harness.h - what test_config and test_config_format share: one configuration parsed from text, the
 * diagnostics it produced (formatted as "file:line: key: severity: message"), and the seed's ssmtp.conf edited.
 * Each parse starts from config_init and an empty log; the results stay until the next parse.
 */
#ifndef TESTS_UNIT_CONFIG_CONFIG_HARNESS_H
#define TESTS_UNIT_CONFIG_CONFIG_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

#define CONFIG_HARNESS_MAX_DIAGS 32
#define CONFIG_HARNESS_DIAG_LEN  (CONFIG_MSG_MAX + 64)

/* Two lines that make a usable config with no warnings; case lines start at line 3. */
#define CONFIG_HARNESS_BASE "MailHub=mx.example.com\nRoot=ops@example.com\n"
#define CONFIG_HARNESS_FP64 \
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

struct config_harness_diag_log {
    unsigned count;
    char text[CONFIG_HARNESS_MAX_DIAGS][CONFIG_HARNESS_DIAG_LEN];
};

extern struct config config_harness_cfg;
extern struct config_harness_diag_log config_harness_diags;

/* The diagnostic callback: ctx is a struct config_harness_diag_log; diagnostics past its room are dropped. */
void config_harness_collect(void *ctx, const struct config_diag *d);
/* Parses len bytes of text as smtp.conf into config_harness_cfg; returns config_finish's result. */
int config_harness_parse_text(const char *text, size_t len);
int config_harness_parse(const char *text);
/* Whether a diagnostic of the last parse contains needle. */
bool config_harness_has_diag(const char *needle);
/* Prints the last parse's diagnostics, for a failing case. */
void config_harness_print_diags(void);
/* The seed with its first `find` (which must be there) replaced by `with`, in a static buffer. */
const char *config_harness_seed_edited(const char *find, const char *with);

#endif /* TESTS_UNIT_CONFIG_CONFIG_HARNESS_H */
