/*
 * mail - error codes and the bounded output buffer shared by the mail_* modules (see mail.h).
 */
#include "mail/mail.h"

#include <string.h>

void mail_out_init(struct mail_out *o, char *buf, size_t size)
{
    o->buf = buf;
    o->size = buf != NULL ? size : 0;
    o->len = 0;
    o->col = 0;
    o->err = MAIL_OK;
    if (o->size > 0) {
        o->buf[0] = '\0';
    }
}

void mail_out_put(struct mail_out *o, const char *s, size_t n)
{
    size_t i;

    if (o->err != MAIL_OK) {
        return;
    }
    if (n > o->size - o->len) {
        o->err = MAIL_ERR_OVERFLOW;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    for (i = 0; i < n; i++) {
        o->col = s[i] == '\n' ? 0 : o->col + 1;
    }
}

void mail_out_str(struct mail_out *o, const char *s)
{
    mail_out_put(o, s, strlen(s));
}

void mail_out_char(struct mail_out *o, char c)
{
    mail_out_put(o, &c, 1);
}

void mail_out_crlf(struct mail_out *o)
{
    mail_out_put(o, "\r\n", 2);
}

int mail_out_finish(struct mail_out *o, size_t *len)
{
    if (o->err == MAIL_OK && o->len < o->size) {
        o->buf[o->len] = '\0';
    }
    if (len != NULL) {
        *len = o->err == MAIL_OK ? o->len : 0;
    }
    return o->err;
}

bool mail_has_8bit(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            return true;
        }
    }
    return false;
}

const char *mail_strerror(int err)
{
    switch (err) {
    case MAIL_OK: return "success";
    case MAIL_ERR_ARG: return "invalid argument";
    case MAIL_ERR_OVERFLOW: return "message too large for the buffer";
    case MAIL_ERR_ADDRESS: return "malformed address";
    case MAIL_ERR_RCPT_LIMIT: return "too many recipients";
    case MAIL_ERR_NO_RCPT: return "no recipients";
    case MAIL_ERR_INPUT: return "message contains a NUL byte";
    case MAIL_ERR_UNSUPPORTED: return "body cannot be re-encoded (not a single-part UTF-8 text)";
    case MAIL_ERR_HEADER: return "a header field cannot be sent";
    default: return "unknown mail error";
    }
}
