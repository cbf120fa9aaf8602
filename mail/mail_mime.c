/*
 * mail_mime - line endings, header fields, transfer encodings and RFC 2047 encoded-words (see mail_mime.h).
 */
#include "mail/mail_mime.h"

#include <stdint.h>
#include <string.h>

#include "lib/utf8.h"

/* RFC 2045 6.7 (5): encoded lines are at most 76 octets; RFC 2047 2: an encoded-word at most 75. */
#define QP_LINE_MAX   76
#define WORD_MAX      75
#define WORD_LINE_MAX 76
#define WORD_PREFIX   "=?UTF-8?"
/* "=?UTF-8?Q?" + "?=" */
#define WORD_OVERHEAD 12
/* Payload room below which a word is not started on the current line: a 4-octet character needs 12 in Q. */
#define WORD_MIN_PAYLOAD 12

static const char hex_digits[] = "0123456789ABCDEF";
static const char b64_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t mail_mime_line(const char *text, size_t len, size_t pos, size_t *next)
{
    size_t i = pos;

    while (i < len && text[i] != '\r' && text[i] != '\n') {
        i++;
    }
    if (i < len && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') {
        *next = i + 2;
    } else {
        *next = i < len ? i + 1 : len;
    }
    return i;
}

static bool is_ftext(unsigned char c)
{
    return c >= 33 && c <= 126 && c != ':';
}

bool mail_mime_field_at(const char *text, size_t len, size_t pos, struct mail_mime_field *f)
{
    size_t i = pos, end, next;

    while (i < len && is_ftext((unsigned char)text[i])) {
        i++;
    }
    if (i == pos || i >= len || text[i] != ':') {
        return false;
    }
    f->start = pos;
    f->name_len = i - pos;
    f->value = i + 1;
    end = mail_mime_line(text, len, pos, &next);
    while (next < len && (text[next] == ' ' || text[next] == '\t')) {
        end = mail_mime_line(text, len, next, &next);
    }
    f->value_end = end;
    f->next = next;
    return true;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ci_prefix(const char *s, size_t n, const char *word)
{
    size_t i, w = strlen(word);

    if (n < w) {
        return false;
    }
    for (i = 0; i < w; i++) {
        if (lower(s[i]) != lower(word[i])) {
            return false;
        }
    }
    return true;
}

bool mail_mime_field_is(const char *text, const struct mail_mime_field *f, const char *name)
{
    return f->name_len == strlen(name) && ci_prefix(text + f->start, f->name_len, name);
}

bool mail_mime_is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

void mail_mime_scan(const char *text, size_t len, struct mail_mime_scan *out)
{
    size_t pos = 0;

    memset(out, 0, sizeof(*out));
    out->valid_utf8 = true;
    out->control_at = len;
    while (pos < len) {
        size_t next, end = mail_mime_line(text, len, pos, &next);
        size_t i = pos;

        if (end - pos > out->longest_line) {
            out->longest_line = end - pos;
        }
        while (i < end) {
            size_t n = utf8_decode((const unsigned char *)text + i, end - i, NULL);
            if ((unsigned char)text[i] >= 0x80) {
                out->has_8bit = true;
            } else if (mail_mime_is_control((unsigned char)text[i]) && out->control_at == len) {
                out->control_at = i;
            }
            if (n == 0) {
                out->valid_utf8 = false;
                n = 1;
            }
            i += n;
        }
        pos = next;
    }
}

enum mail_cte mail_mime_choose_cte(const struct mail_mime_scan *scan, bool allow_8bit)
{
    if (scan->longest_line > MAIL_LINE_MAX) {
        return MAIL_CTE_QP;
    }
    if (!scan->has_8bit) {
        return MAIL_CTE_7BIT;
    }
    return allow_8bit ? MAIL_CTE_8BIT : MAIL_CTE_QP;
}

const char *mail_mime_cte_name(enum mail_cte cte)
{
    switch (cte) {
    case MAIL_CTE_8BIT: return "8bit";
    case MAIL_CTE_QP: return "quoted-printable";
    default: return "7bit";
    }
}

void mail_mime_put_text(struct mail_out *o, const char *text, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        size_t next, end = mail_mime_line(text, len, pos, &next);
        mail_out_put(o, text + pos, end - pos);
        mail_out_crlf(o);
        pos = next;
    }
}

static void put_hex(struct mail_out *o, unsigned char c)
{
    char t[3] = { '=', hex_digits[c >> 4], hex_digits[c & 15] };

    mail_out_put(o, t, sizeof(t));
}

void mail_mime_put_qp(struct mail_out *o, const char *text, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        size_t next, end = mail_mime_line(text, len, pos, &next);
        size_t col = 0, i;

        for (i = pos; i < end; i++) {
            unsigned char c = (unsigned char)text[i];
            bool last = i + 1 == end;
            bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            size_t width = literal ? 1 : 3;

            /* A soft break "=" takes the 76th column, so only a line's last token may reach it. */
            if (col + width > (last ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
                mail_out_put(o, "=\r\n", 3);
                col = 0;
            }
            if (literal) {
                mail_out_char(o, (char)c);
            } else {
                put_hex(o, c);
            }
            col += width;
        }
        mail_out_crlf(o);
        pos = next;
    }
}

/* ---- RFC 2047 ---- */

static bool q_literal(unsigned char c)
{
    /* The Q characters allowed in every context, a display name included (RFC 2047 5 (3)). */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!*+-/", c) != NULL);
}

static unsigned char clean(unsigned char c)
{
    return (c < 0x20 || c == 0x7f) ? ' ' : c;
}

static size_t q_width(unsigned char c)
{
    return (q_literal(c) || c == ' ') ? 1 : 3;
}

static size_t b64_width(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* Length of the character at text[i] for chunking: a UTF-8 sequence stays whole, a stray byte stands alone. */
static size_t char_len(const char *text, size_t len, size_t i)
{
    size_t n = utf8_decode((const unsigned char *)text + i, len - i, NULL);

    return n == 0 ? 1 : n;
}

static void put_q(struct mail_out *o, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = clean((unsigned char)s[i]);
        if (c == ' ') {
            mail_out_char(o, '_');
        } else if (q_literal(c)) {
            mail_out_char(o, (char)c);
        } else {
            put_hex(o, c);
        }
    }
}

static void put_b64(struct mail_out *o, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)clean((unsigned char)s[i]) << 16;
        char t[4];

        if (i + 1 < n) {
            v |= (unsigned long)clean((unsigned char)s[i + 1]) << 8;
        }
        if (i + 2 < n) {
            v |= clean((unsigned char)s[i + 2]);
        }
        t[0] = b64_digits[(v >> 18) & 63];
        t[1] = b64_digits[(v >> 12) & 63];
        t[2] = i + 1 < n ? b64_digits[(v >> 6) & 63] : '=';
        t[3] = i + 2 < n ? b64_digits[v & 63] : '=';
        mail_out_put(o, t, sizeof(t));
    }
}

static void put_encoded_words(struct mail_out *o, const char *text, size_t len)
{
    size_t q_total = 0, i, pos = 0;
    bool use_q, first = true;

    for (i = 0; i < len; i++) {
        q_total += q_width(clean((unsigned char)text[i]));
    }
    use_q = q_total <= b64_width(len);

    while (pos < len && o->err == MAIL_OK) {
        size_t avail = WORD_LINE_MAX - (o->col < WORD_LINE_MAX ? o->col : WORD_LINE_MAX);
        size_t payload, used = 0, n = 0;

        if (!first) {
            avail = avail > 0 ? avail - 1 : 0; /* the separating blank */
        }
        if (avail > WORD_MAX) {
            avail = WORD_MAX;
        }
        if (avail < WORD_OVERHEAD + WORD_MIN_PAYLOAD) {
            mail_out_put(o, "\r\n ", 3);
            avail = WORD_MAX;
        } else if (!first) {
            mail_out_char(o, ' ');
        }
        payload = avail - WORD_OVERHEAD;
        while (pos + n < len) {
            size_t c = char_len(text, len, pos + n), w = 0, k;

            if (use_q) {
                for (k = 0; k < c; k++) {
                    w += q_width(clean((unsigned char)text[pos + n + k]));
                }
                w += used;
            } else {
                w = b64_width(n + c);
            }
            if (w > payload) {
                break;
            }
            used = w;
            n += c;
        }
        mail_out_str(o, use_q ? WORD_PREFIX "Q?" : WORD_PREFIX "B?");
        if (use_q) {
            put_q(o, text + pos, n);
        } else {
            put_b64(o, text + pos, n);
        }
        mail_out_put(o, "?=", 2);
        pos += n;
        first = false;
    }
}

static bool is_phrase_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

void mail_mime_put_folded(struct mail_out *o, const char *text, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t w = i + 1;

        while (w < len && text[w] != ' ') {
            w++;
        }
        if (text[i] == ' ' && o->col + (w - i) > MAIL_FOLD_AT && o->col > 1) {
            mail_out_crlf(o);
        }
        for (; i < w; i++) {
            mail_out_char(o, (char)clean((unsigned char)text[i]));
        }
    }
}

void mail_mime_put_words(struct mail_out *o, const char *text, size_t len, bool phrase)
{
    size_t i, word = 0, longest = 0;
    bool atext = true, plain = !mail_has_8bit(text, len);

    for (i = 0; i < len && plain; i++) {
        unsigned char c = clean((unsigned char)text[i]);
        /* Text that looks like an encoded-word would be decoded by the reader: encode it. */
        if (c == '=' && i + 1 < len && text[i + 1] == '?') {
            plain = false;
        }
        atext = atext && is_phrase_atext(c);
        word = c == ' ' ? 0 : word + 1;
        if (word > longest) {
            longest = word;
        }
    }
    if (plain && phrase) {
        /* A display name is a single line piece: quoted when it has specials, encoded when too long. */
        if (o->col + len + 2 <= MAIL_FOLD_AT) {
            if (atext) {
                mail_out_put(o, text, len);
                return;
            }
            mail_out_char(o, '"');
            for (i = 0; i < len; i++) {
                unsigned char c = clean((unsigned char)text[i]);
                if (c == '"' || c == '\\') {
                    mail_out_char(o, '\\');
                }
                mail_out_char(o, (char)c);
            }
            mail_out_char(o, '"');
            return;
        }
    } else if (plain && longest < MAIL_FOLD_AT) {
        mail_mime_put_folded(o, text, len);
        return;
    }
    put_encoded_words(o, text, len);
}

/* ---- re-encoding as quoted-printable ---- */

/* The value of a field without leading blanks, compared case-insensitively with a token prefix. */
static bool value_starts(const char *msg, const struct mail_mime_field *f, const char *token)
{
    size_t v = f->value;

    while (v < f->value_end && (msg[v] == ' ' || msg[v] == '\t' || msg[v] == '\r' || msg[v] == '\n')) {
        v++;
    }
    return ci_prefix(msg + v, f->value_end - v, token);
}

/* The header fields mail_mime_downgrade() may add; the Content-Transfer-Encoding it replaces is not counted. */
#define DOWNGRADE_MIME_VERSION "MIME-Version: 1.0\r\n"
#define DOWNGRADE_TYPE         "Content-Type: text/plain; charset=utf-8\r\n"
#define DOWNGRADE_CTE          "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
/* Encoded octets per input octet at worst: QP_LINE_MAX - 1 columns of "=XX" then the soft break "=" CRLF. */
#define QP_WORST_IN  ((QP_LINE_MAX - 1) / 3)
#define QP_WORST_OUT (QP_WORST_IN * 3 + 3)

size_t mail_mime_downgrade_max(size_t len)
{
    /* Per line of n octets and e >= 1 ending octets: at most 3n + 3(n / 25) + 2 out, and 2 <= 3e, so the text
	 * as a whole takes at most 3.12 per octet, plus a CRLF for a last line without one. */
    const size_t fixed = sizeof(DOWNGRADE_MIME_VERSION) + sizeof(DOWNGRADE_TYPE) + sizeof(DOWNGRADE_CTE) + 2;

    if (len > (SIZE_MAX - fixed) / 4) {
        return 0;
    }
    return len / QP_WORST_IN * QP_WORST_OUT + len % QP_WORST_IN * 3 + fixed;
}

int mail_mime_downgrade(const char *msg, size_t len, char *out, size_t size, size_t *out_len)
{
    struct mail_mime_field f;
    struct mail_mime_scan scan;
    struct mail_out o;
    size_t pos = 0, body, next;
    bool has_mime_version = false, has_type = false;

    if ((msg == NULL && len > 0) || out == NULL || out_len == NULL) {
        return MAIL_ERR_ARG;
    }
    *out_len = 0;
    while (pos < len && mail_mime_field_at(msg, len, pos, &f)) {
        if (mail_mime_field_is(msg, &f, "Content-Transfer-Encoding") && !value_starts(msg, &f, "7bit") &&
            !value_starts(msg, &f, "8bit")) {
            return MAIL_ERR_UNSUPPORTED;
        }
        if (mail_mime_field_is(msg, &f, "Content-Type")) {
            if (!value_starts(msg, &f, "text/")) {
                return MAIL_ERR_UNSUPPORTED;
            }
            has_type = true;
        }
        has_mime_version = has_mime_version || mail_mime_field_is(msg, &f, "MIME-Version");
        pos = f.next;
    }
    body = pos;
    if (body < len && mail_mime_line(msg, len, body, &next) == body) {
        body = next; /* the blank line that ends the header */
    }
    mail_mime_scan(msg + body, len - body, &scan);
    if (!has_type && !scan.valid_utf8) {
        return MAIL_ERR_UNSUPPORTED;
    }

    mail_out_init(&o, out, size);
    for (pos = 0; pos < len && mail_mime_field_at(msg, len, pos, &f); pos = f.next) {
        if (!mail_mime_field_is(msg, &f, "Content-Transfer-Encoding")) {
            mail_mime_put_text(&o, msg + f.start, f.next - f.start);
        }
    }
    if (!has_mime_version) {
        mail_out_str(&o, DOWNGRADE_MIME_VERSION);
    }
    if (!has_type) {
        mail_out_str(&o, DOWNGRADE_TYPE);
    }
    mail_out_str(&o, DOWNGRADE_CTE);
    mail_mime_put_qp(&o, msg + body, len - body);
    return mail_out_finish(&o, out_len);
}
