/*
 * utf8 - the one UTF-8 decoder (see utf8.h). RFC 3629 section 3 gives the encoding, section 4 the well-formed
 * byte sequences this accepts.
 */
#include "lib/utf8.h"

/* A byte's leading bits say what it is: 0xxxxxxx ASCII, 10xxxxxx a continuation, 110xxxxx, 1110xxxx and
 * 11110xxx the first byte of a 2-, 3- and 4-byte sequence (RFC 3629 section 3). */
#define UTF8_ASCII_END     0x80u
#define UTF8_CONT_MASK     0xC0u
#define UTF8_CONT_TAG      0x80u
#define UTF8_CONT_BITS     6u
#define UTF8_CONT_PAYLOAD  0x3Fu
#define UTF8_LEAD2_MASK    0xE0u
#define UTF8_LEAD2_TAG     0xC0u
#define UTF8_LEAD2_PAYLOAD 0x1Fu
#define UTF8_LEAD3_MASK    0xF0u
#define UTF8_LEAD3_TAG     0xE0u
#define UTF8_LEAD3_PAYLOAD 0x0Fu
#define UTF8_LEAD4_MASK    0xF8u
#define UTF8_LEAD4_TAG     0xF0u
#define UTF8_LEAD4_PAYLOAD 0x07u

/* The smallest code point each length may carry: anything below has a shorter form (overlong, RFC 3629 section
 * 10 on why decoders must refuse it). */
#define UTF8_MIN2 0x80u
#define UTF8_MIN3 0x800u
#define UTF8_MIN4 0x10000u

/* UTF-16's surrogate halves are not characters and have no UTF-8 form (RFC 3629 section 3). */
#define UTF8_SURROGATE_FIRST 0xD800u
#define UTF8_SURROGATE_LAST  0xDFFFu

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c;
    uint32_t min;
    size_t len;

    if (n == 0) {
        return 0;
    }
    c = s[0];
    if (c < UTF8_ASCII_END) {
        if (cp != NULL) {
            *cp = c;
        }
        return 1;
    }
    if ((c & UTF8_LEAD2_MASK) == UTF8_LEAD2_TAG) {
        len = 2;
        min = UTF8_MIN2;
        c &= UTF8_LEAD2_PAYLOAD;
    } else if ((c & UTF8_LEAD3_MASK) == UTF8_LEAD3_TAG) {
        len = 3;
        min = UTF8_MIN3;
        c &= UTF8_LEAD3_PAYLOAD;
    } else if ((c & UTF8_LEAD4_MASK) == UTF8_LEAD4_TAG) {
        len = 4;
        min = UTF8_MIN4;
        c &= UTF8_LEAD4_PAYLOAD;
    } else {
        return 0; /* a continuation byte, or 0xF8-0xFF */
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & UTF8_CONT_MASK) != UTF8_CONT_TAG) {
            return 0;
        }
        c = (c << UTF8_CONT_BITS) | (s[i] & UTF8_CONT_PAYLOAD);
    }
    /* 0xC0, 0xC1 and 0xE0/0xF0 with a small second byte are overlong; 0xF4 with a large one and 0xF5-0xF7 are
     * past U+10FFFF. */
    if (c < min || c > UTF8_CODE_POINT_MAX || (c >= UTF8_SURROGATE_FIRST && c <= UTF8_SURROGATE_LAST)) {
        return 0;
    }
    if (cp != NULL) {
        *cp = c;
    }
    return len;
}
