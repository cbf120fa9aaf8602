/*
 * Unit tests for board/input_pins with the native board's port (a 40-pin header, simulated levels, no hardware and
 * no interrupt): legal pins, watching with each pull, simulated changes and their times, the record's overflow
 * merge, and what unwatched or refused pins answer. The Pi's port is tested in test_pi_input.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "board/board.h"
#include "board/input_pins.h"
#include "lib/wake.h"

static uint64_t now_us;

uint64_t board_uptime_us(void)
{
    return now_us;
}

/* As board/native/board_native.c plugs it in. */
static const struct input_pins_port native_port = { .header = PI_HEADER_40, .simulated = true };

static int setup(void **state)
{
    (void)state;
    now_us = 0;
    input_pins_init(&native_port);
    return 0;
}

/* Runs first: before a board plugs in its port, pins are checked against the 40-pin header and nothing is kept. */
static void test_before_init(void **state)
{
    (void)state;
    assert_null(board_input_check(17));
    assert_non_null(board_input_check(14));
    assert_int_equal(board_input_header_pin(17), 11);
    assert_int_equal(board_input_watch(17, BOARD_PULL_UP), BOARD_ERR_INPUT_PIN);
    assert_int_equal(board_input_level(17), BOARD_ERR_INPUT_PIN);
    assert_int_equal(board_input_simulate(17, 1), BOARD_ERR_INPUT_PIN);
    struct board_input_change c;
    assert_false(board_input_next_change(17, &c));
}

static void test_watch_takes_the_pull_resting_level(void **state)
{
    (void)state;
    assert_int_equal(board_input_watch(17, BOARD_PULL_UP), 0);
    assert_int_equal(board_input_level(17), 1);
    assert_int_equal(board_input_watch(18, BOARD_PULL_DOWN), 0);
    assert_int_equal(board_input_level(18), 0);
    /* No pull: the pin keeps what it was driven to. */
    assert_int_equal(board_input_simulate(19, 1), 0);
    assert_int_equal(board_input_watch(19, BOARD_PULL_NONE), 0);
    assert_int_equal(board_input_level(19), 1);
    struct board_input_change c;
    assert_false(board_input_next_change(17, &c));
    assert_false(board_input_next_change(19, &c));
}

static void test_simulated_changes_are_recorded_with_their_time(void **state)
{
    (void)state;
    assert_int_equal(board_input_watch(17, BOARD_PULL_UP), 0);
    wake_take();
    now_us = 5000;
    assert_int_equal(board_input_simulate(17, 0), 0);
    /* No interrupt announces it: the main loop's next sleep must end at once. */
    assert_true(wake_take() == 0);
    now_us = 5100;
    assert_int_equal(board_input_simulate(17, 0), 0); /* same level: no change */
    assert_true(wake_take() == WAKE_NEVER);
    now_us = 7000;
    assert_int_equal(board_input_simulate(17, 1), 0);
    struct board_input_change c;
    assert_true(board_input_next_change(17, &c));
    assert_int_equal(c.at_us, 5000);
    assert_int_equal(c.level, 0);
    assert_true(board_input_next_change(17, &c));
    assert_int_equal(c.at_us, 7000);
    assert_int_equal(c.level, 1);
    assert_false(board_input_next_change(17, &c));
    /* Watching again forgets what was not taken. */
    assert_int_equal(board_input_simulate(17, 0), 0);
    assert_int_equal(board_input_watch(17, BOARD_PULL_NONE), 0);
    assert_false(board_input_next_change(17, &c));
    assert_int_equal(board_input_level(17), 0);
}

/* The native board's `pin` storm: 1000 changes without a pass of the main loop. */
static void test_overflow_merges_and_counts(void **state)
{
    (void)state;
    assert_int_equal(board_input_watch(22, BOARD_PULL_DOWN), 0);
    for (unsigned i = 1; i <= 1000; i++) {
        now_us = 100u * i;
        assert_int_equal(board_input_simulate(22, (int)(i % 2)), 0);
    }
    assert_int_equal(board_input_merged(22), 1000 - BOARD_INPUT_CHANGES_MAX);
    struct board_input_change c;
    unsigned taken = 0;
    while (board_input_next_change(22, &c)) {
        taken++;
    }
    assert_int_equal(taken, BOARD_INPUT_CHANGES_MAX);
    assert_int_equal(c.level, 0);
    assert_int_equal(c.at_us, 100000);
    assert_int_equal(board_input_level(22), 0);
}

static void test_unwatched_and_refused_pins(void **state)
{
    (void)state;
    struct board_input_change c;
    assert_int_equal(board_input_simulate(4, 1), 0);
    assert_int_equal(board_input_level(4), 1);
    assert_false(board_input_next_change(4, &c));
    assert_int_equal(board_input_merged(4), 0);
    static const unsigned refused[] = { 14, 15, 28, 53, 54, 1000 };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        unsigned gpio = refused[i];
        assert_non_null(board_input_check(gpio));
        assert_int_equal(board_input_watch(gpio, BOARD_PULL_UP), BOARD_ERR_INPUT_PIN);
        assert_int_equal(board_input_level(gpio), BOARD_ERR_INPUT_PIN);
        assert_int_equal(board_input_simulate(gpio, 0), BOARD_ERR_INPUT_PIN);
        assert_false(board_input_next_change(gpio, &c));
        assert_int_equal(board_input_merged(gpio), 0);
    }
    assert_non_null(strstr(board_input_check(14), "serial console"));
    assert_int_equal(board_input_header_pin(14), 8);
    assert_int_equal(board_input_header_pin(28), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_init),
        cmocka_unit_test_setup(test_watch_takes_the_pull_resting_level, setup),
        cmocka_unit_test_setup(test_simulated_changes_are_recorded_with_their_time, setup),
        cmocka_unit_test_setup(test_overflow_merges_and_counts, setup),
        cmocka_unit_test_setup(test_unwatched_and_refused_pins, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
