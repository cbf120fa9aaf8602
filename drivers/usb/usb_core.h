/*
 * usb_core.h - the USB core: enumeration, address assignment, configuration selection, class driver binding,
 * the device tree, and the transfer calls class drivers use.
 *
 * Devices are enumerated one at a time at address 0 (root port by the board, hub ports by the hub driver), given
 * the next free address, and configured with the first configuration a class driver accepts: a driver matches by
 * vendor/product, or by the class/subclass of one of the configuration's interfaces (so QEMU's usb-net, whose
 * first configuration is RNDIS, gets its second, CDC-ECM, one). Devices that no driver takes stay addressed and
 * configured with their first configuration and are listed as "no driver".
 *
 * Class drivers talk to their device only through the usb_* calls below, with the core's own pipe and transfer
 * types (usb_hc.h): they never know the host controller, which the core reaches through the operations its driver
 * fills in (struct usb_hc_ops; the DWC2's dwc2_hc_ops), so host tests can put a scripted fake device behind them.
 * Errors are USB_E* codes, negated.
 *
 * Rules: usb_core_init() once, after the host controller's own initialisation. Everything runs in the main loop;
 * blocking calls wait at most their timeout. Device structs are owned by the core and stay valid (with present ==
 * false after removal) for the firmware's lifetime: a driver may keep a pointer to its device.
 */
#ifndef DRIVERS_USB_USB_CORE_H
#define DRIVERS_USB_USB_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/usb_desc.h"
#include "drivers/usb/usb_hc.h"
#include "lib/err.h"

/* A Pi's bus holds the on-board hub, the NIC and a few user devices; QEMU adds its hub. */
#ifndef USB_MAX_DEVICES
#define USB_MAX_DEVICES 16u
#endif
/* Configuration descriptors kept per device; longer ones are parsed only up to this (bounded, never trusted). */
#ifndef USB_CONFIG_MAX
#define USB_CONFIG_MAX 512u
#endif
/* Configurations tried per device when looking for a driver (usb-net has 2; real NICs 1-3). */
#define USB_MAX_CONFIGS_TRIED 4u
/* Hubs nest at most 5 deep below the root port (USB 2.0 4.1.1). */
#define USB_MAX_DEPTH   6u
#define USB_PRODUCT_MAX 32u

/* USB 2.0 9.2.6.4: a device completes a standard request with a data stage within 500 ms. */
#define USB_CONTROL_TIMEOUT_US 500000u

/* Standard requests and request types (USB 2.0 tables 9-2, 9-4). */
#define USB_REQ_GET_STATUS        0x00u
#define USB_REQ_CLEAR_FEATURE     0x01u
#define USB_REQ_SET_FEATURE       0x03u
#define USB_REQ_SET_ADDRESS       0x05u
#define USB_REQ_GET_DESCRIPTOR    0x06u
#define USB_REQ_SET_CONFIGURATION 0x09u
#define USB_REQ_SET_INTERFACE     0x0Bu
#define USB_RT_IN                 0x80u
#define USB_RT_STANDARD           0x00u
#define USB_RT_CLASS              0x20u
#define USB_RT_VENDOR             0x40u
#define USB_RT_DEVICE             0x00u
#define USB_RT_INTERFACE          0x01u
#define USB_RT_ENDPOINT           0x02u
#define USB_RT_OTHER              0x03u
#define USB_FEATURE_ENDPOINT_HALT 0x00u
#define USB_LANG_EN_US            0x0409u

struct usb_driver;

struct usb_device {
    bool present;
    uint8_t addr;
    uint8_t speed;             /* enum usb_speed */
    uint8_t depth;             /* 0: on the root port */
    uint8_t port;              /* port on the parent hub (1-based), 0 on the root port */
    struct usb_device *parent; /* NULL on the root port */
    struct usb_pipe ep0;
    struct usb_device_desc desc;
    uint8_t config[USB_CONFIG_MAX];
    size_t config_len;             /* bytes of config[] valid (received, bounded by wTotalLength) */
    uint8_t config_value;          /* selected configuration, 0 when none */
    char product[USB_PRODUCT_MAX]; /* product string, "" when the device has none */
    const struct usb_driver *driver;
    int driver_err;    /* the driver's probe result when it failed, else 0 */
    void *driver_data; /* the bound driver's state */
};

/* A match entry: vendor/product (both non-zero), or an interface class/subclass (by_class true). */
struct usb_device_id {
    uint16_t vendor, product;
    bool by_class;
    uint8_t if_class, if_subclass;
};

struct usb_driver {
    const char *name;
    const struct usb_device_id *ids;
    size_t id_count;
    /* Binds to dev, configured with the matching configuration; intf is the matched interface (the first one for
     * vendor/product matches). Returns 0 or a negative USB_E* code (the device then stays unbound). */
    int (*probe)(struct usb_device *dev, const struct usb_interface_desc *intf);
    /* Called from usb_core_poll() for each bound device; may be NULL. Must not block for long. */
    void (*poll)(struct usb_device *dev);
    /* The device was unplugged; may be NULL. */
    void (*remove)(struct usb_device *dev);
};

/* Takes the host controller every transfer goes through (kept by reference) and registers the class drivers (array
 * kept by reference), in matching priority order. Forgets all devices. */
void usb_core_init(const struct usb_hc_ops *hc, const struct usb_driver *const *drivers, size_t count);

/* fn (NULL for none) runs before every control transfer: one transfer is bounded by USB_CONTROL_TIMEOUT_US, but a
 * bring-up makes hundreds, so a watchdog is fed from here (usb_host.h). Kept across usb_core_init(). */
void usb_core_set_keepalive(void (*fn)(void));

/* Enumerates the device just reset on parent's port (parent NULL: the root port) at the given speed: reads its
 * descriptors, assigns an address, selects a configuration and binds a driver. *out (may be NULL) gets the
 * device even when no driver took it. Returns 0 (also for "no driver"), or a negative USB_E* code when the device
 * could not be enumerated. */
int usb_core_enumerate(struct usb_device *parent, uint8_t port, uint8_t speed, struct usb_device **out);

/* Marks dev and every device behind it as gone, calling their drivers' remove. */
void usb_core_remove(struct usb_device *dev);

/* Lets bound drivers do their periodic work (hub status changes). Never blocks for long unless a device is
 * being enumerated after a hot-plug. */
void usb_core_poll(void);

/* The index-th device slot ever used (present or not), NULL past the end. */
struct usb_device *usb_core_device_at(size_t index);

/* Prints the device tree, one line per present device: hub port path, speed, vendor:product, class, product
 * name and the driver bound. Console context. */
void usb_core_print_tree(void);

const char *usb_speed_name(uint8_t speed);

/* Transfers for class drivers. */

/* A control transfer on dev's endpoint 0. data holds len bytes (OUT) or room for len (IN, bit 7 of req_type).
 * *actual (may be NULL) gets the data stage length. Returns 0 or a negative USB_E* code. */
int usb_control(struct usb_device *dev, uint8_t req_type, uint8_t request, uint16_t value, uint16_t index, void *data,
                uint16_t len, size_t *actual);

/* GET_DESCRIPTOR of a string, converted to printable ASCII (see usb_desc_string_to_ascii). Returns the number of
 * characters or a negative USB_E* code. */
int usb_get_string(struct usb_device *dev, uint8_t index, char *out, size_t out_size);

int usb_set_interface(struct usb_device *dev, uint8_t intf, uint8_t alt);

/* CLEAR_FEATURE(ENDPOINT_HALT) and resets the pipe's toggle to DATA0. */
int usb_clear_halt(struct usb_device *dev, struct usb_pipe *pipe);

/* Fills a pipe for one of dev's endpoints (toggle DATA0). */
void usb_pipe_init(struct usb_device *dev, const struct usb_endpoint_desc *ep, struct usb_pipe *pipe);

/* Blocking bulk or interrupt transfer (see usb_hc_ops.transfer). Returns 0 or a negative USB_E* code. */
int usb_transfer(struct usb_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us);

/* Non-blocking bulk or interrupt transfer (see usb_hc_ops.async_submit / async_poll): submit returns 0 or a
 * negative USB_E* code; poll returns USB_IN_PROGRESS, 0 (done, *actual bytes copied to buf) or a negative code. */
int usb_async_submit(struct usb_async *a, struct usb_pipe *pipe, const void *data, size_t len);
int usb_async_poll(struct usb_async *a, void *buf, size_t size, size_t *actual);
/* IN data read in place, no copy (see usb_hc_ops.async_poll_held): held until usb_async_release(). */
int usb_async_poll_held(struct usb_async *a, const uint8_t **data, size_t *actual);
void usb_async_release(struct usb_async *a);
void usb_async_cancel(struct usb_async *a);
bool usb_async_busy(const struct usb_async *a);

const char *usb_strerror(int err);

#endif /* DRIVERS_USB_USB_CORE_H */
