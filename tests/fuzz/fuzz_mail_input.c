/*
 * libFuzzer target for mail/mail_input, sendmail's message reader: the input is what arrives on the console
 * after `sendmail`, fed byte by byte into a small buffer (so that overflow is reached), and again in a large one.
 * Besides ASan/UBSan findings, these are bugs (abort): a message longer than its buffer; a message whose lines do
 * not all end in CRLF, or that holds a lone CR or LF; a message that differs between the two buffers when the large
 * one did not overflow and the small one did not either; an event after the end.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_input.h"

#define SMALL_CAP 64u
#define LARGE_CAP 65536u

static char small_buf[SMALL_CAP];
static char large_buf[LARGE_CAP];

/* Feeds data until the message ends; returns the last event. */
static enum mail_input_event feed(struct mail_input *in, const uint8_t *data, size_t size)
{
    enum mail_input_event ev = MAIL_INPUT_NONE;
    for (size_t i = 0; i < size; i++) {
        ev = mail_input_feed(in, (char)data[i]);
        if (ev == MAIL_INPUT_END || ev == MAIL_INPUT_CANCELLED) {
            break;
        }
    }
    return ev;
}

static void check_lines(const char *text, size_t len, bool complete)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' && (i + 1 >= len || text[i + 1] != '\n')) {
            abort(); /* a CR not followed by LF */
        }
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) {
            abort(); /* a bare LF */
        }
    }
    if (complete && len > 0 && (len < 2 || text[len - 2] != '\r' || text[len - 1] != '\n')) {
        abort(); /* a complete message ends with a line end */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mail_input small, large;
    mail_input_init(&small, small_buf, sizeof small_buf);
    mail_input_init(&large, large_buf, sizeof large_buf);
    enum mail_input_event small_ev = feed(&small, data, size);
    enum mail_input_event large_ev = feed(&large, data, size);
    if (small_ev != large_ev) {
        abort();
    }
    size_t small_len, large_len;
    const char *small_text = mail_input_text(&small, &small_len);
    const char *large_text = mail_input_text(&large, &large_len);
    if (small_len > SMALL_CAP || large_len > LARGE_CAP) {
        abort();
    }
    bool complete = large_ev == MAIL_INPUT_END;
    if (!mail_input_overflowed(&large)) {
        check_lines(large_text, large_len, complete);
    }
    if (!mail_input_overflowed(&small)) {
        check_lines(small_text, small_len, complete);
        if (!mail_input_overflowed(&large) && (small_len != large_len || memcmp(small_text, large_text, small_len))) {
            abort();
        }
    }
    return 0;
}
