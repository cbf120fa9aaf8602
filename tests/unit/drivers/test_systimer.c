/* Unit tests for drivers/systimer: consistent 64-bit reads across a low-word rollover, deadlines and delays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/systimer.h"
#include "fake_mmio.h"

#define BASE 0x3F003000u
#define CLO  (BASE + 0x04u)
#define CHI  (BASE + 0x08u)
#define CS   (BASE + 0x00u)
#define C0   (BASE + 0x0Cu)

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    systimer_init(BASE);
    return 0;
}

static void test_read_without_rollover(void **state)
{
    (void)state;
    fake_mmio_set(CHI, 0x5u);
    fake_mmio_set(CLO, 0x1234u);
    assert_int_equal(systimer_now_us(), 0x500001234ull);
}

/* The high word ticks between the reads: the value must be the post-rollover one, never hi=0/lo=0xFFFFFFFF
 * mixed with the new high word, nor the old high word with the new low word. */
static void test_read_across_rollover(void **state)
{
    (void)state;
    static const struct {
        uint32_t hi1, lo1, hi2, lo2;
        uint64_t expect;
    } cases[] = {
        { 0x0u, 0xFFFFFFFFu, 0x1u, 0x00000002u, 0x100000002ull },
        { 0x7u, 0xFFFFFFF0u, 0x8u, 0x00000000u, 0x800000000ull },
        { 0xFFFFFFFEu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x5u, 0xFFFFFFFF00000005ull },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        fake_mmio_queue_read(CHI, cases[i].hi1);
        fake_mmio_queue_read(CLO, cases[i].lo1);
        fake_mmio_queue_read(CHI, cases[i].hi2);
        fake_mmio_queue_read(CLO, cases[i].lo2);
        /* Anything beyond the scripted reads sees a value that would make the result wrong. */
        fake_mmio_set(CHI, 0xDEADu);
        fake_mmio_set(CLO, 0xDEADu);
        assert_int_equal(systimer_now_us(), cases[i].expect);
    }
}

/* The counter as a read hook: CLO advances 10 us per read of it, wrapping into CHI. */
static uint64_t counter;

static uint32_t ticking(uintptr_t addr, uint32_t stored, void *ctx)
{
    (void)ctx;
    if (addr == CLO) {
        counter += 10u;
        return (uint32_t)counter;
    }
    if (addr == CHI) {
        return (uint32_t)(counter >> 32);
    }
    return stored;
}

static void test_deadline_and_delay(void **state)
{
    (void)state;
    counter = 0xFFFFFF00ull; /* the delay crosses the 32-bit boundary */
    fake_mmio_set_read_hook(ticking, NULL);

    uint64_t start = systimer_now_us();
    uint64_t deadline = systimer_deadline_us(1000);
    assert_true(deadline >= start + 1000u);
    assert_false(systimer_expired(deadline));

    systimer_delay_us(500);
    uint64_t after = systimer_now_us();
    assert_true(after >= start + 500u);
    assert_true(after > 0xFFFFFFFFull);
    assert_false(systimer_expired(deadline + 100000u));

    while (!systimer_expired(deadline)) {
    }
    assert_true(systimer_now_us() >= deadline);
}

/* The ARM's channels (1 and 3) get the deadline's low word and a cleared match; the VideoCore's are never touched. */
static void test_compare_channels(void **state)
{
    (void)state;
    static const struct {
        unsigned channel;
        bool arm;
    } cases[] = { { 0, false }, { 1, true }, { 2, false }, { 3, true }, { 4, false } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        systimer_compare_set(cases[i].channel, 0x1234567890ull);
        systimer_compare_clear(cases[i].channel);
        if (!cases[i].arm) {
            assert_int_equal(fake_mmio_log_count(), 0);
            continue;
        }
        uintptr_t reg = C0 + 4u * cases[i].channel;
        long compare = fake_mmio_find_write(reg, 0);
        assert_true(compare >= 0);
        assert_int_equal(fake_mmio_get(reg), 0x34567890u);
        /* The match flag is cleared after the new compare value is in, so an old match cannot stay pending. */
        long clear = fake_mmio_find_write(CS, (size_t)compare);
        assert_true(clear > compare);
        assert_int_equal(fake_mmio_log_at((size_t)clear)->value, 1u << cases[i].channel);
        assert_int_equal(fake_mmio_count_writes(CS), 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_read_without_rollover, setup),
        cmocka_unit_test_setup(test_read_across_rollover, setup),
        cmocka_unit_test_setup(test_deadline_and_delay, setup),
        cmocka_unit_test_setup(test_compare_channels, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
