/*
 * sendmail's message reader; see mail_input.h.
 */
#include "mail/mail_input.h"

void mail_input_init(struct mail_input *in, char *buf, size_t cap)
{
    *in = (struct mail_input){ .buf = buf, .cap = cap, .line_dots = true, .first = true };
}

static void put(struct mail_input *in, char c)
{
    if (in->len >= in->cap) {
        in->overflow = true;
        return;
    }
    in->buf[in->len++] = c;
}

/* A line ended. Returns true when it was the lone "." that ends the message. */
static bool line_end(struct mail_input *in)
{
    bool dots = in->line_len > 0 && in->line_dots;
    size_t n = in->line_len;
    in->line_len = 0;
    in->line_dots = true;
    if (dots && n == 1) {
        /* The "." itself may be what found no room: a message that filled the buffer exactly is whole. */
        if (!in->overflow_before_line) {
            in->overflow = false;
            in->len = in->line_start;
        }
        return true;
    }
    if (!in->overflow) {
        if (dots) {
            in->len--; /* the sender added one dot (see mail_cmd.h) */
        }
        put(in, '\r');
        put(in, '\n');
    }
    in->line_start = in->len;
    in->overflow_before_line = in->overflow;
    return false;
}

enum mail_input_event mail_input_feed(struct mail_input *in, char c)
{
    bool first = in->first, after_cr = in->after_cr;
    in->first = false;
    in->after_cr = false;
    if (c == MAIL_INPUT_CTRL_C) {
        return MAIL_INPUT_CANCELLED;
    }
    if (c == '\n' && (after_cr || first)) {
        return MAIL_INPUT_NONE;
    }
    if (c == '\r' || c == '\n') {
        in->after_cr = c == '\r';
        return line_end(in) ? MAIL_INPUT_END : MAIL_INPUT_LINE;
    }
    in->line_len++;
    in->line_dots = in->line_dots && c == '.';
    put(in, c);
    return MAIL_INPUT_DATA;
}

const char *mail_input_text(const struct mail_input *in, size_t *len)
{
    *len = in->len;
    return in->buf;
}

bool mail_input_overflowed(const struct mail_input *in)
{
    return in->overflow;
}
