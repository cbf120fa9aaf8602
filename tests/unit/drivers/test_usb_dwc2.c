/* Unit tests for drivers/usb/dwc2 against a register-level model of the core (tests/unit/fakes/fake_dwc2): init and
 * the core id, root port reset and speed, control transfers stage by stage, bulk transfers of several packets
 * and short packets, and what QEMU's model never does: NAKs, STALL, transaction errors, babble, toggle errors,
 * devices that never answer, split transactions. The asynchronous API the network drivers use is covered too.
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
#include "fake_dma.h"
#include "fake_dwc2.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define BUS_ALIAS  0xC0000000u
#define REG(off)   (FAKE_DWC2_BASE + (off))
#define TIMEOUT_US 100000u
#define DEV        3u

static struct fake_dwc2 m;

static int setup(void **state)
{
    (void)state;
    fake_systimer_reset();
    fake_dma_reset();
    fake_dwc2_init(&m);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *fault = fake_dwc2_fault(&m);
    if (fault != NULL) {
        fail_msg("%s", fault);
    }
    assert_int_equal(fake_mmio_fence_violations(), 0);
    return 0;
}

/* Core up, a device of the given speed on the root port, reset and enabled. */
static void bring_up(enum fake_dwc2_speed speed)
{
    m.device = true;
    m.speed = speed;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
    enum usb_speed got;
    assert_int_equal(dwc2_port_reset(TIMEOUT_US, &got), 0);
    assert_int_equal(got, speed);
}

static struct usb_pipe bulk_pipe(uint8_t ep_num, bool in, uint16_t mps, enum usb_speed speed)
{
    return (struct usb_pipe){
        .dev_addr = DEV, .ep_num = ep_num, .ep_type = USB_EP_TYPE_BULK, .in = in, .mps = mps, .speed = (uint8_t)speed
    };
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed + i * 7u);
    }
}

/* What one transaction on the bus should look like. */
struct want_xact {
    uint8_t pid;
    bool in;
    size_t bytes;
};

static void expect_xacts(size_t first, const struct usb_pipe *p, const struct want_xact *want, size_t n)
{
    assert_int_equal(m.log_count - first, n);
    for (size_t i = 0; i < n; i++) {
        const struct fake_dwc2_xact *x = &m.log[first + i];
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
        setup(state);
        m.id = ids[i];
        assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
        assert_int_equal(dwc2_core_id(), ids[i]);
        assert_int_equal(dwc2_channel_count(), FAKE_DWC2_CHANNELS);
        assert_int_equal(m.soft_resets, 1);
        /* Host mode is forced after the soft reset, never before it. */
        long reset = find_write_with(REG(DWC2_GRSTCTL), DWC2_GRSTCTL_CSFTRST, 0);
        long host = find_write_with(REG(DWC2_GUSBCFG), DWC2_GUSBCFG_FORCE_HOST, 0);
        assert_true(reset >= 0 && host > reset);
        assert_true(m.host_mode);
        assert_false(fake_mmio_get(REG(DWC2_GUSBCFG)) & DWC2_GUSBCFG_FORCE_DEV);
        /* Buffer DMA on, and the interrupt on: only a channel halt raises it (the board's wake-up). */
        uint32_t ahbcfg = fake_mmio_get(REG(DWC2_GAHBCFG));
        assert_true(ahbcfg & DWC2_GAHBCFG_DMA_EN);
        assert_true(ahbcfg & DWC2_GAHBCFG_GLBL_INTR_EN);
        assert_int_equal(fake_mmio_get(REG(DWC2_GINTMSK)), DWC2_GINTSTS_HCHINT);
        assert_int_equal(fake_mmio_get(REG(DWC2_HAINTMSK)), (1u << FAKE_DWC2_CHANNELS) - 1u);
        for (unsigned ch = 0; ch < FAKE_DWC2_CHANNELS; ch++) {
            assert_int_equal(fake_mmio_get(REG(DWC2_HC(ch, DWC2_HCINTMSK))), DWC2_HCINT_CHHLTD);
        }
        assert_false(fake_dwc2_irq(&m));
        /* RX FIFO, then non-periodic TX, then periodic TX, back to back inside the core's 4080 words. */
        uint32_t rx = fake_mmio_get(REG(DWC2_GRXFSIZ));
        uint32_t np = fake_mmio_get(REG(DWC2_GNPTXFSIZ));
        uint32_t p = fake_mmio_get(REG(DWC2_HPTXFSIZ));
        assert_int_equal(np & 0xFFFFu, rx);
        assert_int_equal(p & 0xFFFFu, rx + (np >> 16));
        assert_true(rx + (np >> 16) + (p >> 16) <= 4080u);
        assert_true(rx >= 512u / 4u && (np >> 16) >= 512u / 4u);
        assert_true(m.powered);
        assert_false(dwc2_port_connected());
        teardown(state);
    }
}

static void test_init_refuses_other_cores(void **state)
{
    static const uint32_t ids[] = { 0, 0xFFFFFFFFu, 0x5533290Au /* a DWC3 (USB 3) core */ };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        setup(state);
        m.id = ids[i];
        m.device = true;
        assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), -DWC2_EID);
        assert_int_equal(fake_mmio_count_writes(REG(DWC2_GRSTCTL)), 0);
        /* Every later call refuses instead of touching whatever sits at that address. */
        size_t accesses = fake_mmio_log_count();
        enum usb_speed speed;
        assert_int_equal(dwc2_port_reset(TIMEOUT_US, &speed), -DWC2_EINVAL);
        assert_false(dwc2_port_connected());
        struct usb_pipe pipe = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        uint8_t buf[8];
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, NULL, TIMEOUT_US), -DWC2_EINVAL);
        struct usb_async a = { 0 };
        assert_int_equal(dwc2_async_submit(&a, &pipe, NULL, 8), -DWC2_EINVAL);
        assert_int_equal(fake_mmio_log_count(), accesses);
    }
}

static void test_init_timeouts(void **state)
{
    enum { RESET_STUCK, AHB_BUSY, NEVER_HOST, SLOW_RESET };
    for (int c = RESET_STUCK; c <= SLOW_RESET; c++) {
        setup(state);
        fake_systimer_set_step(50);
        m.reset_reads = c == RESET_STUCK ? FAKE_DWC2_FOREVER : c == SLOW_RESET ? 500u : 3u;
        m.ahb_busy = c == AHB_BUSY;
        m.never_host = c == NEVER_HOST;
        int err = dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS);
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
        m.reset_left = 0; /* a stuck reset is the test's doing, not a write during reset */
        teardown(state);
    }
}

static void test_init_halts_a_channel_left_enabled(void **state)
{
    (void)state;
    m.ch[2].enabled = true;
    m.ch[2].hcchar = DWC2_HCCHAR_CHENA;
    fake_mmio_set(REG(DWC2_HC(2u, DWC2_HCCHAR)), DWC2_HCCHAR_CHENA);
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
    assert_int_equal(m.ch[2].halts, 1);
    assert_false(m.ch[2].enabled);
    assert_int_equal(m.ch[2].hcint, 0);
    assert_int_equal(m.ch[1].halts, 0);
}

/* The BCM283x set-up Linux, U-Boot and Circle agree on: 8-bit UTMI+ PHY selected before the soft reset, 100 ms for
 * the reset to settle before host mode is forced, and the "wait for AXI writes" bit with DMA (and the interrupt). */
static void test_init_phy_settle_and_ahb(void **state)
{
    (void)state;
    /* As an earlier stage left them. */
    fake_mmio_set(REG(DWC2_GUSBCFG), DWC2_GUSBCFG_ULPI_UTMI_SEL | DWC2_GUSBCFG_PHYIF16);
    fake_mmio_set(REG(DWC2_GAHBCFG), DWC2_GAHBCFG_BCM_AXI_BURST_MASK | DWC2_GAHBCFG_GLBL_INTR_EN);
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
    assert_int_equal(m.gusbcfg_at_reset & (DWC2_GUSBCFG_ULPI_UTMI_SEL | DWC2_GUSBCFG_PHYIF16), 0);
    assert_true(m.reset_done_us > 0);
    assert_true(m.host_forced_us - m.reset_done_us >= 100000u);
    assert_int_equal(fake_mmio_get(REG(DWC2_GAHBCFG)),
                     DWC2_GAHBCFG_DMA_EN | DWC2_GAHBCFG_BCM_WAIT_AXI_WRITES | DWC2_GAHBCFG_GLBL_INTR_EN);
}

/* Without the AXI bit the model lets IN data land after the halt, as the BCM283x may: the data read at once is
 * stale. With the bit, what the driver reads is what the device sent. */
static void test_in_data_waits_for_axi_writes(void **state)
{
    for (int with_bit = 0; with_bit <= 1; with_bit++) {
        setup(state);
        bring_up(FAKE_DWC2_HIGH);
        if (!with_bit) {
            fake_mmio_set(REG(DWC2_GAHBCFG), DWC2_GAHBCFG_DMA_EN);
        }
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&m, DEV, 1, true);
        uint8_t data[100];
        fill(data, sizeof data, 0x21);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        uint8_t buf[512];
        size_t actual = 0;
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, TIMEOUT_US), 0);
        assert_int_equal(actual, sizeof data);
        assert_int_equal(memcmp(buf, data, sizeof data) == 0, with_bit);
        teardown(state);
    }
}

/* ---- root port ---- */

static void test_port_reset_and_speed(void **state)
{
    static const enum fake_dwc2_speed speeds[] = { FAKE_DWC2_HIGH, FAKE_DWC2_FULL, FAKE_DWC2_LOW };
    for (size_t i = 0; i < 3; i++) {
        setup(state);
        m.device = true;
        m.speed = speeds[i];
        assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
        assert_true(dwc2_port_connected());
        uint64_t start = fake_systimer_peek();
        enum usb_speed got = USB_SPEED_LOW + 1;
        assert_int_equal(dwc2_port_reset(TIMEOUT_US, &got), 0);
        assert_int_equal(got, speeds[i]);
        assert_true(m.port_enabled);
        assert_int_equal(m.port_disables, 0);          /* ENA is write-1-to-disable: never written back */
        assert_false(m.conndet);                       /* the connect was acknowledged */
        assert_true(m.reset_at_us - start >= 100000u); /* attach debounce */
        assert_true(m.reset_len_us >= 50000u);         /* TDRSTR */
        /* Reset recovery: 20 ms, not the 10 ms of the specification (Circle's margin). */
        assert_true(fake_systimer_peek() - (m.reset_at_us + m.reset_len_us) >= 20000u);
        teardown(state);
    }
}

static void test_port_reset_failures(void **state)
{
    /* Nothing plugged in: no device within the connect timeout. */
    fake_systimer_set_step(10);
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
    uint64_t start = fake_systimer_peek();
    enum usb_speed speed;
    assert_int_equal(dwc2_port_reset(50000u, &speed), -DWC2_ENODEV);
    assert_true(fake_systimer_peek() - start >= 50000u && fake_systimer_peek() - start <= 51000u);

    /* A device that plugs in late is waited for. */
    setup(state);
    fake_systimer_set_step(100);
    m.device = true;
    m.connect_at_us = 300000u;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
    assert_int_equal(dwc2_port_reset(1000000u, &speed), 0);
    assert_true(m.reset_at_us >= 400000u);

    /* A port that never enables after reset. */
    setup(state);
    m.device = true;
    m.port_never_enables = true;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
    assert_int_equal(dwc2_port_reset(TIMEOUT_US, &speed), -DWC2_ETIMEDOUT);
}

/* The root port is watched after enumeration: an unplug, a replug between two looks and an over-current all show
 * as a lost port until a new reset succeeds; every change bit is acknowledged (ENA, write-1-to-disable, never). */
static void test_port_ok_follows_unplug_and_overcurrent(void **state)
{
    (void)state;
    enum usb_speed speed;
    assert_false(dwc2_port_ok()); /* not initialised */
    m.device = true;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS), 0);
    assert_false(dwc2_port_ok()); /* connected but never reset */
    assert_int_equal(dwc2_port_reset(TIMEOUT_US, &speed), 0);
    assert_true(dwc2_port_ok());
    assert_false(m.enachg || m.conndet);

    fake_dwc2_replug(&m, FAKE_DWC2_NEVER);
    assert_false(dwc2_port_ok());
    assert_false(m.enachg);
    assert_int_equal(dwc2_port_reset(10000u, &speed), -DWC2_ENODEV);

    /* Out and in again before anyone looked: the port stays disabled until it is reset. */
    fake_dwc2_replug(&m, fake_systimer_peek());
    assert_false(dwc2_port_ok());
    assert_false(dwc2_port_ok());
    assert_int_equal(dwc2_port_reset(TIMEOUT_US, &speed), 0);
    assert_true(dwc2_port_ok());

    fake_dwc2_set_overcurrent(&m, true);
    assert_false(dwc2_port_ok());
    assert_false(m.ovrcurrchg);
    assert_int_equal(dwc2_port_reset(TIMEOUT_US, &speed), -DWC2_ETIMEDOUT);
    fake_dwc2_set_overcurrent(&m, false);
    assert_int_equal(dwc2_port_reset(TIMEOUT_US, &speed), 0);
    assert_true(dwc2_port_ok());
    assert_true(m.powered);
    assert_int_equal(m.port_disables, 0);
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
        setup(state);
        bring_up(cases[i].speed);
        struct fake_dwc2_ep *ep0 = fake_dwc2_ep(&m, DEV, 0, false);
        uint8_t desc[255];
        fill(desc, sizeof desc, (uint8_t)i);
        fake_dwc2_set_in(ep0, desc, cases[i].dev_len);
        struct usb_pipe pipe = {
            .dev_addr = DEV, .ep_type = USB_EP_TYPE_CONTROL, .mps = cases[i].mps, .speed = (uint8_t)cases[i].speed
        };
        const uint8_t get_desc[8] = { 0x80, 6, 0, 1, 0, 0, (uint8_t)cases[i].len, 0 };
        uint8_t buf[255];
        size_t actual = 0;
        size_t first = m.log_count;
        assert_int_equal(dwc2_control(&pipe, get_desc, buf, cases[i].len, &actual, TIMEOUT_US), 0);
        assert_int_equal(actual, cases[i].dev_len);
        assert_memory_equal(buf, desc, cases[i].dev_len);
        assert_memory_equal(ep0->setup, get_desc, 8);
        assert_int_equal(ep0->setups, 1);
        assert_int_equal(ep0->statuses, 1);
        expect_xacts(first, &pipe, cases[i].xacts, cases[i].n);
        /* The raw characteristics of the SETUP: databook bit positions, multi count 1, blocking channel 0. */
        const struct fake_dwc2_xact *x = &m.log[first];
        uint32_t want = cases[i].mps | (0u << 11) | (0u << 15) | (cases[i].speed == FAKE_DWC2_LOW ? 1u << 17 : 0) |
                        (0u << 18) | (1u << 20) | (DEV << 22) | DWC2_HCCHAR_CHENA;
        assert_int_equal(x->hcchar, want);
        assert_int_equal(x->ch, 0);
        assert_int_equal(x->hcsplt, 0);
        teardown(state);
    }
}

static void test_control_out_and_no_data(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *ep0 = fake_dwc2_ep(&m, DEV, 0, false);
    struct usb_pipe pipe = { .dev_addr = DEV, .ep_type = USB_EP_TYPE_CONTROL, .mps = 64, .speed = USB_SPEED_HIGH };

    /* A vendor register write: data OUT DATA1, status IN DATA1. */
    static const uint8_t write_reg[8] = { 0x40, 0xA0, 0, 0, 0x14, 0, 4, 0 };
    uint8_t value[4] = { 0x11, 0x22, 0x33, 0x44 };
    size_t actual = 99;
    size_t first = m.log_count;
    assert_int_equal(dwc2_control(&pipe, write_reg, value, 4, &actual, TIMEOUT_US), 0);
    assert_int_equal(actual, 4);
    assert_int_equal(ep0->out_len, 4);
    assert_memory_equal(ep0->out_data, value, 4);
    static const struct want_xact out[] = { { DWC2_PID_SETUP, false, 8 },
                                            { DWC2_PID_DATA1, false, 4 },
                                            { DWC2_PID_DATA1, true, 0 } };
    expect_xacts(first, &pipe, out, 3);

    /* SET_CONFIGURATION: no data stage, status IN DATA1. */
    static const uint8_t set_config[8] = { 0x00, 9, 1, 0, 0, 0, 0, 0 };
    first = m.log_count;
    assert_int_equal(dwc2_control(&pipe, set_config, NULL, 0, &actual, TIMEOUT_US), 0);
    assert_int_equal(actual, 0);
    static const struct want_xact none[] = { { DWC2_PID_SETUP, false, 8 }, { DWC2_PID_DATA1, true, 0 } };
    expect_xacts(first, &pipe, none, 2);
    assert_int_equal(ep0->statuses, 2);
    assert_int_equal(ep0->out_len, 4);
}

static void test_control_nak_stall_and_timeout(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *ep0 = fake_dwc2_ep(&m, DEV, 0, false);
    struct usb_pipe pipe = { .dev_addr = DEV, .ep_type = USB_EP_TYPE_CONTROL, .mps = 64, .speed = USB_SPEED_HIGH };
    static const uint8_t get_status[8] = { 0x80, 0, 0, 0, 0, 0, 2, 0 };
    static const uint8_t two[2] = { 1, 0 };
    uint8_t buf[2];
    size_t actual;

    /* The data stage NAKed four times: the core retries, the driver just waits (one programming per stage). */
    fake_dwc2_script(ep0, FAKE_DWC2_ACK, 1);
    fake_dwc2_script(ep0, FAKE_DWC2_NAK, 4);
    fake_dwc2_set_in(ep0, two, 2);
    unsigned enables = m.ch[0].enables;
    assert_int_equal(dwc2_control(&pipe, get_status, buf, 2, &actual, TIMEOUT_US), 0);
    assert_int_equal(actual, 2);
    assert_int_equal(fake_dwc2_count(&m, 0, FAKE_DWC2_NAK), 4);
    assert_int_equal(m.ch[0].enables - enables, 3);

    /* A request the device does not support: STALL in the data stage, no status stage. */
    ep0->script_len = ep0->script_pos = ep0->step_used = 0;
    fake_dwc2_script(ep0, FAKE_DWC2_ACK, 1);
    fake_dwc2_script(ep0, FAKE_DWC2_STALL, 1);
    unsigned statuses = ep0->statuses;
    assert_int_equal(dwc2_control(&pipe, get_status, buf, 2, &actual, TIMEOUT_US), -DWC2_ESTALL);
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
    assert_false(m.ch[0].enabled);
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
        setup(state);
        bring_up(cases[i].speed);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&m, DEV, 1, true);
        uint8_t data[2048];
        fill(data, sizeof data, (uint8_t)(0x40 + i));
        fake_dwc2_set_in(ep, data, cases[i].dev_len);
        struct usb_pipe pipe = bulk_pipe(1, true, cases[i].mps, (enum usb_speed)cases[i].speed);
        uint8_t buf[2048];
        size_t actual = 0;
        size_t first = m.log_count;
        size_t accesses = fake_mmio_log_count();
        assert_int_equal(dwc2_transfer(&pipe, buf, cases[i].len, &actual, TIMEOUT_US), 0);
        assert_int_equal(actual, cases[i].dev_len);
        assert_memory_equal(buf, data, cases[i].dev_len);
        assert_int_equal(pipe.toggle, cases[i].packets & 1u);
        struct want_xact want[8];
        for (size_t k = 0; k < cases[i].packets; k++) {
            size_t left = cases[i].dev_len - k * cases[i].mps;
            want[k] = (struct want_xact){ k & 1u ? DWC2_PID_DATA1 : DWC2_PID_DATA0, true,
                                          left < cases[i].mps ? left : cases[i].mps };
        }
        expect_xacts(first, &pipe, want, cases[i].packets);
        /* One programming for the whole buffer: whole packets, starting DATA0. */
        long tsiz = fake_mmio_find_write(REG(DWC2_HC(0u, DWC2_HCTSIZ)), accesses);
        assert_true(tsiz >= 0);
        uint32_t hctsiz = fake_mmio_log_at((size_t)tsiz)->value;
        size_t pkts = (cases[i].len + cases[i].mps - 1u) / cases[i].mps;
        assert_int_equal(FAKE_DWC2_FIELD(hctsiz, DWC2_HCTSIZ_PKTCNT), pkts);
        assert_int_equal(FAKE_DWC2_FIELD(hctsiz, DWC2_HCTSIZ_XFERSIZE), pkts * cases[i].mps);
        assert_int_equal(FAKE_DWC2_FIELD(hctsiz, DWC2_HCTSIZ_PID), DWC2_PID_DATA0);
        assert_int_equal(fake_mmio_find_write(REG(DWC2_HC(0u, DWC2_HCTSIZ)), (size_t)tsiz + 1), -1);
        /* The CPU reads the bounce buffer only after invalidating it, once the core is done: the last
         * invalidation comes after the last enable. */
        assert_int_equal(find_write_with(REG(DWC2_HC(0u, DWC2_HCCHAR)), DWC2_HCCHAR_CHENA,
                                         fake_dma_last_invalidate().mmio_log_index),
                         -1);
        teardown(state);
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
        setup(state);
        bring_up(cases[i].speed);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&m, DEV, 2, false);
        struct usb_pipe pipe = bulk_pipe(2, false, cases[i].mps, (enum usb_speed)cases[i].speed);
        uint8_t data[1300];
        fill(data, sizeof data, (uint8_t)(0x80 + i));
        size_t actual = 0;
        size_t first = m.log_count;
        unsigned enables = m.ch[0].enables;
        assert_int_equal(dwc2_transfer(&pipe, data, cases[i].len, &actual, TIMEOUT_US), 0);
        assert_int_equal(actual, cases[i].len);
        assert_int_equal(ep->out_len, cases[i].len);
        assert_memory_equal(ep->out_data, data, cases[i].len);
        assert_int_equal(m.ch[0].enables - enables, cases[i].programmings);
        assert_int_equal(pipe.toggle, cases[i].packets & 1u);
        struct want_xact want[4];
        for (size_t k = 0; k < cases[i].packets; k++) {
            size_t left = cases[i].len - k * cases[i].mps;
            want[k] = (struct want_xact){ k & 1u ? DWC2_PID_DATA1 : DWC2_PID_DATA0, false,
                                          left < cases[i].mps ? left : cases[i].mps };
        }
        expect_xacts(first, &pipe, want, cases[i].packets);
        /* The data was cleaned from the cache before the core was told to read it. */
        if (cases[i].len > 0) {
            assert_true(find_write_with(REG(DWC2_HC(0u, DWC2_HCCHAR)), DWC2_HCCHAR_CHENA,
                                        fake_dma_last_clean().mmio_log_index) >= 0);
        }
        /* The next transfer carries on with the toggle. */
        first = m.log_count;
        assert_int_equal(dwc2_transfer(&pipe, data, 10, &actual, TIMEOUT_US), 0);
        assert_int_equal(m.log[first].pid, cases[i].packets & 1u ? DWC2_PID_DATA1 : DWC2_PID_DATA0);
        teardown(state);
    }
}

/* ---- NAK, timeouts, errors ---- */

static void test_nak_retried_until_ack(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_FULL);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&m, DEV, 1, true);
    struct fake_dwc2_ep *out = fake_dwc2_ep(&m, DEV, 2, false);
    uint8_t data[150], buf[256];
    fill(data, sizeof data, 9);
    size_t actual;

    fake_dwc2_script(in, FAKE_DWC2_NAK, 5);
    fake_dwc2_set_in(in, data, 100);
    struct usb_pipe pin = bulk_pipe(1, true, 64, USB_SPEED_FULL);
    unsigned enables = m.ch[0].enables;
    assert_int_equal(dwc2_transfer(&pin, buf, sizeof buf, &actual, TIMEOUT_US), 0);
    assert_int_equal(actual, 100);
    assert_memory_equal(buf, data, 100);
    assert_int_equal(fake_dwc2_count(&m, 0, FAKE_DWC2_NAK), 5);
    assert_int_equal(m.ch[0].enables - enables, 1); /* the core retried, not the driver */
    assert_int_equal(pin.toggle, 0);                /* two packets */

    /* NAKs between the packets of an OUT transfer. */
    fake_dwc2_script(out, FAKE_DWC2_ACK, 1);
    fake_dwc2_script(out, FAKE_DWC2_NAK, 3);
    struct usb_pipe pout = bulk_pipe(2, false, 64, USB_SPEED_FULL);
    assert_int_equal(dwc2_transfer(&pout, data, sizeof data, &actual, TIMEOUT_US), 0);
    assert_int_equal(out->out_len, sizeof data);
    assert_memory_equal(out->out_data, data, sizeof data);
    assert_int_equal(fake_dwc2_count(&m, 0, FAKE_DWC2_NAK), 8);

    /* An interrupt endpoint's NAK halts the channel and means "nothing to report". */
    struct fake_dwc2_ep *intr = fake_dwc2_ep(&m, DEV, 3, true);
    fake_dwc2_script(intr, FAKE_DWC2_NAK, 1);
    struct usb_pipe pintr = {
        .dev_addr = DEV, .ep_num = 3, .ep_type = USB_EP_TYPE_INTR, .in = true, .mps = 8, .speed = USB_SPEED_FULL
    };
    assert_int_equal(dwc2_transfer(&pintr, buf, 8, &actual, TIMEOUT_US), -DWC2_ENAK);
    assert_int_equal(pintr.toggle, 0);
    assert_false(m.ch[0].enabled);
    fake_dwc2_set_in(intr, data, 1);
    assert_int_equal(dwc2_transfer(&pintr, buf, 8, &actual, TIMEOUT_US), 0);
    assert_int_equal(actual, 1);
    assert_int_equal(pintr.toggle, 1);
}

static void test_no_answer_times_out(void **state)
{
    static const enum fake_dwc2_answer answers[] = { FAKE_DWC2_NAK, FAKE_DWC2_SILENT };
    for (size_t i = 0; i < 2; i++) {
        setup(state);
        bring_up(FAKE_DWC2_HIGH);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&m, DEV, 1, true);
        fake_dwc2_script(ep, answers[i], FAKE_DWC2_FOREVER);
        struct usb_pipe pipe = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        pipe.toggle = 1;
        uint8_t buf[512];
        size_t actual = 99;
        fake_systimer_set_step(100);
        uint64_t start = fake_systimer_peek();
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, 20000u), -DWC2_ETIMEDOUT);
        uint64_t took = fake_systimer_peek() - start;
        assert_true(took >= 20000u && took <= 21000u);
        assert_int_equal(actual, 0);
        assert_int_equal(m.ch[0].halts, 1); /* halted before giving the channel back */
        assert_false(m.ch[0].enabled);
        assert_int_equal(pipe.toggle, 1);

        /* The channel works again once the device answers. */
        ep->script_len = ep->script_pos = 0;
        ep->toggle = 1;
        static const uint8_t frame[3] = { 1, 2, 3 };
        fake_dwc2_set_in(ep, frame, 3);
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, 20000u), 0);
        assert_int_equal(actual, 3);
        assert_int_equal(pipe.toggle, 0);
        teardown(state);
    }
}

static void test_errors_per_answer(void **state)
{
    static const struct {
        enum fake_dwc2_answer answer;
        uint32_t times;
        bool in;
        int err;
        size_t xacts;
    } cases[] = {
        { FAKE_DWC2_STALL, 1, true, -DWC2_ESTALL, 1 },
        { FAKE_DWC2_STALL, 1, false, -DWC2_ESTALL, 1 },
        { FAKE_DWC2_BABBLE, 1, true, -DWC2_EBABBLE, 1 },
        { FAKE_DWC2_TOGGLE_ERR, 1, true, -DWC2_ETOGGLE, 1 },
        { FAKE_DWC2_XACTERR, FAKE_DWC2_FOREVER, true, -DWC2_EXACT, 3 }, /* three in a row */
        { FAKE_DWC2_XACTERR, FAKE_DWC2_FOREVER, false, -DWC2_EXACT, 3 },
        { FAKE_DWC2_XACTERR, 2, true, 0, 3 }, /* retried, then fine */
        { FAKE_DWC2_XACTERR, 2, false, 0, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        bring_up(FAKE_DWC2_HIGH);
        uint8_t ep_num = cases[i].in ? 1 : 2;
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&m, DEV, ep_num, cases[i].in);
        fake_dwc2_script(ep, cases[i].answer, cases[i].times);
        uint8_t data[100], buf[512];
        fill(data, sizeof data, (uint8_t)i);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = bulk_pipe(ep_num, cases[i].in, 512, USB_SPEED_HIGH);
        size_t actual = 99;
        size_t first = m.log_count;
        int err =
            dwc2_transfer(&pipe, cases[i].in ? buf : data, cases[i].in ? sizeof buf : sizeof data, &actual, TIMEOUT_US);
        if (err != cases[i].err) {
            fail_msg("case %zu: %s, want %s", i, dwc2_strerror(err), dwc2_strerror(cases[i].err));
        }
        assert_int_equal(m.log_count - first, cases[i].xacts);
        assert_false(m.ch[0].enabled);
        if (err == 0) {
            assert_int_equal(actual, sizeof data);
            assert_memory_equal(cases[i].in ? buf : ep->out_data, data, sizeof data);
            assert_int_equal(pipe.toggle, 1);
        } else {
            assert_int_equal(actual, 0);
            assert_int_equal(pipe.toggle, 0);
        }
        teardown(state);
    }
}

/* A new model with a high-speed device on the root port and its bulk endpoint ep_num. */
static struct fake_dwc2_ep *fresh_bulk_endpoint(void **state, uint8_t ep_num, bool in)
{
    setup(state);
    bring_up(FAKE_DWC2_HIGH);
    return fake_dwc2_ep(&m, DEV, ep_num, in);
}

/* Transaction errors after some packets went through: the retry must start after them, with their toggle, and
 * errors separated by progress are not "in a row". */
static void test_xacterr_in_the_middle_of_a_transfer(void **state)
{
    for (int dir = 0; dir < 2; dir++) {
        bool in = dir == 0;
        uint8_t ep_num = in ? 1 : 2;
        struct fake_dwc2_ep *ep = fresh_bulk_endpoint(state, ep_num, in);
        fake_dwc2_script(ep, FAKE_DWC2_ACK, 1);
        fake_dwc2_script(ep, FAKE_DWC2_XACTERR, 2);
        fake_dwc2_script(ep, FAKE_DWC2_ACK, 1);
        fake_dwc2_script(ep, FAKE_DWC2_XACTERR, 2);
        uint8_t data[1300], buf[2048];
        fill(data, sizeof data, 0x33);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = bulk_pipe(ep_num, in, 512, USB_SPEED_HIGH);
        size_t actual = 0;
        int err = dwc2_transfer(&pipe, in ? buf : data, in ? sizeof buf : sizeof data, &actual, TIMEOUT_US);
        if (err != 0) {
            fail_msg("%s: %s", in ? "IN" : "OUT", dwc2_strerror(err));
        }
        assert_int_equal(actual, sizeof data);
        if (in) {
            assert_memory_equal(buf, data, sizeof data);
        } else {
            assert_int_equal(ep->out_len, sizeof data);
            assert_memory_equal(ep->out_data, data, sizeof data);
        }
        assert_int_equal(pipe.toggle, 1);
        teardown(state);
    }
}

/* A device that stops answering part-way: the packets it acknowledged before the deadline are reported, and the
 * pipe's toggle follows them, so the next transfer uses the PID the device expects (teardown checks the PIDs). */
static void test_timeout_keeps_the_packets_that_went_through(void **state)
{
    for (int dir = 0; dir < 2; dir++) {
        bool in = dir == 0;
        uint8_t ep_num = in ? 1 : 2;
        struct fake_dwc2_ep *ep = fresh_bulk_endpoint(state, ep_num, in);
        fake_dwc2_script(ep, FAKE_DWC2_ACK, 3);
        fake_dwc2_script(ep, FAKE_DWC2_NAK, FAKE_DWC2_FOREVER);
        uint8_t data[1300], buf[2048];
        fill(data, sizeof data, 0x5A);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = bulk_pipe(ep_num, in, 256, USB_SPEED_HIGH);
        size_t actual = 0;
        fake_systimer_set_step(100);
        int err = dwc2_transfer(&pipe, in ? buf : data, in ? sizeof buf : sizeof data, &actual, 20000u);
        assert_int_equal(err, -DWC2_ETIMEDOUT);
        assert_int_equal(actual, 3 * 256);
        if (in) {
            assert_memory_equal(buf, data, 3 * 256);
        } else {
            assert_int_equal(ep->out_len, 3 * 256);
        }
        assert_int_equal(pipe.toggle, 1); /* DATA0, DATA1, DATA0 went through */

        /* The device answers again: the rest arrives with the right PIDs. */
        ep->script_len = ep->script_pos = 0;
        size_t rest = sizeof data - 3 * 256;
        assert_int_equal(dwc2_transfer(&pipe, in ? buf : data + 3 * 256, in ? sizeof buf : rest, &actual, TIMEOUT_US),
                         0);
        assert_int_equal(actual, rest);
        if (in) {
            assert_memory_equal(buf, data + 3 * 256, rest);
        } else {
            assert_memory_equal(ep->out_data, data, sizeof data);
        }
        teardown(state);
    }
}

/* ---- channel characteristics ---- */

static void test_channel_characteristics(void **state)
{
    static const struct {
        uint8_t dev, ep, type;
        bool in;
        uint16_t mps;
        enum fake_dwc2_speed speed;
        uint32_t hfnum;
    } cases[] = {
        { 127, 15, USB_EP_TYPE_INTR, true, 8, FAKE_DWC2_LOW, 4 },
        { 5, 2, USB_EP_TYPE_BULK, false, 512, FAKE_DWC2_HIGH, 0 },
        { 1, 1, USB_EP_TYPE_BULK, true, 64, FAKE_DWC2_FULL, 0 },
        { 9, 3, USB_EP_TYPE_INTR, true, 16, FAKE_DWC2_FULL, 7 },
        { 100, 8, USB_EP_TYPE_BULK, false, 64, FAKE_DWC2_FULL, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        bring_up(cases[i].speed);
        fake_mmio_set(REG(DWC2_HFNUM), cases[i].hfnum);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&m, cases[i].dev, cases[i].ep, cases[i].in);
        static const uint8_t one[1] = { 0x5A };
        fake_dwc2_set_in(ep, one, 1);
        struct usb_pipe pipe = { .dev_addr = cases[i].dev,
                                 .ep_num = cases[i].ep,
                                 .ep_type = cases[i].type,
                                 .in = cases[i].in,
                                 .mps = cases[i].mps,
                                 .speed = (uint8_t)cases[i].speed };
        uint8_t buf[16] = { 0x5A };
        size_t first = m.log_count;
        assert_int_equal(dwc2_transfer(&pipe, buf, 1, NULL, TIMEOUT_US), 0);
        assert_int_equal(m.log_count - first, 1);
        /* Databook layout: MPS 10:0, EPNum 14:11, EPDir 15, LSpdDev 17, EPType 19:18, MC 21:20, DevAddr 28:22,
         * OddFrm 29 (periodic only: the frame after the current one), ChEna 31. */
        bool periodic = cases[i].type == USB_EP_TYPE_INTR;
        uint32_t want = cases[i].mps | ((uint32_t)cases[i].ep << 11) | (cases[i].in ? 1u << 15 : 0) |
                        (cases[i].speed == FAKE_DWC2_LOW ? 1u << 17 : 0) | ((uint32_t)cases[i].type << 18) |
                        (1u << 20) | ((uint32_t)cases[i].dev << 22) |
                        (periodic && (cases[i].hfnum & 1u) == 0 ? 1u << 29 : 0) | (1u << 31);
        const struct fake_dwc2_xact *x = &m.log[first];
        if (x->hcchar != want) {
            fail_msg("case %zu: HCCHAR %08x, want %08x", i, x->hcchar, want);
        }
        assert_int_equal(x->dev_addr, cases[i].dev);
        assert_int_equal(x->ep_num, cases[i].ep);
        assert_int_equal(x->in, cases[i].in);
        assert_int_equal(x->mps, cases[i].mps);
        assert_int_equal(x->ep_type, cases[i].type);
        assert_int_equal(x->hcsplt, 0);
        teardown(state);
    }
}

/* A full-speed device behind a high-speed hub's transaction translator: start-split, complete-split until the
 * hub has the answer. */
static void test_split_transactions(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *ep = fake_dwc2_ep(&m, DEV, 1, true);
    fake_dwc2_script(ep, FAKE_DWC2_ACK, 1);  /* the hub accepts the start-split */
    fake_dwc2_script(ep, FAKE_DWC2_NYET, 2); /* no answer from the device yet */
    fake_dwc2_script(ep, FAKE_DWC2_ACK, 2);  /* the first packet; the hub takes the next start-split */
    fake_dwc2_script(ep, FAKE_DWC2_NAK, 1);  /* the device NAKs the second packet: start over */
    uint8_t data[100], buf[128];
    fill(data, sizeof data, 0x21);
    fake_dwc2_set_in(ep, data, sizeof data);
    struct usb_pipe pipe = bulk_pipe(1, true, 64, USB_SPEED_FULL);
    pipe.tt_hub_addr = 2;
    pipe.tt_port = 3;
    size_t actual = 0;
    size_t first = m.log_count;
    assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, TIMEOUT_US), 0);
    assert_int_equal(actual, sizeof data);
    assert_memory_equal(buf, data, sizeof data);
    assert_int_equal(pipe.toggle, 0);
    static const struct {
        bool csplit;
        enum fake_dwc2_answer answer;
    } want[] = {
        { false, FAKE_DWC2_ACK }, { true, FAKE_DWC2_NYET }, { true, FAKE_DWC2_NYET }, { true, FAKE_DWC2_ACK },
        { false, FAKE_DWC2_ACK }, { true, FAKE_DWC2_NAK },  { false, FAKE_DWC2_ACK }, { true, FAKE_DWC2_ACK },
    };
    assert_int_equal(m.log_count - first, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct fake_dwc2_xact *x = &m.log[first + i];
        assert_true(x->split);
        assert_int_equal(x->csplit, want[i].csplit);
        assert_int_equal(x->answer, want[i].answer);
        assert_int_equal(FAKE_DWC2_FIELD(x->hcsplt, DWC2_HCSPLT_HUBADDR), 2);
        assert_int_equal(FAKE_DWC2_FIELD(x->hcsplt, DWC2_HCSPLT_PRTADDR), 3);
        assert_int_equal(FAKE_DWC2_FIELD(x->hcsplt, DWC2_HCSPLT_XACTPOS), 3);
        assert_false(x->low_speed);
    }
}

/* ---- asynchronous transfers ---- */

/* Data read in place: the frame is where the core's DMA put it, and that buffer stays the caller's until released,
 * even while the next transfer on the same endpoint runs (on another channel). */
static void test_async_poll_held_lends_the_dma_buffer(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&m, DEV, 1, true);
    uint8_t first[300], second[200];
    fill(first, sizeof first, 0x11);
    fill(second, sizeof second, 0x22);
    fake_dwc2_set_in(in, first, sizeof first);
    struct usb_pipe pin = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    struct usb_async a = { 0 }, next = { 0 };
    const uint8_t *data = NULL;
    size_t actual = 0;

    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, 2048), 0);
    unsigned ch = (unsigned)a.chan;
    assert_int_equal(dwc2_async_poll_held(&a, &data, &actual), 0);
    assert_non_null(data);
    assert_int_equal(actual, sizeof first);
    assert_memory_equal(data, first, sizeof first);
    assert_true(dwc2_async_busy(&a));
    assert_int_equal(dwc2_async_poll_held(&a, &data, &actual), -DWC2_EINVAL); /* already held */
    assert_null(data);
    data = NULL;
    assert_int_equal(dwc2_async_poll(&a, first, sizeof first, &actual), -DWC2_EINVAL);

    /* The next transfer gets another channel and does not write into the held buffer. */
    fake_dwc2_set_in(in, second, sizeof second);
    assert_int_equal(dwc2_async_submit(&next, &pin, NULL, 2048), 0);
    assert_int_not_equal(next.chan, (int8_t)ch);
    uint8_t buf[2048];
    assert_int_equal(dwc2_async_poll(&next, buf, sizeof buf, &actual), 0);
    assert_memory_equal(buf, second, sizeof second);
    assert_int_equal(dwc2_async_poll_held(&a, &data, &actual), -DWC2_EINVAL);
    fake_dwc2_set_in(in, first, sizeof first);
    assert_int_equal(dwc2_async_submit(&next, &pin, NULL, 2048), 0);
    assert_int_not_equal(next.chan, (int8_t)ch);
    dwc2_async_cancel(&next);

    /* Released: the channel is free again and a is idle. */
    dwc2_async_release(&a);
    assert_false(dwc2_async_busy(&a));
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, 2048), 0);
    assert_int_equal((unsigned)a.chan, ch);
    /* Cancelling held data releases it; an error holds nothing. */
    assert_int_equal(dwc2_async_poll_held(&a, &data, &actual), 0);
    dwc2_async_cancel(&a);
    assert_false(dwc2_async_busy(&a));
    fake_dwc2_script(in, FAKE_DWC2_STALL, 1);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, 2048), 0);
    assert_int_equal(dwc2_async_poll_held(&a, &data, &actual), -DWC2_ESTALL);
    assert_null(data);
    assert_false(dwc2_async_busy(&a));
    /* OUT transfers have nothing to lend. */
    struct usb_pipe pout = bulk_pipe(2, false, 512, USB_SPEED_HIGH);
    fake_dwc2_ep(&m, DEV, 2, false);
    assert_int_equal(dwc2_async_submit(&a, &pout, first, 60), 0);
    assert_int_equal(dwc2_async_poll_held(&a, &data, &actual), -DWC2_EINVAL);
    dwc2_async_cancel(&a);
}

/* The interrupt that wakes the board: raised when the armed receive channel halts with a frame, not by the NAKs the
 * core retries meanwhile, and gone once the driver's poll has taken the frame (HCINT acknowledged). */
static void test_async_halt_raises_the_interrupt_until_polled(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&m, DEV, 1, true);
    uint8_t frame[100], buf[1600];
    fill(frame, sizeof frame, 0x5A);
    fake_dwc2_script(in, FAKE_DWC2_NAK, 2);
    fake_dwc2_set_in(in, frame, sizeof frame);
    struct usb_pipe pin = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    struct usb_async a = { 0 };
    size_t actual = 0;

    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    unsigned ch = (unsigned)a.chan;
    uintptr_t hcint = REG(DWC2_HC(ch, DWC2_HCINT));
    /* The core works on its own; in the model a channel moves when its HCINT is read. */
    for (int i = 0; i < 2; i++) {
        assert_false(mmio_read32(hcint) & DWC2_HCINT_CHHLTD);
        assert_false(fake_dwc2_irq(&m)); /* a NAK the core retries wakes no one */
    }
    assert_true(mmio_read32(hcint) & DWC2_HCINT_CHHLTD);
    assert_true(fake_dwc2_irq(&m));
    assert_int_equal(mmio_read32(REG(DWC2_HAINT)), 1u << ch);
    assert_true(fake_dwc2_irq(&m)); /* level: reading does not clear it */

    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), 0);
    assert_int_equal(actual, sizeof frame);
    assert_false(fake_dwc2_irq(&m));
    assert_int_equal(mmio_read32(REG(DWC2_HAINT)), 0);

    /* A failed transfer raises it as well, and its poll acknowledges it the same way. */
    fake_dwc2_script(in, FAKE_DWC2_STALL, 1);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    assert_true(mmio_read32(REG(DWC2_HC((unsigned)a.chan, DWC2_HCINT))) & DWC2_HCINT_CHHLTD);
    assert_true(fake_dwc2_irq(&m));
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), -DWC2_ESTALL);
    assert_false(fake_dwc2_irq(&m));
}

static void test_async_submit_and_poll(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&m, DEV, 1, true);
    uint8_t frame[1300], buf[1600];
    fill(frame, sizeof frame, 0x77);
    fake_dwc2_script(in, FAKE_DWC2_NAK, 3);
    fake_dwc2_set_in(in, frame, sizeof frame);
    struct usb_pipe pin = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    struct usb_async a = { 0 };
    size_t actual = 99;

    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    assert_true(dwc2_async_busy(&a));
    assert_int_not_equal(a.chan, 0); /* channel 0 is the blocking calls' */
    unsigned ch = (unsigned)a.chan;
    assert_true(m.ch[ch].enabled);
    assert_int_equal(m.ch[0].enables, 0);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), -DWC2_EINVAL); /* already active */

    /* Three NAKs and two full packets: in progress five times, then the frame. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), DWC2_IN_PROGRESS);
    }
    /* A blocking transfer meanwhile uses channel 0 without disturbing the armed one. */
    struct fake_dwc2_ep *out = fake_dwc2_ep(&m, DEV, 2, false);
    struct usb_pipe pout = bulk_pipe(2, false, 512, USB_SPEED_HIGH);
    assert_int_equal(dwc2_transfer(&pout, frame, 60, NULL, TIMEOUT_US), 0);
    assert_int_equal(out->out_len, 60);
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), 0);
    assert_int_equal(actual, sizeof frame);
    assert_memory_equal(buf, frame, sizeof frame);
    assert_false(dwc2_async_busy(&a));
    assert_int_equal(pin.toggle, 1);
    assert_int_equal(m.ch[ch].enables, 1);
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), -DWC2_EINVAL);

    /* A caller buffer smaller than the frame gets what fits. */
    fake_dwc2_set_in(in, frame, 100);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    assert_int_equal(dwc2_async_poll(&a, buf, 40, &actual), 0);
    assert_int_equal(actual, 40);
    assert_int_equal(pin.toggle, 0);

    /* OUT data is copied at submit: the caller may reuse its buffer at once. */
    uint8_t tx[700];
    fill(tx, sizeof tx, 0x10);
    uint8_t sent[700];
    memcpy(sent, tx, sizeof tx);
    out->out_len = 0;
    assert_int_equal(dwc2_async_submit(&a, &pout, tx, sizeof tx), 0);
    memset(tx, 0xEE, sizeof tx);
    int r;
    while ((r = dwc2_async_poll(&a, NULL, 0, &actual)) == DWC2_IN_PROGRESS) {
    }
    assert_int_equal(r, 0);
    assert_int_equal(actual, sizeof sent);
    assert_int_equal(out->out_len, sizeof sent);
    assert_memory_equal(out->out_data, sent, sizeof sent);

    /* Errors end the transfer and free the channel. */
    fake_dwc2_script(in, FAKE_DWC2_STALL, 1);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, 512), 0);
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), -DWC2_ESTALL);
    assert_false(dwc2_async_busy(&a));
    assert_int_equal(actual, 0);

    /* An interrupt endpoint with nothing to say. */
    struct fake_dwc2_ep *intr = fake_dwc2_ep(&m, DEV, 3, true);
    fake_dwc2_script(intr, FAKE_DWC2_NAK, 1);
    struct usb_pipe pintr = {
        .dev_addr = DEV, .ep_num = 3, .ep_type = USB_EP_TYPE_INTR, .in = true, .mps = 16, .speed = USB_SPEED_HIGH
    };
    assert_int_equal(dwc2_async_submit(&a, &pintr, NULL, 16), 0);
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), -DWC2_ENAK);
    assert_false(dwc2_async_busy(&a));
    assert_int_equal(pintr.toggle, 0);
}

static void test_async_channels_and_cancel(void **state)
{
    (void)state;
    bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&m, DEV, 1, true);
    fake_dwc2_script(in, FAKE_DWC2_NAK, FAKE_DWC2_FOREVER);
    struct usb_pipe pipes[FAKE_DWC2_CHANNELS];
    struct usb_async a[FAKE_DWC2_CHANNELS] = { 0 };
    uint8_t buf[512];
    size_t actual;

    /* Every channel but 0, each once. */
    bool used[FAKE_DWC2_CHANNELS] = { false };
    for (unsigned i = 0; i + 1 < FAKE_DWC2_CHANNELS; i++) {
        pipes[i] = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        assert_int_equal(dwc2_async_submit(&a[i], &pipes[i], NULL, sizeof buf), 0);
        assert_true(a[i].chan > 0 && !used[a[i].chan]);
        used[a[i].chan] = true;
    }
    pipes[7] = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    assert_int_equal(dwc2_async_submit(&a[7], &pipes[7], NULL, sizeof buf), -DWC2_EBUSY);
    assert_int_equal(dwc2_async_poll(&a[0], buf, sizeof buf, &actual), DWC2_IN_PROGRESS);

    /* Cancel halts the channel (CHDIS with CHENA) and frees it for the next submit. */
    unsigned ch = (unsigned)a[3].chan;
    dwc2_async_cancel(&a[3]);
    assert_false(dwc2_async_busy(&a[3]));
    assert_int_equal(m.ch[ch].halts, 1);
    assert_false(m.ch[ch].enabled);
    assert_int_equal(dwc2_async_poll(&a[3], buf, sizeof buf, &actual), -DWC2_EINVAL);
    assert_int_equal(dwc2_async_submit(&a[7], &pipes[7], NULL, sizeof buf), 0);
    assert_int_equal(a[7].chan, (int8_t)ch);

    /* Cancelling an idle transfer touches nothing. */
    size_t accesses = fake_mmio_log_count();
    dwc2_async_cancel(&a[3]);
    dwc2_async_cancel(NULL);
    assert_int_equal(fake_mmio_log_count(), accesses);

    /* A channel that does not halt when told to is given up after a bounded wait, but not programmed again while
     * the core still has it enabled (the model counts that as a violation); once it is disabled, it is free. */
    ch = (unsigned)a[0].chan;
    m.ch[ch].ignore_halt = true;
    uint64_t start = fake_systimer_peek();
    dwc2_async_cancel(&a[0]);
    assert_false(dwc2_async_busy(&a[0]));
    assert_true(fake_systimer_peek() - start <= 20000u);
    struct usb_async late = { 0 };
    struct usb_pipe late_pipe = bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    assert_int_equal(dwc2_async_submit(&late, &late_pipe, NULL, sizeof buf), -DWC2_EBUSY);
    m.ch[ch].ignore_halt = false;
    fake_dwc2_halt_late(&m, ch);
    assert_int_equal(dwc2_async_submit(&late, &late_pipe, NULL, sizeof buf), 0);
    assert_int_equal(late.chan, (int8_t)ch);
    dwc2_async_cancel(&late);

    for (unsigned i = 1; i < FAKE_DWC2_CHANNELS; i++) {
        dwc2_async_cancel(&a[i]);
    }
    for (unsigned c = 1; c < FAKE_DWC2_CHANNELS; c++) {
        assert_false(m.ch[c].enabled);
    }
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    const char *unknown = dwc2_strerror(-1000);
    for (int err = -DWC2_EINVAL; err >= -DWC2_EHALT; err--) {
        assert_string_not_equal(dwc2_strerror(err), unknown);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_accepts_pi_and_qemu_cores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_refuses_other_cores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_timeouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_halts_a_channel_left_enabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_reset_and_speed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_reset_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_phy_settle_and_ahb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_data_waits_for_axi_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_ok_follows_unplug_and_overcurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_out_and_no_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_nak_stall_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_in_packets_and_short_packets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_out_packets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nak_retried_until_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_answer_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_per_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xacterr_in_the_middle_of_a_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_keeps_the_packets_that_went_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channel_characteristics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_submit_and_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_halt_raises_the_interrupt_until_polled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_poll_held_lends_the_dma_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_channels_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strerror_names_every_code, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
