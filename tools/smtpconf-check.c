/*
 * smtpconf-check - check an smtp.conf (and revaliases) on the PC before it goes on the SD card.
 *
 *   smtpconf-check FILE [--revaliases FILE]
 *
 * Runs the firmware's own parser (config/), prints every error and warning on stderr as
 * "file:line: key: error|warning: message", the effective configuration on stdout with secrets masked, and
 * checks that the files the configuration names (TLS_CA_File, TLSCert, TLSKey) exist next to the config file
 * (they are copied to the card's boot partition with it) and are well-formed PEM. The contents of those files,
 * the private key in particular, are never printed. Alert pins are checked with the board's own rule
 * (board/pi_header.h): refused as the firmware on a 40-pin board refuses them, and a warning for pins the 26-pin
 * header of the first Pi 1 Model A and B does not carry.
 * Exit status: 0 usable (warnings allowed), 1 errors, 2 usage.
 */
#include "board/pi_header.h"
#include "config/config.h"
#include "config/config_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Real configs are a few KiB; CA bundles are a few hundred KiB. */
#define CONF_FILE_MAX (1024L * 1024L)
#define PEM_FILE_MAX (4L * 1024L * 1024L)
#define PATH_BUF 4096

struct tool {
	unsigned errors;
	unsigned warnings;
};

static void print_diag(void *ctx, const struct config_diag *d)
{
	char line[CONFIG_MSG_MAX + PATH_BUF];

	(void)ctx;
	config_diag_format(d, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

/* Read a whole file; returns a malloc'd buffer or NULL with errno-style text in *why. */
static char *read_file(const char *path, long max, size_t *len, const char **why)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (f == NULL) {
		*why = strerror(errno);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		*why = "cannot determine the size (not a regular file?)";
		fclose(f);
		return NULL;
	}
	if (size > max) {
		*why = "file too large";
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		*why = buf == NULL ? "out of memory" : "read error";
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

static void tool_report(struct tool *t, enum config_severity sev, const char *file, unsigned line, const char *key,
			const char *message)
{
	struct config_diag d = { sev, file, line, key, message };

	if (sev == CONFIG_SEVERITY_ERROR)
		t->errors++;
	else
		t->warnings++;
	print_diag(NULL, &d);
}

/* Check one file named by the config: it exists relative to the config's directory and is PEM of the right kind. */
static void check_named_file(struct config *cfg, const char *dir, const struct config_file *file)
{
	/* dir is at most PATH_BUF - 1 characters, the name at most CONFIG_PATH_MAX; both fit, with the separator. */
	char path[PATH_BUF + CONFIG_PATH_MAX + 1], why[sizeof(path) + 128];
	const char *err;
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, file->path);
	text = read_file(path, PEM_FILE_MAX, &len, &err);
	if (text == NULL) {
		snprintf(why, sizeof(why), "%s (looked for %s; files named here must be copied to the card next to "
			 "the config)", err, path);
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
	    pi_header_check(PI_HEADER_26_REV1, gpio) == NULL)
		return NULL;
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
	const char *conf = NULL, *aliases = NULL, *why;
	char dir[PATH_BUF];
	struct config_file files[CONFIG_FILES_MAX];
	size_t n_files;
	struct tool t = { 0, 0 };
	char *text;
	size_t len;
	char *slash;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--revaliases") == 0 && i + 1 < argc)
			aliases = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		} else if (argv[i][0] != '-' && conf == NULL)
			conf = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if (conf == NULL) {
		usage();
		return 2;
	}

	config_init(&cfg);
	text = read_file(conf, CONF_FILE_MAX, &len, &why);
	if (text == NULL) {
		tool_report(&t, CONFIG_SEVERITY_ERROR, conf, 0, NULL, why);
		fprintf(stderr, "%s: not usable: cannot read the file\n", conf);
		return 1;
	}
	config_parse(&cfg, conf, text, len, print_diag, NULL);
	free(text);
	if (aliases != NULL) {
		text = read_file(aliases, CONF_FILE_MAX, &len, &why);
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
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (slash == dir)
		snprintf(dir, sizeof(dir), "/");
	n_files = config_files_list(&cfg, files);
	for (size_t f = 0; f < n_files; f++)
		check_named_file(&cfg, dir, &files[f]);

	config_format(&cfg, print_line, NULL);
	t.errors += cfg.error_count;
	t.warnings += cfg.warning_count;
	fprintf(stderr, "%s: %u error%s, %u warning%s: %s\n", conf, t.errors, t.errors == 1 ? "" : "s", t.warnings,
		t.warnings == 1 ? "" : "s", t.errors == 0 ? "usable" : "NOT usable");
	return t.errors == 0 ? 0 : 1;
}
