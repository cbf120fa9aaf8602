/* Unit tests for firmware/console_editor: input bytes -> events, lines and echo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "firmware/console_editor.h"

#define ECHO_MAX   (64 * 1024)
#define LINES_MAX  (64 * 1024)
#define EVENTS_MAX 1024

static char echo[ECHO_MAX + 1];
static size_t echo_len;

static void record_echo(const char *buf, size_t len)
{
    assert_true(len <= ECHO_MAX - echo_len);
    memcpy(&echo[echo_len], buf, len);
    echo_len += len;
    echo[echo_len] = '\0';
}

/* What one run of the editor produced: one letter per event (L line, C cancelled, O overflow), every LINE's
 * text followed by "\n", and the echo. */
struct run_result {
    char events[EVENTS_MAX + 1];
    char lines[LINES_MAX + 1];
};

static void feed_all(struct console_editor *ed, const char *input, size_t len, struct run_result *r)
{
    size_t n_events = strlen(r->events);
    size_t n_lines = strlen(r->lines);

    for (size_t i = 0; i < len; i++) {
        enum console_editor_event ev = console_editor_feed(ed, input[i]);
        if (ev == CONSOLE_EDITOR_NONE) {
            continue;
        }
        assert_true(n_events < EVENTS_MAX);
        r->events[n_events++] = ev == CONSOLE_EDITOR_LINE ? 'L' : ev == CONSOLE_EDITOR_CANCELLED ? 'C' : 'O';
        r->events[n_events] = '\0';
        if (ev == CONSOLE_EDITOR_LINE) {
            const char *line = console_editor_line(ed);
            size_t line_len = strlen(line);
            assert_true(line_len <= CONSOLE_LINE_MAX);
            assert_true(n_lines + line_len + 1 <= LINES_MAX);
            memcpy(&r->lines[n_lines], line, line_len);
            n_lines += line_len;
            r->lines[n_lines++] = '\n';
            r->lines[n_lines] = '\0';
        }
    }
}

static int setup(void **state)
{
    (void)state;
    echo_len = 0;
    echo[0] = '\0';
    return 0;
}

struct vector {
    const char *name;
    const char *input;
    const char *events;
    const char *lines;
    const char *echo;
};

/* clang-format off */
static const struct vector vectors[] = {
    { "CR ends a line", "abc\r", "L", "abc\n", "abc\r\n" },
    { "LF ends a line", "abc\n", "L", "abc\n", "abc\r\n" },
    { "CRLF ends a line once", "abc\r\ndef\r\n", "LL", "abc\ndef\n", "abc\r\ndef\r\n" },
    { "empty CRLF line is one line", "\r\n", "L", "\n", "\r\n" },
    { "two CRs are two lines", "\r\r", "LL", "\n\n", "\r\n\r\n" },
    { "two LFs are two lines", "\n\n", "LL", "\n\n", "\r\n\r\n" },
    { "CR LF LF: the second LF is a line", "\r\n\n", "LL", "\n\n", "\r\n\r\n" },
    { "LF CR is two line ends", "a\n\rb\r", "LLL", "a\n\nb\n", "a\r\n\r\nb\r\n" },
    { "LF long after CR is still swallowed", "a\r\nb\r", "LL", "a\nb\n", "a\r\nb\r\n" },
    { "DEL erases one character", "ab\x7f" "c\r", "L", "ac\n", "ab\b \bc\r\n" },
    { "BS erases one character", "ab\bc\r", "L", "ac\n", "ab\b \bc\r\n" },
    { "backspace stops at the line start", "ab\b\b\bc\r", "L", "c\n", "ab\b \b\b \bc\r\n" },
    { "backspace on an empty line does nothing", "\x7f\x7f\r", "L", "\n", "\r\n" },
    { "Ctrl-U erases the line", "abc\x15xy\r", "L", "xy\n", "abc\b \b\b \b\b \bxy\r\n" },
    { "Ctrl-U on an empty line does nothing", "\x15\r", "L", "\n", "\r\n" },
    { "Ctrl-C cancels", "abc\x03", "C", "", "abc^C\r\n" },
    { "Ctrl-C then a new line", "abc\x03xy\r", "CL", "xy\n", "abc^C\r\nxy\r\n" },
    { "LF after Ctrl-C is a line", "\x03\n", "CL", "\n", "^C\r\n\r\n" },
    { "arrow keys are ignored", "a\x1b[Ab\x1b[B\x1b[C\x1b[D\r", "L", "ab\n", "ab\r\n" },
    { "CSI with parameters", "a\x1b[1;5Cb\x1b[3~\r", "L", "ab\n", "ab\r\n" },
    { "SS3 arrow keys", "a\x1bOAb\x1bOH\r", "L", "ab\n", "ab\r\n" },
    { "ESC then another key", "a\x1bxb\r", "L", "ab\n", "ab\r\n" },
    { "ESC ESC [ A", "a\x1b\x1b[Ab\r", "L", "ab\n", "ab\r\n" },
    { "Enter ends an unfinished sequence", "ab\x1b[1\r", "L", "ab\n", "ab\r\n" },
    { "Ctrl-C inside a sequence", "ab\x1b[\x03" "c\r", "CL", "c\n", "ab^C\r\nc\r\n" },
    { "UTF-8 inside a sequence is data", "\x1b[\xc3\xbc\r", "L", "\xc3\xbc\n", "\xc3\xbc\r\n" },
    { "other controls are ignored", "a\tb\x01\x07\x04\x1a" "c\r", "L", "abc\n", "abc\r\n" },
    { "UTF-8 is data", "gr\xc3\xbc\xc3\x9f\r", "L", "gr\xc3\xbc\xc3\x9f\n", "gr\xc3\xbc\xc3\x9f\r\n" },
    { "backspace erases a whole UTF-8 character", "a\xe2\x82\xac\x7f\r", "L", "a\n", "a\xe2\x82\xac\b \b\r\n" },
    /* A terminal shows each stray continuation byte as a replacement character: backspace erases one of them. */
    { "backspace erases one stray continuation byte", "a\x80\x80\x7f\r", "L", "a\x80\n", "a\x80\x80\b \b\r\n" },
    /* After "\b \b" the terminal starts afresh: a continuation byte typed then is a character of its own. */
    { "a continuation byte after an erase stands alone", "\xe2\x82" "b\x7f\xac\x7f\r", "L", "\xe2\x82\n",
      "\xe2\x82" "b\b \b\xac\b \b\r\n" },
    { "an incomplete sequence is one character", "x\xe2\x82\x7f\r", "L", "x\n", "x\xe2\x82\b \b\r\n" },
    { "quotes and spaces are data", "set x \"a b\"\r", "L", "set x \"a b\"\n", "set x \"a b\"\r\n" },
};
/* clang-format on */

static void run_vector(const struct vector *v)
{
    struct console_editor ed;
    struct run_result r = { .events = "", .lines = "" };

    setup(NULL);
    console_editor_init(&ed, record_echo);
    feed_all(&ed, v->input, strlen(v->input), &r);
    if (strcmp(r.events, v->events) != 0 || strcmp(r.lines, v->lines) != 0 || strcmp(echo, v->echo) != 0) {
        print_error("vector '%s': events '%s' (want '%s')\n", v->name, r.events, v->events);
    }
    assert_string_equal(r.events, v->events);
    assert_string_equal(r.lines, v->lines);
    assert_string_equal(echo, v->echo);
}

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        run_vector(&vectors[i]);
    }
}

static void fill(char *buf, size_t len, char c)
{
    memset(buf, c, len);
    buf[len] = '\0';
}

static void test_line_of_max_length_is_accepted(void **state)
{
    struct console_editor ed;
    struct run_result r = { .events = "", .lines = "" };
    char input[CONSOLE_LINE_MAX + 2];
    char want[CONSOLE_LINE_MAX + 2];

    (void)state;
    console_editor_init(&ed, record_echo);
    fill(input, CONSOLE_LINE_MAX, 'x');
    input[CONSOLE_LINE_MAX] = '\r';
    feed_all(&ed, input, CONSOLE_LINE_MAX + 1, &r);
    assert_string_equal(r.events, "L");
    fill(want, CONSOLE_LINE_MAX, 'x');
    assert_int_equal(strlen(console_editor_line(&ed)), CONSOLE_LINE_MAX);
    assert_string_equal(console_editor_line(&ed), want);
}

static const char too_long_msg[] = "error: line too long (max 255 characters), ignored\r\n";

static void test_overlong_line_is_refused_then_next_works(void **state)
{
    static const size_t lengths[] = { CONSOLE_LINE_MAX + 1, 1000, 5000 };
    char input[5000];
    char want_echo[CONSOLE_LINE_MAX + sizeof too_long_msg + 16];

    (void)state;
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        struct console_editor ed;
        struct run_result r = { .events = "", .lines = "" };

        setup(NULL);
        console_editor_init(&ed, record_echo);
        memset(input, 'y', lengths[i]);
        feed_all(&ed, input, lengths[i], &r);
        feed_all(&ed, "\r\nok\r\n", 6, &r);
        assert_string_equal(r.events, "OL");
        assert_string_equal(r.lines, "ok\n");
        /* The echo stops at the limit: no endless echo of bytes that will be refused. */
        fill(want_echo, CONSOLE_LINE_MAX, 'y');
        strcat(want_echo, "\r\n");
        strcat(want_echo, too_long_msg);
        strcat(want_echo, "ok\r\n");
        assert_string_equal(echo, want_echo);
    }
}

/* A fresh editor that has just been fed a line 10 bytes over the limit (and has refused the excess). */
static void start_overlong_line(struct console_editor *ed, struct run_result *r)
{
    char input[CONSOLE_LINE_MAX + 10];

    console_editor_init(ed, record_echo);
    memset(input, 'z', sizeof input);
    feed_all(ed, input, sizeof input, r);
}

static void test_overlong_line_swallows_editing_keys(void **state)
{
    struct console_editor ed;
    struct run_result r = { .events = "", .lines = "" };

    (void)state;
    start_overlong_line(&ed, &r);
    size_t echo_at_limit = echo_len;
    /* Backspace cannot bring an over-long line back under the limit: it is refused whatever follows. */
    feed_all(&ed, "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f", 12, &r);
    assert_int_equal(echo_len, echo_at_limit);
    feed_all(&ed, "\r", 1, &r);
    assert_string_equal(r.events, "O");
}

static void test_overlong_line_then_ctrl_c(void **state)
{
    struct console_editor ed;
    struct run_result r = { .events = "", .lines = "" };

    (void)state;
    start_overlong_line(&ed, &r);
    feed_all(&ed, "\x03next\r", 6, &r);
    assert_string_equal(r.events, "CL");
    assert_string_equal(r.lines, "next\n");
}

static void test_overlong_line_then_ctrl_u_starts_over(void **state)
{
    struct console_editor ed;
    struct run_result r = { .events = "", .lines = "" };

    (void)state;
    start_overlong_line(&ed, &r);
    echo_len = 0;
    echo[0] = '\0';
    feed_all(&ed, "\x15new\r", 5, &r);
    assert_string_equal(r.events, "L");
    assert_string_equal(r.lines, "new\n");
    /* Ctrl-U erased exactly the characters that were on screen. */
    assert_int_equal(echo_len, CONSOLE_LINE_MAX * 3 + strlen("new\r\n"));
}

/* 100 lines of about 40 bytes: the 4 KB paste the issue asks for, with each kind of line end. */
/* What the console redraws after output from elsewhere: the line as typed and edited so far, and nothing after a
 * line ended. */
static void test_pending_is_the_line_so_far(void **state)
{
    struct console_editor ed;
    struct run_result r = { "", "" };
    size_t len;

    (void)state;
    console_editor_init(&ed, record_echo);
    console_editor_pending(&ed, &len);
    assert_int_equal(len, 0);
    feed_all(&ed, "pinx\x7fg 10.0", 11, &r);
    const char *p = console_editor_pending(&ed, &len);
    assert_int_equal(len, 9);
    assert_memory_equal(p, "ping 10.0", 9);
    feed_all(&ed, "\r", 1, &r);
    console_editor_pending(&ed, &len);
    assert_int_equal(len, 0);
}

static void test_paste_of_100_lines(void **state)
{
    static const char *const line_ends[] = { "\r\n", "\r", "\n" };
    char paste[8192];
    char want[8192];

    (void)state;
    for (size_t e = 0; e < sizeof line_ends / sizeof line_ends[0]; e++) {
        struct console_editor ed;
        static struct run_result r;
        size_t len = 0;
        size_t want_len = 0;

        setup(NULL);
        memset(&r, 0, sizeof r);
        for (int i = 0; i < 100; i++) {
            char line[64];
            snprintf(line, sizeof line, "config set key%03d \"value number %03d.....\"", i, i);
            len += (size_t)snprintf(&paste[len], sizeof paste - len, "%s%s", line, line_ends[e]);
            want_len += (size_t)snprintf(&want[want_len], sizeof want - want_len, "%s\n", line);
        }
        assert_true(len >= 4000);
        console_editor_init(&ed, record_echo);
        feed_all(&ed, paste, len, &r);
        assert_int_equal(strlen(r.events), 100);
        assert_int_equal(strspn(r.events, "L"), 100);
        assert_string_equal(r.lines, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_vectors, setup),
        cmocka_unit_test_setup(test_line_of_max_length_is_accepted, setup),
        cmocka_unit_test_setup(test_overlong_line_is_refused_then_next_works, setup),
        cmocka_unit_test_setup(test_overlong_line_swallows_editing_keys, setup),
        cmocka_unit_test_setup(test_overlong_line_then_ctrl_c, setup),
        cmocka_unit_test_setup(test_overlong_line_then_ctrl_u_starts_over, setup),
        cmocka_unit_test_setup(test_paste_of_100_lines, setup),
        cmocka_unit_test_setup(test_pending_is_the_line_so_far, setup),
    };
    return cmocka_run_group_tests_name("console_editor", tests, NULL, NULL);
}
