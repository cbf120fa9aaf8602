/*
 * fake_usb_hub.h - a USB 2.0 hub (chapter 11) on the register-level DWC2 model, for host tests of the hub driver
 * and of the whole USB stack: the hub's own chapter 9 side is a tests/unit/fakes/fake_usb_dev, its ports hold
 * fake_dwc2 devices that the host reaches only while their port is enabled.
 *
 * What it models (USB 2.0 11.24.2 class requests, 11.24.2.7 port status and change bits):
 *  - the hub descriptor (bNbrPorts, bPwrOn2PwrGood) and, optionally, the status change endpoint (IN 1,
 *    interrupt, 2 bytes, bInterval 12: 256 ms at high speed), on which fake_usb_hub_tick() reports ports with
 *    pending changes;
 *  - per port: power (SET/CLEAR_FEATURE PORT_POWER), connection while a device is plugged in and the port has
 *    power, reset (10 ms, USB 2.0 7.1.7.5 TDRST) ending with the port enabled at the device's speed and
 *    C_PORT_RESET, or hanging, or ending disabled; unplugging; over-current, which cuts the port's power;
 *    change bits cleared by CLEAR_FEATURE(C_PORT_*), every ClearPortFeature counted.
 * A port's device is reset to address 0 by each port reset and is unreachable while the port is not enabled.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_USB_HUB_H
#define TESTS_UNIT_FAKES_FAKE_USB_HUB_H

#include <stdbool.h>
#include <stdint.h>

#include "fake_dwc2.h"
#include "fake_usb_dev.h"

#define FAKE_USB_HUB_PORTS    7u
#define FAKE_USB_HUB_FEATURES 32u
#define FAKE_USB_HUB_RESET_US 10000u

/* wPortStatus bits (USB 2.0 table 11-21) and wPortChange bits (table 11-22). */
#define FAKE_USB_HUB_PORT_CONNECTION   (1u << 0)
#define FAKE_USB_HUB_PORT_ENABLE       (1u << 1)
#define FAKE_USB_HUB_PORT_OVER_CURRENT (1u << 3)
#define FAKE_USB_HUB_PORT_RESET        (1u << 4)
#define FAKE_USB_HUB_PORT_POWER        (1u << 8)
#define FAKE_USB_HUB_PORT_LOW_SPEED    (1u << 9)
#define FAKE_USB_HUB_PORT_HIGH_SPEED   (1u << 10)
#define FAKE_USB_HUB_C_CONNECTION      (1u << 0)
#define FAKE_USB_HUB_C_ENABLE          (1u << 1)
#define FAKE_USB_HUB_C_OVER_CURRENT    (1u << 3)
#define FAKE_USB_HUB_C_RESET           (1u << 4)
/* Port features (table 11-17). */
#define FAKE_USB_HUB_FEAT_RESET          4u
#define FAKE_USB_HUB_FEAT_POWER          8u
#define FAKE_USB_HUB_FEAT_C_CONNECTION   16u
#define FAKE_USB_HUB_FEAT_C_OVER_CURRENT 19u
#define FAKE_USB_HUB_FEAT_C_RESET        20u

/* A device's speed as its port reports it. */
enum fake_usb_hub_speed { FAKE_USB_HUB_FULL, FAKE_USB_HUB_LOW, FAKE_USB_HUB_HIGH };

struct fake_usb_hub_port {
    int dev; /* fake_dwc2 device plugged in, -1 for none */
    enum fake_usb_hub_speed speed;
    uint16_t status, change; /* wPortStatus, wPortChange */
    bool never_enables;      /* a reset ends with the port disabled */
    bool reset_hangs;        /* a reset never ends */
    uint64_t reset_end_us;   /* while PORT_RESET is set */
    uint64_t reset_done_us;  /* when the last reset ended */
    uint64_t powered_at_us;  /* when PORT_POWER was last set */
    unsigned resets, powers;
    unsigned cleared[FAKE_USB_HUB_FEATURES]; /* ClearPortFeature requests by feature */
};

struct fake_usb_hub {
    struct fake_usb_dev dev; /* the hub's own device side */
    struct fake_dwc2 *m;
    uint8_t ports;
    bool status_ep;
    uint8_t device_desc[18];
    uint8_t config[25];
    uint8_t hub_desc[9];
    struct fake_usb_hub_port port[FAKE_USB_HUB_PORTS + 1]; /* 1-based */
    uint64_t first_status_us;                              /* first GetPortStatus after the last PORT_POWER */
    unsigned announcements;                                /* reports queued on the status change endpoint */
};

/* A hub with the given number of ports (at most FAKE_USB_HUB_PORTS), high or full speed, bPwrOn2PwrGood in 2 ms
 * units, with or without a status change endpoint; nothing plugged in. */
void fake_usb_hub_init(struct fake_usb_hub *h, uint8_t ports, bool high_speed, uint8_t pwr_on_2ms, bool status_ep);
/* Puts the hub on the root port, connected from connect_at_us, or behind another hub's port (then plug its index
 * there with fake_usb_hub_plug). Return its fake_dwc2 index. */
unsigned fake_usb_hub_attach(struct fake_dwc2 *m, struct fake_usb_hub *h, uint64_t connect_at_us);
unsigned fake_usb_hub_add(struct fake_dwc2 *m, struct fake_usb_hub *h);

/* Plugs fake_dwc2 device dev (from fake_dwc2_add_device or fake_usb_dev_add) into port; it connects once the
 * port has power. */
void fake_usb_hub_plug(struct fake_usb_hub *h, uint8_t port, unsigned dev, enum fake_usb_hub_speed speed);
void fake_usb_hub_unplug(struct fake_usb_hub *h, uint8_t port);
/* Over-current on port: the hub cuts its power (the device disconnects) until the host powers it again. */
void fake_usb_hub_set_overcurrent(struct fake_usb_hub *h, uint8_t port, bool active);

/* The hub's own time: ends resets that are due and, when a port has changes and the status change endpoint has
 * nothing queued, queues the bitmap of those ports. Call it from the test's main loop pass. */
void fake_usb_hub_tick(struct fake_usb_hub *h);

#endif /* TESTS_UNIT_FAKES_FAKE_USB_HUB_H */
