/* Unit tests for firmware/cmd_wait: the wait ends as soon as the network work has finished what it waits for,
 * without another idle sleep; deadlines and Ctrl-C still end it. net_poll() is a stub the test scripts; the rest
 * of the main loop's pass (firmware/main_loop.c) has nothing to do here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_board.h"
#include "firmware/cmd_wait.h"
#include "net/net.h"

/* net_poll() calls after which done() holds (0: never), and the calls so far. */
static unsigned done_after_polls;
static unsigned polls;

void net_poll(void)
{
    polls++;
}

void smtp_client_poll(void)
{
}

void alerts_poll(void)
{
}

void outbox_delivery_poll(void)
{
}

static bool done(void)
{
    return done_after_polls > 0 && polls >= done_after_polls;
}

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    polls = 0;
    done_after_polls = 0;
    return 0;
}

/* What one pass of the network delivers finishes the work (a reply that ends a submission, or one the transport
 * acts on, like STARTTLS): the wait returns without sleeping again. Each pass sleeps once, before its network
 * work, so the sleeps equal the network passes. */
static void test_no_sleep_after_the_work_is_done(void **state)
{
    (void)state;
    static const unsigned cases[] = { 1, 2, 5 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(NULL);
        done_after_polls = cases[i];
        unsigned idles_before = fake_board_idle_calls();
        assert_true(cmd_wait_until(done, 1000000));
        assert_int_equal(polls, cases[i]);
        assert_int_equal(fake_board_idle_calls() - idles_before, cases[i]);
    }
}

static void test_deadline_ends_the_wait(void **state)
{
    (void)state;
    fake_board_set_idle_step_us(1000);
    assert_true(cmd_wait_until(done, 10000));
    assert_false(done());
    assert_true(board_uptime_us() >= 10000);
}

/* On a board that sleeps until the deadline it is given (nothing else to wake it here), the command's deadline is
 * that deadline: the wait ends in one sleep, exactly at it, rather than sleeping past it or spinning up to it. */
static void test_deadline_is_the_sleeps_deadline(void **state)
{
    (void)state;
    fake_board_set_idle_to_deadline(true);
    fake_board_set_uptime_us(500);
    assert_true(cmd_wait_until(done, 10000));
    assert_false(done());
    assert_int_equal(board_uptime_us(), 10000);
    assert_int_equal(fake_board_idle_calls(), 1);
    assert_int_equal(fake_board_idle_deadline(), 10000);
}

static void test_ctrl_c_ends_the_wait(void **state)
{
    (void)state;
    const char ctrl_c = CMD_WAIT_CTRL_C;
    fake_board_queue_input(&ctrl_c, 1);
    assert_false(cmd_wait_until(done, 1000000));
    /* A Ctrl-C already typed ends the wait before any pass. */
    assert_int_equal(polls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_no_sleep_after_the_work_is_done, setup),
        cmocka_unit_test_setup(test_deadline_ends_the_wait, setup),
        cmocka_unit_test_setup(test_deadline_is_the_sleeps_deadline, setup),
        cmocka_unit_test_setup(test_ctrl_c_ends_the_wait, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
