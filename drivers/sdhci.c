#include "drivers/sdhci.h"

#include <stddef.h>
#include <string.h>

#include "drivers/mmio.h"
#include "drivers/systimer.h"
#include "lib/units.h"

/*
 * Registers (SD Host Controller Simplified Specification 3.00; names as in the BCM2835 ARM Peripherals manual,
 * chapter 5). The SDHCI standard's 8- and 16-bit registers are grouped here into the 32-bit words the BCM283x
 * can access.
 */
/* clang-format off */
#define SDHCI_BLKSIZECNT               0x04u
#define   SDHCI_BLKSIZECNT_SIZE_LSB    0u
#define   SDHCI_BLKSIZECNT_COUNT_LSB   16u
#define SDHCI_ARG1                     0x08u
#define SDHCI_CMDTM                    0x0Cu
#define   SDHCI_TM_BLKCNT_EN           (1u << 1)
#define   SDHCI_TM_AUTO_CMD12          (1u << 2)
#define   SDHCI_TM_DAT_DIR_READ        (1u << 4)
#define   SDHCI_TM_MULTI_BLOCK         (1u << 5)
#define   SDHCI_CMD_RSP_NONE           (0u << 16)
#define   SDHCI_CMD_RSP_136            (1u << 16)
#define   SDHCI_CMD_RSP_48             (2u << 16)
#define   SDHCI_CMD_RSP_48_BUSY        (3u << 16)
#define   SDHCI_CMD_RSP_MASK           (3u << 16)
#define   SDHCI_CMD_CRC_CHECK          (1u << 19)
#define   SDHCI_CMD_INDEX_CHECK        (1u << 20)
#define   SDHCI_CMD_DATA_PRESENT       (1u << 21)
#define   SDHCI_CMD_INDEX_LSB          24u
#define SDHCI_RESP0                    0x10u
#define SDHCI_RESP1                    0x14u
#define SDHCI_RESP2                    0x18u
#define SDHCI_RESP3                    0x1Cu
#define SDHCI_DATA                     0x20u
#define SDHCI_STATUS                   0x24u
#define   SDHCI_STATUS_CMD_INHIBIT     (1u << 0)
#define   SDHCI_STATUS_DAT_INHIBIT     (1u << 1)
#define SDHCI_CONTROL0                 0x28u
#define   SDHCI_CONTROL0_DWIDTH4       (1u << 1)
#define   SDHCI_CONTROL0_BUS_POWER     (1u << 8)
#define   SDHCI_CONTROL0_VOLTAGE_3V3   (7u << 9)
#define SDHCI_CONTROL1                 0x2Cu
#define   SDHCI_CONTROL1_CLK_INTLEN    (1u << 0)
#define   SDHCI_CONTROL1_CLK_STABLE    (1u << 1)
#define   SDHCI_CONTROL1_CLK_EN        (1u << 2)
#define   SDHCI_CONTROL1_CLK_FREQ_MS2_LSB 6u
#define   SDHCI_CONTROL1_CLK_FREQ_MS2_MASK (3u << 6)
#define   SDHCI_CONTROL1_CLK_FREQ8_LSB 8u
#define   SDHCI_CONTROL1_CLK_FREQ8_MASK (0xFFu << 8)
#define   SDHCI_CONTROL1_DATA_TOUNIT_LSB 16u
#define   SDHCI_CONTROL1_DATA_TOUNIT_MASK (0xFu << 16)
#define   SDHCI_CONTROL1_DATA_TOUNIT_MAX 0xEu /* TMCLK * 2^27, the longest the controller offers */
#define   SDHCI_CONTROL1_SRST_HC       (1u << 24)
#define   SDHCI_CONTROL1_SRST_CMD      (1u << 25)
#define   SDHCI_CONTROL1_SRST_DATA     (1u << 26)
#define   SDHCI_CONTROL1_SRST_MASK     (SDHCI_CONTROL1_SRST_HC | SDHCI_CONTROL1_SRST_CMD | SDHCI_CONTROL1_SRST_DATA)
#define SDHCI_INTERRUPT                0x30u
#define   SDHCI_INT_CMD_DONE           (1u << 0)
#define   SDHCI_INT_DATA_DONE          (1u << 1)
#define   SDHCI_INT_WRITE_RDY          (1u << 4)
#define   SDHCI_INT_READ_RDY           (1u << 5)
#define   SDHCI_INT_ERR                (1u << 15)
#define   SDHCI_INT_CTO_ERR            (1u << 16)
#define   SDHCI_INT_CCRC_ERR           (1u << 17)
#define   SDHCI_INT_CEND_ERR           (1u << 18)
#define   SDHCI_INT_CBAD_ERR           (1u << 19)
#define   SDHCI_INT_DTO_ERR            (1u << 20)
#define   SDHCI_INT_DCRC_ERR           (1u << 21)
#define   SDHCI_INT_DEND_ERR           (1u << 22)
#define   SDHCI_INT_ACMD_ERR           (1u << 24)
#define   SDHCI_INT_ERROR_MASK         (0xFFFFu << 16)
#define   SDHCI_INT_ALL                0xFFFFFFFFu
#define SDHCI_IRPT_MASK                0x34u /* which events latch in INTERRUPT */
#define SDHCI_IRPT_EN                  0x38u /* which of them raise the interrupt line: none, the driver polls */

/* SD commands (SD Physical Layer Simplified Specification), with the response each one gets. */
#define RESP_NONE  SDHCI_CMD_RSP_NONE
#define RESP_R1    (SDHCI_CMD_RSP_48 | SDHCI_CMD_CRC_CHECK | SDHCI_CMD_INDEX_CHECK)
#define RESP_R1B   (SDHCI_CMD_RSP_48_BUSY | SDHCI_CMD_CRC_CHECK | SDHCI_CMD_INDEX_CHECK)
#define RESP_R2    (SDHCI_CMD_RSP_136 | SDHCI_CMD_CRC_CHECK)
#define RESP_R3    SDHCI_CMD_RSP_48 /* OCR: no CRC, no index */
#define RESP_R6    RESP_R1
#define RESP_R7    RESP_R1
#define SD_CMD(index, flags)     (((uint32_t)(index) << SDHCI_CMD_INDEX_LSB) | (flags))
#define DATA_READ                (SDHCI_CMD_DATA_PRESENT | SDHCI_TM_DAT_DIR_READ)

#define CMD_GO_IDLE_STATE        SD_CMD(0, RESP_NONE)
#define CMD_ALL_SEND_CID         SD_CMD(2, RESP_R2)
#define CMD_SEND_RELATIVE_ADDR   SD_CMD(3, RESP_R6)
#define CMD_SELECT_CARD          SD_CMD(7, RESP_R1B)
#define CMD_SEND_IF_COND         SD_CMD(8, RESP_R7)
#define CMD_SEND_CSD             SD_CMD(9, RESP_R2)
#define CMD_SET_BLOCKLEN         SD_CMD(16, RESP_R1)
#define CMD_READ_SINGLE_BLOCK    SD_CMD(17, RESP_R1 | DATA_READ)
#define CMD_READ_MULTIPLE_BLOCK  \
    SD_CMD(18, RESP_R1 | DATA_READ | SDHCI_TM_MULTI_BLOCK | SDHCI_TM_BLKCNT_EN | SDHCI_TM_AUTO_CMD12)
/* Block-oriented write commands, class 4 (SD Physical Layer Simplified Specification 4.7.4, table "Block-Oriented
 * Write Commands"). The multiple-block write ends with an automatic CMD12 (R1b) sent by the controller after the
 * last block (SDHCI 3.00 section 2.2.5, Transfer Mode "Auto CMD12 Enable"). */
#define CMD_WRITE_SINGLE_BLOCK   SD_CMD(24, RESP_R1 | SDHCI_CMD_DATA_PRESENT)
#define CMD_WRITE_MULTIPLE_BLOCK \
    SD_CMD(25, RESP_R1 | SDHCI_CMD_DATA_PRESENT | SDHCI_TM_MULTI_BLOCK | SDHCI_TM_BLKCNT_EN | SDHCI_TM_AUTO_CMD12)
/* CMD12 by hand, to take the card out of the receive-data state after a failed multiple-block write. */
#define CMD_STOP_TRANSMISSION    SD_CMD(12, RESP_R1B)
#define CMD_SEND_STATUS          SD_CMD(13, RESP_R1)
#define CMD_APP_CMD              SD_CMD(55, RESP_R1)
#define ACMD_SET_BUS_WIDTH       SD_CMD(6, RESP_R1)
#define ACMD_SD_SEND_OP_COND     SD_CMD(41, RESP_R3)

/* CMD8 argument: 2.7-3.6 V supply, and a check pattern the card echoes. */
#define IF_COND_VHS_3V3          (1u << 8)
#define IF_COND_CHECK_PATTERN    0xAAu
#define IF_COND_ECHO_MASK        0xFFFu
/* ACMD41 argument and OCR response. */
#define OCR_VOLTAGE_WINDOW       0x00FF8000u /* 2.7-3.6 V */
#define OCR_HCS                  (1u << 30)  /* host supports high capacity (argument); card is one (response) */
#define OCR_POWER_UP_DONE        (1u << 31)
/* ACMD6 argument. */
#define BUS_WIDTH_4BIT           2u
/* R6 (CMD3) response: new RCA in the top half, a compressed card status below. */
#define R6_RCA_LSB               16u
#define R6_STATUS_ERRORS         0xE000u /* COM_CRC_ERROR, ILLEGAL_COMMAND, ERROR */
#define RCA_ARG_LSB              16u
/* R1 card status bits that report an error. */
#define R1_STATUS_ERRORS         0xFDF90008u
/* R1 CURRENT_STATE and READY_FOR_DATA (SD Physical Layer Simplified Specification 4.10.1, Card Status). */
#define R1_READY_FOR_DATA        (1u << 8)
#define R1_CURRENT_STATE_LSB     9u
#define R1_CURRENT_STATE_MASK    (0xFu << R1_CURRENT_STATE_LSB)
#define   R1_STATE_TRAN          4u
#define   R1_STATE_PRG           7u

/* CSD fields, as bit positions in the 128-bit register. */
#define CSD_STRUCTURE_MSB        127u
#define CSD_STRUCTURE_LSB        126u
#define   CSD_STRUCTURE_V1       0u /* SDSC */
#define   CSD_STRUCTURE_V2       1u /* SDHC/SDXC */
#define CSD_V1_READ_BL_LEN_MSB   83u
#define CSD_V1_READ_BL_LEN_LSB   80u
#define CSD_V1_C_SIZE_MSB        73u
#define CSD_V1_C_SIZE_LSB        62u
#define CSD_V1_C_SIZE_MULT_MSB   49u
#define CSD_V1_C_SIZE_MULT_LSB   47u
#define CSD_V1_READ_BL_LEN_MIN   9u
#define CSD_V1_READ_BL_LEN_MAX   11u
#define CSD_V1_MULT_SHIFT        2u
#define CSD_V2_C_SIZE_MSB        69u
#define CSD_V2_C_SIZE_LSB        48u
#define CSD_V2_UNIT_SHIFT        19u /* C_SIZE counts 512 KiB units */
/* The controller drops the CRC byte of R2: response register bit 0 is CSD/CID bit 8. */
#define R2_BIT_OFFSET            8u

#define SD_BLOCK_SIZE            512u
#define SD_BLOCK_SHIFT           9u
#define SDHCI_MAX_BLOCKS_PER_CMD 0xFFFFu /* the block count field is 16 bits */
#define SDHCI_DIVIDER_MAX        0x3FFu  /* 10-bit divided clock: SD clock = base / (2 * N) */
#define SDHCI_DIVIDER_MS2_SHIFT  8u
#define SDHCI_DIVIDER_LOW_MASK   0xFFu
#define SDHCI_WRITE_GAP_CYCLES   2u
/* clang-format on */

/* Card clock during identification (the SD specification's 100-400 kHz) and afterwards (default speed). */
#ifndef SDHCI_IDENT_CLOCK_HZ
#define SDHCI_IDENT_CLOCK_HZ 400000u
#endif
#ifndef SDHCI_TRANSFER_CLOCK_HZ
#define SDHCI_TRANSFER_CLOCK_HZ 25000000u
#endif
/* Deadlines. Reset and clock settle in microseconds on hardware; a command answers within 64 clocks; the SD
 * specification allows 100 ms for a read (250 ms for a busy signal) and 1 s for power-up. Each has a wide margin. */
#ifndef SDHCI_RESET_TIMEOUT_US
#define SDHCI_RESET_TIMEOUT_US 100000u
#endif
#ifndef SDHCI_CLOCK_TIMEOUT_US
#define SDHCI_CLOCK_TIMEOUT_US 100000u
#endif
#ifndef SDHCI_CMD_TIMEOUT_US
#define SDHCI_CMD_TIMEOUT_US 100000u
#endif
#ifndef SDHCI_DATA_TIMEOUT_US
#define SDHCI_DATA_TIMEOUT_US 500000u
#endif
#ifndef SDHCI_BUSY_TIMEOUT_US
#define SDHCI_BUSY_TIMEOUT_US 500000u
#endif
/* A write is done when the card releases DAT0 after programming. The SD Physical Layer Simplified Specification
 * (4.6.2.2, Write) gives a card at most 250 ms (SDSC, SDHC) or 500 ms (SDXC) of busy per block; a card may add
 * more for an erase or a garbage collection, so the driver allows a full second for the whole transfer to finish
 * and as long again for CMD13 to see the card back in the transfer state. */
#ifndef SDHCI_WRITE_TIMEOUT_US
#define SDHCI_WRITE_TIMEOUT_US 1000000u
#endif
#ifndef SDHCI_PROGRAMMING_TIMEOUT_US
#define SDHCI_PROGRAMMING_TIMEOUT_US 1000000u
#endif
/* Between CMD13 polls while the card programs: short against the 250 ms a block may take. */
#ifndef SDHCI_STATUS_POLL_US
#define SDHCI_STATUS_POLL_US 100u
#endif
#ifndef SDHCI_POWER_UP_TIMEOUT_US
#define SDHCI_POWER_UP_TIMEOUT_US 1000000u
#endif
/* Between ACMD41 attempts: long enough not to flood the card, short against the 1 s budget. */
#ifndef SDHCI_POWER_UP_POLL_US
#define SDHCI_POWER_UP_POLL_US 10000u
#endif
/* After power and clock are on: the card needs 1 ms and 74 clocks before its first command. */
#ifndef SDHCI_POWER_ON_DELAY_US
#define SDHCI_POWER_ON_DELAY_US 1000u
#endif
/* A card may answer CMD3 with RCA 0, which is reserved; the host then asks again. */
#define SDHCI_RCA_ATTEMPTS 3u

static uint32_t sdhci_read(const struct sdhci *dev, uint32_t reg)
{
    return mmio_read32(dev->base + reg);
}

/* The BCM283x Arasan can lose a register write that comes within two SD clocks of the previous one. */
static void sdhci_write(const struct sdhci *dev, uint32_t reg, uint32_t value)
{
    mmio_write32(dev->base + reg, value);
    systimer_delay_us(dev->write_gap_us);
}

static uint32_t write_gap_for(uint32_t sd_clock_hz)
{
    return (SDHCI_WRITE_GAP_CYCLES * US_PER_S + sd_clock_hz - 1) / sd_clock_hz;
}

/* Waits until (reg & mask) == want. Returns 0, or 1 if the deadline passed first (the caller picks the error). */
static int wait_register(const struct sdhci *dev, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_us)
{
    uint64_t deadline = systimer_deadline_us(timeout_us);
    for (;;) {
        /* Read before checking the clock, so a slow poll still gets one look after the deadline. */
        bool expired = systimer_expired(deadline);
        if ((sdhci_read(dev, reg) & mask) == want) {
            return 0;
        }
        if (expired) {
            return 1;
        }
    }
}

static int error_from_interrupt(uint32_t irq)
{
    if (irq & SDHCI_INT_CTO_ERR) {
        return SDHCI_ERR_CMD_TIMEOUT;
    }
    if (irq & (SDHCI_INT_CCRC_ERR | SDHCI_INT_CEND_ERR | SDHCI_INT_CBAD_ERR)) {
        return SDHCI_ERR_CMD_CRC;
    }
    if (irq & SDHCI_INT_DTO_ERR) {
        return SDHCI_ERR_DATA_TIMEOUT;
    }
    if (irq & (SDHCI_INT_DCRC_ERR | SDHCI_INT_DEND_ERR)) {
        return SDHCI_ERR_DATA_CRC;
    }
    if (irq & SDHCI_INT_ACMD_ERR) {
        return SDHCI_ERR_AUTO_CMD12;
    }
    return SDHCI_ERR_CONTROLLER;
}

/* After a failed command or transfer: resets the command and data state machines (one at a time: a write with
 * both bits is not honoured by every implementation) and clears the interrupt flags. */
static void sdhci_recover(struct sdhci *dev)
{
    static const uint32_t line_resets[] = { SDHCI_CONTROL1_SRST_CMD, SDHCI_CONTROL1_SRST_DATA };
    for (size_t i = 0; i < ARRAY_SIZE(line_resets); i++) {
        uint32_t control1 = sdhci_read(dev, SDHCI_CONTROL1) & ~SDHCI_CONTROL1_SRST_MASK;
        sdhci_write(dev, SDHCI_CONTROL1, control1 | line_resets[i]);
        /* A reset that does not finish shows up as a busy line on the next command. */
        (void)wait_register(dev, SDHCI_CONTROL1, line_resets[i], 0, SDHCI_RESET_TIMEOUT_US);
    }
    sdhci_write(dev, SDHCI_INTERRUPT, SDHCI_INT_ALL);
}

/* Waits for any of the events in want, or an error. Acknowledges the events it returns for. */
static int wait_interrupt(struct sdhci *dev, uint32_t want, uint32_t timeout_us)
{
    uint64_t deadline = systimer_deadline_us(timeout_us);
    for (;;) {
        bool expired = systimer_expired(deadline);
        uint32_t irq = sdhci_read(dev, SDHCI_INTERRUPT);
        if (irq & (SDHCI_INT_ERR | SDHCI_INT_ERROR_MASK)) {
            dev->last_interrupt = irq;
            sdhci_recover(dev);
            return error_from_interrupt(irq);
        }
        if (irq & want) {
            sdhci_write(dev, SDHCI_INTERRUPT, irq & want);
            return 0;
        }
        if (expired) {
            dev->last_interrupt = irq;
            sdhci_recover(dev);
            return SDHCI_ERR_TIMEOUT;
        }
    }
}

/* Sends one command and waits for its response (and, for R1b, for the card's busy signal to end). blksizecnt is
 * written for data commands (0 otherwise). resp receives 4 words for R2, 1 otherwise; it may be NULL. */
static int sdhci_command(struct sdhci *dev, uint32_t cmdtm, uint32_t arg, uint32_t blksizecnt, uint32_t *resp)
{
    uint32_t response = cmdtm & SDHCI_CMD_RSP_MASK;
    uint32_t inhibit = SDHCI_STATUS_CMD_INHIBIT;
    if ((cmdtm & SDHCI_CMD_DATA_PRESENT) || response == SDHCI_CMD_RSP_48_BUSY) {
        inhibit |= SDHCI_STATUS_DAT_INHIBIT;
    }
    if (wait_register(dev, SDHCI_STATUS, inhibit, 0, SDHCI_BUSY_TIMEOUT_US) != 0) {
        sdhci_recover(dev);
        return SDHCI_ERR_BUSY;
    }

    sdhci_write(dev, SDHCI_INTERRUPT, SDHCI_INT_ALL);
    if (cmdtm & SDHCI_CMD_DATA_PRESENT) {
        sdhci_write(dev, SDHCI_BLKSIZECNT, blksizecnt);
    }
    sdhci_write(dev, SDHCI_ARG1, arg);
    sdhci_write(dev, SDHCI_CMDTM, cmdtm);

    int err = wait_interrupt(dev, SDHCI_INT_CMD_DONE, SDHCI_CMD_TIMEOUT_US);
    if (err != 0) {
        return err;
    }
    if (resp != NULL) {
        resp[0] = sdhci_read(dev, SDHCI_RESP0);
        if (response == SDHCI_CMD_RSP_136) {
            resp[1] = sdhci_read(dev, SDHCI_RESP1);
            resp[2] = sdhci_read(dev, SDHCI_RESP2);
            resp[3] = sdhci_read(dev, SDHCI_RESP3);
        }
    }
    if (response == SDHCI_CMD_RSP_48_BUSY &&
        wait_register(dev, SDHCI_STATUS, SDHCI_STATUS_DAT_INHIBIT, 0, SDHCI_BUSY_TIMEOUT_US) != 0) {
        sdhci_recover(dev);
        return SDHCI_ERR_BUSY;
    }
    return 0;
}

/* A command answered with an R1 card status; fails if the status reports an error. */
static int sdhci_command_r1(struct sdhci *dev, uint32_t cmdtm, uint32_t arg, uint32_t blksizecnt)
{
    uint32_t status;
    int err = sdhci_command(dev, cmdtm, arg, blksizecnt, &status);
    if (err == 0 && (status & R1_STATUS_ERRORS)) {
        dev->last_interrupt = sdhci_read(dev, SDHCI_INTERRUPT);
        if (cmdtm & SDHCI_CMD_DATA_PRESENT) {
            sdhci_recover(dev); /* no data will come: stop waiting for it */
        }
        err = SDHCI_ERR_CARD_STATUS;
    }
    return err;
}

static int sdhci_app_command(struct sdhci *dev, uint32_t acmd, uint32_t arg, uint32_t *resp)
{
    int err = sdhci_command(dev, CMD_APP_CMD, dev->rca << RCA_ARG_LSB, 0, NULL);
    if (err != 0) {
        return err;
    }
    return sdhci_command(dev, acmd, arg, 0, resp);
}

static int sdhci_set_clock(struct sdhci *dev, uint32_t target_hz)
{
    /* Smallest N with base / (2N) <= target; N = 0 passes the base clock through. */
    uint32_t divider = 0;
    uint32_t actual = dev->base_clock_hz;
    if (dev->base_clock_hz > target_hz) {
        divider = (dev->base_clock_hz + 2 * target_hz - 1) / (2 * target_hz);
        if (divider > SDHCI_DIVIDER_MAX) {
            return SDHCI_ERR_CLOCK;
        }
        actual = dev->base_clock_hz / (2 * divider);
    }

    uint32_t control1 = sdhci_read(dev, SDHCI_CONTROL1) & ~SDHCI_CONTROL1_SRST_MASK;
    control1 &= ~SDHCI_CONTROL1_CLK_EN;
    sdhci_write(dev, SDHCI_CONTROL1, control1);

    control1 &= ~(SDHCI_CONTROL1_CLK_FREQ8_MASK | SDHCI_CONTROL1_CLK_FREQ_MS2_MASK | SDHCI_CONTROL1_DATA_TOUNIT_MASK);
    control1 |= ((divider & SDHCI_DIVIDER_LOW_MASK) << SDHCI_CONTROL1_CLK_FREQ8_LSB) |
                ((divider >> SDHCI_DIVIDER_MS2_SHIFT) << SDHCI_CONTROL1_CLK_FREQ_MS2_LSB) |
                (SDHCI_CONTROL1_DATA_TOUNIT_MAX << SDHCI_CONTROL1_DATA_TOUNIT_LSB) | SDHCI_CONTROL1_CLK_INTLEN;
    sdhci_write(dev, SDHCI_CONTROL1, control1);
    if (wait_register(dev, SDHCI_CONTROL1, SDHCI_CONTROL1_CLK_STABLE, SDHCI_CONTROL1_CLK_STABLE,
                      SDHCI_CLOCK_TIMEOUT_US) != 0) {
        return SDHCI_ERR_CLOCK;
    }
    sdhci_write(dev, SDHCI_CONTROL1, control1 | SDHCI_CONTROL1_CLK_EN);

    dev->sd_clock_hz = actual;
    /* Keep the slower spacing for the writes above; use the new one from here on. */
    dev->write_gap_us = write_gap_for(actual);
    return 0;
}

/* Bits [msb:lsb] (at most 32) of a 128-bit CSD held as the controller returns R2. */
static uint32_t csd_field(const uint32_t *r2, uint32_t msb, uint32_t lsb)
{
    uint32_t value = 0;
    for (uint32_t bit = msb + 1; bit-- > lsb;) {
        uint32_t i = bit - R2_BIT_OFFSET;
        value = (value << 1) | ((r2[i / 32] >> (i % 32)) & 1u);
    }
    return value;
}

static int sdhci_parse_csd(struct sdhci *dev)
{
    uint32_t structure = csd_field(dev->csd, CSD_STRUCTURE_MSB, CSD_STRUCTURE_LSB);
    if (structure == CSD_STRUCTURE_V1) {
        uint32_t read_bl_len = csd_field(dev->csd, CSD_V1_READ_BL_LEN_MSB, CSD_V1_READ_BL_LEN_LSB);
        uint32_t c_size = csd_field(dev->csd, CSD_V1_C_SIZE_MSB, CSD_V1_C_SIZE_LSB);
        uint32_t mult = csd_field(dev->csd, CSD_V1_C_SIZE_MULT_MSB, CSD_V1_C_SIZE_MULT_LSB);
        if (read_bl_len < CSD_V1_READ_BL_LEN_MIN || read_bl_len > CSD_V1_READ_BL_LEN_MAX) {
            return SDHCI_ERR_CSD;
        }
        dev->capacity_bytes = ((uint64_t)c_size + 1) << (mult + CSD_V1_MULT_SHIFT + read_bl_len);
    } else if (structure == CSD_STRUCTURE_V2) {
        uint32_t c_size = csd_field(dev->csd, CSD_V2_C_SIZE_MSB, CSD_V2_C_SIZE_LSB);
        dev->capacity_bytes = ((uint64_t)c_size + 1) << CSD_V2_UNIT_SHIFT;
    } else {
        return SDHCI_ERR_CSD; /* SDUC (CSD version 3) needs 64-bit addressing */
    }
    uint64_t blocks = dev->capacity_bytes >> SD_BLOCK_SHIFT;
    dev->block_count = blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)blocks;
    return 0;
}

/* Reset, power and identification-speed clock. */
static int sdhci_start_controller(struct sdhci *dev)
{
    sdhci_write(dev, SDHCI_CONTROL1, SDHCI_CONTROL1_SRST_HC);
    if (wait_register(dev, SDHCI_CONTROL1, SDHCI_CONTROL1_SRST_HC, 0, SDHCI_RESET_TIMEOUT_US) != 0) {
        return SDHCI_ERR_RESET;
    }
    sdhci_write(dev, SDHCI_CONTROL0, SDHCI_CONTROL0_BUS_POWER | SDHCI_CONTROL0_VOLTAGE_3V3);
    int err = sdhci_set_clock(dev, SDHCI_IDENT_CLOCK_HZ);
    if (err != 0) {
        return err;
    }
    sdhci_write(dev, SDHCI_IRPT_EN, 0);
    sdhci_write(dev, SDHCI_IRPT_MASK, SDHCI_INT_ALL);
    sdhci_write(dev, SDHCI_INTERRUPT, SDHCI_INT_ALL);
    systimer_delay_us(SDHCI_POWER_ON_DELAY_US);
    return 0;
}

/* CMD0, CMD8 and the ACMD41 loop: leaves the card ready, with dev->ocr and dev->high_capacity set. */
static int sdhci_power_up_card(struct sdhci *dev)
{
    int err = sdhci_command(dev, CMD_GO_IDLE_STATE, 0, 0, NULL);
    if (err != 0) {
        return err;
    }

    /* Only cards of specification 2.00 or later answer CMD8; older ones time out, and cannot be high capacity. */
    uint32_t if_cond;
    bool v2 = false;
    err = sdhci_command(dev, CMD_SEND_IF_COND, IF_COND_VHS_3V3 | IF_COND_CHECK_PATTERN, 0, &if_cond);
    if (err == 0) {
        if ((if_cond & IF_COND_ECHO_MASK) != (IF_COND_VHS_3V3 | IF_COND_CHECK_PATTERN)) {
            return SDHCI_ERR_VOLTAGE;
        }
        v2 = true;
    } else if (err != SDHCI_ERR_CMD_TIMEOUT) {
        return err;
    }

    uint32_t arg = OCR_VOLTAGE_WINDOW | (v2 ? OCR_HCS : 0);
    uint64_t deadline = systimer_deadline_us(SDHCI_POWER_UP_TIMEOUT_US);
    for (;;) {
        bool expired = systimer_expired(deadline);
        uint32_t ocr;
        err = sdhci_app_command(dev, ACMD_SD_SEND_OP_COND, arg, &ocr);
        if (err != 0) {
            return err;
        }
        if (ocr & OCR_POWER_UP_DONE) {
            if ((ocr & OCR_VOLTAGE_WINDOW) == 0) {
                return SDHCI_ERR_VOLTAGE;
            }
            dev->ocr = ocr;
            dev->high_capacity = v2 && (ocr & OCR_HCS);
            return 0;
        }
        if (expired) {
            return SDHCI_ERR_CARD_BUSY;
        }
        systimer_delay_us(SDHCI_POWER_UP_POLL_US);
    }
}

/* CMD2, CMD3, CMD9: card identity, address and size. */
static int sdhci_identify_card(struct sdhci *dev)
{
    int err = sdhci_command(dev, CMD_ALL_SEND_CID, 0, 0, dev->cid);
    if (err != 0) {
        return err;
    }
    for (uint32_t attempt = 0; attempt < SDHCI_RCA_ATTEMPTS && dev->rca == 0; attempt++) {
        uint32_t r6;
        err = sdhci_command(dev, CMD_SEND_RELATIVE_ADDR, 0, 0, &r6);
        if (err != 0) {
            return err;
        }
        if (r6 & R6_STATUS_ERRORS) {
            return SDHCI_ERR_CARD_STATUS;
        }
        dev->rca = r6 >> R6_RCA_LSB;
    }
    if (dev->rca == 0) {
        return SDHCI_ERR_CARD_STATUS;
    }
    err = sdhci_command(dev, CMD_SEND_CSD, dev->rca << RCA_ARG_LSB, 0, dev->csd);
    if (err != 0) {
        return err;
    }
    return sdhci_parse_csd(dev);
}

/* CMD7, ACMD6, CMD16: selected, 4-bit bus, 512-byte blocks, full speed. */
static int sdhci_configure_card(struct sdhci *dev)
{
    int err = sdhci_set_clock(dev, SDHCI_TRANSFER_CLOCK_HZ);
    if (err == 0) {
        err = sdhci_command_r1(dev, CMD_SELECT_CARD, dev->rca << RCA_ARG_LSB, 0);
    }
    if (err == 0) {
        /* Every SD memory card supports a 4-bit bus (SD Physical Layer specification, SCR SD_BUS_WIDTHS). */
        uint32_t status;
        err = sdhci_app_command(dev, ACMD_SET_BUS_WIDTH, BUS_WIDTH_4BIT, &status);
        if (err == 0 && (status & R1_STATUS_ERRORS)) {
            err = SDHCI_ERR_CARD_STATUS;
        }
    }
    if (err == 0) {
        sdhci_write(dev, SDHCI_CONTROL0, sdhci_read(dev, SDHCI_CONTROL0) | SDHCI_CONTROL0_DWIDTH4);
        /* High capacity cards have a fixed 512-byte block; standard capacity ones are told. */
        if (!dev->high_capacity) {
            err = sdhci_command_r1(dev, CMD_SET_BLOCKLEN, SD_BLOCK_SIZE, 0);
        }
    }
    return err;
}

int sdhci_init(struct sdhci *dev, uintptr_t base, uint32_t base_clock_hz)
{
    if (dev == NULL) {
        return SDHCI_ERR_INVALID_ARG;
    }
    memset(dev, 0, sizeof(*dev));
    if (base_clock_hz < SDHCI_IDENT_CLOCK_HZ) {
        return SDHCI_ERR_CLOCK; /* no firmware reports a clock this slow: it is a wrong answer */
    }
    dev->base = base;
    dev->base_clock_hz = base_clock_hz;
    /* Until the divider is known: rounding the divider up keeps the identification clock above half its target. */
    dev->write_gap_us = write_gap_for(SDHCI_IDENT_CLOCK_HZ / 2);

    int err = sdhci_start_controller(dev);
    if (err == 0) {
        err = sdhci_power_up_card(dev);
    }
    if (err == 0) {
        err = sdhci_identify_card(dev);
    }
    if (err == 0) {
        err = sdhci_configure_card(dev);
    }
    dev->ready = err == 0;
    return err;
}

static int sdhci_read_chunk(struct sdhci *dev, uint32_t lba, uint32_t count, uint8_t *dst)
{
    /* Standard capacity cards are addressed in bytes (they are at most 2 GiB, so this fits). */
    uint32_t address = dev->high_capacity ? lba : lba << SD_BLOCK_SHIFT;
    uint32_t cmd = count == 1 ? CMD_READ_SINGLE_BLOCK : CMD_READ_MULTIPLE_BLOCK;
    uint32_t blksizecnt = (SD_BLOCK_SIZE << SDHCI_BLKSIZECNT_SIZE_LSB) | (count << SDHCI_BLKSIZECNT_COUNT_LSB);

    int err = sdhci_command_r1(dev, cmd, address, blksizecnt);
    for (uint32_t block = 0; err == 0 && block < count; block++) {
        err = wait_interrupt(dev, SDHCI_INT_READ_RDY, SDHCI_DATA_TIMEOUT_US);
        for (uint32_t i = 0; err == 0 && i < SD_BLOCK_SIZE / sizeof(uint32_t); i++) {
            uint32_t word = sdhci_read(dev, SDHCI_DATA);
            memcpy(dst, &word, sizeof(word)); /* the caller's buffer need not be word-aligned */
            dst += sizeof(word);
        }
    }
    if (err == 0) {
        err = wait_interrupt(dev, SDHCI_INT_DATA_DONE, SDHCI_DATA_TIMEOUT_US);
    }
    return err;
}

/* Polls CMD13 until the card is back in the transfer state, ready for data (SD Physical Layer Simplified
 * Specification 4.3.4: after a write the card stays in the programming state, busy on DAT0, until the data is
 * stored). A programming error the card found (e.g. WP_VIOLATION, CC_ERROR, ERROR) shows in this status. */
static int sdhci_wait_programmed(struct sdhci *dev)
{
    uint64_t deadline = systimer_deadline_us(SDHCI_PROGRAMMING_TIMEOUT_US);
    for (;;) {
        bool expired = systimer_expired(deadline);
        uint32_t status;
        int err = sdhci_command(dev, CMD_SEND_STATUS, dev->rca << RCA_ARG_LSB, 0, &status);
        if (err != 0) {
            return err;
        }
        if (status & R1_STATUS_ERRORS) {
            return SDHCI_ERR_CARD_STATUS;
        }
        uint32_t state = (status & R1_CURRENT_STATE_MASK) >> R1_CURRENT_STATE_LSB;
        if (state == R1_STATE_TRAN && (status & R1_READY_FOR_DATA)) {
            return 0;
        }
        if (expired || (state != R1_STATE_PRG && state != R1_STATE_TRAN)) {
            return SDHCI_ERR_PROGRAMMING;
        }
        systimer_delay_us(SDHCI_STATUS_POLL_US);
    }
}

/* One CMD24/CMD25 transfer by programmed I/O, as SDHCI 3.00 section 3.7.2.1 (without DMA) describes it: the
 * command, then per block a wait for Buffer Write Ready and 128 words into the data port, then Transfer Complete,
 * which the controller raises for a write only once the card has released DAT0 (busy) after the last block and,
 * for CMD25, after the automatic CMD12 (SDHCI 3.00 section 2.2.17, Transfer Complete). */
static int sdhci_write_chunk(struct sdhci *dev, uint32_t lba, uint32_t count, const uint8_t *src)
{
    uint32_t address = dev->high_capacity ? lba : lba << SD_BLOCK_SHIFT;
    uint32_t cmd = count == 1 ? CMD_WRITE_SINGLE_BLOCK : CMD_WRITE_MULTIPLE_BLOCK;
    uint32_t blksizecnt = (SD_BLOCK_SIZE << SDHCI_BLKSIZECNT_SIZE_LSB) | (count << SDHCI_BLKSIZECNT_COUNT_LSB);

    int err = sdhci_command_r1(dev, cmd, address, blksizecnt);
    bool sent = err == 0;
    for (uint32_t block = 0; err == 0 && block < count; block++) {
        err = wait_interrupt(dev, SDHCI_INT_WRITE_RDY, SDHCI_DATA_TIMEOUT_US);
        for (uint32_t i = 0; err == 0 && i < SD_BLOCK_SIZE / sizeof(uint32_t); i++) {
            uint32_t word;
            memcpy(&word, src, sizeof(word));
            /* Straight to the data port, without the two-clock spacing: the Arasan loses close writes to its
             * registers but not to the data port (U-Boot drivers/mmc/bcm2835_sdhci.c, bcm2835_sdhci_raw_writel). */
            mmio_write32(dev->base + SDHCI_DATA, word);
            src += sizeof(word);
        }
    }
    if (err == 0) {
        err = wait_interrupt(dev, SDHCI_INT_DATA_DONE, SDHCI_WRITE_TIMEOUT_US);
    }
    if (err != 0 && sent) {
        /* The card may still be receiving (or, for CMD25, the automatic CMD12 never went out): stop it by hand, as
         * the state diagram allows in the receive-data state (SD Physical Layer Simplified Specification 4.8).
         * Its own result does not matter, the write has already failed. */
        (void)sdhci_command(dev, CMD_STOP_TRANSMISSION, 0, 0, NULL);
    }
    if (err == 0 || sent) {
        int programmed = sdhci_wait_programmed(dev);
        if (err == 0) {
            err = programmed;
        }
    }
    return err;
}

/* Checks a transfer request and splits it into commands of at most 65535 blocks (the 16-bit block count). */
static int sdhci_transfer(struct sdhci *dev, uint32_t lba, uint32_t count, uint8_t *rbuf, const uint8_t *wbuf)
{
    if (dev == NULL || (rbuf == NULL && wbuf == NULL) || count == 0) {
        return SDHCI_ERR_INVALID_ARG;
    }
    if (!dev->ready) {
        return SDHCI_ERR_NOT_READY;
    }
    if (lba >= dev->block_count || count > dev->block_count - lba) {
        return SDHCI_ERR_RANGE;
    }
    while (count > 0) {
        uint32_t chunk = count > SDHCI_MAX_BLOCKS_PER_CMD ? SDHCI_MAX_BLOCKS_PER_CMD : count;
        size_t bytes = (size_t)chunk * SD_BLOCK_SIZE;
        int err;
        if (wbuf != NULL) {
            err = sdhci_write_chunk(dev, lba, chunk, wbuf);
            wbuf += bytes;
        } else {
            err = sdhci_read_chunk(dev, lba, chunk, rbuf);
            rbuf += bytes;
        }
        if (err != 0) {
            return err;
        }
        lba += chunk;
        count -= chunk;
    }
    return 0;
}

int sdhci_read_blocks(struct sdhci *dev, uint32_t lba, uint32_t count, void *buf)
{
    return sdhci_transfer(dev, lba, count, buf, NULL);
}

int sdhci_write_blocks(struct sdhci *dev, uint32_t lba, uint32_t count, const void *buf)
{
    return buf == NULL ? SDHCI_ERR_INVALID_ARG : sdhci_transfer(dev, lba, count, NULL, buf);
}

uint64_t sdhci_capacity_bytes(const struct sdhci *dev)
{
    return (dev != NULL && dev->ready) ? dev->capacity_bytes : 0;
}

static int sdhci_blockdev_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    return sdhci_read_blocks(ctx, lba, count, buf);
}

static int sdhci_blockdev_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    return sdhci_write_blocks(ctx, lba, count, buf);
}

void sdhci_get_blockdev(struct sdhci *dev, struct blockdev *out)
{
    out->read = sdhci_blockdev_read;
    out->write = sdhci_blockdev_write;
    out->ctx = dev;
    out->block_count = dev->ready ? dev->block_count : 0;
}

const char *sdhci_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case SDHCI_ERR_INVALID_ARG: return "invalid argument";
    case SDHCI_ERR_RESET: return "SD controller did not come out of reset";
    case SDHCI_ERR_CLOCK: return "SD clock could not be set up";
    case SDHCI_ERR_BUSY: return "SD command or data line stuck busy";
    case SDHCI_ERR_TIMEOUT: return "SD controller did not respond in time";
    case SDHCI_ERR_CMD_TIMEOUT: return "SD card did not answer (no card?)";
    case SDHCI_ERR_CMD_CRC: return "SD command response corrupted";
    case SDHCI_ERR_DATA_TIMEOUT: return "SD card did not send data in time";
    case SDHCI_ERR_DATA_CRC: return "SD data corrupted (CRC error)";
    case SDHCI_ERR_AUTO_CMD12: return "SD stop command after a multi-block read failed";
    case SDHCI_ERR_CONTROLLER: return "SD controller error";
    case SDHCI_ERR_VOLTAGE: return "SD card does not support 3.3 V";
    case SDHCI_ERR_CARD_BUSY: return "SD card did not finish powering up";
    case SDHCI_ERR_CARD_STATUS: return "SD card reported an error";
    case SDHCI_ERR_CSD: return "unsupported SD card type (CSD)";
    case SDHCI_ERR_NOT_READY: return "SD card not initialised";
    case SDHCI_ERR_RANGE: return "read or write past the end of the SD card";
    case SDHCI_ERR_PROGRAMMING: return "SD card did not finish storing written data in time";
    default: return "unknown SD error";
    }
}
