/* Unit tests for drivers/intc: register writes for init/enable/disable, routing on BCM2836, and dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/intc.h"
#include "fake_mmio.h"

#define BASE              0x3F00B200u
#define BASIC_PENDING     (BASE + 0x00u)
#define PENDING1          (BASE + 0x04u)
#define PENDING2          (BASE + 0x08u)
#define FIQ_CONTROL       (BASE + 0x0Cu)
#define ENABLE1           (BASE + 0x10u)
#define ENABLE2           (BASE + 0x14u)
#define ENABLE_BASIC      (BASE + 0x18u)
#define DISABLE1          (BASE + 0x1Cu)
#define DISABLE2          (BASE + 0x20u)
#define DISABLE_BASIC     (BASE + 0x24u)
#define LOCAL             0x40000000u
#define LOCAL_GPU_ROUTING (LOCAL + 0x0Cu)

/* Which handler ran with which argument, in order. */
#define MAX_CALLS 16
static int calls[MAX_CALLS];
static size_t n_calls;

static void record(void *arg)
{
    assert_true(n_calls < MAX_CALLS);
    calls[n_calls++] = *(const int *)arg;
}

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    n_calls = 0;
    assert_int_equal(intc_init(BASE, 0), 0);
    return 0;
}

static void test_init_masks_everything(void **state)
{
    (void)state;
    fake_mmio_reset();
    fake_mmio_set(LOCAL_GPU_ROUTING, 0xFu); /* whatever a loader may have left: GPU IRQ and FIQ to core 3 */
    assert_int_equal(intc_init(BASE, LOCAL), 0);
    assert_int_equal(fake_mmio_get(DISABLE1), 0xFFFFFFFFu);
    assert_int_equal(fake_mmio_get(DISABLE2), 0xFFFFFFFFu);
    assert_int_equal(fake_mmio_get(DISABLE_BASIC) & 0xFFu, 0xFFu);
    assert_int_equal(fake_mmio_get(FIQ_CONTROL), 0);
    assert_int_equal(fake_mmio_get(LOCAL_GPU_ROUTING) & 0xFu, 0); /* GPU IRQ and FIQ to core 0 */
    assert_int_equal(
        fake_mmio_count_writes(ENABLE1) + fake_mmio_count_writes(ENABLE2) + fake_mmio_count_writes(ENABLE_BASIC), 0);
}

static void test_init_bcm2835_leaves_local_alone(void **state)
{
    (void)state;
    fake_mmio_reset();
    assert_int_equal(intc_init(BASE, 0), 0);
    for (size_t i = 0; i < fake_mmio_log_count(); i++) {
        const struct fake_mmio_access *a = fake_mmio_log_at(i);
        assert_true(a->addr >= BASE && a->addr < BASE + 0x28u);
    }
    assert_int_equal(intc_init(0, 0), -INTC_EINVAL);
}

static void test_connect_errors(void **state)
{
    (void)state;
    int a = 1, b = 2;
    assert_int_equal(intc_connect(INTC_IRQ_COUNT, record, &a), -INTC_EINVAL);
    assert_int_equal(intc_connect(INTC_IRQ_UART, NULL, &a), -INTC_EINVAL);
    assert_int_equal(intc_connect(INTC_IRQ_UART, record, &a), 0);
    assert_int_equal(intc_connect(INTC_IRQ_UART, record, &a), 0);
    assert_int_equal(intc_connect(INTC_IRQ_UART, record, &b), -INTC_EBUSY);
    assert_string_not_equal(intc_strerror(-INTC_EBUSY), intc_strerror(-INTC_EINVAL));
}

static void test_enable_disable_registers(void **state)
{
    (void)state;
    static const struct {
        unsigned irq;
        uintptr_t enable, disable;
        uint32_t bit;
    } cases[] = {
        { INTC_IRQ_SYSTIMER1, ENABLE1, DISABLE1, 1u << 1 },
        { INTC_IRQ_USB, ENABLE1, DISABLE1, 1u << 9 },
        { INTC_IRQ_GPIO0, ENABLE2, DISABLE2, 1u << 17 },
        { INTC_IRQ_GPIO3, ENABLE2, DISABLE2, 1u << 20 },
        { INTC_IRQ_UART, ENABLE2, DISABLE2, 1u << 25 },
        { INTC_IRQ_ARM_TIMER, ENABLE_BASIC, DISABLE_BASIC, 1u << 0 },
        { INTC_IRQ_ARM_MAILBOX, ENABLE_BASIC, DISABLE_BASIC, 1u << 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        intc_enable(cases[i].irq);
        assert_int_equal(fake_mmio_log_count(), 1);
        assert_true(fake_mmio_log_at(0)->is_write);
        assert_int_equal(fake_mmio_log_at(0)->addr, cases[i].enable);
        assert_int_equal(fake_mmio_log_at(0)->value, cases[i].bit);
        intc_disable(cases[i].irq);
        assert_int_equal(fake_mmio_log_count(), 2);
        assert_int_equal(fake_mmio_log_at(1)->addr, cases[i].disable);
        assert_int_equal(fake_mmio_log_at(1)->value, cases[i].bit);
    }
    fake_mmio_reset();
    intc_enable(INTC_IRQ_COUNT);
    intc_disable(1000);
    assert_int_equal(fake_mmio_log_count(), 0);
}

static void test_dispatch_calls_pending_handlers(void **state)
{
    (void)state;
    static int arg_uart = INTC_IRQ_UART, arg_usb = INTC_IRQ_USB, arg_timer = INTC_IRQ_ARM_TIMER,
               arg_gpio = INTC_IRQ_GPIO0;
    assert_int_equal(intc_connect(INTC_IRQ_UART, record, &arg_uart), 0);
    assert_int_equal(intc_connect(INTC_IRQ_USB, record, &arg_usb), 0);
    assert_int_equal(intc_connect(INTC_IRQ_ARM_TIMER, record, &arg_timer), 0);
    assert_int_equal(intc_connect(INTC_IRQ_GPIO0, record, &arg_gpio), 0); /* connected, never enabled */
    intc_enable(INTC_IRQ_UART);
    intc_enable(INTC_IRQ_USB);
    intc_enable(INTC_IRQ_ARM_TIMER);

    /* As the hardware shows it: pending registers, plus the basic register's own bits (ARM timer = bit 0) and
     * its shortcut copies (bit 19 = GPU IRQ 57, bit 8/9 = "more in pending 1/2"). */
    fake_mmio_set(PENDING1, 1u << 9);
    fake_mmio_set(PENDING2, (1u << 25) | (1u << 17));
    fake_mmio_set(BASIC_PENDING, (1u << 0) | (1u << 8) | (1u << 9) | (1u << 19));
    size_t before = fake_mmio_log_count();
    intc_dispatch();

    assert_int_equal(n_calls, 3);
    int seen_uart = 0, seen_usb = 0, seen_timer = 0;
    for (size_t i = 0; i < n_calls; i++) {
        seen_uart += calls[i] == INTC_IRQ_UART;
        seen_usb += calls[i] == INTC_IRQ_USB;
        seen_timer += calls[i] == INTC_IRQ_ARM_TIMER;
    }
    assert_int_equal(seen_uart, 1);
    assert_int_equal(seen_usb, 1);
    assert_int_equal(seen_timer, 1);
    assert_int_equal(intc_unhandled_count(), 0);
    assert_int_equal(fake_mmio_find_write(DISABLE2, before), -1);

    /* Nothing pending: nothing called. */
    n_calls = 0;
    fake_mmio_set(PENDING1, 0);
    fake_mmio_set(PENDING2, 0);
    fake_mmio_set(BASIC_PENDING, 0);
    intc_dispatch();
    assert_int_equal(n_calls, 0);

    /* Disabled again: pending no longer reaches the handler. */
    intc_disable(INTC_IRQ_UART);
    fake_mmio_set(PENDING2, 1u << 25);
    intc_dispatch();
    assert_int_equal(n_calls, 0);
}

static void test_unhandled_irq_is_disabled(void **state)
{
    (void)state;
    intc_enable(INTC_IRQ_GPIO3); /* enabled without a handler */
    fake_mmio_set(PENDING2, 1u << 20);
    fake_mmio_set(BASIC_PENDING, 1u << 9);

    size_t before = fake_mmio_log_count();
    intc_dispatch();
    long w = fake_mmio_find_write(DISABLE2, before);
    assert_true(w >= 0);
    assert_int_equal(fake_mmio_log_at((size_t)w)->value, 1u << 20);
    assert_int_equal(intc_unhandled_count(), 1);
    assert_int_equal(intc_last_unhandled(), INTC_IRQ_GPIO3);

    /* The line stays pending in the fake; a storm would count it again. */
    for (int i = 0; i < 10; i++) {
        intc_dispatch();
    }
    assert_int_equal(intc_unhandled_count(), 1);
    assert_int_equal(fake_mmio_count_writes(DISABLE2), 2); /* init's mask-all, then this line once */

    /* Basic interrupts take the same path. */
    intc_enable(INTC_IRQ_ARM_MAILBOX);
    fake_mmio_set(BASIC_PENDING, 1u << 1);
    intc_dispatch();
    assert_int_equal(intc_unhandled_count(), 2);
    assert_int_equal(fake_mmio_get(DISABLE_BASIC), 1u << 1);
    assert_int_equal(intc_last_unhandled(), INTC_IRQ_ARM_MAILBOX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_masks_everything, setup),
        cmocka_unit_test_setup(test_init_bcm2835_leaves_local_alone, setup),
        cmocka_unit_test_setup(test_connect_errors, setup),
        cmocka_unit_test_setup(test_enable_disable_registers, setup),
        cmocka_unit_test_setup(test_dispatch_calls_pending_handlers, setup),
        cmocka_unit_test_setup(test_unhandled_irq_is_disabled, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
