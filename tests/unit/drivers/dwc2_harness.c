/*
 * dwc2_harness.c - the model, setup and helpers test_usb_dwc2 and test_usb_dwc2_errors share (dwc2_harness.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dwc2_harness.h"
#include "fake_dma.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

struct fake_dwc2 dwc2_harness_model;

int dwc2_harness_setup(void **state)
{
    (void)state;
    fake_systimer_reset();
    fake_dma_reset();
    fake_dwc2_init(&dwc2_harness_model);
    return 0;
}

int dwc2_harness_teardown(void **state)
{
    (void)state;
    const char *fault = fake_dwc2_fault(&dwc2_harness_model);
    if (fault != NULL) {
        fail_msg("%s", fault);
    }
    assert_int_equal(fake_mmio_fence_violations(), 0);
    return 0;
}

void dwc2_harness_bring_up(enum fake_dwc2_speed speed)
{
    dwc2_harness_model.device = true;
    dwc2_harness_model.speed = speed;
    assert_int_equal(dwc2_init(FAKE_DWC2_BASE, DWC2_HARNESS_BUS_ALIAS), 0);
    enum usb_speed got;
    assert_int_equal(dwc2_port_reset(DWC2_HARNESS_TIMEOUT_US, &got), 0);
    assert_int_equal(got, speed);
}

struct usb_pipe dwc2_harness_bulk_pipe(uint8_t ep_num, bool in, uint16_t mps, enum usb_speed speed)
{
    return (struct usb_pipe){ .dev_addr = DWC2_HARNESS_DEV,
                              .ep_num = ep_num,
                              .ep_type = USB_EP_TYPE_BULK,
                              .in = in,
                              .mps = mps,
                              .speed = (uint8_t)speed };
}

void dwc2_harness_fill(uint8_t *buf, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed + i * 7u);
    }
}
