/*
 * Vendor-request register access for SMSC/Microchip USB Ethernet chips (LAN9512 and LAN7800 datasheets, "USB
 * vendor commands"; the same requests as Linux's smsc95xx and lan78xx drivers use).
 */
#include "drivers/usb/mchp_usb.h"

#include "drivers/mii.h"
#include "drivers/systimer.h"

#define MCHP_REQ_WRITE_REGISTER 0xA0u
#define MCHP_REQ_READ_REGISTER  0xA1u
#define MCHP_RT_OUT             (USB_RT_VENDOR | USB_RT_DEVICE)
#define MCHP_RT_IN              (USB_RT_IN | USB_RT_VENDOR | USB_RT_DEVICE)
#define MCHP_REG_SIZE           4u

/* MII access register: same layout on both chip families. */
#define MII_ACC_BUSY            (1u << 0)
#define MII_ACC_WRITE           (1u << 1)
#define MII_ACC_REG_LSB         6u
#define MII_ACC_REG_MASK        0x1Fu
#define MII_ACC_PHY_LSB         11u
#define MII_ACC_PHY_MASK        0x1Fu
/* An MII frame takes 64 MDC clocks at 2.5 MHz or less: tens of microseconds; a vendor request takes longer. */
#define MII_TIMEOUT_US          100000u

uint32_t mchp_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void mchp_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void mchp_mac_to_regs(const uint8_t mac[NETDEV_MAC_LEN], uint32_t *lo, uint32_t *hi)
{
    *lo = mchp_le32(mac);
    *hi = (uint32_t)mac[4] | (uint32_t)mac[5] << 8;
}

void mchp_mac_from_regs(uint32_t lo, uint32_t hi, uint8_t mac[NETDEV_MAC_LEN])
{
    mchp_put_le32(mac, lo);
    mac[4] = (uint8_t)hi;
    mac[5] = (uint8_t)(hi >> 8);
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
    *value = mchp_le32(buf);
    return 0;
}

int mchp_write(struct usb_device *dev, uint16_t reg, uint32_t value)
{
    uint8_t buf[MCHP_REG_SIZE];
    mchp_put_le32(buf, value);
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

static uint32_t mii_access(const struct mchp_mii *mii, uint8_t reg)
{
    return ((uint32_t)(mii->phy_addr & MII_ACC_PHY_MASK) << MII_ACC_PHY_LSB) |
           ((uint32_t)(reg & MII_ACC_REG_MASK) << MII_ACC_REG_LSB) | MII_ACC_BUSY;
}

int mchp_mii_read(struct usb_device *dev, const struct mchp_mii *mii, uint8_t reg, uint16_t *value)
{
    int err = mchp_wait(dev, mii->access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    if (err == 0) {
        err = mchp_write(dev, mii->access_reg, mii_access(mii, reg));
    }
    if (err == 0) {
        err = mchp_wait(dev, mii->access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    }
    uint32_t v = 0;
    if (err == 0) {
        err = mchp_read(dev, mii->data_reg, &v);
    }
    if (err == 0) {
        *value = (uint16_t)v;
    }
    return err;
}

int mchp_mii_write(struct usb_device *dev, const struct mchp_mii *mii, uint8_t reg, uint16_t value)
{
    int err = mchp_wait(dev, mii->access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    if (err == 0) {
        err = mchp_write(dev, mii->data_reg, value);
    }
    if (err == 0) {
        err = mchp_write(dev, mii->access_reg, mii_access(mii, reg) | MII_ACC_WRITE);
    }
    if (err == 0) {
        err = mchp_wait(dev, mii->access_reg, MII_ACC_BUSY, 0, MII_TIMEOUT_US);
    }
    return err;
}

/* IEEE 802.3 22.2.4.1.1: the reset bit clears itself within 0.5 s. */
#define PHY_RESET_TIMEOUT_US    500000u

int mchp_phy_start(struct usb_device *dev, const struct mchp_mii *mii, bool gigabit)
{
    int err = mchp_mii_write(dev, mii, MII_BMCR, MII_BMCR_RESET);
    uint64_t deadline = systimer_deadline_us(PHY_RESET_TIMEOUT_US);
    uint16_t bmcr = MII_BMCR_RESET;
    while (err == 0 && (bmcr & MII_BMCR_RESET)) {
        if (systimer_expired(deadline)) {
            return -USB_ETIMEDOUT;
        }
        err = mchp_mii_read(dev, mii, MII_BMCR, &bmcr);
    }
    if (err == 0) {
        err = mchp_mii_write(dev, mii, MII_ADVERTISE,
                             MII_ADV_CSMA | MII_ADV_ALL_10_100 | MII_ADV_PAUSE | MII_ADV_PAUSE_ASYM);
    }
    if (err == 0 && gigabit) {
        err = mchp_mii_write(dev, mii, MII_CTRL1000, MII_CTRL1000_FULL | MII_CTRL1000_HALF);
    }
    if (err == 0) {
        err = mchp_mii_write(dev, mii, MII_BMCR, MII_BMCR_ANENABLE | MII_BMCR_ANRESTART);
    }
    return err;
}

int mchp_link_poll(struct usb_device *dev, const struct mchp_mii *mii, bool gigabit, struct netdev *nd)
{
    uint16_t bmsr = 0;
    /* The link bit latches a loss until read: the second read is the current state. */
    int err = mchp_mii_read(dev, mii, MII_BMSR, &bmsr);
    if (err == 0) {
        err = mchp_mii_read(dev, mii, MII_BMSR, &bmsr);
    }
    if (err != 0) {
        return err;
    }
    bool up = (bmsr & MII_BMSR_LINK) && (bmsr & MII_BMSR_ANEG_COMPLETE);
    if (up == nd->link_up) {
        return 0;
    }
    nd->link_up = up;
    nd->speed_mbps = 0;
    nd->full_duplex = false;
    if (up) {
        uint16_t adv = 0, lpa = 0, ctrl1000 = 0, stat1000 = 0;
        err = mchp_mii_read(dev, mii, MII_ADVERTISE, &adv);
        if (err == 0) {
            err = mchp_mii_read(dev, mii, MII_LPA, &lpa);
        }
        if (err == 0 && gigabit) {
            err = mchp_mii_read(dev, mii, MII_CTRL1000, &ctrl1000);
            if (err == 0) {
                err = mchp_mii_read(dev, mii, MII_STAT1000, &stat1000);
            }
        }
        if (err != 0) {
            return err;
        }
        mii_resolve(adv, lpa, ctrl1000, stat1000, &nd->speed_mbps, &nd->full_duplex);
    }
    return 1;
}

int mchp_rx_fill(struct mchp_rx *rx, struct usb_device *dev, struct dwc2_pipe *pipe)
{
    if (rx->pos < rx->len) {
        return (int)(rx->len - rx->pos);
    }
    rx->len = rx->pos = 0;
    if (!usb_async_busy(&rx->xfer)) {
        int err = usb_async_submit(&rx->xfer, pipe, NULL, sizeof rx->buf);
        if (err != 0) {
            return err;
        }
    }
    size_t got = 0;
    int r = usb_async_poll(&rx->xfer, rx->buf, sizeof rx->buf, &got);
    if (r == USB_IN_PROGRESS) {
        return 0;
    }
    if (r == -USB_ESTALL) {
        usb_clear_halt(dev, pipe);
    }
    if (r != 0) {
        return r;
    }
    rx->len = got;
    /* Keep the device busy while the caller parses this batch. */
    usb_async_submit(&rx->xfer, pipe, NULL, sizeof rx->buf);
    return (int)got;
}
