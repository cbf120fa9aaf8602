/*
 * mail_decode - test-side decoders for quoted-printable and RFC 2047 (see mail_decode.h).
 */
#include "mail_decode.h"

#include <string.h>
#include <strings.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1; /* RFC 2045: encoders use upper case */
}

static int b64val(char c)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c != '\0' ? strchr(digits, c) : NULL;

    return p != NULL ? (int)(p - digits) : -1;
}

int mail_decode_qp(const char *in, size_t len, char *out, size_t size)
{
    size_t i = 0, o = 0;

    while (i < len) {
        char c = in[i];
        if (o + 2 >= size) {
            return -1;
        }
        if (c == '=') {
            int hi, lo;
            if (i + 2 < len + 0 && in[i + 1] == '\r' && in[i + 2] == '\n') {
                i += 3; /* soft line break */
                continue;
            }
            if (i + 2 >= len || (hi = hexval(in[i + 1])) < 0 || (lo = hexval(in[i + 2])) < 0) {
                return -1;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 3;
        } else if (c == '\r') {
            if (i + 1 >= len || in[i + 1] != '\n') {
                return -1;
            }
            out[o++] = '\r';
            out[o++] = '\n';
            i += 2;
        } else if (c == '\n') {
            return -1;
        } else {
            out[o++] = c;
            i++;
        }
    }
    out[o] = '\0';
    return (int)o;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t need = s[i] < 0x80 ? 1 : s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : s[i] >= 0xc2 ? 2 : 0;
        size_t k;
        if (need == 0 || i + need > n) {
            return false;
        }
        for (k = 1; k < need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += need;
    }
    return true;
}

/* Decode one encoded-word at in[0..len) starting with "=?"; returns its length in `in` or -1. */
static int decode_word(const char *in, size_t len, char *out, size_t size, size_t *olen)
{
    const char *end, *text;
    char enc;
    size_t o = 0, i;

    if (len < 12 || strncasecmp(in, "=?UTF-8?", 8) != 0) {
        return -1;
    }
    enc = in[8];
    if ((enc != 'Q' && enc != 'B') || in[9] != '?') {
        return -1;
    }
    text = in + 10;
    end = strstr(text, "?=");
    if (end == NULL || end > in + len || end - in + 2 > 75) {
        return -1;
    }
    if (enc == 'Q') {
        for (i = 0; text + i < end; i++) {
            if (o + 1 >= size) {
                return -1;
            }
            if (text[i] == '_') {
                out[o++] = ' ';
            } else if (text[i] == '=') {
                int hi = hexval(text[i + 1]), lo = hexval(text[i + 2]);
                if (hi < 0 || lo < 0) {
                    return -1;
                }
                out[o++] = (char)(hi * 16 + lo);
                i += 2;
            } else {
                out[o++] = text[i];
            }
        }
    } else {
        unsigned long acc = 0;
        int bits = 0;
        for (i = 0; text + i < end; i++) {
            int v;
            if (text[i] == '=') {
                break;
            }
            if ((v = b64val(text[i])) < 0) {
                return -1;
            }
            acc = (acc << 6) | (unsigned long)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                if (o + 1 >= size) {
                    return -1;
                }
                out[o++] = (char)((acc >> bits) & 0xff);
            }
        }
    }
    if (!valid_utf8((const unsigned char *)out, o)) {
        return -1;
    }
    *olen = o;
    return (int)(end + 2 - in);
}

int mail_decode_words(const char *in, size_t len, char *out, size_t size)
{
    size_t i = 0, o = 0, pending_blank_start = 0, pending_blank = 0;
    bool after_word = false;

    while (i < len) {
        if (in[i] == '\r' && i + 2 < len + 1 && in[i + 1] == '\n') {
            i += 2; /* unfold: CRLF before a blank disappears */
            continue;
        }
        if (in[i] == ' ' || in[i] == '\t') {
            if (pending_blank == 0) {
                pending_blank_start = i;
            }
            pending_blank++;
            i++;
            continue;
        }
        if (in[i] == '=' && i + 1 < len && in[i + 1] == '?') {
            size_t wl;
            int n = decode_word(in + i, len - i, out + o, size - o, &wl);
            if (n < 0) {
                return -1;
            }
            if (pending_blank > 0 && !after_word) {
                return -1; /* blanks before a word are text: not produced by our encoder */
            }
            pending_blank = 0;
            o += wl;
            i += (size_t)n;
            after_word = true;
            continue;
        }
        if (o + pending_blank + 1 >= size) {
            return -1;
        }
        memcpy(out + o, in + pending_blank_start, pending_blank);
        o += pending_blank;
        pending_blank = 0;
        out[o++] = in[i++];
        after_word = false;
    }
    if (o + pending_blank + 1 >= size) {
        return -1;
    }
    memcpy(out + o, in + pending_blank_start, pending_blank);
    o += pending_blank;
    out[o] = '\0';
    return (int)o;
}

bool mail_decode_crlf_only(const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (text[i] == '\r' && (i + 1 >= len || text[i + 1] != '\n')) {
            return false;
        }
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) {
            return false;
        }
    }
    return len == 0 || (len >= 2 && text[len - 2] == '\r' && text[len - 1] == '\n');
}

size_t mail_decode_longest_line(const char *text, size_t len)
{
    size_t i, start = 0, longest = 0;

    for (i = 0; i < len; i++) {
        if (text[i] == '\n') {
            size_t l = i - start - (i > start && text[i - 1] == '\r' ? 1 : 0);
            if (l > longest) {
                longest = l;
            }
            start = i + 1;
        }
    }
    if (len - start > longest) {
        longest = len - start;
    }
    return longest;
}

int mail_decode_body_offset(const char *msg, size_t len)
{
    size_t i;

    if (len >= 2 && msg[0] == '\r' && msg[1] == '\n') {
        return 2;
    }
    for (i = 0; i + 3 < len; i++) {
        if (memcmp(msg + i, "\r\n\r\n", 4) == 0) {
            return (int)(i + 4);
        }
    }
    return -1;
}

int mail_decode_field(const char *msg, size_t len, const char *name, char *out, size_t size)
{
    int body = mail_decode_body_offset(msg, len);
    size_t end = body < 0 ? len : (size_t)body, i = 0, n = strlen(name);

    while (i < end) {
        size_t line_end = i, v;
        if (strncasecmp(msg + i, name, n) == 0 && msg[i + n] == ':') {
            v = i + n + 1;
            while (v < end && msg[v] == ' ') {
                v++;
            }
            line_end = v;
            /* the field runs until a CRLF not followed by a blank */
            while (line_end + 2 < end && !(msg[line_end] == '\r' && msg[line_end + 1] == '\n' &&
                                           msg[line_end + 2] != ' ' && msg[line_end + 2] != '\t')) {
                line_end++;
            }
            if (line_end - v + 1 > size) {
                return -1;
            }
            memcpy(out, msg + v, line_end - v);
            out[line_end - v] = '\0';
            return (int)(line_end - v);
        }
        while (i < end && msg[i] != '\n') {
            i++;
        }
        i++;
    }
    return -1;
}
