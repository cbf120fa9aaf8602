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
#include "lib/wake.h"
#include "stdout_capture.h"

/* The order of the calls of one pass: 'u' board_net_poll, 'n' net_poll, 's' smtp_client_poll, 'a' alerts_poll,
 * 'o' outbox_delivery_poll, 'i' board_idle_until. */
static char trace[64];
static size_t trace_len;
static unsigned net_polls, smtp_polls;
static unsigned done_after;   /* done() turns true after this many passes */
static unsigned ctrl_c_after; /* the user presses Ctrl-C after this many passes (0: never) */

static void record(char c)
{
    if (trace_len < sizeof trace - 1) {
        trace[trace_len++] = c;
    }
}

/* Each module's timed work, faked: due at `due` (UINT64_MAX: none), then every `period` (0: once). Its poll does
 * the work when the clock has reached it and notes when; its next-deadline function answers `due`. A driver's
 * request through lib/wake.h is faked the same way, asked for from inside net_poll() as a USB driver does from
 * board_net_poll(). */
enum { T_NET, T_SMTP, T_ALERTS, T_OUTBOX, T_DRIVER, T_COUNT };
struct fake_timer {
    uint64_t due, period;
    unsigned fired;
    uint64_t late_us; /* the most any work ran after its due time */
};
static struct fake_timer timers[T_COUNT];

static void run_timer(struct fake_timer *t)
{
    uint64_t now = board_uptime_us();
    if (t->due == UINT64_MAX || now < t->due) {
        return;
    }
    t->late_us = now - t->due > t->late_us ? now - t->due : t->late_us;
    t->fired++;
    t->due = t->period != 0 ? t->due + t->period : UINT64_MAX;
}

void net_poll(void)
{
    /* The fake board counts board_net_poll(); a count one ahead of ours means it ran just before. */
    if (fake_board_net_poll_calls() == net_polls + 1) {
        record('u');
    }
    net_polls++;
    record('n');
    run_timer(&timers[T_NET]);
    run_timer(&timers[T_DRIVER]);
    if (timers[T_DRIVER].due != UINT64_MAX) {
        wake_at(timers[T_DRIVER].due);
    }
}

void smtp_client_poll(void)
{
    smtp_polls++;
    record('s');
    run_timer(&timers[T_SMTP]);
}

void alerts_poll(void)
{
    record('a');
    run_timer(&timers[T_ALERTS]);
}

void outbox_delivery_poll(void)
{
    record('o');
    run_timer(&timers[T_OUTBOX]);
}

uint64_t net_next_deadline_us(void)
{
    return timers[T_NET].due;
}

uint64_t smtp_client_next_deadline_us(void)
{
    return timers[T_SMTP].due;
}

uint64_t alerts_next_deadline_us(void)
{
    return timers[T_ALERTS].due;
}

uint64_t outbox_delivery_next_deadline_us(void)
{
    return timers[T_OUTBOX].due;
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
    for (size_t i = 0; i < T_COUNT; i++) {
        timers[i] = (struct fake_timer){ .due = UINT64_MAX };
    }
    wake_take(); /* a request left by an earlier test */
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

/* The sleep's deadline is the earliest of every module's and of what was asked through lib/wake.h; each source in
 * turn is the earliest. */
static void test_sleep_until_the_earliest_deadline(void **state)
{
    (void)state;
    for (size_t earliest = 0; earliest < T_COUNT; earliest++) {
        setup(NULL);
        fake_board_set_uptime_us(1000);
        for (size_t i = 0; i < T_COUNT; i++) {
            timers[i].due = i == earliest ? 4000 : 5000 + 1000 * i;
        }
        wake_at(timers[T_DRIVER].due); /* as the driver asked in the pass before */
        assert_true(main_loop_next_deadline() == 4000);
        wake_at(timers[T_DRIVER].due);
        main_loop_pass();
        assert_true(fake_board_idle_deadline() == 4000);
    }
}

/* What a pass asks through lib/wake.h holds for the next sleep only; with nothing asked and no module's deadline,
 * the sleep has none (only an interrupt ends it). A past time means at once. */
static void test_wake_requests_last_one_sleep(void **state)
{
    (void)state;
    wake_at(7000);
    main_loop_pass();
    assert_true(fake_board_idle_deadline() == 7000);
    main_loop_pass();
    assert_true(fake_board_idle_deadline() == UINT64_MAX);
    wake_now();
    wake_at(9000);
    main_loop_pass();
    assert_true(fake_board_idle_deadline() == 0);
}

/* On a fake clock that only moves by sleeping until the deadline given (a board that nothing interrupts), every
 * module's periodic work runs exactly at its due time, never late, and the loop wakes for nothing else: as many
 * passes as distinct due times. Periods that share multiples share a pass. */
static void test_no_deadline_is_missed(void **state)
{
    (void)state;
    fake_board_set_idle_to_deadline(true);
    /* lwIP's 250 ms TCP and 500 ms DHCP timers (as one period here), a reply timeout, a debounce and the
     * heartbeat, the outbox's retry, a hub polled every 256 ms. */
    timers[T_NET] = (struct fake_timer){ .due = 250000, .period = 250000 };
    timers[T_SMTP] = (struct fake_timer){ .due = 300000 };
    timers[T_ALERTS] = (struct fake_timer){ .due = 50000, .period = 1000000 };
    timers[T_OUTBOX] = (struct fake_timer){ .due = 30000000 };
    timers[T_DRIVER] = (struct fake_timer){ .due = 256000, .period = 256000 };
    wake_at(timers[T_DRIVER].due);
    unsigned passes = 0;
    while (board_uptime_us() < 30000000) {
        main_loop_pass();
        passes++;
    }
    assert_int_equal(board_uptime_us(), 30000000);
    for (size_t i = 0; i < T_COUNT; i++) {
        assert_int_equal(timers[i].late_us, 0);
    }
    assert_int_equal(timers[T_NET].fired, 120); /* 250 ms .. 30 s */
    assert_int_equal(timers[T_SMTP].fired, 1);
    assert_int_equal(timers[T_ALERTS].fired, 30); /* 50 ms, then every second: 0.05 .. 29.05 s */
    assert_int_equal(timers[T_OUTBOX].fired, 1);
    assert_int_equal(timers[T_DRIVER].fired, 117); /* 256 ms .. 29.952 s */
    /* One pass per distinct due time: the net's 120 and the driver's 117 (they first meet at 32 s), the reply
     * timeout's and the alerts' 31; the outbox's 30 s is also the net's. */
    assert_int_equal(passes, 120 + 117 + 1 + 30);
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
        TEST(test_sleep_until_the_earliest_deadline),
        TEST(test_wake_requests_last_one_sleep),
        TEST(test_no_deadline_is_missed),
    };
    return cmocka_run_group_tests_name("main_loop", tests, NULL, NULL);
}
