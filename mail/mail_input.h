/*
 * mail_input.h - sendmail's message reader: turns the bytes typed or pasted on the console into the message text,
 * by the rules of firmware/mail_cmd.h (line ends CR, LF or CRLF stored as CRLF; a line holding only "." ends the
 * message; a line made only of dots loses one dot; Ctrl-C abandons it; past the buffer's size the rest is read up
 * to the end and dropped, and the reader says so).
 *
 * Pure: no I/O. The caller reads the console, feeds each byte and does what the returned event says (echo the
 * byte, echo a line end); waiting, deadlines and what the console shows are the caller's. The buffer is the
 * caller's and holds the message (without the final "." line) when MAIL_INPUT_END comes. One reader per message,
 * from one context.
 */
#ifndef MAIL_MAIL_INPUT_H
#define MAIL_MAIL_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#define MAIL_INPUT_CTRL_C 0x03

enum mail_input_event {
    MAIL_INPUT_NONE,      /* consumed, nothing to show (the LF of a CRLF) */
    MAIL_INPUT_DATA,      /* a byte of the message: echo it */
    MAIL_INPUT_LINE,      /* a line ended: echo a line end */
    MAIL_INPUT_END,       /* the "." line: the message is complete (echo a line end) */
    MAIL_INPUT_CANCELLED, /* Ctrl-C: the message is abandoned */
};

/* Private to mail_input.c; public only so that callers can own the storage. */
struct mail_input {
    char *buf;
    size_t cap;
    size_t len;
    bool overflow;             /* more than cap: the rest is read up to the terminator and dropped */
    bool overflow_before_line; /* overflow was already set when the current line began */
    size_t line_start;
    size_t line_len; /* the current line, counted even when it is no longer stored */
    bool line_dots;  /* ... and made only of dots so far */
    bool after_cr;
    bool first; /* no byte yet: a LF now ends the command line's CRLF, which the console ended at the CR */
};

/* Starts a message in buf (cap bytes, the caller's). */
void mail_input_init(struct mail_input *in, char *buf, size_t cap);

/* Takes one received byte; see enum mail_input_event. After MAIL_INPUT_END or MAIL_INPUT_CANCELLED, start again
 * with mail_input_init(). */
enum mail_input_event mail_input_feed(struct mail_input *in, char c);

/* The message so far (all of it after MAIL_INPUT_END), with CRLF line ends; *len its length. */
const char *mail_input_text(const struct mail_input *in, size_t *len);

/* True when the message did not fit the buffer (it is then incomplete and must not be sent). */
bool mail_input_overflowed(const struct mail_input *in);

#endif /* MAIL_MAIL_INPUT_H */
