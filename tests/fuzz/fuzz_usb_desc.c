/*
 * libFuzzer target for what USB devices send us: descriptor sets (walked with every lookup the drivers use),
 * device/hub/string descriptors, and received bulk-in transfers as the SMSC LAN951x and Microchip LAN78xx drivers
 * parse them (status/command words, lengths, padding). The first input byte picks the path.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/netdev.h"
#include "drivers/usb/lan78xx.h"
#include "drivers/usb/smsc95xx.h"
#include "drivers/usb/usb_desc.h"
#include "fake_mchp_chip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A LAN9512/LAN7800-like interface: bulk IN 1, bulk OUT 2. */
/* clang-format off */
static const uint8_t nic_config[] = {
    9, 2, 32, 0, 1, 1, 0, 0xe0, 1,
    9, 4, 0, 0, 2, 0xff, 0x00, 0xff, 0,
    7, 5, 0x81, 0x02, 0x00, 0x02, 0,
    7, 5, 0x02, 0x02, 0x00, 0x02, 0,
};
/* clang-format on */

static void fuzz_config(const uint8_t *d, size_t n)
{
    struct usb_desc_iter it;
    usb_desc_iter_init(&it, d, n);
    const uint8_t *desc;
    while (usb_desc_iter_next(&it, &desc) > 0) {
    }
    struct usb_interface_desc intf;
    for (unsigned i = 0; usb_desc_interface_at(d, n, i, &intf) == 0 && i < 64; i++) {
        struct usb_endpoint_desc ep;
        for (uint8_t type = 0; type < 4; type++) {
            usb_desc_find_endpoint(d, n, &intf, type, true, &ep);
            usb_desc_find_endpoint(d, n, &intf, type, false, &ep);
        }
        size_t len;
        usb_desc_find_class_desc(d, n, &intf, USB_CDC_FD_UNION, 5, &desc, &len);
        usb_desc_find_class_desc(d, n, &intf, USB_CDC_FD_ETHERNET, USB_CDC_ETHERNET_DESC_SIZE, &desc, &len);
        usb_desc_find_interface(d, n, intf.number, 1, &intf);
    }
    struct usb_config_desc cfg;
    usb_desc_parse_config(d, n, &cfg);
}

static void fuzz_small(const uint8_t *d, size_t n)
{
    struct usb_device_desc dev;
    struct usb_hub_desc hub;
    char text[40];
    usb_desc_parse_device(d, n, &dev);
    usb_desc_parse_hub(d, n, &hub);
    usb_desc_string_to_ascii(d, n, text, sizeof text);
    usb_desc_string_to_ascii(d, n, text, 1);
}

struct nic {
    struct fake_chip chip;
    struct usb_device *dev;
    struct netdev *nd;
};

static struct nic smsc, lan;

/* One chip model is active at a time (fake_usb has one device), so each NIC is bound and started afresh. */
static struct netdev *bind(struct nic *n, const struct usb_driver *drv, uint16_t mii_acc, uint16_t mii_data)
{
    fake_chip_init(&n->chip, mii_acc, mii_data);
    n->dev = fake_usb_attach(fake_chip_model(), &n->chip, nic_config, sizeof nic_config);
    struct usb_interface_desc intf;
    usb_desc_find_interface(n->dev->config, n->dev->config_len, 0, 0, &intf);
    if (drv->probe(n->dev, &intf) != 0) {
        return NULL;
    }
    struct netdev *nd = netdev_at(0);
    nd->started = true; /* the parsers are under test, not the init sequence */
    return nd;
}

static void fuzz_rx(const struct usb_driver *drv, struct nic *n, uint16_t mii_acc, uint16_t mii_data, const uint8_t *d,
                    size_t len)
{
    struct netdev *nd = bind(n, drv, mii_acc, mii_data);
    if (nd == NULL) {
        return;
    }
    if (len > FAKE_CHIP_XFER_MAX) {
        len = FAKE_CHIP_XFER_MAX;
    }
    fake_chip_queue_in(&n->chip, d, len);
    uint8_t frame[NETDEV_MAX_FRAME];
    for (int i = 0; i < 1000 && netdev_receive(nd, frame, sizeof frame) > 0; i++) {
    }
    drv->remove(n->dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    switch (data[0] % 4u) {
    case 0: fuzz_config(d, n); break;
    case 1: fuzz_small(d, n); break;
    case 2: fuzz_rx(&smsc95xx_driver, &smsc, 0x114, 0x118, d, n); break;
    default: fuzz_rx(&lan78xx_driver, &lan, 0x120, 0x124, d, n); break;
    }
    return 0;
}
