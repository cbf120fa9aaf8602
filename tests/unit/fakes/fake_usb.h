/*
 * fake_usb.h - the transfer half of drivers/usb/usb_core.h for host tests of class drivers: instead of a host
 * controller, every control request and bulk/interrupt transfer goes to a scripted device model the test supplies.
 * Bulk IN that the model has no data for stays "in progress", as a NAKing endpoint does on the real bus.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_USB_H
#define TESTS_UNIT_FAKES_FAKE_USB_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/usb_core.h"

struct fake_usb_model {
    /* A control request; data is the OUT data or room for IN data. Return 0 (and *actual for IN) or -USB_E*. */
    int (*control)(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual);
    /* Data to an OUT endpoint (ep number without direction bit). Return 0 or -USB_E*. */
    int (*out)(void *ctx, uint8_t ep, const uint8_t *data, size_t len);
    /* Data from an IN endpoint: fill buf (size bytes at most), set *actual, return 0; -USB_ENAK when none. */
    int (*in)(void *ctx, uint8_t ep, uint8_t *buf, size_t size, size_t *actual);
};

/* Installs the model and returns a device (addressed, high speed) whose configuration buffer holds config. */
struct usb_device *fake_usb_attach(const struct fake_usb_model *model, void *ctx, const uint8_t *config,
                                   size_t config_len);

/* Number of control requests seen since fake_usb_attach(). */
size_t fake_usb_control_count(void);

#endif /* TESTS_UNIT_FAKES_FAKE_USB_H */
