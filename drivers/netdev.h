/*
 * netdev.h - the one small interface every Ethernet driver offers (CDC-ECM, SMSC LAN951x, Microchip LAN78xx), so
 * the network stack's glue (net/) knows none of them.
 *
 * A driver fills a struct netdev (name, MAC, ops) when it binds to its device and registers it; the glue picks
 * it up with netdev_at(), calls netdev_start() once, then on every pass of the main loop netdev_poll() (link
 * state) and netdev_receive() until it returns 0, and netdev_send() for each outgoing frame. When the device goes
 * (unplugged), its driver calls netdev_unregister(). A driver that binds again (the adapter plugged back) usually
 * registers the same struct: each registration gets a new `instance`, so the glue can tell a device that came back
 * from one that never left, even when it never saw it gone.
 *
 * Frames are plain Ethernet frames without FCS: destination, source, type, payload (14..NETDEV_MAX_FRAME bytes).
 * Buffers belong to the caller and are copied before the call returns. Main loop only; never from an interrupt.
 */
#ifndef DRIVERS_NETDEV_H
#define DRIVERS_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define NETDEV_MAC_LEN 6u
/* 1500-byte MTU + 14-byte header + a VLAN tag: the largest frame a driver hands up or accepts. */
#define NETDEV_MAX_FRAME 1518u
#define NETDEV_MIN_FRAME 14u
/* One on-board NIC plus a USB adapter. */
#ifndef NETDEV_MAX
#define NETDEV_MAX 2u
#endif

/* Error codes, returned negated. */
enum {
    /* bad argument, or frame shorter than a header or longer than NETDEV_MAX_FRAME */
    NETDEV_EINVAL = ERR_BASE_NETDEV + 1,
    NETDEV_ENODEV,      /* the device is gone (unplugged) */
    NETDEV_ENOTSTARTED, /* netdev_start() was not called or failed */
    NETDEV_EIO,         /* the device or the bus failed; the frame was not sent */
    NETDEV_ETIMEDOUT,   /* the device did not take the frame in time */
    NETDEV_EFULL,       /* too many network devices registered */
};

struct netdev;

struct netdev_ops {
    /* Brings the interface up (receive filters, data path armed). Returns 0 or a negative NETDEV_E* code. */
    int (*start)(struct netdev *nd);
    /* Queues or sends one frame; returns 0 or a negative NETDEV_E* code. */
    int (*send)(struct netdev *nd, const void *frame, size_t len);
    /* Copies the next received frame into buf: returns its length, 0 when none is waiting, or a negative code.
     * Frames longer than size are dropped and counted. */
    int (*receive)(struct netdev *nd, void *buf, size_t size);
    /* Periodic work: link state. May be NULL. */
    void (*poll)(struct netdev *nd);
};

struct netdev_stats {
    uint32_t rx_frames, tx_frames;
    uint32_t rx_errors, tx_errors;
    uint32_t rx_dropped; /* frames the driver could not hand up (too long, malformed header) */
};

struct netdev {
    const char *name; /* driver name, e.g. "cdc_ecm" */
    uint8_t mac[NETDEV_MAC_LEN];
    uint32_t instance; /* set by netdev_register(): different for every registration, never 0 */
    bool present;      /* false once the device is unplugged */
    bool started;
    bool link_up;
    uint32_t speed_mbps; /* 0 when unknown */
    bool full_duplex;
    const struct netdev_ops *ops;
    void *priv; /* the driver's state */
    struct netdev_stats stats;
};

/* Adds a bound device (owned by its driver, valid for the firmware's lifetime), as a new instance: present, not
 * started, link down. Registering a struct again after netdev_unregister() is how a re-plugged device comes back.
 * Returns 0 or -NETDEV_EFULL. */
int netdev_register(struct netdev *nd);

/* The device is gone (unplugged): no longer present, started or linked; netdev_at() skips it. */
void netdev_unregister(struct netdev *nd);

/* The index-th registered device that is still present, or NULL. */
struct netdev *netdev_at(size_t index);

/* The MAC the board assigns to its on-board NIC (from the firmware), for chips without their own EEPROM. */
void netdev_set_board_mac(const uint8_t mac[NETDEV_MAC_LEN]);
/* Copies the board MAC; false when the board set none (or an all-zero one). */
bool netdev_board_mac(uint8_t mac[NETDEV_MAC_LEN]);

int netdev_start(struct netdev *nd);
int netdev_send(struct netdev *nd, const void *frame, size_t len);
int netdev_receive(struct netdev *nd, void *buf, size_t size);
void netdev_poll(struct netdev *nd);
bool netdev_link_up(const struct netdev *nd);

/* Prints one line per registered device present: "net0: cdc_ecm 52:54:00:12:34:56, started, link up", with the
 * speed and duplex when the driver knows them (the console's device listings). */
void netdev_print_all(void);

/* Formats a MAC as "aa:bb:cc:dd:ee:ff" into out (at least 18 bytes). */
void netdev_format_mac(const uint8_t mac[NETDEV_MAC_LEN], char *out, size_t size);

const char *netdev_strerror(int err);

#endif /* DRIVERS_NETDEV_H */
