/*
 * SMSC LAN951x/LAN9500 USB Ethernet. Register map and init order: LAN9512 datasheet and the facts Linux's
 * smsc95xx driver relies on (lite reset, PHY reset, MAC address, bulk-in NAK when empty, no burst/multi-frame,
 * checksum offload off, PHY autonegotiation, then TX and RX enables).
 */
#include "drivers/usb/smsc95xx.h"

#include <string.h>

#include "drivers/mii.h"
#include "drivers/netdev.h"
#include "drivers/systimer.h"
#include "drivers/usb/mchp_usb.h"

#define SMSC_VENDOR          0x0424u
#define SMSC_PRODUCT_LAN9512 0xEC00u /* LAN9512/LAN9514 (Pi on-board) */
#define SMSC_PRODUCT_LAN9500 0x9500u
#define SMSC_PRODUCT_LAN9500A 0x9E00u

#define INT_STS              0x008u
#define  INT_STS_CLEAR_ALL   0xFFFFFFFFu
#define TX_CFG               0x010u
#define  TX_CFG_ON           (1u << 2)
#define HW_CFG               0x014u
#define  HW_CFG_LRST         (1u << 3)
#define  HW_CFG_BCE          (1u << 1)
#define  HW_CFG_MEF          (1u << 5)
#define  HW_CFG_RXDOFF_MASK  (3u << 9)
#define  HW_CFG_BIR          (1u << 12)
#define PM_CTRL              0x020u
#define  PM_CTRL_PHY_RST     (1u << 4)
#define LED_GPIO_CFG         0x024u
#define  LED_GPIO_CFG_FDX    (1u << 16)
#define  LED_GPIO_CFG_LNK    (1u << 20)
#define  LED_GPIO_CFG_SPD    (1u << 24)
#define AFC_CFG              0x02Cu
/* Flow control thresholds and back-pressure defaults from the datasheet's AFC_CFG description. */
#define  AFC_CFG_DEFAULT     0x00F830A1u
#define BURST_CAP            0x038u
#define BULK_IN_DLY          0x06Cu
/* 0x2000 x 16.7 ns ~ 136 us: how long the chip may hold a short bulk-in transfer open (datasheet default). */
#define  BULK_IN_DLY_DEFAULT 0x2000u
#define MAC_CR               0x100u
#define  MAC_CR_RXEN         (1u << 2)
#define  MAC_CR_TXEN         (1u << 3)
#define  MAC_CR_FDPX         (1u << 20)
#define  MAC_CR_MCPAS        (1u << 19)
#define  MAC_CR_PRMS         (1u << 18)
#define  MAC_CR_HPFILT       (1u << 13)
#define ADDRH                0x104u
#define ADDRL                0x108u
#define MII_ADDR             0x114u
#define MII_DATA             0x118u
#define FLOW                 0x11Cu
#define VLAN1                0x120u
#define  ETH_P_8021Q         0x8100u
#define COE_CR               0x130u
#define  COE_CR_RX_EN        (1u << 0)
#define  COE_CR_TX_EN        (1u << 16)

#define SMSC_PHY_ADDR        1u

/* TX command words (datasheet "TX Command A/B"). */
#define TX_CMD_A_LAST_SEG    (1u << 12)
#define TX_CMD_A_FIRST_SEG   (1u << 13)
#define TX_CMD_LEN_MASK      0x7FFu
#define TX_HEADER_SIZE       8u
/* RX status word. */
#define RX_STS_SIZE          4u
#define RX_STS_FL_LSB        16u
#define RX_STS_FL_MASK       0x3FFFu
#define RX_STS_ES            (1u << 15)
#define ETH_FCS_LEN          4u
#define RX_ALIGN             4u

#define RESET_TIMEOUT_US     1000000u
#define LINK_POLL_US         1000000u
#define TX_TIMEOUT_US        100000u

struct smsc {
    bool used;
    struct netdev nd;
    struct usb_device *dev;
    struct dwc2_pipe in, out;
    struct mchp_rx rx;
    uint64_t next_link_poll;
    uint8_t tx_buf[TX_HEADER_SIZE + NETDEV_MAX_FRAME];
};

static struct smsc smsc_dev;

static const struct mchp_mii smsc_mii = { MII_ADDR, MII_DATA, SMSC_PHY_ADDR };

static int smsc_set_mac(struct usb_device *dev, const uint8_t *mac)
{
    uint32_t lo, hi;
    mchp_mac_to_regs(mac, &lo, &hi);
    int err = mchp_write(dev, ADDRL, lo);
    return err != 0 ? err : mchp_write(dev, ADDRH, hi);
}

/* The init sequence; stops at the first failure. */
static int smsc_reset(struct smsc *s)
{
    struct usb_device *dev = s->dev;
    int err = mchp_write(dev, HW_CFG, HW_CFG_LRST);
    if (err == 0) err = mchp_wait(dev, HW_CFG, HW_CFG_LRST, 0, RESET_TIMEOUT_US);
    if (err == 0) err = mchp_write(dev, PM_CTRL, PM_CTRL_PHY_RST);
    if (err == 0) err = mchp_wait(dev, PM_CTRL, PM_CTRL_PHY_RST, 0, RESET_TIMEOUT_US);
    if (err == 0) err = smsc_set_mac(dev, s->nd.mac);
    /* One frame per bulk-in transfer, and NAK (not a zero-length packet) when there is none. */
    if (err == 0) err = mchp_modify(dev, HW_CFG, HW_CFG_BCE | HW_CFG_MEF | HW_CFG_RXDOFF_MASK, HW_CFG_BIR);
    if (err == 0) err = mchp_write(dev, BURST_CAP, 0);
    if (err == 0) err = mchp_write(dev, BULK_IN_DLY, BULK_IN_DLY_DEFAULT);
    if (err == 0) err = mchp_write(dev, INT_STS, INT_STS_CLEAR_ALL);
    if (err == 0) err = mchp_write(dev, LED_GPIO_CFG, LED_GPIO_CFG_SPD | LED_GPIO_CFG_LNK | LED_GPIO_CFG_FDX);
    if (err == 0) err = mchp_write(dev, FLOW, 0);
    if (err == 0) err = mchp_write(dev, AFC_CFG, AFC_CFG_DEFAULT);
    if (err == 0) err = mchp_write(dev, VLAN1, ETH_P_8021Q);
    if (err == 0) err = mchp_modify(dev, COE_CR, COE_CR_RX_EN | COE_CR_TX_EN, 0);
    /* Own address and broadcast, all multicast (mDNS, IPv6 neighbours), never promiscuous. */
    if (err == 0) err = mchp_modify(dev, MAC_CR, MAC_CR_PRMS | MAC_CR_HPFILT, MAC_CR_MCPAS);
    if (err == 0) err = mchp_phy_start(dev, &smsc_mii, false);
    if (err == 0) err = mchp_modify(dev, MAC_CR, 0, MAC_CR_TXEN);
    if (err == 0) err = mchp_write(dev, TX_CFG, TX_CFG_ON);
    if (err == 0) err = mchp_modify(dev, MAC_CR, 0, MAC_CR_RXEN);
    return err;
}

static int smsc_start(struct netdev *nd)
{
    struct smsc *s = nd->priv;
    int err = smsc_reset(s);
    if (err != 0) {
        return -NETDEV_EIO;
    }
    nd->link_up = false;
    s->next_link_poll = systimer_now_us();
    return 0;
}

static int smsc_send(struct netdev *nd, const void *frame, size_t len)
{
    struct smsc *s = nd->priv;
    uint32_t n = (uint32_t)len & TX_CMD_LEN_MASK;
    mchp_put_le32(s->tx_buf, n | TX_CMD_A_FIRST_SEG | TX_CMD_A_LAST_SEG);
    mchp_put_le32(s->tx_buf + 4, n);
    memcpy(s->tx_buf + TX_HEADER_SIZE, frame, len);
    size_t total = TX_HEADER_SIZE + len;
    int err = usb_transfer(&s->out, s->tx_buf, total, NULL, TX_TIMEOUT_US);
    if (err == 0 && total % s->out.mps == 0) {
        err = usb_transfer(&s->out, NULL, 0, NULL, TX_TIMEOUT_US);
    }
    if (err == -USB_ESTALL) {
        usb_clear_halt(s->dev, &s->out);
    }
    if (err == -USB_ETIMEDOUT) {
        return -NETDEV_ETIMEDOUT;
    }
    return err == 0 ? 0 : -NETDEV_EIO;
}

static int smsc_receive(struct netdev *nd, void *buf, size_t size)
{
    struct smsc *s = nd->priv;
    for (;;) {
        int avail = mchp_rx_fill(&s->rx, s->dev, &s->in);
        if (avail <= 0) {
            if (avail < 0) {
                nd->stats.rx_errors++;
                return -NETDEV_EIO;
            }
            return 0;
        }
        const uint8_t *p = s->rx.buf + s->rx.pos;
        if ((size_t)avail < RX_STS_SIZE) {
            s->rx.pos = s->rx.len;
            nd->stats.rx_dropped++;
            continue;
        }
        uint32_t sts = mchp_le32(p);
        size_t flen = (sts >> RX_STS_FL_LSB) & RX_STS_FL_MASK;
        if (flen > (size_t)avail - RX_STS_SIZE) {
            /* Claims more than the transfer holds: nothing after it can be trusted. */
            s->rx.pos = s->rx.len;
            nd->stats.rx_dropped++;
            continue;
        }
        size_t step = (RX_STS_SIZE + flen + RX_ALIGN - 1u) & ~(size_t)(RX_ALIGN - 1u);
        s->rx.pos = step < (size_t)avail ? s->rx.pos + step : s->rx.len;
        if (sts & RX_STS_ES) {
            nd->stats.rx_errors++;
            continue;
        }
        if (flen < NETDEV_MIN_FRAME + ETH_FCS_LEN || flen - ETH_FCS_LEN > size ||
            flen - ETH_FCS_LEN > NETDEV_MAX_FRAME) {
            nd->stats.rx_dropped++;
            continue;
        }
        memcpy(buf, p + RX_STS_SIZE, flen - ETH_FCS_LEN);
        return (int)(flen - ETH_FCS_LEN);
    }
}

static void smsc_poll(struct netdev *nd)
{
    struct smsc *s = nd->priv;
    if (systimer_now_us() < s->next_link_poll) {
        return;
    }
    s->next_link_poll = systimer_now_us() + LINK_POLL_US;
    if (mchp_link_poll(s->dev, &smsc_mii, false, nd) == 1 && nd->link_up) {
        /* The MAC must use the duplex the PHY negotiated. */
        mchp_modify(s->dev, MAC_CR, MAC_CR_FDPX, nd->full_duplex ? MAC_CR_FDPX : 0);
    }
}

static const struct netdev_ops smsc_ops = {
    .start = smsc_start,
    .send = smsc_send,
    .receive = smsc_receive,
    .poll = smsc_poll,
};

static int smsc_probe(struct usb_device *dev, const struct usb_interface_desc *intf)
{
    struct smsc *s = &smsc_dev;
    if (s->used) {
        return -USB_EFULL;
    }
    struct usb_endpoint_desc in, out;
    if (usb_desc_find_endpoint(dev->config, dev->config_len, intf, USB_EP_TYPE_BULK, true, &in) != 0 ||
        usb_desc_find_endpoint(dev->config, dev->config_len, intf, USB_EP_TYPE_BULK, false, &out) != 0 ||
        in.max_packet == 0 || out.max_packet == 0) {
        return -USB_EDESC;
    }
    memset(s, 0, sizeof *s);
    s->dev = dev;
    usb_pipe_init(dev, &in, &s->in);
    usb_pipe_init(dev, &out, &s->out);
    if (!netdev_board_mac(s->nd.mac)) {
        /* No firmware MAC: the chip's own register (an EEPROM may have loaded it), as Linux falls back to. */
        uint32_t lo, hi;
        if (mchp_read(dev, ADDRL, &lo) != 0 || mchp_read(dev, ADDRH, &hi) != 0) {
            return -USB_EIO;
        }
        mchp_mac_from_regs(lo, hi, s->nd.mac);
    }
    s->nd.name = smsc95xx_driver.name;
    s->nd.ops = &smsc_ops;
    s->nd.priv = s;
    s->nd.present = true;
    if (netdev_register(&s->nd) != 0) {
        return -USB_EFULL;
    }
    s->used = true;
    dev->driver_data = s;
    return 0;
}

static void smsc_remove(struct usb_device *dev)
{
    struct smsc *s = dev->driver_data;
    if (s == NULL) {
        return;
    }
    usb_async_cancel(&s->rx.xfer);
    s->nd.present = false;
    s->nd.link_up = false;
    s->used = false;
    dev->driver_data = NULL;
}

static const struct usb_device_id smsc_ids[] = {
    { .vendor = SMSC_VENDOR, .product = SMSC_PRODUCT_LAN9512 },
    { .vendor = SMSC_VENDOR, .product = SMSC_PRODUCT_LAN9500 },
    { .vendor = SMSC_VENDOR, .product = SMSC_PRODUCT_LAN9500A },
};

const struct usb_driver smsc95xx_driver = {
    .name = "smsc95xx",
    .ids = smsc_ids,
    .id_count = sizeof smsc_ids / sizeof smsc_ids[0],
    .probe = smsc_probe,
    .poll = NULL,
    .remove = smsc_remove,
};
