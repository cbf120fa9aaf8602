/* Unit tests for drivers/gpio: register sequences against the fake register file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "drivers/gpio.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define BASE        0x3F200000u
#define GPFSEL(n)   (BASE + 0x00u + 4u * (n))
#define GPSET(n)    (BASE + 0x1Cu + 4u * (n))
#define GPCLR(n)    (BASE + 0x28u + 4u * (n))
#define GPLEV(n)    (BASE + 0x34u + 4u * (n))
#define GPEDS(n)    (BASE + 0x40u + 4u * (n))
#define GPREN(n)    (BASE + 0x4Cu + 4u * (n))
#define GPFEN(n)    (BASE + 0x58u + 4u * (n))
#define GPPUD       (BASE + 0x94u)
#define GPPUDCLK(n) (BASE + 0x98u + 4u * (n))

/* Every pin 0..53 plus the bank and register edges, for loops that need not run 54 times. */
static const unsigned edge_pins[] = { 0, 1, 9, 10, 19, 20, 29, 30, 31, 32, 39, 40, 47, 49, 50, 53 };
#define N_EDGE_PINS (sizeof(edge_pins) / sizeof(edge_pins[0]))

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    fake_systimer_reset();
    assert_int_equal(gpio_init(BASE), 0);
    return 0;
}

/* Runs first: the driver's state is static, and later tests initialise it. */
static void test_not_initialised(void **state)
{
    (void)state;
    fake_mmio_reset();
    assert_int_equal(gpio_set_function(4, GPIO_FUNC_OUTPUT), -GPIO_ENOINIT);
    assert_int_equal(gpio_set_pull(4, GPIO_PULL_UP), -GPIO_ENOINIT);
    assert_int_equal(gpio_get(4), -GPIO_ENOINIT);
    assert_int_equal(gpio_put(4, true), -GPIO_ENOINIT);
    assert_int_equal(gpio_set_edge_detect(4, true, true), -GPIO_ENOINIT);
    assert_false(gpio_event_pending(4));
    gpio_event_clear(4);
    uint32_t levels = 1;
    assert_int_equal(gpio_take_events(0, &levels), 0);
    assert_int_equal(levels, 0);
    assert_int_equal(fake_mmio_log_count(), 0);
    assert_int_equal(gpio_init(0), -GPIO_EINVAL);
    assert_int_equal(gpio_put(4, true), -GPIO_ENOINIT);
}

/* The datasheet's FSEL encodings (BCM2835 ARM Peripherals, table 6-2). */
static void test_function_encodings(void **state)
{
    (void)state;
    assert_int_equal(GPIO_FUNC_INPUT, 0);
    assert_int_equal(GPIO_FUNC_OUTPUT, 1);
    assert_int_equal(GPIO_FUNC_ALT0, 4);
    assert_int_equal(GPIO_FUNC_ALT1, 5);
    assert_int_equal(GPIO_FUNC_ALT2, 6);
    assert_int_equal(GPIO_FUNC_ALT3, 7);
    assert_int_equal(GPIO_FUNC_ALT4, 3);
    assert_int_equal(GPIO_FUNC_ALT5, 2);
    assert_int_equal(GPIO_PULL_NONE, 0);
    assert_int_equal(GPIO_PULL_DOWN, 1);
    assert_int_equal(GPIO_PULL_UP, 2);
}

static void test_set_function_keeps_other_pins(void **state)
{
    (void)state;
    static const enum gpio_function fns[] = {
        GPIO_FUNC_INPUT, GPIO_FUNC_OUTPUT, GPIO_FUNC_ALT0, GPIO_FUNC_ALT1,
        GPIO_FUNC_ALT2,  GPIO_FUNC_ALT3,   GPIO_FUNC_ALT4, GPIO_FUNC_ALT5,
    };
    /* Two patterns, so every bit of the neighbours is seen both set and clear. */
    static const uint32_t patterns[] = { 0x2DB6DB6Du, 0x12492492u };
    for (unsigned pin = 0; pin < GPIO_PIN_COUNT; pin++) {
        for (size_t f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
            for (size_t p = 0; p < 2; p++) {
                fake_mmio_reset();
                for (unsigned r = 0; r < 6; r++) {
                    fake_mmio_set(GPFSEL(r), patterns[p]);
                }
                assert_int_equal(gpio_set_function(pin, fns[f]), 0);
                unsigned reg = pin / 10, shift = (pin % 10) * 3;
                uint32_t expect = (patterns[p] & ~(7u << shift)) | ((uint32_t)fns[f] << shift);
                assert_int_equal(fake_mmio_get(GPFSEL(reg)), expect);
                for (unsigned r = 0; r < 6; r++) {
                    assert_int_equal(fake_mmio_count_writes(GPFSEL(r)), r == reg ? 1 : 0);
                }
            }
        }
    }
}

/* Time of each write, taken from the fake system timer as the write happens. */
struct timed_write {
    uintptr_t addr;
    uint32_t value;
    uint64_t at;
};
static struct timed_write timed[16];
static size_t n_timed;

static void record_write(uintptr_t addr, uint32_t value, void *ctx)
{
    (void)ctx;
    assert_true(n_timed < sizeof(timed) / sizeof(timed[0]));
    timed[n_timed++] = (struct timed_write){ addr, value, fake_systimer_peek() };
}

static void test_pull_sequence(void **state)
{
    (void)state;
    static const enum gpio_pull pulls[] = { GPIO_PULL_NONE, GPIO_PULL_DOWN, GPIO_PULL_UP };
    for (size_t i = 0; i < N_EDGE_PINS; i++) {
        for (size_t p = 0; p < 3; p++) {
            unsigned pin = edge_pins[i], bank = pin / 32;
            fake_mmio_reset();
            fake_systimer_reset();
            n_timed = 0;
            fake_mmio_set(GPPUD, 0xFFFFFFF0u); /* reserved bits are kept */
            fake_mmio_set_write_hook(record_write, NULL);
            assert_int_equal(gpio_set_pull(pin, pulls[p]), 0);

            /* GPPUD = pull, wait, clock this pin only, wait, then remove control and clock. */
            assert_int_equal(n_timed, 4);
            assert_int_equal(timed[0].addr, GPPUD);
            assert_int_equal(timed[0].value, 0xFFFFFFF0u | (uint32_t)pulls[p]);
            assert_int_equal(timed[1].addr, GPPUDCLK(bank));
            assert_int_equal(timed[1].value, 1u << (pin % 32));
            assert_true(timed[1].at - timed[0].at >= GPIO_PULL_SETTLE_US);
            assert_int_equal(timed[2].addr, GPPUD);
            assert_int_equal(timed[2].value, 0xFFFFFFF0u);
            assert_true(timed[2].at - timed[1].at >= GPIO_PULL_SETTLE_US);
            assert_int_equal(timed[3].addr, GPPUDCLK(bank));
            assert_int_equal(timed[3].value, 0);
            assert_int_equal(fake_mmio_count_writes(GPPUDCLK(1 - bank)), 0);
        }
    }
}

static void test_put_uses_set_and_clear(void **state)
{
    (void)state;
    for (unsigned pin = 0; pin < GPIO_PIN_COUNT; pin++) {
        unsigned bank = pin / 32;
        for (int high = 0; high < 2; high++) {
            fake_mmio_reset();
            assert_int_equal(gpio_put(pin, high), 0);
            /* A single write, no read: GPSET/GPCLR ignore zero bits, so other pins are untouched. */
            assert_int_equal(fake_mmio_log_count(), 1);
            const struct fake_mmio_access *a = fake_mmio_log_at(0);
            assert_true(a->is_write);
            assert_int_equal(a->addr, high ? GPSET(bank) : GPCLR(bank));
            assert_int_equal(a->value, 1u << (pin % 32));
        }
    }
}

static void test_get_reads_level(void **state)
{
    (void)state;
    static const uint32_t lev0 = 0xA5C30F81u, lev1 = 0x002A5B3Cu;
    fake_mmio_set(GPLEV(0), lev0);
    fake_mmio_set(GPLEV(1), lev1);
    for (unsigned pin = 0; pin < GPIO_PIN_COUNT; pin++) {
        uint32_t reg = pin < 32 ? lev0 : lev1;
        assert_int_equal(gpio_get(pin), (int)((reg >> (pin % 32)) & 1u));
    }
    assert_int_equal(fake_mmio_count_writes(GPLEV(0)) + fake_mmio_count_writes(GPLEV(1)), 0);
}

static void test_edge_detect(void **state)
{
    (void)state;
    static const uint32_t pattern = 0x5A5A5A5Au;
    for (size_t i = 0; i < N_EDGE_PINS; i++) {
        for (int rising = 0; rising < 2; rising++) {
            for (int falling = 0; falling < 2; falling++) {
                unsigned pin = edge_pins[i], bank = pin / 32;
                uint32_t bit = 1u << (pin % 32);
                fake_mmio_reset();
                for (unsigned b = 0; b < 2; b++) {
                    fake_mmio_set(GPREN(b), pattern);
                    fake_mmio_set(GPFEN(b), pattern);
                }
                assert_int_equal(gpio_set_edge_detect(pin, rising, falling), 0);
                assert_int_equal(fake_mmio_get(GPREN(bank)), (pattern & ~bit) | (rising ? bit : 0));
                assert_int_equal(fake_mmio_get(GPFEN(bank)), (pattern & ~bit) | (falling ? bit : 0));
                assert_int_equal(fake_mmio_count_writes(GPREN(1 - bank)), 0);
                assert_int_equal(fake_mmio_count_writes(GPFEN(1 - bank)), 0);
                assert_int_equal(fake_mmio_count_writes(GPEDS(bank)), 0);
            }
        }
    }
}

static void test_event_pending_and_clear(void **state)
{
    (void)state;
    static const uint32_t eds0 = 0x80000101u, eds1 = 0x00200001u;
    for (unsigned pin = 0; pin < GPIO_PIN_COUNT; pin++) {
        unsigned bank = pin / 32;
        fake_mmio_reset();
        fake_mmio_set(GPEDS(0), eds0);
        fake_mmio_set(GPEDS(1), eds1);
        uint32_t reg = bank == 0 ? eds0 : eds1;
        assert_int_equal(gpio_event_pending(pin), (reg >> (pin % 32)) & 1u);

        fake_mmio_reset();
        fake_mmio_set(GPEDS(bank), 0xFFFFFFFFu);
        gpio_event_clear(pin);
        /* Exactly one write of exactly this pin's bit, and no read: a read-modify-write would clear all events. */
        assert_int_equal(fake_mmio_log_count(), 1);
        const struct fake_mmio_access *a = fake_mmio_log_at(0);
        assert_true(a->is_write);
        assert_int_equal(a->addr, GPEDS(bank));
        assert_int_equal(a->value, 1u << (pin % 32));
    }
}

/* The interrupt handler's read: GPEDS, then a write-1-to-clear of exactly the events read, then GPLEV; nothing else
 * touched, and nothing written when no event was pending. */
static void test_take_events(void **state)
{
    (void)state;
    static const uint32_t events[] = { 0x00020001u, 0x80000000u, 0xFFFFFFFFu };
    for (unsigned bank = 0; bank < GPIO_BANK_COUNT; bank++) {
        for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
            fake_mmio_reset();
            fake_mmio_set(GPEDS(bank), events[i]);
            fake_mmio_set(GPLEV(bank), 0x12345678u);
            uint32_t levels = 0;
            assert_int_equal(gpio_take_events(bank, &levels), events[i]);
            assert_int_equal(levels, 0x12345678u);
            assert_int_equal(fake_mmio_log_count(), 3);
            const struct fake_mmio_access *a = fake_mmio_log_at(0);
            assert_false(a->is_write);
            assert_int_equal(a->addr, GPEDS(bank));
            a = fake_mmio_log_at(1);
            assert_true(a->is_write);
            assert_int_equal(a->addr, GPEDS(bank));
            assert_int_equal(a->value, events[i]);
            a = fake_mmio_log_at(2);
            assert_false(a->is_write);
            assert_int_equal(a->addr, GPLEV(bank));
        }
        fake_mmio_reset();
        fake_mmio_set(GPLEV(bank), 0x5u);
        uint32_t levels = 0;
        assert_int_equal(gpio_take_events(bank, &levels), 0);
        assert_int_equal(levels, 0x5u);
        assert_int_equal(fake_mmio_count_writes(GPEDS(bank)), 0);
    }
    fake_mmio_reset();
    uint32_t levels = 1;
    assert_int_equal(gpio_take_events(GPIO_BANK_COUNT, &levels), 0);
    assert_int_equal(levels, 0);
    assert_int_equal(fake_mmio_log_count(), 0);
}

static void test_invalid_arguments_touch_nothing(void **state)
{
    (void)state;
    static const unsigned bad_pins[] = { 54, 55, 63, 64, 100, UINT_MAX };
    for (size_t i = 0; i < sizeof(bad_pins) / sizeof(bad_pins[0]); i++) {
        unsigned pin = bad_pins[i];
        fake_mmio_reset();
        assert_int_equal(gpio_set_function(pin, GPIO_FUNC_OUTPUT), -GPIO_EINVAL);
        assert_int_equal(gpio_set_pull(pin, GPIO_PULL_UP), -GPIO_EINVAL);
        assert_int_equal(gpio_get(pin), -GPIO_EINVAL);
        assert_int_equal(gpio_put(pin, true), -GPIO_EINVAL);
        assert_int_equal(gpio_put(pin, false), -GPIO_EINVAL);
        assert_int_equal(gpio_set_edge_detect(pin, true, false), -GPIO_EINVAL);
        assert_false(gpio_event_pending(pin));
        gpio_event_clear(pin);
        assert_int_equal(fake_mmio_log_count(), 0);
    }
    fake_mmio_reset();
    assert_int_equal(gpio_set_function(4, (enum gpio_function)8), -GPIO_EINVAL);
    assert_int_equal(gpio_set_pull(4, (enum gpio_pull)3), -GPIO_EINVAL);
    assert_int_equal(fake_mmio_log_count(), 0);
}

static void test_strerror(void **state)
{
    (void)state;
    const char *ok = gpio_strerror(0);
    const char *inval = gpio_strerror(-GPIO_EINVAL);
    const char *noinit = gpio_strerror(-GPIO_ENOINIT);
    const char *other = gpio_strerror(-99);
    assert_non_null(ok);
    assert_string_not_equal(inval, noinit);
    assert_string_not_equal(inval, other);
    assert_string_not_equal(noinit, other);
    assert_string_equal(gpio_strerror(GPIO_EINVAL), inval);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_initialised),
        cmocka_unit_test(test_function_encodings),
        cmocka_unit_test_setup(test_set_function_keeps_other_pins, setup),
        cmocka_unit_test_setup(test_pull_sequence, setup),
        cmocka_unit_test_setup(test_put_uses_set_and_clear, setup),
        cmocka_unit_test_setup(test_get_reads_level, setup),
        cmocka_unit_test_setup(test_edge_detect, setup),
        cmocka_unit_test_setup(test_event_pending_and_clear, setup),
        cmocka_unit_test_setup(test_take_events, setup),
        cmocka_unit_test_setup(test_invalid_arguments_touch_nothing, setup),
        cmocka_unit_test_setup(test_strerror, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
