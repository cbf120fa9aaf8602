/*
 * mail_mime.h - the octet-level rules of Internet mail: line endings, header fields, transfer encodings
 * (7bit / 8bit / quoted-printable, RFC 2045), and RFC 2047 encoded-words for non-ASCII header text.
 *
 * Input text may end its lines with CRLF, bare LF or bare CR (all three count as one line end); everything
 * written goes through a `struct mail_out` (mail/mail.h) with CRLF line endings only, so nothing written
 * here can contain a bare CR or LF. Output is not dot-stuffed: that belongs to the SMTP DATA layer (BDAT needs
 * none). Pure functions, no allocation.
 */
#ifndef MAIL_MAIL_MIME_H
#define MAIL_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/mail.h"

enum mail_cte { MAIL_CTE_7BIT, MAIL_CTE_8BIT, MAIL_CTE_QP };

/* What a body is made of: decides its Content-Transfer-Encoding and the SMTP BODY= parameter. */
struct mail_mime_scan {
    bool has_8bit;       /* a byte >= 0x80 */
    bool valid_utf8;     /* the whole text is well-formed UTF-8 (ASCII is) */
    size_t longest_line; /* octets, without the line ending */
    size_t control_at;   /* offset of the first control octet but tab (line ends are none), or the text's length */
};

/* One header field at an offset of a message text. Offsets are into that text: the field's name is
 * [start, start + name_len), its value (folded lines and their inner line endings included, the final line
 * ending excluded) is [value, value_end), and the next field or line starts at `next`. */
struct mail_mime_field {
    size_t start;
    size_t name_len;
    size_t value;
    size_t value_end;
    size_t next;
};

/* The line at text[pos]: returns the offset where its content ends; *next gets the offset after its line
 * ending (== len at the end of a text without a final line ending). */
size_t mail_mime_line(const char *text, size_t len, size_t pos, size_t *next);

/* True when the line at text[pos] starts a header field (RFC 5322 field-name: printable ASCII but ':', then
 * ':'), filling *f and gathering its continuation lines (those starting with a blank). */
bool mail_mime_field_at(const char *text, size_t len, size_t pos, struct mail_mime_field *f);

/* Case-insensitive match of the field's name. */
bool mail_mime_field_is(const char *text, const struct mail_mime_field *f, const char *name);

void mail_mime_scan(const char *text, size_t len, struct mail_mime_scan *out);

/* True for the octets RFC 5322 allows in no header field (3.2.5 VCHAR and WSP are the rest, with UTF-8 from RFC
 * 6532): C0 controls but tab, and DEL. */
bool mail_mime_is_control(unsigned char c);

/* 7bit for ASCII with lines <= 998 octets; 8bit for other UTF-8 with such lines when `allow_8bit` (the server
 * offered 8BITMIME); quoted-printable otherwise. */
enum mail_cte mail_mime_choose_cte(const struct mail_mime_scan *scan, bool allow_8bit);

/* "7bit", "8bit", "quoted-printable". */
const char *mail_mime_cte_name(enum mail_cte cte);

/* Write a body as is, each line ending as CRLF; a last line without a line ending gets one. */
void mail_mime_put_text(struct mail_out *o, const char *text, size_t len);

/* Write a body quoted-printable (RFC 2045 6.7): every output line <= 76 octets, line ends as hard CRLF, '=' and
 * bytes outside printable ASCII as =XX, a blank before a line end encoded. */
void mail_mime_put_qp(struct mail_out *o, const char *text, size_t len);

/*
 * Write header text (UTF-8) at the writer's current column, folded so lines stay within MAIL_FOLD_AT when it is
 * plain ASCII, or as RFC 2047 encoded-words "=?UTF-8?Q?...?=" or "?B?" (whichever is shorter), each <= 75
 * octets, never splitting a UTF-8 sequence, on lines <= 76 octets. `phrase` is for a display name: ASCII with
 * specials is then written as a quoted-string. Control characters (CR, LF, tab...) become spaces, so header
 * text can never inject a header.
 */
void mail_mime_put_words(struct mail_out *o, const char *text, size_t len, bool phrase);

/*
 * Write header text as it is at the writer's current column, folding (CRLF before a blank, RFC 5322 2.2.3) where
 * the next word would pass MAIL_FOLD_AT, so unfolding gives the text back exactly. A word longer than a line
 * stays whole. Control characters become spaces, as in mail_mime_put_words.
 */
void mail_mime_put_folded(struct mail_out *o, const char *text, size_t len);

/*
 * Re-encode a whole message's body as quoted-printable, for a server without 8BITMIME or a body with lines over
 * 998 octets: the headers are copied (CRLF), Content-Transfer-Encoding is replaced, MIME-Version and (when
 * missing, for a UTF-8 body) Content-Type: text/plain; charset=utf-8 are added. Only a single-part text
 * message can be re-encoded: MAIL_ERR_UNSUPPORTED for multipart or non-text Content-Type, an encoding other
 * than 7bit/8bit, or a body without Content-Type that is not UTF-8. Writes into out[0..size) and *out_len;
 * MAIL_ERR_OVERFLOW when it does not fit.
 */
int mail_mime_downgrade(const char *msg, size_t len, char *out, size_t size, size_t *out_len);

/*
 * The most octets mail_mime_downgrade() can write for a message of `len` octets, NUL included: a buffer of this
 * size never gives MAIL_ERR_OVERFLOW. The body's worst case is every octet as "=XX": 25 of them fill an encoded
 * line's 75 columns before the soft break "=" CRLF, so 78 octets out per 25 in (3.12 per octet); a line ending
 * (one or two octets in) becomes CRLF, and a last line without one gains it. Header lines only gain a CR before
 * a bare LF. Returns 0 when the bound does not fit in a size_t.
 */
size_t mail_mime_downgrade_max(size_t len);

#endif /* MAIL_MAIL_MIME_H */
