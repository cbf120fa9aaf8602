#include "fake_usb.h"

#include <string.h>

/* The most one transfer moves: as much as the DWC2 driver's channel buffer. */
#define FAKE_USB_XFER_MAX 4096u

static const struct fake_usb_model *model;
static void *model_ctx;
static struct usb_device device;
static size_t controls;

struct usb_device *fake_usb_attach(const struct fake_usb_model *m, void *ctx, const uint8_t *config, size_t config_len)
{
    model = m;
    model_ctx = ctx;
    controls = 0;
    memset(&device, 0, sizeof device);
    device.present = true;
    device.addr = 2;
    device.speed = USB_SPEED_HIGH;
    device.ep0 = (struct usb_pipe){ .dev_addr = 2, .ep_type = USB_EP_TYPE_CONTROL, .mps = 64 };
    if (config_len > sizeof device.config) {
        config_len = sizeof device.config;
    }
    memcpy(device.config, config, config_len);
    device.config_len = config_len;
    return &device;
}

size_t fake_usb_control_count(void)
{
    return controls;
}

int usb_control(struct usb_device *dev, uint8_t req_type, uint8_t request, uint16_t value, uint16_t index, void *data,
                uint16_t len, size_t *actual)
{
    if (dev == NULL || !dev->present) {
        return -USB_EINVAL;
    }
    controls++;
    uint8_t setup[8] = { req_type,       request,
                         (uint8_t)value, (uint8_t)(value >> 8),
                         (uint8_t)index, (uint8_t)(index >> 8),
                         (uint8_t)len,   (uint8_t)(len >> 8) };
    size_t got = 0;
    int err = model->control(model_ctx, setup, data, len, &got);
    if (actual) {
        *actual = err == 0 ? got : 0;
    }
    return err;
}

int usb_get_string(struct usb_device *dev, uint8_t index, char *out, size_t out_size)
{
    uint8_t buf[255];
    size_t got = 0;
    int err = usb_control(dev, USB_RT_IN, USB_REQ_GET_DESCRIPTOR, (uint16_t)(USB_DT_STRING << 8 | index),
                          USB_LANG_EN_US, buf, sizeof buf, &got);
    if (err != 0) {
        return err;
    }
    int n = usb_desc_string_to_ascii(buf, got, out, out_size);
    return n < 0 ? -USB_EDESC : n;
}

int usb_set_interface(struct usb_device *dev, uint8_t intf, uint8_t alt)
{
    return usb_control(dev, USB_RT_INTERFACE, USB_REQ_SET_INTERFACE, alt, intf, NULL, 0, NULL);
}

int usb_clear_halt(struct usb_device *dev, struct usb_pipe *pipe)
{
    pipe->toggle = 0;
    return usb_control(dev, USB_RT_ENDPOINT, USB_REQ_CLEAR_FEATURE, 0,
                       (uint16_t)(pipe->ep_num | (pipe->in ? USB_EP_DIR_IN : 0)), NULL, 0, NULL);
}

void usb_pipe_init(struct usb_device *dev, const struct usb_endpoint_desc *ep, struct usb_pipe *pipe)
{
    *pipe = dev->ep0;
    pipe->ep_num = ep->address & USB_EP_NUM_MASK;
    pipe->in = (ep->address & USB_EP_DIR_IN) != 0;
    pipe->ep_type = ep->attributes & USB_EP_TYPE_MASK;
    pipe->mps = ep->max_packet;
}

int usb_transfer(struct usb_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us)
{
    (void)timeout_us;
    size_t got = len;
    int err =
        pipe->in ? model->in(model_ctx, pipe->ep_num, data, len, &got) : model->out(model_ctx, pipe->ep_num, data, len);
    if (actual) {
        *actual = err == 0 ? got : 0;
    }
    return err;
}

/* An asynchronous transfer only remembers its pipe and size; the model is asked at each poll. */
struct pending {
    struct usb_async *owner;
    struct usb_pipe *pipe;
    size_t len;
    bool held; /* done, its data lent by usb_async_poll_held() */
    uint8_t data[FAKE_USB_XFER_MAX];
};
static struct pending pendings[8];
/* What a lent buffer holds once given back, so a driver that reads it after usb_async_release() is caught. */
#define RELEASED_FILL 0xA5u

static struct pending *find(const struct usb_async *a)
{
    for (size_t i = 0; i < sizeof pendings / sizeof pendings[0]; i++) {
        if (pendings[i].owner == a) {
            return &pendings[i];
        }
    }
    return NULL;
}

int usb_async_submit(struct usb_async *a, struct usb_pipe *pipe, const void *data, size_t len)
{
    (void)data;
    if (!pipe->in || find(a) != NULL) {
        return -USB_EINVAL;
    }
    struct pending *p = find(NULL);
    if (p == NULL) {
        return -USB_EBUSY;
    }
    p->owner = a;
    p->pipe = pipe;
    p->len = len;
    p->held = false;
    a->active = true;
    return 0;
}

int usb_async_poll(struct usb_async *a, void *buf, size_t size, size_t *actual)
{
    struct pending *p = find(a);
    if (p == NULL || p->held) {
        return -USB_EINVAL;
    }
    uint8_t tmp[FAKE_USB_XFER_MAX];
    size_t got = 0;
    int err = model->in(model_ctx, p->pipe->ep_num, tmp, p->len, &got);
    if (err == -USB_ENAK && p->pipe->ep_type == USB_EP_TYPE_BULK) {
        return USB_IN_PROGRESS;
    }
    p->owner = NULL;
    a->active = false;
    if (err != 0) {
        return err;
    }
    size_t n = got < size ? got : size;
    memcpy(buf, tmp, n);
    if (actual) {
        *actual = n;
    }
    return 0;
}

int usb_async_poll_held(struct usb_async *a, const uint8_t **data, size_t *actual)
{
    *data = NULL;
    *actual = 0;
    struct pending *p = find(a);
    if (p == NULL || p->held) {
        return -USB_EINVAL;
    }
    size_t got = 0;
    int err = model->in(model_ctx, p->pipe->ep_num, p->data, p->len, &got);
    if (err == -USB_ENAK && p->pipe->ep_type == USB_EP_TYPE_BULK) {
        return USB_IN_PROGRESS;
    }
    if (err != 0) {
        p->owner = NULL;
        a->active = false;
        return err;
    }
    p->held = true;
    *data = p->data;
    *actual = got;
    return 0;
}

void usb_async_release(struct usb_async *a)
{
    struct pending *p = find(a);
    if (p != NULL && p->held) {
        memset(p->data, RELEASED_FILL, sizeof p->data);
        p->owner = NULL;
        a->active = false;
    }
}

void usb_async_cancel(struct usb_async *a)
{
    struct pending *p = find(a);
    if (p != NULL) {
        memset(p->data, RELEASED_FILL, sizeof p->data);
        p->owner = NULL;
    }
    a->active = false;
}

bool usb_async_busy(const struct usb_async *a)
{
    return a->active;
}
