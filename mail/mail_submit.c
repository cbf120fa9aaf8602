/*
 * mail_submit - sendmail-style preparation of a user's message, as ssmtp does it (see mail_submit.h).
 */
#include "mail/mail_submit.h"

#include <stdio.h>
#include <string.h>

#include "mail/mail_addr.h"
#include "mail/mail_header.h"
#include "mail/mail_mime.h"

struct rcpt_ctx {
    const struct config *cfg;
    struct mail_submit_result *res;
};

/* What the header says, gathered before anything is written. */
struct header_facts {
    size_t first; /* offset of the first header field (after an mbox "From " line) */
    size_t end;   /* offset after the last header field */
    size_t body;  /* offset of the body */
    bool has_from;
    bool has_date;
    bool has_message_id;
    bool from_address; /* res->sender was taken from From (FromLineOverride) */
};

static bool is_blank_value(const char *text, const struct mail_mime_field *f)
{
    size_t i;

    for (i = f->value; i < f->value_end; i++) {
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n') {
            return false;
        }
    }
    return true;
}

static int add_rcpt(void *ctx, const char *addr)
{
    struct rcpt_ctx *rc = ctx;
    struct mail_submit_result *res = rc->res;
    char full[MAIL_ADDR_MAX + 1];
    unsigned i;

    if (mail_header_recipient(rc->cfg, addr, full, sizeof(full)) != MAIL_OK || !mail_addr_is_valid(full)) {
        return MAIL_ERR_ADDRESS;
    }
    for (i = 0; i < res->rcpt_count; i++) {
        if (strcmp(res->rcpt[i], full) == 0) {
            return 0;
        }
    }
    if (res->rcpt_count >= MAIL_RCPT_MAX) {
        return MAIL_ERR_RCPT_LIMIT;
    }
    memcpy(res->rcpt[res->rcpt_count++], full, strlen(full) + 1);
    return 0;
}

static int first_address(void *ctx, const char *addr)
{
    char *out = ctx;

    memcpy(out, addr, strlen(addr) + 1);
    return 1;
}

/* FromLineOverride=YES: the envelope sender is the From header's (first) address, as ssmtp's from_strip. */
static int sender_from_header(const struct config *cfg, const char *text, const struct mail_mime_field *f,
                              struct mail_submit_result *res)
{
    char addr[MAIL_ADDR_MAX + 1];
    int n = mail_addr_parse_list(text + f->value, f->value_end - f->value, first_address, addr);

    if (n < 0) {
        return n;
    }
    if (n == 0 || mail_header_qualify(cfg, addr, res->sender, sizeof(res->sender)) != MAIL_OK ||
        !mail_addr_is_valid(res->sender)) {
        return MAIL_ERR_ADDRESS;
    }
    return MAIL_OK;
}

static int scan_header(const struct config *cfg, const struct mail_submit_opts *opts, const char *text, size_t len,
                       struct header_facts *h, struct mail_submit_result *res)
{
    struct rcpt_ctx rc = { cfg, res };
    struct mail_mime_field f;
    size_t pos = 0, next;
    int err;

    /* An mbox separator line ("From sender date") is no header field; sendmail drops it too. */
    if (len >= 5 && memcmp(text, "From ", 5) == 0) {
        mail_mime_line(text, len, 0, &pos);
    }
    h->first = pos;
    while (pos < len && mail_mime_field_at(text, len, pos, &f)) {
        if (mail_mime_field_is(text, &f, "From") && !is_blank_value(text, &f)) {
            if (cfg->from_line_override && !h->from_address) {
                err = sender_from_header(cfg, text, &f, res);
                if (err != MAIL_OK) {
                    return err;
                }
                h->from_address = true;
            }
            h->has_from = true;
        }
        h->has_date = h->has_date || mail_mime_field_is(text, &f, "Date");
        h->has_message_id = h->has_message_id || mail_mime_field_is(text, &f, "Message-ID");
        if (opts->read_recipients && (mail_mime_field_is(text, &f, "To") || mail_mime_field_is(text, &f, "Cc") ||
                                      mail_mime_field_is(text, &f, "Bcc"))) {
            err = mail_addr_parse_list(text + f.value, f.value_end - f.value, add_rcpt, &rc);
            if (err < 0) {
                return err;
            }
        }
        pos = f.next;
    }
    h->end = pos;
    h->body = pos;
    if (pos < len && mail_mime_line(text, len, pos, &next) == pos) {
        h->body = next; /* the blank line ending the header */
    }
    return MAIL_OK;
}

static int recipients_from_args(const struct config *cfg, const struct mail_submit_opts *opts,
                                struct mail_submit_result *res)
{
    struct rcpt_ctx rc = { cfg, res };
    unsigned i;

    for (i = 0; i < opts->arg_count; i++) {
        int err;

        if (opts->args[i] == NULL) {
            return MAIL_ERR_ARG;
        }
        err = mail_addr_parse_list(opts->args[i], strlen(opts->args[i]), add_rcpt, &rc);
        if (err < 0) {
            return err;
        }
    }
    return MAIL_OK;
}

static void put_added_fields(struct mail_out *o, const struct config *cfg, const struct mail_submit_opts *opts,
                             const struct header_facts *h, const char *account_sender)
{
    char line[MAIL_HEADER_MSGID_SIZE];
    bool dated = mail_header_date(opts->date, line, sizeof(line)) > 0;
    unsigned i;

    if (dated) {
        mail_out_str(o, "Received: by ");
        mail_out_str(o, mail_header_host(cfg));
        mail_out_str(o, " (baremail sendmail emulation); ");
        mail_out_str(o, line);
        mail_out_crlf(o);
    }
    if (!h->has_from) {
        mail_out_str(o, "From: ");
        if (opts->from_name != NULL && opts->from_name[0] != '\0') {
            mail_mime_put_words(o, opts->from_name, strlen(opts->from_name), true);
            mail_out_str(o, " <");
            mail_out_str(o, account_sender);
            mail_out_char(o, '>');
        } else {
            mail_out_str(o, account_sender);
        }
        mail_out_crlf(o);
    }
    if (dated && !h->has_date) {
        mail_out_str(o, "Date: ");
        mail_out_str(o, line);
        mail_out_crlf(o);
    }
    if (!h->has_message_id &&
        mail_header_message_id(opts->date, opts->unique, mail_header_host(cfg), line, sizeof(line)) > 0) {
        mail_out_str(o, "Message-ID: ");
        mail_out_str(o, line);
        mail_out_crlf(o);
    }
    for (i = 0; i < cfg->header_count && i < CONFIG_HEADERS_MAX; i++) {
        mail_mime_put_text(o, cfg->headers[i], strlen(cfg->headers[i]));
    }
}

/* RFC 5322 3.6.5 and 3.6.8: the fields whose value is unstructured text, where RFC 2047 encoded-words may stand
 * for any of it. In the others (addresses, identifiers, dates, MIME parameters) they may not. */
static bool is_unstructured(const char *text, const struct mail_mime_field *f)
{
    return mail_mime_field_is(text, f, "Subject") || mail_mime_field_is(text, f, "Comments") ||
           (f->name_len > 2 && (text[f->start] == 'X' || text[f->start] == 'x') && text[f->start + 1] == '-');
}

static bool is_blank_or_eol(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int refuse(struct mail_submit_result *res, const char *text, const struct mail_mime_field *f, const char *why)
{
    snprintf(res->problem, sizeof(res->problem), "header %.*s: %s", (int)(f->name_len < 40 ? f->name_len : 40),
             text + f->start, why);
    return MAIL_ERR_HEADER;
}

/*
 * Writes field f again as "Name: value", its value unfolded (RFC 5322 2.2.3: the line endings before continuation
 * blanks removed) and leading blanks dropped, then folded anew: as encoded-words when `encode`, else only at its
 * blanks. The unfolded value is staged at the end of the output buffer and the writer's limit lowered below it
 * while it is written, so no second buffer is needed; a value that does not fit there overflows like any output.
 */
static void put_field_again(struct mail_out *o, const char *text, const struct mail_mime_field *f, bool encode)
{
    size_t v = f->value, n = 0, i;
    char *staged;

    while (v < f->value_end && is_blank_or_eol(text[v])) {
        v++;
    }
    for (i = v; i < f->value_end; i++) {
        n += text[i] != '\r' && text[i] != '\n';
    }
    if (o->err == MAIL_OK && n >= o->size - o->len) {
        o->err = MAIL_ERR_OVERFLOW;
    }
    if (o->err != MAIL_OK) {
        return;
    }
    staged = o->buf + o->size - n;
    for (i = v, n = 0; i < f->value_end; i++) {
        if (text[i] != '\r' && text[i] != '\n') {
            staged[n++] = text[i];
        }
    }
    o->size -= n;
    mail_out_put(o, text + f->start, f->name_len);
    mail_out_str(o, ": ");
    if (encode) {
        mail_mime_put_words(o, staged, n, false);
    } else {
        mail_mime_put_folded(o, staged, n);
    }
    mail_out_crlf(o);
    o->size += n;
}

/*
 * The user's fields, checked and, where a line is too long or unstructured text is not ASCII, written again:
 *  - a control octet (ESC, BEL, VT, FF...; RFC 5322 allows none) or text that is not UTF-8 is refused: it would
 *    reach a reader's terminal or be guessed at, and baremail cannot know what the user meant by it;
 *  - Subject, Comments and X- fields with UTF-8 become RFC 2047 encoded-words, which every server accepts (no
 *    SMTPUTF8 needed), and so does one with a line over 998 octets: folded at its blanks, or encoded when a run
 *    of it has none (encoded-words split anywhere and join again when read);
 *  - other fields with a line over 998 octets are folded at their blanks, and refused when that is not enough;
 *    UTF-8 in them (a display name in From, say) is kept and makes the message need SMTPUTF8 (RFC 6532).
 * Other fields are copied as they were folded. Returns 0 or MAIL_ERR_HEADER with res->problem.
 */
static int put_user_fields(struct mail_out *o, const char *text, size_t len, const struct header_facts *h,
                           struct mail_submit_result *res)
{
    struct mail_mime_field f;
    size_t pos;

    for (pos = h->first; pos < h->end && mail_mime_field_at(text, len, pos, &f); pos = f.next) {
        struct mail_mime_scan scan;
        bool unstructured = is_unstructured(text, &f), too_long;
        size_t start = o->len;

        if (mail_mime_field_is(text, &f, "Bcc") || (mail_mime_field_is(text, &f, "From") && is_blank_value(text, &f))) {
            continue;
        }
        mail_mime_scan(text + f.start, f.next - f.start, &scan);
        if (scan.control_at < f.next - f.start) {
            char why[64];

            snprintf(why, sizeof(why), "control character 0x%02X is not allowed in a header",
                     (unsigned)(unsigned char)text[f.start + scan.control_at]);
            return refuse(res, text, &f, why);
        }
        if (!scan.valid_utf8) {
            return refuse(res, text, &f, "not valid UTF-8 (write header text in UTF-8)");
        }
        too_long = scan.longest_line > MAIL_LINE_MAX;
        if (unstructured && (scan.has_8bit || too_long)) {
            put_field_again(o, text, &f, true);
            continue;
        }
        res->needs_smtputf8 = res->needs_smtputf8 || scan.has_8bit;
        if (!too_long) {
            mail_mime_put_text(o, text + f.start, f.next - f.start);
            continue;
        }
        put_field_again(o, text, &f, false);
        if (o->err == MAIL_OK) {
            mail_mime_scan(o->buf + start, o->len - start, &scan);
            if (scan.longest_line > MAIL_LINE_MAX) {
                return refuse(res, text, &f, "a line over 998 octets without a blank to fold it at");
            }
        }
    }
    return MAIL_OK;
}

/* From the prepared message: what it needs of the server, and whether a body line is still over 998 octets. */
static void set_flags(const char *out, size_t len, struct mail_submit_result *res)
{
    struct mail_mime_scan scan;
    unsigned i;

    mail_mime_scan(out, len, &scan);
    res->needs_8bitmime = scan.has_8bit;
    res->long_lines = scan.longest_line > MAIL_LINE_MAX;
    res->needs_smtputf8 = res->needs_smtputf8 || mail_has_8bit(res->sender, strlen(res->sender));
    for (i = 0; i < res->rcpt_count; i++) {
        res->needs_smtputf8 = res->needs_smtputf8 || mail_has_8bit(res->rcpt[i], strlen(res->rcpt[i]));
    }
}

int mail_submit_prepare(const struct config *cfg, const struct mail_submit_opts *opts, const char *text, size_t len,
                        char *out, size_t size, struct mail_submit_result *res)
{
    char account_sender[MAIL_ADDR_MAX + 1];
    struct header_facts h;
    struct mail_out o;
    int err;

    if (cfg == NULL || opts == NULL || opts->account == NULL || (text == NULL && len > 0) || out == NULL ||
        res == NULL || (opts->args == NULL && opts->arg_count > 0) || (opts->read_recipients && opts->arg_count > 0)) {
        return MAIL_ERR_ARG;
    }
    if (len > 0 && memchr(text, '\0', len) != NULL) {
        return MAIL_ERR_INPUT;
    }
    memset(res, 0, sizeof(*res));
    memset(&h, 0, sizeof(h));
    err = mail_header_sender(cfg, opts->account, account_sender, sizeof(account_sender));
    if (err == MAIL_ERR_OVERFLOW || (err == MAIL_OK && !mail_addr_is_valid(account_sender))) {
        return MAIL_ERR_ADDRESS;
    }
    if (err != MAIL_OK) {
        return err;
    }
    memcpy(res->sender, account_sender, sizeof(account_sender));

    err = recipients_from_args(cfg, opts, res);
    if (err == MAIL_OK) {
        err = scan_header(cfg, opts, text, len, &h, res);
    }
    if (err != MAIL_OK) {
        return err;
    }
    if (res->rcpt_count == 0) {
        return MAIL_ERR_NO_RCPT;
    }

    mail_out_init(&o, out, size);
    put_added_fields(&o, cfg, opts, &h, account_sender);
    err = put_user_fields(&o, text, len, &h, res);
    if (err != MAIL_OK) {
        return err;
    }
    mail_out_crlf(&o);
    mail_mime_put_text(&o, text + h.body, len - h.body);
    err = mail_out_finish(&o, &res->len);
    if (err == MAIL_OK) {
        set_flags(out, res->len, res);
    }
    return err;
}
