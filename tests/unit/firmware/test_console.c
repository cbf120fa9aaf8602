/* Unit tests for firmware/console (command table, argv splitting, poll loop) and firmware/console_builtin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fake_board.h"
#include "firmware/console.h"
#include "firmware/console_builtin.h"
#include "stdout_capture.h"

/* A command that remembers how it was called. */
static struct {
    unsigned calls;
    int argc;
    bool argv_terminated;
    char joined[1024]; /* argv joined with '|' */
    int result;
} rec;

static int cmd_rec(int argc, char **argv)
{
    size_t len = 0;

    rec.calls++;
    rec.argc = argc;
    rec.argv_terminated = argv[argc] == NULL;
    rec.joined[0] = '\0';
    for (int i = 0; i < argc; i++) {
        len += (size_t)snprintf(&rec.joined[len], sizeof rec.joined - len, "%s%s", i > 0 ? "|" : "", argv[i]);
    }
    return rec.result;
}

/* clang-format off */
static const struct console_cmd rec_cmds[] = {
    { "rec", "<words...>", "record the arguments", cmd_rec },
    { "config-set", "<key> <value>", "a second command", cmd_rec },
};
/* clang-format on */

static int setup(void **state)
{
    (void)state;
    memset(&rec, 0, sizeof rec);
    fake_board_reset();
    console_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end();
    fake_board_set_exit_jump(NULL);
    return 0;
}

/* Runs line through console_execute() with stdout captured; returns the command's result. */
static int execute(const char *line, const char **out)
{
    char buf[1024];

    snprintf(buf, sizeof buf, "%s", line);
    stdout_capture_begin();
    int result = console_execute(buf);
    *out = stdout_capture_end();
    return result;
}

static void test_register_and_execute(void **state)
{
    const char *out;

    (void)state;
    assert_int_equal(console_register(rec_cmds, 2), CONSOLE_OK);
    assert_ptr_equal(console_command_at(0), &rec_cmds[0]);
    assert_ptr_equal(console_command_at(1), &rec_cmds[1]);
    assert_null(console_command_at(2));

    rec.result = -42;
    assert_int_equal(execute("rec a b", &out), -42);
    assert_string_equal(out, "");
    assert_int_equal(rec.calls, 1);
    assert_int_equal(rec.argc, 3);
    assert_true(rec.argv_terminated);
    assert_string_equal(rec.joined, "rec|a|b");
}

static void test_register_rejects_duplicates(void **state)
{
    static const struct console_cmd same_name[] = { { "rec", NULL, NULL, cmd_rec } };
    static const struct console_cmd batch_with_repeat[] = {
        { "one", NULL, NULL, cmd_rec },
        { "two", NULL, NULL, cmd_rec },
        { "one", NULL, NULL, cmd_rec },
    };

    (void)state;
    assert_int_equal(console_register(rec_cmds, 1), CONSOLE_OK);
    assert_int_equal(console_register(same_name, 1), CONSOLE_ERR_DUPLICATE);
    assert_int_equal(console_register(batch_with_repeat, 3), CONSOLE_ERR_DUPLICATE);
    /* All or nothing: "one" and "two" were not added. */
    assert_null(console_command_at(1));
}

static void test_register_rejects_invalid_entries(void **state)
{
    static const struct console_cmd invalid[] = {
        { NULL, NULL, NULL, cmd_rec },        { "", NULL, NULL, cmd_rec },        { "two words", NULL, NULL, cmd_rec },
        { "tab\there", NULL, NULL, cmd_rec }, { "quo\"te", NULL, NULL, cmd_rec }, { "norun", NULL, NULL, NULL },
    };

    (void)state;
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        assert_int_equal(console_register(&invalid[i], 1), CONSOLE_ERR_INVALID);
    }
    assert_null(console_command_at(0));
}

static void test_register_capacity(void **state)
{
    static char names[CONSOLE_MAX_COMMANDS + 1][16];
    static struct console_cmd cmds[CONSOLE_MAX_COMMANDS + 1];

    (void)state;
    for (size_t i = 0; i <= CONSOLE_MAX_COMMANDS; i++) {
        snprintf(names[i], sizeof names[i], "cmd%zu", i);
        cmds[i] = (struct console_cmd){ names[i], NULL, NULL, cmd_rec };
    }
    assert_int_equal(console_register(cmds, CONSOLE_MAX_COMMANDS - 1), CONSOLE_OK);
    /* Two do not fit in the one free slot: neither is added. */
    assert_int_equal(console_register(&cmds[CONSOLE_MAX_COMMANDS - 1], 2), CONSOLE_ERR_FULL);
    assert_null(console_command_at(CONSOLE_MAX_COMMANDS - 1));
    assert_int_equal(console_register(&cmds[CONSOLE_MAX_COMMANDS - 1], 1), CONSOLE_OK);
    assert_int_equal(console_register(&cmds[CONSOLE_MAX_COMMANDS], 1), CONSOLE_ERR_FULL);
    assert_non_null(console_command_at(CONSOLE_MAX_COMMANDS - 1));
    assert_null(console_command_at(CONSOLE_MAX_COMMANDS));
}

struct split_vector {
    const char *line;
    int result;       /* what console_execute returns (rec returns 0) */
    const char *argv; /* argv joined with '|', or NULL when rec must not run */
    const char *out;  /* what is printed */
};

/* clang-format off */
static const struct split_vector split_vectors[] = {
    { "rec", 0, "rec", "" },
    { "rec a b c", 0, "rec|a|b|c", "" },
    { "   rec \t a\t\tb   ", 0, "rec|a|b", "" },
    { "rec \"hello world\" x", 0, "rec|hello world|x", "" },
    { "rec \"\"", 0, "rec|", "" },
    { "rec \"\" \"\" z", 0, "rec|||z", "" },
    { "rec a\"b c\"d", 0, "rec|ab cd", "" },
    { "rec \"  padded  \"", 0, "rec|  padded  ", "" },
    { "\"rec\" x", 0, "rec|x", "" },
    { "rec p\xc3\xa4ss", 0, "rec|p\xc3\xa4ss", "" },
    { "rec \"abc", CONSOLE_ERR_UNCLOSED_QUOTE, NULL, "error: missing closing quote\n" },
    { "rec a\"", CONSOLE_ERR_UNCLOSED_QUOTE, NULL, "error: missing closing quote\n" },
    { "rec 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", 0, "rec|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16", "" },
    { "rec 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", CONSOLE_ERR_TOO_MANY_ARGS, NULL,
      "error: too many arguments (max 16 words)\n" },
    { "", 0, NULL, "" },
    { "    ", 0, NULL, "" },
    { "\t", 0, NULL, "" },
    { "foo", CONSOLE_ERR_UNKNOWN_COMMAND, NULL, "unknown command 'foo' (type 'help')\n" },
    { "  foo bar baz", CONSOLE_ERR_UNKNOWN_COMMAND, NULL, "unknown command 'foo' (type 'help')\n" },
    { "\"foo bar\" x", CONSOLE_ERR_UNKNOWN_COMMAND, NULL, "unknown command 'foo bar' (type 'help')\n" },
    { "REC", CONSOLE_ERR_UNKNOWN_COMMAND, NULL, "unknown command 'REC' (type 'help')\n" },
};
/* clang-format on */

static void test_argv_splitting(void **state)
{
    (void)state;
    assert_int_equal(console_register(rec_cmds, 1), CONSOLE_OK);
    for (size_t i = 0; i < sizeof split_vectors / sizeof split_vectors[0]; i++) {
        const struct split_vector *v = &split_vectors[i];
        const char *out;

        memset(&rec, 0, sizeof rec);
        int result = execute(v->line, &out);
        if (result != v->result || strcmp(out, v->out) != 0) {
            print_error("line '%s'\n", v->line);
        }
        assert_int_equal(result, v->result);
        assert_string_equal(out, v->out);
        if (v->argv == NULL) {
            assert_int_equal(rec.calls, 0);
        } else {
            assert_int_equal(rec.calls, 1);
            assert_true(rec.argv_terminated);
            assert_string_equal(rec.joined, v->argv);
        }
    }
}

/* The help text column starts at the same offset on every line. */
static void test_help_lists_all_commands_aligned(void **state)
{
    const char *out;
    char copy[4096];
    size_t help_column = 0;
    unsigned lines = 0;

    (void)state;
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    assert_int_equal(console_register(rec_cmds, 2), CONSOLE_OK);
    assert_int_equal(execute("help", &out), CONSOLE_OK);

    assert_non_null(strstr(out, "  rec <words...>"));
    assert_non_null(strstr(out, "  config-set <key> <value>"));
    snprintf(copy, sizeof copy, "%s", out);
    for (char *line = strtok(copy, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        const struct console_cmd *cmd = console_command_at(lines);
        assert_non_null(cmd);
        assert_true(strncmp(line + 2, cmd->name, strlen(cmd->name)) == 0);
        const char *help = strstr(line, cmd->help);
        assert_non_null(help);
        if (lines == 0) {
            help_column = (size_t)(help - line);
        }
        assert_int_equal((size_t)(help - line), help_column);
        lines++;
    }
    assert_int_equal(lines, 7);
    for (const char *name = "help\0version\0status\0reboot\0poweroff\0"; *name; name += strlen(name) + 1) {
        char want[32];
        snprintf(want, sizeof want, "  %s ", name);
        assert_non_null(strstr(out, want));
    }
}

static void print_library_versions(void)
{
    printf("lwIP 2.2.1\nMbed TLS 3.6.2\n");
}

static void test_version(void **state)
{
    const struct console_builtin_info info = { .print_extra_version = print_library_versions };
    const char *out;

    (void)state;
    fake_board_info()->model = "Raspberry Pi Zero W";
    assert_int_equal(console_builtin_register(&info), CONSOLE_OK);
    assert_int_equal(execute("version", &out), CONSOLE_OK);
    assert_string_equal(out, "baremail v9.8.7-test (built 2000-01-02, board testboard)\n"
                             "model:    Raspberry Pi Zero W\n"
                             "lwIP 2.2.1\n"
                             "Mbed TLS 3.6.2\n");
}

static void test_version_without_extras(void **state)
{
    const char *out;

    (void)state;
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    assert_int_equal(execute("version", &out), CONSOLE_OK);
    assert_string_equal(out, "baremail v9.8.7-test (built 2000-01-02, board testboard)\n"
                             "model:    Raspberry Pi 2 Model B\n");
}

static void print_net_status(void)
{
    printf("net:      link down\n");
}

static void print_mail_status(void)
{
    printf("mail:     queue empty\n");
}

static void test_status(void **state)
{
    const char *out;

    (void)state;
    fake_board_set_uptime_us(((((1ull * 24 + 2) * 60 + 3) * 60) + 4) * 1000000ull + 999999);
    fake_board_set_heap(12345, 23456, 1000000);
    fake_board_set_reset_cause(BOARD_RESET_CONSOLE, "console command");
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    assert_int_equal(console_builtin_add_status(print_net_status), CONSOLE_OK);
    assert_int_equal(console_builtin_add_status(print_mail_status), CONSOLE_OK);
    assert_int_equal(execute("status", &out), CONSOLE_OK);
    assert_string_equal(out, "uptime:   1d 02h 03m 04s\n"
                             "heap:     12345 bytes in use, peak 23456, available 1000000\n"
                             "idle:     0 passes, 0 of them slept, at 93784999 ms\n"
                             "reset:    console reboot (console command)\n"
                             "net:      link down\n"
                             "mail:     queue empty\n");
}

struct uptime_vector {
    uint64_t us;
    const char *line;
};

/* clang-format off */
static const struct uptime_vector uptime_vectors[] = {
    { 0, "uptime:   0d 00h 00m 00s\n" },
    { 59999999, "uptime:   0d 00h 00m 59s\n" },
    { 3600000000ull, "uptime:   0d 01h 00m 00s\n" },
    { 86399000000ull, "uptime:   0d 23h 59m 59s\n" },
    { 86400000000ull * 500, "uptime:   500d 00h 00m 00s\n" },
};
/* clang-format on */

static void test_status_uptime_and_plain_reset(void **state)
{
    (void)state;
    fake_board_set_reset_cause(BOARD_RESET_POWER_ON, "");
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    for (size_t i = 0; i < sizeof uptime_vectors / sizeof uptime_vectors[0]; i++) {
        const char *out;

        fake_board_set_uptime_us(uptime_vectors[i].us);
        assert_int_equal(execute("status", &out), CONSOLE_OK);
        assert_true(strncmp(out, uptime_vectors[i].line, strlen(uptime_vectors[i].line)) == 0);
        assert_non_null(strstr(out, "\nreset:    power-on\n"));
    }
}

static void test_status_provider_limits(void **state)
{
    (void)state;
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    assert_int_equal(console_builtin_add_status(NULL), CONSOLE_ERR_INVALID);
    for (int i = 0; i < CONSOLE_BUILTIN_MAX_STATUS; i++) {
        assert_int_equal(console_builtin_add_status(print_net_status), CONSOLE_OK);
    }
    assert_int_equal(console_builtin_add_status(print_net_status), CONSOLE_ERR_FULL);
}

static void test_builtins_reject_arguments(void **state)
{
    static const char *const lines[] = { "help me", "version x", "status now", "reboot now", "poweroff -f" };

    (void)state;
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const char *out;
        char want[64];

        assert_int_equal(execute(lines[i], &out), CONSOLE_ERR_USAGE);
        snprintf(want, sizeof want, "usage: %.*s (takes no arguments)\n", (int)strcspn(lines[i], " "), lines[i]);
        assert_string_equal(out, want);
    }
    assert_int_equal(fake_board_reboot_calls(), 0);
    assert_int_equal(fake_board_poweroff_calls(), 0);
}

/* Runs a command that must leave through the board (reboot, power off) and returns what it printed. */
static const char *execute_without_return(const char *cmd)
{
    jmp_buf jump;
    char line[16];
    volatile bool returned = false;

    snprintf(line, sizeof line, "%s", cmd);
    assert_int_equal(console_builtin_register(NULL), CONSOLE_OK);
    fake_board_set_exit_jump(&jump);
    stdout_capture_begin();
    if (setjmp(jump) == 0) {
        console_execute(line);
        returned = true;
    }
    const char *out = stdout_capture_end();
    assert_false(returned);
    return out;
}

static void test_reboot(void **state)
{
    (void)state;
    assert_string_equal(execute_without_return("reboot"), "rebooting\n");
    assert_int_equal(fake_board_reboot_calls(), 1);
    assert_int_equal(fake_board_last_reboot_cause(), BOARD_RESET_CONSOLE);
    assert_string_equal(fake_board_last_reboot_detail(), "console command");
}

static void test_poweroff(void **state)
{
    (void)state;
    assert_string_equal(execute_without_return("poweroff"), "powering off\n");
    assert_int_equal(fake_board_poweroff_calls(), 1);
    assert_int_equal(fake_board_reboot_calls(), 0);
}

static void test_start_prints_prompt(void **state)
{
    (void)state;
    stdout_capture_begin();
    console_start();
    const char *out = stdout_capture_end();
    assert_string_equal(out, "baremail> ");
}

static void test_poll_runs_lines_and_prompts(void **state)
{
    static const char input[] = "rec a\r\nrec \"b c\"\rre\x7f\x7f\x03rec d\x1b[A\n";

    (void)state;
    assert_int_equal(console_register(rec_cmds, 1), CONSOLE_OK);
    fake_board_queue_input(input, sizeof input - 1);
    stdout_capture_begin();
    console_poll();
    const char *out = stdout_capture_end();
    assert_int_equal(fake_board_input_pending(), 0);
    assert_int_equal(rec.calls, 3);
    assert_string_equal(rec.joined, "rec|d");
    /* Three commands and one Ctrl-C: four prompts. */
    assert_string_equal(out, "baremail> baremail> baremail> baremail> ");
    assert_string_equal(fake_board_output(NULL), "rec a\r\nrec \"b c\"\r\nre\b \b\b \b^C\r\nrec d\r\n");

    /* Nothing waiting: returns at once without printing. */
    stdout_capture_begin();
    console_poll();
    out = stdout_capture_end();
    assert_string_equal(out, "");
}

static void test_poll_refuses_overlong_line(void **state)
{
    char input[600];

    (void)state;
    assert_int_equal(console_register(rec_cmds, 1), CONSOLE_OK);
    memcpy(input, "rec ", 4);
    memset(input + 4, 'x', 500);
    memcpy(input + 504, "\r\nrec ok\r\n", 10);
    fake_board_queue_input(input, 514);
    stdout_capture_begin();
    console_poll();
    const char *out = stdout_capture_end();
    assert_int_equal(rec.calls, 1);
    assert_string_equal(rec.joined, "rec|ok");
    assert_string_equal(out, "baremail> baremail> ");
    assert_non_null(strstr(fake_board_output(NULL), "\r\nerror: line too long (max 255 characters), ignored\r\n"));
}

/* The acceptance test: pasting 4 KB loses no prompt. 100 lines, each executed once. */
static void test_poll_paste_of_100_lines(void **state)
{
    char paste[8192];
    size_t len = 0;

    (void)state;
    assert_int_equal(console_register(rec_cmds, 1), CONSOLE_OK);
    for (int i = 0; i < 100; i++) {
        len += (size_t)snprintf(&paste[len], sizeof paste - len, "%s%03d with a few words to fill the line\r\n",
                                i % 2 == 0 ? "rec " : "nosuch", i);
    }
    assert_true(len >= 4000);
    fake_board_queue_input(paste, len);
    stdout_capture_begin();
    console_poll();
    const char *out = stdout_capture_end();
    assert_int_equal(rec.calls, 50);
    assert_int_equal(stdout_capture_count(out, "baremail> "), 100);
    assert_int_equal(stdout_capture_count(out, "unknown command 'nosuch"), 50);
    for (int i = 1; i < 100; i += 2) {
        char want[64];
        snprintf(want, sizeof want, "unknown command 'nosuch%03d' (type 'help')\n", i);
        assert_int_equal(stdout_capture_count(out, want), 1);
    }
}

/* A line printed by someone else while the prompt shows (net: lease ...) scrolls it away: the next poll prints the
 * prompt and the part of the line typed so far again, and the line goes on where it was. */
static void test_async_output_redraws_prompt_and_line(void **state)
{
    (void)state;
    assert_int_equal(console_register(rec_cmds, 1), CONSOLE_OK);
    stdout_capture_begin();
    console_start();
    fake_board_queue_input("rec ab", 6);
    console_poll();
    /* Nothing printed by others: nothing drawn again. */
    console_poll();
    const char *out = stdout_capture_end();
    assert_string_equal(out, "baremail> ");
    assert_string_equal(fake_board_output(NULL), "rec ab");

    static const char notice[] = "net: lease 10.0.2.15, 812 ms after boot\r\n";
    board_console_write(notice, sizeof notice - 1);
    stdout_capture_begin();
    console_poll();
    out = stdout_capture_end();
    assert_string_equal(out, "baremail> ");
    assert_string_equal(fake_board_output(NULL), "rec abnet: lease 10.0.2.15, 812 ms after boot\r\nrec ab");

    /* Drawn once: the next poll without new output draws nothing; the line then ends as typed. */
    fake_board_queue_input("c\r", 2);
    stdout_capture_begin();
    console_poll();
    out = stdout_capture_end();
    assert_string_equal(out, "baremail> ");
    assert_int_equal(rec.calls, 1);
    assert_string_equal(rec.joined, "rec|abc");
}

/* What a command prints is its own: no redraw after it, and none before console_start(). */
static void test_no_redraw_for_the_consoles_own_output(void **state)
{
    (void)state;
    board_console_write("boot\r\n", 6);
    stdout_capture_begin();
    console_poll();
    const char *out = stdout_capture_end();
    assert_string_equal(out, "");
}

/* A command that waits runs the main loop's pass, never the console: a console_poll() inside a command returns
 * without reading input, and the input is taken by the outer poll after the command. */
static unsigned nested_calls;
static bool nested_poll_read_input;

static int cmd_nested(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    nested_calls++;
    size_t pending = fake_board_input_pending();
    console_poll();
    nested_poll_read_input = fake_board_input_pending() != pending;
    return 0;
}

static void test_poll_does_not_nest(void **state)
{
    static const struct console_cmd nested_cmds[] = { { "nested", NULL, NULL, cmd_nested } };
    (void)state;
    assert_int_equal(console_register(nested_cmds, 1), CONSOLE_OK);
    assert_int_equal(console_register(rec_cmds, 1), CONSOLE_OK);
    fake_board_queue_input("nested\rrec x\r", 13);
    stdout_capture_begin();
    console_poll();
    stdout_capture_end();
    assert_int_equal(nested_calls, 1);
    assert_false(nested_poll_read_input);
    assert_int_equal(rec.calls, 1);
    assert_string_equal(rec.joined, "rec|x");
}

/* help tells what poweroff does on every board, not only under QEMU. */
static void test_poweroff_help_fits_every_board(void **state)
{
    (void)state;
    const char *out;
    console_builtin_register(NULL);
    assert_int_equal(execute("help", &out), CONSOLE_OK);
    const char *line = strstr(out, "poweroff");
    assert_non_null(line);
    assert_non_null(strstr(line, "a Pi stops until power is cycled; QEMU and the native board exit"));
}

static void test_strerror_names_every_code(void **state)
{
    static const int codes[] = {
        CONSOLE_OK,
        CONSOLE_ERR_INVALID,
        CONSOLE_ERR_DUPLICATE,
        CONSOLE_ERR_FULL,
        CONSOLE_ERR_TOO_MANY_ARGS,
        CONSOLE_ERR_UNCLOSED_QUOTE,
        CONSOLE_ERR_UNKNOWN_COMMAND,
        CONSOLE_ERR_USAGE,
        CONSOLE_ERR_FAILED,
    };
    const char *fallback = console_strerror(-1000);

    (void)state;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_string_not_equal(console_strerror(codes[i]), fallback);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(console_strerror(codes[i]), console_strerror(codes[j]));
        }
    }
}

static void test_parse_count(void **state)
{
    static const struct {
        const char *text;
        bool ok;
        unsigned value;
    } cases[] = {
        { "1", true, 1 },       { "7", true, 7 },
        { "1000", true, 1000 }, { "007", true, 7 },
        { "0", false, 0 },      { "1001", false, 0 },
        { "", false, 0 },       { " 5", false, 0 },
        { "+5", false, 0 },     { "-1", false, 0 },
        { "5x", false, 0 },     { "5 ", false, 0 },
        { "0x10", false, 0 },   { "99999999999999999999", false, 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned value = 12345;
        bool ok = console_parse_count(cases[i].text, 1000, &value);
        if (ok != cases[i].ok || value != (ok ? cases[i].value : 12345u)) {
            fail_msg("\"%s\": %s, value %u", cases[i].text, ok ? "accepted" : "refused", value);
        }
    }
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_register_and_execute),
        TEST(test_register_rejects_duplicates),
        TEST(test_register_rejects_invalid_entries),
        TEST(test_register_capacity),
        TEST(test_argv_splitting),
        TEST(test_help_lists_all_commands_aligned),
        TEST(test_version),
        TEST(test_version_without_extras),
        TEST(test_status),
        TEST(test_status_uptime_and_plain_reset),
        TEST(test_status_provider_limits),
        TEST(test_builtins_reject_arguments),
        TEST(test_reboot),
        TEST(test_poweroff),
        TEST(test_start_prints_prompt),
        TEST(test_poll_runs_lines_and_prompts),
        TEST(test_poll_refuses_overlong_line),
        TEST(test_poll_paste_of_100_lines),
        TEST(test_async_output_redraws_prompt_and_line),
        TEST(test_no_redraw_for_the_consoles_own_output),
        TEST(test_poll_does_not_nest),
        TEST(test_poweroff_help_fits_every_board),
        TEST(test_strerror_names_every_code),
        TEST(test_parse_count),
    };
    return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
