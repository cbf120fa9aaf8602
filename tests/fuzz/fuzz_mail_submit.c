/*
 * libFuzzer target for the sendmail path (mail/mail_submit) and what it leans on: the header field scanner,
 * the address-list parser, the transfer-encoding scan and the quoted-printable re-encoder.
 *
 * Input: one flag byte (bit 0: -t, bit 1: FromLineOverride=YES, bit 2: no clock), then the message text. Without
 * -t the first line is the recipient argument and the message follows it. Besides ASan/UBSan findings, a bug is: a prepared message
 * with a bare CR or LF, with a Bcc field left in its header, with a header line over 998 octets or a control
 * octet in its header, not ending in CRLF, longer than its buffer; a recipient that is not a valid NUL-terminated
 * addr-spec; a re-encoded message with an 8-bit body, or one that does not fit mail_mime_downgrade_max().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "mail/mail.h"
#include "mail/mail_addr.h"
#include "mail/mail_mime.h"
#include "mail/mail_submit.h"

#define OUT_SIZE 65536

static const char conf_yes[] = "root=alerts@example.com\nmailhub=smtp.example.com:587\nrewriteDomain=example.com\n"
                               "hostname=MiniProjet SMTP Unix\nFromLineOverride=YES\nAddHeader=X-Fuzz: 1\n";
static const char aliases[] = "root:alerts@example.com\n";

static void ignore(void *ctx, const struct config_diag *d)
{
    (void)ctx;
    (void)d;
}

static void load(struct config *cfg, bool override)
{
    config_init(cfg);
    config_parse(cfg, "smtp.conf", conf_yes, strlen(conf_yes), ignore, NULL);
    config_parse_revaliases(cfg, "revaliases", aliases, strlen(aliases), ignore, NULL);
    if (config_finish(cfg, ignore, NULL) != CONFIG_OK) {
        abort();
    }
    cfg->from_line_override = override;
}

static void check_crlf(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')) {
            abort();
        }
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            abort();
        }
    }
    if (n < 2 || s[n - 2] != '\r' || s[n - 1] != '\n') {
        abort();
    }
}

/* No header line (before the first empty line) may be a Bcc field, be over 998 octets or hold a control octet. */
static void check_header(const char *s, size_t n)
{
    size_t pos = 0, i;

    while (pos < n) {
        size_t next, end = mail_mime_line(s, n, pos, &next);
        if (end == pos) {
            return;
        }
        if (end - pos >= 4 && (s[pos] | 0x20) == 'b' && (s[pos + 1] | 0x20) == 'c' && (s[pos + 2] | 0x20) == 'c' &&
            s[pos + 3] == ':') {
            abort();
        }
        if (end - pos > MAIL_LINE_MAX) {
            abort();
        }
        for (i = pos; i < end; i++) {
            if (mail_mime_is_control((unsigned char)s[i])) {
                abort();
            }
        }
        pos = next;
    }
}

static int count_addr(void *ctx, const char *addr)
{
    (void)ctx;
    if (strlen(addr) > MAIL_ADDR_MAX) {
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct config cfg_yes, cfg_no;
    static bool loaded;
    static char out[OUT_SIZE], again[OUT_SIZE * 4], arg[MAIL_ADDR_MAX * 2];
    static struct mail_submit_result res;
    struct mail_submit_opts o = { .account = "root", .from_name = "root", .unique = 42 };
    const char *text = (const char *)data + 1;
    const char *args[1] = { arg };
    size_t len, first_line, next, again_len;
    unsigned i;

    if (!loaded) {
        load(&cfg_yes, true);
        load(&cfg_no, false);
        loaded = true;
    }
    if (size < 1) {
        return 0;
    }
    len = size - 1;
    o.read_recipients = (data[0] & 1) != 0;
    o.date = (data[0] & 4) != 0 ? -1 : INT64_C(1795869296);
    if (!o.read_recipients) {
        first_line = mail_mime_line(text, len, 0, &next);
        if (first_line >= sizeof(arg)) {
            first_line = sizeof(arg) - 1;
        }
        memcpy(arg, text, first_line);
        arg[first_line] = '\0';
        text += next;
        len -= next;
        o.args = args;
        o.arg_count = 1;
    }
    mail_addr_parse_list(text, len, count_addr, NULL);

    if (mail_submit_prepare((data[0] & 2) != 0 ? &cfg_yes : &cfg_no, &o, text, len, out, sizeof(out), &res) !=
        MAIL_OK) {
        return 0;
    }
    if (res.len > sizeof(out) || res.rcpt_count == 0 || res.rcpt_count > MAIL_RCPT_MAX) {
        abort();
    }
    check_crlf(out, res.len);
    check_header(out, res.len);
    if (!mail_addr_is_valid(res.sender)) {
        abort();
    }
    for (i = 0; i < res.rcpt_count; i++) {
        if (memchr(res.rcpt[i], '\0', sizeof(res.rcpt[i])) == NULL || !mail_addr_is_valid(res.rcpt[i])) {
            abort();
        }
    }
    if (mail_mime_downgrade_max(res.len) > sizeof(again)) {
        abort();
    }
    switch (mail_mime_downgrade(out, res.len, again, mail_mime_downgrade_max(res.len), &again_len)) {
    case MAIL_ERR_UNSUPPORTED: return 0;
    case MAIL_OK: break;
    default: abort();
    }
    {
        struct mail_mime_scan scan;
        size_t body = 0;
        check_crlf(again, again_len);
        /* the body after the first empty line is 7-bit with short lines */
        while (body < again_len && mail_mime_line(again, again_len, body, &next) != body) {
            body = next;
        }
        mail_mime_scan(again + next, again_len - next, &scan);
        if (scan.has_8bit || scan.longest_line > 76) {
            abort();
        }
    }
    return 0;
}
