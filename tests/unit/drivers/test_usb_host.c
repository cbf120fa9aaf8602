/* Unit tests for drivers/usb/usb_host: the whole USB stack (DWC2 driver, USB core, hub and SMSC LAN951x drivers) on
 * the register-level DWC2 model (tests/unit/fakes/fake_dwc2) with a LAN9512 on its root port, or behind the chip's own hub
 * (tests/unit/fakes/fake_usb_hub) as on the Pi, answering enumeration from its descriptors (tests/unit/fakes/fake_usb_dev) and
 * vendor requests from the scripted chip model (tests/unit/fakes/fake_mchp_chip). What the Pi must survive on its first
 * boot: a NIC whose first vendor request fails, a NIC that appears seconds after boot, a root port that drops and
 * comes back, an over-current, hub timings, and a bring-up slow enough to outlast the watchdog's timeout unless it
 * is fed through it. Built -no-pie like test_usb_dwc2 (the driver's DMA buffers need 32-bit addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/netdev.h"
#include "drivers/systimer.h"
#include "drivers/usb/smsc95xx.h"
#include "drivers/usb/usb_host.h"
#include "drivers/usb/usb_hub.h"
#include "fake_dma.h"
#include "fake_dwc2.h"
#include "fake_mchp_chip.h"
#include "fake_mmio.h"
#include "fake_systimer.h"
#include "fake_usb_dev.h"
#include "fake_usb_hub.h"
#include "lib/wake.h"
#include "usb_desc_vectors.h"

/* clang-format off */
#define BUS_ALIAS   0xC0000000u
/* LAN9512 registers the start sequence waits on (LAN9512 datasheet), and its MII registers. */
#define HW_CFG           0x014u
#define  HW_CFG_LRST     (1u << 3)
#define PM_CTRL          0x020u
#define  PM_CTRL_PHY_RST (1u << 4)
#define MAC_CR           0x100u
#define  MAC_CR_RXEN     (1u << 2)
#define ADDRH            0x104u
#define ADDRL            0x108u
#define MII_ADDR         0x114u
#define MII_DATA         0x118u
/* board/common/board_pi.c BOARD_WATCHDOG_MS. */
#define WATCHDOG_US      10000000u
#define S                1000000u
/* clang-format on */

/* The LAN9512's device descriptor: vendor class, ep0 64 bytes, 0424:ec00, one configuration, no strings. */
/* clang-format off */
static const uint8_t lan9512_device[18] = {
    18, 1, 0x00, 0x02, 0xff, 0x00, 0xff, 64, 0x24, 0x04, 0x00, 0xec, 0x00, 0x01, 0, 0, 0, 1,
};
/* clang-format on */
static const struct usb_driver *const drivers[] = { &usb_hub_driver, &smsc95xx_driver };
static const uint8_t board_mac[6] = { 0xb8, 0x27, 0xeb, 0x01, 0x02, 0x03 };

static struct fake_dwc2 m;
static struct fake_chip chip;
static struct fake_usb_dev nic;
static unsigned enumerations;         /* SET_ADDRESS requests the device saw */
static uint64_t nic_first_request_us; /* when the NIC was first asked anything */
static uint64_t last_keepalive_us, longest_gap_us;
static unsigned keepalives;

/* The NIC's requests: standard ones from its descriptors (fake_usb_dev), the rest from the chip model. */
static int lan9512_handler(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    if (nic_first_request_us == 0) {
        nic_first_request_us = fake_systimer_peek();
    }
    if ((setup[0] & (USB_RT_CLASS | USB_RT_VENDOR)) == USB_RT_STANDARD) {
        enumerations += setup[0] == USB_RT_STANDARD && setup[1] == USB_REQ_SET_ADDRESS;
        return FAKE_USB_DEV_PASS;
    }
    return fake_chip_model()->control(ctx, setup, data, len, actual);
}

/* The NIC, to be plugged into the root port or a hub's. */
static void nic_init(void)
{
    fake_usb_dev_init(&nic, lan9512_device);
    fake_usb_dev_add_config(&nic, vec_smsc_config, sizeof vec_smsc_config);
    nic.handler = lan9512_handler;
    nic.handler_ctx = &chip;
}

/* The board's watchdog feed: records the longest time between two feeds. */
static void keepalive(void)
{
    uint64_t now = fake_systimer_peek();
    if (now - last_keepalive_us > longest_gap_us) {
        longest_gap_us = now - last_keepalive_us;
    }
    last_keepalive_us = now;
    keepalives++;
}

static void host_init(void)
{
    const struct usb_host_config cfg = {
        .core_base = FAKE_DWC2_BASE,
        .bus_alias = BUS_ALIAS,
        .drivers = drivers,
        .driver_count = sizeof drivers / sizeof drivers[0],
        .power_on = NULL,
        .keepalive = keepalive,
    };
    usb_host_init(&cfg);
}

static int setup(void **state)
{
    (void)state;
    fake_usb_dev_bus_init(&m, 100); /* every read of the clock: 100 us, so second-long waits take thousands of reads */
    fake_chip_init(&chip, MII_ADDR, MII_DATA);
    chip.self_clear[HW_CFG / 4] = HW_CFG_LRST;
    chip.self_clear[PM_CTRL / 4] = PM_CTRL_PHY_RST;
    netdev_set_board_mac(board_mac);
    enumerations = 0;
    nic_first_request_us = 0;
    last_keepalive_us = longest_gap_us = 0;
    keepalives = 0;
    nic_init();
    host_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct usb_device *dev;
    for (size_t i = 0; (dev = usb_core_device_at(i)) != NULL; i++) {
        usb_core_remove(dev);
    }
    assert_null(netdev_at(0));
    const char *fault = fake_dwc2_fault(&m);
    if (fault != NULL) {
        fail_msg("%s", fault);
    }
    return 0;
}

static struct netdev *started_nic(void)
{
    struct netdev *nd = netdev_at(0);
    return nd != NULL && nd->started ? nd : NULL;
}

/* Runs the main loop's USB pass until the NIC is started or fake time reaches until_us; returns the NIC. Each pass
 * costs at least a millisecond of fake time, as board_idle_until() does on the Pi; tick (may be NULL) runs first, for a
 * model's own clock. */
static struct netdev *poll_until_started_ticking(uint64_t until_us, void (*tick)(void))
{
    while (started_nic() == NULL && fake_systimer_peek() < until_us) {
        if (tick != NULL) {
            tick();
        }
        usb_host_poll();
        systimer_delay_us(1000);
    }
    return started_nic();
}

static struct netdev *poll_until_started(uint64_t until_us)
{
    return poll_until_started_ticking(until_us, NULL);
}

static void test_boot_with_the_nic_present(void **state)
{
    (void)state;
    fake_usb_dev_attach(&m, &nic, 0);
    assert_int_equal(usb_host_start(), 0);
    struct netdev *nd = started_nic();
    assert_non_null(nd);
    assert_string_equal(nd->name, "smsc95xx");
    assert_memory_equal(nd->mac, board_mac, 6);
    assert_true(chip.regs[MAC_CR / 4] & MAC_CR_RXEN);
    assert_int_equal(usb_host_error(), 0);
    assert_int_equal(enumerations, 1);
    assert_int_not_equal(fake_dwc2_device_addr(&m, 0), 0);
    /* Nothing more to do: later passes touch neither the port nor the chip. */
    unsigned resets = m.port_resets;
    size_t writes = chip.log_count;
    for (int i = 0; i < 100; i++) {
        usb_host_poll();
    }
    assert_int_equal(m.port_resets, resets);
    assert_int_equal(chip.log_count, writes);
}

static void test_nic_whose_first_request_fails_is_started(void **state)
{
    (void)state;
    fake_usb_dev_attach(&m, &nic, 0);
    chip.fail_controls = 1;
    assert_int_equal(usb_host_start(), -USB_EIO);
    struct netdev *nd = netdev_at(0);
    assert_non_null(nd);
    assert_false(nd->started);
    /* Retried from the main loop after the first backoff, without enumerating the bus again. */
    uint64_t failed_at = fake_systimer_peek();
    nd = poll_until_started(failed_at + 2 * S);
    assert_non_null(nd);
    assert_true(fake_systimer_peek() - failed_at >= USB_HOST_RETRY_MIN_US);
    assert_true(chip.regs[MAC_CR / 4] & MAC_CR_RXEN);
    assert_int_equal(enumerations, 1);
}

/* Without a MAC from the firmware the driver reads the chip's own in its probe: a failure there is retried by
 * enumerating the device again. */
static void test_nic_whose_probe_fails_is_enumerated_again(void **state)
{
    (void)state;
    static const uint8_t no_mac[6];
    netdev_set_board_mac(no_mac);
    chip.regs[ADDRL / 4] = 0x44332211u;
    chip.regs[ADDRH / 4] = 0x6655u;
    fake_usb_dev_attach(&m, &nic, 0);
    chip.fail_controls = 1;
    assert_int_equal(usb_host_start(), -USB_EIO);
    assert_null(netdev_at(0));
    struct netdev *nd = poll_until_started(fake_systimer_peek() + 2 * S);
    assert_non_null(nd);
    static const uint8_t chip_mac[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
    assert_memory_equal(nd->mac, chip_mac, 6);
    assert_int_equal(enumerations, 2);
    assert_int_equal(usb_host_error(), 0);
}

static void test_nic_that_fails_for_long_backs_off(void **state)
{
    (void)state;
    fake_usb_dev_attach(&m, &nic, 0);
    chip.stall_control = true;
    assert_int_equal(usb_host_start(), -USB_EIO);
    size_t before = chip.log_count;
    unsigned polls = 0;
    /* 30 s of failures: attempts at 0.5, 1.5, 3.5, 7.5, 15.5, 23.5 s (the backoff doubles up to 8 s), not one per
     * pass. Each attempt stops at its first (refused) request. */
    uint64_t until = fake_systimer_peek() + 30 * S;
    unsigned attempts = 0;
    while (fake_systimer_peek() < until) {
        size_t keep = keepalives;
        usb_host_poll();
        attempts += keepalives != keep;
        systimer_delay_us(1000);
        polls++;
    }
    assert_true(polls > 20000u);
    assert_int_equal(attempts, 6);
    assert_int_equal(chip.log_count, before);
    /* And once the chip answers, the next attempt starts it. */
    chip.stall_control = false;
    assert_non_null(poll_until_started(fake_systimer_peek() + 9 * S));
}

static void test_nic_that_appears_3_s_after_boot_is_started(void **state)
{
    (void)state;
    fake_usb_dev_attach(&m, &nic, 3 * S);
    assert_int_equal(usb_host_start(), -USB_ENODEV);
    /* The boot waited its second for a device, no more. */
    assert_true(fake_systimer_peek() >= USB_HOST_CONNECT_TIMEOUT_US && fake_systimer_peek() < 2 * S);
    assert_null(netdev_at(0));
    assert_int_equal(usb_host_error(), -USB_ENODEV);
    struct netdev *nd = poll_until_started(10 * S);
    assert_non_null(nd);
    /* Found within the attach debounce and reset timing of its arrival. */
    assert_true(fake_systimer_peek() >= 3 * S && fake_systimer_peek() < 3 * S + S / 2);
    assert_int_equal(usb_host_error(), 0);
    assert_int_equal(enumerations, 1);
}

/* The same NIC found by a main loop that sleeps until what usb_host_poll() asks through lib/wake.h: the empty root
 * port is watched every USB_HOST_PORT_WATCH_US, never "at once" (an idle board with nothing plugged in would spin),
 * and the NIC is still found within the attach debounce of its arrival. */
static void test_empty_root_port_is_watched_on_a_schedule(void **state)
{
    (void)state;
    fake_usb_dev_attach(&m, &nic, 3 * S);
    assert_int_equal(usb_host_start(), -USB_ENODEV);
    wake_take();
    unsigned polls = 0;
    while (started_nic() == NULL && fake_systimer_peek() < 10 * S) {
        usb_host_poll();
        polls++;
        uint64_t at = wake_take();
        assert_true(at > fake_systimer_peek());
        assert_true(at <= fake_systimer_peek() + USB_HOST_PORT_WATCH_US);
        systimer_delay_us((uint32_t)(at - fake_systimer_peek()));
    }
    assert_non_null(started_nic());
    assert_true(fake_systimer_peek() < 3 * S + S / 2);
    assert_true(polls <= (3 * S + S / 2 - USB_HOST_CONNECT_TIMEOUT_US) / USB_HOST_PORT_WATCH_US + 1);
}

static void test_root_port_that_drops_and_returns_is_enumerated_again(void **state)
{
    (void)state;
    fake_usb_dev_attach(&m, &nic, 0);
    assert_int_equal(usb_host_start(), 0);
    struct netdev *nd = started_nic();
    assert_non_null(nd);

    /* Unplugged, back 2 s later. */
    fake_dwc2_replug(&m, fake_systimer_peek() + 2 * S);
    usb_host_poll();
    assert_null(netdev_at(0)); /* the NIC's driver was told it is gone */
    assert_false(nd->present);
    assert_int_equal(usb_host_error(), -USB_ENODEV);
    uint64_t back = fake_systimer_peek() + 2 * S;
    assert_non_null(poll_until_started(back + 2 * S));
    assert_true(fake_systimer_peek() >= back);
    assert_int_equal(enumerations, 2);
    assert_int_not_equal(fake_dwc2_device_addr(&m, 0), 0);
    assert_true(chip.regs[MAC_CR / 4] & MAC_CR_RXEN);

    /* Out and in again between two passes: the port was disabled all the same, and the next pass notices, resets
     * it, enumerates the device and starts the NIC. */
    fake_dwc2_replug(&m, fake_systimer_peek());
    usb_host_poll();
    assert_int_equal(enumerations, 3);
    assert_non_null(started_nic());

    /* Over-current: the port stays down while it lasts, then the device is enumerated again. */
    fake_dwc2_set_overcurrent(&m, true);
    usb_host_poll();
    assert_null(netdev_at(0));
    assert_null(poll_until_started(fake_systimer_peek() + 3 * S));
    fake_dwc2_set_overcurrent(&m, false);
    assert_non_null(poll_until_started(fake_systimer_peek() + 10 * S));
    assert_int_equal(enumerations, 4);
    assert_true(m.powered);
}

/* ---- the LAN951x's own hub, with the Ethernet function on port 1 (the Pi's topology; USB 2.0 chapter 11) ---- */

#define HUB_PORTS      3u
#define HUB_NIC_PORT   1u
#define HUB_PWR_ON_2MS 1u /* bPwrOn2PwrGood: 2 ms, less than the 100 ms Linux waits at least */

static struct fake_usb_hub hub;
static uint64_t nic_connect_at_us; /* the NIC is plugged into port 1 then */

/* The hub's side of the main loop: the NIC is plugged in at its time, and the hub reports what changed. */
static void hub_tick(void)
{
    if (hub.port[HUB_NIC_PORT].dev < 0 && fake_systimer_peek() >= nic_connect_at_us) {
        fake_usb_hub_plug(&hub, HUB_NIC_PORT, nic.index, FAKE_USB_HUB_HIGH);
    }
    fake_usb_hub_tick(&hub);
}

/* The hub (high speed, one TT) on the root port, the NIC behind its port 1 from connect_at_us. */
static void attach_hub_and_nic(uint64_t connect_at_us)
{
    fake_usb_hub_init(&hub, HUB_PORTS, true, HUB_PWR_ON_2MS, true);
    fake_usb_hub_attach(&m, &hub, 0);
    fake_usb_dev_add(&m, &nic);
    nic_connect_at_us = connect_at_us;
    hub_tick();
}

static void test_nic_behind_the_hub(void **state)
{
    (void)state;
    attach_hub_and_nic(0);
    assert_int_equal(usb_host_start(), 0);
    assert_non_null(started_nic());
    assert_int_equal(enumerations, 1);
    /* Port power good: at least 100 ms although the hub claims 2 ms (Linux hub_power_on_good_delay()). */
    assert_true(hub.first_status_us - hub.port[HUB_NIC_PORT].powered_at_us >= 100000u);
    /* Reset recovery before the NIC is spoken to: 20 ms (Circle), not the specification's bare 10. */
    assert_true(nic_first_request_us - hub.port[HUB_NIC_PORT].reset_done_us >= 20000u);
}

/* The Pi's NIC is on the hub; if it comes up late (or its first register write fails), the hub's status change
 * endpoint brings it in and the main loop starts it. */
static void test_nic_behind_the_hub_appearing_3_s_after_boot(void **state)
{
    (void)state;
    attach_hub_and_nic(3 * S);
    chip.fail_controls = 1;
    assert_int_equal(usb_host_start(), -USB_ENODRIVER); /* the hub is up, no network device yet */
    assert_null(netdev_at(0));
    assert_int_equal(usb_host_error(), 0);
    assert_non_null(poll_until_started_ticking(10 * S, hub_tick));
    assert_true(hub.announcements > 0);
    /* Within a status poll interval (256 ms), the debounce, and one retry of the start (0.5 s). */
    assert_true(fake_systimer_peek() >= 3 * S && fake_systimer_peek() < 3 * S + S);
    assert_int_equal(enumerations, 1);
}

/* The worst bring-up the watchdog has to sit through: a device that answers every request, but only after NAKing
 * it for 200 ms. Enumeration and the NIC's start then take far longer than the board's 10 s watchdog; the keepalive
 * (the board's watchdog feed) must never be more than one control transfer apart. */
static void test_watchdog_fed_through_a_worst_case_bring_up(void **state)
{
    (void)state;
    fake_usb_dev_attach(&m, &nic, 0);
    fake_dwc2_device_ep(&m, 0, 0, false)->slow_naks = 2000; /* 2000 polls of 100 us */
    assert_int_equal(usb_host_start(), 0);
    keepalive(); /* the main loop's feed, right after the bring-up */
    assert_non_null(started_nic());
    assert_true(fake_systimer_peek() > WATCHDOG_US + WATCHDOG_US / 2u);
    assert_true(longest_gap_us < USB_CONTROL_TIMEOUT_US + USB_HOST_CONNECT_TIMEOUT_US);
    assert_true(longest_gap_us < WATCHDOG_US / 5u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_with_the_nic_present, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nic_whose_first_request_fails_is_started, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nic_whose_probe_fails_is_enumerated_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nic_that_fails_for_long_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nic_that_appears_3_s_after_boot_is_started, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_root_port_is_watched_on_a_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_port_that_drops_and_returns_is_enumerated_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nic_behind_the_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nic_behind_the_hub_appearing_3_s_after_boot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watchdog_fed_through_a_worst_case_bring_up, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
