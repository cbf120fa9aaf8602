/*
 * mail_decode.h - independent decoders and line checks for the mail module tests: they undo what mail_mime
 * encodes (quoted-printable, RFC 2047 encoded-words, header folding) so that tests compare round trips instead
 * of trusting the encoder. Written from the RFCs, not from mail/mail_mime.c.
 */
#ifndef TESTS_UNIT_MAIL_MAIL_DECODE_H
#define TESTS_UNIT_MAIL_MAIL_DECODE_H

#include <stdbool.h>
#include <stddef.h>

/* Decode quoted-printable text with CRLF line ends into out (NUL-terminated, hard line breaks become CRLF).
 * Returns the decoded length, or -1 on malformed input or overflow. */
int mail_decode_qp(const char *in, size_t len, char *out, size_t size);

/* Unfold a header value and decode RFC 2047 encoded-words (UTF-8, B and Q), dropping blanks between adjacent
 * words. Each word's decoded bytes must be complete UTF-8 on their own (no split sequence). Returns the
 * decoded length or -1. */
int mail_decode_words(const char *in, size_t len, char *out, size_t size);

/* True when every line of text ends with CRLF and there is no other CR or LF. */
bool mail_decode_crlf_only(const char *text, size_t len);

/* Length of the longest line (without CRLF). */
size_t mail_decode_longest_line(const char *text, size_t len);

/* The value of header field `name` (first match, case-insensitive) in a message, folding kept, without the final
 * CRLF, copied into out; returns its length or -1 when absent. Only the header part is searched. */
int mail_decode_field(const char *msg, size_t len, const char *name, char *out, size_t size);

/* Offset of the body (after the first CRLF CRLF), or -1. */
int mail_decode_body_offset(const char *msg, size_t len);

#endif /* TESTS_UNIT_MAIL_MAIL_DECODE_H */
