/*
 * smtp_reply - incremental SMTP reply parser (see smtp_reply.h for the contract).
 */
#include "net/smtp_reply.h"

#include <stdio.h>
#include <string.h>

#define CODE_LEN            3
#define ENH_PART_MAX_DIGITS 3

void smtp_reply_reset(struct smtp_reply_parser *p)
{
    memset(p, 0, sizeof(*p));
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads 1-3 digits at s[*i]; returns false when there are none or more than three. */
static bool parse_part(const char *s, size_t len, size_t *i, uint16_t *value)
{
    size_t start = *i;
    unsigned v = 0;

    while (*i < len && is_digit(s[*i]) && *i - start < ENH_PART_MAX_DIGITS + 1) {
        v = v * 10u + (unsigned)(s[*i] - '0');
        (*i)++;
    }
    if (*i == start || *i - start > ENH_PART_MAX_DIGITS) {
        return false;
    }
    *value = (uint16_t)v;
    return true;
}

/* Length of an enhanced status code "c.sss.ddd" at the start of s (plus the blank after it), 0 when there is
 * none whose class is `cls`. */
static size_t parse_enhanced(const char *s, size_t len, unsigned cls, uint16_t *subject, uint16_t *detail)
{
    size_t i = 0;
    uint16_t c;

    if (!parse_part(s, len, &i, &c) || c != cls || i != 1) {
        return 0;
    }
    if (i >= len || s[i++] != '.' || !parse_part(s, len, &i, subject)) {
        return 0;
    }
    if (i >= len || s[i++] != '.' || !parse_part(s, len, &i, detail)) {
        return 0;
    }
    if (i == len) {
        return i;
    }
    if (s[i] != ' ') {
        return 0;
    }
    while (i < len && s[i] == ' ') {
        i++;
    }
    return i;
}

static void append_text(struct smtp_reply *r, const char *s, size_t len)
{
    size_t have = strlen(r->text);
    size_t i;

    if (len == 0) {
        return;
    }
    if (have > 0) {
        if (have >= SMTP_REPLY_TEXT_MAX) {
            r->truncated = true;
            return;
        }
        r->text[have++] = ' ';
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (have >= SMTP_REPLY_TEXT_MAX) {
            r->truncated = true;
            break;
        }
        /* Hostile servers must not be able to drive the console with escape sequences. */
        r->text[have++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    r->text[have] = '\0';
}

static int finish_line(struct smtp_reply_parser *p)
{
    struct smtp_reply *r = &p->reply;
    const char *l = p->line;
    size_t len = p->len;
    unsigned code;
    bool last;
    uint16_t subject = 0, detail = 0;
    size_t skip;

    if (len > 0 && l[len - 1] == '\r') {
        len--;
    }
    p->len = len;
    if (len + 2 > SMTP_REPLY_LINE_MAX) {
        return SMTP_REPLY_ERR_TOO_LONG;
    }
    if (len < CODE_LEN || !is_digit(l[0]) || !is_digit(l[1]) || !is_digit(l[2])) {
        return SMTP_REPLY_ERR_SYNTAX;
    }
    if (l[0] < '2' || l[0] > '5' || l[1] > '5') {
        return SMTP_REPLY_ERR_SYNTAX;
    }
    if (len > CODE_LEN && l[CODE_LEN] != ' ' && l[CODE_LEN] != '-') {
        return SMTP_REPLY_ERR_SYNTAX;
    }
    code = (unsigned)(l[0] - '0') * 100u + (unsigned)(l[1] - '0') * 10u + (unsigned)(l[2] - '0');
    last = len == CODE_LEN || l[CODE_LEN] == ' ';
    if (r->lines > 0 && code != r->code) {
        return SMTP_REPLY_ERR_SYNTAX;
    }

    r->code = (uint16_t)code;
    l += len > CODE_LEN ? CODE_LEN + 1 : CODE_LEN;
    len -= len > CODE_LEN ? CODE_LEN + 1 : CODE_LEN;
    skip = parse_enhanced(l, len, code / 100u, &subject, &detail);
    if (skip > 0 && r->lines == 0) {
        r->has_enhanced = true;
        r->enh_class = (uint8_t)(code / 100u);
        r->enh_subject = subject;
        r->enh_detail = detail;
    }
    append_text(r, l + skip, len - skip);
    r->lines++;
    if (last) {
        p->complete = true;
        return SMTP_REPLY_DONE;
    }
    return SMTP_REPLY_LINE;
}

int smtp_reply_feed(struct smtp_reply_parser *p, const uint8_t *data, size_t len, size_t *used)
{
    size_t i;
    int rc;

    *used = 0;
    if (p->failed) {
        return SMTP_REPLY_ERR_SYNTAX;
    }
    for (i = 0; i < len; i++) {
        if (p->complete) {
            memset(&p->reply, 0, sizeof(p->reply));
            p->complete = false;
        }
        if (p->line_done) {
            p->len = 0;
            p->line_done = false;
        }
        if (data[i] == '\n') {
            *used = i + 1;
            rc = finish_line(p);
            if (rc < 0) {
                p->failed = true;
            } else {
                p->line_done = true;
            }
            return rc;
        }
        if (p->len >= SMTP_REPLY_LINE_MAX) {
            *used = i;
            p->failed = true;
            return SMTP_REPLY_ERR_TOO_LONG;
        }
        p->line[p->len++] = (char)data[i];
    }
    *used = len;
    return SMTP_REPLY_MORE;
}

const char *smtp_reply_line(const struct smtp_reply_parser *p, size_t *len)
{
    if (p->len <= CODE_LEN) {
        *len = 0;
        return p->line + p->len;
    }
    *len = p->len - (CODE_LEN + 1);
    return p->line + CODE_LEN + 1;
}

bool smtp_reply_pending(const struct smtp_reply_parser *p)
{
    return (!p->line_done && p->len > 0) || (!p->complete && p->reply.lines > 0);
}

int smtp_reply_format(const struct smtp_reply *r, char *buf, size_t size)
{
    char enh[24] = "";

    if (r->has_enhanced) {
        snprintf(enh, sizeof(enh), " %u.%u.%u", r->enh_class, r->enh_subject, r->enh_detail);
    }
    return snprintf(buf, size, "%03u%s%s%s%s", r->code, enh, r->text[0] != '\0' ? " " : "", r->text,
                    r->truncated ? "..." : "");
}

const char *smtp_reply_strerror(int err)
{
    switch (err) {
    case SMTP_REPLY_MORE: return "incomplete";
    case SMTP_REPLY_LINE: return "line";
    case SMTP_REPLY_DONE: return "complete";
    case SMTP_REPLY_ERR_SYNTAX: return "malformed reply";
    case SMTP_REPLY_ERR_TOO_LONG: return "reply line too long";
    default: return "unknown reply parser code";
    }
}
