/*
 * Reading the configuration from the SD card at boot, and the `config` command. The parser (config/) never sees a
 * file; this module reads each one whole into a buffer sized to it, which it asks the board for first, so that a
 * wrong file cannot exhaust the heap and a right one is never cut.
 */
#include "firmware/config_load.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "config/config_files.h"
#include "firmware/console.h"
#include "firmware/console_builtin.h"
#include "lib/units.h"

/* "file:line: key: severity: message": the file name and the message are the long parts. */
#define DIAG_LINE_MAX (CONFIG_PATH_MAX + CONFIG_MSG_MAX + 64)
/* The one-line outcome: a fixed text plus a board error or a size. */
#define SUMMARY_MAX 160
/* Room for a reason such as "65537 bytes, more than the 65536 baremail reads". */
#define WHY_MAX 96

/* Zero-initialised on purpose: the struct config is large and belongs in .bss, not in the image. */
static struct {
    bool attempted;
    int result;
    struct config cfg;
    unsigned errors;
    unsigned warnings;
    unsigned diag_count;
    unsigned diags_dropped;
    char diags[CONFIG_LOAD_DIAGS_MAX][DIAG_LINE_MAX];
    char summary[SUMMARY_MAX];
} state;

struct file_buf {
    char *text;
    size_t len;
};

static const char *plural(unsigned n)
{
    return n == 1 ? "" : "s";
}

/* Prints a diagnostic as it is found and keeps it for `config errors`. Counts here rather than in cfg, because the
 * read errors of this module are diagnostics too. */
static void record_diag(void *ctx, const struct config_diag *diag)
{
    char overflow[DIAG_LINE_MAX];
    char *line = overflow;

    (void)ctx;
    if (diag->severity == CONFIG_SEVERITY_ERROR) {
        state.errors++;
    } else {
        state.warnings++;
    }
    if (state.diag_count < CONFIG_LOAD_DIAGS_MAX) {
        line = state.diags[state.diag_count++];
    } else {
        state.diags_dropped++;
    }
    config_diag_format(diag, line, DIAG_LINE_MAX);
    printf("%s\n", line);
}

/*
 * Reads a whole boot-partition file into a malloc'd buffer, refusing files over max bytes. Returns 0, or a
 * BOARD_ERR_* code with the reason in why (BOARD_ERR_TOO_BIG also when max is exceeded or malloc fails).
 */
static int read_boot_file(const char *name, size_t max, struct file_buf *file, char *why, size_t why_size)
{
    size_t size = 0;

    file->text = NULL;
    file->len = 0;
    int err = board_read_boot_file(name, NULL, 0, &size);
    if (err != 0 && err != BOARD_ERR_TOO_BIG) {
        snprintf(why, why_size, "%s", board_strerror(err));
        return err;
    }
    if (!config_files_size_ok(size, max, why, why_size)) {
        return BOARD_ERR_TOO_BIG;
    }
    /* One spare byte so that an empty file still gets a buffer of its own. */
    file->text = malloc(size + 1);
    if (file->text == NULL) {
        snprintf(why, why_size, "out of memory for its %lu bytes", (unsigned long)size);
        return BOARD_ERR_TOO_BIG;
    }
    if (size > 0) {
        err = board_read_boot_file(name, file->text, size, &file->len);
        if (err != 0) {
            snprintf(why, why_size, "%s", board_strerror(err));
            free(file->text);
            file->text = NULL;
            return err;
        }
    }
    return 0;
}

static void report_file_error(const char *name, const char *why)
{
    char message[CONFIG_MSG_MAX];
    struct config_diag diag = { CONFIG_SEVERITY_ERROR, name, 0, NULL, message };

    snprintf(message, sizeof message, "cannot read the file: %s", why);
    record_diag(NULL, &diag);
}

/* Returns false when smtp.conf could not be read at all; state.result and state.summary then say why. */
static bool parse_conf(void)
{
    struct file_buf file;
    char why[WHY_MAX];

    int err = read_boot_file(CONFIG_LOAD_CONF_FILE, CONFIG_LOAD_CONF_MAX, &file, why, sizeof why);
    if (err == BOARD_ERR_NOT_FOUND || err == BOARD_ERR_NO_MEDIA) {
        state.result = CONFIG_LOAD_ERR_NO_CONFIG;
        snprintf(state.summary, sizeof state.summary, "no %s on the SD card's boot partition: %s",
                 CONFIG_LOAD_CONF_FILE, why);
        return false;
    }
    if (err != 0) {
        state.result = CONFIG_LOAD_ERR_UNREADABLE;
        snprintf(state.summary, sizeof state.summary, "cannot read %s from the SD card's boot partition: %s",
                 CONFIG_LOAD_CONF_FILE, why);
        return false;
    }
    config_parse(&state.cfg, CONFIG_LOAD_CONF_FILE, file.text, file.len, record_diag, NULL);
    free(file.text);
    return true;
}

/* revaliases is optional: its absence is normal, but one that is there and cannot be read is an error. */
static void parse_aliases(void)
{
    struct file_buf file;
    char why[WHY_MAX];

    int err = read_boot_file(CONFIG_LOAD_ALIASES_FILE, CONFIG_LOAD_CONF_MAX, &file, why, sizeof why);
    if (err == BOARD_ERR_NOT_FOUND) {
        return;
    }
    if (err != 0) {
        report_file_error(CONFIG_LOAD_ALIASES_FILE, why);
        return;
    }
    config_parse_revaliases(&state.cfg, CONFIG_LOAD_ALIASES_FILE, file.text, file.len, record_diag, NULL);
    free(file.text);
}

/* Which pins alerts may watch is the board's fact (its header, its console); config/ asks through this. */
static const char *check_alert_gpio(void *ctx, unsigned gpio)
{
    (void)ctx;
    return board_input_check(gpio);
}

static void check_named_files(void)
{
    struct config_file files[CONFIG_FILES_MAX];
    size_t count = config_files_list(&state.cfg, files);

    for (size_t i = 0; i < count; i++) {
        struct file_buf file;
        char why[WHY_MAX];

        if (read_boot_file(files[i].path, CONFIG_LOAD_PEM_MAX, &file, why, sizeof why) != 0) {
            config_files_report_unreadable(&state.cfg, &files[i], why, record_diag, NULL);
            continue;
        }
        config_files_check(&state.cfg, &files[i], file.text, file.len, record_diag, NULL);
        free(file.text);
    }
}

int config_load_boot(void)
{
    memset(&state, 0, sizeof state);
    state.attempted = true;
    config_init(&state.cfg);

    if (parse_conf()) {
        parse_aliases();
        config_finish(&state.cfg, record_diag, NULL);
        config_check_alert_gpios(&state.cfg, check_alert_gpio, NULL, CONFIG_SEVERITY_ERROR, record_diag, NULL);
        check_named_files();
        if (state.errors == 0) {
            state.result = CONFIG_LOAD_OK;
            snprintf(state.summary, sizeof state.summary, "configuration loaded from %s on the SD card: %u warning%s",
                     CONFIG_LOAD_CONF_FILE, state.warnings, plural(state.warnings));
        } else {
            state.result = CONFIG_LOAD_ERR_INVALID;
            snprintf(state.summary, sizeof state.summary, "configuration unusable: %u error%s, %u warning%s",
                     state.errors, plural(state.errors), state.warnings, plural(state.warnings));
        }
    }
    printf("%s\n", state.summary);
    board_set_led_status(state.result == CONFIG_LOAD_OK ? BOARD_LED_RUNNING : BOARD_LED_CONFIG_ERROR);
    return state.result;
}

const struct config *config_load_current(void)
{
    return state.attempted && state.result == CONFIG_LOAD_OK ? &state.cfg : NULL;
}

int config_load_result(void)
{
    return state.attempted ? state.result : CONFIG_LOAD_ERR_NOT_LOADED;
}

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

static int show_config(void)
{
    const struct config *cfg = config_load_current();

    if (cfg == NULL) {
        printf("none loaded: %s\n", state.attempted ? state.summary : config_load_strerror(config_load_result()));
        if (state.diag_count > 0) {
            printf("'config errors' lists the problems\n");
        }
        return config_load_result();
    }
    printf("from %s on the SD card (%u warning%s%s)\n", CONFIG_LOAD_CONF_FILE, state.warnings, plural(state.warnings),
           state.warnings > 0 ? ": 'config errors' lists them" : "");
    config_format(cfg, print_line, NULL);
    return CONSOLE_OK;
}

static int show_diags(void)
{
    if (!state.attempted) {
        printf("%s\n", config_load_strerror(CONFIG_LOAD_ERR_NOT_LOADED));
        return CONSOLE_OK;
    }
    for (unsigned i = 0; i < state.diag_count; i++) {
        printf("%s\n", state.diags[i]);
    }
    if (state.diags_dropped > 0) {
        printf("... and %u more\n", state.diags_dropped);
    }
    printf("%s\n", state.summary);
    return CONSOLE_OK;
}

static int cmd_config(int argc, char **argv)
{
    if (argc == 1) {
        return show_config();
    }
    if (argc == 2 && strcmp(argv[1], "errors") == 0) {
        return show_diags();
    }
    printf("usage: config [errors]\n");
    return CONSOLE_ERR_USAGE;
}

static void print_status(void)
{
    printf("config:   %s\n", state.attempted ? state.summary : config_load_strerror(CONFIG_LOAD_ERR_NOT_LOADED));
}

/* clang-format off */
static const struct console_cmd config_cmds[] = {
    { "config", "[errors]", "the configuration from the SD card (secrets masked), or its errors and warnings",
      cmd_config },
};
/* clang-format on */

int config_load_register(void)
{
    int err = console_register(config_cmds, ARRAY_SIZE(config_cmds));
    if (err != CONSOLE_OK) {
        return err;
    }
    return console_builtin_add_status(print_status);
}

const char *config_load_strerror(int err)
{
    switch (err) {
    case CONFIG_LOAD_OK: return "configuration loaded";
    case CONFIG_LOAD_ERR_NOT_LOADED: return "the configuration has not been read";
    case CONFIG_LOAD_ERR_NO_CONFIG: return "no smtp.conf on the SD card";
    case CONFIG_LOAD_ERR_UNREADABLE: return "smtp.conf could not be read";
    case CONFIG_LOAD_ERR_INVALID: return "the configuration has errors";
    default: return "unknown configuration error";
    }
}
