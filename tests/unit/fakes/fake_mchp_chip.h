/*
 * fake_mchp_chip.h - a model of an SMSC LAN951x or Microchip LAN78xx behind tests/unit/fakes/fake_usb: a register file
 * reached by the vendor requests 0xA0/0xA1, self-clearing reset bits, an MII interface in front of a clause 22
 * PHY (with MMD access through its registers 13 and 14), a log of every register write, bulk OUT frames captured, and bulk IN transfers the test queues.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_MCHP_CHIP_H
#define TESTS_UNIT_FAKES_FAKE_MCHP_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_usb.h"

#define FAKE_CHIP_REGS     0x500u /* register space modelled, bytes */
#define FAKE_CHIP_LOG      256u
#define FAKE_CHIP_XFER_MAX 4096u
#define FAKE_CHIP_QUEUE    4u

struct fake_chip_write {
    uint16_t reg;
    uint32_t value;
};

struct fake_chip {
    uint32_t regs[FAKE_CHIP_REGS / 4u];
    uint32_t self_clear[FAKE_CHIP_REGS / 4u];   /* bits that read back as 0 once written */
    uint32_t set_on_write[FAKE_CHIP_REGS / 4u]; /* bits that become 1 after any write (e.g. READY) */
    uint16_t mii_access, mii_data;
    uint16_t phy[32];
    /* MMD registers behind the PHY's clause 22 MMD access registers 13/14 (802.3 annex 22D), devices 0-7. */
    uint16_t mmd[8][64];
    uint16_t mmd_addr[8];
    struct fake_chip_write log[FAKE_CHIP_LOG];
    size_t log_count;
    /* The last bulk OUT transfer and how many there were. */
    uint8_t out[FAKE_CHIP_XFER_MAX];
    size_t out_len;
    size_t out_count;
    /* Bulk IN transfers waiting to be read, in order. */
    uint8_t in[FAKE_CHIP_QUEUE][FAKE_CHIP_XFER_MAX];
    size_t in_len[FAKE_CHIP_QUEUE];
    size_t in_head, in_count;
    bool stall_control;     /* answer every control request with a stall */
    unsigned fail_controls; /* answer the next this many control requests with a stall (a transient fault) */
};

/* Resets the model: all registers 0, MII at the given registers, PHY with link down. */
void fake_chip_init(struct fake_chip *chip, uint16_t mii_access, uint16_t mii_data);
const struct fake_usb_model *fake_chip_model(void);
void fake_chip_queue_in(struct fake_chip *chip, const uint8_t *data, size_t len);
/* Index of the first logged write to reg at or after start, or -1. */
long fake_chip_find_write(const struct fake_chip *chip, uint16_t reg, size_t start);
/* The value of the last write to reg (0 if none). */
uint32_t fake_chip_last_write(const struct fake_chip *chip, uint16_t reg);

#endif /* TESTS_UNIT_FAKES_FAKE_MCHP_CHIP_H */
