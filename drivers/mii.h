/*
 * mii.h - the IEEE 802.3 clause 22 PHY registers every Ethernet PHY implements, and the resolution of the link
 * speed and duplex from what both ends advertised (802.3 annex 28B.3 priority order).
 *
 * No hardware access: NIC drivers read the registers through their own MII bus and pass the values in.
 * Any context.
 */
#ifndef DRIVERS_MII_H
#define DRIVERS_MII_H

#include <stdbool.h>
#include <stdint.h>

/* clang-format off */
#define MII_BMCR                 0x00u
#define  MII_BMCR_RESET          (1u << 15)
#define  MII_BMCR_ANENABLE       (1u << 12)
#define  MII_BMCR_ANRESTART      (1u << 9)
#define MII_BMSR                 0x01u
#define  MII_BMSR_LINK           (1u << 2)  /* latched low: read twice for the current state */
#define  MII_BMSR_ANEG_COMPLETE  (1u << 5)
#define MII_ADVERTISE            0x04u
#define MII_LPA                  0x05u
#define  MII_ADV_CSMA            (1u << 0)
#define  MII_ADV_10HALF          (1u << 5)
#define  MII_ADV_10FULL          (1u << 6)
#define  MII_ADV_100HALF         (1u << 7)
#define  MII_ADV_100FULL         (1u << 8)
#define  MII_ADV_PAUSE           (1u << 10)
#define  MII_ADV_PAUSE_ASYM      (1u << 11)
#define  MII_ADV_ALL_10_100      (MII_ADV_10HALF | MII_ADV_10FULL | MII_ADV_100HALF | MII_ADV_100FULL)
#define MII_CTRL1000             0x09u
#define  MII_CTRL1000_HALF       (1u << 8)
#define  MII_CTRL1000_FULL       (1u << 9)
#define MII_STAT1000             0x0Au
/* The link partner's 1000BASE-T abilities sit two bits above our advertisement's in CTRL1000. */
#define  MII_STAT1000_LP_SHIFT   2u

/* Clause 22 access to clause 45 MMD registers (802.3 22.2.4.3.11-12, annex 22D): write the device to MMD_CTRL,
 * the register number to MMD_DATA, then the device with the data function to MMD_CTRL; MMD_DATA is the register. */
#define MII_MMD_CTRL             0x0Du
#define  MII_MMD_CTRL_DEVAD_MASK 0x1Fu
#define  MII_MMD_CTRL_DATA       (1u << 14) /* function 01: data, no post-increment */
#define MII_MMD_DATA             0x0Eu
/* 802.3 45.2.7.13: MMD 7 (auto-negotiation) register 60, the EEE advertisement. */
#define MII_MMD_AN               7u
#define MII_MMD_AN_EEE_ADV       60u
/* clang-format on */

/* Speed (Mbit/s) and duplex both ends can do, best first. ctrl1000/stat1000 are 0 for 10/100-only PHYs.
 * Returns false when the advertisements have nothing in common (speed 0). */
bool mii_resolve(uint16_t advertise, uint16_t lpa, uint16_t ctrl1000, uint16_t stat1000, uint32_t *speed_mbps,
                 bool *full_duplex);

/* Pause (802.3x flow control) on a full-duplex link from both ends' PAUSE and ASM_DIR bits (802.3 annex 28B.3,
 * table 28B-3; Linux include/linux/mii.h mii_resolve_flowctrl_fdx()): *tx, we may send pause frames; *rx, we obey
 * the partner's. Half-duplex links have no pause. */
void mii_resolve_pause(uint16_t advertise, uint16_t lpa, bool *tx, bool *rx);

#endif /* DRIVERS_MII_H */
