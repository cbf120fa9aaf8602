/*
 * config_files - the files a configuration names, and the check of their contents (see config_files.h).
 */
#include "config/config_files.h"

#include <stdio.h>
#include <string.h>

#include "config/pem.h"

static void add(struct config_file *files, size_t *count, const char *key, const char *name, const char *label)
{
    const char *path = name;

    /* smtp.conf sits at the root of the boot partition: "/ca.pem" and "ca.pem" are the same file. */
    while (*path == '/') {
        path++;
    }
    files[*count] = (struct config_file){ key, name, path, label };
    (*count)++;
}

size_t config_files_list(const struct config *cfg, struct config_file files[CONFIG_FILES_MAX])
{
    size_t count = 0;

    if (cfg == NULL || files == NULL || !cfg->use_tls) {
        return 0;
    }
    if (cfg->tls_ca_file[0] != '\0') {
        add(files, &count, "TLS_CA_File", cfg->tls_ca_file, "CERTIFICATE");
    }
    if (cfg->use_tls_cert && cfg->tls_cert[0] != '\0') {
        /* config_finish copied TLSCert into an unset TLSKey: then one file holds both, in any order. */
        bool combined = strcmp(cfg->tls_key, cfg->tls_cert) == 0;

        add(files, &count, "TLSCert", cfg->tls_cert, combined ? "" : "CERTIFICATE");
        if (!combined && cfg->tls_key[0] != '\0') {
            add(files, &count, "TLSKey", cfg->tls_key, "PRIVATE KEY");
        }
    }
    return count;
}

static void report(struct config *cfg, const struct config_file *file, enum config_severity sev, const char *message,
                   config_diag_fn diag, void *diag_ctx)
{
    struct config_diag d = { sev, cfg->conf_file, config_key_line(cfg, file->key), file->key, message };

    if (sev == CONFIG_SEVERITY_ERROR) {
        cfg->error_count++;
    } else {
        cfg->warning_count++;
    }
    if (diag != NULL) {
        diag(diag_ctx, &d);
    }
}

int config_files_check(struct config *cfg, const struct config_file *file, const char *text, size_t len,
                       config_diag_fn diag, void *diag_ctx)
{
    char msg[CONFIG_MSG_MAX];
    struct pem_summary summary;
    int err;

    if (cfg == NULL || file == NULL || (text == NULL && len > 0)) {
        return CONFIG_ERR_ARG;
    }
    err = pem_check(text != NULL ? text : "", len, file->label, &summary);
    if (err != PEM_OK) {
        snprintf(msg, sizeof(msg), "'%s' is not usable PEM: %s", file->name, pem_strerror(err));
        report(cfg, file, CONFIG_SEVERITY_ERROR, msg, diag, diag_ctx);
        return CONFIG_ERR_INVALID;
    }
    if (!summary.labels_match) {
        snprintf(msg, sizeof(msg), "'%s' is PEM but holds something other than %s blocks", file->name, file->label);
        report(cfg, file, CONFIG_SEVERITY_WARNING, msg, diag, diag_ctx);
    }
    return CONFIG_OK;
}

bool config_files_size_ok(size_t size, size_t max, char *why, size_t why_size)
{
    if (size <= max) {
        return true;
    }
    if (why != NULL && why_size > 0) {
        snprintf(why, why_size, "%lu bytes, more than the %lu baremail reads", (unsigned long)size, (unsigned long)max);
    }
    return false;
}

void config_files_report_unreadable(struct config *cfg, const struct config_file *file, const char *why,
                                    config_diag_fn diag, void *diag_ctx)
{
    char msg[CONFIG_MSG_MAX];

    if (cfg == NULL || file == NULL) {
        return;
    }
    snprintf(msg, sizeof(msg), "cannot read '%s': %s", file->name, why != NULL ? why : "unknown reason");
    report(cfg, file, CONFIG_SEVERITY_ERROR, msg, diag, diag_ctx);
}
