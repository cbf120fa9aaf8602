#include "fake_mchp_chip.h"

#include <string.h>

#include "drivers/byteorder.h"

#define REQ_WRITE      0xA0u
#define REQ_READ       0xA1u
#define MII_BUSY       (1u << 0)
#define MII_WRITE      (1u << 1)
#define PHY_BMCR_RESET (1u << 15)
#define PHY_MMD_CTRL   13u
#define PHY_MMD_DATA   14u
#define MMD_DEVAD_MASK 0x7u
#define MMD_FN_LSB     14u
#define MMD_REGS       64u

/* A PHY register write, with MMD access through registers 13 and 14. */
static void phy_write(struct fake_chip *c, unsigned r, uint16_t d)
{
    if (r == PHY_MMD_DATA) {
        unsigned dev = c->phy[PHY_MMD_CTRL] & MMD_DEVAD_MASK;
        if ((c->phy[PHY_MMD_CTRL] >> MMD_FN_LSB) == 0) {
            c->mmd_addr[dev] = d;
        } else if (c->mmd_addr[dev] < MMD_REGS) {
            c->mmd[dev][c->mmd_addr[dev]] = d;
        }
    }
    /* The PHY's reset bit clears itself once the reset is done. */
    c->phy[r] = r == 0 ? (uint16_t)(d & ~PHY_BMCR_RESET) : d;
}

static uint16_t phy_read(const struct fake_chip *c, unsigned r)
{
    unsigned dev = c->phy[PHY_MMD_CTRL] & MMD_DEVAD_MASK;
    if (r == PHY_MMD_DATA && (c->phy[PHY_MMD_CTRL] >> MMD_FN_LSB) != 0 && c->mmd_addr[dev] < MMD_REGS) {
        return c->mmd[dev][c->mmd_addr[dev]];
    }
    return c->phy[r];
}

void fake_chip_init(struct fake_chip *chip, uint16_t mii_access, uint16_t mii_data)
{
    memset(chip, 0, sizeof *chip);
    chip->mii_access = mii_access;
    chip->mii_data = mii_data;
}

static void chip_write(struct fake_chip *c, uint16_t reg, uint32_t v)
{
    if (c->log_count < FAKE_CHIP_LOG) {
        c->log[c->log_count++] = (struct fake_chip_write){ reg, v };
    }
    if (reg >= FAKE_CHIP_REGS) {
        return;
    }
    if (reg == c->mii_access && (v & MII_BUSY)) {
        unsigned r = (v >> 6) & 0x1Fu;
        if (v & MII_WRITE) {
            phy_write(c, r, (uint16_t)c->regs[c->mii_data / 4u]);
        } else {
            c->regs[c->mii_data / 4u] = phy_read(c, r);
        }
        c->regs[reg / 4u] = v & ~MII_BUSY;
        return;
    }
    c->regs[reg / 4u] = (v & ~c->self_clear[reg / 4u]) | c->set_on_write[reg / 4u];
}

static int chip_control(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    struct fake_chip *c = ctx;
    if (c->stall_control) {
        return -USB_ESTALL;
    }
    if (c->fail_controls > 0) {
        c->fail_controls--;
        return -USB_ESTALL;
    }
    uint16_t reg = byteorder_get_le16(setup + 4);
    if (setup[0] == 0x40 && setup[1] == REQ_WRITE && len == 4) {
        chip_write(c, reg, byteorder_get_le32(data));
        return 0;
    }
    if (setup[0] == 0xC0 && setup[1] == REQ_READ && len == 4) {
        uint32_t v = reg < FAKE_CHIP_REGS ? c->regs[reg / 4u] : 0;
        byteorder_put_le32(data, v);
        *actual = 4;
        return 0;
    }
    if (setup[1] == USB_REQ_CLEAR_FEATURE) {
        return 0;
    }
    return -USB_ESTALL;
}

static int chip_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
    (void)ep;
    struct fake_chip *c = ctx;
    if (len > 0) {
        memcpy(c->out, data, len < FAKE_CHIP_XFER_MAX ? len : FAKE_CHIP_XFER_MAX);
        c->out_len = len;
    }
    c->out_count++;
    return 0;
}

static int chip_in(void *ctx, uint8_t ep, uint8_t *buf, size_t size, size_t *actual)
{
    (void)ep;
    struct fake_chip *c = ctx;
    if (c->in_count == 0) {
        return -USB_ENAK;
    }
    size_t n = c->in_len[c->in_head];
    if (n > size) {
        n = size;
    }
    memcpy(buf, c->in[c->in_head], n);
    *actual = n;
    c->in_head = (c->in_head + 1u) % FAKE_CHIP_QUEUE;
    c->in_count--;
    return 0;
}

static const struct fake_usb_model chip_model = { chip_control, chip_out, chip_in };

const struct fake_usb_model *fake_chip_model(void)
{
    return &chip_model;
}

void fake_chip_queue_in(struct fake_chip *chip, const uint8_t *data, size_t len)
{
    size_t slot = (chip->in_head + chip->in_count) % FAKE_CHIP_QUEUE;
    memcpy(chip->in[slot], data, len);
    chip->in_len[slot] = len;
    chip->in_count++;
}

long fake_chip_find_write(const struct fake_chip *chip, uint16_t reg, size_t start)
{
    for (size_t i = start; i < chip->log_count; i++) {
        if (chip->log[i].reg == reg) {
            return (long)i;
        }
    }
    return -1;
}

uint32_t fake_chip_last_write(const struct fake_chip *chip, uint16_t reg)
{
    for (size_t i = chip->log_count; i-- > 0;) {
        if (chip->log[i].reg == reg) {
            return chip->log[i].value;
        }
    }
    return 0;
}
