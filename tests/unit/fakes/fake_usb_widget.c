#include "fake_usb_widget.h"

#include <string.h>

/* clang-format off */
const uint8_t fake_usb_widget_device[18] = {
    18, 1, 0x00, 0x02, 0x00, 0x00, 0x00, 64, 0x34, 0x12, 0x78, 0x56, 0x00, 0x01, 0, FAKE_USB_WIDGET_IPRODUCT, 0, 1,
};
/* clang-format on */
/* clang-format off */
const uint8_t fake_usb_widget_config[25] = {
    9, 2, 25, 0, 1, FAKE_USB_WIDGET_CONFIG, 0, 0x80, 50,
    9, 4, 0, 0, 1, 0xff, 0x01, 0x00, 0,
    7, 5, 0x81, 0x02, 0x00, 0x02, 0,
};
/* clang-format on */

struct fake_usb_widget_log fake_usb_widget;

void fake_usb_widget_reset(void)
{
    memset(&fake_usb_widget, 0, sizeof fake_usb_widget);
}

int fake_usb_widget_probe(struct usb_device *d, const struct usb_interface_desc *intf)
{
    fake_usb_widget.probes++;
    fake_usb_widget.probed = d;
    fake_usb_widget.intf = *intf;
    return fake_usb_widget.probe_result;
}

void fake_usb_widget_poll(struct usb_device *d)
{
    (void)d;
    fake_usb_widget.polls++;
}

void fake_usb_widget_remove(struct usb_device *d)
{
    if (fake_usb_widget.removes < USB_MAX_DEVICES) {
        fake_usb_widget.removed[fake_usb_widget.removes] = d;
    }
    fake_usb_widget.removes++;
}

/* clang-format off */
static const struct usb_device_id widget_ids[] = {
    { .vendor = FAKE_USB_WIDGET_VENDOR, .product = FAKE_USB_WIDGET_PRODUCT },
};
/* clang-format on */

const struct usb_driver fake_usb_widget_driver = {
    .name = "widget",
    .ids = widget_ids,
    .id_count = sizeof widget_ids / sizeof widget_ids[0],
    .probe = fake_usb_widget_probe,
    .poll = fake_usb_widget_poll,
    .remove = fake_usb_widget_remove,
};
