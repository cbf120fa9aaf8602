/*
 * Vendor-request register access, MII, and the netdev data path for SMSC/Microchip USB Ethernet chips (LAN9512 and
 * LAN7800 datasheets, "USB vendor commands" and "Bulk-Out/In Packet Format"; the same requests as Linux's smsc95xx
 * and lan78xx drivers use).
 */
#include "drivers/usb/mchp_usb.h"

#include <string.h>

#include "drivers/byteorder.h"
#include "drivers/mii.h"
#include "drivers/systimer.h"
#include "drivers/usb/usb_eth.h"
#include "lib/wake.h"

#define MCHP_REQ_WRITE_REGISTER 0xA0u
#define MCHP_REQ_READ_REGISTER  0xA1u
#define MCHP_RT_OUT             (USB_RT_VENDOR | USB_RT_DEVICE)
#define MCHP_RT_IN              (USB_RT_IN | USB_RT_VENDOR | USB_RT_DEVICE)
#define MCHP_REG_SIZE           4u

/* MII access register: same layout on both chip families. */
#define MII_ACC_BUSY     (1u << 0)
#define MII_ACC_WRITE    (1u << 1)
#define MII_ACC_REG_LSB  6u
#define MII_ACC_REG_MASK 0x1Fu
#define MII_ACC_PHY_LSB  11u
#define MII_ACC_PHY_MASK 0x1Fu
/* An MII frame takes 64 MDC clocks at 2.5 MHz or less: tens of microseconds; a vendor request takes longer. */
#define MII_TIMEOUT_US 100000u

void mchp_mac_to_regs(const uint8_t mac[NETDEV_MAC_LEN], uint32_t *lo, uint32_t *hi)
{
    *lo = byteorder_get_le32(mac);
    *hi = byteorder_get_le16(mac + 4);
}

static void mac_from_regs(uint32_t lo, uint32_t hi, uint8_t mac[NETDEV_MAC_LEN])
{
    byteorder_put_le32(mac, lo);
    byteorder_put_le16(mac + 4, (uint16_t)hi);
}

int mchp_read(struct usb_device *dev, uint16_t reg, uint32_t *value)
{
    uint8_t buf[MCHP_REG_SIZE];
    size_t got = 0;
    int err = usb_control(dev, MCHP_RT_IN, MCHP_REQ_READ_REGISTER, 0, reg, buf, MCHP_REG_SIZE, &got);
    if (err != 0) {
        return err;
    }
    if (got != MCHP_REG_SIZE) {
        return -USB_EIO;
    }
    *value = byteorder_get_le32(buf);
    return 0;
}

int mchp_write(struct usb_device *dev, uint16_t reg, uint32_t value)
{
    uint8_t buf[MCHP_REG_SIZE];
    byteorder_put_le32(buf, value);
    return usb_control(dev, MCHP_RT_OUT, MCHP_REQ_WRITE_REGISTER, 0, reg, buf, MCHP_REG_SIZE, NULL);
}

int mchp_modify(struct usb_device *dev, uint16_t reg, uint32_t clear, uint32_t set)
{
    uint32_t v;
    int err = mchp_read(dev, reg, &v);
    if (err != 0) {
        return err;
    }
    return mchp_write(dev, reg, (v & ~clear) | set);
}

int mchp_wait(struct usb_device *dev, uint16_t reg, uint32_t mask, uint32_t want, uint32_t timeout_us)
{
    uint64_t deadline = systimer_deadline_us(timeout_us);
    for (;;) {
        uint32_t v;
        int err = mchp_read(dev, reg, &v);
        if (err != 0) {
            return err;
        }
        if ((v & mask) == want) {
            return 0;
        }
        if (systimer_expired(deadline)) {
            return -USB_ETIMEDOUT;
        }
    }
}

static uint32_t mii_access(const struct mchp_chip *chip, uint8_t reg)
{
    return ((uint32_t)(chip->phy_addr & MII_ACC_PHY_MASK) << MII_ACC_PHY_LSB) |
           ((uint32_t)(reg & MII_ACC_REG_MASK) << MII_ACC_REG_LSB) | MII_ACC_BUSY;
}

/* Clause 22 PHY register access through the chip's MII interface. */
static int mii_read(const struct mchp_eth *e, uint8_t reg, uint16_t *value)
{
    const struct mchp_chip *chip = e->chip;
    int err = mchp_wait(e->dev, chip->mii_access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    if (err == 0) {
        err = mchp_write(e->dev, chip->mii_access_reg, mii_access(chip, reg));
    }
    if (err == 0) {
        err = mchp_wait(e->dev, chip->mii_access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    }
    uint32_t v = 0;
    if (err == 0) {
        err = mchp_read(e->dev, chip->mii_data_reg, &v);
    }
    if (err == 0) {
        *value = (uint16_t)v;
    }
    return err;
}

static int mii_write(const struct mchp_eth *e, uint8_t reg, uint16_t value)
{
    const struct mchp_chip *chip = e->chip;
    int err = mchp_wait(e->dev, chip->mii_access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    if (err == 0) {
        err = mchp_write(e->dev, chip->mii_data_reg, value);
    }
    if (err == 0) {
        err = mchp_write(e->dev, chip->mii_access_reg, mii_access(chip, reg) | MII_ACC_WRITE);
    }
    if (err == 0) {
        err = mchp_wait(e->dev, chip->mii_access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    }
    return err;
}

/* A clause 45 MMD register through the clause 22 MMD access registers (802.3 annex 22D). */
static int mmd_write(const struct mchp_eth *e, uint8_t devad, uint16_t reg, uint16_t value)
{
    int err = mii_write(e, MII_MMD_CTRL, devad & MII_MMD_CTRL_DEVAD_MASK);
    if (err == 0) {
        err = mii_write(e, MII_MMD_DATA, reg);
    }
    if (err == 0) {
        err = mii_write(e, MII_MMD_CTRL, (uint16_t)((devad & MII_MMD_CTRL_DEVAD_MASK) | MII_MMD_CTRL_DATA));
    }
    if (err == 0) {
        err = mii_write(e, MII_MMD_DATA, value);
    }
    return err;
}

/* IEEE 802.3 22.2.4.1.1: the reset bit clears itself within 0.5 s. */
#define PHY_RESET_TIMEOUT_US 500000u

int mchp_eth_phy_start(const struct mchp_eth *e)
{
    int err = mii_write(e, MII_BMCR, MII_BMCR_RESET);
    uint64_t deadline = systimer_deadline_us(PHY_RESET_TIMEOUT_US);
    uint16_t bmcr = MII_BMCR_RESET;
    while (err == 0 && (bmcr & MII_BMCR_RESET)) {
        if (systimer_expired(deadline)) {
            return -USB_ETIMEDOUT;
        }
        err = mii_read(e, MII_BMCR, &bmcr);
    }
    if (err == 0) {
        err = mii_write(e, MII_ADVERTISE, MII_ADV_CSMA | MII_ADV_ALL_10_100 | MII_ADV_PAUSE | MII_ADV_PAUSE_ASYM);
    }
    if (err == 0 && e->chip->gigabit) {
        /* The LAN78xx MAC has no 1000BASE-T half duplex: Linux drivers/net/usb/lan78xx.c lan78xx_phy_init() removes
         * it ("MAC doesn't support 1000T Half"), U-Boot drivers/usb/eth/lan7x.c lan7x_eth_phylib_config_start()
         * advertises 1000 full only. */
        err = mii_write(e, MII_CTRL1000, MII_CTRL1000_FULL);
    }
    if (err == 0 && e->chip->eee_off) {
        err = mmd_write(e, MII_MMD_AN, MII_MMD_AN_EEE_ADV, 0);
    }
    if (err == 0) {
        err = mii_write(e, MII_BMCR, MII_BMCR_ANENABLE | MII_BMCR_ANRESTART);
    }
    return err;
}

/* The PHY's autonegotiation result into nd's speed and duplex. */
static int link_resolve(struct mchp_eth *e)
{
    uint16_t adv = 0, lpa = 0, ctrl1000 = 0, stat1000 = 0;
    int err = mii_read(e, MII_ADVERTISE, &adv);
    if (err == 0) {
        err = mii_read(e, MII_LPA, &lpa);
    }
    if (err == 0 && e->chip->gigabit) {
        err = mii_read(e, MII_CTRL1000, &ctrl1000);
        if (err == 0) {
            err = mii_read(e, MII_STAT1000, &stat1000);
        }
    }
    if (err == 0) {
        mii_resolve(adv, lpa, ctrl1000, stat1000, &e->nd.speed_mbps, &e->nd.full_duplex);
        e->adv = adv;
        e->lpa = lpa;
    }
    return err;
}

/* How often the PHY is asked for the link state: a cable change shows within a second, at a few control
 * transfers per second. */
#define LINK_POLL_US 1000000u

int mchp_eth_link_poll(struct mchp_eth *e)
{
    if (systimer_now_us() < e->next_link_poll) {
        wake_at(e->next_link_poll);
        return 0;
    }
    e->next_link_poll = systimer_now_us() + LINK_POLL_US;
    wake_at(e->next_link_poll);
    uint16_t bmsr = 0;
    /* The link bit latches a loss until read: the second read is the current state. */
    int err = mii_read(e, MII_BMSR, &bmsr);
    if (err == 0) {
        err = mii_read(e, MII_BMSR, &bmsr);
    }
    if (err != 0) {
        return err;
    }
    struct netdev *nd = &e->nd;
    bool up = (bmsr & MII_BMSR_LINK) && (bmsr & MII_BMSR_ANEG_COMPLETE);
    if (up == nd->link_up) {
        return 0;
    }
    nd->link_up = up;
    nd->speed_mbps = 0;
    nd->full_duplex = false;
    if (up) {
        err = link_resolve(e);
        if (err != 0) {
            return err;
        }
    }
    return 1;
}

void mchp_eth_started(struct mchp_eth *e)
{
    e->nd.link_up = false;
    e->next_link_poll = systimer_now_us();
}

/* A full frame takes microseconds on the bus: the bound only catches a wedged chip. */
#define TX_TIMEOUT_US 100000u

int mchp_eth_send(struct mchp_eth *e, uint32_t cmd_a, uint32_t cmd_b, const void *frame, size_t len)
{
    byteorder_put_le32(e->tx_buf, cmd_a);
    byteorder_put_le32(e->tx_buf + 4, cmd_b);
    memcpy(e->tx_buf + MCHP_TX_HEADER_SIZE, frame, len);
    return usb_eth_send(e->dev, &e->out, e->tx_buf, MCHP_TX_HEADER_SIZE + len, TX_TIMEOUT_US);
}

/* Keeps a bulk IN transfer armed and, once the held batch is parsed, gives it back and takes the next completed one.
 * Returns the number of unparsed bytes at data + pos (> 0), 0 when none, or a negative USB_E* code (a stalled
 * endpoint is cleared for the next call). */
static int rx_fill(struct mchp_eth *e)
{
    struct mchp_rx *rx = &e->rx;
    if (rx->data != NULL && rx->pos < rx->len) {
        return (int)(rx->len - rx->pos);
    }
    if (rx->data != NULL) {
        usb_async_release(&rx->xfer[rx->next ^ 1u]);
        rx->data = NULL;
    }
    rx->len = rx->pos = 0;
    struct usb_async *x = &rx->xfer[rx->next];
    if (!usb_async_busy(x)) {
        int err = usb_async_submit(x, &e->in, NULL, MCHP_RX_BUF);
        if (err != 0) {
            return err;
        }
    }
    const uint8_t *data = NULL;
    size_t got = 0;
    int r = usb_async_poll_held(x, &data, &got);
    if (r == USB_IN_PROGRESS) {
        return 0;
    }
    if (r == -USB_ESTALL) {
        usb_clear_halt(e->dev, &e->in);
    }
    if (r != 0) {
        return r;
    }
    rx->data = data;
    rx->len = got;
    rx->next ^= 1u;
    /* Keep the device busy while the caller parses this batch. */
    usb_async_submit(&rx->xfer[rx->next], &e->in, NULL, MCHP_RX_BUF);
    if (got == 0) {
        usb_async_release(&rx->xfer[rx->next ^ 1u]); /* an empty transfer: nothing to hold */
        rx->data = NULL;
    }
    return (int)got;
}

#define RX_ALIGN 4u

int mchp_eth_receive(struct netdev *nd, void *buf, size_t size)
{
    struct mchp_eth *e = nd->priv;
    const struct mchp_rx_format *fmt = &e->chip->rx;
    for (;;) {
        int avail = rx_fill(e);
        if (avail <= 0) {
            if (avail < 0) {
                nd->stats.rx_errors++;
                return -NETDEV_EIO;
            }
            return 0;
        }
        const uint8_t *p = e->rx.data + e->rx.pos;
        if ((size_t)avail < fmt->header_size) {
            e->rx.pos = e->rx.len;
            nd->stats.rx_dropped++;
            continue;
        }
        uint32_t head = byteorder_get_le32(p);
        size_t flen = (head >> fmt->len_lsb) & fmt->len_mask;
        if (flen > (size_t)avail - fmt->header_size) {
            /* Claims more than the transfer holds: nothing after it can be trusted. */
            e->rx.pos = e->rx.len;
            nd->stats.rx_dropped++;
            continue;
        }
        size_t step = (fmt->header_size + flen + RX_ALIGN - 1u) & ~(size_t)(RX_ALIGN - 1u);
        e->rx.pos = step < (size_t)avail ? e->rx.pos + step : e->rx.len;
        if (head & fmt->error) {
            nd->stats.rx_errors++;
            continue;
        }
        if (flen < NETDEV_MIN_FRAME + fmt->fcs_len || flen - fmt->fcs_len > size ||
            flen - fmt->fcs_len > NETDEV_MAX_FRAME) {
            nd->stats.rx_dropped++;
            continue;
        }
        memcpy(buf, p + fmt->header_size, flen - fmt->fcs_len);
        return (int)(flen - fmt->fcs_len);
    }
}

int mchp_eth_probe(struct mchp_eth *e, const struct mchp_chip *chip, struct usb_device *dev,
                   const struct usb_interface_desc *intf)
{
    if (e->used) {
        return -USB_EFULL;
    }
    struct usb_endpoint_desc in, out;
    if (usb_desc_find_bulk_pair(dev->config, dev->config_len, intf, &in, &out) != 0) {
        return -USB_EDESC;
    }
    memset(e, 0, sizeof *e);
    e->chip = chip;
    e->dev = dev;
    usb_pipe_init(dev, &in, &e->in);
    usb_pipe_init(dev, &out, &e->out);
    if (!netdev_board_mac(e->nd.mac)) {
        /* No firmware MAC: the chip's own registers (an EEPROM may have loaded them), as Linux falls back to. */
        uint32_t lo, hi;
        if (mchp_read(dev, chip->addr_lo_reg, &lo) != 0 || mchp_read(dev, chip->addr_hi_reg, &hi) != 0) {
            return -USB_EIO;
        }
        mac_from_regs(lo, hi, e->nd.mac);
    }
    int err = usb_eth_register(dev, &e->nd, chip->name, chip->ops, e);
    e->used = err == 0;
    return err;
}

void mchp_eth_remove(struct usb_device *dev)
{
    struct mchp_eth *e = dev->driver_data;
    if (e == NULL) {
        return;
    }
    usb_async_cancel(&e->rx.xfer[0]);
    usb_async_cancel(&e->rx.xfer[1]);
    e->rx.data = NULL;
    usb_eth_unregister(dev, &e->nd);
    e->used = false;
}
