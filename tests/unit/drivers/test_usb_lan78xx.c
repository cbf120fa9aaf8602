/* Unit tests for drivers/usb/lan78xx against a model of the LAN7800 (tests/unit/fakes/fake_mchp_chip): init sequence,
 * MAC programming (address registers and perfect filter 0), TX command words, RX command words A/B/C with
 * padding, and gigabit link resolution from the PHY. Register facts: LAN7800 datasheet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/byteorder.h"
#include "drivers/mii.h"
#include "drivers/netdev.h"
#include "drivers/usb/lan78xx.h"
#include "fake_mchp_chip.h"
#include "fake_systimer.h"
#include "usb_desc_vectors.h"

/* clang-format off */
#define HW_CFG       0x010u
#define  HW_CFG_LRST (1u << 1)
#define  HW_CFG_MEF  (1u << 4)
#define PMT_CTL      0x014u
#define  PMT_CTL_PHY_RST (1u << 4)
#define  PMT_CTL_READY (1u << 7)
#define USB_CFG0     0x080u
#define  USB_CFG_BCE (1u << 5)
#define  USB_CFG_BIR (1u << 6)
#define RFE_CTL      0x0B0u
#define  RFE_CTL_BCAST_EN (1u << 10)
#define  RFE_CTL_DA_PERFECT (1u << 1)
#define FCT_RX_CTL   0x0C0u
#define FCT_TX_CTL   0x0C4u
#define  FCT_EN      (1u << 31)
#define MAC_CR       0x100u
#define  MAC_CR_EEE_EN (1u << 17)
#define MAC_RX       0x104u
#define  MAC_RX_RXEN (1u << 0)
#define  MAC_RX_FCS_STRIP (1u << 4)
#define MAC_TX       0x108u
#define RX_ADDRH     0x118u
#define RX_ADDRL     0x11Cu
#define MII_ACC      0x120u
#define MII_DATA     0x124u
#define MAF_HI0      0x400u
#define MAF_LO0      0x404u
/* clang-format on */

static struct fake_chip chip;
static struct usb_device *dev;
static struct netdev *nd;
static const uint8_t board_mac[6] = { 0xb8, 0x27, 0xeb, 0xaa, 0xbb, 0xcc };

static int setup(void **state)
{
    (void)state;
    fake_systimer_reset();
    fake_chip_init(&chip, MII_ACC, MII_DATA);
    chip.self_clear[HW_CFG / 4] = HW_CFG_LRST;
    chip.self_clear[PMT_CTL / 4] = PMT_CTL_PHY_RST;
    chip.set_on_write[PMT_CTL / 4] = PMT_CTL_READY;
    /* What the chip comes up with: the LAN88xx PHY advertising EEE for 100BASE-TX and 1000BASE-T, and a MAC_CR an
     * earlier owner left with EEE on. */
    chip.mmd[MII_MMD_AN][MII_MMD_AN_EEE_ADV] = 0x0006u;
    chip.regs[MAC_CR / 4] = MAC_CR_EEE_EN;
    chip.regs[HW_CFG / 4] = HW_CFG_MEF;
    chip.regs[USB_CFG0 / 4] = USB_CFG_BCE;
    netdev_set_board_mac(board_mac);
    dev = fake_usb_attach(fake_chip_model(), &chip, vec_smsc_config, sizeof vec_smsc_config);
    struct usb_interface_desc intf;
    assert_int_equal(usb_desc_find_interface(dev->config, dev->config_len, 0, 0, &intf), 0);
    assert_int_equal(lan78xx_driver.probe(dev, &intf), 0);
    nd = netdev_at(0);
    assert_non_null(nd);
    assert_string_equal(nd->name, "lan78xx");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lan78xx_driver.remove(dev);
    assert_null(netdev_at(0));
    return 0;
}

static void test_init_sequence(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    long lrst = fake_chip_find_write(&chip, HW_CFG, 0);
    assert_true(lrst >= 0 && (chip.log[lrst].value & HW_CFG_LRST));
    assert_true(fake_chip_find_write(&chip, RX_ADDRL, 0) > lrst);
    assert_int_equal(chip.regs[RX_ADDRL / 4], 0xaaeb27b8u);
    assert_int_equal(chip.regs[RX_ADDRH / 4], 0xccbbu);
    assert_int_equal(chip.regs[MAF_LO0 / 4], 0xaaeb27b8u);
    assert_int_equal(chip.regs[MAF_HI0 / 4], 0xccbbu | (1u << 31));
    assert_true(chip.regs[USB_CFG0 / 4] & USB_CFG_BIR);
    assert_false(chip.regs[USB_CFG0 / 4] & USB_CFG_BCE);
    assert_false(chip.regs[HW_CFG / 4] & HW_CFG_MEF);
    assert_int_equal(chip.regs[RFE_CTL / 4] & (RFE_CTL_BCAST_EN | RFE_CTL_DA_PERFECT),
                     RFE_CTL_BCAST_EN | RFE_CTL_DA_PERFECT);
    assert_true(fake_chip_find_write(&chip, PMT_CTL, 0) >= 0);
    /* Enables: MAC TX, TX FIFO, MAC RX with FCS strip and a max size counting the FCS, RX FIFO last. */
    assert_int_equal(chip.regs[MAC_TX / 4] & 1u, 1u);
    assert_int_equal(chip.regs[FCT_TX_CTL / 4], FCT_EN);
    uint32_t mac_rx = chip.regs[MAC_RX / 4];
    assert_true(mac_rx & MAC_RX_RXEN);
    assert_true(mac_rx & MAC_RX_FCS_STRIP);
    assert_int_equal(mac_rx >> 16, 1518 + 4);
    assert_int_equal(chip.log[chip.log_count - 1].reg, FCT_RX_CTL);
    assert_int_equal(chip.regs[FCT_RX_CTL / 4], FCT_EN);
    /* PHY: 1000BASE-T full duplex only (the MAC has no gigabit half duplex), EEE advertisement off as the MAC's. */
    assert_int_equal(chip.phy[MII_CTRL1000], MII_CTRL1000_FULL);
    assert_int_equal(chip.mmd[MII_MMD_AN][MII_MMD_AN_EEE_ADV], 0);
    assert_false(chip.regs[MAC_CR / 4] & MAC_CR_EEE_EN);
    assert_true(chip.phy[MII_ADVERTISE] & MII_ADV_PAUSE);
    assert_true(chip.phy[MII_ADVERTISE] & MII_ADV_PAUSE_ASYM);
    assert_int_equal(chip.phy[MII_BMCR], MII_BMCR_ANENABLE | MII_BMCR_ANRESTART);
}

static void test_tx_command_words(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    uint8_t frame[98];
    memset(frame, 0x5a, sizeof frame);
    assert_int_equal(netdev_send(nd, frame, sizeof frame), 0);
    assert_int_equal(chip.out_len, 106);
    uint32_t a = byteorder_get_le32(chip.out);
    uint32_t b = byteorder_get_le32(chip.out + 4);
    assert_int_equal(a, 98u | (1u << 22));
    assert_int_equal(b, 0);
    assert_memory_equal(chip.out + 8, frame, sizeof frame);
}

/* Appends RX command words A/B/C and len frame bytes, then the chip's padding. */
static size_t put_frame(uint8_t *buf, size_t pos, size_t len, uint8_t fill, uint32_t extra_a)
{
    uint32_t a = (uint32_t)len | extra_a;
    memset(buf + pos, 0, 10);
    byteorder_put_le32(buf + pos, a);
    memset(buf + pos + 10, fill, len);
    size_t pad = (4 - (len + 2) % 4) % 4;
    return pos + 10 + len + pad;
}

static void test_rx_command_words(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    uint8_t xfer[4096], rx[1600];
    size_t n = put_frame(xfer, 0, 61, 0x61, 0);
    n = put_frame(xfer, n, 64, 0x64, 0);
    n = put_frame(xfer, n, 100, 0xee, 1u << 22); /* receive error: dropped */
    n = put_frame(xfer, n, 342, 0x42, 0);
    fake_chip_queue_in(&chip, xfer, n);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 61);
    assert_int_equal(rx[60], 0x61);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 64);
    assert_int_equal(rx[0], 0x64);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 342);
    assert_int_equal(rx[341], 0x42);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 0);
    assert_int_equal(nd->stats.rx_errors, 1);

    /* Header cut short, and a length beyond the transfer: dropped, nothing read past the data. */
    fake_chip_queue_in(&chip, xfer, 7);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 0);
    n = put_frame(xfer, 0, 1500, 0x15, 0);
    fake_chip_queue_in(&chip, xfer, 300);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 0);
    assert_int_equal(nd->stats.rx_dropped, 2);
}

static void test_gigabit_link(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    netdev_poll(nd);
    assert_false(netdev_link_up(nd));
    fake_systimer_set_step(2000000);
    chip.phy[MII_BMSR] = MII_BMSR_LINK | MII_BMSR_ANEG_COMPLETE;
    chip.phy[MII_LPA] = MII_ADV_ALL_10_100;
    chip.phy[MII_STAT1000] = MII_CTRL1000_FULL << MII_STAT1000_LP_SHIFT;
    netdev_poll(nd);
    assert_true(netdev_link_up(nd));
    assert_int_equal(nd->speed_mbps, 1000);
    assert_true(nd->full_duplex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_command_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_command_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gigabit_link, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
