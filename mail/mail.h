/*
 * mail.h - what the mail_* modules share: their error codes and the bounded output buffer they write into.
 *
 * The mail modules (mail_addr, mail_mime, mail_header, mail_compose, mail_submit) build and check RFC 5322
 * messages as pure C: no network, no board calls, no malloc. Every message is written into a buffer the caller
 * owns, through a `struct mail_out`, which never writes past its end: the first write that does not fit sets a
 * sticky MAIL_ERR_OVERFLOW, later writes are ignored, and the caller learns it from mail_out_finish(). A message
 * that overflowed is never half-sent because nothing reports success for it.
 *
 * Return codes of every mail_* function: 0 (MAIL_OK) or a positive length where documented, negative MAIL_ERR_*
 * on failure, named by mail_strerror(). Any context may call these functions (no globals, no blocking); they are
 * not re-entrant on the same struct.
 */
#ifndef MAIL_MAIL_H
#define MAIL_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

#define MAIL_OK             0
#define MAIL_ERR_ARG        (-ERR_BASE_MAIL - 1) /* NULL pointer or contradictory options */
#define MAIL_ERR_OVERFLOW   (-ERR_BASE_MAIL - 2) /* the output buffer (or a fixed-size field) is too small */
#define MAIL_ERR_ADDRESS    (-ERR_BASE_MAIL - 3) /* an address or address list is malformed */
#define MAIL_ERR_RCPT_LIMIT (-ERR_BASE_MAIL - 4) /* more recipients than MAIL_RCPT_MAX */
#define MAIL_ERR_NO_RCPT    (-ERR_BASE_MAIL - 5) /* no recipient at all */
#define MAIL_ERR_INPUT      (-ERR_BASE_MAIL - 6) /* the message text cannot be sent as is (a NUL byte) */
/* the body cannot be re-encoded (multipart, already encoded, not UTF-8) */
#define MAIL_ERR_UNSUPPORTED (-ERR_BASE_MAIL - 7)
/* a header field cannot be sent: a control octet, bad UTF-8, an unfoldable line */
#define MAIL_ERR_HEADER (-ERR_BASE_MAIL - 8)

/* RFC 5321 4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
#define MAIL_ADDR_MAX 254
/* Recipients of one message: one SMTP transaction, and room enough for a hand-written -t message. */
#ifndef MAIL_RCPT_MAX
#define MAIL_RCPT_MAX 32
#endif
/* RFC 5322 2.1.1: a line is at most 998 octets without its CRLF; 78 is the recommended limit we fold at. */
#define MAIL_LINE_MAX 998
#define MAIL_FOLD_AT  78

/* Bounded writer into a caller-owned buffer. Fields are private to the mail modules. */
struct mail_out {
    char *buf;
    size_t size;
    size_t len;
    size_t col; /* octets since the last CRLF, for folding */
    int err;
};

/* Start writing into buf[0..size). The buffer stays owned by the caller and must outlive the writer. */
void mail_out_init(struct mail_out *o, char *buf, size_t size);

/* Append n bytes / a NUL-terminated string. On overflow nothing more is written and the error sticks. */
void mail_out_put(struct mail_out *o, const char *s, size_t n);
void mail_out_str(struct mail_out *o, const char *s);
void mail_out_char(struct mail_out *o, char c);
void mail_out_crlf(struct mail_out *o);

/* Finish: NUL-terminate when there is room (not counted in the length), store the length in *len (may be
 * NULL) and return 0, or the first error. */
int mail_out_finish(struct mail_out *o, size_t *len);

/* True when [s, s+n) holds a byte >= 0x80. */
bool mail_has_8bit(const char *s, size_t n);

const char *mail_strerror(int err);

#endif /* MAIL_MAIL_H */
