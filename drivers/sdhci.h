/*
 * sdhci.h - SD card driver for the BCM283x "EMMC" controller (an Arasan SD Host Controller, SDHCI 3.0).
 *
 * Brings up one SD memory card (SDSC, SDHC or SDXC) at 3.3 V, default speed (25 MHz), 4-bit bus, and reads and
 * writes 512-byte blocks by programmed I/O (no DMA, no interrupts: every wait polls the status with a systimer
 * deadline). A write returns only once the card reports the data stored (CMD13 back in the transfer state), so a
 * write that returned 0 survives a power cut.
 * The same code runs on real Pis and on QEMU's raspi0/raspi1ap/raspi2b emulation of the block.
 *
 * BCM283x rule: the Arasan only takes 32-bit register accesses, and it can lose a write that follows another within
 * two SD clock cycles; the driver writes whole 32-bit registers (16-bit SDHCI fields combined) and spaces its writes.
 *
 * What the board must do first (this driver has no board knowledge):
 *  - systimer_init();
 *  - on real hardware, route the card to this controller: GPIO 48..53 (CLK, CMD, DAT0..3) to ALT3, pull-ups on
 *    49..53 and none on 48 (the firmware may leave them on ALT0, the other SD controller "SDHOST"). QEMU starts
 *    with the card on this controller and only moves it to SDHOST when all six pins are set to ALT0;
 *  - make sure the card has power (mailbox power state, device SD) and ask the firmware for the controller's base
 *    clock (mailbox clock rate, clock EMMC: typically 250 MHz on hardware, 50 MHz under QEMU).
 *
 * Calling context: thread context only; calls block for up to about a second (card power-up). One struct sdhci per
 * controller, owned by the caller; not reentrant.
 */
#ifndef DRIVERS_SDHCI_H
#define DRIVERS_SDHCI_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/blockdev.h"
#include "lib/err.h"

#define SDHCI_ERR_INVALID_ARG (-ERR_BASE_SDHCI - 1) /* NULL pointer, or a read or write of zero blocks */
#define SDHCI_ERR_RESET       (-ERR_BASE_SDHCI - 2) /* the controller did not come out of reset */
/* base clock below 400 kHz or too fast to divide down, or clock unstable */
#define SDHCI_ERR_CLOCK        (-ERR_BASE_SDHCI - 3)
#define SDHCI_ERR_BUSY         (-ERR_BASE_SDHCI - 4)  /* the command or data line stayed busy */
#define SDHCI_ERR_TIMEOUT      (-ERR_BASE_SDHCI - 5)  /* the controller never signalled completion (deadline passed) */
#define SDHCI_ERR_CMD_TIMEOUT  (-ERR_BASE_SDHCI - 6)  /* the card did not answer a command (no card in the slot?) */
#define SDHCI_ERR_CMD_CRC      (-ERR_BASE_SDHCI - 7)  /* corrupted command response (CRC, end bit or index error) */
#define SDHCI_ERR_DATA_TIMEOUT (-ERR_BASE_SDHCI - 8)  /* the card did not send the data in time */
#define SDHCI_ERR_DATA_CRC     (-ERR_BASE_SDHCI - 9)  /* corrupted data (CRC or end bit error) */
#define SDHCI_ERR_AUTO_CMD12   (-ERR_BASE_SDHCI - 10) /* the automatic stop command after a multi-block read failed */
#define SDHCI_ERR_CONTROLLER   (-ERR_BASE_SDHCI - 11) /* any other error the controller reports */
#define SDHCI_ERR_VOLTAGE      (-ERR_BASE_SDHCI - 12) /* the card does not accept 3.3 V (CMD8 check pattern or OCR) */
#define SDHCI_ERR_CARD_BUSY    (-ERR_BASE_SDHCI - 13) /* the card did not finish powering up within a second (ACMD41) */
#define SDHCI_ERR_CARD_STATUS  (-ERR_BASE_SDHCI - 14) /* the card reported an error in its status, or gave no address */
#define SDHCI_ERR_CSD          (-ERR_BASE_SDHCI - 15) /* unsupported card-specific data (e.g. an SDUC card) */
#define SDHCI_ERR_NOT_READY    (-ERR_BASE_SDHCI - 16) /* read before a successful sdhci_init() */
#define SDHCI_ERR_RANGE        (-ERR_BASE_SDHCI - 17) /* read or write past the end of the card */
/* after a write the card stayed busy, or left the programming state wrongly */
#define SDHCI_ERR_PROGRAMMING (-ERR_BASE_SDHCI - 18)

struct sdhci {
    uintptr_t base;
    uint32_t base_clock_hz;
    uint32_t sd_clock_hz;  /* SD clock actually produced by the divider */
    uint32_t write_gap_us; /* two SD clock periods, rounded up: spacing between register writes */
    uint32_t rca;          /* relative card address, from CMD3 */
    uint32_t ocr;          /* operating conditions register, from ACMD41 */
    uint32_t cid[4];       /* card identification, as the controller returns R2 (CRC stripped) */
    uint32_t csd[4];       /* card-specific data, same layout */
    uint64_t capacity_bytes;
    uint32_t block_count;    /* 512-byte blocks, capped at UINT32_MAX */
    uint32_t last_interrupt; /* INTERRUPT register at the last error, for diagnostics */
    bool high_capacity;      /* SDHC/SDXC: block addresses; SDSC: byte addresses */
    bool ready;
};

/* Resets the controller at base (peripheral base + 0x300000) and identifies the card, leaving it selected in 4-bit
 * mode at 25 MHz. base_clock_hz is the controller's input clock from the firmware. Returns 0 or SDHCI_ERR_*. */
int sdhci_init(struct sdhci *dev, uintptr_t base, uint32_t base_clock_hz);

/* Reads count 512-byte blocks from block lba into buf (count * 512 bytes, any alignment). Returns 0 or
 * SDHCI_ERR_*; after an error the controller's command and data lines are reset, so the next read may succeed. */
int sdhci_read_blocks(struct sdhci *dev, uint32_t lba, uint32_t count, void *buf);

/* Writes count 512-byte blocks from buf to block lba: CMD24 for one block, CMD25 with an automatic CMD12 for more,
 * then CMD13 until the card has stored them (at most about two seconds per call of up to 65535 blocks). Returns 0 or
 * SDHCI_ERR_*; after an error the blocks written hold the old data, the new data, or a mix (a torn write): the
 * caller's format must tell. Recovers the controller and the card as sdhci_read_blocks() does. */
int sdhci_write_blocks(struct sdhci *dev, uint32_t lba, uint32_t count, const void *buf);

/* Card size in bytes (0 before a successful sdhci_init()). */
uint64_t sdhci_capacity_bytes(const struct sdhci *dev);

/* Fills *out so the partition, FAT and journal code reach this card through drivers/blockdev.h. dev must outlive
 * *out. */
void sdhci_get_blockdev(struct sdhci *dev, struct blockdev *out);

/* Message for an SDHCI_ERR_* code. */
const char *sdhci_strerror(int err);

#endif /* DRIVERS_SDHCI_H */
