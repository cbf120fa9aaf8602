/*
 * Unit tests for the Pi's inputs (board/common/pi_input over board/input_pins): the set-up sequence, the GPIO bank
 * interrupt through the real interrupt controller driver, edge latching and timestamps, both edges, pulses shorter
 * than the interrupt latency, a storm of 1000 edges, masking while the main loop takes, legal pins per model, and
 * simulation refused on hardware but served under QEMU.
 *
 * The fake register file models the GPIO block's side: pins have levels, and with GPREN/GPFEN set a change of level
 * latches the pin's bit in GPEDS, which is write-1-to-clear. The interrupt controller shows GPU line 49 (bank 2,
 * bit 17) pending while any bank 0 event is latched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "board/board.h"
#include "board/common/board_pi.h"
#include "board/common/pi_input.h"
#include "board/common/pi_models.h"
#include "drivers/gpio.h"
#include "drivers/intc.h"
#include "drivers/systimer.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define GPIO_BASE     0x3F200000u
#define GPFSEL(n)     (GPIO_BASE + 0x00u + 4u * (n))
#define GPLEV0        (GPIO_BASE + 0x34u)
#define GPEDS0        (GPIO_BASE + 0x40u)
#define GPREN0        (GPIO_BASE + 0x4Cu)
#define GPFEN0        (GPIO_BASE + 0x58u)
#define GPPUD         (GPIO_BASE + 0x94u)
#define GPPUDCLK0     (GPIO_BASE + 0x98u)
#define INTC_BASE     0x3F00B200u
#define INTC_PENDING2 (INTC_BASE + 0x08u)
#define INTC_ENABLE2  (INTC_BASE + 0x14u)
#define GPIO_INT0_BIT (1u << (49 - 32)) /* gpio_int[0] is GPU IRQ 49: bank 2, bit 17 */

#define REV_PI2    0xa21041u /* QEMU's raspi2b: 40-pin header */
#define REV_B_REV1 0x0002u   /* 26-pin P1, first layout */
#define REV_B_REV2 0x000eu   /* 26-pin P1, second layout */
#define REV_CM3    0xa020a0u /* no header */

/* ---- the board's side that pi_input.c calls ---- */

static unsigned irq_depth;
static unsigned irq_saves;

uint32_t board_pi_irq_save(void)
{
    irq_saves++;
    return irq_depth++;
}

void board_pi_irq_restore(uint32_t saved)
{
    assert_int_equal(saved + 1, irq_depth);
    irq_depth = saved;
}

static unsigned irq_work_calls;

void board_pi_irq_work(void)
{
    irq_work_calls++;
}

uint64_t board_uptime_us(void)
{
    return fake_systimer_peek();
}

/* ---- the GPIO block: levels, edge detectors, latched events ---- */

static uint32_t pin_levels;
static uint32_t events;

static uint32_t gpio_read(uintptr_t addr, uint32_t stored, void *ctx)
{
    (void)ctx;
    if (addr == GPLEV0) {
        return pin_levels;
    }
    if (addr == GPEDS0) {
        return events;
    }
    if (addr == INTC_PENDING2) {
        return events != 0 ? GPIO_INT0_BIT : 0;
    }
    return stored;
}

static void gpio_write(uintptr_t addr, uint32_t value, void *ctx)
{
    (void)ctx;
    if (addr == GPEDS0) {
        events &= ~value;
    }
}

/* Something outside drives gpio to level; the detectors enabled in GPREN/GPFEN latch the edge. */
static void drive(unsigned gpio, int level)
{
    uint32_t bit = 1u << gpio;
    bool was = (pin_levels & bit) != 0;
    if (was == (level != 0)) {
        return;
    }
    pin_levels = level ? pin_levels | bit : pin_levels & ~bit;
    uint32_t enabled = level ? fake_mmio_get(GPREN0) : fake_mmio_get(GPFEN0);
    events |= enabled & bit;
}

/* The CPU takes the IRQ at time now (if the controller raises it and the CPU has IRQs unmasked). */
static void take_irq(uint64_t now)
{
    systimer_delay_us((uint32_t)(now - fake_systimer_peek()));
    assert_int_equal(irq_depth, 0);
    intc_dispatch();
}

static void setup_model(uint32_t revision, bool emulated)
{
    fake_mmio_reset();
    fake_systimer_reset();
    fake_systimer_set_step(0); /* time moves only when the test says */
    fake_mmio_set_read_hook(gpio_read, NULL);
    fake_mmio_set_write_hook(gpio_write, NULL);
    pin_levels = 0;
    events = 0;
    irq_depth = 0;
    irq_saves = 0;
    assert_int_equal(gpio_init(GPIO_BASE), 0);
    assert_int_equal(intc_init(INTC_BASE, 0), 0);
    assert_int_equal(pi_input_init(pi_model_lookup(revision)->header, emulated), 0);
}

static int setup(void **state)
{
    (void)state;
    setup_model(REV_PI2, false);
    return 0;
}

static struct board_input_change next(unsigned gpio)
{
    struct board_input_change c = { 0, -1 };
    assert_true(board_input_next_change(gpio, &c));
    return c;
}

/* The oldest change of gpio is to level at time at. */
static void expect_change(unsigned gpio, int level, uint64_t at)
{
    struct board_input_change c = next(gpio);
    assert_int_equal(c.level, level);
    assert_int_equal(c.at_us, at);
}

/* ---- tests ---- */

/* Input function, the pull through GPPUD/GPPUDCLK, both edge detectors, a stale event cleared, IRQ 49 enabled. */
static void test_watch_sets_up_the_pin(void **state)
{
    (void)state;
    fake_mmio_set(GPFSEL(1), 0x3FFFFFFFu); /* GPIO 10-19 all ALT3 */
    fake_mmio_set(GPREN0, 0x1u);
    events = 1u << 17; /* left over from before */
    pin_levels = 1u << 17;
    assert_int_equal(board_input_watch(17, BOARD_PULL_UP), 0);

    assert_int_equal(fake_mmio_get(GPFSEL(1)), 0x3FFFFFFFu & ~(7u << 21));
    long pud = fake_mmio_find_write(GPPUD, 0);
    long clk = fake_mmio_find_write(GPPUDCLK0, 0);
    assert_true(pud >= 0 && clk > pud);
    assert_int_equal(fake_mmio_log_at((size_t)pud)->value & 3u, GPIO_PULL_UP);
    assert_int_equal(fake_mmio_log_at((size_t)clk)->value, 1u << 17);
    assert_int_equal(fake_mmio_get(GPREN0), 0x1u | (1u << 17));
    assert_int_equal(fake_mmio_get(GPFEN0), 1u << 17);
    assert_int_equal(events, 0);
    assert_true(fake_mmio_find_write(INTC_ENABLE2, 0) >= 0);
    assert_int_equal(fake_mmio_get(INTC_ENABLE2), GPIO_INT0_BIT);
    /* The stale event is gone and the baseline is the pin's level: nothing recorded. */
    struct board_input_change c;
    assert_false(board_input_next_change(17, &c));
    assert_int_equal(board_input_level(17), 1);
    assert_int_equal(board_input_merged(17), 0);

    assert_int_equal(board_input_watch(18, BOARD_PULL_DOWN), 0);
    long last_pud = -1;
    for (long i = 0; (i = fake_mmio_find_write(GPPUD, (size_t)(i + 1))) >= 0;) {
        if (fake_mmio_log_at((size_t)i)->value != 0) {
            last_pud = i;
        }
    }
    assert_true(last_pud > clk);
    assert_int_equal(fake_mmio_log_at((size_t)last_pud)->value & 3u, GPIO_PULL_DOWN);
    assert_int_equal(board_input_watch(17, (enum board_pull)7), BOARD_ERR_INPUT_PIN);
}

/* Each edge is latched, taken by the interrupt handler, cleared, and timestamped when the IRQ came. */
static void test_irq_latches_both_edges_with_their_time(void **state)
{
    (void)state;
    pin_levels = 1u << 22; /* idle high: a switch to ground with pull=up */
    assert_int_equal(board_input_watch(22, BOARD_PULL_UP), 0);

    drive(22, 0);
    assert_int_equal(events, 1u << 22);
    unsigned work = irq_work_calls;
    take_irq(1000);
    assert_int_equal(events, 0);
    /* The edge is work for the main loop: the idle's next sleep must not wait for another interrupt. */
    assert_int_equal(irq_work_calls, work + 1);
    drive(22, 1);
    take_irq(2500);

    unsigned saves = irq_saves;
    expect_change(22, 0, 1000);
    assert_int_equal(irq_saves, saves + 1); /* taking masks the interrupt */
    expect_change(22, 1, 2500);
    struct board_input_change c;
    assert_false(board_input_next_change(22, &c));
    assert_int_equal(irq_depth, 0);
}

/* A pulse that is over before the handler reads the level still gives both of its changes, in order. */
static void test_pulse_shorter_than_the_irq_latency(void **state)
{
    (void)state;
    assert_int_equal(board_input_watch(4, BOARD_PULL_DOWN), 0);
    drive(4, 1);
    drive(4, 0);
    take_irq(700);
    expect_change(4, 1, 700);
    expect_change(4, 0, 700);
    struct board_input_change c;
    assert_false(board_input_next_change(4, &c));
}

/* Several pins at once; pins nobody watches are cleared but not recorded. */
static void test_irq_serves_every_watched_pin(void **state)
{
    (void)state;
    assert_int_equal(board_input_watch(5, BOARD_PULL_DOWN), 0);
    assert_int_equal(board_input_watch(27, BOARD_PULL_DOWN), 0);
    fake_mmio_set(GPREN0, fake_mmio_get(GPREN0) | (1u << 9)); /* someone else's detector on GPIO 9 */
    drive(5, 1);
    drive(27, 1);
    drive(9, 1);
    take_irq(50);
    assert_int_equal(events, 0);
    assert_int_equal(next(5).level, 1);
    assert_int_equal(next(27).level, 1);
    struct board_input_change c;
    assert_false(board_input_next_change(9, &c));
}

/* A storm of edges with no pass of the main loop in between: the first changes and the last level and time are
 * kept, and what did not fit is counted. An even and an odd storm, so that the last edge is both appended and
 * merged. */
static void storm_of(unsigned storm)
{
    setup_model(REV_PI2, false);
    assert_int_equal(board_input_watch(17, BOARD_PULL_DOWN), 0);
    const uint64_t t0 = fake_systimer_peek();
    for (unsigned i = 1; i <= storm; i++) {
        drive(17, (int)(i % 2));
        take_irq(t0 + 10u * i);
    }
    unsigned taken = 0;
    int last = 0;
    uint64_t last_at = 0;
    struct board_input_change c;
    while (board_input_next_change(17, &c)) {
        assert_int_not_equal(c.level, last); /* levels alternate */
        assert_true(c.at_us > last_at);
        if (taken < BOARD_INPUT_CHANGES_MAX - 2) {
            assert_int_equal(c.at_us, t0 + 10u * (taken + 1)); /* the start of the storm, exactly */
        }
        last = c.level;
        last_at = c.at_us;
        taken++;
    }
    assert_int_equal(last, (int)(storm % 2));
    assert_int_equal(last_at, t0 + 10u * storm);
    assert_true(taken <= BOARD_INPUT_CHANGES_MAX);
    assert_int_equal(taken + board_input_merged(17), storm);
    assert_int_equal(board_input_merged(17) % 2, 0);
    /* After the storm, the record works as before. */
    drive(17, !last);
    take_irq(t0 + 20000);
    expect_change(17, !last, t0 + 20000);
}

static void test_storm_of_1000_edges(void **state)
{
    (void)state;
    storm_of(1000);
    storm_of(1001);
}

/* Which pins each model accepts, and their header pins. */
static void test_legal_pins_per_model(void **state)
{
    (void)state;
    static const struct {
        uint32_t revision;
        unsigned gpio;
        bool legal;
        unsigned header_pin;
    } cases[] = {
        { REV_PI2, 0, true, 27 },     { REV_PI2, 4, true, 7 },      { REV_PI2, 17, true, 11 },
        { REV_PI2, 21, true, 40 },    { REV_PI2, 27, true, 13 },    { REV_PI2, 14, false, 8 },
        { REV_PI2, 15, false, 10 },   { REV_PI2, 28, false, 0 },    { REV_PI2, 47, false, 0 },
        { REV_PI2, 54, false, 0 },    { REV_B_REV2, 2, true, 3 },   { REV_B_REV2, 27, true, 13 },
        { REV_B_REV2, 0, false, 0 },  { REV_B_REV2, 5, false, 0 },  { REV_B_REV2, 21, false, 0 },
        { REV_B_REV1, 0, true, 3 },   { REV_B_REV1, 21, true, 13 }, { REV_B_REV1, 2, false, 0 },
        { REV_B_REV1, 27, false, 0 }, { REV_B_REV1, 14, false, 8 }, { REV_CM3, 5, true, 0 },
        { REV_CM3, 27, true, 0 },     { REV_CM3, 28, false, 0 },    { REV_CM3, 15, false, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup_model(cases[i].revision, false);
        unsigned gpio = cases[i].gpio;
        const char *why = board_input_check(gpio);
        if ((why == NULL) != cases[i].legal || board_input_header_pin(gpio) != cases[i].header_pin) {
            fail_msg("revision 0x%x GPIO %u: %s, header pin %u", (unsigned)cases[i].revision, gpio, why ? why : "legal",
                     board_input_header_pin(gpio));
        }
        if (!cases[i].legal) {
            /* Refused pins are not touched. */
            size_t before = fake_mmio_log_count();
            assert_int_equal(board_input_watch(gpio, BOARD_PULL_UP), BOARD_ERR_INPUT_PIN);
            assert_int_equal(board_input_level(gpio), BOARD_ERR_INPUT_PIN);
            struct board_input_change c;
            assert_false(board_input_next_change(gpio, &c));
            assert_int_equal(fake_mmio_log_count(), before);
        }
    }
}

/* Real hardware: simulation is refused and levels are the pins'. */
static void test_simulate_refused_on_hardware(void **state)
{
    (void)state;
    assert_int_equal(board_input_watch(17, BOARD_PULL_UP), 0);
    assert_int_equal(board_input_simulate(17, 0), BOARD_ERR_NOT_SIMULATED);
    assert_int_equal(board_input_simulate(14, 0), BOARD_ERR_INPUT_PIN);
    struct board_input_change c;
    assert_false(board_input_next_change(17, &c));
    pin_levels = 1u << 23;
    assert_int_equal(board_input_level(23), 1);
    assert_int_equal(board_input_level(17), 0);
}

/* Under QEMU the registers are set up as on hardware (GPEDS stays 0 there), and levels come from the simulation:
 * the pull's resting level first, then what `pin` sets, each change recorded with the time it was made. */
static void test_simulated_under_qemu(void **state)
{
    (void)state;
    setup_model(REV_PI2, true);
    assert_int_equal(board_input_watch(17, BOARD_PULL_UP), 0);
    assert_int_equal(fake_mmio_get(GPFEN0), 1u << 17);
    assert_int_equal(board_input_level(17), 1); /* GPLEV reads 0 under QEMU, the pull-up says 1 */
    const uint64_t t0 = fake_systimer_peek();
    systimer_delay_us(300);
    assert_int_equal(board_input_simulate(17, 0), 0);
    assert_int_equal(board_input_level(17), 0);
    assert_int_equal(board_input_simulate(17, 0), 0); /* no change, nothing recorded */
    systimer_delay_us(100);
    assert_int_equal(board_input_simulate(17, 5), 0); /* any non-zero is high */
    expect_change(17, 0, t0 + 300);
    expect_change(17, 1, t0 + 400);
    struct board_input_change c;
    assert_false(board_input_next_change(17, &c));
    assert_int_equal(board_input_simulate(14, 0), BOARD_ERR_INPUT_PIN);
    /* A pin nobody watches keeps its simulated level for `pin N`, and records nothing. */
    assert_int_equal(board_input_simulate(4, 1), 0);
    assert_int_equal(board_input_level(4), 1);
    assert_false(board_input_next_change(4, &c));
    assert_int_equal(irq_depth, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_watch_sets_up_the_pin, setup),
        cmocka_unit_test_setup(test_irq_latches_both_edges_with_their_time, setup),
        cmocka_unit_test_setup(test_pulse_shorter_than_the_irq_latency, setup),
        cmocka_unit_test_setup(test_irq_serves_every_watched_pin, setup),
        cmocka_unit_test(test_storm_of_1000_edges),
        cmocka_unit_test(test_legal_pins_per_model),
        cmocka_unit_test_setup(test_simulate_refused_on_hardware, setup),
        cmocka_unit_test(test_simulated_under_qemu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
