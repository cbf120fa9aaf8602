/* Unit tests for drivers/actled: polarity on a GPIO pin (through the real GPIO driver and the fake register file),
 * the firmware path (through a fake mailbox), and the patterns' timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/actled.h"
#include "drivers/gpio.h"
#include "drivers/mbox.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define GPIO_BASE 0x3F200000u
#define GPFSEL(n) (GPIO_BASE + 0x00u + 4u * (n))
#define GPSET(n)  (GPIO_BASE + 0x1Cu + 4u * (n))
#define GPCLR(n)  (GPIO_BASE + 0x28u + 4u * (n))

/* The mailbox, faked: records the calls, answers with mbox_result. */
#define MBOX_MAX_CALLS 64
static struct {
    uint32_t gpio;
    bool on;
} mbox_calls[MBOX_MAX_CALLS];
static size_t n_mbox_calls;
static int mbox_result;

int mbox_set_gpio_state(uint32_t gpio, bool on)
{
    assert_true(n_mbox_calls < MBOX_MAX_CALLS);
    mbox_calls[n_mbox_calls].gpio = gpio;
    mbox_calls[n_mbox_calls].on = on;
    n_mbox_calls++;
    return mbox_result;
}

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    fake_systimer_reset();
    assert_int_equal(gpio_init(GPIO_BASE), 0);
    n_mbox_calls = 0;
    mbox_result = 0;
    return 0;
}

/* The level last driven on pin: +1 high, 0 low, -1 never driven; from the last GPSET/GPCLR write naming it. */
static int driven_level(unsigned pin)
{
    uint32_t bit = 1u << (pin % 32);
    for (size_t i = fake_mmio_log_count(); i-- > 0;) {
        const struct fake_mmio_access *a = fake_mmio_log_at(i);
        if (a->is_write && (a->value & bit)) {
            if (a->addr == GPSET(pin / 32)) {
                return 1;
            }
            if (a->addr == GPCLR(pin / 32)) {
                return 0;
            }
        }
    }
    return -1;
}

static unsigned fsel(unsigned pin)
{
    return (fake_mmio_get(GPFSEL(pin / 10)) >> ((pin % 10) * 3)) & 7u;
}

static void test_gpio_polarity(void **state)
{
    (void)state;
    static const struct {
        unsigned pin;
        bool active_low;
    } cases[] = { { 47, false }, { 16, true }, { 29, false }, { 29, true }, { 47, true } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned pin = cases[i].pin;
        int lit = cases[i].active_low ? 0 : 1;
        fake_mmio_reset();
        fake_mmio_set(GPFSEL(pin / 10), 0xFFFFFFFFu & ~(7u << ((pin % 10) * 3))); /* pin is an input */
        assert_int_equal(actled_init_gpio(pin, cases[i].active_low), 0);

        /* Off level latched first, then the pin becomes an output, so the LED never flashes at init. */
        assert_int_equal(driven_level(pin), !lit);
        long level_at = fake_mmio_find_write(lit ? GPCLR(pin / 32) : GPSET(pin / 32), 0);
        long fsel_at = fake_mmio_find_write(GPFSEL(pin / 10), 0);
        assert_true(level_at >= 0 && fsel_at > level_at);
        assert_int_equal(fsel(pin), GPIO_FUNC_OUTPUT);

        assert_int_equal(actled_set(true), 0);
        assert_int_equal(driven_level(pin), lit);
        assert_int_equal(actled_set(false), 0);
        assert_int_equal(driven_level(pin), !lit);
        assert_int_equal(actled_toggle(), 0);
        assert_int_equal(driven_level(pin), lit);
        assert_int_equal(actled_toggle(), 0);
        assert_int_equal(driven_level(pin), !lit);
    }
    assert_int_equal(n_mbox_calls, 0);
}

static void test_gpio_bad_pin(void **state)
{
    (void)state;
    assert_int_equal(actled_init_gpio(54, false), -ACTLED_EGPIO);
    assert_int_equal(fake_mmio_log_count(), 0);
    /* No LED configured now: calls fail harmlessly and the pattern touches nothing. */
    assert_int_equal(actled_set(true), -ACTLED_ENOINIT);
    assert_int_equal(actled_toggle(), -ACTLED_ENOINIT);
    actled_pattern_step(0, ACTLED_SOLID_ON);
    assert_int_equal(fake_mmio_log_count(), 0);
    assert_int_equal(n_mbox_calls, 0);
}

static void test_firmware_path(void **state)
{
    (void)state;
    assert_int_equal(actled_init_firmware(130), 0);
    assert_int_equal(n_mbox_calls, 1);
    assert_int_equal(mbox_calls[0].gpio, 130);
    assert_false(mbox_calls[0].on);

    assert_int_equal(actled_set(true), 0);
    assert_int_equal(actled_toggle(), 0);
    assert_int_equal(actled_toggle(), 0);
    assert_int_equal(n_mbox_calls, 4);
    assert_true(mbox_calls[1].on);
    assert_false(mbox_calls[2].on);
    assert_true(mbox_calls[3].on);
    for (size_t i = 0; i < n_mbox_calls; i++) {
        assert_int_equal(mbox_calls[i].gpio, 130);
    }
    assert_int_equal(fake_mmio_log_count(), 0); /* the SoC's GPIO block is not involved */
}

static void test_firmware_failure(void **state)
{
    (void)state;
    mbox_result = -MBOX_ETIMEDOUT;
    assert_int_equal(actled_init_firmware(130), -ACTLED_EFIRMWARE);
    assert_int_equal(actled_set(true), -ACTLED_EFIRMWARE);
    /* The failed set did not change the recorded state: toggling still asks for "on". */
    assert_int_equal(actled_toggle(), -ACTLED_EFIRMWARE);
    assert_true(mbox_calls[n_mbox_calls - 1].on);

    /* The pattern gives a failing LED up after one try instead of calling the mailbox on every pass. */
    size_t before = n_mbox_calls;
    for (uint64_t t = 0; t < 10000000u; t += 10000u) {
        actled_pattern_step(t, ACTLED_HEARTBEAT);
    }
    assert_int_equal(n_mbox_calls, before + 1);

    /* Initialising again takes it back. */
    mbox_result = 0;
    assert_int_equal(actled_init_firmware(130), 0);
    before = n_mbox_calls;
    actled_pattern_step(0, ACTLED_SOLID_ON);
    assert_int_equal(n_mbox_calls, before + 1);
}

/* Runs pattern p from t0 for duration_us in steps of step_us on the firmware LED; returns the number of times it
 * was switched on and checks that every call changed the state. */
static size_t count_on_edges(enum actled_pattern p, uint64_t t0, uint64_t duration_us, uint64_t step_us)
{
    n_mbox_calls = 0;
    assert_int_equal(actled_init_firmware(130), 0);
    size_t first = n_mbox_calls, ons = 0;
    bool state = false;
    for (uint64_t t = t0; t < t0 + duration_us; t += step_us) {
        actled_pattern_step(t, p);
    }
    for (size_t i = first; i < n_mbox_calls; i++) {
        assert_true(mbox_calls[i].on != state);
        state = mbox_calls[i].on;
        ons += state;
    }
    return ons;
}

static void test_pattern_edges(void **state)
{
    (void)state;
    static const struct {
        enum actled_pattern p;
        uint64_t t0;
        size_t ons; /* in 10 s */
    } cases[] = {
        { ACTLED_OFF, 0, 0 },
        { ACTLED_SOLID_ON, 0, 1 },
        { ACTLED_SOLID_ON, 123456789u, 1 },
        { ACTLED_HEARTBEAT, 0, 5 },
        { ACTLED_HEARTBEAT, 1000000000000u, 5 },
        { ACTLED_CONFIG_ERROR, 0, 15 },
        { ACTLED_CONFIG_ERROR, 1000000000000u, 15 },
        { ACTLED_MAIL_WAITING, 0, 10 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(count_on_edges(cases[i].p, cases[i].t0, 10000000u, 1000u), cases[i].ons);
    }
}

static void test_pattern_timing(void **state)
{
    (void)state;
    static const struct {
        enum actled_pattern p;
        uint64_t t;
        bool lit;
    } steps[] = {
        /* Heartbeat: on for the first half of each 2 s period. */
        { ACTLED_HEARTBEAT, 0, true },
        { ACTLED_HEARTBEAT, 999999u, true },
        { ACTLED_HEARTBEAT, 1000000u, false },
        { ACTLED_HEARTBEAT, 1999999u, false },
        { ACTLED_HEARTBEAT, 2000000u, true },
        /* Configuration error: three 150 ms blinks, then dark until the period ends. */
        { ACTLED_CONFIG_ERROR, 4000000u, true },
        { ACTLED_CONFIG_ERROR, 4149999u, true },
        { ACTLED_CONFIG_ERROR, 4150000u, false },
        { ACTLED_CONFIG_ERROR, 4300000u, true },
        { ACTLED_CONFIG_ERROR, 4450000u, false },
        { ACTLED_CONFIG_ERROR, 4600000u, true },
        { ACTLED_CONFIG_ERROR, 4749999u, true },
        { ACTLED_CONFIG_ERROR, 4750000u, false },
        { ACTLED_CONFIG_ERROR, 4900000u, false }, /* no fourth blink */
        { ACTLED_CONFIG_ERROR, 5999999u, false },
        { ACTLED_CONFIG_ERROR, 6000000u, true },
        /* Mail waiting: lit for 850 ms, dark for the last 150 ms of each second. */
        { ACTLED_MAIL_WAITING, 7000000u, true },
        { ACTLED_MAIL_WAITING, 7849999u, true },
        { ACTLED_MAIL_WAITING, 7850000u, false },
        { ACTLED_MAIL_WAITING, 7999999u, false },
        { ACTLED_MAIL_WAITING, 8000000u, true },
        /* Switching pattern takes effect at once. */
        { ACTLED_OFF, 8000001u, false },
        { ACTLED_SOLID_ON, 8000002u, true },
    };
    assert_int_equal(actled_init_gpio(47, false), 0);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        actled_pattern_step(steps[i].t, steps[i].p);
        assert_int_equal(driven_level(47), steps[i].lit);
    }
}

static void test_pattern_changes_only_at_edges(void **state)
{
    (void)state;
    assert_int_equal(actled_init_gpio(47, false), 0);
    size_t after_init = fake_mmio_log_count();
    actled_pattern_step(0, ACTLED_HEARTBEAT);
    size_t after_on = fake_mmio_log_count();
    assert_int_equal(after_on, after_init + 1);
    for (uint64_t t = 1; t < 1000000u; t += 997u) {
        actled_pattern_step(t, ACTLED_HEARTBEAT);
    }
    assert_int_equal(fake_mmio_log_count(), after_on);
}

/* The idle sleeps until actled_pattern_next_change(): over two periods of every pattern, sampled every 5 ms from
 * several phases, the LED keeps its state until that time and changes exactly there, so no edge is slept past. */
static void test_pattern_next_change(void **state)
{
    (void)state;
    static const enum actled_pattern blinking[] = { ACTLED_HEARTBEAT, ACTLED_CONFIG_ERROR, ACTLED_MAIL_WAITING };
    assert_int_equal(actled_init_gpio(47, false), 0);
    for (size_t k = 0; k < sizeof blinking / sizeof blinking[0]; k++) {
        enum actled_pattern p = blinking[k];
        for (uint64_t now = 3u; now < 4000000u; now += 4999u) {
            uint64_t next = actled_pattern_next_change(now, p);
            assert_true(next > now);
            assert_true(next - now <= ACTLED_HEARTBEAT_PERIOD_US);
            assert_true(actled_pattern_lit(next, p) != actled_pattern_lit(now, p));
            assert_true(actled_pattern_lit(next - 1u, p) == actled_pattern_lit(now, p));
            for (uint64_t t = now; t < next; t += 1009u) {
                assert_true(actled_pattern_lit(t, p) == actled_pattern_lit(now, p));
            }
        }
    }
    /* Steady patterns ask for no wake-up; neither does a board without an LED. */
    assert_true(actled_pattern_next_change(5u, ACTLED_SOLID_ON) == UINT64_MAX);
    assert_true(actled_pattern_next_change(5u, ACTLED_OFF) == UINT64_MAX);
    assert_int_equal(actled_init_gpio(54, false), -ACTLED_EGPIO);
    assert_true(actled_pattern_next_change(5u, ACTLED_HEARTBEAT) == UINT64_MAX);
}

static void test_strerror(void **state)
{
    (void)state;
    const char *msgs[] = {
        actled_strerror(-ACTLED_ENOINIT),
        actled_strerror(-ACTLED_EGPIO),
        actled_strerror(-ACTLED_EFIRMWARE),
        actled_strerror(-77),
    };
    assert_non_null(actled_strerror(0));
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = i + 1; j < 4; j++) {
            assert_string_not_equal(msgs[i], msgs[j]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_gpio_polarity, setup),
        cmocka_unit_test_setup(test_gpio_bad_pin, setup),
        cmocka_unit_test_setup(test_firmware_path, setup),
        cmocka_unit_test_setup(test_firmware_failure, setup),
        cmocka_unit_test_setup(test_pattern_edges, setup),
        cmocka_unit_test_setup(test_pattern_timing, setup),
        cmocka_unit_test_setup(test_pattern_changes_only_at_edges, setup),
        cmocka_unit_test_setup(test_pattern_next_change, setup),
        cmocka_unit_test_setup(test_strerror, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
