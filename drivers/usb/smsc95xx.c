/*
 * SMSC LAN951x/LAN9500 USB Ethernet. Register map and init order: LAN9512 datasheet and the facts Linux's
 * smsc95xx driver relies on (lite reset, PHY reset, MAC address, bulk-in NAK when empty, no burst/multi-frame,
 * checksum offload off, PHY autonegotiation, then TX and RX enables).
 */
#include "drivers/usb/smsc95xx.h"

#include "drivers/mii.h"
#include "drivers/netdev.h"
#include "drivers/usb/mchp_usb.h"

/* clang-format off */
#define SMSC_NAME            "smsc95xx"
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
/* FCMULT, FCBRD, FCADD, FCANY: the frames whose arrival into a full RX FIFO makes the MAC send pause frames (full
 * duplex) or back-pressure (half duplex). */
#define  AFC_CFG_FC_MASK     0xFu
#define BURST_CAP            0x038u
#define BULK_IN_DLY          0x06Cu
/* 0x2000 x 16.7 ns ~ 136 us: how long the chip may hold a short bulk-in transfer open (datasheet default). */
#define  BULK_IN_DLY_DEFAULT 0x2000u
#define MAC_CR               0x100u
#define  MAC_CR_RXEN         (1u << 2)
#define  MAC_CR_TXEN         (1u << 3)
#define  MAC_CR_RCVOWN       (1u << 23) /* half duplex: do not receive our own transmissions */
#define  MAC_CR_FDPX         (1u << 20)
#define  MAC_CR_MCPAS        (1u << 19)
#define  MAC_CR_PRMS         (1u << 18)
#define  MAC_CR_HPFILT       (1u << 13)
#define ADDRH                0x104u
#define ADDRL                0x108u
#define MII_ADDR             0x114u
#define MII_DATA             0x118u
#define FLOW                 0x11Cu
#define  FLOW_FCPT_LSB       16u        /* pause time in the pause frames we send */
#define  FLOW_FCPT_MAX       0xFFFFu
#define  FLOW_FCE            (1u << 1)  /* obey received pause frames */
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
/* RX status word ahead of each frame. */
#define RX_STS_SIZE          4u
#define RX_STS_FL_LSB        16u
#define RX_STS_FL_MASK       0x3FFFu
#define RX_STS_ES            (1u << 15)
#define ETH_FCS_LEN          4u

#define RESET_TIMEOUT_US     1000000u
/* clang-format on */

static const struct netdev_ops smsc_ops;

static const struct mchp_chip smsc_chip = {
    .name = SMSC_NAME,
    .ops = &smsc_ops,
    .mii_access_reg = MII_ADDR,
    .mii_data_reg = MII_DATA,
    .phy_addr = SMSC_PHY_ADDR,
    .gigabit = false,
    .addr_lo_reg = ADDRL,
    .addr_hi_reg = ADDRH,
    /* The frame length counts the FCS, which the chip leaves in place. */
    .rx = { .header_size = RX_STS_SIZE,
            .len_lsb = RX_STS_FL_LSB,
            .len_mask = RX_STS_FL_MASK,
            .error = RX_STS_ES,
            .fcs_len = ETH_FCS_LEN },
};

static struct mchp_eth smsc_dev;

static int smsc_set_mac(struct usb_device *dev, const uint8_t *mac)
{
    uint32_t lo, hi;
    mchp_mac_to_regs(mac, &lo, &hi);
    int err = mchp_write(dev, ADDRL, lo);
    return err != 0 ? err : mchp_write(dev, ADDRH, hi);
}

/* The init sequence; stops at the first failure. */
static int smsc_reset(struct mchp_eth *s)
{
    struct usb_device *dev = s->dev;
    int err = mchp_write(dev, HW_CFG, HW_CFG_LRST);
    if (err == 0) {
        err = mchp_wait(dev, HW_CFG, HW_CFG_LRST, 0, RESET_TIMEOUT_US);
    }
    if (err == 0) {
        err = mchp_write(dev, PM_CTRL, PM_CTRL_PHY_RST);
    }
    if (err == 0) {
        err = mchp_wait(dev, PM_CTRL, PM_CTRL_PHY_RST, 0, RESET_TIMEOUT_US);
    }
    if (err == 0) {
        err = smsc_set_mac(dev, s->nd.mac);
    }
    /* One frame per bulk-in transfer, and NAK (not a zero-length packet) when there is none. */
    if (err == 0) {
        err = mchp_modify(dev, HW_CFG, HW_CFG_BCE | HW_CFG_MEF | HW_CFG_RXDOFF_MASK, HW_CFG_BIR);
    }
    if (err == 0) {
        err = mchp_write(dev, BURST_CAP, 0);
    }
    if (err == 0) {
        err = mchp_write(dev, BULK_IN_DLY, BULK_IN_DLY_DEFAULT);
    }
    if (err == 0) {
        err = mchp_write(dev, INT_STS, INT_STS_CLEAR_ALL);
    }
    if (err == 0) {
        err = mchp_write(dev, LED_GPIO_CFG, LED_GPIO_CFG_SPD | LED_GPIO_CFG_LNK | LED_GPIO_CFG_FDX);
    }
    if (err == 0) {
        err = mchp_write(dev, FLOW, 0);
    }
    if (err == 0) {
        err = mchp_write(dev, AFC_CFG, AFC_CFG_DEFAULT);
    }
    if (err == 0) {
        err = mchp_write(dev, VLAN1, ETH_P_8021Q);
    }
    if (err == 0) {
        err = mchp_modify(dev, COE_CR, COE_CR_RX_EN | COE_CR_TX_EN, 0);
    }
    /* Own address and broadcast, all multicast (mDNS, IPv6 neighbours), never promiscuous. */
    if (err == 0) {
        err = mchp_modify(dev, MAC_CR, MAC_CR_PRMS | MAC_CR_HPFILT, MAC_CR_MCPAS);
    }
    if (err == 0) {
        err = mchp_eth_phy_start(s);
    }
    if (err == 0) {
        err = mchp_modify(dev, MAC_CR, 0, MAC_CR_TXEN);
    }
    if (err == 0) {
        err = mchp_write(dev, TX_CFG, TX_CFG_ON);
    }
    if (err == 0) {
        err = mchp_modify(dev, MAC_CR, 0, MAC_CR_RXEN);
    }
    return err;
}

static int smsc_start(struct netdev *nd)
{
    struct mchp_eth *s = nd->priv;
    if (smsc_reset(s) != 0) {
        return -NETDEV_EIO;
    }
    mchp_eth_started(s);
    return 0;
}

static int smsc_send(struct netdev *nd, const void *frame, size_t len)
{
    uint32_t n = (uint32_t)len & TX_CMD_LEN_MASK;
    return mchp_eth_send(nd->priv, n | TX_CMD_A_FIRST_SEG | TX_CMD_A_LAST_SEG, n, frame, len);
}

/* The MAC follows the link the PHY negotiated, as Linux drivers/net/usb/smsc95xx.c smsc95xx_link_reset() and
 * smsc95xx_phy_update_flowcontrol() program it: full duplex sets FDPX, half duplex RCVOWN instead (the MAC would
 * otherwise receive its own frames); on full duplex, pause as both ends advertised it (FLOW to obey the partner's,
 * AFC_CFG to send our own), on half duplex no pause and back-pressure on. */
static int smsc_link_reset(struct mchp_eth *s)
{
    bool full = s->nd.full_duplex;
    bool tx_pause = true, rx_pause = false;
    if (full) {
        mii_resolve_pause(s->adv, s->lpa, &tx_pause, &rx_pause);
    }
    int err = mchp_modify(s->dev, MAC_CR, MAC_CR_FDPX | MAC_CR_RCVOWN, full ? MAC_CR_FDPX : MAC_CR_RCVOWN);
    if (err == 0) {
        err = mchp_write(s->dev, FLOW, rx_pause ? (FLOW_FCPT_MAX << FLOW_FCPT_LSB) | FLOW_FCE : 0);
    }
    if (err == 0) {
        err = mchp_modify(s->dev, AFC_CFG, AFC_CFG_FC_MASK, tx_pause ? AFC_CFG_FC_MASK : 0);
    }
    return err;
}

static void smsc_poll(struct netdev *nd)
{
    struct mchp_eth *s = nd->priv;
    if (mchp_eth_link_poll(s) == 1 && nd->link_up && smsc_link_reset(s) != 0) {
        /* Try again at the next poll rather than run with the wrong duplex. */
        nd->link_up = false;
    }
}

static const struct netdev_ops smsc_ops = {
    .start = smsc_start,
    .send = smsc_send,
    .receive = mchp_eth_receive,
    .poll = smsc_poll,
};

static int smsc_probe(struct usb_device *dev, const struct usb_interface_desc *intf)
{
    return mchp_eth_probe(&smsc_dev, &smsc_chip, dev, intf);
}

/* clang-format off */
static const struct usb_device_id smsc_ids[] = {
    { .vendor = SMSC_VENDOR, .product = SMSC_PRODUCT_LAN9512 },
    { .vendor = SMSC_VENDOR, .product = SMSC_PRODUCT_LAN9500 },
    { .vendor = SMSC_VENDOR, .product = SMSC_PRODUCT_LAN9500A },
};
/* clang-format on */

const struct usb_driver smsc95xx_driver = {
    .name = SMSC_NAME,
    .ids = smsc_ids,
    .id_count = sizeof smsc_ids / sizeof smsc_ids[0],
    .probe = smsc_probe,
    .poll = NULL,
    .remove = mchp_eth_remove,
};
