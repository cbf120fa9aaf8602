/*
 * CDC-ECM class driver. Facts: USB CDC 1.2 and its ECM subclass specification 1.2 (functional descriptors
 * 5.4, requests 6.2.4, notifications 6.3).
 */
#include "drivers/usb/cdc_ecm.h"

#include <string.h>

#include "drivers/byteorder.h"
#include "drivers/systimer.h"
#include "drivers/usb/usb_eth.h"
#include "lib/units.h"
#include "lib/wake.h"

/* Class request SET_ETHERNET_PACKET_FILTER and its bits (ECM 6.2.4). */
#define ECM_REQ_SET_PACKET_FILTER  0x43u
#define ECM_FILTER_ALL_MULTICAST   (1u << 1)
#define ECM_FILTER_DIRECTED        (1u << 2)
#define ECM_FILTER_BROADCAST       (1u << 3)
#define ECM_RT_CLASS_INTERFACE_OUT (USB_RT_CLASS | USB_RT_INTERFACE)

/* Notifications (ECM 6.3): 8-byte header, then data. */
#define ECM_NOTE_NETWORK_CONNECTION 0x00u
#define ECM_NOTE_SPEED_CHANGE       0x2Au
#define ECM_NOTE_HEADER_SIZE        8u
#define ECM_NOTE_CODE               1u
#define ECM_NOTE_VALUE              2u
#define ECM_NOTE_SPEED_SIZE         (ECM_NOTE_HEADER_SIZE + 8u)
#define ECM_NOTE_BUF                16u

/* Functional descriptor fields. */
#define UNION_SLAVE0      4u
#define UNION_MIN_SIZE    5u
#define ETHER_I_MAC       3u
#define ETHER_MAX_SEGMENT 8u

#define MAC_HEX_DIGITS 12u
#define MAC_STRING_MAX (MAC_HEX_DIGITS + 4u)
#define BITS_PER_MBIT  1000000u

/* Bulk IN request size: a whole frame, and above 1536 bytes so QEMU's DWC2 model moves it in one go rather than
 * one 64-byte packet per 250 us (see dwc2.c); a multiple of every bulk packet size (64, 512). */
#define ECM_RX_REQUEST 2048u
/* A bulk OUT frame normally takes microseconds; QEMU's model needs about 6 ms for 1514 bytes at full speed. */
#define ECM_TX_TIMEOUT_US 100000u
/* Notification endpoint: poll at least this far apart whatever bInterval says. */
#define ECM_NOTE_MIN_INTERVAL_US 32000u

struct ecm {
    bool used;
    struct netdev nd;
    struct usb_device *dev;
    uint8_t ctrl_if, data_if, data_alt;
    struct usb_pipe in, out, note;
    bool has_note;
    struct usb_async rx, note_xfer;
    uint64_t next_note;
    uint32_t note_interval_us;
};

static struct ecm ecms[CDC_ECM_MAX];

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int cdc_ecm_parse_mac(const char *text, uint8_t mac[NETDEV_MAC_LEN])
{
    if (text == NULL || strlen(text) != MAC_HEX_DIGITS) {
        return -USB_EDESC;
    }
    for (size_t i = 0; i < NETDEV_MAC_LEN; i++) {
        int hi = hex_value(text[2 * i]);
        int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -USB_EDESC;
        }
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int rx_arm(struct ecm *e)
{
    if (usb_async_busy(&e->rx)) {
        return 0;
    }
    return usb_async_submit(&e->rx, &e->in, NULL, ECM_RX_REQUEST);
}

static int ecm_start(struct netdev *nd)
{
    struct ecm *e = nd->priv;
    int err = usb_set_interface(e->dev, e->data_if, e->data_alt);
    if (err != 0) {
        return -NETDEV_EIO;
    }
    e->in.toggle = 0;
    e->out.toggle = 0;
    /* Optional for devices (many accept everything by default); QEMU 7.2 stalls it. */
    usb_control(e->dev, ECM_RT_CLASS_INTERFACE_OUT, ECM_REQ_SET_PACKET_FILTER,
                ECM_FILTER_DIRECTED | ECM_FILTER_BROADCAST | ECM_FILTER_ALL_MULTICAST, e->ctrl_if, NULL, 0, NULL);
    nd->link_up = true;
    e->next_note = systimer_now_us();
    return rx_arm(e) == 0 ? 0 : -NETDEV_EIO;
}

static int ecm_send(struct netdev *nd, const void *frame, size_t len)
{
    struct ecm *e = nd->priv;
    return usb_eth_send(e->dev, &e->out, frame, len, ECM_TX_TIMEOUT_US);
}

/* One copy per frame: from where the core's DMA put it straight into buf (the glue's pbuf). The transfer is armed
 * again once the frame is out of the DMA buffer, which is as soon as a copy into a buffer of our own would allow. */
static int ecm_receive(struct netdev *nd, void *buf, size_t size)
{
    struct ecm *e = nd->priv;
    if (rx_arm(e) != 0) {
        return -NETDEV_EIO;
    }
    const uint8_t *frame = NULL;
    size_t got = 0;
    int r = usb_async_poll_held(&e->rx, &frame, &got);
    if (r == USB_IN_PROGRESS) {
        return 0;
    }
    if (r != 0) {
        rx_arm(e);
        nd->stats.rx_errors++;
        if (r == -USB_ESTALL) {
            usb_clear_halt(e->dev, &e->in);
        }
        return -NETDEV_EIO;
    }
    int ret = 0;
    if (got >= NETDEV_MIN_FRAME && got <= size && got <= NETDEV_MAX_FRAME) {
        memcpy(buf, frame, got);
        ret = (int)got;
    } else if (got != 0) {
        nd->stats.rx_dropped++;
    }
    usb_async_release(&e->rx);
    rx_arm(e);
    return ret;
}

static void handle_notification(struct ecm *e, const uint8_t *n, size_t len)
{
    if (len < ECM_NOTE_HEADER_SIZE) {
        return;
    }
    if (n[ECM_NOTE_CODE] == ECM_NOTE_NETWORK_CONNECTION) {
        e->nd.link_up = byteorder_get_le16(n + ECM_NOTE_VALUE) != 0;
    } else if (n[ECM_NOTE_CODE] == ECM_NOTE_SPEED_CHANGE && len >= ECM_NOTE_SPEED_SIZE) {
        /* The downstream bit rate comes first. */
        e->nd.speed_mbps = byteorder_get_le32(n + ECM_NOTE_HEADER_SIZE) / BITS_PER_MBIT;
    }
}

static void ecm_poll(struct netdev *nd)
{
    struct ecm *e = nd->priv;
    if (!e->has_note) {
        return;
    }
    if (!usb_async_busy(&e->note_xfer)) {
        if (systimer_now_us() < e->next_note) {
            wake_at(e->next_note);
            return;
        }
        if (usb_async_submit(&e->note_xfer, &e->note, NULL, ECM_NOTE_BUF) != 0) {
            wake_at(systimer_now_us() + e->note_interval_us); /* no channel free: try again at the next interval */
            return;
        }
    }
    uint8_t buf[ECM_NOTE_BUF];
    size_t got = 0;
    int r = usb_async_poll(&e->note_xfer, buf, sizeof buf, &got);
    if (r == USB_IN_PROGRESS) {
        return;
    }
    e->next_note = systimer_now_us() + e->note_interval_us;
    wake_at(e->next_note); /* while the transfer is in flight, its channel's halt interrupt wakes the loop */
    if (r == 0) {
        handle_notification(e, buf, got);
    } else if (r == -USB_ESTALL) {
        usb_clear_halt(e->dev, &e->note);
    }
}

static const struct netdev_ops ecm_ops = {
    .start = ecm_start,
    .send = ecm_send,
    .receive = ecm_receive,
    .poll = ecm_poll,
};

/* Finds the data interface's alternate setting that carries a bulk IN and a bulk OUT endpoint. */
static int find_data_alt(struct ecm *e, const struct usb_device *dev)
{
    for (unsigned alt = 0; alt < 2u; alt++) {
        /* ECM 5.3: alternate setting 1 is the active one; try it first. */
        uint8_t want = alt == 0 ? 1u : 0u;
        struct usb_interface_desc di;
        struct usb_endpoint_desc in, out;
        if (usb_desc_find_interface(dev->config, dev->config_len, e->data_if, want, &di) != 0 ||
            usb_desc_find_bulk_pair(dev->config, dev->config_len, &di, &in, &out) != 0) {
            continue;
        }
        e->data_alt = want;
        usb_pipe_init(e->dev, &in, &e->in);
        usb_pipe_init(e->dev, &out, &e->out);
        return 0;
    }
    return -USB_EDESC;
}

static int ecm_probe(struct usb_device *dev, const struct usb_interface_desc *intf)
{
    struct ecm *e = NULL;
    for (size_t i = 0; i < CDC_ECM_MAX; i++) {
        if (!ecms[i].used) {
            e = &ecms[i];
            break;
        }
    }
    if (e == NULL) {
        return -USB_EFULL;
    }
    memset(e, 0, sizeof *e);
    e->dev = dev;
    e->ctrl_if = intf->number;

    const uint8_t *d;
    size_t dlen;
    e->data_if = (uint8_t)(intf->number + 1u);
    if (usb_desc_find_class_desc(dev->config, dev->config_len, intf, USB_CDC_FD_UNION, UNION_MIN_SIZE, &d, &dlen) ==
        0) {
        e->data_if = d[UNION_SLAVE0];
    }
    if (usb_desc_find_class_desc(dev->config, dev->config_len, intf, USB_CDC_FD_ETHERNET, USB_CDC_ETHERNET_DESC_SIZE,
                                 &d, &dlen) != 0) {
        return -USB_EDESC;
    }
    uint8_t i_mac = d[ETHER_I_MAC];
    int err = find_data_alt(e, dev);
    if (err != 0) {
        return err;
    }
    struct usb_endpoint_desc ep;
    if (usb_desc_find_endpoint(dev->config, dev->config_len, intf, USB_EP_TYPE_INTR, true, &ep) == 0 &&
        ep.max_packet != 0) {
        usb_pipe_init(dev, &ep, &e->note);
        e->has_note = true;
        uint32_t us = (uint32_t)ep.interval * US_PER_MS;
        e->note_interval_us = us < ECM_NOTE_MIN_INTERVAL_US ? ECM_NOTE_MIN_INTERVAL_US : us;
    }

    char text[MAC_STRING_MAX];
    err = usb_get_string(dev, i_mac, text, sizeof text);
    if (err < 0) {
        return err;
    }
    err = cdc_ecm_parse_mac(text, e->nd.mac);
    if (err != 0) {
        return err;
    }
    err = usb_eth_register(dev, &e->nd, cdc_ecm_driver.name, &ecm_ops, e);
    e->used = err == 0;
    return err;
}

static void ecm_remove(struct usb_device *dev)
{
    struct ecm *e = dev->driver_data;
    if (e == NULL) {
        return;
    }
    usb_async_cancel(&e->rx);
    usb_async_cancel(&e->note_xfer);
    usb_eth_unregister(dev, &e->nd);
    e->used = false;
}

/* clang-format off */
static const struct usb_device_id ecm_ids[] = {
    { .by_class = true, .if_class = USB_CLASS_COMM, .if_subclass = USB_CDC_SUBCLASS_ECM },
};
/* clang-format on */

const struct usb_driver cdc_ecm_driver = {
    .name = "cdc_ecm",
    .ids = ecm_ids,
    .id_count = sizeof ecm_ids / sizeof ecm_ids[0],
    .probe = ecm_probe,
    .poll = NULL,
    .remove = ecm_remove,
};
