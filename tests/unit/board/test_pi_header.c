/* Unit tests for board/pi_header: every header layout pin by pin, and which GPIOs alerts may watch on each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "board/pi_header.h"

/* Header pin -> GPIO as printed on the boards' pinout diagrams (-1: power or ground), written out independently of
 * the table under test. */
/* clang-format off */
static const int j8[41] = {
    -1, -1, -1, 2,  -1, 3,  -1, 4,  14, -1, 15, 17, 18, 27, -1, 22, 23, -1, 24, 10, -1,
    9,  25, 11, 8,  -1, 7,  0,  1,  5,  -1, 6,  12, 13, -1, 19, 16, 26, 20, -1, 21,
};
/* clang-format on */
/* clang-format off */
static const int p1_rev1[27] = {
    -1, -1, -1, 0, -1, 1, -1, 4, 14, -1, 15, 17, 18, 21, -1, 22, 23, -1, 24, 10, -1, 9, 25, 11, 8, -1, 7,
};
/* clang-format on */

static void check_layout(enum pi_header header, const int *pins, unsigned count)
{
    for (unsigned gpio = 0; gpio < PI_HEADER_BCM_GPIO_COUNT + 10; gpio++) {
        unsigned expect = 0;
        for (unsigned pin = 1; pin <= count; pin++) {
            if (pins[pin] == (int)gpio) {
                expect = pin;
            }
        }
        if (pi_header_pin(header, gpio) != expect) {
            fail_msg("header %d: GPIO %u on pin %u, expected %u", (int)header, gpio, pi_header_pin(header, gpio),
                     expect);
        }
        /* Legal: on the header and not the console's. */
        bool legal = expect != 0 && gpio != 14 && gpio != 15;
        if ((pi_header_check(header, gpio) == NULL) != legal) {
            fail_msg("header %d: GPIO %u %s, expected %s", (int)header, gpio,
                     pi_header_check(header, gpio) ? pi_header_check(header, gpio) : "legal",
                     legal ? "legal" : "refused");
        }
    }
}

static void test_40_pin(void **state)
{
    (void)state;
    check_layout(PI_HEADER_40, j8, 40);
    /* Every GPIO 0-27 is on it exactly once. */
    for (unsigned gpio = 0; gpio < PI_HEADER_GPIO_LIMIT; gpio++) {
        assert_int_not_equal(pi_header_pin(PI_HEADER_40, gpio), 0);
    }
}

static void test_26_pin_rev2_is_j8_first_26(void **state)
{
    (void)state;
    check_layout(PI_HEADER_26_REV2, j8, 26);
}

static void test_26_pin_rev1(void **state)
{
    (void)state;
    check_layout(PI_HEADER_26_REV1, p1_rev1, 26);
    assert_int_equal(pi_header_pin(PI_HEADER_26_REV1, 0), 3);
    assert_int_equal(pi_header_pin(PI_HEADER_26_REV1, 2), 0);
    assert_int_equal(pi_header_pin(PI_HEADER_26_REV2, 2), 3);
    assert_int_equal(pi_header_pin(PI_HEADER_26_REV2, 0), 0);
}

/* Compute modules: no header pins; GPIO 0-27 without the console, as on the 40-pin header. */
static void test_compute_module(void **state)
{
    (void)state;
    for (unsigned gpio = 0; gpio < PI_HEADER_BCM_GPIO_COUNT; gpio++) {
        assert_int_equal(pi_header_pin(PI_HEADER_NONE, gpio), 0);
        bool legal = gpio < PI_HEADER_GPIO_LIMIT && gpio != 14 && gpio != 15;
        assert_int_equal(pi_header_check(PI_HEADER_NONE, gpio) == NULL, legal);
    }
}

/* The reasons name what is wrong, and the console pins' header pins match the table. */
static void test_reasons(void **state)
{
    (void)state;
    assert_int_equal(pi_header_pin(PI_HEADER_40, 14), 8);
    assert_int_equal(pi_header_pin(PI_HEADER_40, 15), 10);
    assert_non_null(strstr(pi_header_check(PI_HEADER_40, 14), "serial console's TXD (header pin 8)"));
    assert_non_null(strstr(pi_header_check(PI_HEADER_26_REV1, 15), "serial console's RXD (header pin 10)"));
    assert_non_null(strstr(pi_header_check(PI_HEADER_NONE, 14), "serial console's TXD"));
    assert_non_null(strstr(pi_header_check(PI_HEADER_40, 28), "not on the 40-pin header"));
    assert_non_null(strstr(pi_header_check(PI_HEADER_26_REV2, 5), "26-pin header"));
    assert_non_null(strstr(pi_header_check(PI_HEADER_26_REV1, 27), "26-pin header"));
    assert_non_null(strstr(pi_header_check(PI_HEADER_NONE, 30), "compute module"));
    for (unsigned i = 0; i < 4; i++) {
        assert_non_null(strstr(pi_header_check((enum pi_header)i, 54), "not a BCM GPIO"));
        assert_non_null(strstr(pi_header_check((enum pi_header)i, UINT_MAX), "not a BCM GPIO"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_40_pin),      cmocka_unit_test(test_26_pin_rev2_is_j8_first_26),
        cmocka_unit_test(test_26_pin_rev1), cmocka_unit_test(test_compute_module),
        cmocka_unit_test(test_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
