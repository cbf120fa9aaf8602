/*
 * The libslirp network device; see slirp_netdev.h.
 */
#include "board/native/slirp_netdev.h"

#include <arpa/inet.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/units.h"

/* QEMU's -netdev user defaults, so tests and users see the same addresses under QEMU and here. */
#define SLIRP_NETWORK    "10.0.2.0"
#define SLIRP_NETMASK    "255.255.255.0"
#define SLIRP_HOST       "10.0.2.2"
#define SLIRP_DHCP_START "10.0.2.15"
#define SLIRP_DNS        "10.0.2.3"
/* SlirpConfig layout of libslirp 4.7 (Debian 12): version 4 adds disable_dhcp and timer_new_opaque. */
#define SLIRP_NETDEV_CONFIG_VERSION 4
/* Poll entries grow in these steps: slirp has a socket per open connection plus its DNS and DHCP ones. */
#define POLLFD_GROW 16u

struct rx_slot {
    uint16_t len;
    uint8_t frame[NETDEV_MAX_FRAME];
};

/* One slirp timer: slirp arms it with an absolute expiry on clock_get_ns()'s clock, in milliseconds. */
struct slirp_timer {
    struct slirp_timer *next;
    SlirpTimerId id;
    void *cb_opaque;
    int64_t expire_ms;
    bool armed;
};

static Slirp *slirp;
static struct netdev device;
static bool registered;
static struct rx_slot rx_ring[SLIRP_NETDEV_RX_FRAMES];
static size_t rx_head;
static size_t rx_count;
static struct slirp_timer *timers;
static struct pollfd *pollfds;
static size_t pollfd_count;
static size_t pollfd_size;

static int64_t clock_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * NS_PER_S + now.tv_nsec;
}

/* ---- slirp's callbacks ----------------------------------------------------------------------------------- */

/* A frame for the guest: queued for netdev_receive(). When the queue is full the frame is dropped, as a NIC does
 * when its ring is full; TCP retransmits. */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    (void)opaque;
    if (len < NETDEV_MIN_FRAME || len > NETDEV_MAX_FRAME || rx_count == SLIRP_NETDEV_RX_FRAMES) {
        device.stats.rx_dropped++;
        return (ssize_t)len;
    }
    struct rx_slot *slot = &rx_ring[(rx_head + rx_count) % SLIRP_NETDEV_RX_FRAMES];
    memcpy(slot->frame, buf, len);
    slot->len = (uint16_t)len;
    rx_count++;
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    printf("slirp: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return clock_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    (void)opaque;
    struct slirp_timer *t = calloc(1, sizeof *t);
    if (t == NULL) {
        /* slirp cannot take a failure here; without memory the program cannot go on anyway. */
        printf("slirp: out of memory for a timer\n");
        abort();
    }
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->next = timers;
    timers = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    for (struct slirp_timer **p = &timers; *p != NULL; p = &(*p)->next) {
        if (*p == timer) {
            *p = (*p)->next;
            free(timer);
            return;
        }
    }
}

static void cb_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
    (void)opaque;
    struct slirp_timer *t = timer;
    t->expire_ms = expire_time;
    t->armed = true;
}

/* slirp_pollfds_fill() lists every socket on each pass, so there is nothing to track between passes. */
static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

/* One thread: the next pass of the main loop looks at slirp's sockets anyway. */
static void cb_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

static int cb_add_poll(int fd, int events, void *opaque)
{
    (void)opaque;
    if (pollfd_count == pollfd_size) {
        size_t size = pollfd_size + POLLFD_GROW;
        struct pollfd *grown = realloc(pollfds, size * sizeof *grown);
        if (grown == NULL) {
            printf("slirp: out of memory for poll entries\n");
            abort();
        }
        pollfds = grown;
        pollfd_size = size;
    }
    short ev = 0;
    ev |= (events & SLIRP_POLL_IN) ? POLLIN : 0;
    ev |= (events & SLIRP_POLL_OUT) ? POLLOUT : 0;
    ev |= (events & SLIRP_POLL_PRI) ? POLLPRI : 0;
    pollfds[pollfd_count] = (struct pollfd){ .fd = fd, .events = ev };
    return (int)pollfd_count++;
}

static int cb_get_revents(int idx, void *opaque)
{
    (void)opaque;
    if (idx < 0 || (size_t)idx >= pollfd_count) {
        return 0;
    }
    short rev = pollfds[idx].revents;
    int events = 0;
    events |= (rev & POLLIN) ? SLIRP_POLL_IN : 0;
    events |= (rev & POLLOUT) ? SLIRP_POLL_OUT : 0;
    events |= (rev & POLLPRI) ? SLIRP_POLL_PRI : 0;
    events |= (rev & (POLLERR | POLLNVAL)) ? SLIRP_POLL_ERR : 0;
    events |= (rev & POLLHUP) ? SLIRP_POLL_HUP : 0;
    return events;
}

/* ---- netdev operations ----------------------------------------------------------------------------------- */

static int slirp_op_start(struct netdev *nd)
{
    if (slirp != NULL) {
        return 0;
    }
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = SLIRP_NETDEV_CONFIG_VERSION;
    cfg.in_enabled = true;
    inet_pton(AF_INET, SLIRP_NETWORK, &cfg.vnetwork);
    inet_pton(AF_INET, SLIRP_NETMASK, &cfg.vnetmask);
    inet_pton(AF_INET, SLIRP_HOST, &cfg.vhost);
    inet_pton(AF_INET, SLIRP_DHCP_START, &cfg.vdhcp_start);
    inet_pton(AF_INET, SLIRP_DNS, &cfg.vnameserver);
    /* The firmware is IPv4-only (net/lwipopts.h). */
    cfg.in6_enabled = false;
    slirp = slirp_new(&cfg, &callbacks, NULL);
    if (slirp == NULL) {
        return -NETDEV_EIO;
    }
    /* A virtual cable: always plugged in, no speed to speak of. */
    nd->link_up = true;
    nd->full_duplex = true;
    return 0;
}

static int slirp_op_send(struct netdev *nd, const void *frame, size_t len)
{
    (void)nd;
    slirp_input(slirp, frame, (int)len);
    return 0;
}

static int slirp_op_receive(struct netdev *nd, void *buf, size_t size)
{
    if (rx_count == 0) {
        return 0;
    }
    struct rx_slot *slot = &rx_ring[rx_head];
    rx_head = (rx_head + 1) % SLIRP_NETDEV_RX_FRAMES;
    rx_count--;
    if (slot->len > size) {
        nd->stats.rx_dropped++;
        return 0;
    }
    memcpy(buf, slot->frame, slot->len);
    return slot->len;
}

static const struct netdev_ops slirp_ops = {
    .start = slirp_op_start,
    .send = slirp_op_send,
    .receive = slirp_op_receive,
    .poll = NULL,
};

/* ---- public ---------------------------------------------------------------------------------------------- */

int slirp_netdev_start(void)
{
    if (!registered) {
        device.name = "slirp";
        device.present = true;
        device.ops = &slirp_ops;
        netdev_board_mac(device.mac);
        if (netdev_register(&device) != 0) {
            return SLIRP_NETDEV_ERR_REGISTER;
        }
        registered = true;
    }
    return netdev_start(&device) == 0 ? 0 : SLIRP_NETDEV_ERR_INIT;
}

const char *slirp_netdev_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case SLIRP_NETDEV_ERR_INIT: return "libslirp did not start";
    case SLIRP_NETDEV_ERR_REGISTER: return "network device table full";
    default: return "unknown slirp device error";
    }
}

struct netdev *slirp_netdev_device(void)
{
    return registered ? &device : NULL;
}

static int clamp_to_timers(int timeout_ms)
{
    int64_t now_ms = clock_ns() / NS_PER_MS;
    for (struct slirp_timer *t = timers; t != NULL; t = t->next) {
        if (t->armed) {
            int64_t left = t->expire_ms - now_ms;
            if (left < timeout_ms) {
                timeout_ms = left > 0 ? (int)left : 0;
            }
        }
    }
    return timeout_ms;
}

/* A callback may free or re-arm timers, so the list is searched again after each one. */
static void run_expired_timers(void)
{
    int64_t now_ms = clock_ns() / NS_PER_MS;
    bool ran = true;
    while (ran) {
        ran = false;
        for (struct slirp_timer *t = timers; t != NULL; t = t->next) {
            if (t->armed && t->expire_ms <= now_ms) {
                t->armed = false;
                slirp_handle_timer(slirp, t->id, t->cb_opaque);
                ran = true;
                break;
            }
        }
    }
}

void slirp_netdev_wait(int console_fd, int max_ms)
{
    pollfd_count = 0;
    if (console_fd >= 0) {
        cb_add_poll(console_fd, SLIRP_POLL_IN, NULL);
    }
    int timeout_ms = max_ms;
    if (slirp != NULL) {
        uint32_t slirp_timeout = (uint32_t)max_ms;
        slirp_pollfds_fill(slirp, &slirp_timeout, cb_add_poll, NULL);
        timeout_ms = clamp_to_timers(slirp_timeout < (uint32_t)max_ms ? (int)slirp_timeout : max_ms);
    }
    /* Frames already waiting for lwIP: only look, do not sleep. */
    if (rx_count > 0) {
        timeout_ms = 0;
    }
    int ready = poll(pollfds, pollfd_count, timeout_ms);
    if (slirp != NULL) {
        slirp_pollfds_poll(slirp, ready < 0, cb_get_revents, NULL);
        run_expired_timers();
    }
}
