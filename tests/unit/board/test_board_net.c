/* Unit tests for board/common/board_net: the DWC2 core's interrupt becomes a wake-up of the idle only once the
 * controller is up. A start that failed before dwc2_init() (the USB power domain refused) or inside it (the core's
 * AHB never idle) leaves the core's interrupt state as the GPU firmware left it, and a raised line would end every
 * sleep at once; a controller that comes up on a later retry gets its wake-up in that pass.
 *
 * The real USB host stack on the register-level DWC2 model with nothing on the root port; the board hooks that
 * board_net.c calls (board_get_info, the mailbox's power switch, the watchdog feed, the wake-up switch) are
 * recorded here. board_net.c keeps its started state for the life of the program, so one test walks the whole
 * story. Built -no-pie like test_usb_dwc2 (the DMA buffers need 32-bit addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "board/board.h"
#include "board/common/board_pi.h"
#include "drivers/mbox.h"
#include "drivers/systimer.h"
#include "drivers/usb/usb_host.h"
#include "fake_dwc2.h"
#include "fake_systimer.h"
#include "fake_usb_dev.h"

#define MS 1000u
#define S  1000000u

static struct fake_dwc2 m;
static const struct board_info info = {
    .model = "Raspberry Pi 2 Model B",
    .soc = "BCM2836",
    .revision = 0xa21041,
    .mac = { 0xb8, 0x27, 0xeb, 0x00, 0x00, 0x01 },
    .boot_source = "none",
    .cmdline = "",
};
static bool power_refused;
static unsigned power_calls, wake_enables;
static bool up_when_enabled;

const struct board_info *board_get_info(void)
{
    return &info;
}

int mbox_set_power_state(uint32_t device_id, bool on)
{
    assert_int_equal(device_id, MBOX_POWER_USB);
    assert_true(on);
    power_calls++;
    return power_refused ? -MBOX_EPOWER : 0;
}

void board_pi_watchdog_feed(void)
{
}

void board_pi_usb_wake_enable(void)
{
    wake_enables++;
    up_when_enabled = usb_host_controller_up();
}

/* Main loop passes of a millisecond each, for for_us or until the USB power domain was asked for want times. */
static void passes(uint64_t for_us, unsigned want_power_calls)
{
    uint64_t until = fake_systimer_peek() + for_us;
    while (fake_systimer_peek() < until && power_calls < want_power_calls) {
        board_net_poll();
        systimer_delay_us(MS);
    }
}

static void test_usb_wake_enabled_only_once_the_controller_is_up(void **state)
{
    (void)state;
    fake_usb_dev_bus_init(&m, 10);

    /* Before dwc2_init(): the power domain is refused, at boot and on the retries. */
    power_refused = true;
    assert_int_equal(board_net_start(), BOARD_NET_ERR_CONTROLLER);
    assert_int_equal(power_calls, 1);
    assert_int_equal(m.soft_resets, 0);
    passes(2 * S, UINT32_MAX);
    assert_true(power_calls > 1);
    assert_false(usb_host_controller_up());
    assert_int_equal(wake_enables, 0);

    /* Inside dwc2_init(): the power comes, the core does not (its AHB never goes idle). */
    power_refused = false;
    m.ahb_busy = true;
    unsigned calls = power_calls;
    passes(10 * S, calls + 2u);
    assert_int_equal(power_calls, calls + 2u);
    assert_false(usb_host_controller_up());
    assert_int_equal(board_net_start(), BOARD_NET_ERR_CONTROLLER);
    assert_int_equal(wake_enables, 0);

    /* The next retry brings the controller up: the wake-up is enabled in that pass, once. */
    m.ahb_busy = false;
    calls = power_calls;
    passes(10 * S, calls + 1u);
    assert_int_equal(power_calls, calls + 1u);
    assert_true(usb_host_controller_up());
    assert_int_equal(wake_enables, 1);
    assert_true(up_when_enabled);
    assert_int_equal(board_net_start(), BOARD_NET_ERR_NO_DEVICE);
    passes(2 * S, UINT32_MAX);
    assert_int_equal(wake_enables, 1);
    const char *fault = fake_dwc2_fault(&m);
    if (fault != NULL) {
        fail_msg("%s", fault);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usb_wake_enabled_only_once_the_controller_is_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
