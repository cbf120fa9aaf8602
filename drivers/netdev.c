/*
 * The network device registry and the checks every driver would otherwise repeat.
 */
#include "drivers/netdev.h"

#include <stdio.h>
#include <string.h>

static struct netdev *registered[NETDEV_MAX];
static size_t registered_count;
static uint8_t board_mac[NETDEV_MAC_LEN];
static bool board_mac_set;
static uint32_t last_instance;

/* The slot nd already has, else a slot of a device that is gone, else a new one; NULL when the table is full. */
static struct netdev **slot_for(struct netdev *nd)
{
    for (size_t i = 0; i < registered_count; i++) {
        if (registered[i] == nd) {
            return &registered[i];
        }
    }
    for (size_t i = 0; i < registered_count; i++) {
        if (!registered[i]->present) {
            return &registered[i];
        }
    }
    return registered_count < NETDEV_MAX ? &registered[registered_count++] : NULL;
}

int netdev_register(struct netdev *nd)
{
    struct netdev **slot = slot_for(nd);
    if (slot == NULL) {
        return -NETDEV_EFULL;
    }
    *slot = nd;
    last_instance = last_instance == UINT32_MAX ? 1u : last_instance + 1u;
    nd->instance = last_instance;
    nd->present = true;
    nd->started = false;
    nd->link_up = false;
    return 0;
}

void netdev_unregister(struct netdev *nd)
{
    nd->present = false;
    nd->started = false;
    nd->link_up = false;
}

struct netdev *netdev_at(size_t index)
{
    for (size_t i = 0; i < registered_count; i++) {
        if (registered[i]->present && index-- == 0) {
            return registered[i];
        }
    }
    return NULL;
}

void netdev_set_board_mac(const uint8_t mac[NETDEV_MAC_LEN])
{
    static const uint8_t zero[NETDEV_MAC_LEN];
    memcpy(board_mac, mac, NETDEV_MAC_LEN);
    board_mac_set = memcmp(mac, zero, NETDEV_MAC_LEN) != 0;
}

bool netdev_board_mac(uint8_t mac[NETDEV_MAC_LEN])
{
    if (board_mac_set) {
        memcpy(mac, board_mac, NETDEV_MAC_LEN);
    }
    return board_mac_set;
}

int netdev_start(struct netdev *nd)
{
    if (nd == NULL) {
        return -NETDEV_EINVAL;
    }
    if (!nd->present) {
        return -NETDEV_ENODEV;
    }
    int err = nd->ops->start(nd);
    nd->started = err == 0;
    return err;
}

int netdev_send(struct netdev *nd, const void *frame, size_t len)
{
    if (nd == NULL || frame == NULL || len < NETDEV_MIN_FRAME || len > NETDEV_MAX_FRAME) {
        return -NETDEV_EINVAL;
    }
    if (!nd->present) {
        return -NETDEV_ENODEV;
    }
    if (!nd->started) {
        return -NETDEV_ENOTSTARTED;
    }
    int err = nd->ops->send(nd, frame, len);
    if (err == 0) {
        nd->stats.tx_frames++;
    } else {
        nd->stats.tx_errors++;
    }
    return err;
}

int netdev_receive(struct netdev *nd, void *buf, size_t size)
{
    if (nd == NULL || buf == NULL) {
        return -NETDEV_EINVAL;
    }
    if (!nd->present) {
        return -NETDEV_ENODEV;
    }
    if (!nd->started) {
        return -NETDEV_ENOTSTARTED;
    }
    int n = nd->ops->receive(nd, buf, size);
    if (n > 0) {
        nd->stats.rx_frames++;
    }
    return n;
}

void netdev_poll(struct netdev *nd)
{
    if (nd != NULL && nd->present && nd->started && nd->ops->poll != NULL) {
        nd->ops->poll(nd);
    }
}

bool netdev_link_up(const struct netdev *nd)
{
    return nd != NULL && nd->present && nd->started && nd->link_up;
}

void netdev_format_mac(const uint8_t mac[NETDEV_MAC_LEN], char *out, size_t size)
{
    snprintf(out, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void netdev_print_all(void)
{
    struct netdev *nd;
    for (size_t i = 0; (nd = netdev_at(i)) != NULL; i++) {
        char mac[3 * NETDEV_MAC_LEN];
        netdev_format_mac(nd->mac, mac, sizeof mac);
        printf("net%u: %s %s, %s, link %s", (unsigned)i, nd->name, mac, nd->started ? "started" : "not started",
               netdev_link_up(nd) ? "up" : "down");
        if (nd->speed_mbps != 0) {
            printf(" %lu Mbit/s %s", (unsigned long)nd->speed_mbps, nd->full_duplex ? "full duplex" : "half duplex");
        }
        printf("\n");
    }
}

const char *netdev_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case -NETDEV_EINVAL: return "invalid argument or frame size";
    case -NETDEV_ENODEV: return "network device gone";
    case -NETDEV_ENOTSTARTED: return "network device not started";
    case -NETDEV_EIO: return "network device I/O error";
    case -NETDEV_ETIMEDOUT: return "network device timed out";
    case -NETDEV_EFULL: return "too many network devices";
    default: return "unknown network device error";
    }
}
