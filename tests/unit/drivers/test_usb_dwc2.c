/* Unit tests for drivers/usb/dwc2 against a register-level model of the core (tests/unit/fakes/fake_dwc2): init and
 * the core id, root port reset and speed, control transfers stage by stage, and bulk transfers of several packets
 * and short packets. What QEMU's model never does (NAKs, STALL, transaction errors, babble, toggle errors, devices
 * that never answer, split transactions) and the asynchronous API the network drivers use are in
 * test_usb_dwc2_errors.c; the setup both share is dwc2_harness.c.
 *
 * Channel registers are checked as the model decodes them with the driver's register map (drivers/usb/dwc2_regs.h),
 * and the SETUP's raw HCCHAR once against the databook's bit positions, so a wrong field in that map shows; the
 * model's endpoints keep their own DATA0/DATA1 state, and teardown fails a test in which the driver sent a wrong PID
 * or broke a rule of the core (see struct fake_dwc2). Built -no-pie (see usb_dwc2.mk) so the driver's DMA buffers
 * have 32-bit bus addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/mmio.h"
#include "drivers/usb/dwc2.h"
#include "dwc2_harness.h"
#include "fake_dma.h"
#include "fake_dwc2.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

/* What one transaction on the bus should look like. */
struct want_xact {
    uint8_t pid;
    bool in;
    size_t bytes;
};

static void expect_xacts(size_t first, const struct usb_pipe *p, const struct want_xact *want, size_t n)
{
    assert_int_equal(dwc2_harness_model.log_count - first, n);
    for (size_t i = 0; i < n; i++) {
        const struct fake_dwc2_xact *x = &dwc2_harness_model.log[first + i];
        if (x->pid != want[i].pid || x->in != want[i].in || x->bytes != want[i].bytes) {
            fail_msg("transaction %zu: PID %u in %d %zu bytes, want PID %u in %d %zu bytes", i, x->pid, x->in, x->bytes,
                     want[i].pid, want[i].in, want[i].bytes);
        }
        assert_int_equal(x->answer, FAKE_DWC2_ACK);
        assert_int_equal(x->dev_addr, p->dev_addr);
        assert_int_equal(x->ep_num, p->ep_num);
        assert_int_equal(x->ep_type, p->ep_type);
        assert_int_equal(x->mps, p->mps);
        assert_int_equal(x->low_speed, p->speed == USB_SPEED_LOW);
        assert_false(x->split);
    }
}

/* A bulk transfer of len bytes on p as packets transactions from log index first: full packets of p->mps, the last
 * one short, PIDs alternating from DATA0. */
static void expect_bulk_xacts(size_t first, const struct usb_pipe *p, size_t len, size_t packets)
{
    struct want_xact want[8];
    assert_true(packets <= sizeof want / sizeof want[0]);
    for (size_t k = 0; k < packets; k++) {
        size_t left = len - k * p->mps;
        want[k] = (struct want_xact){ k & 1u ? DWC2_PID_DATA1 : DWC2_PID_DATA0, p->in, left < p->mps ? left : p->mps };
    }
    expect_xacts(first, p, want, packets);
}

/* Index in the register log of the first write to reg at or after start with all of bits set, or -1. */
static long find_write_with(uintptr_t reg, uint32_t bits, size_t start)
{
    for (long i = fake_mmio_find_write(reg, start); i >= 0; i = fake_mmio_find_write(reg, (size_t)i + 1)) {
        if ((fake_mmio_log_at((size_t)i)->value & bits) == bits) {
            return i;
        }
    }
    return -1;
}

/* ---- init ---- */

static void test_init_accepts_pi_and_qemu_cores(void **state)
{
    static const uint32_t ids[] = { FAKE_DWC2_ID_PI, FAKE_DWC2_ID_QEMU };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        dwc2_harness_setup(state);
        dwc2_harness_model.id = ids[i];
        /* The board's emulation check reads the id before dwc2_init. */
        assert_int_equal(dwc2_is_qemu(FAKE_DWC2_BASE), ids[i] == FAKE_DWC2_ID_QEMU);
        assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
        assert_int_equal(dwc2_core_id(), ids[i]);
        assert_int_equal(dwc2_channel_count(), FAKE_DWC2_CHANNELS);
        assert_int_equal(dwc2_harness_model.soft_resets, 1);
        /* Host mode is forced after the soft reset, never before it. */
        long reset = find_write_with(DWC2_HARNESS_REG(DWC2_GRSTCTL), DWC2_GRSTCTL_CSFTRST, 0);
        long host = find_write_with(DWC2_HARNESS_REG(DWC2_GUSBCFG), DWC2_GUSBCFG_FORCE_HOST, 0);
        assert_true(reset >= 0 && host > reset);
        assert_true(dwc2_harness_model.host_mode);
        assert_false(fake_mmio_get(DWC2_HARNESS_REG(DWC2_GUSBCFG)) & DWC2_GUSBCFG_FORCE_DEV);
        /* Buffer DMA on, and the interrupt on: only a channel halt raises it (the board's wake-up). */
        uint32_t ahbcfg = fake_mmio_get(DWC2_HARNESS_REG(DWC2_GAHBCFG));
        assert_true(ahbcfg & DWC2_GAHBCFG_DMA_EN);
        assert_true(ahbcfg & DWC2_GAHBCFG_GLBL_INTR_EN);
        assert_int_equal(fake_mmio_get(DWC2_HARNESS_REG(DWC2_GINTMSK)), DWC2_GINTSTS_HCHINT);
        assert_int_equal(fake_mmio_get(DWC2_HARNESS_REG(DWC2_HAINTMSK)), (1u << FAKE_DWC2_CHANNELS) - 1u);
        for (unsigned ch = 0; ch < FAKE_DWC2_CHANNELS; ch++) {
            assert_int_equal(fake_mmio_get(DWC2_HARNESS_REG(DWC2_HC(ch, DWC2_HCINTMSK))), DWC2_HCINT_CHHLTD);
        }
        assert_false(fake_dwc2_irq(&dwc2_harness_model));
        /* RX FIFO, then non-periodic TX, then periodic TX, back to back inside the core's 4080 words. */
        uint32_t rx = fake_mmio_get(DWC2_HARNESS_REG(DWC2_GRXFSIZ));
        uint32_t np = fake_mmio_get(DWC2_HARNESS_REG(DWC2_GNPTXFSIZ));
        uint32_t p = fake_mmio_get(DWC2_HARNESS_REG(DWC2_HPTXFSIZ));
        assert_int_equal(np & 0xFFFFu, rx);
        assert_int_equal(p & 0xFFFFu, rx + (np >> 16));
        assert_true(rx + (np >> 16) + (p >> 16) <= 4080u);
        assert_true(rx >= 512u / 4u && (np >> 16) >= 512u / 4u);
        assert_true(dwc2_harness_model.powered);
        assert_false(dwc2_port_connected());
        dwc2_harness_teardown(state);
    }
}

static void test_init_refuses_other_cores(void **state)
{
    static const uint32_t ids[] = { 0, 0xFFFFFFFFu, 0x5533290Au /* a DWC3 (USB 3) core */ };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        dwc2_harness_setup(state);
        dwc2_harness_model.id = ids[i];
        dwc2_harness_model.device = true;
        assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), -DWC2_EID);
        assert_int_equal(fake_mmio_count_writes(DWC2_HARNESS_REG(DWC2_GRSTCTL)), 0);
        /* Every later call refuses instead of touching whatever sits at that address. */
        size_t accesses = fake_mmio_log_count();
        enum usb_speed speed;
        assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &speed), -DWC2_EINVAL);
        assert_false(dwc2_port_connected());
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        uint8_t buf[8];
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, NULL, DWC2_HARNESS_TIMEOUT_US), -DWC2_EINVAL);
        struct usb_async a = { 0 };
        assert_int_equal(dwc2_async_submit(&a, &pipe, NULL, 8), -DWC2_EINVAL);
        assert_int_equal(fake_mmio_log_count(), accesses);
    }
}

static void test_init_timeouts(void **state)
{
    enum { RESET_STUCK, AHB_BUSY, NEVER_HOST, SLOW_RESET };
    for (int c = RESET_STUCK; c <= SLOW_RESET; c++) {
        dwc2_harness_setup(state);
        fake_systimer_set_step(50);
        dwc2_harness_model.reset_reads = c == RESET_STUCK ? FAKE_DWC2_FOREVER : c == SLOW_RESET ? 500u : 3u;
        dwc2_harness_model.ahb_busy = c == AHB_BUSY;
        dwc2_harness_model.never_host = c == NEVER_HOST;
        int err = dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS);
        if (c == SLOW_RESET) {
            assert_int_equal(err, 0);
        } else {
            assert_int_equal(err, -DWC2_ETIMEDOUT);
            /* Each of these waits is bounded by 100 ms; host mode is waited for after the 100 ms the reset needs to
             * settle. */
            uint64_t bound = c == NEVER_HOST ? 200000u : 100000u;
            assert_true(fake_systimer_peek() >= bound && fake_systimer_peek() <= bound + 1000u);
            assert_int_equal(dwc2_channel_count(), 0);
        }
        dwc2_harness_model.reset_left = 0; /* a stuck reset is the test's doing, not a write during reset */
        dwc2_harness_teardown(state);
    }
}

static void test_init_halts_a_channel_left_enabled(void **state)
{
    (void)state;
    dwc2_harness_model.ch[2].enabled = true;
    dwc2_harness_model.ch[2].hcchar = DWC2_HCCHAR_CHENA;
    fake_mmio_set(DWC2_HARNESS_REG(DWC2_HC(2u, DWC2_HCCHAR)), DWC2_HCCHAR_CHENA);
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
    assert_int_equal(dwc2_harness_model.ch[2].halts, 1);
    assert_false(dwc2_harness_model.ch[2].enabled);
    assert_int_equal(dwc2_harness_model.ch[2].hcint, 0);
    assert_int_equal(dwc2_harness_model.ch[1].halts, 0);
}

/* The BCM283x set-up Linux, U-Boot and Circle agree on: 8-bit UTMI+ PHY selected before the soft reset, 100 ms for
 * the reset to settle before host mode is forced, and the "wait for AXI writes" bit with DMA (and the interrupt). */
static void test_init_phy_settle_and_ahb(void **state)
{
    (void)state;
    /* As an earlier stage left them. */
    fake_mmio_set(DWC2_HARNESS_REG(DWC2_GUSBCFG), DWC2_GUSBCFG_ULPI_UTMI_SEL | DWC2_GUSBCFG_PHYIF16);
    fake_mmio_set(DWC2_HARNESS_REG(DWC2_GAHBCFG), DWC2_GAHBCFG_BCM_AXI_BURST_MASK | DWC2_GAHBCFG_GLBL_INTR_EN);
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
    assert_int_equal(dwc2_harness_model.gusbcfg_at_reset & (DWC2_GUSBCFG_ULPI_UTMI_SEL | DWC2_GUSBCFG_PHYIF16), 0);
    assert_true(dwc2_harness_model.reset_done_us > 0);
    assert_true(dwc2_harness_model.host_forced_us - dwc2_harness_model.reset_done_us >= 100000u);
    assert_int_equal(fake_mmio_get(DWC2_HARNESS_REG(DWC2_GAHBCFG)),
                     DWC2_GAHBCFG_DMA_EN | DWC2_GAHBCFG_BCM_WAIT_AXI_WRITES | DWC2_GAHBCFG_GLBL_INTR_EN);
}

/* Without the AXI bit the model lets IN data land after the halt, as the BCM283x may: the data read at once is
 * stale. With the bit, what the driver reads is what the device sent. */
static void test_in_data_waits_for_axi_writes(void **state)
{
    for (int with_bit = 0; with_bit <= 1; with_bit++) {
        dwc2_harness_setup(state);
        dwc2_harness_bring_up(FAKE_DWC2_HIGH);
        if (!with_bit) {
            fake_mmio_set(DWC2_HARNESS_REG(DWC2_GAHBCFG), DWC2_GAHBCFG_DMA_EN);
        }
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
        uint8_t data[100];
        dwc2_harness_fill(data, sizeof data, 0x21);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        uint8_t buf[512];
        size_t actual = 0;
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
        assert_int_equal(actual, sizeof data);
        assert_int_equal(memcmp(buf, data, sizeof data) == 0, with_bit);
        dwc2_harness_teardown(state);
    }
}

/* ---- root port ---- */

static void test_port_reset_and_speed(void **state)
{
    static const enum fake_dwc2_speed speeds[] = { FAKE_DWC2_HIGH, FAKE_DWC2_FULL, FAKE_DWC2_LOW };
    for (size_t i = 0; i < 3; i++) {
        dwc2_harness_setup(state);
        dwc2_harness_model.device = true;
        dwc2_harness_model.speed = speeds[i];
        assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
        assert_true(dwc2_port_connected());
        uint64_t start = fake_systimer_peek();
        enum usb_speed got = USB_SPEED_LOW + 1;
        assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &got), 0);
        assert_int_equal(got, speeds[i]);
        assert_true(dwc2_harness_model.port_enabled);
        assert_int_equal(dwc2_harness_model.port_disables, 0); /* ENA is write-1-to-disable: never written back */
        assert_false(dwc2_harness_model.conndet);              /* the connect was acknowledged */
        assert_true(dwc2_harness_model.reset_at_us - start >= 100000u); /* attach debounce */
        assert_true(dwc2_harness_model.reset_len_us >= 50000u);         /* TDRSTR */
        /* Reset recovery: 20 ms, not the 10 ms of the specification (Circle's margin). */
        assert_true(fake_systimer_peek() - (dwc2_harness_model.reset_at_us + dwc2_harness_model.reset_len_us) >=
                    20000u);
        dwc2_harness_teardown(state);
    }
}

static void test_port_reset_failures(void **state)
{
    /* Nothing plugged in: no device within the connect timeout. */
    fake_systimer_set_step(10);
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
    uint64_t start = fake_systimer_peek();
    enum usb_speed speed;
    assert_int_equal(dwc2_port_reset(50000u, &speed), -DWC2_ENODEV);
    assert_true(fake_systimer_peek() - start >= 50000u && fake_systimer_peek() - start <= 51000u);

    /* A device that plugs in late is waited for. */
    dwc2_harness_setup(state);
    fake_systimer_set_step(100);
    dwc2_harness_model.device = true;
    dwc2_harness_model.connect_at_us = 300000u;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
    assert_int_equal(dwc2_port_reset(1000000u, &speed), 0);
    assert_true(dwc2_harness_model.reset_at_us >= 400000u);

    /* A port that never enables after reset. */
    dwc2_harness_setup(state);
    dwc2_harness_model.device = true;
    dwc2_harness_model.port_never_enables = true;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
    assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &speed), -DWC2_ETIMEDOUT);
}

/* The root port is watched after enumeration: an unplug, a replug between two looks and an over-current all show
 * as a lost port until a new reset succeeds; every change bit is acknowledged (ENA, write-1-to-disable, never). */
static void test_port_ok_follows_unplug_and_overcurrent(void **state)
{
    (void)state;
    enum usb_speed speed;
    assert_false(dwc2_port_ok()); /* not initialised */
    dwc2_harness_model.device = true;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
    assert_false(dwc2_port_ok()); /* connected but never reset */
    assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &speed), 0);
    assert_true(dwc2_port_ok());
    assert_false(dwc2_harness_model.enachg || dwc2_harness_model.conndet);

    fake_dwc2_replug(&dwc2_harness_model, FAKE_DWC2_NEVER);
    assert_false(dwc2_port_ok());
    assert_false(dwc2_harness_model.enachg);
    assert_int_equal(dwc2_port_reset(10000u, &speed), -DWC2_ENODEV);

    /* Out and in again before anyone looked: the port stays disabled until it is reset. */
    fake_dwc2_replug(&dwc2_harness_model, fake_systimer_peek());
    assert_false(dwc2_port_ok());
    assert_false(dwc2_port_ok());
    assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &speed), 0);
    assert_true(dwc2_port_ok());

    fake_dwc2_set_overcurrent(&dwc2_harness_model, true);
    assert_false(dwc2_port_ok());
    assert_false(dwc2_harness_model.ovrcurrchg);
    assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &speed), -DWC2_ETIMEDOUT);
    fake_dwc2_set_overcurrent(&dwc2_harness_model, false);
    assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &speed), 0);
    assert_true(dwc2_port_ok());
    assert_true(dwc2_harness_model.powered);
    assert_int_equal(dwc2_harness_model.port_disables, 0);
}

/* ---- control transfers ---- */

static void test_control_in(void **state)
{
    static const struct {
        enum fake_dwc2_speed speed;
        uint16_t mps;
        size_t dev_len; /* what the device has */
        size_t len;     /* wLength */
        struct want_xact xacts[6];
        size_t n;
    } cases[] = {
        /* GET_DESCRIPTOR(device) from a high-speed device: one data packet. */
        { FAKE_DWC2_HIGH,
          64,
          18,
          18,
          { { DWC2_PID_SETUP, false, 8 }, { DWC2_PID_DATA1, true, 18 }, { DWC2_PID_DATA1, false, 0 } },
          3 },
        /* From a low-speed device with 8-byte packets: the data stage toggles DATA1, DATA0, DATA1; the status
         * stage is DATA1 whatever the data stage ended with. */
        { FAKE_DWC2_LOW,
          8,
          18,
          18,
          { { DWC2_PID_SETUP, false, 8 },
            { DWC2_PID_DATA1, true, 8 },
            { DWC2_PID_DATA0, true, 8 },
            { DWC2_PID_DATA1, true, 2 },
            { DWC2_PID_DATA1, false, 0 } },
          5 },
        /* A configuration descriptor shorter than asked for ends with a short packet. */
        { FAKE_DWC2_FULL,
          64,
          32,
          255,
          { { DWC2_PID_SETUP, false, 8 }, { DWC2_PID_DATA1, true, 32 }, { DWC2_PID_DATA1, false, 0 } },
          3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dwc2_harness_setup(state);
        dwc2_harness_bring_up(cases[i].speed);
        struct fake_dwc2_ep *ep0 = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 0, false);
        uint8_t desc[255];
        dwc2_harness_fill(desc, sizeof desc, (uint8_t)i);
        fake_dwc2_set_in(ep0, desc, cases[i].dev_len);
        struct usb_pipe pipe = { .dev_addr = DWC2_HARNESS_DEV,
                                 .ep_type = USB_EP_TYPE_CONTROL,
                                 .mps = cases[i].mps,
                                 .speed = (uint8_t)cases[i].speed };
        const uint8_t get_desc[8] = { 0x80, 6, 0, 1, 0, 0, (uint8_t)cases[i].len, 0 };
        uint8_t buf[255];
        size_t actual = 0;
        size_t first = dwc2_harness_model.log_count;
        assert_int_equal(dwc2_control(&pipe, get_desc, buf, cases[i].len, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
        assert_int_equal(actual, cases[i].dev_len);
        assert_memory_equal(buf, desc, cases[i].dev_len);
        assert_memory_equal(ep0->setup, get_desc, 8);
        assert_int_equal(ep0->setups, 1);
        assert_int_equal(ep0->statuses, 1);
        expect_xacts(first, &pipe, cases[i].xacts, cases[i].n);
        /* The raw characteristics of the SETUP: databook bit positions, multi count 1, blocking channel 0. */
        const struct fake_dwc2_xact *x = &dwc2_harness_model.log[first];
        uint32_t want = cases[i].mps | (0u << 11) | (0u << 15) | (cases[i].speed == FAKE_DWC2_LOW ? 1u << 17 : 0) |
                        (0u << 18) | (1u << 20) | (DWC2_HARNESS_DEV << 22) | DWC2_HCCHAR_CHENA;
        assert_int_equal(x->hcchar, want);
        assert_int_equal(x->ch, 0);
        assert_int_equal(x->hcsplt, 0);
        dwc2_harness_teardown(state);
    }
}

/* A high-speed device on the root port: its endpoint 0 and *pipe, the control pipe to it (64-byte packets). */
static struct fake_dwc2_ep *high_speed_ep0(struct usb_pipe *pipe)
{
    dwc2_harness_bring_up(FAKE_DWC2_HIGH);
    *pipe = (struct usb_pipe){
        .dev_addr = DWC2_HARNESS_DEV, .ep_type = USB_EP_TYPE_CONTROL, .mps = 64, .speed = USB_SPEED_HIGH
    };
    return fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 0, false);
}

static void test_control_out_and_no_data(void **state)
{
    (void)state;
    struct usb_pipe pipe;
    struct fake_dwc2_ep *ep0 = high_speed_ep0(&pipe);

    /* A vendor register write: data OUT DATA1, status IN DATA1. */
    static const uint8_t write_reg[8] = { 0x40, 0xA0, 0, 0, 0x14, 0, 4, 0 };
    uint8_t value[4] = { 0x11, 0x22, 0x33, 0x44 };
    size_t actual = 99;
    size_t first = dwc2_harness_model.log_count;
    assert_int_equal(dwc2_control(&pipe, write_reg, value, 4, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
    assert_int_equal(actual, 4);
    assert_int_equal(ep0->out_len, 4);
    assert_memory_equal(ep0->out_data, value, 4);
    static const struct want_xact out[] = { { DWC2_PID_SETUP, false, 8 },
                                            { DWC2_PID_DATA1, false, 4 },
                                            { DWC2_PID_DATA1, true, 0 } };
    expect_xacts(first, &pipe, out, 3);

    /* SET_CONFIGURATION: no data stage, status IN DATA1. */
    static const uint8_t set_config[8] = { 0x00, 9, 1, 0, 0, 0, 0, 0 };
    first = dwc2_harness_model.log_count;
    assert_int_equal(dwc2_control(&pipe, set_config, NULL, 0, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
    assert_int_equal(actual, 0);
    static const struct want_xact none[] = { { DWC2_PID_SETUP, false, 8 }, { DWC2_PID_DATA1, true, 0 } };
    expect_xacts(first, &pipe, none, 2);
    assert_int_equal(ep0->statuses, 2);
    assert_int_equal(ep0->out_len, 4);
}

static void test_control_nak_stall_and_timeout(void **state)
{
    (void)state;
    struct usb_pipe pipe;
    struct fake_dwc2_ep *ep0 = high_speed_ep0(&pipe);
    static const uint8_t get_status[8] = { 0x80, 0, 0, 0, 0, 0, 2, 0 };
    static const uint8_t two[2] = { 1, 0 };
    uint8_t buf[2];
    size_t actual;

    /* The data stage NAKed four times: the core retries, the driver just waits (one programming per stage). */
    fake_dwc2_script(ep0, FAKE_DWC2_ACK, 1);
    fake_dwc2_script(ep0, FAKE_DWC2_NAK, 4);
    fake_dwc2_set_in(ep0, two, 2);
    unsigned enables = dwc2_harness_model.ch[0].enables;
    assert_int_equal(dwc2_control(&pipe, get_status, buf, 2, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
    assert_int_equal(actual, 2);
    assert_int_equal(fake_dwc2_count(&dwc2_harness_model, 0, FAKE_DWC2_NAK), 4);
    assert_int_equal(dwc2_harness_model.ch[0].enables - enables, 3);

    /* A request the device does not support: STALL in the data stage, no status stage. */
    ep0->script_len = ep0->script_pos = ep0->step_used = 0;
    fake_dwc2_script(ep0, FAKE_DWC2_ACK, 1);
    fake_dwc2_script(ep0, FAKE_DWC2_STALL, 1);
    unsigned statuses = ep0->statuses;
    assert_int_equal(dwc2_control(&pipe, get_status, buf, 2, &actual, DWC2_HARNESS_TIMEOUT_US), -DWC2_ESTALL);
    assert_int_equal(ep0->statuses, statuses);
    assert_int_equal(actual, 0);

    /* A status stage NAKed forever: the one deadline covers all stages. */
    ep0->script_len = ep0->script_pos = ep0->step_used = 0;
    fake_dwc2_script(ep0, FAKE_DWC2_ACK, 2);
    fake_dwc2_script(ep0, FAKE_DWC2_NAK, FAKE_DWC2_FOREVER);
    fake_dwc2_set_in(ep0, two, 2);
    fake_systimer_set_step(100);
    uint64_t start = fake_systimer_peek();
    assert_int_equal(dwc2_control(&pipe, get_status, buf, 2, &actual, 20000u), -DWC2_ETIMEDOUT);
    uint64_t took = fake_systimer_peek() - start;
    assert_true(took >= 20000u && took <= 21000u);
    assert_false(dwc2_harness_model.ch[0].enabled);
}

/* ---- bulk transfers ---- */

static void test_bulk_in_packets_and_short_packets(void **state)
{
    static const struct {
        enum fake_dwc2_speed speed;
        uint16_t mps;
        size_t dev_len, len;
        size_t packets; /* data packets on the bus, the last one short unless len is reached */
    } cases[] = {
        { FAKE_DWC2_HIGH, 512, 1300, 2048, 3 }, /* 512 + 512 + 276 */
        { FAKE_DWC2_HIGH, 512, 1024, 1024, 2 }, /* exactly len: no zero-length packet needed */
        { FAKE_DWC2_HIGH, 512, 1024, 2048, 3 }, /* a multiple of the packet size ends with a zero-length packet */
        { FAKE_DWC2_FULL, 64, 200, 256, 4 },    /* 64 * 3 + 8 */
        { FAKE_DWC2_HIGH, 512, 0, 512, 1 },     /* a zero-length frame */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dwc2_harness_setup(state);
        dwc2_harness_bring_up(cases[i].speed);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
        uint8_t data[2048];
        dwc2_harness_fill(data, sizeof data, (uint8_t)(0x40 + i));
        fake_dwc2_set_in(ep, data, cases[i].dev_len);
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(1, true, cases[i].mps, (enum usb_speed)cases[i].speed);
        uint8_t buf[2048];
        size_t actual = 0;
        size_t first = dwc2_harness_model.log_count;
        size_t accesses = fake_mmio_log_count();
        assert_int_equal(dwc2_transfer(&pipe, buf, cases[i].len, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
        assert_int_equal(actual, cases[i].dev_len);
        assert_memory_equal(buf, data, cases[i].dev_len);
        assert_int_equal(pipe.toggle, cases[i].packets & 1u);
        expect_bulk_xacts(first, &pipe, cases[i].dev_len, cases[i].packets);
        /* One programming for the whole buffer: whole packets, starting DATA0. */
        long tsiz = fake_mmio_find_write(DWC2_HARNESS_REG(DWC2_HC(0u, DWC2_HCTSIZ)), accesses);
        assert_true(tsiz >= 0);
        uint32_t hctsiz = fake_mmio_log_at((size_t)tsiz)->value;
        size_t pkts = (cases[i].len + cases[i].mps - 1u) / cases[i].mps;
        assert_int_equal(FAKE_DWC2_FIELD(hctsiz, DWC2_HCTSIZ_PKTCNT), pkts);
        assert_int_equal(FAKE_DWC2_FIELD(hctsiz, DWC2_HCTSIZ_XFERSIZE), pkts * cases[i].mps);
        assert_int_equal(FAKE_DWC2_FIELD(hctsiz, DWC2_HCTSIZ_PID), DWC2_PID_DATA0);
        assert_int_equal(fake_mmio_find_write(DWC2_HARNESS_REG(DWC2_HC(0u, DWC2_HCTSIZ)), (size_t)tsiz + 1), -1);
        /* The CPU reads the bounce buffer only after invalidating it, once the core is done: the last
         * invalidation comes after the last enable. */
        assert_int_equal(find_write_with(DWC2_HARNESS_REG(DWC2_HC(0u, DWC2_HCCHAR)), DWC2_HCCHAR_CHENA,
                                         fake_dma_last_invalidate().mmio_log_index),
                         -1);
        dwc2_harness_teardown(state);
    }
}

static void test_bulk_out_packets(void **state)
{
    static const struct {
        enum fake_dwc2_speed speed;
        uint16_t mps;
        size_t len;
        size_t packets;
        unsigned programmings; /* full-speed OUT goes one packet per programming (see dwc2.c) */
    } cases[] = {
        { FAKE_DWC2_HIGH, 512, 1300, 3, 1 },
        { FAKE_DWC2_HIGH, 512, 1024, 2, 1 },
        { FAKE_DWC2_FULL, 64, 150, 3, 3 },
        { FAKE_DWC2_HIGH, 512, 0, 1, 1 }, /* a zero-length packet */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dwc2_harness_setup(state);
        dwc2_harness_bring_up(cases[i].speed);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 2, false);
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(2, false, cases[i].mps, (enum usb_speed)cases[i].speed);
        uint8_t data[1300];
        dwc2_harness_fill(data, sizeof data, (uint8_t)(0x80 + i));
        size_t actual = 0;
        size_t first = dwc2_harness_model.log_count;
        unsigned enables = dwc2_harness_model.ch[0].enables;
        assert_int_equal(dwc2_transfer(&pipe, data, cases[i].len, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
        assert_int_equal(actual, cases[i].len);
        assert_int_equal(ep->out_len, cases[i].len);
        assert_memory_equal(ep->out_data, data, cases[i].len);
        assert_int_equal(dwc2_harness_model.ch[0].enables - enables, cases[i].programmings);
        assert_int_equal(pipe.toggle, cases[i].packets & 1u);
        expect_bulk_xacts(first, &pipe, cases[i].len, cases[i].packets);
        /* The data was cleaned from the cache before the core was told to read it. */
        if (cases[i].len > 0) {
            assert_true(find_write_with(DWC2_HARNESS_REG(DWC2_HC(0u, DWC2_HCCHAR)), DWC2_HCCHAR_CHENA,
                                        fake_dma_last_clean().mmio_log_index) >= 0);
        }
        /* The next transfer carries on with the toggle. */
        first = dwc2_harness_model.log_count;
        assert_int_equal(dwc2_transfer(&pipe, data, 10, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
        assert_int_equal(dwc2_harness_model.log[first].pid, cases[i].packets & 1u ? DWC2_PID_DATA1 : DWC2_PID_DATA0);
        dwc2_harness_teardown(state);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_accepts_pi_and_qemu_cores, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_init_refuses_other_cores, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_init_timeouts, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_init_halts_a_channel_left_enabled, dwc2_harness_setup,
                                        dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_port_reset_and_speed, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_port_reset_failures, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_init_phy_settle_and_ahb, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_in_data_waits_for_axi_writes, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_port_ok_follows_unplug_and_overcurrent, dwc2_harness_setup,
                                        dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_control_in, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_control_out_and_no_data, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_control_nak_stall_and_timeout, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_in_packets_and_short_packets, dwc2_harness_setup,
                                        dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_out_packets, dwc2_harness_setup, dwc2_harness_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
