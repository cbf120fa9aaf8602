/*
 * USB core: enumeration and driver binding (USB 2.0 chapter 9.1.2 "Bus Enumeration").
 */
#include "drivers/usb/usb_core.h"

#include <stdio.h>
#include <string.h>

#include "drivers/systimer.h"
#include "drivers/usb/usb_hc.h"

/* USB 2.0 9.2.6.3: a device has 2 ms after SET_ADDRESS's status stage before it must answer at the new address. */
#define SET_ADDRESS_RECOVERY_US 2000u
/* The first read of the device descriptor: 8 bytes give bMaxPacketSize0 whatever endpoint 0's size is. */
#define DEVICE_DESC_FIRST_READ 8u
/* Endpoint 0 packet size to use before the device told us: low speed is always 8, 64 is legal for the rest and a
 * device with a smaller one just ends the 8-byte read with a short packet. */
#define EP0_MPS_LOW     8u
#define EP0_MPS_DEFAULT 64u
#define USB_MAX_ADDRESS 127u
#define STRING_DESC_MAX 255u
#define DESC_INDEX_LSB  8u

static const struct usb_hc_ops *hc;
static const struct usb_driver *const *driver_table;
static size_t driver_count;
static struct usb_device devices[USB_MAX_DEVICES];
static size_t devices_used;
static uint8_t next_address;
static void (*keepalive)(void);

void usb_core_set_keepalive(void (*fn)(void))
{
    keepalive = fn;
}

void usb_core_init(const struct usb_hc_ops *ops, const struct usb_driver *const *drivers, size_t count)
{
    hc = ops;
    driver_table = drivers;
    driver_count = count;
    memset(devices, 0, sizeof devices);
    devices_used = 0;
    next_address = 1;
}

int usb_control(struct usb_device *dev, uint8_t req_type, uint8_t request, uint16_t value, uint16_t index, void *data,
                uint16_t len, size_t *actual)
{
    if (dev == NULL || !dev->present) {
        return -USB_EINVAL;
    }
    if (keepalive != NULL) {
        keepalive();
    }
    uint8_t setup[USB_SETUP_SIZE] = {
        req_type,       request,
        (uint8_t)value, (uint8_t)(value >> 8),
        (uint8_t)index, (uint8_t)(index >> 8),
        (uint8_t)len,   (uint8_t)(len >> 8),
    };
    return hc->control(&dev->ep0, setup, data, len, actual, USB_CONTROL_TIMEOUT_US);
}

static int get_descriptor(struct usb_device *dev, uint8_t type, uint8_t index, uint16_t lang, void *buf, uint16_t len,
                          size_t *actual)
{
    return usb_control(dev, USB_RT_IN | USB_RT_STANDARD | USB_RT_DEVICE, USB_REQ_GET_DESCRIPTOR,
                       (uint16_t)((type << DESC_INDEX_LSB) | index), lang, buf, len, actual);
}

int usb_get_string(struct usb_device *dev, uint8_t index, char *out, size_t out_size)
{
    if (out_size > 0) {
        out[0] = '\0';
    }
    if (index == 0) {
        return -USB_EDESC;
    }
    uint8_t buf[STRING_DESC_MAX];
    size_t got = 0;
    int err = get_descriptor(dev, USB_DT_STRING, index, USB_LANG_EN_US, buf, sizeof buf, &got);
    if (err != 0) {
        return err;
    }
    int n = usb_desc_string_to_ascii(buf, got, out, out_size);
    return n < 0 ? -USB_EDESC : n;
}

int usb_set_interface(struct usb_device *dev, uint8_t intf, uint8_t alt)
{
    return usb_control(dev, USB_RT_STANDARD | USB_RT_INTERFACE, USB_REQ_SET_INTERFACE, alt, intf, NULL, 0, NULL);
}

int usb_clear_halt(struct usb_device *dev, struct usb_pipe *pipe)
{
    uint16_t ep = (uint16_t)(pipe->ep_num | (pipe->in ? USB_EP_DIR_IN : 0));
    int err = usb_control(dev, USB_RT_STANDARD | USB_RT_ENDPOINT, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT, ep,
                          NULL, 0, NULL);
    pipe->toggle = 0;
    return err;
}

void usb_pipe_init(struct usb_device *dev, const struct usb_endpoint_desc *ep, struct usb_pipe *pipe)
{
    *pipe = dev->ep0;
    pipe->ep_num = ep->address & USB_EP_NUM_MASK;
    pipe->in = (ep->address & USB_EP_DIR_IN) != 0;
    pipe->ep_type = ep->attributes & USB_EP_TYPE_MASK;
    pipe->mps = ep->max_packet;
    pipe->toggle = 0;
}

int usb_transfer(struct usb_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us)
{
    return hc->transfer(pipe, data, len, actual, timeout_us);
}

int usb_async_submit(struct usb_async *a, struct usb_pipe *pipe, const void *data, size_t len)
{
    return hc->async_submit(a, pipe, data, len);
}

int usb_async_poll(struct usb_async *a, void *buf, size_t size, size_t *actual)
{
    return hc->async_poll(a, buf, size, actual);
}

int usb_async_poll_held(struct usb_async *a, const uint8_t **data, size_t *actual)
{
    return hc->async_poll_held(a, data, actual);
}

void usb_async_release(struct usb_async *a)
{
    hc->async_release(a);
}

void usb_async_cancel(struct usb_async *a)
{
    hc->async_cancel(a);
}

bool usb_async_busy(const struct usb_async *a)
{
    return a->active;
}

static struct usb_device *alloc_device(void)
{
    for (size_t i = 0; i < devices_used; i++) {
        if (!devices[i].present) {
            memset(&devices[i], 0, sizeof devices[i]);
            return &devices[i];
        }
    }
    if (devices_used == USB_MAX_DEVICES) {
        return NULL;
    }
    return &devices[devices_used++];
}

static bool address_in_use(uint8_t addr)
{
    for (size_t i = 0; i < devices_used; i++) {
        if (devices[i].present && devices[i].addr == addr) {
            return true;
        }
    }
    return false;
}

static uint8_t alloc_address(void)
{
    for (unsigned tries = 0; tries < USB_MAX_ADDRESS; tries++) {
        uint8_t a = next_address;
        next_address = (uint8_t)(next_address % USB_MAX_ADDRESS + 1u);
        if (!address_in_use(a)) {
            return a;
        }
    }
    return 0;
}

/* Full/low-speed devices behind a high-speed hub talk through that hub's transaction translator; deeper
 * full-speed hubs pass the same translator on. */
static void set_transaction_translator(struct usb_device *dev)
{
    dev->ep0.tt_hub_addr = 0;
    dev->ep0.tt_port = 0;
    if (dev->parent == NULL || dev->speed == USB_SPEED_HIGH) {
        return;
    }
    if (dev->parent->speed == USB_SPEED_HIGH) {
        dev->ep0.tt_hub_addr = dev->parent->addr;
        dev->ep0.tt_port = dev->port;
    } else {
        dev->ep0.tt_hub_addr = dev->parent->ep0.tt_hub_addr;
        dev->ep0.tt_port = dev->parent->ep0.tt_port;
    }
}

static bool id_matches(const struct usb_device_id *id, const struct usb_device *dev, const uint8_t *cfg, size_t cfg_len,
                       struct usb_interface_desc *intf)
{
    if (!id->by_class) {
        if (id->vendor == 0 || id->vendor != dev->desc.vendor || id->product != dev->desc.product) {
            return false;
        }
        if (usb_desc_interface_at(cfg, cfg_len, 0, intf) != 0) {
            *intf = (struct usb_interface_desc){ 0 };
        }
        return true;
    }
    for (unsigned i = 0; usb_desc_interface_at(cfg, cfg_len, i, intf) == 0; i++) {
        if (intf->alt_setting == 0 && intf->if_class == id->if_class && intf->if_subclass == id->if_subclass) {
            return true;
        }
    }
    return false;
}

static const struct usb_driver *match_driver(const struct usb_device *dev, const uint8_t *cfg, size_t cfg_len,
                                             struct usb_interface_desc *intf)
{
    for (size_t d = 0; d < driver_count; d++) {
        const struct usb_driver *drv = driver_table[d];
        for (size_t i = 0; i < drv->id_count; i++) {
            if (id_matches(&drv->ids[i], dev, cfg, cfg_len, intf)) {
                return drv;
            }
        }
    }
    return NULL;
}

/* Reads configuration `index` into dev->config (bounded by USB_CONFIG_MAX and by what the device sent). */
static int read_config(struct usb_device *dev, uint8_t index)
{
    size_t got = 0;
    dev->config_len = 0;
    int err = get_descriptor(dev, USB_DT_CONFIG, index, 0, dev->config, USB_DT_CONFIG_SIZE, &got);
    if (err != 0) {
        return err;
    }
    struct usb_config_desc cfg;
    if (usb_desc_parse_config(dev->config, got, &cfg) != 0 || cfg.total_length < USB_DT_CONFIG_SIZE) {
        return -USB_EDESC;
    }
    uint16_t want = cfg.total_length > USB_CONFIG_MAX ? (uint16_t)USB_CONFIG_MAX : cfg.total_length;
    err = get_descriptor(dev, USB_DT_CONFIG, index, 0, dev->config, want, &got);
    if (err != 0) {
        return err;
    }
    if (usb_desc_parse_config(dev->config, got, &cfg) != 0) {
        return -USB_EDESC;
    }
    dev->config_len = got;
    return 0;
}

/* Picks the first configuration a driver accepts; falls back to the first configuration. */
static int select_config(struct usb_device *dev, const struct usb_driver **drv, struct usb_interface_desc *intf)
{
    unsigned configs = dev->desc.num_configs;
    if (configs > USB_MAX_CONFIGS_TRIED) {
        configs = USB_MAX_CONFIGS_TRIED;
    }
    *drv = NULL;
    for (unsigned i = 0; i < configs; i++) {
        int err = read_config(dev, (uint8_t)i);
        if (err != 0) {
            return err;
        }
        *drv = match_driver(dev, dev->config, dev->config_len, intf);
        if (*drv != NULL) {
            break;
        }
    }
    if (*drv == NULL && configs > 1) {
        int err = read_config(dev, 0);
        if (err != 0) {
            return err;
        }
    }
    if (dev->config_len == 0) {
        return -USB_EDESC;
    }
    struct usb_config_desc cfg;
    usb_desc_parse_config(dev->config, dev->config_len, &cfg);
    int err = usb_control(dev, USB_RT_STANDARD | USB_RT_DEVICE, USB_REQ_SET_CONFIGURATION, cfg.config_value, 0, NULL, 0,
                          NULL);
    if (err != 0) {
        return err;
    }
    dev->config_value = cfg.config_value;
    return 0;
}

static int enumerate(struct usb_device *dev)
{
    uint8_t buf[USB_DT_DEVICE_SIZE];
    size_t got = 0;
    int err = get_descriptor(dev, USB_DT_DEVICE, 0, 0, buf, DEVICE_DESC_FIRST_READ, &got);
    if (err != 0) {
        return err;
    }
    struct usb_device_desc d;
    if (usb_desc_parse_device(buf, got, &d) != 0 || d.max_packet0 == 0) {
        return -USB_EDESC;
    }
    dev->ep0.mps = d.max_packet0;

    uint8_t addr = alloc_address();
    if (addr == 0) {
        return -USB_EFULL;
    }
    err = usb_control(dev, USB_RT_STANDARD | USB_RT_DEVICE, USB_REQ_SET_ADDRESS, addr, 0, NULL, 0, NULL);
    if (err != 0) {
        return err;
    }
    systimer_delay_us(SET_ADDRESS_RECOVERY_US);
    dev->addr = addr;
    dev->ep0.dev_addr = addr;

    err = get_descriptor(dev, USB_DT_DEVICE, 0, 0, buf, USB_DT_DEVICE_SIZE, &got);
    if (err != 0) {
        return err;
    }
    if (got < USB_DT_DEVICE_SIZE || usb_desc_parse_device(buf, got, &dev->desc) != 0) {
        return -USB_EDESC;
    }
    if (dev->desc.i_product != 0) {
        usb_get_string(dev, dev->desc.i_product, dev->product, sizeof dev->product);
    }

    const struct usb_driver *drv;
    struct usb_interface_desc intf;
    err = select_config(dev, &drv, &intf);
    if (err != 0) {
        return err;
    }
    if (drv == NULL) {
        return 0;
    }
    dev->driver = drv;
    dev->driver_err = drv->probe(dev, &intf);
    if (dev->driver_err != 0) {
        dev->driver = NULL;
        dev->driver_data = NULL;
    }
    return 0;
}

int usb_core_enumerate(struct usb_device *parent, uint8_t port, uint8_t speed, struct usb_device **out)
{
    if (out) {
        *out = NULL;
    }
    uint8_t depth = parent ? (uint8_t)(parent->depth + 1u) : 0u;
    if (depth >= USB_MAX_DEPTH) {
        return -USB_EFULL;
    }
    struct usb_device *dev = alloc_device();
    if (dev == NULL) {
        return -USB_EFULL;
    }
    dev->present = true;
    dev->parent = parent;
    dev->port = port;
    dev->depth = depth;
    dev->speed = speed;
    dev->ep0 = (struct usb_pipe){
        .dev_addr = 0,
        .ep_num = 0,
        .ep_type = USB_EP_TYPE_CONTROL,
        .mps = speed == USB_SPEED_LOW ? EP0_MPS_LOW : EP0_MPS_DEFAULT,
        .speed = speed,
    };
    set_transaction_translator(dev);

    int err = enumerate(dev);
    if (err != 0) {
        /* A device stuck at address 0 would answer the next enumeration too: forget it. */
        dev->present = false;
        return err;
    }
    if (out) {
        *out = dev;
    }
    return 0;
}

void usb_core_remove(struct usb_device *dev)
{
    if (dev == NULL || !dev->present) {
        return;
    }
    for (size_t i = 0; i < devices_used; i++) {
        if (devices[i].present && devices[i].parent == dev) {
            usb_core_remove(&devices[i]);
        }
    }
    if (dev->driver && dev->driver->remove) {
        dev->driver->remove(dev);
    }
    dev->present = false;
}

void usb_core_poll(void)
{
    for (size_t i = 0; i < devices_used; i++) {
        struct usb_device *dev = &devices[i];
        if (dev->present && dev->driver && dev->driver->poll) {
            dev->driver->poll(dev);
        }
    }
}

struct usb_device *usb_core_device_at(size_t index)
{
    return index < devices_used ? &devices[index] : NULL;
}

const char *usb_speed_name(uint8_t speed)
{
    switch (speed) {
    case USB_SPEED_HIGH: return "high";
    case USB_SPEED_FULL: return "full";
    case USB_SPEED_LOW: return "low";
    default: return "?";
    }
}

/* The device's class: from the device descriptor, or from its first interface when the device defers to them. */
static void class_of(const struct usb_device *dev, uint8_t *cls, uint8_t *sub)
{
    *cls = dev->desc.dev_class;
    *sub = dev->desc.dev_subclass;
    struct usb_interface_desc intf;
    if (*cls == USB_CLASS_PER_INTERFACE && usb_desc_interface_at(dev->config, dev->config_len, 0, &intf) == 0) {
        *cls = intf.if_class;
        *sub = intf.if_subclass;
    }
}

static void print_device(const struct usb_device *dev)
{
    /* Port path from the root: "1.3.2" means root port, hub port 3, hub port 2. */
    char path[3 * USB_MAX_DEPTH + 2];
    const struct usb_device *chain[USB_MAX_DEPTH];
    size_t n = 0;
    for (const struct usb_device *d = dev; d != NULL && n < USB_MAX_DEPTH; d = d->parent) {
        chain[n++] = d;
    }
    size_t pos = (size_t)snprintf(path, sizeof path, "1");
    for (size_t i = n - 1; i-- > 0 && pos < sizeof path;) {
        pos += (size_t)snprintf(path + pos, sizeof path - pos, ".%u", chain[i]->port);
    }
    uint8_t cls, sub;
    class_of(dev, &cls, &sub);
    const char *driver = dev->driver ? dev->driver->name : (dev->driver_err ? "probe failed" : "no driver");
    printf("%*s%-8s addr %3u  %-4s  %04x:%04x  class %02x/%02x  cfg %u  %-10s %s\n", 2 * dev->depth, "", path,
           dev->addr, usb_speed_name(dev->speed), dev->desc.vendor, dev->desc.product, cls, sub, dev->config_value,
           driver, dev->product);
}

static void print_subtree(const struct usb_device *parent)
{
    for (size_t i = 0; i < devices_used; i++) {
        const struct usb_device *d = &devices[i];
        if (d->present && d->parent == parent) {
            print_device(d);
            print_subtree(d);
        }
    }
}

void usb_core_print_tree(void)
{
    bool any = false;
    for (size_t i = 0; i < devices_used; i++) {
        any = any || devices[i].present;
    }
    if (!any) {
        printf("no USB devices\n");
        return;
    }
    print_subtree(NULL);
}

const char *usb_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case -USB_EINVAL: return "invalid argument or device gone";
    case -USB_EIO: return "transfer failed";
    case -USB_ESTALL: return "request refused (stall)";
    case -USB_ETIMEDOUT: return "device did not answer";
    case -USB_ENAK: return "no data";
    case -USB_ENODEV: return "no device connected";
    case -USB_EDESC: return "bad descriptor";
    case -USB_EFULL: return "too many devices";
    case -USB_EBUSY: return "no free host channel";
    case -USB_ENODRIVER: return "no driver";
    default: return "unknown USB error";
    }
}
