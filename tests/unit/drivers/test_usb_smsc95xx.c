/* Unit tests for drivers/usb/smsc95xx against a model of the LAN9512 (tests/unit/fakes/fake_mchp_chip): the init
 * sequence and its order, MAC programming from the board, TX command words, RX status words (several frames per
 * transfer, error frames, hostile lengths) and link state from the PHY. Register facts: LAN9512 datasheet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/byteorder.h"
#include "drivers/mii.h"
#include "drivers/netdev.h"
#include "drivers/usb/smsc95xx.h"
#include "fake_mchp_chip.h"
#include "fake_systimer.h"
#include "usb_desc_vectors.h"

/* clang-format off */
#define TX_CFG      0x010u
#define HW_CFG      0x014u
#define  HW_CFG_LRST (1u << 3)
#define  HW_CFG_BCE  (1u << 1)
#define  HW_CFG_MEF  (1u << 5)
#define  HW_CFG_BIR  (1u << 12)
#define PM_CTRL     0x020u
#define  PM_CTRL_PHY_RST (1u << 4)
#define BURST_CAP   0x038u
#define MAC_CR      0x100u
#define  MAC_CR_RXEN (1u << 2)
#define  MAC_CR_TXEN (1u << 3)
#define  MAC_CR_PRMS (1u << 18)
#define  MAC_CR_FDPX (1u << 20)
#define  MAC_CR_RCVOWN (1u << 23)
#define AFC_CFG     0x02Cu
#define  AFC_CFG_FC (0xFu)
#define FLOW        0x11Cu
#define ADDRH       0x104u
#define ADDRL       0x108u
#define MII_ADDR    0x114u
#define MII_DATA    0x118u
#define COE_CR      0x130u
/* clang-format on */

static struct fake_chip chip;
static struct usb_device *dev;
static struct netdev *nd;
static const uint8_t board_mac[6] = { 0xb8, 0x27, 0xeb, 0x12, 0x34, 0x56 };

static int setup(void **state)
{
    (void)state;
    fake_systimer_reset();
    fake_chip_init(&chip, MII_ADDR, MII_DATA);
    chip.self_clear[HW_CFG / 4] = HW_CFG_LRST;
    chip.self_clear[PM_CTRL / 4] = PM_CTRL_PHY_RST;
    chip.regs[HW_CFG / 4] = HW_CFG_MEF | HW_CFG_BCE; /* as if a previous owner enabled bursts */
    chip.regs[COE_CR / 4] = 0x00010001u;
    netdev_set_board_mac(board_mac);
    dev = fake_usb_attach(fake_chip_model(), &chip, vec_smsc_config, sizeof vec_smsc_config);
    struct usb_interface_desc intf;
    assert_int_equal(usb_desc_find_interface(dev->config, dev->config_len, 0, 0, &intf), 0);
    assert_int_equal(smsc95xx_driver.probe(dev, &intf), 0);
    nd = netdev_at(0);
    assert_non_null(nd);
    assert_string_equal(nd->name, "smsc95xx");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    smsc95xx_driver.remove(dev);
    assert_null(netdev_at(0));
    return 0;
}

static void test_init_sequence(void **state)
{
    (void)state;
    assert_memory_equal(nd->mac, board_mac, 6);
    assert_int_equal(netdev_start(nd), 0);

    long lrst = fake_chip_find_write(&chip, HW_CFG, 0);
    assert_true(lrst >= 0);
    assert_int_equal(chip.log[lrst].value & HW_CFG_LRST, HW_CFG_LRST);
    long phy_rst = fake_chip_find_write(&chip, PM_CTRL, 0);
    assert_true(phy_rst > lrst);
    long addrl = fake_chip_find_write(&chip, ADDRL, 0);
    assert_true(addrl > phy_rst);
    assert_int_equal(chip.regs[ADDRL / 4], 0x12eb27b8u);
    assert_int_equal(chip.regs[ADDRH / 4], 0x5634u);

    uint32_t hw = chip.regs[HW_CFG / 4];
    assert_true(hw & HW_CFG_BIR);
    assert_false(hw & (HW_CFG_MEF | HW_CFG_BCE));
    assert_true(fake_chip_find_write(&chip, BURST_CAP, 0) >= 0);
    assert_int_equal(chip.regs[BURST_CAP / 4], 0);
    assert_int_equal(chip.regs[COE_CR / 4], 0);

    /* TX path on before RX; never promiscuous. */
    uint32_t mac_cr = chip.regs[MAC_CR / 4];
    assert_true(mac_cr & MAC_CR_TXEN);
    assert_true(mac_cr & MAC_CR_RXEN);
    assert_false(mac_cr & MAC_CR_PRMS);
    long tx_on = fake_chip_find_write(&chip, TX_CFG, 0);
    assert_true(tx_on > addrl);
    assert_int_equal(chip.regs[TX_CFG / 4], 1u << 2);
    assert_int_equal(fake_chip_last_write(&chip, MAC_CR) & MAC_CR_RXEN, MAC_CR_RXEN);
    assert_true((size_t)fake_chip_find_write(&chip, MAC_CR, (size_t)tx_on) > (size_t)tx_on);

    /* PHY: 10/100 advertised with pause, autonegotiation restarted. */
    assert_int_equal(chip.phy[MII_ADVERTISE] & MII_ADV_ALL_10_100, MII_ADV_ALL_10_100);
    assert_true(chip.phy[MII_ADVERTISE] & MII_ADV_PAUSE);
    assert_int_equal(chip.phy[MII_BMCR], MII_BMCR_ANENABLE | MII_BMCR_ANRESTART);
    assert_false(nd->link_up);
}

static void test_tx_command_words(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    uint8_t frame[60];
    for (size_t i = 0; i < sizeof frame; i++) {
        frame[i] = (uint8_t)i;
    }
    assert_int_equal(netdev_send(nd, frame, sizeof frame), 0);
    assert_int_equal(chip.out_len, 68);
    assert_int_equal(chip.out_count, 1);
    uint32_t a = byteorder_get_le32(chip.out);
    uint32_t b = byteorder_get_le32(chip.out + 4);
    assert_int_equal(a, 60u | (1u << 12) | (1u << 13));
    assert_int_equal(b, 60u);
    assert_memory_equal(chip.out + 8, frame, sizeof frame);

    /* 504 + 8 = 512 bytes, a whole high-speed packet: a zero-length packet must end the transfer. */
    uint8_t big[504] = { 0 };
    assert_int_equal(netdev_send(nd, big, sizeof big), 0);
    assert_int_equal(chip.out_count, 3);
    assert_int_equal(nd->stats.tx_frames, 2);
    assert_int_equal(netdev_send(nd, big, 10), -NETDEV_EINVAL);
}

/* Appends one RX status word and frame (len bytes of payload + 4 FCS bytes), padded to 4 bytes. */
static size_t put_frame(uint8_t *buf, size_t pos, size_t len, uint8_t fill, uint32_t extra_status)
{
    uint32_t sts = (uint32_t)(len + 4) << 16 | extra_status;
    byteorder_put_le32(buf + pos, sts);
    memset(buf + pos + 4, fill, len + 4);
    return (pos + 4 + len + 4 + 3) & ~(size_t)3;
}

static void test_rx_status_words(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    uint8_t rx[1600];
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 0); /* nothing yet: the endpoint NAKs */

    uint8_t xfer[4096];
    size_t n = put_frame(xfer, 0, 60, 0xaa, 0);
    n = put_frame(xfer, n, 101, 0xbb, 0);
    n = put_frame(xfer, n, 70, 0xcc, 1u << 15); /* error summary: dropped */
    n = put_frame(xfer, n, 1514, 0xdd, 0);      /* claims more than the transfer holds */
    fake_chip_queue_in(&chip, xfer, n - 1514 + 100);

    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 60);
    assert_int_equal(rx[0], 0xaa);
    assert_int_equal(rx[59], 0xaa);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 101);
    assert_int_equal(rx[100], 0xbb);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 0);
    assert_int_equal(nd->stats.rx_errors, 1);
    assert_int_equal(nd->stats.rx_dropped, 1);
    assert_int_equal(nd->stats.rx_frames, 2);

    /* A full-size frame alone, and one too big for the caller's buffer. */
    n = put_frame(xfer, 0, 1514, 0x11, 0);
    fake_chip_queue_in(&chip, xfer, n);
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 1514);
    assert_int_equal(rx[1513], 0x11);
    fake_chip_queue_in(&chip, xfer, n);
    assert_int_equal(netdev_receive(nd, rx, 100), 0);
    assert_int_equal(nd->stats.rx_dropped, 2);
}

static void test_link_from_phy(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    chip.phy[MII_BMSR] = MII_BMSR_LINK | MII_BMSR_ANEG_COMPLETE;
    chip.phy[MII_LPA] = MII_ADV_100FULL | MII_ADV_100HALF | MII_ADV_10FULL;
    netdev_poll(nd);
    assert_true(netdev_link_up(nd));
    assert_int_equal(nd->speed_mbps, 100);
    assert_true(nd->full_duplex);
    assert_true(chip.regs[MAC_CR / 4] & MAC_CR_FDPX);

    /* Polled about once a second, not on every pass. */
    chip.phy[MII_BMSR] = 0;
    netdev_poll(nd);
    assert_true(netdev_link_up(nd));
    fake_systimer_set_step(2000000);
    netdev_poll(nd);
    assert_false(netdev_link_up(nd));
    assert_int_equal(nd->speed_mbps, 0);

    /* Half duplex partner: the MAC follows. */
    chip.phy[MII_BMSR] = MII_BMSR_LINK | MII_BMSR_ANEG_COMPLETE;
    chip.phy[MII_LPA] = MII_ADV_100HALF;
    netdev_poll(nd);
    assert_true(netdev_link_up(nd));
    assert_false(nd->full_duplex);
    assert_false(chip.regs[MAC_CR / 4] & MAC_CR_FDPX);
}

/* Duplex and pause follow the negotiated link as Linux's smsc95xx_link_reset() programs them. We advertise
 * symmetric and asymmetric pause; the partner's advertisement decides. */
static void test_link_reset_duplex_and_pause(void **state)
{
    static const struct {
        uint16_t lpa;
        bool full;
        uint32_t flow; /* obey the partner's pause frames: pause time 0xFFFF, FCE */
        uint32_t afc;  /* send our own (full duplex) or back-pressure (half) */
    } cases[] = {
        { MII_ADV_100FULL | MII_ADV_PAUSE, true, 0xFFFF0002u, AFC_CFG_FC },
        { MII_ADV_100FULL, true, 0, 0 },
        { MII_ADV_100FULL | MII_ADV_PAUSE_ASYM, true, 0xFFFF0002u, 0 },
        { MII_ADV_100FULL | MII_ADV_PAUSE | MII_ADV_PAUSE_ASYM, true, 0xFFFF0002u, AFC_CFG_FC },
        { MII_ADV_100HALF | MII_ADV_PAUSE, false, 0, AFC_CFG_FC },
        { MII_ADV_10HALF, false, 0, AFC_CFG_FC },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (i > 0) {
            teardown(state);
            setup(state);
        }
        assert_int_equal(netdev_start(nd), 0);
        chip.regs[FLOW / 4] = 0x12345678u; /* whatever an earlier owner left */
        chip.phy[MII_BMSR] = MII_BMSR_LINK | MII_BMSR_ANEG_COMPLETE;
        chip.phy[MII_LPA] = cases[i].lpa;
        netdev_poll(nd);
        assert_true(netdev_link_up(nd));
        assert_int_equal(nd->full_duplex, cases[i].full);
        uint32_t mac_cr = chip.regs[MAC_CR / 4];
        assert_int_equal((mac_cr & MAC_CR_FDPX) != 0, cases[i].full);
        assert_int_equal((mac_cr & MAC_CR_RCVOWN) != 0, !cases[i].full);
        assert_true(mac_cr & MAC_CR_RXEN);
        assert_int_equal(chip.regs[FLOW / 4], cases[i].flow);
        assert_int_equal(chip.regs[AFC_CFG / 4] & AFC_CFG_FC, cases[i].afc);
        assert_int_equal(chip.regs[AFC_CFG / 4] & ~AFC_CFG_FC, 0x00F830A1u & ~AFC_CFG_FC); /* thresholds kept */
    }
}

static void test_errors(void **state)
{
    (void)state;
    chip.stall_control = true;
    assert_int_equal(netdev_start(nd), -NETDEV_EIO);
    uint8_t frame[60] = { 0 };
    assert_int_equal(netdev_send(nd, frame, sizeof frame), -NETDEV_ENOTSTARTED);
}

static void test_mac_from_chip_without_board_mac(void **state)
{
    (void)state;
    smsc95xx_driver.remove(dev);
    static const uint8_t zero[6];
    netdev_set_board_mac(zero);
    chip.regs[ADDRL / 4] = 0x33221100u;
    chip.regs[ADDRH / 4] = 0x5544u;
    struct usb_interface_desc intf;
    assert_int_equal(usb_desc_find_interface(dev->config, dev->config_len, 0, 0, &intf), 0);
    assert_int_equal(smsc95xx_driver.probe(dev, &intf), 0);
    nd = netdev_at(0);
    static const uint8_t want[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
    assert_memory_equal(nd->mac, want, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_command_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_status_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_from_phy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_reset_duplex_and_pause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mac_from_chip_without_board_mac, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
