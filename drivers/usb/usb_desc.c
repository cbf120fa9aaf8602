/*
 * Bounds-checked USB descriptor parsing. Every read is preceded by a length check against the buffer actually
 * received; declared lengths (bLength, wTotalLength) only ever shrink the region we look at, never grow it.
 */
#include "drivers/usb/usb_desc.h"

#include "drivers/byteorder.h"

/* Offsets inside the standard descriptors (USB 2.0 tables 9-8, 9-10, 9-12, 9-13; 11-13 for hubs). */
#define DEV_BCD_USB        2u
#define DEV_CLASS          4u
#define DEV_SUBCLASS       5u
#define DEV_PROTOCOL       6u
#define DEV_MPS0           7u
#define DEV_VENDOR         8u
#define DEV_PRODUCT        10u
#define DEV_BCD_DEVICE     12u
#define DEV_I_MANUFACTURER 14u
#define DEV_I_PRODUCT      15u
#define DEV_I_SERIAL       16u
#define DEV_NUM_CONFIGS    17u
/* The first read of a device descriptor is 8 bytes: enough for bMaxPacketSize0. */
#define DEV_PARTIAL_SIZE 8u

#define CFG_TOTAL_LENGTH   2u
#define CFG_NUM_INTERFACES 4u
#define CFG_VALUE          5u
#define CFG_I_CONFIG       6u
#define CFG_ATTRIBUTES     7u
#define CFG_MAX_POWER      8u

#define IF_NUMBER      2u
#define IF_ALT         3u
#define IF_NUM_EP      4u
#define IF_CLASS       5u
#define IF_SUBCLASS    6u
#define IF_PROTOCOL    7u
#define IF_I_INTERFACE 8u

#define EP_ADDRESS    2u
#define EP_ATTRIBUTES 3u
#define EP_MPS        4u
#define EP_INTERVAL   6u

#define HUB_NUM_PORTS       2u
#define HUB_CHARACTERISTICS 3u
#define HUB_PWR_ON_TO_GOOD  5u

#define DESC_LENGTH      0u
#define DESC_TYPE        1u
#define DESC_SUBTYPE     2u
#define DESC_HEADER_SIZE 2u

#define ASCII_FIRST_PRINTABLE 0x20u
#define ASCII_LAST_PRINTABLE  0x7Eu

/* Common checks for a fixed-layout descriptor at the start of buf. */
static int check_fixed(const uint8_t *buf, size_t len, uint8_t type, size_t size)
{
    if (buf == NULL || len < DESC_HEADER_SIZE) {
        return -USB_DESC_ETRUNC;
    }
    if (buf[DESC_TYPE] != type) {
        return -USB_DESC_ETYPE;
    }
    if (buf[DESC_LENGTH] < size) {
        return -USB_DESC_EBADLEN;
    }
    if (len < size) {
        return -USB_DESC_ETRUNC;
    }
    return 0;
}

int usb_desc_parse_device(const uint8_t *buf, size_t len, struct usb_device_desc *out)
{
    *out = (struct usb_device_desc){ 0 };
    if (buf == NULL || len < DEV_PARTIAL_SIZE) {
        return -USB_DESC_ETRUNC;
    }
    /* Enumeration reads the first 8 bytes before it knows ep0's packet size: a short buffer is fine here. */
    int err = check_fixed(buf, len, USB_DT_DEVICE, USB_DT_DEVICE_SIZE);
    if (err != 0 && err != -USB_DESC_ETRUNC) {
        return err;
    }
    out->bcd_usb = byteorder_get_le16(buf + DEV_BCD_USB);
    out->dev_class = buf[DEV_CLASS];
    out->dev_subclass = buf[DEV_SUBCLASS];
    out->dev_protocol = buf[DEV_PROTOCOL];
    out->max_packet0 = buf[DEV_MPS0];
    if (len < USB_DT_DEVICE_SIZE) {
        return 0;
    }
    out->vendor = byteorder_get_le16(buf + DEV_VENDOR);
    out->product = byteorder_get_le16(buf + DEV_PRODUCT);
    out->bcd_device = byteorder_get_le16(buf + DEV_BCD_DEVICE);
    out->i_manufacturer = buf[DEV_I_MANUFACTURER];
    out->i_product = buf[DEV_I_PRODUCT];
    out->i_serial = buf[DEV_I_SERIAL];
    out->num_configs = buf[DEV_NUM_CONFIGS];
    return 0;
}

int usb_desc_parse_config(const uint8_t *buf, size_t len, struct usb_config_desc *out)
{
    *out = (struct usb_config_desc){ 0 };
    int err = check_fixed(buf, len, USB_DT_CONFIG, USB_DT_CONFIG_SIZE);
    if (err != 0) {
        return err;
    }
    out->total_length = byteorder_get_le16(buf + CFG_TOTAL_LENGTH);
    out->num_interfaces = buf[CFG_NUM_INTERFACES];
    out->config_value = buf[CFG_VALUE];
    out->i_config = buf[CFG_I_CONFIG];
    out->attributes = buf[CFG_ATTRIBUTES];
    out->max_power = buf[CFG_MAX_POWER];
    return 0;
}

int usb_desc_parse_hub(const uint8_t *buf, size_t len, struct usb_hub_desc *out)
{
    *out = (struct usb_hub_desc){ 0 };
    /* The variable part is not needed: all ports are treated as removable and individually powered. */
    int err = check_fixed(buf, len, USB_DT_HUB, HUB_PWR_ON_TO_GOOD + 1u);
    if (err != 0) {
        return err;
    }
    out->num_ports = buf[HUB_NUM_PORTS];
    out->characteristics = byteorder_get_le16(buf + HUB_CHARACTERISTICS);
    out->pwr_on_to_good_2ms = buf[HUB_PWR_ON_TO_GOOD];
    return 0;
}

void usb_desc_iter_init(struct usb_desc_iter *it, const uint8_t *buf, size_t len)
{
    it->buf = buf;
    it->len = buf == NULL ? 0 : len;
    it->pos = 0;
    /* A configuration says how long it is; never look past that, nor past what we have. */
    struct usb_config_desc cfg;
    if (usb_desc_parse_config(buf, len, &cfg) == 0 && cfg.total_length < it->len) {
        it->len = cfg.total_length;
    }
}

int usb_desc_iter_next(struct usb_desc_iter *it, const uint8_t **desc)
{
    if (it->pos >= it->len) {
        return 0;
    }
    size_t left = it->len - it->pos;
    if (left < DESC_HEADER_SIZE) {
        it->pos = it->len;
        return -USB_DESC_ETRUNC;
    }
    const uint8_t *d = it->buf + it->pos;
    size_t dlen = d[DESC_LENGTH];
    if (dlen < DESC_HEADER_SIZE) {
        /* bLength 0 would loop forever, 1 would split the header: stop the walk for good. */
        it->pos = it->len;
        return -USB_DESC_EBADLEN;
    }
    if (dlen > left) {
        it->pos = it->len;
        return -USB_DESC_ETRUNC;
    }
    it->pos += dlen;
    *desc = d;
    return (int)dlen;
}

static void fill_interface(const uint8_t *d, size_t offset, struct usb_interface_desc *out)
{
    out->number = d[IF_NUMBER];
    out->alt_setting = d[IF_ALT];
    out->num_endpoints = d[IF_NUM_EP];
    out->if_class = d[IF_CLASS];
    out->if_subclass = d[IF_SUBCLASS];
    out->if_protocol = d[IF_PROTOCOL];
    out->i_interface = d[IF_I_INTERFACE];
    out->offset = offset;
}

/* Calls back for each well-formed interface descriptor in order; stops when match returns true. */
static int scan_interfaces(const uint8_t *cfg, size_t len, bool (*match)(const struct usb_interface_desc *, void *),
                           void *ctx, struct usb_interface_desc *out)
{
    struct usb_desc_iter it;
    usb_desc_iter_init(&it, cfg, len);
    const uint8_t *d;
    int n;
    while ((n = usb_desc_iter_next(&it, &d)) > 0) {
        if (d[DESC_TYPE] != USB_DT_INTERFACE || (size_t)n < USB_DT_INTERFACE_SIZE) {
            continue;
        }
        struct usb_interface_desc intf;
        fill_interface(d, (size_t)(d - cfg), &intf);
        if (match(&intf, ctx)) {
            *out = intf;
            return 0;
        }
    }
    return -USB_DESC_ENOTFOUND;
}

struct number_alt {
    uint8_t number, alt;
};

static bool match_number_alt(const struct usb_interface_desc *intf, void *ctx)
{
    const struct number_alt *want = ctx;
    return intf->number == want->number && intf->alt_setting == want->alt;
}

int usb_desc_find_interface(const uint8_t *cfg, size_t len, uint8_t number, uint8_t alt, struct usb_interface_desc *out)
{
    struct number_alt want = { number, alt };
    return scan_interfaces(cfg, len, match_number_alt, &want, out);
}

static bool match_index(const struct usb_interface_desc *intf, void *ctx)
{
    (void)intf;
    unsigned *left = ctx;
    if (*left == 0) {
        return true;
    }
    (*left)--;
    return false;
}

int usb_desc_interface_at(const uint8_t *cfg, size_t len, unsigned index, struct usb_interface_desc *out)
{
    return scan_interfaces(cfg, len, match_index, &index, out);
}

/* Returns the first descriptor between interface *intf and the next interface descriptor for which match returns
 * true, with its length. */
static int find_in_interface(const uint8_t *cfg, size_t len, const struct usb_interface_desc *intf,
                             bool (*match)(const uint8_t *d, size_t n, const void *ctx), const void *ctx,
                             const uint8_t **desc, size_t *desc_len)
{
    struct usb_desc_iter it;
    usb_desc_iter_init(&it, cfg, len);
    if (intf->offset >= it.len || it.len - intf->offset < USB_DT_INTERFACE_SIZE) {
        return -USB_DESC_ETRUNC;
    }
    it.pos = intf->offset;
    const uint8_t *d;
    if (usb_desc_iter_next(&it, &d) <= 0) {
        return -USB_DESC_ETRUNC;
    }
    int n;
    while ((n = usb_desc_iter_next(&it, &d)) > 0 && d[DESC_TYPE] != USB_DT_INTERFACE) {
        if (match(d, (size_t)n, ctx)) {
            *desc = d;
            *desc_len = (size_t)n;
            return 0;
        }
    }
    return -USB_DESC_ENOTFOUND;
}

struct endpoint_kind {
    uint8_t type;
    bool in;
};

static bool match_endpoint(const uint8_t *d, size_t n, const void *ctx)
{
    const struct endpoint_kind *want = ctx;
    if (d[DESC_TYPE] != USB_DT_ENDPOINT || n < USB_DT_ENDPOINT_SIZE) {
        return false;
    }
    bool in = (d[EP_ADDRESS] & USB_EP_DIR_IN) != 0;
    return (d[EP_ATTRIBUTES] & USB_EP_TYPE_MASK) == want->type && in == want->in;
}

int usb_desc_find_endpoint(const uint8_t *cfg, size_t len, const struct usb_interface_desc *intf, uint8_t type, bool in,
                           struct usb_endpoint_desc *out)
{
    *out = (struct usb_endpoint_desc){ 0 };
    struct endpoint_kind want = { type, in };
    const uint8_t *d;
    size_t n;
    int err = find_in_interface(cfg, len, intf, match_endpoint, &want, &d, &n);
    if (err != 0) {
        return err;
    }
    out->address = d[EP_ADDRESS];
    out->attributes = d[EP_ATTRIBUTES];
    out->max_packet = (uint16_t)(byteorder_get_le16(d + EP_MPS) & USB_EP_MPS_MASK);
    out->interval = d[EP_INTERVAL];
    return 0;
}

int usb_desc_find_bulk_pair(const uint8_t *cfg, size_t len, const struct usb_interface_desc *intf,
                            struct usb_endpoint_desc *in, struct usb_endpoint_desc *out)
{
    int err = usb_desc_find_endpoint(cfg, len, intf, USB_EP_TYPE_BULK, true, in);
    if (err == 0) {
        err = usb_desc_find_endpoint(cfg, len, intf, USB_EP_TYPE_BULK, false, out);
    }
    if (err == 0 && (in->max_packet == 0 || out->max_packet == 0)) {
        err = -USB_DESC_EBADLEN;
    }
    if (err != 0) {
        *in = *out = (struct usb_endpoint_desc){ 0 };
    }
    return err;
}

static bool match_class_subtype(const uint8_t *d, size_t n, const void *ctx)
{
    const uint8_t *subtype = ctx;
    return d[DESC_TYPE] == USB_DT_CS_INTERFACE && n > DESC_SUBTYPE && d[DESC_SUBTYPE] == *subtype;
}

int usb_desc_find_class_desc(const uint8_t *cfg, size_t len, const struct usb_interface_desc *intf, uint8_t subtype,
                             size_t min_len, const uint8_t **desc, size_t *desc_len)
{
    const uint8_t *d;
    size_t n;
    int err = find_in_interface(cfg, len, intf, match_class_subtype, &subtype, &d, &n);
    if (err != 0) {
        return err;
    }
    if (n < min_len) {
        return -USB_DESC_EBADLEN;
    }
    *desc = d;
    *desc_len = n;
    return 0;
}

int usb_desc_string_to_ascii(const uint8_t *buf, size_t len, char *out, size_t out_size)
{
    if (out_size > 0) {
        out[0] = '\0';
    }
    int err = check_fixed(buf, len, USB_DT_STRING, DESC_HEADER_SIZE);
    if (err != 0) {
        return err;
    }
    size_t bytes = buf[DESC_LENGTH];
    if (bytes > len) {
        bytes = len;
    }
    size_t chars = (bytes - DESC_HEADER_SIZE) / 2u;
    size_t n = 0;
    for (size_t i = 0; i < chars && n + 1 < out_size; i++) {
        uint16_t c = byteorder_get_le16(buf + DESC_HEADER_SIZE + 2u * i);
        out[n++] = (c >= ASCII_FIRST_PRINTABLE && c <= ASCII_LAST_PRINTABLE) ? (char)c : '?';
    }
    if (out_size > 0) {
        out[n] = '\0';
    }
    return (int)n;
}

const char *usb_desc_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case -USB_DESC_ETRUNC: return "descriptor truncated";
    case -USB_DESC_EBADLEN: return "descriptor length invalid";
    case -USB_DESC_ETYPE: return "unexpected descriptor type";
    case -USB_DESC_ENOTFOUND: return "descriptor not found";
    default: return "unknown descriptor error";
    }
}
