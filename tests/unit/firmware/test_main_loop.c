/* Unit tests for firmware/main_loop (one pass runs everything but the console) and firmware/cmd_wait (a console
 * command's wait runs that whole pass on every turn, and Ctrl-C ends it). The network and the SMTP transport are
 * fakes here that count their calls; the board is tests/unit/fakes/fake_board.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "fake_board.h"
#include "firmware/cmd_wait.h"
#include "firmware/main_loop.h"
#include "stdout_capture.h"

/* The order of the calls of one pass: 'u' board_net_poll, 'n' net_poll, 's' smtp_client_poll, 'a' alerts_poll,
 * 'o' outbox_delivery_poll, 'i' board_idle. */
static char trace[64];
static size_t trace_len;
static unsigned net_polls, smtp_polls;
static unsigned done_after;  /* done() turns true after this many passes */
static unsigned ctrl_c_after; /* the user presses Ctrl-C after this many passes (0: never) */

static void record(char c)
{
    if (trace_len < sizeof trace - 1) {
        trace[trace_len++] = c;
    }
}

void net_poll(void)
{
    /* The fake board counts board_net_poll(); a count one ahead of ours means it ran just before. */
    if (fake_board_net_poll_calls() == net_polls + 1) {
        record('u');
    }
    net_polls++;
    record('n');
}

void smtp_client_poll(void)
{
    smtp_polls++;
    record('s');
}

void alerts_poll(void)
{
    record('a');
}

void outbox_delivery_poll(void)
{
    record('o');
}

static void on_idle(void)
{
    record('i');
    if (ctrl_c_after != 0 && fake_board_idle_calls() == ctrl_c_after) {
        fake_board_queue_input("\x03", 1);
    }
}

static bool passes_done(void)
{
    return fake_board_idle_calls() >= done_after;
}

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    fake_board_set_idle_hook(on_idle);
    memset(trace, 0, sizeof trace);
    trace_len = 0;
    net_polls = smtp_polls = 0;
    done_after = 0;
    ctrl_c_after = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end(); /* fake_board_reset() in the next setup drops the idle hook */
    return 0;
}

/* The idle first (what woke the board is processed before the caller looks), then USB (a new NIC is adopted in
 * the same pass), the network, the transport, the inputs and the outbox. */
static void test_pass_runs_everything_once_in_order(void **state)
{
    (void)state;
    main_loop_pass();
    assert_string_equal(trace, "iunsao");
    assert_int_equal(fake_board_net_poll_calls(), 1);
    assert_int_equal(fake_board_idle_calls(), 1);
    main_loop_pass();
    assert_string_equal(trace, "iunsaoiunsao");
    assert_int_equal(fake_board_net_poll_calls(), 2);
}

/* The wait's every turn is a whole pass: USB, network, transport and idle each run once per turn. */
static void test_wait_runs_the_whole_pass_each_turn(void **state)
{
    (void)state;
    done_after = 25;
    assert_true(cmd_wait_until(passes_done, UINT64_MAX));
    assert_true(passes_done());
    assert_int_equal(fake_board_idle_calls(), 25);
    assert_int_equal(fake_board_net_poll_calls(), 25);
    assert_int_equal(net_polls, 25);
    assert_int_equal(smtp_polls, 25);
}

static bool never(void)
{
    return false;
}

/* The deadline ends the wait; the caller tells it from a finished one by asking done() again. */
static void test_wait_ends_at_its_deadline(void **state)
{
    (void)state;
    fake_board_set_idle_step_us(1000);
    assert_true(cmd_wait_until(never, 50 * 1000));
    assert_int_equal(fake_board_idle_calls(), 50);
    assert_int_equal(fake_board_net_poll_calls(), 50);
    assert_int_equal(smtp_polls, 50);
}

/* A condition already true costs no pass at all. */
static void test_wait_already_done(void **state)
{
    (void)state;
    done_after = 0;
    assert_true(cmd_wait_until(passes_done, UINT64_MAX));
    assert_int_equal(fake_board_idle_calls(), 0);
}

/* Ctrl-C typed during the wait ends it at the next turn with "^C"; other bytes are dropped. */
static void test_ctrl_c_cancels_the_wait(void **state)
{
    (void)state;
    fake_board_queue_input("ab", 2);
    ctrl_c_after = 10;
    stdout_capture_begin();
    bool finished = cmd_wait_until(never, UINT64_MAX);
    const char *out = stdout_capture_end();
    assert_false(finished);
    assert_string_equal(out, "^C\n");
    assert_int_equal(fake_board_idle_calls(), 10);
    assert_int_equal(fake_board_net_poll_calls(), 10);
    assert_int_equal(fake_board_input_pending(), 0);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_pass_runs_everything_once_in_order),
        TEST(test_wait_runs_the_whole_pass_each_turn),
        TEST(test_wait_ends_at_its_deadline),
        TEST(test_wait_already_done),
        TEST(test_ctrl_c_cancels_the_wait),
    };
    return cmocka_run_group_tests_name("main_loop", tests, NULL, NULL);
}
