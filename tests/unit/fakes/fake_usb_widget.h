/*
 * fake_usb_widget.h - a plain vendor-class USB device and the class driver that binds to it, for host tests of
 * the USB core and the hub driver: the device's descriptors (for tests/unit/fakes/fake_usb_dev) and a driver that
 * records every probe, poll and remove the core makes.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_USB_WIDGET_H
#define TESTS_UNIT_FAKES_FAKE_USB_WIDGET_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/usb_core.h"

#define FAKE_USB_WIDGET_VENDOR   0x1234u
#define FAKE_USB_WIDGET_PRODUCT  0x5678u
#define FAKE_USB_WIDGET_CONFIG   3u /* its configuration's bConfigurationValue */
#define FAKE_USB_WIDGET_IPRODUCT 2u /* its product string's index */

/* Vendor class at the interface, 1234:5678, ep0 64 bytes, iProduct 2, one configuration. */
extern const uint8_t fake_usb_widget_device[18];
/* Configuration 3: one vendor interface (ff/01) with a bulk IN endpoint. */
extern const uint8_t fake_usb_widget_config[25];

/* What the core told the driver. */
struct fake_usb_widget_log {
    int probe_result; /* what probe returns (set by the test) */
    unsigned probes, polls, removes;
    struct usb_device *probed; /* the last device probed, and its interface */
    struct usb_interface_desc intf;
    struct usb_device *removed[USB_MAX_DEVICES]; /* in the order of the removes */
};
extern struct fake_usb_widget_log fake_usb_widget;

/* Binds to 1234:5678 with the callbacks below, which record into fake_usb_widget (a test may build drivers with
 * other ids from them); fake_usb_widget_reset() clears the record. */
extern const struct usb_driver fake_usb_widget_driver;
int fake_usb_widget_probe(struct usb_device *d, const struct usb_interface_desc *intf);
void fake_usb_widget_poll(struct usb_device *d);
void fake_usb_widget_remove(struct usb_device *d);
void fake_usb_widget_reset(void);

#endif /* TESTS_UNIT_FAKES_FAKE_USB_WIDGET_H */
