#include "fake_usb_hub.h"

#include <string.h>

#include "fake_systimer.h"

/* Class requests (USB 2.0 table 11-15) and their bmRequestType (table 11-15's first column). */
#define RT_HUB_IN          0xA0u
#define RT_PORT_IN         0xA3u
#define RT_PORT_OUT        0x23u
#define REQ_GET_STATUS     0x00u
#define REQ_CLEAR_FEATURE  0x01u
#define REQ_SET_FEATURE    0x03u
#define REQ_GET_DESCRIPTOR 0x06u
#define DT_HUB             0x29u
#define PORT_STATUS_SIZE   4u
#define STATUS_EP          1u
#define STALL              (-1)
/* Port change bits that the hub reports on its status change endpoint. */
#define CHANGE_MASK 0x1Fu
#define SPEED_BITS  (FAKE_USB_HUB_PORT_LOW_SPEED | FAKE_USB_HUB_PORT_HIGH_SPEED)

/* Hub class 9, protocol 1 (one TT) at high speed, 0 at full speed; ep0 64 bytes; 0424:2514. */
/* clang-format off */
static const uint8_t hub_device[18] = {
    18, 1, 0x00, 0x02, 0x09, 0x00, 0x01, 64, 0x24, 0x04, 0x14, 0x25, 0x00, 0x0b, 0, 0, 0, 1,
};
/* clang-format on */
/* One interface of class 9 with the status change endpoint IN 1 (interrupt, 2 bytes, bInterval 12). */
/* clang-format off */
static const uint8_t hub_config[25] = {
    9, 2, 25, 0, 1, 1, 0, 0xe0, 1,
    9, 4, 0, 0, 1, 0x09, 0x00, 0x00, 0,
    7, 5, 0x81, 0x03, 2, 0, 12,
};
/* clang-format on */
#define CONFIG_TOTAL_LSB 2u
#define INTF_NUM_EPS     (9u + 4u) /* bNumEndpoints of the interface */
#define CONFIG_NO_EP_LEN 18u       /* configuration and interface, no endpoint */
#define DEVICE_PROTOCOL  6u
/* Hub descriptor (USB 2.0 11.23.2.1): ports individually powered, bPwrOn2PwrGood, no device non-removable. */
static const uint8_t hub_descriptor[9] = { 9, DT_HUB, 0, 0x09, 0x00, 0, 0, 0x00, 0xff };
#define HUB_NUM_PORTS  2u
#define HUB_PWR_ON_2MS 5u

static void port_update(struct fake_usb_hub *h, uint8_t n)
{
    struct fake_usb_hub_port *p = &h->port[n];
    uint64_t now = fake_systimer_peek();
    bool connected = p->dev >= 0 && (p->status & FAKE_USB_HUB_PORT_POWER) != 0;
    if (connected && !(p->status & FAKE_USB_HUB_PORT_CONNECTION)) {
        p->status |= FAKE_USB_HUB_PORT_CONNECTION;
        p->change |= FAKE_USB_HUB_C_CONNECTION;
    } else if (!connected && (p->status & FAKE_USB_HUB_PORT_CONNECTION)) {
        p->status &= (uint16_t) ~(FAKE_USB_HUB_PORT_CONNECTION | FAKE_USB_HUB_PORT_ENABLE | FAKE_USB_HUB_PORT_RESET |
                                  SPEED_BITS);
        p->change |= FAKE_USB_HUB_C_CONNECTION;
    }
    if ((p->status & FAKE_USB_HUB_PORT_RESET) && !p->reset_hangs && now >= p->reset_end_us) {
        p->status &= (uint16_t)~FAKE_USB_HUB_PORT_RESET;
        p->change |= FAKE_USB_HUB_C_RESET;
        p->reset_done_us = now;
        if (!p->never_enables) {
            static const uint16_t speed_bits[] = {
                [FAKE_USB_HUB_FULL] = 0,
                [FAKE_USB_HUB_LOW] = FAKE_USB_HUB_PORT_LOW_SPEED,
                [FAKE_USB_HUB_HIGH] = FAKE_USB_HUB_PORT_HIGH_SPEED,
            };
            p->status |= (uint16_t)(FAKE_USB_HUB_PORT_ENABLE | speed_bits[p->speed]);
            fake_dwc2_device_reset(h->m, (unsigned)p->dev, true);
        }
    }
}

static void port_lost(struct fake_usb_hub *h, uint8_t n)
{
    struct fake_usb_hub_port *p = &h->port[n];
    if (p->dev >= 0) {
        fake_dwc2_device_reset(h->m, (unsigned)p->dev, false);
    }
    port_update(h, n);
}

static int port_set_feature(struct fake_usb_hub *h, uint8_t n, uint16_t feature)
{
    struct fake_usb_hub_port *p = &h->port[n];
    switch (feature) {
    case FAKE_USB_HUB_FEAT_POWER:
        if (!(p->status & FAKE_USB_HUB_PORT_OVER_CURRENT)) {
            p->status |= FAKE_USB_HUB_PORT_POWER;
        }
        p->powers++;
        p->powered_at_us = fake_systimer_peek();
        h->first_status_us = 0;
        port_update(h, n);
        return 0;
    case FAKE_USB_HUB_FEAT_RESET:
        p->resets++;
        if (p->status & FAKE_USB_HUB_PORT_CONNECTION) {
            p->status = (uint16_t)((p->status & ~(FAKE_USB_HUB_PORT_ENABLE | SPEED_BITS)) | FAKE_USB_HUB_PORT_RESET);
            p->reset_end_us = fake_systimer_peek() + FAKE_USB_HUB_RESET_US;
            fake_dwc2_device_reset(h->m, (unsigned)p->dev, false);
        }
        return 0;
    default: return STALL;
    }
}

static int port_clear_feature(struct fake_usb_hub *h, uint8_t n, uint16_t feature)
{
    struct fake_usb_hub_port *p = &h->port[n];
    if (feature < FAKE_USB_HUB_FEATURES) {
        p->cleared[feature]++;
    }
    if (feature >= FAKE_USB_HUB_FEAT_C_CONNECTION && feature <= FAKE_USB_HUB_FEAT_C_RESET) {
        p->change &= (uint16_t) ~(1u << (feature - FAKE_USB_HUB_FEAT_C_CONNECTION));
        return 0;
    }
    if (feature == FAKE_USB_HUB_FEAT_POWER) {
        p->status &= (uint16_t)~FAKE_USB_HUB_PORT_POWER;
        port_lost(h, n);
        return 0;
    }
    return STALL;
}

/* The hub's class requests; standard ones go to its fake_usb_dev. */
static int hub_request(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    struct fake_usb_hub *h = ctx;
    uint16_t value = (uint16_t)(setup[2] | setup[3] << 8), index = (uint16_t)(setup[4] | setup[5] << 8);
    if (setup[0] == RT_HUB_IN && setup[1] == REQ_GET_DESCRIPTOR && setup[3] == DT_HUB) {
        *actual = sizeof h->hub_desc < len ? sizeof h->hub_desc : len;
        memcpy(data, h->hub_desc, *actual);
        return 0;
    }
    if (setup[0] != RT_PORT_IN && setup[0] != RT_PORT_OUT) {
        return FAKE_USB_DEV_PASS;
    }
    if (index == 0 || index > h->ports) {
        return STALL;
    }
    uint8_t n = (uint8_t)index;
    if (setup[0] == RT_PORT_IN && setup[1] == REQ_GET_STATUS && len == PORT_STATUS_SIZE) {
        if (h->first_status_us == 0) {
            h->first_status_us = fake_systimer_peek();
        }
        port_update(h, n);
        const struct fake_usb_hub_port *p = &h->port[n];
        data[0] = (uint8_t)p->status;
        data[1] = (uint8_t)(p->status >> 8);
        data[2] = (uint8_t)p->change;
        data[3] = (uint8_t)(p->change >> 8);
        *actual = PORT_STATUS_SIZE;
        return 0;
    }
    if (setup[0] == RT_PORT_OUT && setup[1] == REQ_SET_FEATURE) {
        return port_set_feature(h, n, value);
    }
    if (setup[0] == RT_PORT_OUT && setup[1] == REQ_CLEAR_FEATURE) {
        return port_clear_feature(h, n, value);
    }
    return STALL;
}

void fake_usb_hub_init(struct fake_usb_hub *h, uint8_t ports, bool high_speed, uint8_t pwr_on_2ms, bool status_ep)
{
    memset(h, 0, sizeof *h);
    h->ports = ports > FAKE_USB_HUB_PORTS ? (uint8_t)FAKE_USB_HUB_PORTS : ports;
    h->status_ep = status_ep;
    memcpy(h->device_desc, hub_device, sizeof h->device_desc);
    h->device_desc[DEVICE_PROTOCOL] = high_speed ? 1u : 0u;
    memcpy(h->config, hub_config, sizeof h->config);
    size_t config_len = sizeof h->config;
    if (!status_ep) {
        config_len = CONFIG_NO_EP_LEN;
        h->config[CONFIG_TOTAL_LSB] = (uint8_t)config_len;
        h->config[INTF_NUM_EPS] = 0;
    }
    memcpy(h->hub_desc, hub_descriptor, sizeof h->hub_desc);
    h->hub_desc[HUB_NUM_PORTS] = h->ports;
    h->hub_desc[HUB_PWR_ON_2MS] = pwr_on_2ms;
    for (unsigned n = 0; n <= FAKE_USB_HUB_PORTS; n++) {
        h->port[n].dev = -1;
    }
    fake_usb_dev_init(&h->dev, h->device_desc);
    fake_usb_dev_add_config(&h->dev, h->config, config_len);
    h->dev.handler = hub_request;
    h->dev.handler_ctx = h;
}

unsigned fake_usb_hub_attach(struct fake_dwc2 *m, struct fake_usb_hub *h, uint64_t connect_at_us)
{
    h->m = m;
    m->speed = h->device_desc[DEVICE_PROTOCOL] ? FAKE_DWC2_HIGH : FAKE_DWC2_FULL;
    return fake_usb_dev_attach(m, &h->dev, connect_at_us);
}

unsigned fake_usb_hub_add(struct fake_dwc2 *m, struct fake_usb_hub *h)
{
    h->m = m;
    return fake_usb_dev_add(m, &h->dev);
}

void fake_usb_hub_plug(struct fake_usb_hub *h, uint8_t port, unsigned dev, enum fake_usb_hub_speed speed)
{
    h->port[port].dev = (int)dev;
    h->port[port].speed = speed;
    port_update(h, port);
}

void fake_usb_hub_unplug(struct fake_usb_hub *h, uint8_t port)
{
    port_lost(h, port);
    h->port[port].dev = -1;
    port_update(h, port);
}

void fake_usb_hub_set_overcurrent(struct fake_usb_hub *h, uint8_t port, bool active)
{
    struct fake_usb_hub_port *p = &h->port[port];
    if (active == ((p->status & FAKE_USB_HUB_PORT_OVER_CURRENT) != 0)) {
        return;
    }
    p->change |= FAKE_USB_HUB_C_OVER_CURRENT;
    if (active) {
        p->status = (uint16_t)((p->status | FAKE_USB_HUB_PORT_OVER_CURRENT) & ~FAKE_USB_HUB_PORT_POWER);
        port_lost(h, port);
    } else {
        p->status &= (uint16_t)~FAKE_USB_HUB_PORT_OVER_CURRENT;
    }
}

void fake_usb_hub_tick(struct fake_usb_hub *h)
{
    uint8_t bitmap[(FAKE_USB_HUB_PORTS + 1u + 7u) / 8u] = { 0 };
    bool any = false;
    for (uint8_t n = 1; n <= h->ports; n++) {
        port_update(h, n);
        if (h->port[n].change & CHANGE_MASK) {
            bitmap[n / 8u] |= (uint8_t)(1u << (n % 8u));
            any = true;
        }
    }
    if (!any || !h->status_ep || h->m == NULL) {
        return;
    }
    struct fake_dwc2_ep *ep = fake_dwc2_device_ep(h->m, h->dev.index, STATUS_EP, true);
    if (ep != NULL && ep->in_ended) {
        fake_dwc2_set_in(ep, bitmap, (h->ports + 1u + 7u) / 8u);
        h->announcements++;
    }
}
