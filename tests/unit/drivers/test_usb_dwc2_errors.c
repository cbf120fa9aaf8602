/* Unit tests for drivers/usb/dwc2, on the register-level model of the core (tests/unit/fakes/fake_dwc2), for what
 * QEMU's model never does: NAKs, STALL, transaction errors, babble, toggle errors, devices that never answer, the
 * channel characteristics and split transactions; and the asynchronous API the network drivers use. Init, the root
 * port, and control and bulk transfers that go well are in test_usb_dwc2.c; the setup both share is dwc2_harness.c.
 *
 * The model's endpoints keep their own DATA0/DATA1 state, and teardown fails a test in which the driver sent a
 * wrong PID or broke a rule of the core (see struct fake_dwc2). Built -no-pie (see usb_dwc2.mk) so the driver's DMA
 * buffers have 32-bit bus addresses. */
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

/* ---- NAK, timeouts, errors ---- */

static void test_nak_retried_until_ack(void **state)
{
    (void)state;
    dwc2_harness_bring_up(FAKE_DWC2_FULL);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
    struct fake_dwc2_ep *out = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 2, false);
    uint8_t data[150], buf[256];
    dwc2_harness_fill(data, sizeof data, 9);
    size_t actual;

    fake_dwc2_script(in, FAKE_DWC2_NAK, 5);
    fake_dwc2_set_in(in, data, 100);
    struct usb_pipe pin = dwc2_harness_bulk_pipe(1, true, 64, USB_SPEED_FULL);
    unsigned enables = dwc2_harness_model.ch[0].enables;
    assert_int_equal(dwc2_transfer(&pin, buf, sizeof buf, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
    assert_int_equal(actual, 100);
    assert_memory_equal(buf, data, 100);
    assert_int_equal(fake_dwc2_count(&dwc2_harness_model, 0, FAKE_DWC2_NAK), 5);
    assert_int_equal(dwc2_harness_model.ch[0].enables - enables, 1); /* the core retried, not the driver */
    assert_int_equal(pin.toggle, 0);                                 /* two packets */

    /* NAKs between the packets of an OUT transfer. */
    fake_dwc2_script(out, FAKE_DWC2_ACK, 1);
    fake_dwc2_script(out, FAKE_DWC2_NAK, 3);
    struct usb_pipe pout = dwc2_harness_bulk_pipe(2, false, 64, USB_SPEED_FULL);
    assert_int_equal(dwc2_transfer(&pout, data, sizeof data, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
    assert_int_equal(out->out_len, sizeof data);
    assert_memory_equal(out->out_data, data, sizeof data);
    assert_int_equal(fake_dwc2_count(&dwc2_harness_model, 0, FAKE_DWC2_NAK), 8);

    /* An interrupt endpoint's NAK halts the channel and means "nothing to report". */
    struct fake_dwc2_ep *intr = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 3, true);
    fake_dwc2_script(intr, FAKE_DWC2_NAK, 1);
    struct usb_pipe pintr = { .dev_addr = DWC2_HARNESS_DEV,
                              .ep_num = 3,
                              .ep_type = USB_EP_TYPE_INTR,
                              .in = true,
                              .mps = 8,
                              .speed = USB_SPEED_FULL };
    assert_int_equal(dwc2_transfer(&pintr, buf, 8, &actual, DWC2_HARNESS_TIMEOUT_US), -DWC2_ENAK);
    assert_int_equal(pintr.toggle, 0);
    assert_false(dwc2_harness_model.ch[0].enabled);
    fake_dwc2_set_in(intr, data, 1);
    assert_int_equal(dwc2_transfer(&pintr, buf, 8, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
    assert_int_equal(actual, 1);
    assert_int_equal(pintr.toggle, 1);
}

static void test_no_answer_times_out(void **state)
{
    static const enum fake_dwc2_answer answers[] = { FAKE_DWC2_NAK, FAKE_DWC2_SILENT };
    for (size_t i = 0; i < 2; i++) {
        dwc2_harness_setup(state);
        dwc2_harness_bring_up(FAKE_DWC2_HIGH);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
        fake_dwc2_script(ep, answers[i], FAKE_DWC2_FOREVER);
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        pipe.toggle = 1;
        uint8_t buf[512];
        size_t actual = 99;
        fake_systimer_set_step(100);
        uint64_t start = fake_systimer_peek();
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, 20000u), -DWC2_ETIMEDOUT);
        uint64_t took = fake_systimer_peek() - start;
        assert_true(took >= 20000u && took <= 21000u);
        assert_int_equal(actual, 0);
        assert_int_equal(dwc2_harness_model.ch[0].halts, 1); /* halted before giving the channel back */
        assert_false(dwc2_harness_model.ch[0].enabled);
        assert_int_equal(pipe.toggle, 1);

        /* The channel works again once the device answers. */
        ep->script_len = ep->script_pos = 0;
        ep->toggle = 1;
        static const uint8_t frame[3] = { 1, 2, 3 };
        fake_dwc2_set_in(ep, frame, 3);
        assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, 20000u), 0);
        assert_int_equal(actual, 3);
        assert_int_equal(pipe.toggle, 0);
        dwc2_harness_teardown(state);
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
        dwc2_harness_setup(state);
        dwc2_harness_bring_up(FAKE_DWC2_HIGH);
        uint8_t ep_num = cases[i].in ? 1 : 2;
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, ep_num, cases[i].in);
        fake_dwc2_script(ep, cases[i].answer, cases[i].times);
        uint8_t data[100], buf[512];
        dwc2_harness_fill(data, sizeof data, (uint8_t)i);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(ep_num, cases[i].in, 512, USB_SPEED_HIGH);
        size_t actual = 99;
        size_t first = dwc2_harness_model.log_count;
        int err = dwc2_transfer(&pipe, cases[i].in ? buf : data, cases[i].in ? sizeof buf : sizeof data, &actual,
                                DWC2_HARNESS_TIMEOUT_US);
        if (err != cases[i].err) {
            fail_msg("case %zu: %s, want %s", i, dwc2_strerror(err), dwc2_strerror(cases[i].err));
        }
        assert_int_equal(dwc2_harness_model.log_count - first, cases[i].xacts);
        assert_false(dwc2_harness_model.ch[0].enabled);
        if (err == 0) {
            assert_int_equal(actual, sizeof data);
            assert_memory_equal(cases[i].in ? buf : ep->out_data, data, sizeof data);
            assert_int_equal(pipe.toggle, 1);
        } else {
            assert_int_equal(actual, 0);
            assert_int_equal(pipe.toggle, 0);
        }
        dwc2_harness_teardown(state);
    }
}

/* A new model with a high-speed device on the root port and its bulk endpoint ep_num. */
static struct fake_dwc2_ep *fresh_bulk_endpoint(void **state, uint8_t ep_num, bool in)
{
    dwc2_harness_setup(state);
    dwc2_harness_bring_up(FAKE_DWC2_HIGH);
    return fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, ep_num, in);
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
        dwc2_harness_fill(data, sizeof data, 0x33);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(ep_num, in, 512, USB_SPEED_HIGH);
        size_t actual = 0;
        int err =
            dwc2_transfer(&pipe, in ? buf : data, in ? sizeof buf : sizeof data, &actual, DWC2_HARNESS_TIMEOUT_US);
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
        dwc2_harness_teardown(state);
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
        dwc2_harness_fill(data, sizeof data, 0x5A);
        fake_dwc2_set_in(ep, data, sizeof data);
        struct usb_pipe pipe = dwc2_harness_bulk_pipe(ep_num, in, 256, USB_SPEED_HIGH);
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
        assert_int_equal(
            dwc2_transfer(&pipe, in ? buf : data + 3 * 256, in ? sizeof buf : rest, &actual, DWC2_HARNESS_TIMEOUT_US),
            0);
        assert_int_equal(actual, rest);
        if (in) {
            assert_memory_equal(buf, data + 3 * 256, rest);
        } else {
            assert_memory_equal(ep->out_data, data, sizeof data);
        }
        dwc2_harness_teardown(state);
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
        dwc2_harness_setup(state);
        dwc2_harness_bring_up(cases[i].speed);
        fake_mmio_set(DWC2_HARNESS_REG(DWC2_HFNUM), cases[i].hfnum);
        struct fake_dwc2_ep *ep = fake_dwc2_ep(&dwc2_harness_model, cases[i].dev, cases[i].ep, cases[i].in);
        static const uint8_t one[1] = { 0x5A };
        fake_dwc2_set_in(ep, one, 1);
        struct usb_pipe pipe = { .dev_addr = cases[i].dev,
                                 .ep_num = cases[i].ep,
                                 .ep_type = cases[i].type,
                                 .in = cases[i].in,
                                 .mps = cases[i].mps,
                                 .speed = (uint8_t)cases[i].speed };
        uint8_t buf[16] = { 0x5A };
        size_t first = dwc2_harness_model.log_count;
        assert_int_equal(dwc2_transfer(&pipe, buf, 1, NULL, DWC2_HARNESS_TIMEOUT_US), 0);
        assert_int_equal(dwc2_harness_model.log_count - first, 1);
        /* Databook layout: MPS 10:0, EPNum 14:11, EPDir 15, LSpdDev 17, EPType 19:18, MC 21:20, DevAddr 28:22,
         * OddFrm 29 (periodic only: the frame after the current one), ChEna 31. */
        bool periodic = cases[i].type == USB_EP_TYPE_INTR;
        uint32_t want = cases[i].mps | ((uint32_t)cases[i].ep << 11) | (cases[i].in ? 1u << 15 : 0) |
                        (cases[i].speed == FAKE_DWC2_LOW ? 1u << 17 : 0) | ((uint32_t)cases[i].type << 18) |
                        (1u << 20) | ((uint32_t)cases[i].dev << 22) |
                        (periodic && (cases[i].hfnum & 1u) == 0 ? 1u << 29 : 0) | (1u << 31);
        const struct fake_dwc2_xact *x = &dwc2_harness_model.log[first];
        if (x->hcchar != want) {
            fail_msg("case %zu: HCCHAR %08x, want %08x", i, x->hcchar, want);
        }
        assert_int_equal(x->dev_addr, cases[i].dev);
        assert_int_equal(x->ep_num, cases[i].ep);
        assert_int_equal(x->in, cases[i].in);
        assert_int_equal(x->mps, cases[i].mps);
        assert_int_equal(x->ep_type, cases[i].type);
        assert_int_equal(x->hcsplt, 0);
        dwc2_harness_teardown(state);
    }
}

/* A full-speed device behind a high-speed hub's transaction translator: start-split, complete-split until the
 * hub has the answer. */
static void test_split_transactions(void **state)
{
    (void)state;
    dwc2_harness_bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *ep = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
    fake_dwc2_script(ep, FAKE_DWC2_ACK, 1);  /* the hub accepts the start-split */
    fake_dwc2_script(ep, FAKE_DWC2_NYET, 2); /* no answer from the device yet */
    fake_dwc2_script(ep, FAKE_DWC2_ACK, 2);  /* the first packet; the hub takes the next start-split */
    fake_dwc2_script(ep, FAKE_DWC2_NAK, 1);  /* the device NAKs the second packet: start over */
    uint8_t data[100], buf[128];
    dwc2_harness_fill(data, sizeof data, 0x21);
    fake_dwc2_set_in(ep, data, sizeof data);
    struct usb_pipe pipe = dwc2_harness_bulk_pipe(1, true, 64, USB_SPEED_FULL);
    pipe.tt_hub_addr = 2;
    pipe.tt_port = 3;
    size_t actual = 0;
    size_t first = dwc2_harness_model.log_count;
    assert_int_equal(dwc2_transfer(&pipe, buf, sizeof buf, &actual, DWC2_HARNESS_TIMEOUT_US), 0);
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
    assert_int_equal(dwc2_harness_model.log_count - first, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct fake_dwc2_xact *x = &dwc2_harness_model.log[first + i];
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
    dwc2_harness_bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
    uint8_t first[300], second[200];
    dwc2_harness_fill(first, sizeof first, 0x11);
    dwc2_harness_fill(second, sizeof second, 0x22);
    fake_dwc2_set_in(in, first, sizeof first);
    struct usb_pipe pin = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
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
    struct usb_pipe pout = dwc2_harness_bulk_pipe(2, false, 512, USB_SPEED_HIGH);
    fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 2, false);
    assert_int_equal(dwc2_async_submit(&a, &pout, first, 60), 0);
    assert_int_equal(dwc2_async_poll_held(&a, &data, &actual), -DWC2_EINVAL);
    dwc2_async_cancel(&a);
}

/* A high-speed device whose bulk IN endpoint 1 NAKs naks times, then sends frame (filled from seed); *pin is its
 * pipe. */
static struct fake_dwc2_ep *async_frame_after_naks(uint8_t *frame, size_t len, uint8_t seed, uint32_t naks,
                                                   struct usb_pipe *pin)
{
    dwc2_harness_bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
    dwc2_harness_fill(frame, len, seed);
    fake_dwc2_script(in, FAKE_DWC2_NAK, naks);
    fake_dwc2_set_in(in, frame, len);
    *pin = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    return in;
}

/* The interrupt that wakes the board: raised when the armed receive channel halts with a frame, not by the NAKs the
 * core retries meanwhile, and gone once the driver's poll has taken the frame (HCINT acknowledged). */
static void test_async_halt_raises_the_interrupt_until_polled(void **state)
{
    (void)state;
    uint8_t frame[100], buf[1600];
    struct usb_pipe pin;
    struct fake_dwc2_ep *in = async_frame_after_naks(frame, sizeof frame, 0x5A, 2, &pin);
    struct usb_async a = { 0 };
    size_t actual = 0;

    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    unsigned ch = (unsigned)a.chan;
    uintptr_t hcint = DWC2_HARNESS_REG(DWC2_HC(ch, DWC2_HCINT));
    /* The core works on its own; in the model a channel moves when its HCINT is read. */
    for (int i = 0; i < 2; i++) {
        assert_false(mmio_read32(hcint) & DWC2_HCINT_CHHLTD);
        assert_false(fake_dwc2_irq(&dwc2_harness_model)); /* a NAK the core retries wakes no one */
    }
    assert_true(mmio_read32(hcint) & DWC2_HCINT_CHHLTD);
    assert_true(fake_dwc2_irq(&dwc2_harness_model));
    assert_int_equal(mmio_read32(DWC2_HARNESS_REG(DWC2_HAINT)), 1u << ch);
    assert_true(fake_dwc2_irq(&dwc2_harness_model)); /* level: reading does not clear it */

    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), 0);
    assert_int_equal(actual, sizeof frame);
    assert_false(fake_dwc2_irq(&dwc2_harness_model));
    assert_int_equal(mmio_read32(DWC2_HARNESS_REG(DWC2_HAINT)), 0);

    /* A failed transfer raises it as well, and its poll acknowledges it the same way. */
    fake_dwc2_script(in, FAKE_DWC2_STALL, 1);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    assert_true(mmio_read32(DWC2_HARNESS_REG(DWC2_HC((unsigned)a.chan, DWC2_HCINT))) & DWC2_HCINT_CHHLTD);
    assert_true(fake_dwc2_irq(&dwc2_harness_model));
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), -DWC2_ESTALL);
    assert_false(fake_dwc2_irq(&dwc2_harness_model));
}

static void test_async_submit_and_poll(void **state)
{
    (void)state;
    uint8_t frame[1300], buf[1600];
    struct usb_pipe pin;
    struct fake_dwc2_ep *in = async_frame_after_naks(frame, sizeof frame, 0x77, 3, &pin);
    struct usb_async a = { 0 };
    size_t actual = 99;

    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    assert_true(dwc2_async_busy(&a));
    assert_int_not_equal(a.chan, 0); /* channel 0 is the blocking calls' */
    unsigned ch = (unsigned)a.chan;
    assert_true(dwc2_harness_model.ch[ch].enabled);
    assert_int_equal(dwc2_harness_model.ch[0].enables, 0);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), -DWC2_EINVAL); /* already active */

    /* Three NAKs and two full packets: in progress five times, then the frame. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), DWC2_IN_PROGRESS);
    }
    /* A blocking transfer meanwhile uses channel 0 without disturbing the armed one. */
    struct fake_dwc2_ep *out = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 2, false);
    struct usb_pipe pout = dwc2_harness_bulk_pipe(2, false, 512, USB_SPEED_HIGH);
    assert_int_equal(dwc2_transfer(&pout, frame, 60, NULL, DWC2_HARNESS_TIMEOUT_US), 0);
    assert_int_equal(out->out_len, 60);
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), 0);
    assert_int_equal(actual, sizeof frame);
    assert_memory_equal(buf, frame, sizeof frame);
    assert_false(dwc2_async_busy(&a));
    assert_int_equal(pin.toggle, 1);
    assert_int_equal(dwc2_harness_model.ch[ch].enables, 1);
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), -DWC2_EINVAL);

    /* A caller buffer smaller than the frame gets what fits. */
    fake_dwc2_set_in(in, frame, 100);
    assert_int_equal(dwc2_async_submit(&a, &pin, NULL, sizeof buf), 0);
    assert_int_equal(dwc2_async_poll(&a, buf, 40, &actual), 0);
    assert_int_equal(actual, 40);
    assert_int_equal(pin.toggle, 0);

    /* OUT data is copied at submit: the caller may reuse its buffer at once. */
    uint8_t tx[700];
    dwc2_harness_fill(tx, sizeof tx, 0x10);
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
    struct fake_dwc2_ep *intr = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 3, true);
    fake_dwc2_script(intr, FAKE_DWC2_NAK, 1);
    struct usb_pipe pintr = { .dev_addr = DWC2_HARNESS_DEV,
                              .ep_num = 3,
                              .ep_type = USB_EP_TYPE_INTR,
                              .in = true,
                              .mps = 16,
                              .speed = USB_SPEED_HIGH };
    assert_int_equal(dwc2_async_submit(&a, &pintr, NULL, 16), 0);
    assert_int_equal(dwc2_async_poll(&a, buf, sizeof buf, &actual), -DWC2_ENAK);
    assert_false(dwc2_async_busy(&a));
    assert_int_equal(pintr.toggle, 0);
}

static void test_async_channels_and_cancel(void **state)
{
    (void)state;
    dwc2_harness_bring_up(FAKE_DWC2_HIGH);
    struct fake_dwc2_ep *in = fake_dwc2_ep(&dwc2_harness_model, DWC2_HARNESS_DEV, 1, true);
    fake_dwc2_script(in, FAKE_DWC2_NAK, FAKE_DWC2_FOREVER);
    struct usb_pipe pipes[FAKE_DWC2_CHANNELS];
    struct usb_async a[FAKE_DWC2_CHANNELS] = { 0 };
    uint8_t buf[512];
    size_t actual;

    /* Every channel but 0, each once. */
    bool used[FAKE_DWC2_CHANNELS] = { false };
    for (unsigned i = 0; i + 1 < FAKE_DWC2_CHANNELS; i++) {
        pipes[i] = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
        assert_int_equal(dwc2_async_submit(&a[i], &pipes[i], NULL, sizeof buf), 0);
        assert_true(a[i].chan > 0 && !used[a[i].chan]);
        used[a[i].chan] = true;
    }
    pipes[7] = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    assert_int_equal(dwc2_async_submit(&a[7], &pipes[7], NULL, sizeof buf), -DWC2_EBUSY);
    assert_int_equal(dwc2_async_poll(&a[0], buf, sizeof buf, &actual), DWC2_IN_PROGRESS);

    /* Cancel halts the channel (CHDIS with CHENA) and frees it for the next submit. */
    unsigned ch = (unsigned)a[3].chan;
    dwc2_async_cancel(&a[3]);
    assert_false(dwc2_async_busy(&a[3]));
    assert_int_equal(dwc2_harness_model.ch[ch].halts, 1);
    assert_false(dwc2_harness_model.ch[ch].enabled);
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
    dwc2_harness_model.ch[ch].ignore_halt = true;
    uint64_t start = fake_systimer_peek();
    dwc2_async_cancel(&a[0]);
    assert_false(dwc2_async_busy(&a[0]));
    assert_true(fake_systimer_peek() - start <= 20000u);
    struct usb_async late = { 0 };
    struct usb_pipe late_pipe = dwc2_harness_bulk_pipe(1, true, 512, USB_SPEED_HIGH);
    assert_int_equal(dwc2_async_submit(&late, &late_pipe, NULL, sizeof buf), -DWC2_EBUSY);
    dwc2_harness_model.ch[ch].ignore_halt = false;
    fake_dwc2_halt_late(&dwc2_harness_model, ch);
    /* Its late halt does not raise the interrupt (it would end every idle sleep until a submit reclaims it). */
    assert_false(fake_dwc2_irq(&dwc2_harness_model));
    assert_int_equal(dwc2_async_submit(&late, &late_pipe, NULL, sizeof buf), 0);
    assert_int_equal(late.chan, (int8_t)ch);
    /* Reclaimed, it reports its halts again. */
    assert_int_equal(fake_mmio_get(DWC2_HARNESS_REG(DWC2_HC(ch, DWC2_HCINTMSK))), DWC2_HCINT_CHHLTD);
    dwc2_async_cancel(&late);

    for (unsigned i = 1; i < FAKE_DWC2_CHANNELS; i++) {
        dwc2_async_cancel(&a[i]);
    }
    for (unsigned c = 1; c < FAKE_DWC2_CHANNELS; c++) {
        assert_false(dwc2_harness_model.ch[c].enabled);
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
        cmocka_unit_test_setup_teardown(test_nak_retried_until_ack, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_no_answer_times_out, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_errors_per_answer, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_xacterr_in_the_middle_of_a_transfer, dwc2_harness_setup,
                                        dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_keeps_the_packets_that_went_through, dwc2_harness_setup,
                                        dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_channel_characteristics, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_split_transactions, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_async_submit_and_poll, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_async_halt_raises_the_interrupt_until_polled, dwc2_harness_setup,
                                        dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_async_poll_held_lends_the_dma_buffer, dwc2_harness_setup,
                                        dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_async_channels_and_cancel, dwc2_harness_setup, dwc2_harness_teardown),
        cmocka_unit_test_setup_teardown(test_strerror_names_every_code, dwc2_harness_setup, dwc2_harness_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
