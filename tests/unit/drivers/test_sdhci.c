/*
 * test_sdhci.c - the SD host driver against a model of the Arasan controller and an SD card behind it.
 *
 * The model lives in the fake register file's hooks: a write to CMDTM "sends" the command to the card model,
 * which answers in RESP0..3 and raises CMD_DONE (or an error bit) in INTERRUPT; INTERRUPT is write-1-to-clear;
 * a read command raises READ_RDY per block and DATA_DONE after the last word is read from DATA; a write command
 * raises WRITE_RDY per block, stores the words written to DATA, and DATA_DONE after the last one, and CMD13 then
 * reports the card programming for a scripted number of polls. Every command the driver sends is logged, so the
 * tests check the initialisation sequence and the read and write commands' arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/blockdev.h"
#include "drivers/sdhci.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define BASE           0x20300000u
#define REG_BLKSIZECNT (BASE + 0x04u)
#define REG_ARG1       (BASE + 0x08u)
#define REG_CMDTM      (BASE + 0x0Cu)
#define REG_RESP0      (BASE + 0x10u)
#define REG_RESP1      (BASE + 0x14u)
#define REG_RESP2      (BASE + 0x18u)
#define REG_RESP3      (BASE + 0x1Cu)
#define REG_DATA       (BASE + 0x20u)
#define REG_STATUS     (BASE + 0x24u)
#define REG_CONTROL0   (BASE + 0x28u)
#define REG_CONTROL1   (BASE + 0x2Cu)
#define REG_INTERRUPT  (BASE + 0x30u)
#define REG_IRPT_MASK  (BASE + 0x34u)
#define REG_IRPT_EN    (BASE + 0x38u)

/* Bits as the SD Host Controller specification defines them (independent of the driver's names). */
#define INT_CMD_DONE     (1u << 0)
#define INT_DATA_DONE    (1u << 1)
#define INT_WRITE_RDY    (1u << 4)
#define INT_READ_RDY     (1u << 5)
#define INT_ERR          (1u << 15)
#define INT_CMD_TIMEOUT  (1u << 16)
#define INT_DATA_CRC     (1u << 21)
#define C1_CLK_INTLEN    (1u << 0)
#define C1_CLK_STABLE    (1u << 1)
#define C1_CLK_EN        (1u << 2)
#define C1_SRST_HC       (1u << 24)
#define C1_SRST_CMD      (1u << 25)
#define C1_SRST_DATA     (1u << 26)
#define TM_BLKCNT_EN     (1u << 1)
#define TM_AUTO_CMD12    (1u << 2)
#define TM_READ          (1u << 4)
#define TM_MULTI         (1u << 5)
#define CMD_DATA_PRESENT (1u << 21)
#define OCR_READY        (1u << 31)
#define OCR_CCS          (1u << 30)
#define OCR_3V3          0x00300000u
#define C0_DWIDTH4       (1u << 1)

#define APP                 0x100 /* marks an application command (after CMD55) in the log */
#define MAX_CMDS            256
#define MAX_WRITTEN         8
#define STATUS_TRAN         0x900u /* CURRENT_STATE tran, READY_FOR_DATA */
#define STATUS_PRG          0xE00u /* CURRENT_STATE prg, not ready */
#define STATUS_WP_VIOLATION (1u << 26)
#define RCA                 0x4567u
#define BASE_CLOCK_HZ       50000000u /* what QEMU's firmware model reports for the EMMC clock */

struct card_model {
    /* Behaviour. */
    bool answers_cmd8;
    bool high_capacity;
    bool no_card;        /* no response to anything that expects one */
    bool never_complete; /* the controller never raises CMD_DONE */
    bool bad_cmd8_echo;
    unsigned busy_acmd41;       /* ACMD41 answers "busy" this many times (UINT32_MAX: forever) */
    bool data_crc_error;        /* the next read fails with a data CRC error */
    uint8_t csd[16];            /* CSD bits 127..0, big-endian */
    unsigned programming_polls; /* CMD13 reports "prg" this many times after a write (UINT32_MAX: forever) */
    bool write_protected;       /* CMD13 after a write reports WP_VIOLATION */
    bool no_write_ready;        /* a write command never gets WRITE_RDY */
    /* State. */
    uint32_t irq;
    bool app;
    uint32_t data_lba;
    uint32_t data_blocks;
    uint32_t data_word;
    bool writing;
    unsigned prg_left;
    /* What the card stored: up to MAX_WRITTEN blocks, in the order written. */
    unsigned written_count;
    uint32_t written_lba[MAX_WRITTEN];
    uint32_t written[MAX_WRITTEN][128];
    /* Log. */
    unsigned cmd_count;
    uint32_t cmd[MAX_CMDS]; /* index, | APP for application commands */
    uint32_t arg[MAX_CMDS];
    uint32_t cmdtm[MAX_CMDS];
    uint32_t blksizecnt[MAX_CMDS];
    /* Register write times, to check their spacing. */
    unsigned write_count;
    uint64_t write_time[4096];
    int clock_switch_write; /* index of the first write after CMD3 (transfer clock from then on) */
};

static struct card_model card;
static struct sdhci dev;

static uint32_t data_word(uint32_t lba, uint32_t word)
{
    return (lba * 0x9E3779B9u) ^ (word * 0x85EBCA6Bu) ^ 0x5D;
}

static void csd_set(uint8_t *csd, unsigned msb, unsigned lsb, uint32_t value)
{
    for (unsigned bit = lsb; bit <= msb; bit++) {
        uint8_t *byte = &csd[15 - bit / 8];
        uint8_t mask = (uint8_t)(1u << (bit % 8));
        *byte = (uint8_t)((value >> (bit - lsb)) & 1u ? (*byte | mask) : (*byte & ~mask));
    }
}

/* The controller returns CSD/CID bits 127..8 (no CRC) in RESP3..RESP0. */
static void respond_r2(const uint8_t *r)
{
    fake_mmio_set(REG_RESP0, ((uint32_t)r[11] << 24) | ((uint32_t)r[12] << 16) | ((uint32_t)r[13] << 8) | r[14]);
    fake_mmio_set(REG_RESP1, ((uint32_t)r[7] << 24) | ((uint32_t)r[8] << 16) | ((uint32_t)r[9] << 8) | r[10]);
    fake_mmio_set(REG_RESP2, ((uint32_t)r[3] << 24) | ((uint32_t)r[4] << 16) | ((uint32_t)r[5] << 8) | r[6]);
    fake_mmio_set(REG_RESP3, ((uint32_t)r[0] << 16) | ((uint32_t)r[1] << 8) | r[2]);
}

/* A read or write command: where its data goes, how many blocks, and the card's R1 "tran, ready". */
static void start_data(uint32_t arg, bool single)
{
    uint32_t blksizecnt = fake_mmio_get(REG_BLKSIZECNT);
    assert_int_equal(blksizecnt & 0xFFFu, 512);
    card.data_lba = card.high_capacity ? arg : arg / 512;
    card.data_blocks = single ? 1 : blksizecnt >> 16;
    card.data_word = 0;
    fake_mmio_set(REG_RESP0, STATUS_TRAN);
}

static void card_command(uint32_t cmdtm)
{
    uint32_t index = cmdtm >> 24;
    uint32_t arg = fake_mmio_get(REG_ARG1);
    bool app = card.app;
    card.app = false;
    if (card.cmd_count < MAX_CMDS) {
        card.cmd[card.cmd_count] = index | (app ? APP : 0);
        card.arg[card.cmd_count] = arg;
        card.cmdtm[card.cmd_count] = cmdtm;
        card.blksizecnt[card.cmd_count] = fake_mmio_get(REG_BLKSIZECNT);
        card.cmd_count++;
    }
    if (card.never_complete) {
        return;
    }
    bool has_response = ((cmdtm >> 16) & 3u) != 0;
    if (card.no_card && has_response) {
        card.irq |= INT_ERR | INT_CMD_TIMEOUT;
        return;
    }
    static const uint8_t cid[16] = { 0x03, 'S', 'D', 'S', 'C', '0', '8', 'G', 0x80, 1, 2, 3, 4, 0, 0x12, 0 };
    switch (index | (app ? APP : 0)) {
    case 0: break;
    case 8:
        if (!card.answers_cmd8) {
            card.irq |= INT_ERR | INT_CMD_TIMEOUT;
            return;
        }
        fake_mmio_set(REG_RESP0, card.bad_cmd8_echo ? 0x155u : (arg & 0xFFFu));
        break;
    case 55:
    case 55 | APP:
        card.app = true;
        fake_mmio_set(REG_RESP0, 1u << 5); /* APP_CMD */
        break;
    case 41 | APP: {
        uint32_t ocr = OCR_3V3;
        if (card.busy_acmd41 > 0) {
            card.busy_acmd41--;
        } else {
            ocr |= OCR_READY | (card.high_capacity && (arg & OCR_CCS) ? OCR_CCS : 0);
        }
        fake_mmio_set(REG_RESP0, ocr);
        break;
    }
    case 2: respond_r2(cid); break;
    case 3:
        fake_mmio_set(REG_RESP0, RCA << 16);
        card.clock_switch_write = (int)card.write_count + 1;
        break;
    case 9: respond_r2(card.csd); break;
    case 7:
    case 6 | APP:
    case 16:
        fake_mmio_set(REG_RESP0, 0x900u); /* state tran, ready for data */
        break;
    case 17:
    case 18:
        start_data(arg, index == 17);
        card.irq |= card.data_crc_error ? (INT_ERR | INT_DATA_CRC) : INT_READ_RDY;
        card.data_crc_error = false;
        break;
    case 24:
    case 25: {
        start_data(arg, index == 24);
        card.writing = true;
        card.prg_left = card.programming_polls;
        if (!card.no_write_ready) {
            card.irq |= INT_WRITE_RDY;
        }
        break;
    }
    case 12:
        card.writing = false;
        card.data_blocks = 0;
        fake_mmio_set(REG_RESP0, STATUS_PRG);
        break;
    case 13:
        assert_int_equal(arg, RCA << 16);
        if (card.prg_left > 0) {
            card.prg_left -= card.prg_left != UINT32_MAX;
            fake_mmio_set(REG_RESP0, STATUS_PRG);
        } else {
            fake_mmio_set(REG_RESP0, STATUS_TRAN | (card.write_protected ? STATUS_WP_VIOLATION : 0));
        }
        break;
    default: card.irq |= INT_ERR | INT_CMD_TIMEOUT; return;
    }
    card.irq |= INT_CMD_DONE;
}

static void write_hook(uintptr_t addr, uint32_t value, void *ctx)
{
    (void)ctx;
    if (card.write_count < sizeof(card.write_time) / sizeof(card.write_time[0])) {
        card.write_time[card.write_count++] = fake_systimer_peek();
    }
    switch (addr) {
    case REG_CONTROL1:
        if (value & C1_SRST_HC) {
            card.irq = 0;
            fake_mmio_set(REG_CONTROL0, 0);
            value = 0;
        }
        value &= ~(C1_SRST_HC | C1_SRST_CMD | C1_SRST_DATA);
        value = (value & C1_CLK_INTLEN) ? (value | C1_CLK_STABLE) : (value & ~C1_CLK_STABLE);
        fake_mmio_set(addr, value);
        break;
    case REG_INTERRUPT: card.irq &= ~value; break;
    case REG_CMDTM: card_command(value); break;
    case REG_DATA:
        if (card.writing && card.data_blocks > 0) {
            if (card.data_word == 0 && card.written_count < MAX_WRITTEN) {
                card.written_lba[card.written_count++] = card.data_lba;
            }
            if (card.written_count > 0 && card.written_lba[card.written_count - 1] == card.data_lba) {
                card.written[card.written_count - 1][card.data_word] = value;
            }
            card.irq &= ~INT_WRITE_RDY;
            if (++card.data_word == 128) {
                card.data_word = 0;
                card.data_lba++;
                card.irq |= --card.data_blocks > 0 ? INT_WRITE_RDY : INT_DATA_DONE;
                card.writing = card.data_blocks > 0;
            }
        }
        break;
    default: break;
    }
}

static uint32_t read_hook(uintptr_t addr, uint32_t stored, void *ctx)
{
    (void)ctx;
    switch (addr) {
    case REG_INTERRUPT: return card.irq;
    case REG_STATUS: return 0;
    case REG_DATA: {
        if (card.data_blocks == 0) {
            return 0xDEADDEADu;
        }
        uint32_t w = data_word(card.data_lba, card.data_word);
        if (++card.data_word == 128) {
            card.data_word = 0;
            card.data_lba++;
            card.irq |= --card.data_blocks > 0 ? INT_READ_RDY : INT_DATA_DONE;
        }
        return w;
    }
    default: return stored;
    }
}

/* An SDHC card of 15160 * 512 KiB, answering CMD8, ready at the second ACMD41. */
static void model_sdhc(void)
{
    memset(&card, 0, sizeof(card));
    card.answers_cmd8 = true;
    card.high_capacity = true;
    card.busy_acmd41 = 1;
    csd_set(card.csd, 127, 126, 1);
    csd_set(card.csd, 69, 48, 15159);
    card.clock_switch_write = -1;
}

/* A 1 GB SDSC card of specification 1.x: no CMD8. */
static void model_sdsc(void)
{
    memset(&card, 0, sizeof(card));
    csd_set(card.csd, 127, 126, 0);
    csd_set(card.csd, 83, 80, 9);
    csd_set(card.csd, 73, 62, 3839);
    csd_set(card.csd, 49, 47, 7);
    card.clock_switch_write = -1;
}

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    fake_systimer_reset();
    fake_mmio_set_write_hook(write_hook, NULL);
    fake_mmio_set_read_hook(read_hook, NULL);
    memset(&dev, 0, sizeof(dev));
    return 0;
}

static void expect_commands(const uint32_t *want, unsigned n)
{
    if (card.cmd_count != n) {
        fail_msg("%u commands sent, want %u", card.cmd_count, n);
    }
    for (unsigned i = 0; i < n; i++) {
        if (card.cmd[i] != want[i]) {
            fail_msg("command %u: CMD%u%s, want CMD%u%s", i, card.cmd[i] & 0xFF, card.cmd[i] & APP ? " (app)" : "",
                     want[i] & 0xFF, want[i] & APP ? " (app)" : "");
        }
    }
}

static void expect_block(const uint8_t *buf, uint32_t lba)
{
    for (uint32_t w = 0; w < 128; w++) {
        uint32_t got;
        memcpy(&got, &buf[w * 4], 4);
        assert_int_equal(got, data_word(lba, w));
    }
}

/* The identification sequence, the addressing mode and the read commands for each kind of card. */
static void test_init_and_read_per_card_type(void **state)
{
    (void)state;
    static const uint32_t sdhc_seq[] = { 0, 8, 55, 41 | APP, 55, 41 | APP, 2, 3, 9, 7, 55, 6 | APP };
    static const uint32_t sdsc_v1_seq[] = { 0, 8, 55, 41 | APP, 2, 3, 9, 7, 55, 6 | APP, 16 };
    static const uint32_t sdsc_v2_seq[] = { 0, 8, 55, 41 | APP, 55, 41 | APP, 2, 3, 9, 7, 55, 6 | APP, 16 };
    const struct {
        const char *what;
        void (*model)(void);
        bool answers_cmd8;
        const uint32_t *seq;
        unsigned seq_len;
        bool high_capacity;
        uint64_t capacity;
    } cases[] = {
        { "SDHC", model_sdhc, true, sdhc_seq, 12, true, 15160ull * 512 * 1024 },
        { "SDSC 1.x", model_sdsc, false, sdsc_v1_seq, 11, false, 3840ull * 512 * 512 },
        { "SDSC 2.0", model_sdsc, true, sdsc_v2_seq, 13, false, 3840ull * 512 * 512 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(NULL);
        cases[i].model();
        card.answers_cmd8 = cases[i].answers_cmd8;
        card.busy_acmd41 = cases[i].seq_len == 11 ? 0 : 1;
        int err = sdhci_init(&dev, BASE, BASE_CLOCK_HZ);
        if (err != 0) {
            fail_msg("%s: %s", cases[i].what, sdhci_strerror(err));
        }
        expect_commands(cases[i].seq, cases[i].seq_len);
        /* HCS only when the card answered CMD8; voltage window always. */
        assert_int_equal(!!(card.arg[3] & OCR_CCS), cases[i].answers_cmd8);
        assert_true(card.arg[3] & OCR_3V3);
        assert_int_equal(card.arg[1], 0x1AA);
        assert_int_equal(card.arg[8 - (cases[i].seq_len == 11 ? 2 : 0)], RCA << 16); /* CMD9 */
        assert_int_equal(card.arg[9 - (cases[i].seq_len == 11 ? 2 : 0)], RCA << 16); /* CMD7 */
        if (!cases[i].high_capacity) {
            assert_int_equal(card.arg[card.cmd_count - 1], 512); /* CMD16 */
        }
        assert_int_equal(dev.high_capacity, cases[i].high_capacity);
        assert_int_equal(sdhci_capacity_bytes(&dev), cases[i].capacity);
        assert_int_equal(dev.rca, RCA);
        assert_true(fake_mmio_get(REG_CONTROL0) & C0_DWIDTH4);
        assert_int_equal(fake_mmio_get(REG_IRPT_MASK), 0xFFFFFFFFu);
        assert_int_equal(fake_mmio_get(REG_IRPT_EN), 0);
        /* The very first thing is a full controller reset. */
        assert_int_equal(fake_mmio_log_at(0)->addr, REG_CONTROL1);
        assert_int_equal(fake_mmio_log_at(0)->value, C1_SRST_HC);

        /* Single block: CMD17 with a block or byte address. */
        uint8_t buf[3 * 512 + 1];
        unsigned before = card.cmd_count;
        assert_int_equal(sdhci_read_blocks(&dev, 1000, 1, buf), 0);
        assert_int_equal(card.cmd[before], 17);
        assert_int_equal(card.arg[before], cases[i].high_capacity ? 1000 : 1000 * 512);
        assert_int_equal(card.cmdtm[before] & (CMD_DATA_PRESENT | TM_READ), CMD_DATA_PRESENT | TM_READ);
        expect_block(buf, 1000);

        /* Several blocks: CMD18 with block count and auto CMD12, into an unaligned buffer. */
        assert_int_equal(sdhci_read_blocks(&dev, 7, 3, buf + 1), 0);
        assert_int_equal(card.cmd[before + 1], 18);
        assert_int_equal(card.arg[before + 1], cases[i].high_capacity ? 7 : 7 * 512);
        assert_int_equal(card.blksizecnt[before + 1], 512u | (3u << 16));
        uint32_t tm = TM_BLKCNT_EN | TM_AUTO_CMD12 | TM_READ | TM_MULTI | CMD_DATA_PRESENT;
        assert_int_equal(card.cmdtm[before + 1] & tm, tm);
        for (uint32_t b = 0; b < 3; b++) {
            expect_block(buf + 1 + b * 512, 7 + b);
        }
    }
}

static uint32_t divider_of(uint32_t control1)
{
    return ((control1 >> 8) & 0xFFu) | (((control1 >> 6) & 3u) << 8);
}

/* The SD clock divider comes from the base clock: 400 kHz or less to identify, 25 MHz or less after. */
static void test_clock_divider(void **state)
{
    (void)state;
    static const struct {
        uint32_t base_hz;
        uint32_t ident_div;
        uint32_t transfer_div;
        int err;
    } cases[] = {
        { 50000000, 63, 1, 0 },   /* QEMU: 396.8 kHz, 25 MHz */
        { 250000000, 313, 5, 0 }, /* Pi firmware default: the divider needs its upper two bits */
        { 200000000, 250, 4, 0 },
        { 41666666, 53, 1, 0 },
        { 25000000, 32, 0, 0 }, /* already 25 MHz: passed through */
        { 818400000, 1023, 17, 0 },
        { 818400001, 0, 0, SDHCI_ERR_CLOCK }, /* would need a divider over 1023 */
        { 399999, 0, 0, SDHCI_ERR_CLOCK },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(NULL);
        model_sdhc();
        int err = sdhci_init(&dev, BASE, cases[i].base_hz);
        assert_int_equal(err, cases[i].err);
        if (err != 0) {
            continue;
        }
        /* Collect the clock setups: the writes that turn the SD clock on. */
        uint32_t divs[4];
        unsigned n = 0;
        for (size_t k = 0; k < fake_mmio_log_count(); k++) {
            const struct fake_mmio_access *a = fake_mmio_log_at(k);
            if (a->is_write && a->addr == REG_CONTROL1 && (a->value & C1_CLK_INTLEN) && (a->value & C1_CLK_EN) &&
                n < 4) {
                divs[n++] = divider_of(a->value);
            }
        }
        assert_int_equal(n, 2);
        assert_int_equal(divs[0], cases[i].ident_div);
        assert_int_equal(divs[1], cases[i].transfer_div);
        assert_true(dev.sd_clock_hz <= 25000000u);
    }
}

/* Register writes are at least two SD clocks apart (6 us at 397 kHz, 1 us at 25 MHz). */
static void test_writes_are_spaced(void **state)
{
    (void)state;
    setup(NULL);
    model_sdhc();
    assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), 0);
    assert_true(card.clock_switch_write > 0);
    for (unsigned i = 1; i < card.write_count; i++) {
        uint64_t gap = card.write_time[i] - card.write_time[i - 1];
        uint64_t want = (int)i <= card.clock_switch_write ? 6 : 1;
        if (gap < want) {
            fail_msg("write %u only %llu us after the previous one", i, (unsigned long long)gap);
        }
    }
}

static void test_command_timeout(void **state)
{
    (void)state;
    setup(NULL);
    model_sdhc();
    card.never_complete = true;
    fake_systimer_set_step(50);
    assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), SDHCI_ERR_TIMEOUT);
    assert_int_equal(card.cmd_count, 1); /* gave up on CMD0 */
    assert_false(dev.ready);
    /* The command line was reset for the next attempt. */
    size_t resets = 0;
    for (size_t k = 0; k < fake_mmio_log_count(); k++) {
        const struct fake_mmio_access *a = fake_mmio_log_at(k);
        resets += a->is_write && a->addr == REG_CONTROL1 && (a->value & C1_SRST_CMD);
    }
    assert_int_equal(resets, 1);
    uint8_t buf[512];
    assert_int_equal(sdhci_read_blocks(&dev, 0, 1, buf), SDHCI_ERR_NOT_READY);
    assert_int_equal(sdhci_capacity_bytes(&dev), 0);
}

static void test_init_failures(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        bool no_card;
        bool bad_echo;
        unsigned busy;
        int err;
    } cases[] = {
        { "no card", true, false, 0, SDHCI_ERR_CMD_TIMEOUT },
        { "wrong CMD8 echo", false, true, 0, SDHCI_ERR_VOLTAGE },
        { "never powers up", false, false, UINT32_MAX, SDHCI_ERR_CARD_BUSY },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(NULL);
        model_sdhc();
        card.no_card = cases[i].no_card;
        card.bad_cmd8_echo = cases[i].bad_echo;
        card.busy_acmd41 = cases[i].busy;
        fake_systimer_set_step(100);
        int err = sdhci_init(&dev, BASE, BASE_CLOCK_HZ);
        if (err != cases[i].err) {
            fail_msg("%s: got %s, want %s", cases[i].what, sdhci_strerror(err), sdhci_strerror(cases[i].err));
        }
    }
    /* The power-up loop keeps its one-second budget. */
    assert_true(fake_systimer_peek() >= 1000000u);
    assert_true(fake_systimer_peek() < 1500000u);
}

static void test_read_errors(void **state)
{
    (void)state;
    uint8_t buf[1024];
    setup(NULL);
    model_sdhc();
    assert_int_equal(sdhci_read_blocks(&dev, 0, 1, buf), SDHCI_ERR_NOT_READY);
    assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), 0);
    uint32_t blocks = dev.block_count;
    assert_int_equal(blocks, 15160u * 1024u);

    card.data_crc_error = true;
    assert_int_equal(sdhci_read_blocks(&dev, 5, 2, buf), SDHCI_ERR_DATA_CRC);
    assert_true(dev.last_interrupt & INT_DATA_CRC);
    /* The data line was reset, and the next read works. */
    assert_int_equal(sdhci_read_blocks(&dev, 5, 2, buf), 0);
    expect_block(buf, 5);
    expect_block(buf + 512, 6);

    assert_int_equal(sdhci_read_blocks(&dev, blocks - 1, 1, buf), 0);
    assert_int_equal(sdhci_read_blocks(&dev, blocks - 1, 2, buf), SDHCI_ERR_RANGE);
    assert_int_equal(sdhci_read_blocks(&dev, blocks, 1, buf), SDHCI_ERR_RANGE);
    assert_int_equal(sdhci_read_blocks(&dev, 0xFFFFFFFFu, 2, buf), SDHCI_ERR_RANGE);
    assert_int_equal(sdhci_read_blocks(&dev, 0, 0, buf), SDHCI_ERR_INVALID_ARG);
    assert_int_equal(sdhci_read_blocks(&dev, 0, 1, NULL), SDHCI_ERR_INVALID_ARG);
    assert_int_equal(sdhci_init(NULL, BASE, BASE_CLOCK_HZ), SDHCI_ERR_INVALID_ARG);
}

static void fill_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed + i * 7u + (i >> 9));
    }
}

static void expect_written(unsigned index, uint32_t lba, const uint8_t *data)
{
    assert_true(index < card.written_count);
    assert_int_equal(card.written_lba[index], lba);
    assert_memory_equal(card.written[index], data, 512);
}

static void test_blockdev_adapter(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct blockdev bd;
    setup(NULL);
    model_sdhc();
    assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), 0);
    sdhci_get_blockdev(&dev, &bd);
    assert_int_equal(bd.block_count, dev.block_count);
    assert_int_equal(blockdev_read(&bd, 42, 1, buf), 0);
    expect_block(buf, 42);
    assert_int_equal(blockdev_read(&bd, dev.block_count, 1, buf), BLOCKDEV_ERR_RANGE);

    fill_pattern(buf, sizeof buf, 0x77);
    assert_int_equal(blockdev_write(&bd, 43, 1, buf), 0);
    expect_written(0, 43, buf);
    assert_int_equal(blockdev_write(&bd, dev.block_count, 1, buf), BLOCKDEV_ERR_RANGE);
    assert_int_equal(blockdev_write(&bd, 0, 0, buf), BLOCKDEV_ERR_INVALID_ARG);
    bd.write = NULL;
    assert_int_equal(blockdev_write(&bd, 43, 1, buf), BLOCKDEV_ERR_READ_ONLY);
}

/* CMD24 for one block and CMD25 with auto CMD12 for several, block or byte addressed, each followed by CMD13. */
static void test_write_per_card_type(void **state)
{
    (void)state;
    for (int sdhc = 0; sdhc < 2; sdhc++) {
        setup(NULL);
        if (sdhc) {
            model_sdhc();
        } else {
            model_sdsc();
        }
        assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), 0);
        uint8_t buf[3 * 512 + 1];
        fill_pattern(buf, sizeof buf, 0x31);

        unsigned before = card.cmd_count;
        assert_int_equal(sdhci_write_blocks(&dev, 1000, 1, buf + 1), 0);
        assert_int_equal(card.cmd_count, before + 2);
        assert_int_equal(card.cmd[before], 24);
        assert_int_equal(card.arg[before], sdhc ? 1000 : 1000 * 512);
        assert_int_equal(card.cmdtm[before] & (CMD_DATA_PRESENT | TM_READ | TM_MULTI), CMD_DATA_PRESENT);
        assert_int_equal(card.blksizecnt[before], 512u | (1u << 16));
        assert_int_equal(card.cmd[before + 1], 13);
        expect_written(0, 1000, buf + 1);

        before = card.cmd_count;
        assert_int_equal(sdhci_write_blocks(&dev, 7, 3, buf), 0);
        assert_int_equal(card.cmd_count, before + 2);
        assert_int_equal(card.cmd[before], 25);
        assert_int_equal(card.arg[before], sdhc ? 7 : 7 * 512);
        assert_int_equal(card.blksizecnt[before], 512u | (3u << 16));
        uint32_t tm = TM_BLKCNT_EN | TM_AUTO_CMD12 | TM_MULTI | CMD_DATA_PRESENT;
        assert_int_equal(card.cmdtm[before] & (tm | TM_READ), tm);
        assert_int_equal(card.cmd[before + 1], 13);
        for (unsigned b = 0; b < 3; b++) {
            expect_written(1 + b, 7 + b, buf + b * 512);
        }
    }
}

/* The card stays busy programming: CMD13 is polled until it is back in "tran", within a deadline. */
static void test_write_waits_for_programming(void **state)
{
    (void)state;
    uint8_t buf[512];
    fill_pattern(buf, sizeof buf, 9);
    setup(NULL);
    model_sdhc();
    assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), 0);
    card.programming_polls = 5;
    unsigned before = card.cmd_count;
    assert_int_equal(sdhci_write_blocks(&dev, 3, 1, buf), 0);
    assert_int_equal(card.cmd_count, before + 1 + 6);
    for (unsigned i = before + 1; i < card.cmd_count; i++) {
        assert_int_equal(card.cmd[i], 13);
    }

    /* Never done: the write fails after its deadline instead of hanging. */
    card.programming_polls = UINT32_MAX;
    fake_systimer_set_step(50);
    uint64_t start = fake_systimer_peek();
    assert_int_equal(sdhci_write_blocks(&dev, 3, 1, buf), SDHCI_ERR_PROGRAMMING);
    uint64_t took = fake_systimer_peek() - start;
    assert_true(took >= 1000000u);
    assert_true(took < 3000000u);
}

static void test_write_errors(void **state)
{
    (void)state;
    uint8_t buf[2 * 512];
    fill_pattern(buf, sizeof buf, 3);
    setup(NULL);
    model_sdhc();
    assert_int_equal(sdhci_write_blocks(&dev, 0, 1, buf), SDHCI_ERR_NOT_READY);
    assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), 0);

    /* The card reports the write refused. */
    card.write_protected = true;
    assert_int_equal(sdhci_write_blocks(&dev, 1, 1, buf), SDHCI_ERR_CARD_STATUS);
    card.write_protected = false;

    /* The controller never asks for data: timeout, lines reset, and CMD12 takes the card out of "rcv". */
    card.no_write_ready = true;
    fake_systimer_set_step(50);
    unsigned before = card.cmd_count;
    assert_int_equal(sdhci_write_blocks(&dev, 1, 2, buf), SDHCI_ERR_TIMEOUT);
    assert_int_equal(card.cmd[before], 25);
    assert_int_equal(card.cmd[before + 1], 12);
    size_t resets = 0;
    for (size_t k = 0; k < fake_mmio_log_count(); k++) {
        const struct fake_mmio_access *a = fake_mmio_log_at(k);
        resets += a->is_write && a->addr == REG_CONTROL1 && (a->value & C1_SRST_DATA);
    }
    assert_true(resets >= 1);
    card.no_write_ready = false;
    fake_systimer_set_step(0);
    card.written_count = 0;
    assert_int_equal(sdhci_write_blocks(&dev, 1, 2, buf), 0);
    expect_written(0, 1, buf);
    expect_written(1, 2, buf + 512);

    uint32_t blocks = dev.block_count;
    assert_int_equal(sdhci_write_blocks(&dev, blocks - 1, 2, buf), SDHCI_ERR_RANGE);
    assert_int_equal(sdhci_write_blocks(&dev, blocks, 1, buf), SDHCI_ERR_RANGE);
    assert_int_equal(sdhci_write_blocks(&dev, 0, 0, buf), SDHCI_ERR_INVALID_ARG);
    assert_int_equal(sdhci_write_blocks(&dev, 0, 1, NULL), SDHCI_ERR_INVALID_ARG);
}

static void test_large_csd_capacities(void **state)
{
    (void)state;
    static const struct {
        unsigned structure;
        uint32_t c_size;
        uint32_t read_bl_len;
        uint32_t mult;
        uint64_t bytes;
        uint32_t blocks;
        int err;
    } cases[] = {
        { 0, 4095, 10, 7, 2ull << 30, 4u << 20, 0 },      /* 2 GB SDSC with 1024-byte blocks */
        { 0, 4095, 12, 7, 0, 0, SDHCI_ERR_CSD },          /* READ_BL_LEN out of range */
        { 1, 0x3FFFFF, 0, 0, 2ull << 40, UINT32_MAX, 0 }, /* 2 TB SDXC: block count capped */
        { 2, 0, 0, 0, 0, 0, SDHCI_ERR_CSD },              /* SDUC */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(NULL);
        model_sdhc();
        memset(card.csd, 0, sizeof(card.csd));
        csd_set(card.csd, 127, 126, cases[i].structure);
        if (cases[i].structure == 0) {
            csd_set(card.csd, 83, 80, cases[i].read_bl_len);
            csd_set(card.csd, 73, 62, cases[i].c_size);
            csd_set(card.csd, 49, 47, cases[i].mult);
        } else {
            csd_set(card.csd, 69, 48, cases[i].c_size);
        }
        assert_int_equal(sdhci_init(&dev, BASE, BASE_CLOCK_HZ), cases[i].err);
        assert_int_equal(sdhci_capacity_bytes(&dev), cases[i].bytes);
        if (cases[i].err == 0) {
            assert_int_equal(dev.block_count, cases[i].blocks);
        }
    }
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    const char *unknown = sdhci_strerror(-1000);
    for (int err = SDHCI_ERR_INVALID_ARG; err >= SDHCI_ERR_PROGRAMMING; err--) {
        assert_string_not_equal(sdhci_strerror(err), unknown);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_and_read_per_card_type, setup),
        cmocka_unit_test_setup(test_clock_divider, setup),
        cmocka_unit_test_setup(test_writes_are_spaced, setup),
        cmocka_unit_test_setup(test_command_timeout, setup),
        cmocka_unit_test_setup(test_init_failures, setup),
        cmocka_unit_test_setup(test_read_errors, setup),
        cmocka_unit_test_setup(test_blockdev_adapter, setup),
        cmocka_unit_test_setup(test_write_per_card_type, setup),
        cmocka_unit_test_setup(test_write_waits_for_programming, setup),
        cmocka_unit_test_setup(test_write_errors, setup),
        cmocka_unit_test_setup(test_large_csd_capacities, setup),
        cmocka_unit_test_setup(test_strerror_names_every_code, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
