/*
 * config_load.h - the configuration on the SD card: read at boot, kept for the other modules, shown by `config`.
 *
 * config_load_boot() reads smtp.conf (required) and revaliases (optional) from the boot partition, parses them
 * with config/, checks that the files the configuration names (TLS_CA_File, TLSCert, TLSKey) are on the card and
 * are PEM, asks the board whether each Alert's pin may be watched (board_input_check()), and prints every
 * diagnostic on the console as "smtp.conf:12: MailHubb: error: unknown key; did you mean MailHub?". The ACT LED
 * shows RUNNING when the configuration is usable (warnings allowed) and CONFIG_ERROR otherwise. A missing or broken configuration never stops the firmware: the console stays usable so that the user
 * can read what is wrong, and the modules that need a configuration find none (config_load_current() is NULL).
 *
 * Rules: main-loop context only, like everything in firmware/. File buffers are malloc'd for the time one file is
 * parsed or checked and freed before config_load_boot() returns; the effective configuration and the diagnostics
 * of the last load are static and owned here. Secrets (AuthPass, AuthToken, the TLS key's contents) never reach
 * the console: config/ masks them and never puts them in a diagnostic.
 */
#ifndef FIRMWARE_CONFIG_LOAD_H
#define FIRMWARE_CONFIG_LOAD_H

#include "config/config.h"
#include "config/config_files.h"
#include "lib/err.h"

#define CONFIG_LOAD_CONF_FILE    "smtp.conf"
#define CONFIG_LOAD_ALIASES_FILE "revaliases"

/* Largest smtp.conf or revaliases, and largest PEM file, read: the limits tools/smtpconf-check applies too. */
#define CONFIG_LOAD_CONF_MAX CONFIG_FILES_CONF_MAX
#define CONFIG_LOAD_PEM_MAX  CONFIG_FILES_PEM_MAX
/* Diagnostics kept for `config errors`; a file with more has bigger problems, and the count of the rest is kept. */
#ifndef CONFIG_LOAD_DIAGS_MAX
#define CONFIG_LOAD_DIAGS_MAX 32
#endif

enum {
    CONFIG_LOAD_OK = 0,
    CONFIG_LOAD_ERR_NOT_LOADED = -ERR_BASE_CONFIG_LOAD - 1, /* config_load_boot() has not run */
    /* no SD card, no FAT boot partition, or no smtp.conf on it */
    CONFIG_LOAD_ERR_NO_CONFIG = -ERR_BASE_CONFIG_LOAD - 2,
    /* smtp.conf is there but could not be read (I/O error, too big, no memory) */
    CONFIG_LOAD_ERR_UNREADABLE = -ERR_BASE_CONFIG_LOAD - 3,
    /* the configuration has errors; `config errors` lists them */
    CONFIG_LOAD_ERR_INVALID = -ERR_BASE_CONFIG_LOAD - 4,
};

/*
 * Reads, checks and reports the configuration as described above; replaces the result of an earlier call.
 * Call after board_init() (it prints on the console and reads the card); it may take a few hundred milliseconds
 * at first use of the card. Returns CONFIG_LOAD_OK when the configuration is usable, else one of the errors.
 */
int config_load_boot(void);

/* The effective configuration, or NULL when the last load did not give a usable one. Valid until the next
 * config_load_boot(); callers must not keep pointers into it across one. */
const struct config *config_load_current(void);

/* What the last config_load_boot() returned (CONFIG_LOAD_ERR_NOT_LOADED before the first). */
int config_load_result(void);

/* Adds the `config` console command (`config` prints the effective configuration, secrets masked; `config errors`
 * the diagnostics of the last load) and a line to `status`. Call after console_builtin_register(). Returns 0 or
 * the console's error code. */
int config_load_register(void);

const char *config_load_strerror(int err);

#endif /* FIRMWARE_CONFIG_LOAD_H */
