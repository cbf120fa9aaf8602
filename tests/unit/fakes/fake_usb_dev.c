#include "fake_usb_dev.h"

#include <string.h>

#include "drivers/usb/dwc2.h"
#include "fake_dma.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

/* USB 2.0 tables 9-2, 9-4 and 9-5. */
#define RT_IN                 0x80u
#define RT_TYPE_MASK          0x60u
#define RT_STANDARD           0x00u
#define RT_RECIPIENT_MASK     0x1Fu
#define RT_ENDPOINT           0x02u
#define REQ_GET_STATUS        0x00u
#define REQ_CLEAR_FEATURE     0x01u
#define REQ_SET_ADDRESS       0x05u
#define REQ_GET_DESCRIPTOR    0x06u
#define REQ_SET_CONFIGURATION 0x09u
#define REQ_SET_INTERFACE     0x0Bu
#define DT_DEVICE             1u
#define DT_CONFIG             2u
#define DT_STRING             3u
#define DEVICE_DESC_SIZE      18u
#define DEVICE_I_PRODUCT      15u /* offset of iProduct in the device descriptor */
#define CONFIG_VALUE          5u  /* offset of bConfigurationValue in a configuration descriptor */
#define LANG_EN_US            0x0409u
#define FEATURE_ENDPOINT_HALT 0u
#define EP_NUM_MASK           0x0Fu
#define EP_DIR_IN             0x80u
#define STRING_DESC_MAX       255u
#define STALL                 (-1)
#define BUS_ALIAS             0xC0000000u /* fake_dwc2's: a BCM2836/7 */
#define CONNECT_TIMEOUT_US    100000u

void fake_usb_dev_bus_init(struct fake_dwc2 *m, uint64_t clock_step_us)
{
    fake_systimer_reset();
    fake_systimer_set_step(clock_step_us);
    fake_dma_reset();
    fake_dwc2_init(m);
    fake_mmio_set_log_recycle(true);
}

int fake_usb_dev_reset_root(struct fake_dwc2 *m, uint8_t *speed)
{
    if (!m->host_mode) {
        int err = dwc2_init(FAKE_DWC2_BASE, BUS_ALIAS);
        if (err != 0) {
            return err;
        }
    }
    enum usb_speed s = USB_SPEED_HIGH;
    int err = dwc2_port_reset(CONNECT_TIMEOUT_US, &s);
    *speed = (uint8_t)s;
    return err;
}

void fake_usb_dev_init(struct fake_usb_dev *d, const uint8_t device[18])
{
    memset(d, 0, sizeof *d);
    d->device = device;
}

void fake_usb_dev_add_config(struct fake_usb_dev *d, const uint8_t *config, size_t len)
{
    if (d->config_count < FAKE_USB_DEV_CONFIGS) {
        d->configs[d->config_count] = config;
        d->config_len[d->config_count] = len;
        d->config_count++;
    }
}

static int reply(const void *desc, size_t n, uint8_t *data, size_t len, size_t *actual)
{
    *actual = n < len ? n : len;
    memcpy(data, desc, *actual);
    return 0;
}

/* String descriptor index (0: the language list) as UTF-16LE. */
static int string_desc(const struct fake_usb_dev *d, uint8_t index, uint8_t *data, size_t len, size_t *actual)
{
    uint8_t buf[STRING_DESC_MAX];
    size_t n = 2;
    if (index == 0) {
        buf[n++] = (uint8_t)LANG_EN_US;
        buf[n++] = (uint8_t)(LANG_EN_US >> 8);
    } else if (d->product != NULL && index == d->device[DEVICE_I_PRODUCT]) {
        for (const char *c = d->product; *c != '\0' && n + 2 <= sizeof buf; c++) {
            buf[n++] = (uint8_t)*c;
            buf[n++] = 0;
        }
    } else {
        return STALL;
    }
    buf[0] = (uint8_t)n;
    buf[1] = DT_STRING;
    return reply(buf, n, data, len, actual);
}

static int standard_request(struct fake_usb_dev *d, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    uint8_t type = setup[3], index = setup[2];
    if (setup[0] == RT_IN && setup[1] == REQ_GET_DESCRIPTOR) {
        if (type == DT_DEVICE) {
            return reply(d->device, DEVICE_DESC_SIZE, data, len, actual);
        }
        if (type == DT_CONFIG && index < d->config_count) {
            return reply(d->configs[index], d->config_len[index], data, len, actual);
        }
        if (type == DT_STRING) {
            return string_desc(d, index, data, len, actual);
        }
        return STALL;
    }
    if ((setup[0] & RT_IN) && setup[1] == REQ_GET_STATUS) {
        static const uint8_t status[2];
        return reply(status, sizeof status, data, len, actual);
    }
    if (setup[0] == RT_STANDARD && setup[1] == REQ_SET_ADDRESS) {
        return 0; /* fake_dwc2 moves the device after the status stage */
    }
    if (setup[0] == RT_STANDARD && setup[1] == REQ_SET_CONFIGURATION) {
        for (unsigned i = 0; i < d->config_count; i++) {
            if (setup[2] == 0 || setup[2] == d->configs[i][CONFIG_VALUE]) {
                d->configuration = setup[2];
                return 0;
            }
        }
        return STALL;
    }
    if ((setup[0] & RT_RECIPIENT_MASK) == RT_ENDPOINT && setup[1] == REQ_CLEAR_FEATURE) {
        /* USB 2.0 9.4.5: clearing ENDPOINT_HALT resets the endpoint's data toggle to DATA0. */
        uint8_t ep = setup[4];
        if (setup[2] == FEATURE_ENDPOINT_HALT && (ep & EP_NUM_MASK) != 0) {
            fake_dwc2_device_ep(d->m, d->index, ep & EP_NUM_MASK, (ep & EP_DIR_IN) != 0)->toggle = 0;
        }
        return 0;
    }
    if (setup[1] == REQ_SET_INTERFACE) {
        return 0;
    }
    return STALL;
}

/* A fake_dwc2_request_fn; ctx is the struct fake_usb_dev. */
static int request(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    struct fake_usb_dev *d = ctx;
    if (d->requests < FAKE_USB_DEV_LOG) {
        struct fake_usb_dev_request *r = &d->log[d->requests];
        memcpy(r->setup, setup, sizeof r->setup);
        r->addr = fake_dwc2_device_addr(d->m, d->index);
        r->at_us = fake_systimer_peek();
    }
    d->requests++;
    if (d->handler != NULL) {
        int r = d->handler(d->handler_ctx, setup, data, len, actual);
        if (r != FAKE_USB_DEV_PASS) {
            return r;
        }
    }
    if ((setup[0] & RT_TYPE_MASK) != RT_STANDARD) {
        return STALL;
    }
    size_t ignored;
    return standard_request(d, setup, data, len, actual != NULL ? actual : &ignored);
}

unsigned fake_usb_dev_attach(struct fake_dwc2 *m, struct fake_usb_dev *d, uint64_t connect_at_us)
{
    d->m = m;
    d->index = fake_dwc2_attach_device(m, request, d, connect_at_us);
    return d->index;
}

unsigned fake_usb_dev_add(struct fake_dwc2 *m, struct fake_usb_dev *d)
{
    d->m = m;
    d->index = fake_dwc2_add_device(m, request, d);
    return d->index;
}

const struct fake_usb_dev_request *fake_usb_dev_find(const struct fake_usb_dev *d, uint8_t req_type,
                                                     uint8_t request_code, size_t n)
{
    size_t logged = d->requests < FAKE_USB_DEV_LOG ? d->requests : FAKE_USB_DEV_LOG;
    for (size_t i = 0; i < logged; i++) {
        if (d->log[i].setup[0] == req_type && d->log[i].setup[1] == request_code && n-- == 0) {
            return &d->log[i];
        }
    }
    return NULL;
}

size_t fake_usb_dev_count(const struct fake_usb_dev *d, uint8_t req_type, uint8_t request_code)
{
    size_t n = 0;
    while (fake_usb_dev_find(d, req_type, request_code, n) != NULL) {
        n++;
    }
    return n;
}
