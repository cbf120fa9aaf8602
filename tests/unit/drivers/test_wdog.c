/* Unit tests for drivers/wdog: PM register writes (password, kept fields, timeout ticks), reset and halt
 * sequences (checked against a model of QEMU's power manager), and the reset cause recorded at init. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/mmio.h"
#include "drivers/wdog.h"
#include "fake_mmio.h"

#define BASE          0x3F100000u
#define RSTC          (BASE + 0x1Cu)
#define RSTS          (BASE + 0x20u)
#define WDOG          (BASE + 0x24u)
#define PASSWORD      0x5A000000u
#define PASSWORD_MASK 0xFF000000u
#define WRCFG_MASK    0x30u
#define WRCFG_FULL    0x20u
#define TIME_MASK     0x000FFFFFu
#define RSTS_HADPOR   0x1000u
#define RSTS_HADWRF   0x20u

/* Every write to the PM block must carry the password, or the hardware ignores it. */
static void assert_all_writes_have_password(void)
{
    for (size_t i = 0; i < fake_mmio_log_count(); i++) {
        const struct fake_mmio_access *a = fake_mmio_log_at(i);
        if (a->is_write) {
            assert_int_equal(a->value & PASSWORD_MASK, PASSWORD);
        }
    }
}

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    fake_mmio_set(RSTS, RSTS_HADPOR);
    assert_int_equal(wdog_init(BASE), 0);
    fake_mmio_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_all_writes_have_password();
    assert_int_equal(fake_mmio_fence_violations(), 0);
    return 0;
}

/* drivers/mmio.h keeps the BCM2835 ordering rule (ARM Peripherals 1.3) for every driver: a barrier after each read
 * and before each write. The fake checks it, and catches accesses that skip it. */
static void test_every_access_is_fenced(void **state)
{
    (void)state;
    assert_int_equal(wdog_start(5000), 0);
    wdog_feed();
    (void)wdog_remaining_ms();
    wdog_stop();
    assert_true(fake_mmio_log_count() > 0 && fake_mmio_barrier_count() >= fake_mmio_log_count());
    assert_int_equal(fake_mmio_fence_violations(), 0);

    (void)mmio_raw_read32(BASE + 0x20u);
    mmio_raw_write32(BASE + 0x24u, 0x5A000000u); /* no barrier after the read, none before the write */
    assert_int_equal(fake_mmio_fence_violations(), 1);
    mmio_raw_write32(BASE + 0x24u, 0x5A000000u);
    assert_int_equal(fake_mmio_fence_violations(), 2);
    fake_mmio_reset();
}

/* Runs first: the driver's state is static, and later tests initialise it. */
static void test_not_initialised(void **state)
{
    (void)state;
    fake_mmio_reset();
    assert_int_equal(wdog_start(1000), -WDOG_ENOINIT);
    wdog_feed();
    wdog_stop();
    wdog_reset_now();
    wdog_halt();
    assert_int_equal(wdog_remaining_ms(), 0);
    assert_int_equal(wdog_reset_status(), 0);
    assert_false(wdog_last_reset_was_watchdog());
    assert_int_equal(fake_mmio_log_count(), 0);
    assert_int_equal(wdog_init(0), -WDOG_EINVAL);
}

static void test_init_records_reset_status(void **state)
{
    (void)state;
    static const struct {
        uint32_t rsts;
        bool watchdog;
    } cases[] = {
        { 0x00001000u, false },                        /* power-on (also QEMU after any reset) */
        { 0x00000020u, true },                         /* watchdog full reset, as after a reboot through it */
        { 0x00001020u, true },  { 0x00000575u, true }, /* watchdog full reset with partition 63 left in the even bits */
        { 0x00000555u, false },                        /* partition 63 alone is not a reset cause */
        { 0x00000010u, false },                        /* bit 4 doubles as partition bit 2 */
        { 0x00000040u, false },                        /* bit 6 doubles as partition bit 3 */
        { 0x00000200u, false },                        /* software full reset */
        { 0x00000000u, false },                        /* cleared by the GPU firmware */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        fake_mmio_set(RSTS, cases[i].rsts);
        assert_int_equal(wdog_init(BASE), 0);
        assert_int_equal(wdog_reset_status(), cases[i].rsts);
        assert_int_equal(wdog_last_reset_was_watchdog(), cases[i].watchdog);
        /* init only reads: the reset cause must survive for whoever else looks. */
        assert_int_equal(fake_mmio_count_writes(RSTS) + fake_mmio_count_writes(RSTC) + fake_mmio_count_writes(WDOG), 0);
        /* Later changes to RSTS do not change the recorded cause. */
        fake_mmio_set(RSTS, ~cases[i].rsts);
        assert_int_equal(wdog_reset_status(), cases[i].rsts);
    }
}

static void test_start_timeout_ticks(void **state)
{
    (void)state;
    /* 65536 ticks per second, truncated. */
    static const struct {
        uint32_t ms;
        uint32_t ticks;
    } cases[] = {
        { 1, 65 },       { 2, 131 },      { 10, 655 },       { 100, 6553 },     { 250, 16384 },    { 999, 65470 },
        { 1000, 65536 }, { 1500, 98304 }, { 10000, 655360 }, { 14999, 982974 }, { 15000, 983040 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        assert_int_equal(wdog_start(cases[i].ms), 0);
        assert_int_equal(fake_mmio_get(WDOG) & TIME_MASK, cases[i].ticks);
        assert_int_equal(fake_mmio_get(RSTC) & WRCFG_MASK, WRCFG_FULL);
        /* The timeout is loaded before the reset is enabled, so a stale count cannot fire. */
        long wdog_at = fake_mmio_find_write(WDOG, 0), rstc_at = fake_mmio_find_write(RSTC, 0);
        assert_true(wdog_at >= 0);
        assert_true(rstc_at > wdog_at);
        assert_int_equal(fake_mmio_count_writes(RSTS), 0);
        assert_all_writes_have_password();
    }
}

static void test_start_rejects_bad_timeouts(void **state)
{
    (void)state;
    static const uint32_t bad[] = { 0, WDOG_MAX_TIMEOUT_MS + 1, 16000, 60000, UINT32_MAX };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fake_mmio_reset();
        assert_int_equal(wdog_start(bad[i]), -WDOG_EINVAL);
        assert_int_equal(fake_mmio_count_writes(RSTC) + fake_mmio_count_writes(WDOG), 0);
    }
}

static void test_writes_keep_other_fields(void **state)
{
    (void)state;
    /* RSTC: reset value 0x102 plus a stale WRCFG of 3; WDOG: bits above the 20-bit count. */
    fake_mmio_set(RSTC, 0x00040102u | 0x30u);
    fake_mmio_set(WDOG, 0x00F00000u | 0x12345u);
    assert_int_equal(wdog_start(1000), 0);
    assert_int_equal(fake_mmio_get(RSTC), PASSWORD | 0x00040102u | WRCFG_FULL);
    assert_int_equal(fake_mmio_get(WDOG), PASSWORD | 0x00F00000u | 65536u);

    wdog_stop();
    assert_int_equal(fake_mmio_get(RSTC), PASSWORD | 0x00040102u);
    assert_int_equal(fake_mmio_get(WDOG), PASSWORD | 0x00F00000u | 65536u);
}

static void test_feed(void **state)
{
    (void)state;
    assert_int_equal(wdog_start(2000), 0);
    fake_mmio_set(WDOG, 1000u); /* the hardware counted down */
    size_t rstc_writes = fake_mmio_count_writes(RSTC);
    wdog_feed();
    assert_int_equal(fake_mmio_get(WDOG), PASSWORD | 131072u);
    assert_int_equal(fake_mmio_count_writes(RSTC), rstc_writes);

    /* A stopped watchdog is not re-armed by feeding. */
    wdog_stop();
    size_t wdog_writes = fake_mmio_count_writes(WDOG);
    rstc_writes = fake_mmio_count_writes(RSTC);
    wdog_feed();
    assert_int_equal(fake_mmio_count_writes(WDOG), wdog_writes);
    assert_int_equal(fake_mmio_count_writes(RSTC), rstc_writes);
}

static void test_remaining_ms(void **state)
{
    (void)state;
    static const struct {
        uint32_t wdog;
        uint32_t ms;
    } cases[] = {
        { 0, 0 },
        { 65, 0 },
        { 66, 1 },
        { 32768, 500 },
        { 65536, 1000 },
        { 983040, 15000 },
        { 0xFFFFFu, 15999 },
        { 0xFFF00000u | 65536u, 1000 }, /* bits above the count are not time */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_set(WDOG, cases[i].wdog);
        assert_int_equal(wdog_remaining_ms(), cases[i].ms);
    }
}

/* QEMU's power manager, as far as the tests need it: an RSTC write with the full-reset bit resets the machine,
 * or shuts it down when RSTS's low 12 bits read 0x555 (hw/misc/bcm2835_powermgt.c). */
enum qemu_outcome { QEMU_RUNNING, QEMU_RESET, QEMU_SHUTDOWN };
static enum qemu_outcome qemu_outcome;

static void qemu_pm_write(uintptr_t addr, uint32_t value, void *ctx)
{
    (void)ctx;
    if (addr == RSTC && (value & PASSWORD_MASK) == PASSWORD && (value & WRCFG_FULL)) {
        qemu_outcome = (fake_mmio_get(RSTS) & 0xFFFu) == 0x555u ? QEMU_SHUTDOWN : QEMU_RESET;
    }
}

static void test_reset_now(void **state)
{
    (void)state;
    static const uint32_t rsts_before[] = { 0x1000u, 0x1555u, 0x1575u, 0x0u };
    for (size_t i = 0; i < sizeof(rsts_before) / sizeof(rsts_before[0]); i++) {
        fake_mmio_reset();
        fake_mmio_set(RSTS, rsts_before[i]);
        fake_mmio_set(RSTC, 0x102u);
        qemu_outcome = QEMU_RUNNING;
        fake_mmio_set_write_hook(qemu_pm_write, NULL);
        wdog_reset_now();

        /* Partition 0 (boot normally), other RSTS bits kept; a short countdown; full reset armed last. */
        assert_int_equal(fake_mmio_get(RSTS), PASSWORD | (rsts_before[i] & ~0x555u));
        assert_int_equal(fake_mmio_get(WDOG) & TIME_MASK, 10u);
        assert_int_equal(fake_mmio_get(RSTC), PASSWORD | 0x102u | WRCFG_FULL);
        const struct fake_mmio_access *last = fake_mmio_log_at(fake_mmio_log_count() - 1);
        assert_true(last->is_write);
        assert_int_equal(last->addr, RSTC);
        assert_int_equal(qemu_outcome, QEMU_RESET);
        assert_all_writes_have_password();
    }
}

static void test_halt(void **state)
{
    (void)state;
    static const uint32_t rsts_before[] = { 0x1000u, 0x1020u, 0x0u, 0x1AAAu, 0x00F01000u };
    for (size_t i = 0; i < sizeof(rsts_before) / sizeof(rsts_before[0]); i++) {
        fake_mmio_reset();
        fake_mmio_set(RSTS, rsts_before[i]);
        fake_mmio_set(RSTC, 0x102u);
        qemu_outcome = QEMU_RUNNING;
        fake_mmio_set_write_hook(qemu_pm_write, NULL);
        wdog_halt();

        /* Partition 63 = 0x555 in the low 12 bits; bits from HADPOR up kept. */
        long rsts_at = fake_mmio_find_write(RSTS, 0);
        assert_true(rsts_at >= 0);
        assert_int_equal(fake_mmio_get(RSTS), PASSWORD | (rsts_before[i] & ~0xFFFu) | 0x555u);
        assert_true(fake_mmio_find_write(RSTC, 0) > rsts_at);
        assert_int_equal(fake_mmio_get(RSTC), PASSWORD | 0x102u | WRCFG_FULL);
        assert_int_equal(qemu_outcome, QEMU_SHUTDOWN);
        assert_all_writes_have_password();
    }

    /* A reboot after a halt request boots again instead of halting. */
    qemu_outcome = QEMU_RUNNING;
    wdog_reset_now();
    assert_int_equal(qemu_outcome, QEMU_RESET);
}

static void test_strerror(void **state)
{
    (void)state;
    const char *inval = wdog_strerror(-WDOG_EINVAL);
    const char *noinit = wdog_strerror(-WDOG_ENOINIT);
    const char *other = wdog_strerror(-42);
    assert_non_null(wdog_strerror(0));
    assert_string_not_equal(inval, noinit);
    assert_string_not_equal(inval, other);
    assert_string_not_equal(noinit, other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_initialised),
        cmocka_unit_test_setup_teardown(test_init_records_reset_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_timeout_ticks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_rejects_bad_timeouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_keep_other_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remaining_ms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_now, setup, teardown),
        cmocka_unit_test_setup_teardown(test_halt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strerror, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_access_is_fenced, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
