/*
 * mchp_usb.h - what the SMSC LAN951x/LAN9500 and Microchip LAN78xx USB Ethernet drivers share: both expose 32-bit
 * little-endian registers through the same vendor requests (0xA0 write, 0xA1 read, wIndex = register), an MII
 * management interface with the same access register layout (PHY address, register index, write and busy bits),
 * and the same data path shape (two TX command words ahead of each frame; bulk IN transfers holding frames behind
 * a header whose first word gives length and error, padded to 4 bytes). A driver describes its chip in a
 * struct mchp_chip and keeps only its register map, init sequence and command words.
 *
 * Blocking control transfers, bounded by the USB core's timeout; MII and TX waits are bounded too. Main loop only.
 */
#ifndef DRIVERS_USB_MCHP_USB_H
#define DRIVERS_USB_MCHP_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/netdev.h"
#include "drivers/usb/usb_core.h"

/* Bulk IN request size: a whole frame with the chip's status words, rounded to the high-speed packet size. */
#define MCHP_RX_BUF 2048u
/* TX command words A and B, ahead of every frame on both families. */
#define MCHP_TX_HEADER_SIZE 8u

/* Returns 0 or a negative USB_E* code. */
int mchp_read(struct usb_device *dev, uint16_t reg, uint32_t *value);
int mchp_write(struct usb_device *dev, uint16_t reg, uint32_t value);
/* Read-modify-write: clears `clear`, then sets `set`. */
int mchp_modify(struct usb_device *dev, uint16_t reg, uint32_t clear, uint32_t set);
/* Polls reg until (value & mask) == want, or timeout_us passes (-USB_ETIMEDOUT). */
int mchp_wait(struct usb_device *dev, uint16_t reg, uint32_t mask, uint32_t want, uint32_t timeout_us);

/* The MAC address as the chips' address registers hold it: bytes 0-3 in the low register, 4-5 in the high one. */
void mchp_mac_to_regs(const uint8_t mac[NETDEV_MAC_LEN], uint32_t *lo, uint32_t *hi);

/* How a chip frames received data: each frame sits behind a header whose first little-endian word holds the
 * frame length and an error flag, and the next header starts at the next 4-byte boundary from this one. */
struct mchp_rx_format {
    size_t header_size;
    uint32_t len_lsb;
    uint32_t len_mask;
    uint32_t error; /* the chip found the frame bad (CRC, runt, too long) */
    size_t fcs_len; /* FCS bytes the length counts, left in the buffer and not handed up */
};

/* What differs between the chips for the shared plumbing. */
struct mchp_chip {
    const char *name; /* the netdev's name */
    const struct netdev_ops *ops;
    uint16_t mii_access_reg, mii_data_reg;
    uint8_t phy_addr;
    bool gigabit;                      /* the PHY has the 1000BASE-T registers */
    bool eee_off;                      /* the PHY advertises EEE by default: clear that, the MAC runs without LPI */
    uint16_t addr_lo_reg, addr_hi_reg; /* where the chip keeps its MAC address */
    struct mchp_rx_format rx;
};

/* Received data in flight and not yet handed up. A completed transfer's batch of frames is parsed where the core's
 * DMA put it (usb_async_poll_held), held on one transfer while the other is armed for the next batch; it is given
 * back once parsed. Each frame is then copied once, into the caller's buffer. */
struct mchp_rx {
    struct usb_async xfer[2];
    unsigned next;       /* the transfer that completes next (the one armed) */
    const uint8_t *data; /* the held batch (on xfer[next ^ 1]), NULL when none */
    size_t len;          /* bytes in data */
    size_t pos;          /* bytes of data already parsed */
};

/* One bound adapter: nd.priv points back here. A driver keeps one statically (zero-initialised). */
struct mchp_eth {
    bool used;
    const struct mchp_chip *chip;
    struct netdev nd;
    struct usb_device *dev;
    struct usb_pipe in, out;
    struct mchp_rx rx;
    uint64_t next_link_poll;
    uint16_t adv, lpa; /* both ends' advertisements (MII_ADVERTISE, MII_LPA) of the current link */
    uint8_t tx_buf[MCHP_TX_HEADER_SIZE + NETDEV_MAX_FRAME];
};

/* The usb_driver probe step: finds the bulk endpoints, takes the board's MAC (else the chip's address registers)
 * and registers e->nd with chip->ops. Returns 0, -USB_EFULL when e is in use or the netdev table is full,
 * -USB_EDESC or -USB_EIO. */
int mchp_eth_probe(struct mchp_eth *e, const struct mchp_chip *chip, struct usb_device *dev,
                   const struct usb_interface_desc *intf);
/* A usb_driver remove for any mchp_eth: cancels reception and marks the netdev gone. */
void mchp_eth_remove(struct usb_device *dev);

/* Resets the PHY (bounded wait), advertises 10/100 (and 1000BASE-T full duplex when gigabit) with symmetric and
 * asymmetric pause, turns EEE's advertisement off when chip->eee_off, restarts autonegotiation. Returns 0 or a
 * negative USB_E* code. */
int mchp_eth_phy_start(const struct mchp_eth *e);
/* Call when the chip's init sequence has succeeded: the link counts as down until the next poll, which is due. */
void mchp_eth_started(struct mchp_eth *e);
/* Sends one frame behind the command words a and b (a zero-length packet follows when the transfer fills its last
 * packet). Returns 0, -NETDEV_ETIMEDOUT or -NETDEV_EIO. */
int mchp_eth_send(struct mchp_eth *e, uint32_t cmd_a, uint32_t cmd_b, const void *frame, size_t len);
/* A netdev_ops receive for any mchp_eth: parses the chip's bulk IN data as chip->rx describes. */
int mchp_eth_receive(struct netdev *nd, void *buf, size_t size);
/* About once a second, reads the PHY's link state and, when up, the resolved speed and duplex into e->nd and both
 * advertisements into e->adv and e->lpa.
 * Returns 1 when the link state changed, 0 when not (or not due), or a negative USB_E* code. */
int mchp_eth_link_poll(struct mchp_eth *e);

#endif /* DRIVERS_USB_MCHP_USB_H */
