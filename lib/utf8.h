/*
 * utf8 - the one UTF-8 decoder: is there a well-formed character at this point of a byte string, how long is it,
 * which code point is it.
 *
 * lib/ is the bottom layer: pure libc helpers that every layer may use (drivers/ and config/ included), so they
 * include nothing of ours. Here the FAT driver (path components, decoded to UTF-16 long names) and the mail code
 * (is a text UTF-8, where may a header be cut) share one reading of RFC 3629.
 *
 * Rules: pure, no state, no allocation; the caller owns the bytes and may call from any context.
 */
#ifndef LIB_UTF8_H
#define LIB_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The largest Unicode code point (RFC 3629 section 3: UTF-8 stops at U+10FFFF, where UTF-16 does). */
#define UTF8_CODE_POINT_MAX 0x10FFFFu
/* The longest well-formed sequence, in bytes. */
#define UTF8_SEQ_MAX 4u

/*
 * The length (1 to UTF8_SEQ_MAX) of the well-formed UTF-8 sequence that starts at s[0], using no byte past
 * s[n - 1]; its code point goes to *cp when cp is not NULL. Returns 0, and leaves *cp alone, when n is 0 or the
 * bytes there are not UTF-8 (RFC 3629 section 4): a continuation byte where a character should start, a lead byte
 * that no character starts with (0xC0, 0xC1, 0xF5-0xFF), a missing continuation byte, a sequence cut short by
 * n, an overlong form, a UTF-16 surrogate (U+D800-U+DFFF) or a code point past U+10FFFF.
 * ASCII, NUL included, is a one-byte sequence.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif /* LIB_UTF8_H */
