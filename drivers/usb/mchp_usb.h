/*
 * mchp_usb.h - register access shared by the SMSC LAN951x/LAN9500 and Microchip LAN78xx USB Ethernet chips: both
 * expose 32-bit little-endian registers through the same vendor requests (0xA0 write, 0xA1 read, wIndex = register)
 * and an MII management interface with the same access register layout (PHY address, register index, write and
 * busy bits), at different offsets.
 *
 * Blocking control transfers, bounded by the USB core's timeout; MII waits are bounded too. Main loop only.
 */
#ifndef MCHP_USB_H
#define MCHP_USB_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/netdev.h"
#include "drivers/usb/usb_core.h"

/* Bulk IN request size: a whole frame with the chip's status words, rounded to the high-speed packet size. */
#define MCHP_RX_BUF 2048u

/* Where a chip keeps its MII access and data registers. */
struct mchp_mii {
    uint16_t access_reg;
    uint16_t data_reg;
    uint8_t phy_addr;
};

/* Returns 0 or a negative USB_E* code. */
int mchp_read(struct usb_device *dev, uint16_t reg, uint32_t *value);
int mchp_write(struct usb_device *dev, uint16_t reg, uint32_t value);
/* Read-modify-write: clears `clear`, then sets `set`. */
int mchp_modify(struct usb_device *dev, uint16_t reg, uint32_t clear, uint32_t set);
/* Polls reg until (value & mask) == want, or timeout_us passes (-USB_ETIMEDOUT). */
int mchp_wait(struct usb_device *dev, uint16_t reg, uint32_t mask, uint32_t want, uint32_t timeout_us);

/* Clause 22 PHY register access through the chip's MII interface. */
int mchp_mii_read(struct usb_device *dev, const struct mchp_mii *mii, uint8_t reg, uint16_t *value);
int mchp_mii_write(struct usb_device *dev, const struct mchp_mii *mii, uint8_t reg, uint16_t value);

/* Resets the PHY (bounded wait), advertises 10/100 (and 1000 when gigabit) with pause, restarts autonegotiation. */
int mchp_phy_start(struct usb_device *dev, const struct mchp_mii *mii, bool gigabit);

/* Reads the PHY's link state and, when up, the resolved speed and duplex into nd. Returns 1 when the link state
 * changed, 0 when not, or a negative USB_E* code. */
int mchp_link_poll(struct usb_device *dev, const struct mchp_mii *mii, bool gigabit, struct netdev *nd);

/* Received data in flight and not yet handed up. Zero-initialise. */
struct mchp_rx {
    struct usb_async xfer;
    size_t len;   /* bytes in buf from the last completed transfer */
    size_t pos;   /* bytes of buf already parsed */
    uint8_t buf[MCHP_RX_BUF];
};

/* Keeps a bulk IN transfer armed on pipe and, once buf is used up, takes the next completed one into it.
 * Returns the number of unparsed bytes at buf + pos (> 0), 0 when none, or a negative USB_E* code (a stalled
 * endpoint is cleared for the next call). */
int mchp_rx_fill(struct mchp_rx *rx, struct usb_device *dev, struct dwc2_pipe *pipe);

/* The MAC address as the chips' address registers hold it: bytes 0-3 in the low register, 4-5 in the high one. */
void mchp_mac_to_regs(const uint8_t mac[NETDEV_MAC_LEN], uint32_t *lo, uint32_t *hi);
void mchp_mac_from_regs(uint32_t lo, uint32_t hi, uint8_t mac[NETDEV_MAC_LEN]);

/* Reads the little-endian 32-bit word at p (frame headers). */
uint32_t mchp_le32(const uint8_t *p);
/* Stores v little-endian at p. */
void mchp_put_le32(uint8_t *p, uint32_t v);

#endif /* MCHP_USB_H */
