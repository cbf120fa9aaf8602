/*
 * USB hub class driver. Requests and status bits: USB 2.0 sections 11.24.2 (class requests) and 11.24.2.7 (port
 * status). Timing: 11.23.2.1 (bPwrOn2PwrGood), 7.1.7.3 (attach debounce), 7.1.7.5 (reset and recovery).
 */
#include "drivers/usb/usb_hub.h"

#include <string.h>

#include "drivers/byteorder.h"
#include "drivers/systimer.h"
#include "lib/units.h"
#include "lib/wake.h"

#define HUB_RT_DEVICE_IN (USB_RT_IN | USB_RT_CLASS | USB_RT_DEVICE)
#define HUB_RT_PORT_IN   (USB_RT_IN | USB_RT_CLASS | USB_RT_OTHER)
#define HUB_RT_PORT_OUT  (USB_RT_CLASS | USB_RT_OTHER)

/* Port features (USB 2.0 table 11-17). */
#define PORT_FEAT_RESET          4u
#define PORT_FEAT_POWER          8u
#define PORT_FEAT_C_CONNECTION   16u
#define PORT_FEAT_C_ENABLE       17u
#define PORT_FEAT_C_SUSPEND      18u
#define PORT_FEAT_C_OVER_CURRENT 19u
#define PORT_FEAT_C_RESET        20u

/* wPortStatus bits (table 11-21) and wPortChange bits (table 11-22). */
#define PORT_STAT_CONNECTION     (1u << 0)
#define PORT_STAT_ENABLE         (1u << 1)
#define PORT_STAT_OVER_CURRENT   (1u << 3)
#define PORT_STAT_RESET          (1u << 4)
#define PORT_STAT_POWER          (1u << 8)
#define PORT_STAT_LOW_SPEED      (1u << 9)
#define PORT_STAT_HIGH_SPEED     (1u << 10)
#define PORT_CHANGE_CONNECTION   (1u << 0)
#define PORT_CHANGE_ENABLE       (1u << 1)
#define PORT_CHANGE_SUSPEND      (1u << 2)
#define PORT_CHANGE_OVER_CURRENT (1u << 3)
#define PORT_CHANGE_RESET        (1u << 4)

/* GetPortStatus answers wPortStatus then wPortChange (USB 2.0 11.24.2.7). */
#define PORT_STATUS_SIZE   4u
#define PORT_STATUS_CHANGE 2u
#define HUB_DESC_MAX       16u
/* Bitmap: bit 0 for the hub, bit n for port n. */
#define STATUS_BITMAP_SIZE ((USB_HUB_MAX_PORTS + 1u + 7u) / 8u)

/* USB 2.0 7.1.7.3: TATTDB, the connection must be stable this long before reset. */
#define ATTACH_DEBOUNCE_US 100000u
/* A hub drives reset for 10-20 ms (TDRST) and then reports C_PORT_RESET; bound the wait generously. */
#define PORT_RESET_TIMEOUT_US 500000u
/* Between status reads while the hub resets a port: a fraction of the reset time. */
#define PORT_RESET_POLL_US 1000u
/* USB 2.0 7.1.7.5 asks for 10 ms (TRSTRCY); 20 ms as on the root port (Circle lib/usb/dwhcidevice.cpp
 * EnableRootPort(): 10 ms "seems to be too short for some devices"). */
#define RESET_RECOVERY_US 20000u
/* After an over-current the port stays off for this long before it is powered again: Linux
 * drivers/usb/core/hub.c port_event() sleeps 100 ms ("Cool down") and then powers the hub's ports again. */
#define OVER_CURRENT_COOL_DOWN_US 100000u
/* bPwrOn2PwrGood counts 2 ms units (USB 2.0 11.23.2.1); Linux drivers/usb/core/hub.h hub_power_on_good_delay()
 * waits at least 100 ms on a hub that is not a root hub, since many report less than their ports need. */
#define PWR_GOOD_UNIT_US 2000u
#define PWR_GOOD_MIN_US  100000u
/* Status change endpoint: poll at most this often even if bInterval asks for more (full speed: ms units). */
#define MIN_POLL_INTERVAL_US 8000u
/* High-speed bInterval is 2^(bInterval-1) microframes of 125 us. */
#define HS_MICROFRAME_US    125u
#define HS_MAX_INTERVAL_EXP 16u
/* repower_at/attach_at of a port with nothing waiting: a real due time is a delay after some clock read, never 0. */
#define NOT_DUE 0u

struct hub {
    bool used;
    struct usb_device *dev;
    uint8_t ports;
    struct usb_device *child[USB_HUB_MAX_PORTS + 1u];
    struct usb_pipe status_pipe;
    struct usb_async status;
    bool has_status_ep;
    uint32_t interval_us;
    uint64_t next_poll;
    /* Port work waiting for its time (NOT_DUE for none): a power-on after the over-current cool-down, and the
     * reset after the attach debounce. The main loop goes on meanwhile; hub_poll() does it once due. */
    uint64_t repower_at[USB_HUB_MAX_PORTS + 1u];
    uint64_t attach_at[USB_HUB_MAX_PORTS + 1u];
};

static struct hub hubs[USB_HUB_MAX];

static int port_feature(struct usb_device *dev, bool set, uint16_t feature, uint8_t port)
{
    return usb_control(dev, HUB_RT_PORT_OUT, set ? USB_REQ_SET_FEATURE : USB_REQ_CLEAR_FEATURE, feature, port, NULL, 0,
                       NULL);
}

static int port_status(struct usb_device *dev, uint8_t port, uint16_t *status, uint16_t *change)
{
    uint8_t buf[PORT_STATUS_SIZE];
    size_t got = 0;
    int err = usb_control(dev, HUB_RT_PORT_IN, USB_REQ_GET_STATUS, 0, port, buf, sizeof buf, &got);
    if (err != 0) {
        return err;
    }
    if (got < PORT_STATUS_SIZE) {
        return -USB_EDESC;
    }
    *status = byteorder_get_le16(buf);
    *change = byteorder_get_le16(buf + PORT_STATUS_CHANGE);
    return 0;
}

static uint8_t speed_from_status(uint16_t status)
{
    if (status & PORT_STAT_LOW_SPEED) {
        return USB_SPEED_LOW;
    }
    if (status & PORT_STAT_HIGH_SPEED) {
        return USB_SPEED_HIGH;
    }
    return USB_SPEED_FULL;
}

/* Resets a connected port and enumerates the device behind it. */
static int attach_port(struct hub *h, uint8_t port)
{
    int err = port_feature(h->dev, true, PORT_FEAT_RESET, port);
    if (err != 0) {
        return err;
    }
    uint64_t deadline = systimer_deadline_us(PORT_RESET_TIMEOUT_US);
    uint16_t status = 0, change = 0;
    for (;;) {
        systimer_delay_us(PORT_RESET_POLL_US);
        err = port_status(h->dev, port, &status, &change);
        if (err != 0) {
            return err;
        }
        if ((change & PORT_CHANGE_RESET) || !(status & (PORT_STAT_RESET | PORT_STAT_CONNECTION))) {
            break;
        }
        if (systimer_expired(deadline)) {
            return -USB_ETIMEDOUT;
        }
    }
    port_feature(h->dev, false, PORT_FEAT_C_RESET, port);
    if (!(status & PORT_STAT_CONNECTION)) {
        return -USB_ENODEV;
    }
    if (!(status & PORT_STAT_ENABLE)) {
        return -USB_EIO;
    }
    systimer_delay_us(RESET_RECOVERY_US);
    return usb_core_enumerate(h->dev, port, speed_from_status(status), &h->child[port]);
}

static void detach_port(struct hub *h, uint8_t port)
{
    if (h->child[port] != NULL) {
        usb_core_remove(h->child[port]);
        h->child[port] = NULL;
    }
}

/* Acknowledges every change on a port; returns the port's status (0 if it could not be read). */
static uint16_t ack_port_changes(struct hub *h, uint8_t port, uint16_t *change)
{
    static const struct {
        uint16_t bit;
        uint16_t feature;
    } acks[] = {
        { PORT_CHANGE_CONNECTION, PORT_FEAT_C_CONNECTION }, { PORT_CHANGE_ENABLE, PORT_FEAT_C_ENABLE },
        { PORT_CHANGE_SUSPEND, PORT_FEAT_C_SUSPEND },       { PORT_CHANGE_OVER_CURRENT, PORT_FEAT_C_OVER_CURRENT },
        { PORT_CHANGE_RESET, PORT_FEAT_C_RESET },
    };
    uint16_t status = 0;
    *change = 0;
    if (port_status(h->dev, port, &status, change) != 0) {
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(acks); i++) {
        if (*change & acks[i].bit) {
            port_feature(h->dev, false, acks[i].feature, port);
        }
    }
    return status;
}

static void port_changed(struct hub *h, uint8_t port)
{
    uint16_t change;
    uint16_t status = ack_port_changes(h, port, &change);
    bool connected = (status & PORT_STAT_CONNECTION) != 0;
    if ((change & PORT_CHANGE_CONNECTION) || !connected) {
        detach_port(h, port);
    }
    if (!connected) {
        h->attach_at[port] = NOT_DUE;
    }
    /* USB 2.0 11.11.1: an over-current switched the port off. Once it is over, power the port again after the
     * cool-down; a device still plugged in then connects anew and is attached on its connection change. An
     * over-current that is back (or a port powered anyway) cancels a cool-down under way. */
    if (change & PORT_CHANGE_OVER_CURRENT) {
        bool over = !(status & (PORT_STAT_OVER_CURRENT | PORT_STAT_POWER));
        h->repower_at[port] = over ? systimer_now_us() + OVER_CURRENT_COOL_DOWN_US : NOT_DUE;
        if (over) {
            return;
        }
    }
    /* A new connection (or one that bounced during its debounce) starts the debounce over; a connected port
     * without a device and without a debounce under way (its last attach failed) gets one too. */
    if (connected && h->child[port] == NULL && ((change & PORT_CHANGE_CONNECTION) || h->attach_at[port] == NOT_DUE)) {
        h->attach_at[port] = systimer_now_us() + ATTACH_DEBOUNCE_US;
    }
}

/* The cool-down is over: power the port again, unless the over-current is back (its change is reported then, and
 * its end starts another cool-down). */
static void repower_port(struct hub *h, uint8_t port)
{
    uint16_t status, change;
    if (port_status(h->dev, port, &status, &change) == 0 && !(status & PORT_STAT_OVER_CURRENT)) {
        port_feature(h->dev, true, PORT_FEAT_POWER, port);
    }
}

/* The debounce is over: the connection held if the port is still connected and reports no change since; a change
 * (a bounce, a disconnect) is handled as such, which starts a new debounce if the port is connected again. */
static void debounced_port(struct hub *h, uint8_t port)
{
    uint16_t status, change;
    if (port_status(h->dev, port, &status, &change) != 0) {
        return;
    }
    if (change != 0) {
        port_changed(h, port);
    } else if ((status & PORT_STAT_CONNECTION) && h->child[port] == NULL) {
        attach_port(h, port);
    }
}

/* Does the port work that is due and asks lib/wake.h for the pass that the rest needs. */
static void run_due_port_work(struct hub *h)
{
    for (uint8_t port = 1; port <= h->ports; port++) {
        uint64_t now = systimer_now_us();
        if (h->repower_at[port] != NOT_DUE && now >= h->repower_at[port]) {
            h->repower_at[port] = NOT_DUE;
            repower_port(h, port);
        }
        if (h->attach_at[port] != NOT_DUE && now >= h->attach_at[port]) {
            h->attach_at[port] = NOT_DUE;
            debounced_port(h, port);
        }
        if (h->repower_at[port] != NOT_DUE) {
            wake_at(h->repower_at[port]);
        }
        if (h->attach_at[port] != NOT_DUE) {
            wake_at(h->attach_at[port]);
        }
    }
}

static uint32_t status_interval_us(const struct usb_device *dev, uint8_t interval)
{
    uint32_t us;
    if (dev->speed == USB_SPEED_HIGH) {
        uint8_t exp = interval == 0 ? 1u : (interval > HS_MAX_INTERVAL_EXP ? HS_MAX_INTERVAL_EXP : interval);
        us = HS_MICROFRAME_US << (exp - 1u);
    } else {
        us = (uint32_t)interval * US_PER_MS;
    }
    return us < MIN_POLL_INTERVAL_US ? MIN_POLL_INTERVAL_US : us;
}

static int hub_probe(struct usb_device *dev, const struct usb_interface_desc *intf)
{
    struct hub *h = NULL;
    for (size_t i = 0; i < USB_HUB_MAX; i++) {
        if (!hubs[i].used) {
            h = &hubs[i];
            break;
        }
    }
    if (h == NULL) {
        return -USB_EFULL;
    }
    uint8_t buf[HUB_DESC_MAX];
    size_t got = 0;
    int err = usb_control(dev, HUB_RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(USB_DT_HUB << 8), 0, buf,
                          sizeof buf, &got);
    if (err != 0) {
        return err;
    }
    struct usb_hub_desc hd;
    if (usb_desc_parse_hub(buf, got, &hd) != 0) {
        return -USB_EDESC;
    }
    memset(h, 0, sizeof *h);
    h->used = true;
    h->dev = dev;
    h->ports = hd.num_ports > USB_HUB_MAX_PORTS ? (uint8_t)USB_HUB_MAX_PORTS : hd.num_ports;
    dev->driver_data = h;

    struct usb_endpoint_desc ep;
    if (usb_desc_find_endpoint(dev->config, dev->config_len, intf, USB_EP_TYPE_INTR, true, &ep) == 0) {
        usb_pipe_init(dev, &ep, &h->status_pipe);
        h->has_status_ep = true;
        h->interval_us = status_interval_us(dev, ep.interval);
    } else {
        h->interval_us = MIN_POLL_INTERVAL_US;
    }

    for (uint8_t port = 1; port <= h->ports; port++) {
        port_feature(dev, true, PORT_FEAT_POWER, port);
    }
    uint32_t pwr_good_us = (uint32_t)hd.pwr_on_to_good_2ms * PWR_GOOD_UNIT_US;
    systimer_delay_us(pwr_good_us > PWR_GOOD_MIN_US ? pwr_good_us : PWR_GOOD_MIN_US);

    /* One debounce for all ports: they were powered together. */
    uint16_t connected = 0;
    for (uint8_t port = 1; port <= h->ports; port++) {
        uint16_t change;
        if (ack_port_changes(h, port, &change) & PORT_STAT_CONNECTION) {
            connected |= (uint16_t)(1u << port);
        }
    }
    if (connected != 0) {
        systimer_delay_us(ATTACH_DEBOUNCE_US);
    }
    for (uint8_t port = 1; port <= h->ports; port++) {
        if (connected & (1u << port)) {
            attach_port(h, port);
        }
    }
    h->next_poll = systimer_now_us() + h->interval_us;
    return 0;
}

/* Fills bitmap with the ports that report changes: the status change endpoint's answer once it came, or, on a hub
 * without one, each port asked at the poll interval. False when there is nothing to look at in this pass. */
static bool changed_ports(struct hub *h, uint8_t bitmap[STATUS_BITMAP_SIZE])
{
    memset(bitmap, 0, STATUS_BITMAP_SIZE);
    if (h->has_status_ep) {
        if (!usb_async_busy(&h->status)) {
            if (systimer_now_us() < h->next_poll) {
                wake_at(h->next_poll);
                return false;
            }
            size_t len = (h->ports + 1u + 7u) / 8u;
            if (usb_async_submit(&h->status, &h->status_pipe, NULL, len) != 0) {
                wake_at(systimer_now_us() + h->interval_us); /* no channel free: try again at the next interval */
                return false;
            }
        }
        size_t got = 0;
        int r = usb_async_poll(&h->status, bitmap, STATUS_BITMAP_SIZE, &got);
        if (r == USB_IN_PROGRESS) {
            return false;
        }
        h->next_poll = systimer_now_us() + h->interval_us;
        wake_at(h->next_poll); /* while the transfer is in flight, its channel's halt interrupt wakes the loop */
        if (r == -USB_ESTALL) {
            usb_clear_halt(h->dev, &h->status_pipe);
        }
        return r == 0 && got != 0;
    }
    /* No status endpoint: ask each port at the poll interval. */
    if (systimer_now_us() < h->next_poll) {
        wake_at(h->next_poll);
        return false;
    }
    h->next_poll = systimer_now_us() + h->interval_us;
    wake_at(h->next_poll);
    for (uint8_t port = 1; port <= h->ports; port++) {
        uint16_t status, change;
        if (port_status(h->dev, port, &status, &change) == 0 && change != 0) {
            bitmap[port / 8u] |= (uint8_t)(1u << (port % 8u));
        }
    }
    return true;
}

/* Never waits: what must wait (the cool-down, the debounce) is a due time that a later pass acts on. */
static void hub_poll(struct usb_device *dev)
{
    struct hub *h = dev->driver_data;
    if (h == NULL) {
        return;
    }
    uint8_t bitmap[STATUS_BITMAP_SIZE];
    if (changed_ports(h, bitmap)) {
        for (uint8_t port = 1; port <= h->ports; port++) {
            if (bitmap[port / 8u] & (1u << (port % 8u))) {
                port_changed(h, port);
            }
        }
    }
    run_due_port_work(h);
}

static void hub_remove(struct usb_device *dev)
{
    struct hub *h = dev->driver_data;
    if (h == NULL) {
        return;
    }
    usb_async_cancel(&h->status);
    h->used = false;
    dev->driver_data = NULL;
}

/* clang-format off */
static const struct usb_device_id hub_ids[] = {
    { .by_class = true, .if_class = USB_CLASS_HUB, .if_subclass = 0 },
};
/* clang-format on */

const struct usb_driver usb_hub_driver = {
    .name = "hub",
    .ids = hub_ids,
    .id_count = sizeof hub_ids / sizeof hub_ids[0],
    .probe = hub_probe,
    .poll = hub_poll,
    .remove = hub_remove,
};
