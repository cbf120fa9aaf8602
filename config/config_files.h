/*
 * config_files - the files a configuration names (TLS_CA_File, TLSCert, TLSKey): which must exist, and whether
 * what they hold is usable.
 *
 * Shared by tools/smtpconf-check (files next to smtp.conf on the PC) and the firmware (files on the SD card's boot
 * partition), so both apply the same rules and print the same messages. Reading the files is the caller's job;
 * this module says which to read and checks the text it is given.
 *
 * Rules: libc only, no I/O, no malloc. Problems are reported through the config_diag_fn of config.h on the line
 * of the key that names the file, and counted in cfg->error_count / cfg->warning_count like the parser's own.
 * A file's contents (a private key in particular) never appear in a message. Not thread-safe.
 */
#ifndef CONFIG_CONFIG_FILES_H
#define CONFIG_CONFIG_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* CA bundle, client certificate, client key. */
#define CONFIG_FILES_MAX 3

/* The largest files read, by the firmware from the card and by tools/smtpconf-check from the PC, so that the
 * checker never passes a file the device would refuse. smtp.conf and revaliases: a configuration with every key
 * and CONFIG_ALERTS_MAX alerts is under 16 KiB, and the bound keeps a wrong file (an image saved under that name)
 * from taking the heap. PEM: Debian's whole CA bundle (ca-certificates.crt) is about 215 KiB. */
#ifndef CONFIG_FILES_CONF_MAX
#define CONFIG_FILES_CONF_MAX (64u * 1024u)
#endif
#ifndef CONFIG_FILES_PEM_MAX
#define CONFIG_FILES_PEM_MAX (256u * 1024u)
#endif

/* One named file. The strings point into the struct config it came from and live as long as it does. */
struct config_file {
    const char *key;   /* the key that names it: "TLS_CA_File", "TLSCert" or "TLSKey" */
    const char *name;  /* as written in the config, for messages */
    const char *path;  /* relative to the boot partition's root: name without leading '/' */
    const char *label; /* PEM label suffix its blocks should have ("CERTIFICATE"); "" accepts any */
};

/*
 * Fill `files` with the files `cfg` needs: TLS_CA_File when TLS is on and it is set; with UseTLSCert, TLSCert and
 * TLSKey, or TLSCert alone when the key shares the certificate's file (ssmtp's convention). Call after
 * config_finish. Returns how many entries were filled (0 to CONFIG_FILES_MAX).
 */
size_t config_files_list(const struct config *cfg, struct config_file files[CONFIG_FILES_MAX]);

/*
 * Check the text of `file` (`len` bytes, need not be NUL-terminated): an error when it is not well-formed PEM
 * (or is an encrypted key), a warning when its blocks have another label than expected. Returns 0 when the file
 * is usable (a warning allowed), CONFIG_ERR_INVALID when an error was reported, CONFIG_ERR_ARG on NULL arguments.
 */
int config_files_check(struct config *cfg, const struct config_file *file, const char *text, size_t len,
                       config_diag_fn diag, void *diag_ctx);

/* Whether a file of `size` bytes is within `max` (CONFIG_FILES_CONF_MAX or CONFIG_FILES_PEM_MAX). Returns true when
 * it is; otherwise writes the reason both readers print ("70000 bytes, more than the 65536 baremail reads") into
 * `why` (always NUL-terminated when why_size > 0) and returns false. */
bool config_files_size_ok(size_t size, size_t max, char *why, size_t why_size);

/* Report, as an error, that `file` could not be read: "cannot read 'NAME': WHY". */
void config_files_report_unreadable(struct config *cfg, const struct config_file *file, const char *why,
                                    config_diag_fn diag, void *diag_ctx);

#endif /* CONFIG_CONFIG_FILES_H */
