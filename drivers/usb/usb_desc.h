/*
 * usb_desc.h - bounds-checked parsing of USB descriptors (USB 2.0 chapter 9, CDC 1.2 functional descriptors).
 *
 * Everything a device sends is untrusted: a descriptor whose bLength is 0 or 1, runs past the end of the buffer,
 * or a configuration whose wTotalLength is larger than what was actually received must never make the parser read
 * outside the buffer it was given. Functions here only read the caller's buffer (they keep no pointer to it after
 * returning, except through the iterator the caller owns) and need no hardware: they run on the host in tests and
 * under the fuzzer. Any context may call them.
 *
 * Multi-byte fields are little-endian on the wire; the structs below hold them in host order.
 */
#ifndef DRIVERS_USB_USB_DESC_H
#define DRIVERS_USB_USB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Descriptor types (USB 2.0 table 9-5, CDC 1.2 table 12, USB 2.0 11.23.2.1). */
#define USB_DT_DEVICE       0x01u
#define USB_DT_CONFIG       0x02u
#define USB_DT_STRING       0x03u
#define USB_DT_INTERFACE    0x04u
#define USB_DT_ENDPOINT     0x05u
#define USB_DT_CS_INTERFACE 0x24u
#define USB_DT_HUB          0x29u

#define USB_DT_DEVICE_SIZE    18u
#define USB_DT_CONFIG_SIZE    9u
#define USB_DT_INTERFACE_SIZE 9u
#define USB_DT_ENDPOINT_SIZE  7u
/* A hub descriptor with up to 7 ports carries one byte each of DeviceRemovable and PortPwrCtrlMask. */
#define USB_DT_HUB_MIN_SIZE 9u

/* Endpoint address and attributes fields. */
#define USB_EP_DIR_IN       0x80u
#define USB_EP_NUM_MASK     0x0Fu
#define USB_EP_TYPE_MASK    0x03u
#define USB_EP_TYPE_CONTROL 0u
#define USB_EP_TYPE_ISO     1u
#define USB_EP_TYPE_BULK    2u
#define USB_EP_TYPE_INTR    3u
#define USB_EP_MPS_MASK     0x07FFu

/* Class codes (usb.org defined class codes). */
#define USB_CLASS_PER_INTERFACE 0x00u
#define USB_CLASS_COMM          0x02u
#define USB_CLASS_HUB           0x09u
#define USB_CLASS_CDC_DATA      0x0Au
#define USB_CLASS_VENDOR        0xFFu
/* CDC subclasses and functional descriptor subtypes (CDC 1.2 tables 4 and 13). */
#define USB_CDC_SUBCLASS_ECM       0x06u
#define USB_CDC_FD_HEADER          0x00u
#define USB_CDC_FD_UNION           0x06u
#define USB_CDC_FD_ETHERNET        0x0Fu
#define USB_CDC_ETHERNET_DESC_SIZE 13u

/* Errors, returned negated. */
enum {
    USB_DESC_ETRUNC = ERR_BASE_USB_DESC + 1, /* the buffer ends before the descriptor (or its declared length) does */
    USB_DESC_EBADLEN,                        /* bLength smaller than the descriptor type's fixed part, or below 2 */
    USB_DESC_ETYPE,                          /* not the descriptor type the caller asked for */
    USB_DESC_ENOTFOUND,                      /* no descriptor matched */
};

struct usb_device_desc {
    uint16_t bcd_usb;
    uint8_t dev_class, dev_subclass, dev_protocol;
    uint8_t max_packet0;
    uint16_t vendor, product, bcd_device;
    uint8_t i_manufacturer, i_product, i_serial;
    uint8_t num_configs;
};

struct usb_config_desc {
    uint16_t total_length; /* as declared by the device: never trust it as a buffer size */
    uint8_t num_interfaces;
    uint8_t config_value;
    uint8_t i_config;
    uint8_t attributes;
    uint8_t max_power; /* units of 2 mA */
};

struct usb_interface_desc {
    uint8_t number, alt_setting, num_endpoints;
    uint8_t if_class, if_subclass, if_protocol;
    uint8_t i_interface;
    size_t offset; /* where the descriptor starts in the configuration buffer */
};

struct usb_endpoint_desc {
    uint8_t address; /* number | USB_EP_DIR_IN */
    uint8_t attributes;
    uint16_t max_packet; /* bits 10..0 only: the size of one packet */
    uint8_t interval;
};

struct usb_hub_desc {
    uint8_t num_ports;
    uint16_t characteristics;
    uint8_t pwr_on_to_good_2ms; /* bPwrOn2PwrGood, in units of 2 ms */
};

/* Walks the descriptors of a configuration one by one. The walk stops at the end of the buffer or at the
 * configuration's declared wTotalLength, whichever comes first. */
struct usb_desc_iter {
    const uint8_t *buf;
    size_t len;
    size_t pos;
};

/* Parses an 18-byte device descriptor (len may be 8 for the first, partial read: then only bcd_usb, the class
 * triple and max_packet0 are filled and the rest is zero). Returns 0 or -USB_DESC_*. */
int usb_desc_parse_device(const uint8_t *buf, size_t len, struct usb_device_desc *out);

/* Parses the 9-byte configuration header. Returns 0 or -USB_DESC_*. */
int usb_desc_parse_config(const uint8_t *buf, size_t len, struct usb_config_desc *out);

/* Parses a hub descriptor (USB 2.0 11.23.2.1). Returns 0 or -USB_DESC_*. */
int usb_desc_parse_hub(const uint8_t *buf, size_t len, struct usb_hub_desc *out);

/* Starts a walk over a configuration descriptor set of len bytes (the whole buffer received). */
void usb_desc_iter_init(struct usb_desc_iter *it, const uint8_t *buf, size_t len);

/* The next descriptor: sets *desc and returns its length (>= 2), returns 0 at the end, or -USB_DESC_EBADLEN /
 * -USB_DESC_ETRUNC when the next descriptor is malformed (the walk ends there: later calls return the same). */
int usb_desc_iter_next(struct usb_desc_iter *it, const uint8_t **desc);

/* Finds interface number/alt_setting in a configuration buffer. Returns 0 or -USB_DESC_*. */
int usb_desc_find_interface(const uint8_t *cfg, size_t len, uint8_t number, uint8_t alt,
                            struct usb_interface_desc *out);

/* The index-th interface descriptor (any number, any alternate setting) in a configuration buffer.
 * Returns 0, or -USB_DESC_ENOTFOUND past the last one. */
int usb_desc_interface_at(const uint8_t *cfg, size_t len, unsigned index, struct usb_interface_desc *out);

/* Finds the first endpoint of transfer type `type` and direction `in` that belongs to the interface *intf
 * (between its descriptor and the next interface descriptor). Returns 0 or -USB_DESC_*. */
int usb_desc_find_endpoint(const uint8_t *cfg, size_t len, const struct usb_interface_desc *intf, uint8_t type, bool in,
                           struct usb_endpoint_desc *out);

/* Finds the interface's first bulk IN and first bulk OUT endpoint, the data path of a network adapter; both must
 * have a packet size. Returns 0 or -USB_DESC_* (outputs zeroed on error). */
int usb_desc_find_bulk_pair(const uint8_t *cfg, size_t len, const struct usb_interface_desc *intf,
                            struct usb_endpoint_desc *in, struct usb_endpoint_desc *out);

/* Finds a class-specific interface descriptor (CS_INTERFACE) of the given subtype that belongs to *intf and is at
 * least min_len bytes long. Sets *desc and *desc_len. Returns 0 or -USB_DESC_*. */
int usb_desc_find_class_desc(const uint8_t *cfg, size_t len, const struct usb_interface_desc *intf, uint8_t subtype,
                             size_t min_len, const uint8_t **desc, size_t *desc_len);

/* Converts a string descriptor (UTF-16LE) to printable ASCII in out (always NUL-terminated when out_size > 0);
 * characters outside printable ASCII become '?'. Returns the number of characters written or -USB_DESC_*. */
int usb_desc_string_to_ascii(const uint8_t *buf, size_t len, char *out, size_t out_size);

const char *usb_desc_strerror(int err);

#endif /* DRIVERS_USB_USB_DESC_H */
