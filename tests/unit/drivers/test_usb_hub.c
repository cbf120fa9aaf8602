/* Unit tests for drivers/usb/usb_hub: a hub model (tests/unit/fakes/fake_usb_hub) on the root port of the
 * register-level DWC2 model, with devices (tests/unit/fakes/fake_usb_dev) on its ports. The hub descriptor and the
 * limits on ports and hubs, port power and the power-good wait, the attach debounce, port reset and recovery,
 * devices at each speed (split transactions through a high-speed hub's transaction translator), ports that do
 * not enable or never finish their reset, devices that come and go later (status change endpoint, or port polls
 * on a hub without one), over-current, a stalled status endpoint, and removing the hub. After the bring-up the
 * attach debounce and the over-current cool-down are due times, never waits inside a poll: the wake-up asked
 * through lib/wake.h is that time, and the pass at it re-reads the port (a bounce, a disconnect, an over-current
 * that is back).
 *
 * The tests speak to the hub driver only through usb_core's public functions, as the board does; the controller
 * is brought up in enumerate_hub(). Built -no-pie like test_usb_dwc2 (the DMA buffers need 32-bit addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/systimer.h"
#include "drivers/usb/dwc2.h"
#include "drivers/usb/usb_core.h"
#include "drivers/usb/usb_hub.h"
#include "fake_dma.h"
#include "fake_dwc2.h"
#include "fake_mmio.h"
#include "fake_systimer.h"
#include "fake_usb_dev.h"
#include "fake_usb_hub.h"
#include "fake_usb_widget.h"
#include "lib/wake.h"

#define MS 1000u
/* USB 2.0 7.1.7.3 TATTDB, and Linux's least power-good wait for a hub that is not a root hub
 * (drivers/usb/core/hub.h hub_power_on_good_delay()). */
#define ATTACH_DEBOUNCE_US 100000u
#define PWR_GOOD_MIN_US    100000u
/* Linux's over-current cool-down (drivers/usb/core/hub.c port_event()). */
#define OVER_CURRENT_COOL_DOWN_US 100000u
/* Reset recovery as the driver does it (Circle's 20 ms, twice USB 2.0's TRSTRCY). */
#define RESET_RECOVERY_US 20000u
/* What the status change endpoint's bInterval 12 means at high speed: 2^11 microframes. */
#define STATUS_INTERVAL_US 256000u
#define RT_HUB_IN          (USB_RT_IN | USB_RT_CLASS | USB_RT_DEVICE)
#define RT_PORT_IN         (USB_RT_IN | USB_RT_CLASS | USB_RT_OTHER)
#define RT_PORT_OUT        (USB_RT_CLASS | USB_RT_OTHER)
#define RT_ENDPOINT_OUT    (USB_RT_STANDARD | USB_RT_ENDPOINT)
#define CHILDREN           3u

static struct fake_dwc2 m;
static struct fake_usb_hub hub;
static struct fake_usb_dev child[CHILDREN];
static struct usb_device *hub_dev;
static const struct usb_driver *const drivers[] = { &usb_hub_driver, &fake_usb_widget_driver };

static int setup(void **state)
{
    (void)state;
    fake_usb_dev_bus_init(&m, 10);
    fake_usb_widget_reset();
    usb_core_init(&dwc2_hc_ops, drivers, sizeof drivers / sizeof drivers[0]);
    fake_usb_hub_init(&hub, 4, true, 1, true);
    fake_usb_hub_attach(&m, &hub, 0);
    for (unsigned i = 0; i < CHILDREN; i++) {
        fake_usb_dev_init(&child[i], fake_usb_widget_device);
        fake_usb_dev_add_config(&child[i], fake_usb_widget_config, sizeof fake_usb_widget_config);
        fake_usb_dev_add(&m, &child[i]);
    }
    hub_dev = NULL;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct usb_device *d;
    for (size_t i = 0; (d = usb_core_device_at(i)) != NULL; i++) {
        usb_core_remove(d);
    }
    const char *fault = fake_dwc2_fault(&m);
    if (fault != NULL) {
        fail_msg("%s", fault);
    }
    return 0;
}

/* Brings the controller up, resets the root port and enumerates the hub there (its probe runs inside). */
static void enumerate_hub(void)
{
    uint8_t speed;
    assert_int_equal(fake_usb_dev_reset_root(&m, &speed), 0);
    assert_int_equal(usb_core_enumerate(NULL, 0, speed, &hub_dev), 0);
    assert_non_null(hub_dev);
}

/* The device the core enumerated behind the hub's port, NULL if none is present there. */
static struct usb_device *device_on_port(uint8_t port)
{
    struct usb_device *d;
    for (size_t i = 0; (d = usb_core_device_at(i)) != NULL; i++) {
        if (d->present && d->parent == hub_dev && d->port == port) {
            return d;
        }
    }
    return NULL;
}

/* One main loop pass: the hub model's time, the core's poll, a millisecond as the board's idle takes. */
static void pass(void)
{
    fake_usb_hub_tick(&hub);
    usb_core_poll();
    systimer_delay_us(MS);
}

/* Passes until a device is present on port (want true) or gone (want false), or for at most limit_us. Returns
 * the fake time it took. */
static uint64_t run_until(uint8_t port, bool want, uint64_t limit_us)
{
    uint64_t start = fake_systimer_peek();
    while ((device_on_port(port) != NULL) != want && fake_systimer_peek() - start < limit_us) {
        pass();
    }
    return fake_systimer_peek() - start;
}

/* ---- bring-up ---- */

/* The probe reads the hub descriptor, powers every port, waits for power to be good (at least 100 ms whatever the
 * hub claims), debounces the connections once, then resets each connected port and enumerates what is there after
 * the reset recovery. Ports with nothing on them are left alone. */
static void test_probe_powers_debounces_resets_and_enumerates(void **state)
{
    static const struct {
        uint8_t pwr_on_2ms;
        uint64_t want_us;
    } cases[] = {
        { 1, PWR_GOOD_MIN_US }, /* the hub claims 2 ms: Linux's 100 ms */
        { 150, 300000u },       /* 300 ms */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        hub.hub_desc[5] = cases[i].pwr_on_2ms;
        fake_usb_hub_plug(&hub, 2, child[0].index, FAKE_USB_HUB_HIGH);
        fake_usb_hub_plug(&hub, 4, child[1].index, FAKE_USB_HUB_HIGH);
        enumerate_hub();
        assert_ptr_equal(hub_dev->driver, &usb_hub_driver);
        assert_int_equal(fake_usb_dev_count(&hub.dev, RT_HUB_IN, USB_REQ_GET_DESCRIPTOR), 1);
        assert_int_equal(fake_usb_dev_find(&hub.dev, RT_HUB_IN, USB_REQ_GET_DESCRIPTOR, 0)->setup[3], USB_DT_HUB);
        for (uint8_t p = 1; p <= 4; p++) {
            assert_int_equal(hub.port[p].powers, 1);
        }
        assert_true(hub.first_status_us - hub.port[4].powered_at_us >= cases[i].want_us);
        assert_true(hub.first_status_us - hub.port[4].powered_at_us < cases[i].want_us + 10 * MS);
        assert_int_equal(hub.port[1].resets + hub.port[3].resets, 0);
        static const uint8_t ports[] = { 2, 4 };
        for (size_t k = 0; k < 2; k++) {
            const struct fake_usb_hub_port *p = &hub.port[ports[k]];
            assert_int_equal(p->resets, 1);
            assert_true(p->reset_done_us - FAKE_USB_HUB_RESET_US - hub.first_status_us >= ATTACH_DEBOUNCE_US);
            assert_int_equal(p->cleared[FAKE_USB_HUB_FEAT_C_RESET], 1);
            assert_int_equal(p->change, 0);
            assert_true(child[k].requests > 0);
            assert_true(child[k].log[0].at_us - p->reset_done_us >= RESET_RECOVERY_US);
            struct usb_device *d = device_on_port(ports[k]);
            assert_non_null(d);
            assert_int_equal(d->depth, 1);
            assert_ptr_equal(d->driver, &fake_usb_widget_driver);
            assert_int_equal(fake_dwc2_device_addr(&m, child[k].index), d->addr);
            assert_int_not_equal(d->addr, hub_dev->addr);
        }
        assert_int_equal(fake_usb_widget.probes, 2);
        teardown(state);
    }
}

/* Each device gets its speed from the port status; full- and low-speed devices behind a high-speed hub are
 * reached with split transactions through the hub's transaction translator (hub address, port), high-speed
 * devices and everything behind a full-speed hub directly. */
static void test_speeds_and_split_transactions(void **state)
{
    static const struct {
        bool hub_high;
        enum fake_usb_hub_speed speed;
        const char *name;
        bool split, low;
    } cases[] = {
        { true, FAKE_USB_HUB_HIGH, "high", false, false }, { true, FAKE_USB_HUB_FULL, "full", true, false },
        { true, FAKE_USB_HUB_LOW, "low", true, true },     { false, FAKE_USB_HUB_FULL, "full", false, false },
        { false, FAKE_USB_HUB_LOW, "low", false, true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        fake_usb_hub_init(&hub, 4, cases[i].hub_high, 1, true);
        fake_usb_hub_attach(&m, &hub, 0);
        if (cases[i].low) {
            /* A low-speed device's endpoint 0 is 8 bytes (USB 2.0 5.5.3). */
            static uint8_t low_device[18];
            memcpy(low_device, fake_usb_widget_device, sizeof low_device);
            low_device[7] = 8;
            child[0].device = low_device;
        }
        fake_usb_hub_plug(&hub, 3, child[0].index, cases[i].speed);
        enumerate_hub();
        struct usb_device *d = device_on_port(3);
        assert_non_null(d);
        assert_string_equal(usb_speed_name(d->speed), cases[i].name);
        size_t seen = 0;
        for (size_t k = 0; k < m.log_count && k < FAKE_DWC2_LOG; k++) {
            const struct fake_dwc2_xact *x = &m.log[k];
            if (x->dev_addr != d->addr) {
                continue;
            }
            seen++;
            assert_int_equal(x->split, cases[i].split);
            assert_int_equal(x->low_speed, cases[i].low);
            if (x->split) {
                assert_int_equal(FAKE_DWC2_FIELD(x->hcsplt, DWC2_HCSPLT_HUBADDR), hub_dev->addr);
                assert_int_equal(FAKE_DWC2_FIELD(x->hcsplt, DWC2_HCSPLT_PRTADDR), 3);
            }
        }
        assert_true(seen > 0);
        teardown(state);
    }
}

/* A full-speed hub behind the high-speed one passes the high-speed hub's transaction translator on: the device
 * behind it is reached with splits addressed to the high-speed hub and its port, as the full-speed hub is. */
static void test_translator_passed_on_by_a_full_speed_hub(void **state)
{
    (void)state;
    static struct fake_usb_hub inner;
    fake_usb_hub_init(&inner, 2, false, 1, true);
    unsigned inner_index = fake_usb_hub_add(&m, &inner);
    fake_usb_hub_plug(&hub, 2, inner_index, FAKE_USB_HUB_FULL);
    fake_usb_hub_plug(&inner, 1, child[0].index, FAKE_USB_HUB_FULL);
    enumerate_hub();
    struct usb_device *inner_dev = device_on_port(2);
    assert_non_null(inner_dev);
    assert_ptr_equal(inner_dev->driver, &usb_hub_driver);
    struct usb_device *d = NULL, *it;
    for (size_t i = 0; (it = usb_core_device_at(i)) != NULL; i++) {
        if (it->present && it->parent == inner_dev) {
            d = it;
        }
    }
    assert_non_null(d);
    assert_int_equal(d->depth, 2);
    assert_ptr_equal(d->driver, &fake_usb_widget_driver);
    size_t seen = 0;
    for (size_t k = 0; k < m.log_count && k < FAKE_DWC2_LOG; k++) {
        const struct fake_dwc2_xact *x = &m.log[k];
        if (x->dev_addr != d->addr && x->dev_addr != inner_dev->addr) {
            continue;
        }
        seen++;
        assert_true(x->split);
        assert_int_equal(FAKE_DWC2_FIELD(x->hcsplt, DWC2_HCSPLT_HUBADDR), hub_dev->addr);
        assert_int_equal(FAKE_DWC2_FIELD(x->hcsplt, DWC2_HCSPLT_PRTADDR), 2);
    }
    assert_true(seen > 0);
}

/* A port whose reset does not enable it, or whose reset never ends (bounded: the driver gives up within about
 * half a second), costs that port's device only: the hub and the other ports come up. */
static void test_ports_that_fail_their_reset(void **state)
{
    static const struct {
        bool never_enables, hangs;
    } cases[] = { { true, false }, { false, true } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        fake_usb_hub_plug(&hub, 1, child[0].index, FAKE_USB_HUB_HIGH);
        fake_usb_hub_plug(&hub, 2, child[1].index, FAKE_USB_HUB_HIGH);
        hub.port[1].never_enables = cases[i].never_enables;
        hub.port[1].reset_hangs = cases[i].hangs;
        enumerate_hub();
        assert_int_equal(hub.port[1].resets, 1);
        /* Nothing was sent towards the port: no request reached the device, no transaction went unanswered. */
        assert_int_equal(child[0].requests, 0);
        assert_int_equal(fake_dwc2_count(&m, 0, FAKE_DWC2_XACTERR), 0);
        assert_null(device_on_port(1));
        assert_non_null(device_on_port(2));
        assert_ptr_equal(hub_dev->driver, &usb_hub_driver);
        assert_true(fake_systimer_peek() < 2000 * MS);
        teardown(state);
    }
}

/* The hub descriptor decides the ports served (at most USB_HUB_MAX_PORTS); a hub whose descriptor is refused or
 * malformed is not bound, and its ports are never powered. */
static void test_hub_descriptor(void **state)
{
    (void)state;
    hub.hub_desc[2] = 20; /* bNbrPorts: more than the driver serves; the model answers ports 1-4 */
    enumerate_hub();
    assert_ptr_equal(hub_dev->driver, &usb_hub_driver);
    assert_int_equal(fake_usb_dev_count(&hub.dev, RT_PORT_OUT, USB_REQ_SET_FEATURE), USB_HUB_MAX_PORTS);
    teardown(state);

    static const struct {
        uint8_t len, type;
        int want;
    } cases[] = {
        { 9, 0x28, -USB_EDESC },       /* not a hub descriptor */
        { 5, USB_DT_HUB, -USB_EDESC }, /* ends before bPwrOn2PwrGood */
        { 0, 0, -USB_ESTALL },         /* refused */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        if (cases[i].len == 0) {
            hub.dev.handler = NULL; /* the hub answers no class request at all */
        } else {
            hub.hub_desc[0] = cases[i].len;
            hub.hub_desc[1] = cases[i].type;
        }
        enumerate_hub();
        assert_null(hub_dev->driver);
        assert_int_equal(hub_dev->driver_err, cases[i].want);
        assert_int_equal(fake_usb_dev_count(&hub.dev, RT_PORT_OUT, USB_REQ_SET_FEATURE), 0);
        teardown(state);
    }
}

/* USB_HUB_MAX hubs at once; the next one is not bound. A removed hub gives its place back. */
static void test_hub_limit_and_removal(void **state)
{
    (void)state;
    struct usb_device *hubs[USB_HUB_MAX + 1];
    for (size_t i = 0; i <= USB_HUB_MAX; i++) {
        enumerate_hub();
        hubs[i] = hub_dev;
    }
    for (size_t i = 0; i < USB_HUB_MAX; i++) {
        assert_ptr_equal(hubs[i]->driver, &usb_hub_driver);
    }
    assert_null(hubs[USB_HUB_MAX]->driver);
    assert_int_equal(hubs[USB_HUB_MAX]->driver_err, -USB_EFULL);

    usb_core_remove(hubs[1]);
    usb_core_remove(hubs[USB_HUB_MAX]);
    enumerate_hub();
    assert_ptr_equal(hub_dev->driver, &usb_hub_driver);
}

/* ---- after the bring-up ---- */

/* A device plugged in later is reported on the status change endpoint, debounced, reset and enumerated; unplugged,
 * it is removed (its driver told), and plugged again it is enumerated again. Each change is acknowledged. */
static void test_device_that_comes_and_goes(void **state)
{
    (void)state;
    enumerate_hub();
    size_t quiet = hub.dev.requests;
    for (int i = 0; i < 1000; i++) {
        pass();
    }
    /* A second of nothing: the status endpoint is polled, no port is asked. */
    assert_int_equal(hub.dev.requests, quiet);

    fake_usb_hub_plug(&hub, 3, child[0].index, FAKE_USB_HUB_HIGH);
    uint64_t took = run_until(3, true, 2000 * MS);
    assert_non_null(device_on_port(3));
    assert_true(took >= ATTACH_DEBOUNCE_US + RESET_RECOVERY_US);
    assert_true(took < STATUS_INTERVAL_US + ATTACH_DEBOUNCE_US + RESET_RECOVERY_US + 50 * MS);
    assert_true(hub.announcements >= 1);
    assert_int_equal(hub.port[3].cleared[FAKE_USB_HUB_FEAT_C_CONNECTION], 1);
    assert_int_equal(hub.port[3].change, 0);
    struct usb_device *first = device_on_port(3);

    fake_usb_hub_unplug(&hub, 3);
    run_until(3, false, 1000 * MS);
    assert_null(device_on_port(3));
    assert_false(first->present);
    assert_int_equal(fake_usb_widget.removes, 1);
    assert_ptr_equal(fake_usb_widget.removed[0], first);
    assert_int_equal(hub.port[3].cleared[FAKE_USB_HUB_FEAT_C_CONNECTION], 2);

    fake_usb_hub_plug(&hub, 3, child[0].index, FAKE_USB_HUB_HIGH);
    run_until(3, true, 1000 * MS);
    assert_non_null(device_on_port(3));
    assert_int_equal(hub.port[3].resets, 2);
    assert_int_equal(fake_usb_widget.probes, 2);
    assert_int_not_equal(device_on_port(3)->addr, 0);
}

/* A hub without a status change endpoint has its ports asked at the driver's poll interval instead: not every
 * pass, and a device is still found. */
static void test_hub_without_status_endpoint_polls_its_ports(void **state)
{
    (void)state;
    fake_usb_hub_init(&hub, 2, true, 1, false);
    fake_usb_hub_attach(&m, &hub, 0);
    enumerate_hub();
    size_t before = fake_usb_dev_count(&hub.dev, RT_PORT_IN, USB_REQ_GET_STATUS);
    for (int i = 0; i < 100; i++) {
        pass();
    }
    size_t asked = fake_usb_dev_count(&hub.dev, RT_PORT_IN, USB_REQ_GET_STATUS) - before;
    /* 100 ms at one round of 2 ports every 8 ms at most. */
    assert_true(asked >= 2 * 10 && asked <= 2 * 14);

    fake_usb_hub_plug(&hub, 2, child[0].index, FAKE_USB_HUB_HIGH);
    assert_true(run_until(2, true, 1000 * MS) < 8 * MS + ATTACH_DEBOUNCE_US + RESET_RECOVERY_US + 50 * MS);
    assert_ptr_equal(device_on_port(2)->driver, &fake_usb_widget_driver);
}

/* Over-current on a port: the hub cuts its power, the driver acknowledges the change and removes the device; the
 * port stays off while the over-current lasts, and once it is over the driver powers the port again (after a
 * 100 ms cool-down, as Linux does) and the device is enumerated again. */
static void test_over_current_removes_the_device_until_it_is_over(void **state)
{
    (void)state;
    fake_usb_hub_plug(&hub, 2, child[0].index, FAKE_USB_HUB_HIGH);
    fake_usb_hub_plug(&hub, 4, child[1].index, FAKE_USB_HUB_HIGH);
    enumerate_hub();
    struct usb_device *d = device_on_port(2);
    assert_non_null(d);
    fake_usb_hub_set_overcurrent(&hub, 2, true);
    run_until(2, false, 1000 * MS);
    assert_null(device_on_port(2));
    assert_false(d->present);
    assert_int_equal(fake_usb_widget.removes, 1);
    assert_int_equal(hub.port[2].cleared[FAKE_USB_HUB_FEAT_C_OVER_CURRENT], 1);
    assert_int_equal(hub.port[2].change, 0);
    assert_non_null(device_on_port(4));
    run_until(2, true, 1000 * MS);
    assert_null(device_on_port(2));
    assert_int_equal(hub.port[2].powers, 1);

    fake_usb_hub_set_overcurrent(&hub, 2, false);
    uint64_t over = fake_systimer_peek();
    assert_true(run_until(2, true, 2000 * MS) < 1000 * MS);
    assert_int_equal(hub.port[2].powers, 2);
    assert_true(hub.port[2].powered_at_us - over >= 100 * MS);
    assert_int_equal(hub.port[2].cleared[FAKE_USB_HUB_FEAT_C_OVER_CURRENT], 2);
    assert_int_equal(fake_usb_widget.probes, 3);
}

/* The hub model's time and one usb_core_poll(), with nothing else: checks that the poll itself took less than the
 * debounce and the cool-down (it waits for neither), and returns when it started. */
static uint64_t poll_once(void)
{
    fake_usb_hub_tick(&hub);
    uint64_t start = fake_systimer_peek();
    usb_core_poll();
    assert_true(fake_systimer_peek() - start < ATTACH_DEBOUNCE_US);
    assert_true(fake_systimer_peek() - start < OVER_CURRENT_COOL_DOWN_US);
    return start;
}

/* Passes of a main loop that sleeps until what lib/wake.h was asked for, until the driver has acknowledged a port
 * change *acks times in all (want). Returns the wake-up time asked for in the pass that did, after checking that it
 * is wait_us after that pass (the due time it set while it ran); *done must not have moved in that pass. */
static uint64_t poll_until_acknowledged(const unsigned *acks, unsigned want, const unsigned *done, uint64_t wait_us)
{
    unsigned done_before = *done;
    wake_take();
    for (int i = 0; i < 100 && *acks < want; i++) {
        uint64_t start = poll_once();
        uint64_t at = wake_take();
        if (*acks == want) {
            assert_int_equal(*done, done_before);
            assert_true(at >= start + wait_us && at <= fake_systimer_peek() + wait_us);
            return at;
        }
        assert_true(at != WAKE_NEVER && at > fake_systimer_peek());
        systimer_delay_us((uint32_t)(at - fake_systimer_peek()));
    }
    fail_msg("the change was not acknowledged");
    return 0;
}

/* The work waiting for due time at (counted by *done) is done by the first pass at that time, not earlier: a pass
 * a microsecond before it leaves it and asks for the same time again. */
static void poll_at_due_time(uint64_t at, const unsigned *done)
{
    unsigned before = *done;
    fake_systimer_set_step(0);
    systimer_delay_us((uint32_t)(at - 1u - fake_systimer_peek()));
    poll_once();
    assert_int_equal(*done, before);
    assert_true(wake_take() == at);
    fake_systimer_set_step(1);
    systimer_delay_us(1);
    poll_once();
    assert_int_equal(*done, before + 1u);
}

/* A device plugged into port: passes until the driver has seen it; returns when its debounce is due. */
static uint64_t plug_until_seen(uint8_t port, unsigned dev)
{
    fake_usb_hub_plug(&hub, port, child[dev].index, FAKE_USB_HUB_HIGH);
    return poll_until_acknowledged(&hub.port[port].cleared[FAKE_USB_HUB_FEAT_C_CONNECTION], 1, &hub.port[port].resets,
                                   ATTACH_DEBOUNCE_US);
}

/* A device on port 2 cut off by an over-current that is then over: passes until the driver has seen the end;
 * returns when its cool-down is due. */
static uint64_t over_current_until_seen_over(void)
{
    fake_usb_hub_plug(&hub, 2, child[0].index, FAKE_USB_HUB_HIGH);
    enumerate_hub();
    fake_usb_hub_set_overcurrent(&hub, 2, true);
    run_until(2, false, 1000 * MS);
    assert_null(device_on_port(2));
    fake_usb_hub_set_overcurrent(&hub, 2, false);
    return poll_until_acknowledged(&hub.port[2].cleared[FAKE_USB_HUB_FEAT_C_OVER_CURRENT], 2, &hub.port[2].powers,
                                   OVER_CURRENT_COOL_DOWN_US);
}

/* The attach debounce waits in no pass: the pass that sees the connection only asks to be woken when it is over,
 * and the pass at that time re-reads the port, finds it still connected and resets it. */
static void test_attach_debounce_is_a_due_time_not_a_wait(void **state)
{
    (void)state;
    enumerate_hub();
    uint64_t at = plug_until_seen(3, 0);
    poll_at_due_time(at, &hub.port[3].resets);
    assert_true(hub.port[3].reset_done_us - FAKE_USB_HUB_RESET_US >= at);
    assert_non_null(device_on_port(3));
}

/* The port is read again when the debounce is over: a connection that bounced meanwhile starts the debounce over
 * (no reset before 100 ms of a stable connection), one that went is not reset at all. */
static void test_debounce_starts_over_on_a_bounce_and_ends_on_a_disconnect(void **state)
{
    (void)state;
    enumerate_hub();
    uint64_t at = plug_until_seen(3, 0);
    systimer_delay_us((uint32_t)(at - ATTACH_DEBOUNCE_US / 2u - fake_systimer_peek()));
    fake_usb_hub_unplug(&hub, 3);
    fake_usb_hub_plug(&hub, 3, child[0].index, FAKE_USB_HUB_HIGH);
    uint64_t bounced = fake_systimer_peek();
    run_until(3, true, 1000 * MS);
    assert_non_null(device_on_port(3));
    assert_int_equal(hub.port[3].resets, 1);
    assert_true(hub.port[3].reset_done_us - FAKE_USB_HUB_RESET_US >= bounced + ATTACH_DEBOUNCE_US);

    at = plug_until_seen(1, 1);
    systimer_delay_us((uint32_t)(at - ATTACH_DEBOUNCE_US / 2u - fake_systimer_peek()));
    fake_usb_hub_unplug(&hub, 1);
    run_until(1, true, 1000 * MS);
    assert_int_equal(hub.port[1].resets, 0);
    assert_null(device_on_port(1));
    assert_int_equal(hub.port[1].change, 0);
}

/* The over-current cool-down waits in no pass either: the pass that sees the over-current end asks to be woken
 * 100 ms later, and the pass at that time powers the port. */
static void test_over_current_cool_down_is_a_due_time_not_a_wait(void **state)
{
    (void)state;
    uint64_t at = over_current_until_seen_over();
    poll_at_due_time(at, &hub.port[2].powers);
    assert_true(hub.port[2].powered_at_us >= at);
    run_until(2, true, 1000 * MS);
    assert_non_null(device_on_port(2));
}

/* An over-current that is back by the end of the cool-down keeps the port off until it is over again. */
static void test_over_current_back_during_the_cool_down_keeps_the_port_off(void **state)
{
    (void)state;
    uint64_t at = over_current_until_seen_over();
    fake_usb_hub_set_overcurrent(&hub, 2, true);
    systimer_delay_us((uint32_t)(at - fake_systimer_peek()));
    run_until(2, true, 1000 * MS);
    assert_int_equal(hub.port[2].powers, 1);
    assert_null(device_on_port(2));
}

/* A status change endpoint that STALLs is cleared (CLEAR_FEATURE(ENDPOINT_HALT) on IN 1) and polled again. */
static void test_stalled_status_endpoint_is_cleared(void **state)
{
    (void)state;
    enumerate_hub();
    fake_dwc2_script(fake_dwc2_device_ep(&m, hub.dev.index, 1, true), FAKE_DWC2_STALL, 1);
    fake_usb_hub_plug(&hub, 1, child[0].index, FAKE_USB_HUB_HIGH);
    run_until(1, true, 2000 * MS);
    assert_non_null(device_on_port(1));
    assert_int_equal(fake_usb_dev_count(&hub.dev, RT_ENDPOINT_OUT, USB_REQ_CLEAR_FEATURE), 1);
    const struct fake_usb_dev_request *r = fake_usb_dev_find(&hub.dev, RT_ENDPOINT_OUT, USB_REQ_CLEAR_FEATURE, 0);
    assert_int_equal(r->setup[2], USB_FEATURE_ENDPOINT_HALT);
    assert_int_equal(r->setup[4], USB_EP_DIR_IN | 1u);
}

/* Removing the hub removes what is behind it, halts its status transfer in flight and stops its polls. */
static void test_removing_the_hub_removes_its_devices(void **state)
{
    (void)state;
    fake_usb_hub_plug(&hub, 1, child[0].index, FAKE_USB_HUB_HIGH);
    fake_usb_hub_plug(&hub, 2, child[1].index, FAKE_USB_HUB_FULL);
    enumerate_hub();
    struct usb_device *a = device_on_port(1), *b = device_on_port(2);
    assert_non_null(a);
    assert_non_null(b);
    /* A status transfer the hub never answers stays armed on its channel. */
    fake_dwc2_script(fake_dwc2_device_ep(&m, hub.dev.index, 1, true), FAKE_DWC2_SILENT, FAKE_DWC2_FOREVER);
    for (int i = 0; i < 300; i++) {
        pass();
    }
    unsigned armed = 0;
    for (unsigned ch = 0; ch < FAKE_DWC2_CHANNELS; ch++) {
        armed += m.ch[ch].enabled;
    }
    assert_int_equal(armed, 1);
    usb_core_remove(hub_dev);
    assert_false(hub_dev->present || a->present || b->present);
    assert_int_equal(fake_usb_widget.removes, 2);
    for (unsigned ch = 0; ch < FAKE_DWC2_CHANNELS; ch++) {
        assert_false(m.ch[ch].enabled);
    }
    size_t xacts = m.log_count;
    for (int i = 0; i < 1000; i++) {
        pass();
    }
    assert_int_equal(m.log_count, xacts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_probe_powers_debounces_resets_and_enumerates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_speeds_and_split_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translator_passed_on_by_a_full_speed_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ports_that_fail_their_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_descriptor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_limit_and_removal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_that_comes_and_goes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_without_status_endpoint_polls_its_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_over_current_removes_the_device_until_it_is_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attach_debounce_is_a_due_time_not_a_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debounce_starts_over_on_a_bounce_and_ends_on_a_disconnect, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_over_current_cool_down_is_a_due_time_not_a_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_over_current_back_during_the_cool_down_keeps_the_port_off, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stalled_status_endpoint_is_cleared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removing_the_hub_removes_its_devices, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
