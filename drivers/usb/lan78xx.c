/*
 * Microchip LAN78xx USB Ethernet. Register map and init order: LAN7800 datasheet and the facts Linux's lan78xx
 * driver relies on (lite reset, MAC address in RX_ADDR and perfect filter 0, bulk-in NAK when empty, FIFO ends,
 * receive filter, PHY reset, automatic speed/duplex, TX then RX enables with the FIFO controllers).
 */
#include "drivers/usb/lan78xx.h"

#include "drivers/netdev.h"
#include "drivers/usb/mchp_usb.h"

/* clang-format off */
#define LAN_NAME             "lan78xx"
#define MCHP_VENDOR          0x0424u
#define LAN7800_PRODUCT      0x7800u
#define LAN7801_PRODUCT      0x7801u
#define LAN7850_PRODUCT      0x7850u

#define INT_STS              0x00Cu
#define  INT_STS_CLEAR_ALL   0xFFFFFFFFu
#define HW_CFG               0x010u
#define  HW_CFG_LRST         (1u << 1)
#define  HW_CFG_MEF          (1u << 4)
#define  HW_CFG_LED0_EN      (1u << 20)
#define  HW_CFG_LED1_EN      (1u << 21)
#define PMT_CTL              0x014u
#define  PMT_CTL_PHY_RST     (1u << 4)
#define  PMT_CTL_READY       (1u << 7)
#define USB_CFG0             0x080u
#define  USB_CFG_BCE         (1u << 5)
#define  USB_CFG_BIR         (1u << 6)
#define BURST_CAP            0x090u
#define BULK_IN_DLY          0x094u
/* 0x800 x 16.7 ns ~ 34 us: the datasheet's default hold time for short bulk-in transfers. */
#define  BULK_IN_DLY_DEFAULT 0x800u
#define RFE_CTL              0x0B0u
#define  RFE_CTL_DA_PERFECT  (1u << 1)
#define  RFE_CTL_MCAST_EN    (1u << 9)
#define  RFE_CTL_BCAST_EN    (1u << 10)
#define FCT_RX_CTL           0x0C0u
#define  FCT_RX_CTL_EN       (1u << 31)
#define FCT_TX_CTL           0x0C4u
#define  FCT_TX_CTL_EN       (1u << 31)
#define FCT_RX_FIFO_END      0x0C8u
#define FCT_TX_FIFO_END      0x0CCu
/* FIFO RAM: 12 KiB each way; the end registers count 512-byte blocks, minus one. */
#define  FCT_FIFO_BYTES      (12u * 1024u)
#define  FCT_FIFO_BLOCK      512u
#define  FCT_FIFO_END        ((FCT_FIFO_BYTES - FCT_FIFO_BLOCK) / FCT_FIFO_BLOCK)
#define FCT_FLOW             0x0D0u
#define MAC_CR               0x100u
#define  MAC_CR_AUTO_SPEED   (1u << 11)
#define  MAC_CR_AUTO_DUPLEX  (1u << 12)
#define  MAC_CR_EEE_EN       (1u << 17)
#define MAC_RX               0x104u
#define  MAC_RX_RXEN         (1u << 0)
#define  MAC_RX_FCS_STRIP    (1u << 4)
#define  MAC_RX_MAX_SIZE_LSB 16u
#define  MAC_RX_MAX_SIZE_MASK (0x3FFFu << 16)
#define MAC_TX               0x108u
#define  MAC_TX_TXEN         (1u << 0)
#define FLOW                 0x10Cu
#define RX_ADDRH             0x118u
#define RX_ADDRL             0x11Cu
#define MII_ACC              0x120u
#define MII_DATA             0x124u
#define MAF_HI0              0x400u
#define MAF_LO0              0x404u
#define  MAF_HI_VALID        (1u << 31)

#define LAN78XX_PHY_ADDR     1u
/* The max-size check counts the FCS, before it is stripped (Linux adds 4 for the same reason). */
#define ETH_FCS_LEN          4u
#define RX_MAX_FRAME         (NETDEV_MAX_FRAME + ETH_FCS_LEN)

/* TX command word A (word B stays 0: no VLAN tag, no large-send offload). */
#define TX_CMD_A_LEN_MASK    0x000FFFFFu
#define TX_CMD_A_FCS         (1u << 22)
/* RX command words A and B (32-bit) and C (16-bit) ahead of each frame. */
#define RX_CMD_A_LEN_MASK    0x3FFFu
#define RX_CMD_A_RED         (1u << 22)
#define RX_HEADER_SIZE       10u

#define RESET_TIMEOUT_US     1000000u
/* clang-format on */

static const struct netdev_ops lan_ops;

static const struct mchp_chip lan_chip = {
    .name = LAN_NAME,
    .ops = &lan_ops,
    .mii_access_reg = MII_ACC,
    .mii_data_reg = MII_DATA,
    .phy_addr = LAN78XX_PHY_ADDR,
    .gigabit = true,
    /* EEE stays off: the MAC's EEE_EN is never set, and Linux drivers/net/usb/lan78xx.c lan78xx_phy_init() (the
     * Raspberry Pi kernel) enables it only when the device tree asks ("microchip,eee-enabled"). The LAN88xx PHY
     * would otherwise advertise it and the partner enter low-power idle on a link our MAC does not manage. */
    .eee_off = true,
    .addr_lo_reg = RX_ADDRL,
    .addr_hi_reg = RX_ADDRH,
    /* FCS_STRIP is set, so the length is the frame's own. */
    .rx = { .header_size = RX_HEADER_SIZE,
            .len_lsb = 0,
            .len_mask = RX_CMD_A_LEN_MASK,
            .error = RX_CMD_A_RED,
            .fcs_len = 0 },
};

static struct mchp_eth lan_dev;

static int lan_set_mac(struct usb_device *dev, const uint8_t *mac)
{
    uint32_t lo, hi;
    mchp_mac_to_regs(mac, &lo, &hi);
    int err = mchp_write(dev, RX_ADDRL, lo);
    if (err == 0) {
        err = mchp_write(dev, RX_ADDRH, hi);
    }
    /* Perfect filter slot 0 passes our own address. */
    if (err == 0) {
        err = mchp_write(dev, MAF_LO0, lo);
    }
    if (err == 0) {
        err = mchp_write(dev, MAF_HI0, hi | MAF_HI_VALID);
    }
    return err;
}

static int lan_reset(struct mchp_eth *l)
{
    struct usb_device *dev = l->dev;
    int err = mchp_modify(dev, HW_CFG, 0, HW_CFG_LRST);
    if (err == 0) {
        err = mchp_wait(dev, HW_CFG, HW_CFG_LRST, 0, RESET_TIMEOUT_US);
    }
    if (err == 0) {
        err = lan_set_mac(dev, l->nd.mac);
    }
    /* NAK an empty bulk-in; one frame per transfer (no multi-frame, no burst cap). */
    if (err == 0) {
        err = mchp_modify(dev, USB_CFG0, USB_CFG_BCE, USB_CFG_BIR);
    }
    if (err == 0) {
        err = mchp_write(dev, BURST_CAP, 0);
    }
    if (err == 0) {
        err = mchp_write(dev, BULK_IN_DLY, BULK_IN_DLY_DEFAULT);
    }
    if (err == 0) {
        err = mchp_modify(dev, HW_CFG, HW_CFG_MEF, HW_CFG_LED0_EN | HW_CFG_LED1_EN);
    }
    if (err == 0) {
        err = mchp_write(dev, FCT_RX_FIFO_END, FCT_FIFO_END);
    }
    if (err == 0) {
        err = mchp_write(dev, FCT_TX_FIFO_END, FCT_FIFO_END);
    }
    if (err == 0) {
        err = mchp_write(dev, INT_STS, INT_STS_CLEAR_ALL);
    }
    if (err == 0) {
        err = mchp_write(dev, FLOW, 0);
    }
    if (err == 0) {
        err = mchp_write(dev, FCT_FLOW, 0);
    }
    if (err == 0) {
        err = mchp_modify(dev, RFE_CTL, 0, RFE_CTL_BCAST_EN | RFE_CTL_MCAST_EN | RFE_CTL_DA_PERFECT);
    }
    if (err == 0) {
        err = mchp_modify(dev, PMT_CTL, 0, PMT_CTL_PHY_RST);
    }
    if (err == 0) {
        err = mchp_wait(dev, PMT_CTL, PMT_CTL_PHY_RST | PMT_CTL_READY, PMT_CTL_READY, RESET_TIMEOUT_US);
    }
    if (err == 0) {
        err = mchp_modify(dev, MAC_CR, MAC_CR_EEE_EN, MAC_CR_AUTO_SPEED | MAC_CR_AUTO_DUPLEX);
    }
    if (err == 0) {
        err = mchp_eth_phy_start(l);
    }
    if (err == 0) {
        err = mchp_modify(dev, MAC_TX, 0, MAC_TX_TXEN);
    }
    if (err == 0) {
        err = mchp_modify(dev, FCT_TX_CTL, 0, FCT_TX_CTL_EN);
    }
    if (err == 0) {
        err = mchp_modify(dev, MAC_RX, MAC_RX_MAX_SIZE_MASK,
                          ((uint32_t)RX_MAX_FRAME << MAC_RX_MAX_SIZE_LSB) | MAC_RX_FCS_STRIP | MAC_RX_RXEN);
    }
    if (err == 0) {
        err = mchp_modify(dev, FCT_RX_CTL, 0, FCT_RX_CTL_EN);
    }
    return err;
}

static int lan_start(struct netdev *nd)
{
    struct mchp_eth *l = nd->priv;
    if (lan_reset(l) != 0) {
        return -NETDEV_EIO;
    }
    mchp_eth_started(l);
    return 0;
}

static int lan_send(struct netdev *nd, const void *frame, size_t len)
{
    return mchp_eth_send(nd->priv, ((uint32_t)len & TX_CMD_A_LEN_MASK) | TX_CMD_A_FCS, 0, frame, len);
}

static void lan_poll(struct netdev *nd)
{
    /* The MAC follows the PHY's speed and duplex by itself (MAC_CR_AUTO_*). */
    mchp_eth_link_poll(nd->priv);
}

static const struct netdev_ops lan_ops = {
    .start = lan_start,
    .send = lan_send,
    .receive = mchp_eth_receive,
    .poll = lan_poll,
};

static int lan_probe(struct usb_device *dev, const struct usb_interface_desc *intf)
{
    return mchp_eth_probe(&lan_dev, &lan_chip, dev, intf);
}

/* clang-format off */
static const struct usb_device_id lan_ids[] = {
    { .vendor = MCHP_VENDOR, .product = LAN7800_PRODUCT },
    { .vendor = MCHP_VENDOR, .product = LAN7801_PRODUCT },
    { .vendor = MCHP_VENDOR, .product = LAN7850_PRODUCT },
};
/* clang-format on */

const struct usb_driver lan78xx_driver = {
    .name = LAN_NAME,
    .ids = lan_ids,
    .id_count = sizeof lan_ids / sizeof lan_ids[0],
    .probe = lan_probe,
    .poll = NULL,
    .remove = mchp_eth_remove,
};
