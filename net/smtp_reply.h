/*
 * smtp_reply - incremental parser for SMTP server replies (RFC 5321 §4.2, enhanced codes RFC 2034/3463).
 *
 * The SMTP engine (net/smtp.h) feeds every byte the server sends through one parser. Bytes may arrive in any
 * split, down to one byte per call; the parser keeps at most one line and reports each complete line, so that
 * EHLO capabilities can be read line by line, and then the complete reply.
 *
 * Rules:
 *  - Bounded: a line may hold SMTP_REPLY_LINE_MAX octets including its CRLF. A longer line is an error
 *    (SMTP_REPLY_ERR_TOO_LONG), never truncated: a cut capability line could name a different mechanism and a
 *    cut reply could hide its meaning. The joined reply text is kept up to SMTP_REPLY_TEXT_MAX octets and the
 *    rest dropped (reply->truncated); that text is only shown to people.
 *  - Strict codes: three digits, first 2-5, second 0-5, followed by ' ', '-' or the line end; every line of a
 *    multi-line reply must carry the same code. Anything else is SMTP_REPLY_ERR_SYNTAX. Lines end in CRLF; a
 *    bare LF is accepted as a line end (some servers send it) and a CR elsewhere is kept as text.
 *  - The stored text is safe to print: control characters and octets >= 0x7f become '?'.
 *  - An enhanced status code ("5.7.8 ") is split off each line when its class matches the reply's first digit;
 *    it is parsed whether or not ENHANCEDSTATUSCODES was advertised (the greeting can't advertise it).
 *  - No allocation, no I/O; one parser per session, not thread-safe.
 */
#ifndef NET_SMTP_REPLY_H
#define NET_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* RFC 5321 §4.5.3.1.5 limits a reply line to 512 octets; real servers stay far below, but a little slack costs
 * only RAM, so accept up to the length of a text line (1000 with CRLF). */
#ifndef SMTP_REPLY_LINE_MAX
#define SMTP_REPLY_LINE_MAX 1000
#endif
/* Enough for the longest one-line explanation real servers give (Gmail's 535 with its help URL is ~180). */
#ifndef SMTP_REPLY_TEXT_MAX
#define SMTP_REPLY_TEXT_MAX 400
#endif

#define SMTP_REPLY_MORE 0 /* all input consumed, the line is not complete yet */
#define SMTP_REPLY_LINE 1 /* a continuation line ("250-...") is complete: see smtp_reply_line */
#define SMTP_REPLY_DONE 2 /* the last line is complete: the reply is ready */
/* not a reply line, or codes differ within a multi-line reply */
#define SMTP_REPLY_ERR_SYNTAX   (-ERR_BASE_SMTP_REPLY - 1)
#define SMTP_REPLY_ERR_TOO_LONG (-ERR_BASE_SMTP_REPLY - 2) /* a line over SMTP_REPLY_LINE_MAX octets */

/* One complete reply. `code` is 0 when there is none (a local failure). */
struct smtp_reply {
    uint16_t code;
    bool has_enhanced;
    uint8_t enh_class; /* 2, 4 or 5 */
    uint16_t enh_subject;
    uint16_t enh_detail;
    bool truncated;
    unsigned lines;
    char text[SMTP_REPLY_TEXT_MAX + 1]; /* lines joined by one space, enhanced codes removed; NUL-terminated */
};

struct smtp_reply_parser {
    char line[SMTP_REPLY_LINE_MAX];
    size_t len;
    bool failed;    /* after an error every further byte is refused until smtp_reply_reset */
    bool complete;  /* `reply` is finished; the next line starts a new one */
    bool line_done; /* `line` holds the last complete line; the next byte starts a new one */
    struct smtp_reply reply;
};

void smtp_reply_reset(struct smtp_reply_parser *p);

/*
 * Consume bytes until a line completes. Returns SMTP_REPLY_MORE, SMTP_REPLY_LINE, SMTP_REPLY_DONE or a negative
 * SMTP_REPLY_ERR_*; *used is the number of bytes consumed (the caller feeds the rest in the next call). After
 * SMTP_REPLY_DONE, p->reply holds the reply until the next call, which starts a new one.
 */
int smtp_reply_feed(struct smtp_reply_parser *p, const uint8_t *data, size_t len, size_t *used);

/* The text of the line just reported (after the code and separator, enhanced code kept), not NUL-terminated,
 * raw as received (not sanitized). Valid until the next smtp_reply_feed. */
const char *smtp_reply_line(const struct smtp_reply_parser *p, size_t *len);

/* True when a reply is in progress (some line of it was received but not the last). */
bool smtp_reply_pending(const struct smtp_reply_parser *p);

/* "535 5.7.8 text" into buf (NUL-terminated when size > 0); returns the length snprintf would produce. */
int smtp_reply_format(const struct smtp_reply *r, char *buf, size_t size);

const char *smtp_reply_strerror(int err);

#endif /* NET_SMTP_REPLY_H */
