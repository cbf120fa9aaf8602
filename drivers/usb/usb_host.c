/*
 * USB host bring-up and recovery: a small state machine over the DWC2 driver, the USB core and the netdev registry.
 */
#include "drivers/usb/usb_host.h"

#include <stdio.h>

#include "drivers/netdev.h"
#include "drivers/systimer.h"
#include "drivers/usb/dwc2.h"
#include "lib/units.h"
#include "lib/wake.h"

enum host_state {
    HOST_OFF,       /* the controller is not running */
    HOST_NO_DEVICE, /* the controller runs; nothing enumerated on the root port */
    HOST_RUNNING,   /* the root port's device is enumerated; hubs report the rest */
};

/* A retry schedule: when the next attempt is due, and the wait after the next failure. */
struct retry {
    uint64_t due;
    uint32_t backoff_us;
    unsigned failures;
};

static struct usb_host_config config;
static enum host_state state;
static int last_err;
static struct usb_device *root;
static struct retry bus_retry, net_retry;

static void keepalive(void)
{
    if (config.keepalive != NULL) {
        config.keepalive();
    }
}

static void retry_reset(struct retry *r)
{
    r->due = 0;
    r->backoff_us = USB_HOST_RETRY_MIN_US;
    r->failures = 0;
}

static bool retry_due(const struct retry *r)
{
    return systimer_now_us() >= r->due;
}

/* Schedules the next attempt; returns the wait in milliseconds, for messages. */
static unsigned long retry_failed(struct retry *r)
{
    uint32_t wait = r->backoff_us;
    r->due = systimer_now_us() + wait;
    r->backoff_us = wait >= USB_HOST_RETRY_MAX_US / 2u ? USB_HOST_RETRY_MAX_US : wait * 2u;
    r->failures++;
    return wait / US_PER_MS;
}

void usb_host_init(const struct usb_host_config *cfg)
{
    config = *cfg;
    state = HOST_OFF;
    last_err = 0;
    root = NULL;
    retry_reset(&bus_retry);
    retry_reset(&net_retry);
}

static int controller_start(void)
{
    if (config.power_on != NULL && config.power_on() != 0) {
        return -USB_EIO;
    }
    int err = dwc2_init(config.core_base, config.bus_alias);
    if (err != 0) {
        return dwc2_usb_error(err);
    }
    usb_core_init(&dwc2_hc_ops, config.drivers, config.driver_count);
    usb_core_set_keepalive(config.keepalive);
    return 0;
}

/* Resets the root port and enumerates what is on it (a hub enumerates its own ports while it binds). */
static int root_attach(uint32_t connect_timeout_us)
{
    enum usb_speed speed;
    keepalive();
    int err = dwc2_usb_error(dwc2_port_reset(connect_timeout_us, &speed));
    if (err == 0) {
        keepalive();
        err = usb_core_enumerate(NULL, 0, (uint8_t)speed, &root);
    }
    if (err == 0 && root->driver == NULL && root->driver_err != 0) {
        /* Its driver refused it (the hub's descriptor or the NIC's MAC could not be read): try the whole device
         * again rather than leave it bound to nothing for good. */
        err = root->driver_err;
        usb_core_remove(root);
        root = NULL;
    }
    return err;
}

/* Starts the controller if it is not running, then resets and enumerates the root port's device: each bounded. */
static void bus_step(uint32_t connect_timeout_us)
{
    if (!retry_due(&bus_retry)) {
        return;
    }
    int err = 0;
    if (state == HOST_OFF) {
        keepalive();
        err = controller_start();
        if (err == 0) {
            state = HOST_NO_DEVICE;
        }
    }
    if (err == 0 && state == HOST_NO_DEVICE) {
        /* Nothing plugged in is not a failure to back off from: the port is looked at on every pass. */
        if (connect_timeout_us == 0 && !dwc2_port_connected()) {
            last_err = -USB_ENODEV;
            return;
        }
        err = root_attach(connect_timeout_us);
        if (err == 0) {
            state = HOST_RUNNING;
        }
    }
    if (err == -USB_ENODEV) {
        last_err = err;
    } else if (err != 0) {
        unsigned long wait_ms = retry_failed(&bus_retry);
        if (bus_retry.failures == 1 || err != last_err) {
            printf("usb: %s: %s; trying again in %lu ms\n", state == HOST_OFF ? "controller" : "root port",
                   usb_strerror(err), wait_ms);
        }
        last_err = err;
    } else if (state == HOST_RUNNING) {
        if (bus_retry.failures > 0) {
            printf("usb: root port device enumerated after %u failed attempts\n", bus_retry.failures);
        }
        retry_reset(&bus_retry);
        last_err = 0;
    }
}

/* A device gone from the root port takes everything behind it; it is enumerated again once one is back. */
static void watch_root_port(void)
{
    if (state != HOST_RUNNING || dwc2_port_ok()) {
        return;
    }
    printf("usb: root port lost its device (unplugged, over-current or babble); enumerating again\n");
    usb_core_remove(root);
    root = NULL;
    state = HOST_NO_DEVICE;
    last_err = -USB_ENODEV;
}

/* Starts every registered network device that is not started (a start that failed, or a device that appeared). */
static void net_step(void)
{
    if (!retry_due(&net_retry)) {
        return;
    }
    bool failed = false, started = false;
    struct netdev *nd;
    for (size_t i = 0; (nd = netdev_at(i)) != NULL; i++) {
        if (nd->started) {
            continue;
        }
        keepalive();
        int err = netdev_start(nd);
        if (err != 0) {
            failed = true;
            if (net_retry.failures == 0) {
                printf("usb: %s did not start: %s; trying again\n", nd->name, netdev_strerror(err));
            }
        } else {
            started = true;
            if (net_retry.failures > 0) {
                printf("usb: %s started after %u failed attempts\n", nd->name, net_retry.failures);
            }
        }
    }
    if (failed) {
        retry_failed(&net_retry);
    } else if (started) {
        retry_reset(&net_retry);
    }
}

int usb_host_start(void)
{
    bus_step(USB_HOST_CONNECT_TIMEOUT_US);
    if (state == HOST_RUNNING) {
        net_step();
    }
    for (size_t i = 0; netdev_at(i) != NULL; i++) {
        if (netdev_at(i)->started) {
            return 0;
        }
    }
    if (last_err != 0) {
        return last_err;
    }
    return netdev_at(0) == NULL ? -USB_ENODRIVER : -USB_EIO;
}

/* Asks lib/wake.h for the next pass that has host work: the root port's watch, and a due retry. */
static void ask_wake(void)
{
    if (state != HOST_OFF) {
        wake_at(systimer_now_us() + USB_HOST_PORT_WATCH_US);
    }
    if (state != HOST_RUNNING) {
        /* A failed bring-up waits for its backoff; an empty root port (no failure) only for the watch above. */
        if (bus_retry.failures > 0) {
            wake_at(bus_retry.due);
        }
        return;
    }
    for (size_t i = 0; netdev_at(i) != NULL; i++) {
        if (!netdev_at(i)->started) {
            wake_at(net_retry.due);
            return;
        }
    }
}

void usb_host_poll(void)
{
    if (state == HOST_RUNNING) {
        usb_core_poll();
        watch_root_port();
    }
    if (state != HOST_RUNNING) {
        bus_step(0);
    }
    if (state == HOST_RUNNING) {
        net_step();
    }
    ask_wake();
}

int usb_host_error(void)
{
    return last_err;
}

bool usb_host_controller_up(void)
{
    return state != HOST_OFF;
}
