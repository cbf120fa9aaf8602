/*
 * mail_addr.h - mail addresses: RFC 5322 address lists as people write them in To/Cc/Bcc/From, and addr-spec
 * checks for the SMTP envelope.
 *
 * The list parser understands what real headers contain: `a@x`, `Name <a@x>`, `"Doe, John" <a@x>` (commas in
 * quotes), comments `a@x (Alice)`, folded lines (CR/LF/tab are blanks), groups `Team: a@x, b@y;` and
 * `undisclosed-recipients:;`, source routes `<@relay:a@x>` (the route is dropped), empty elements `a@x,,b@y`.
 * It yields bare addr-specs (`a@x`, quoted local parts kept quoted) ready for MAIL FROM / RCPT TO. A name
 * without @ (`bob`) is passed on as is: qualifying it is the caller's business (mail_header_recipient).
 *
 * Pure, no allocation; the callback receives a NUL-terminated address that is valid only during the call.
 */
#ifndef MAIL_MAIL_ADDR_H
#define MAIL_MAIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>

/* Called once per address, in order. Return 0 to go on, > 0 to stop early (the parse then returns the count so
 * far including this one), < 0 to abort (the parse returns that value). */
typedef int (*mail_addr_fn)(void *ctx, const char *addr);

/*
 * Parse `len` bytes of an address list (a header field's value, without the field name; folding allowed).
 * Returns the number of addresses passed to `fn` (0 for an empty list or an empty group), MAIL_ERR_ADDRESS when
 * the list is malformed (unterminated quote, comment or <, an address over MAIL_ADDR_MAX, a display name
 * without <address>), MAIL_ERR_ARG on NULL arguments, or the callback's negative value.
 */
int mail_addr_parse_list(const char *text, size_t len, mail_addr_fn fn, void *ctx);

/* True for an addr-spec local@domain usable in SMTP: dot-atom or quoted local part (<= 64 octets), a domain of
 * letters/digits/hyphen labels (one label allowed, as ssmtp qualifies with a bare host name) or an [address
 * literal]; UTF-8 allowed in both parts (it then needs SMTPUTF8); at most MAIL_ADDR_MAX octets. */
bool mail_addr_is_valid(const char *addr);

/* The domain of an address (after the last '@'), or NULL when there is no '@'. */
const char *mail_addr_domain(const char *addr);

#endif /* MAIL_MAIL_ADDR_H */
