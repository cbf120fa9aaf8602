/*
 * smtpconf-check - check an smtp.conf (and revaliases) on the PC before it goes on the SD card.
 *
 *   smtpconf-check FILE [--revaliases FILE]
 *
 * Runs the firmware's own parser (config/), prints every error and warning on stderr as
 * "file:line: key: error|warning: message" (each file's in line order), the effective configuration on stdout
 * with secrets masked, and
 * checks that the files the configuration names (TLS_CA_File, TLSCert, TLSKey) exist next to the config file
 * (they are copied to the card's boot partition with it) and are well-formed PEM. The contents of those files,
 * the private key in particular, are never printed. Files larger than the firmware reads (config/config_files.h)
 * are refused as the firmware refuses them. Alert pins are checked with the board's own rule (board/pi_header.h):
 * refused as the firmware on a 40-pin board refuses them, and a warning for pins the 26-pin header of the first
 * Pi 1 Model A and B does not carry.
 * Exit status: 0 usable (warnings allowed), 1 errors, 2 usage.
 */
#include "board/pi_header.h"
#include "config/config.h"
#include "config/config_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PATH_BUF 4096
#define WHY_MAX  96

struct tool {
    unsigned errors;
    unsigned warnings;
};

/* Diagnostics are kept and printed sorted: config_finish and the file checks find theirs after the parse, on
 * earlier lines. Files keep the order they were first named in; within one, line order, then finding order; those
 * about the file as a whole (line 0: "MailHub: not set") come after its lines, of which they are often the
 * consequence (a misspelt MailHub). */
struct held_diag {
    unsigned file;
    unsigned line;
    size_t order;
    char *text;
};

static struct {
    struct held_diag *list;
    size_t count;
    size_t cap;
    const char *files[4]; /* smtp.conf, revaliases, and the key names' file: the same as smtp.conf */
    unsigned file_count;
} held;

static unsigned file_index(const char *file)
{
    unsigned i;

    for (i = 0; i < held.file_count; i++) {
        if (strcmp(held.files[i], file) == 0) {
            return i;
        }
    }
    if (held.file_count < sizeof(held.files) / sizeof(held.files[0])) {
        held.files[held.file_count++] = file;
    }
    return i;
}

static void out_of_memory(void)
{
    fprintf(stderr, "smtpconf-check: out of memory\n");
    exit(2);
}

static void print_diag(void *ctx, const struct config_diag *d)
{
    char line[CONFIG_MSG_MAX + PATH_BUF];
    struct held_diag *h;

    (void)ctx;
    config_diag_format(d, line, sizeof(line));
    if (held.count == held.cap) {
        held.cap = held.cap != 0 ? 2 * held.cap : 32;
        held.list = realloc(held.list, held.cap * sizeof(*held.list));
        if (held.list == NULL) {
            out_of_memory();
        }
    }
    h = &held.list[held.count];
    h->file = file_index(d->file != NULL ? d->file : "");
    h->line = d->line;
    h->order = held.count++;
    h->text = strdup(line);
    if (h->text == NULL) {
        out_of_memory();
    }
}

static int diag_order(const void *a, const void *b)
{
    const struct held_diag *x = a, *y = b;

    if (x->file != y->file) {
        return x->file < y->file ? -1 : 1;
    }
    if (x->line != y->line) {
        return x->line - 1u < y->line - 1u ? -1 : 1; /* line 0 wraps round to the end */
    }
    return x->order < y->order ? -1 : (x->order > y->order ? 1 : 0);
}

static void flush_diags(void)
{
    size_t i;

    qsort(held.list, held.count, sizeof(*held.list), diag_order);
    for (i = 0; i < held.count; i++) {
        fprintf(stderr, "%s\n", held.list[i].text);
        free(held.list[i].text);
    }
    free(held.list);
    held.list = NULL;
    held.count = held.cap = 0;
}

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

/* Read a whole regular file of at most `max` bytes; returns a malloc'd buffer, or NULL with the reason in why. */
static char *read_file(const char *path, size_t max, size_t *len, char *why, size_t why_size)
{
    struct stat st;
    FILE *f;
    char *buf;
    size_t size;

    if (stat(path, &st) != 0) {
        snprintf(why, why_size, "%s", strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(why, why_size, "is a directory, not a file");
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "not a regular file");
        return NULL;
    }
    size = (size_t)st.st_size;
    if (!config_files_size_ok(size, max, why, why_size)) {
        return NULL;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, why_size, "%s", strerror(errno));
        return NULL;
    }
    buf = malloc(size + 1);
    if (buf == NULL || fread(buf, 1, size, f) != size) {
        snprintf(why, why_size, "%s", buf == NULL ? "out of memory" : "read error");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[size] = '\0';
    *len = size;
    return buf;
}

static void tool_report(struct tool *t, enum config_severity sev, const char *file, unsigned line, const char *key,
                        const char *message)
{
    struct config_diag d = { sev, file, line, key, message };

    if (sev == CONFIG_SEVERITY_ERROR) {
        t->errors++;
    } else {
        t->warnings++;
    }
    print_diag(NULL, &d);
}

/* Check one file named by the config: it exists relative to the config's directory and is PEM of the right kind. */
static void check_named_file(struct config *cfg, const char *dir, const struct config_file *file)
{
    /* dir is at most PATH_BUF - 1 characters, the name at most CONFIG_PATH_MAX; both fit, with the separator. */
    char path[PATH_BUF + CONFIG_PATH_MAX + 1], why[sizeof(path) + WHY_MAX + 128], err[WHY_MAX];
    size_t len;
    char *text;

    snprintf(path, sizeof(path), "%s/%s", dir, file->path);
    text = read_file(path, CONFIG_FILES_PEM_MAX, &len, err, sizeof(err));
    if (text == NULL) {
        snprintf(why, sizeof(why),
                 "%s (looked for %s; files named here must be copied to the card next to "
                 "the config)",
                 err, path);
        config_files_report_unreadable(cfg, file, why, print_diag, NULL);
        return;
    }
    config_files_check(cfg, file, text, len, print_diag, NULL);
    free(text);
}

/* The firmware on any 40-pin board (every supported model but the first Pi 1 A and B) gives the same answer. */
static const char *check_gpio_40pin(void *ctx, unsigned gpio)
{
    (void)ctx;
    return pi_header_check(PI_HEADER_40, gpio);
}

/* Pins the 40-pin header has and neither layout of the 26-pin one: refused on a Pi 1 A or B only. */
static const char *check_gpio_26pin(void *ctx, unsigned gpio)
{
    (void)ctx;
    if (pi_header_check(PI_HEADER_40, gpio) != NULL || pi_header_check(PI_HEADER_26_REV2, gpio) == NULL ||
        pi_header_check(PI_HEADER_26_REV1, gpio) == NULL) {
        return NULL;
    }
    return "on the 40-pin header only: a Pi 1 Model A or B (26-pin header) would refuse it";
}

static void usage(void)
{
    fprintf(stderr, "usage: smtpconf-check FILE [--revaliases FILE]\n"
                    "Checks an smtp.conf for baremail: prints errors and warnings (file:line: key: message)\n"
                    "and the effective configuration with secrets masked. Exit 0 usable, 1 errors.\n");
}

int main(int argc, char **argv)
{
    static struct config cfg;
    const char *conf = NULL, *aliases = NULL;
    char dir[PATH_BUF], why[WHY_MAX];
    struct config_file files[CONFIG_FILES_MAX];
    size_t n_files;
    struct tool t = { 0, 0 };
    char *text;
    size_t len;
    char *slash;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--revaliases") == 0 && i + 1 < argc) {
            aliases = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if (argv[i][0] != '-' && conf == NULL) {
            conf = argv[i];
        } else {
            usage();
            return 2;
        }
    }
    if (conf == NULL) {
        usage();
        return 2;
    }

    config_init(&cfg);
    text = read_file(conf, CONFIG_FILES_CONF_MAX, &len, why, sizeof(why));
    if (text == NULL) {
        tool_report(&t, CONFIG_SEVERITY_ERROR, conf, 0, NULL, why);
        flush_diags();
        fprintf(stderr, "%s: not usable: cannot read the file\n", conf);
        return 1;
    }
    config_parse(&cfg, conf, text, len, print_diag, NULL);
    free(text);
    if (aliases != NULL) {
        text = read_file(aliases, CONFIG_FILES_CONF_MAX, &len, why, sizeof(why));
        if (text == NULL) {
            tool_report(&t, CONFIG_SEVERITY_ERROR, aliases, 0, NULL, why);
        } else {
            config_parse_revaliases(&cfg, aliases, text, len, print_diag, NULL);
            free(text);
        }
    }
    config_finish(&cfg, print_diag, NULL);
    config_check_alert_gpios(&cfg, check_gpio_40pin, NULL, CONFIG_SEVERITY_ERROR, print_diag, NULL);
    config_check_alert_gpios(&cfg, check_gpio_26pin, NULL, CONFIG_SEVERITY_WARNING, print_diag, NULL);

    snprintf(dir, sizeof(dir), "%s", conf);
    slash = strrchr(dir, '/');
    if (slash != NULL) {
        *slash = '\0';
    } else {
        snprintf(dir, sizeof(dir), ".");
    }
    if (slash == dir) {
        snprintf(dir, sizeof(dir), "/");
    }
    n_files = config_files_list(&cfg, files);
    for (size_t f = 0; f < n_files; f++) {
        check_named_file(&cfg, dir, &files[f]);
    }

    flush_diags();
    config_format(&cfg, print_line, NULL);
    t.errors += cfg.error_count;
    t.warnings += cfg.warning_count;
    fprintf(stderr, "%s: %u error%s, %u warning%s: %s\n", conf, t.errors, t.errors == 1 ? "" : "s", t.warnings,
            t.warnings == 1 ? "" : "s", t.errors == 0 ? "usable" : "NOT usable");
    return t.errors == 0 ? 0 : 1;
}
