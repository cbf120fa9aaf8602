/*
 * fake_usb_dev.h - a USB device's chapter 9 side for the register-level DWC2 model (tests/unit/fakes/fake_dwc2), so
 * host tests of the USB core, the hub driver and the whole stack put whole devices on the modelled bus.
 *
 * The device answers GET_DESCRIPTOR from its device, configuration and string descriptors (truncated to wLength,
 * as a device does), accepts SET_ADDRESS (fake_dwc2 moves the device to the new address after the status stage),
 * SET_CONFIGURATION with one of its configuration values and CLEAR_FEATURE(ENDPOINT_HALT) (the endpoint's toggle
 * back to DATA0), and records every request with the address it arrived at. The test's handler (optional) sees
 * each request first: it answers class and vendor requests, refuses or falsifies any request, or passes it on
 * (FAKE_USB_DEV_PASS). A request nobody answers is STALLed. As with fake_dwc2_request_fn, IN requests are seen
 * when their SETUP arrives and OUT requests at their status stage, with the data stage's bytes (actual NULL); a
 * negative answer STALLs the request.
 *
 * Buffers (descriptors, the product string) are the test's and must outlive the device.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_USB_DEV_H
#define TESTS_UNIT_FAKES_FAKE_USB_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_dwc2.h"

#define FAKE_USB_DEV_CONFIGS 4u
#define FAKE_USB_DEV_LOG     256u
/* A handler's "not mine": the device answers the request itself. */
#define FAKE_USB_DEV_PASS 1

/* One request as the device saw it. */
struct fake_usb_dev_request {
    uint8_t setup[8];
    uint8_t addr;   /* the device's address when the request arrived */
    uint64_t at_us; /* fake time */
};

struct fake_usb_dev {
    /* Set by the test (fake_usb_dev_init fills the first two). */
    const uint8_t *device;                        /* 18-byte device descriptor */
    const uint8_t *configs[FAKE_USB_DEV_CONFIGS]; /* configuration descriptors by index, wTotalLength long */
    size_t config_len[FAKE_USB_DEV_CONFIGS];
    unsigned config_count;
    const char *product;          /* string descriptor iProduct (ASCII), NULL: none */
    fake_dwc2_request_fn handler; /* see above; NULL: none */
    void *handler_ctx;
    /* Set by the model. */
    struct fake_dwc2 *m;
    unsigned index;        /* the fake_dwc2 device index */
    uint8_t configuration; /* last SET_CONFIGURATION value accepted */
    struct fake_usb_dev_request log[FAKE_USB_DEV_LOG];
    size_t requests; /* requests seen (the log keeps the first ones) */
};

/* The start of a test that puts devices on the modelled bus: the fake clock reset (each read advancing it by
 * clock_step_us), the DMA record cleared, the DWC2 model initialised with its register log recycled (such tests
 * run seconds of fake time and check the bus, not the register log). */
void fake_usb_dev_bus_init(struct fake_dwc2 *m, uint64_t clock_step_us);

/* Brings the host controller up on the model (once: when the model is not in host mode yet) and resets the root
 * port, as the board does before it enumerates what is there; *speed gets the port's speed for
 * usb_core_enumerate(). Returns the controller's result (0 when a device answered the reset). */
int fake_usb_dev_reset_root(struct fake_dwc2 *m, uint8_t *speed);

/* A device with the given device descriptor and no configuration yet. */
void fake_usb_dev_init(struct fake_usb_dev *d, const uint8_t device[18]);
/* Adds the next configuration descriptor (index config_count). */
void fake_usb_dev_add_config(struct fake_usb_dev *d, const uint8_t *config, size_t len);

/* Plugs the device into the root port from connect_at_us (fake_dwc2_attach_device), or places it behind a hub's
 * port (fake_dwc2_add_device: unreachable until the hub model resets its port). Return the fake_dwc2 index. */
unsigned fake_usb_dev_attach(struct fake_dwc2 *m, struct fake_usb_dev *d, uint64_t connect_at_us);
unsigned fake_usb_dev_add(struct fake_dwc2 *m, struct fake_usb_dev *d);

/* Requests seen with this bmRequestType and bRequest. */
size_t fake_usb_dev_count(const struct fake_usb_dev *d, uint8_t req_type, uint8_t request);
/* The n-th logged request with this bmRequestType and bRequest, NULL when there are fewer. */
const struct fake_usb_dev_request *fake_usb_dev_find(const struct fake_usb_dev *d, uint8_t req_type, uint8_t request,
                                                     size_t n);

#endif /* TESTS_UNIT_FAKES_FAKE_USB_DEV_H */
