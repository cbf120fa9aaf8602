/*
 * dwc2_harness.h - what test_usb_dwc2 and test_usb_dwc2_errors share: the register-level model of the core
 * (struct fake_dwc2) the driver runs against, the cmocka setup and teardown around it, and small pipe and buffer
 * helpers. Teardown fails the test when the model saw the driver break a rule of the core or of the fences.
 */
#ifndef TESTS_UNIT_DRIVERS_DWC2_HARNESS_H
#define TESTS_UNIT_DRIVERS_DWC2_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/dwc2.h"
#include "fake_dwc2.h"

/* The bus alias the driver gives the core for DMA addresses, as on the Pi. */
#define DWC2_HARNESS_BUS_ALIAS  0xC0000000u
#define DWC2_HARNESS_REG(off)   (FAKE_DWC2_BASE + (off))
#define DWC2_HARNESS_TIMEOUT_US 100000u
/* The device address the tests' pipes use. */
#define DWC2_HARNESS_DEV 3u

extern struct fake_dwc2 dwc2_harness_model;

/* cmocka setup and teardown: a fresh model, timer and DMA log; teardown checks the model's faults and fences. */
int dwc2_harness_setup(void **state);
int dwc2_harness_teardown(void **state);

/* Core up, a device of the given speed on the root port, reset and enabled. */
void dwc2_harness_bring_up(enum fake_dwc2_speed speed);
/* A bulk pipe to DWC2_HARNESS_DEV. */
struct usb_pipe dwc2_harness_bulk_pipe(uint8_t ep_num, bool in, uint16_t mps, enum usb_speed speed);
/* A recognisable pattern from seed. */
void dwc2_harness_fill(uint8_t *buf, size_t len, uint8_t seed);

#endif /* TESTS_UNIT_DRIVERS_DWC2_HARNESS_H */
