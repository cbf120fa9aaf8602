/*
 * smtp_caps - what an SMTP server offers in its EHLO reply (RFC 5321 §4.1.1.1 and the extensions the engine uses:
 * PIPELINING RFC 2920, CHUNKING RFC 3030, SIZE RFC 1870, 8BITMIME RFC 6152, SMTPUTF8 RFC 6531, STARTTLS RFC 3207,
 * ENHANCEDSTATUSCODES RFC 2034, AUTH RFC 4954).
 *
 * The engine (net/smtp.h) hands each line of a 250 EHLO reply after the first (which is the server's name) to
 * smtp_caps_parse_line as the reply parser (net/smtp_reply.h) reports it. Keywords are matched without regard to
 * case; unknown keywords are ignored; "AUTH=mechs", the form servers sent before RFC 4954, counts as "AUTH mechs".
 * Pure C11 and libc; no allocation.
 */
#ifndef NET_SMTP_CAPS_H
#define NET_SMTP_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct smtp_caps {
    bool esmtp; /* EHLO accepted (false after a HELO fallback); set by the engine, not by the parser */
    bool pipelining;
    bool chunking;
    bool size;
    uint32_t size_limit; /* 0: SIZE without a limit; a limit over UINT32_MAX reads as UINT32_MAX */
    bool eightbitmime;
    bool smtputf8;
    bool starttls;
    bool enhanced;
    unsigned auth; /* SMTP_AUTH_* bits (net/smtp_auth.h) */
};

/* Adds what one capability line offers to caps. `line` is the line's text after "250-" or "250 ", without its
 * line end, not NUL-terminated (smtp_reply_line gives it so). */
void smtp_caps_parse_line(struct smtp_caps *caps, const char *line, size_t len);

#endif /* NET_SMTP_CAPS_H */
