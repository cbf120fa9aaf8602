/* Unit tests for lib/wake: the earliest time asked for since the last take, and the first pass at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/wake.h"

/* Runs first: at boot nothing has polled yet, so the first pass must not sleep. */
static void test_first_take_is_at_once(void **state)
{
    (void)state;
    assert_true(wake_take() == 0);
    assert_true(wake_take() == WAKE_NEVER);
}

static void test_earliest_request_wins_and_is_forgotten(void **state)
{
    (void)state;
    wake_at(9000);
    wake_at(4000);
    wake_at(7000);
    assert_true(wake_take() == 4000);
    assert_true(wake_take() == WAKE_NEVER);
    wake_at(4000);
    wake_now();
    wake_at(100);
    assert_true(wake_take() == 0);
    assert_true(wake_min(3, 5) == 3 && wake_min(WAKE_NEVER, 5) == 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_take_is_at_once),
        cmocka_unit_test(test_earliest_request_wins_and_is_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
