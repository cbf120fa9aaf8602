/*
 * test_utf8.c - lib/utf8: the one UTF-8 decoder.
 *
 * A table of byte strings with what the decoder must answer (RFC 3629 section 4's well-formed sequences at their
 * edges, and each way of not being one: stray continuations, bad lead bytes, overlong forms, surrogates, past
 * U+10FFFF, truncation by the data and by n), then every code point encoded by a reference encoder written here
 * from RFC 3629 section 3's table and decoded back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/units.h"
#include "lib/utf8.h"

#define UNTOUCHED 0xA5A5A5A5u

struct vector {
    const char *what;
    const char *bytes;
    size_t n;    /* bytes the decoder may read */
    size_t len;  /* expected length, 0: not UTF-8 */
    uint32_t cp; /* expected code point when len > 0 */
};

/* clang-format off */
static const struct vector vectors[] = {
    /* well-formed, at the edges of each length */
    { "NUL", "\x00", 1, 1, 0x0 },
    { "A", "A", 1, 1, 0x41 },
    { "DEL", "\x7F", 1, 1, 0x7F },
    { "U+0080", "\xC2\x80", 2, 2, 0x80 },
    { "U+00E9", "\xC3\xA9", 2, 2, 0xE9 },
    { "U+07FF", "\xDF\xBF", 2, 2, 0x7FF },
    { "U+0800", "\xE0\xA0\x80", 3, 3, 0x800 },
    { "U+20AC", "\xE2\x82\xAC", 3, 3, 0x20AC },
    { "U+D7FF", "\xED\x9F\xBF", 3, 3, 0xD7FF },
    { "U+E000", "\xEE\x80\x80", 3, 3, 0xE000 },
    { "U+FFFD", "\xEF\xBF\xBD", 3, 3, 0xFFFD },
    { "U+FFFF", "\xEF\xBF\xBF", 3, 3, 0xFFFF },
    { "U+10000", "\xF0\x90\x80\x80", 4, 4, 0x10000 },
    { "U+1F600", "\xF0\x9F\x98\x80", 4, 4, 0x1F600 },
    { "U+10FFFF", "\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF },
    /* only the first character counts */
    { "A then B", "AB", 2, 1, 0x41 },
    { "U+00E9 then A", "\xC3\xA9" "A", 3, 2, 0xE9 },
    { "U+20AC then a stray byte", "\xE2\x82\xAC\x80", 4, 3, 0x20AC },
    /* nothing to read */
    { "n 0", "A", 0, 0, 0 },
    /* a continuation byte where a character starts */
    { "stray 0x80", "\x80", 1, 0, 0 },
    { "stray 0xBF", "\xBF\x80", 2, 0, 0 },
    /* lead bytes no character starts with */
    { "0xF8", "\xF8\x88\x80\x80\x80", 5, 0, 0 },
    { "0xFC", "\xFC\x84\x80\x80\x80\x80", 6, 0, 0 },
    { "0xFE", "\xFE", 1, 0, 0 },
    { "0xFF", "\xFF", 1, 0, 0 },
    /* a continuation byte missing */
    { "2-byte, then ASCII", "\xC2\x41", 2, 0, 0 },
    { "3-byte, then ASCII", "\xE2\x28\xA1", 3, 0, 0 },
    { "3-byte, third byte ASCII", "\xE2\x82\x41", 3, 0, 0 },
    { "4-byte, third byte ASCII", "\xF0\x90\x28\xBC", 4, 0, 0 },
    { "4-byte, last byte a lead", "\xF0\x90\x80\xC2", 4, 0, 0 },
    /* cut short by the data, and by n with the rest of the sequence in the buffer */
    { "2-byte, 1 of 2", "\xC3", 1, 0, 0 },
    { "3-byte, 2 of 3", "\xE2\x82", 2, 0, 0 },
    { "4-byte, 3 of 4", "\xF0\x9F\x98", 3, 0, 0 },
    { "U+20AC with n 2", "\xE2\x82\xAC", 2, 0, 0 },
    { "U+1F600 with n 1", "\xF0\x9F\x98\x80", 1, 0, 0 },
    /* overlong forms: a shorter one exists */
    { "overlong NUL in 2", "\xC0\x80", 2, 0, 0 },
    { "overlong '/' in 2", "\xC0\xAF", 2, 0, 0 },
    { "overlong U+007F in 2", "\xC1\xBF", 2, 0, 0 },
    { "overlong NUL in 3", "\xE0\x80\x80", 3, 0, 0 },
    { "overlong U+07FF in 3", "\xE0\x9F\xBF", 3, 0, 0 },
    { "overlong NUL in 4", "\xF0\x80\x80\x80", 4, 0, 0 },
    { "overlong U+FFFF in 4", "\xF0\x8F\xBF\xBF", 4, 0, 0 },
    /* UTF-16 surrogates */
    { "U+D800", "\xED\xA0\x80", 3, 0, 0 },
    { "U+DBFF", "\xED\xAF\xBF", 3, 0, 0 },
    { "U+DC00", "\xED\xB0\x80", 3, 0, 0 },
    { "U+DFFF", "\xED\xBF\xBF", 3, 0, 0 },
    { "a surrogate pair written as CESU-8", "\xED\xA0\xBD\xED\xB8\x80", 6, 0, 0 },
    /* past U+10FFFF */
    { "U+110000", "\xF4\x90\x80\x80", 4, 0, 0 },
    { "0xF5 lead", "\xF5\x80\x80\x80", 4, 0, 0 },
    { "0xF7 lead, U+1FFFFF", "\xF7\xBF\xBF\xBF", 4, 0, 0 },
};
/* clang-format on */

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
        const struct vector *v = &vectors[i];
        uint32_t cp = UNTOUCHED;
        size_t len = utf8_decode((const unsigned char *)v->bytes, v->n, &cp);

        if (len != v->len) {
            fail_msg("%s: length %zu, expected %zu", v->what, len, v->len);
        }
        if (len > 0 && cp != v->cp) {
            fail_msg("%s: U+%04lX, expected U+%04lX", v->what, (unsigned long)cp, (unsigned long)v->cp);
        }
        if (len == 0 && cp != UNTOUCHED) {
            fail_msg("%s: not UTF-8, but the code point was written", v->what);
        }
        /* The length does not depend on whether the caller wants the code point. */
        assert_int_equal(utf8_decode((const unsigned char *)v->bytes, v->n, NULL), v->len);
    }
}

/* RFC 3629 section 3's table, the other way round. */
static size_t encode(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80u) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800u) {
        out[0] = (unsigned char)(0xC0u | cp >> 6);
        out[1] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (unsigned char)(0xE0u | cp >> 12);
        out[1] = (unsigned char)(0x80u | (cp >> 6 & 0x3Fu));
        out[2] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (unsigned char)(0xF0u | cp >> 18);
    out[1] = (unsigned char)(0x80u | (cp >> 12 & 0x3Fu));
    out[2] = (unsigned char)(0x80u | (cp >> 6 & 0x3Fu));
    out[3] = (unsigned char)(0x80u | (cp & 0x3Fu));
    return 4;
}

/* Every code point round-trips, and the encoding of a surrogate is refused; no sequence is accepted one byte
 * short. */
static void test_every_code_point(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp <= UTF8_CODE_POINT_MAX; cp++) {
        unsigned char buf[UTF8_SEQ_MAX];
        uint32_t got = UNTOUCHED;
        size_t n = encode(cp, buf);
        bool surrogate = cp >= 0xD800u && cp <= 0xDFFFu;
        size_t len = utf8_decode(buf, n, &got);

        if (len != (surrogate ? 0 : n) || (!surrogate && got != cp)) {
            fail_msg("U+%04lX: length %zu, U+%04lX", (unsigned long)cp, len, (unsigned long)got);
        }
        if (utf8_decode(buf, n - 1, NULL) != 0) {
            fail_msg("U+%04lX: accepted one byte short", (unsigned long)cp);
        }
    }
}

/* Every two-byte string: exactly the 1920 characters U+0080-U+07FF are two-byte sequences. */
static void test_every_two_byte_string(void **state)
{
    unsigned accepted = 0;

    (void)state;
    for (unsigned a = 0x80u; a <= 0xFFu; a++) {
        for (unsigned b = 0; b <= 0xFFu; b++) {
            unsigned char buf[2] = { (unsigned char)a, (unsigned char)b };
            size_t len = utf8_decode(buf, sizeof(buf), NULL);
            if (len == 2) {
                accepted++;
            } else {
                assert_int_equal(len, 0);
            }
        }
    }
    assert_int_equal(accepted, 0x800u - 0x80u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_every_code_point),
        cmocka_unit_test(test_every_two_byte_string),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
