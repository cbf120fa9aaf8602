/* Unit tests for drivers/rng: start-up with warm-up, reading words, and timeouts that never yield fake data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/rng.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define BASE     0x3F104000u
#define CTRL     (BASE + 0x00u)
#define STATUS   (BASE + 0x04u)
#define DATA     (BASE + 0x08u)
#define INT_MASK (BASE + 0x10u)
#define WARMUP   0x40000u
#define WORDS(n) ((uint32_t)(n) << 24)

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    fake_systimer_reset();
    assert_int_equal(rng_init(BASE), 0);
    fake_mmio_reset();
    return 0;
}

static void test_init_cold_discards_warmup(void **state)
{
    (void)state;
    assert_int_equal(rng_init(BASE), 0);
    long warm = fake_mmio_find_write(STATUS, 0);
    long enable = fake_mmio_find_write(CTRL, 0);
    assert_true(warm >= 0);
    assert_int_equal(fake_mmio_log_at((size_t)warm)->value, WARMUP);
    assert_true(enable > warm); /* the count is set before the generator starts */
    assert_int_equal(fake_mmio_get(CTRL) & 1u, 1u);
    assert_int_equal(fake_mmio_count_writes(INT_MASK), 0); /* undecoded by QEMU's BCM2835: must not be touched */
    assert_int_equal(rng_init(0), -RNG_EINVAL);
}

static void test_init_already_running(void **state)
{
    (void)state;
    fake_mmio_set(CTRL, 1u);
    assert_int_equal(rng_init(BASE), 0);
    assert_int_equal(fake_mmio_count_writes(STATUS), 0);
    assert_int_equal(fake_mmio_count_writes(CTRL), 0);
    assert_int_equal(fake_mmio_count_writes(INT_MASK), 0);
}

static void test_read_words(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        uint8_t expect[12];
    } cases[] = {
        { 0, { 0 } },
        { 1, { 0x44 } },
        { 4, { 0x44, 0x33, 0x22, 0x11 } },
        { 6, { 0x44, 0x33, 0x22, 0x11, 0x88, 0x77 } },
        { 12, { 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55, 0xCC, 0xBB, 0xAA, 0x99 } },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        fake_mmio_set(STATUS, WORDS(3));
        fake_mmio_queue_read(DATA, 0x11223344u);
        fake_mmio_queue_read(DATA, 0x55667788u);
        fake_mmio_queue_read(DATA, 0x99AABBCCu);
        uint8_t buf[13];
        memset(buf, 0xEE, sizeof(buf));
        assert_int_equal(rng_read(buf, cases[i].len), 0);
        assert_memory_equal(buf, cases[i].expect, cases[i].len);
        assert_int_equal(buf[cases[i].len], 0xEE); /* nothing written past len */
    }
}

static void test_read_waits_for_data(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        fake_mmio_queue_read(STATUS, WORDS(0));
    }
    fake_mmio_set(STATUS, WORDS(1));
    fake_mmio_set(DATA, 0xA5A5A5A5u);
    uint32_t v = 0;
    assert_int_equal(rng_read(&v, sizeof(v)), 0);
    assert_int_equal(v, 0xA5A5A5A5u);
    /* DATA is only read once STATUS reports a word. */
    for (size_t i = 0; i < fake_mmio_log_count(); i++) {
        if (fake_mmio_log_at(i)->addr == DATA) {
            assert_int_equal(fake_mmio_log_at(i - 1)->addr, STATUS);
            assert_int_not_equal(fake_mmio_log_at(i - 1)->value >> 24, 0);
        }
    }
}

static void test_read_timeout_never_fakes_data(void **state)
{
    (void)state;
    uint8_t buf[16];

    /* Nothing at all. */
    fake_mmio_set(STATUS, WORDS(0));
    fake_mmio_set(DATA, 0x12345678u);
    fake_systimer_set_step(1000);
    memset(buf, 0xEE, sizeof(buf));
    assert_int_equal(rng_read(buf, sizeof(buf)), -RNG_ETIMEDOUT);
    for (size_t i = 0; i < sizeof(buf); i++) {
        assert_int_equal(buf[i], 0);
    }
    for (size_t i = 0; i < fake_mmio_log_count(); i++) {
        assert_int_not_equal(fake_mmio_log_at(i)->addr, DATA);
    }

    /* One word, then the generator stops: the half-filled buffer is not handed out either. */
    fake_mmio_reset();
    fake_mmio_queue_read(STATUS, WORDS(1));
    fake_mmio_set(STATUS, WORDS(0));
    fake_mmio_set(DATA, 0x12345678u);
    memset(buf, 0xEE, sizeof(buf));
    assert_int_equal(rng_read(buf, sizeof(buf)), -RNG_ETIMEDOUT);
    for (size_t i = 0; i < sizeof(buf); i++) {
        assert_int_equal(buf[i], 0);
    }
    assert_string_not_equal(rng_strerror(-RNG_ETIMEDOUT), rng_strerror(-RNG_EINVAL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_cold_discards_warmup, setup),
        cmocka_unit_test_setup(test_init_already_running, setup),
        cmocka_unit_test_setup(test_read_words, setup),
        cmocka_unit_test_setup(test_read_waits_for_data, setup),
        cmocka_unit_test_setup(test_read_timeout_never_fakes_data, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
