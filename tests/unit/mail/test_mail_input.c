/* Unit tests for mail/mail_input, sendmail's message reader: line ends, the "." terminator, the dot rule,
 * Ctrl-C, overflow, and the same message fed in one piece or typed byte by byte giving the same text. Table-driven:
 * each vector is what the console receives and the message that must come out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "mail/mail_input.h"

struct vector {
    const char *name;
    const char *input;          /* bytes received after the command line's CR */
    enum mail_input_event last; /* the event of the input's last byte */
    const char *message;        /* the text at the end (CRLF line ends) */
    const char *echo;           /* D for each MAIL_INPUT_DATA byte echoed, L for each line end, - for nothing */
};

/* clang-format off */
static const struct vector vectors[] = {
    { "LF lines", "a\nb\n.\n", MAIL_INPUT_END, "a\r\nb\r\n", "DLDLDL" },
    { "CR lines", "a\rb\r.\r", MAIL_INPUT_END, "a\r\nb\r\n", "DLDLDL" },
    { "CRLF lines count once", "a\r\nb\r\n.\r", MAIL_INPUT_END, "a\r\nb\r\n", "DL-DL-DL" },
    { "the command line's LF is not an empty line", "\na\n.\n", MAIL_INPUT_END, "a\r\n", "-DLDL" },
    { "a later lone LF is an empty line", "a\n\nb\n.\n", MAIL_INPUT_END, "a\r\n\r\nb\r\n", "DLLDLDL" },
    { "dot lines lose one dot", "..\n...\n.\n", MAIL_INPUT_END, ".\r\n..\r\n", "DDLDDDLDL" },
    { "a leading dot stays", ".x\n.\n", MAIL_INPUT_END, ".x\r\n", "DDLDL" },
    { "empty message", ".\n", MAIL_INPUT_END, "", "DL" },
    { "Ctrl-C abandons", "a\nb\x03", MAIL_INPUT_CANCELLED, "a\r\nb", "DLD" },
    { "not ended yet", "a\n. \n", MAIL_INPUT_LINE, "a\r\n. \r\n", "DLDDL" },
};
/* clang-format on */

static void feed_vector(const struct vector *v, char *buf, size_t cap, struct mail_input *in, char *echo)
{
    mail_input_init(in, buf, cap);
    size_t n = strlen(v->input);
    enum mail_input_event ev = MAIL_INPUT_NONE;
    for (size_t i = 0; i < n; i++) {
        ev = mail_input_feed(in, v->input[i]);
        echo[i] = ev == MAIL_INPUT_DATA                           ? 'D'
                  : ev == MAIL_INPUT_LINE || ev == MAIL_INPUT_END ? 'L'
                  : ev == MAIL_INPUT_NONE                         ? '-'
                                                                  : 'C';
        if (ev == MAIL_INPUT_END || ev == MAIL_INPUT_CANCELLED) {
            echo[i + 1] = '\0';
            if (i + 1 != n) {
                fail_msg("%s: ended at byte %zu of %zu", v->name, i + 1, n);
            }
            break;
        }
        echo[i + 1] = '\0';
    }
    if (ev != v->last) {
        fail_msg("%s: last event %d, want %d", v->name, ev, v->last);
    }
}

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const struct vector *v = &vectors[i];
        char buf[64], echo[64];
        struct mail_input in;
        feed_vector(v, buf, sizeof buf, &in, echo);
        size_t len;
        const char *text = mail_input_text(&in, &len);
        if (len != strlen(v->message) || memcmp(text, v->message, len) != 0) {
            fail_msg("%s: message \"%.*s\", want \"%s\"", v->name, (int)len, text, v->message);
        }
        if (v->last != MAIL_INPUT_CANCELLED && strspn(echo, "DL-") == strlen(echo) && strcmp(echo, v->echo) != 0) {
            fail_msg("%s: echo %s, want %s", v->name, echo, v->echo);
        }
        assert_false(mail_input_overflowed(&in));
    }
}

/* Past the buffer, the rest is read to the "." line and dropped, and the reader says so. */
static void test_overflow(void **state)
{
    (void)state;
    char buf[8];
    struct mail_input in;
    mail_input_init(&in, buf, sizeof buf);
    const char *input = "0123456789\nmore\n..\n.\n";
    enum mail_input_event ev = MAIL_INPUT_NONE;
    for (const char *p = input; *p != '\0'; p++) {
        ev = mail_input_feed(&in, *p);
    }
    assert_int_equal(ev, MAIL_INPUT_END);
    assert_true(mail_input_overflowed(&in));
    size_t len;
    mail_input_text(&in, &len);
    assert_int_equal(len, sizeof buf);
}

/* Exactly full is not an overflow: a message of cap bytes fits, though the "." that ends it found no room. */
static void test_exactly_full(void **state)
{
    (void)state;
    char buf[5];
    struct mail_input in;
    mail_input_init(&in, buf, sizeof buf);
    for (const char *p = "abc\n.\n"; *p != '\0'; p++) {
        mail_input_feed(&in, *p);
    }
    assert_false(mail_input_overflowed(&in));
    size_t len;
    const char *text = mail_input_text(&in, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(text, "abc\r\n", 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_exactly_full),
    };
    return cmocka_run_group_tests_name("mail_input", tests, NULL, NULL);
}
