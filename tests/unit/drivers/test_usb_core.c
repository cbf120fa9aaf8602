/* Unit tests for drivers/usb/usb_core: enumeration of a device on the register-level DWC2 model
 * (tests/unit/fakes/fake_dwc2) that answers chapter 9 from its descriptors (tests/unit/fakes/fake_usb_dev): the order of the
 * requests and the addresses they reach, endpoint 0's packet size, SET_ADDRESS recovery, the configuration a
 * driver matches, probe results, refused requests, silent and failing devices, malformed and oversized
 * descriptors, the limits on devices and nesting, removal of a subtree, the keepalive and the tree listing.
 *
 * The tests speak to usb_core only through its public functions; the controller is brought up once in
 * reset_root_port(). Built -no-pie like test_usb_dwc2 (the controller's DMA buffers need 32-bit addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/systimer.h"
#include "drivers/usb/dwc2.h"
#include "drivers/usb/usb_core.h"
#include "fake_dma.h"
#include "fake_dwc2.h"
#include "fake_mmio.h"
#include "fake_systimer.h"
#include "fake_usb_dev.h"
#include "fake_usb_widget.h"
#include "stdout_capture.h"
#include "usb_desc_vectors.h"

#define RT_DEVICE_IN        (USB_RT_IN | USB_RT_STANDARD | USB_RT_DEVICE)
#define RT_DEVICE_OUT       (USB_RT_STANDARD | USB_RT_DEVICE)
#define TRANSFER_TIMEOUT_US 20000u
/* USB 2.0 9.2.6.3: the device may ignore its new address for 2 ms after SET_ADDRESS. */
#define SET_ADDRESS_RECOVERY_US 2000u

static struct fake_dwc2 m;
static struct fake_usb_dev dev;

/* clang-format off */
static const struct usb_device_id ecm_ids[] = {
    { .by_class = true, .if_class = USB_CLASS_COMM, .if_subclass = USB_CDC_SUBCLASS_ECM },
};
/* clang-format on */
static const struct usb_driver ecm_driver = {
    .name = "ecm",
    .ids = ecm_ids,
    .id_count = 1,
    .probe = fake_usb_widget_probe,
    .remove = fake_usb_widget_remove,
};
static const struct usb_driver *const drivers[] = { &fake_usb_widget_driver, &ecm_driver };

static unsigned keepalives;

static void keepalive(void)
{
    keepalives++;
}

static int setup(void **state)
{
    (void)state;
    fake_usb_dev_bus_init(&m, 10);
    fake_usb_widget_reset();
    keepalives = 0;
    usb_core_init(&dwc2_hc_ops, drivers, sizeof drivers / sizeof drivers[0]);
    usb_core_set_keepalive(keepalive);
    fake_usb_dev_init(&dev, fake_usb_widget_device);
    fake_usb_dev_add_config(&dev, fake_usb_widget_config, sizeof fake_usb_widget_config);
    dev.product = "Widget";
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end();
    usb_core_set_keepalive(NULL);
    const char *fault = fake_dwc2_fault(&m);
    if (fault != NULL) {
        fail_msg("%s", fault);
    }
    return 0;
}

/* The root port reset, as the board does before it enumerates: the device answers at address 0 afterwards.
 * Returns the port's speed for usb_core_enumerate(). */
static uint8_t reset_root_port(void)
{
    uint8_t speed;
    assert_int_equal(fake_usb_dev_reset_root(&m, &speed), 0);
    return speed;
}

/* The device on the root port at the given speed, reset and enumerated; returns usb_core_enumerate()'s result. */
static int enumerate_root(enum fake_dwc2_speed speed, struct usb_device **out)
{
    if (!m.device) {
        fake_usb_dev_attach(&m, &dev, 0);
    }
    m.speed = speed;
    return usb_core_enumerate(NULL, 0, reset_root_port(), out);
}

/* Whether the request at log index i is a standard device request with this bRequest, wValue and wLength. */
static void assert_request(size_t i, uint8_t req_type, uint8_t request, uint16_t value, uint16_t length)
{
    assert_true(i < dev.requests);
    const uint8_t *s = dev.log[i].setup;
    if (s[0] != req_type || s[1] != request || (s[2] | s[3] << 8) != value || (s[6] | s[7] << 8) != length) {
        fail_msg("request %zu: %02x %02x value %04x length %u, want %02x %02x value %04x length %u", i, s[0], s[1],
                 s[2] | s[3] << 8, s[6] | s[7] << 8, req_type, request, value, length);
    }
}

/* ---- a good device ---- */

static void test_enumeration_reads_descriptors_addresses_and_configures(void **state)
{
    (void)state;
    struct usb_device *d = NULL;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
    assert_non_null(d);
    assert_true(d->present);

    /* USB 2.0 9.1.2: 8 bytes of the device descriptor at address 0, then SET_ADDRESS, then everything else at
     * the new address: the whole device descriptor, the product string, the configuration's first 9 bytes and
     * then all of it, SET_CONFIGURATION. */
    assert_request(0, RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 8);
    assert_request(1, RT_DEVICE_OUT, USB_REQ_SET_ADDRESS, 1, 0);
    assert_request(2, RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, USB_DT_DEVICE_SIZE);
    assert_request(3, RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_STRING << 8 | fake_usb_widget_device[15], 255);
    assert_int_equal(dev.log[3].setup[4] | dev.log[3].setup[5] << 8, USB_LANG_EN_US);
    assert_request(4, RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, USB_DT_CONFIG_SIZE);
    assert_request(5, RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, sizeof fake_usb_widget_config);
    assert_request(6, RT_DEVICE_OUT, USB_REQ_SET_CONFIGURATION, FAKE_USB_WIDGET_CONFIG, 0);
    assert_int_equal(dev.requests, 7);
    assert_int_equal(dev.log[0].addr, 0);
    assert_int_equal(dev.log[1].addr, 0);
    for (size_t i = 2; i < dev.requests; i++) {
        assert_int_equal(dev.log[i].addr, 1);
    }
    /* The device got its 2 ms of SET_ADDRESS recovery before it was spoken to at the new address. */
    assert_true(dev.log[2].at_us - dev.log[1].at_us >= SET_ADDRESS_RECOVERY_US);

    assert_int_equal(d->addr, 1);
    assert_int_equal(fake_dwc2_device_addr(&m, dev.index), 1);
    assert_int_equal(d->desc.vendor, FAKE_USB_WIDGET_VENDOR);
    assert_int_equal(d->desc.product, FAKE_USB_WIDGET_PRODUCT);
    assert_string_equal(d->product, "Widget");
    assert_string_equal(usb_speed_name(d->speed), "high");
    assert_null(d->parent);
    assert_int_equal(d->depth, 0);
    assert_int_equal(d->config_len, sizeof fake_usb_widget_config);
    assert_memory_equal(d->config, fake_usb_widget_config, sizeof fake_usb_widget_config);
    assert_int_equal(d->config_value, FAKE_USB_WIDGET_CONFIG);
    assert_int_equal(dev.configuration, FAKE_USB_WIDGET_CONFIG);

    /* Bound to the driver that matched vendor/product, with the configuration's first interface. */
    assert_int_equal(fake_usb_widget.probes, 1);
    assert_ptr_equal(fake_usb_widget.probed, d);
    assert_ptr_equal(d->driver, &fake_usb_widget_driver);
    assert_int_equal(d->driver_err, 0);
    assert_int_equal(fake_usb_widget.intf.if_class, 0xff);
    assert_int_equal(fake_usb_widget.intf.if_subclass, 0x01);
    assert_ptr_equal(usb_core_device_at(0), d);
    assert_null(usb_core_device_at(1));
}

/* Endpoint 0's packet size: 8 at low speed from the start, 64 before the device says otherwise at full and high
 * speed, then the device's bMaxPacketSize0 for everything after the first 8-byte read. */
static void test_ep0_packet_size_follows_the_device(void **state)
{
    static const struct {
        enum fake_dwc2_speed speed;
        uint8_t mps0;
        uint16_t first_mps;
        bool low;
    } cases[] = {
        { FAKE_DWC2_HIGH, 64, 64, false },
        { FAKE_DWC2_FULL, 8, 64, false },
        { FAKE_DWC2_FULL, 32, 64, false },
        { FAKE_DWC2_LOW, 8, 8, true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        uint8_t device[18];
        memcpy(device, fake_usb_widget_device, sizeof device);
        device[7] = cases[i].mps0;
        dev.device = device;
        struct usb_device *d = NULL;
        assert_int_equal(enumerate_root(cases[i].speed, &d), 0);
        assert_int_equal(d->addr, 1);
        assert_int_equal(m.log[0].mps, cases[i].first_mps);
        size_t later = 0;
        for (size_t k = 0; k < m.log_count && k < FAKE_DWC2_LOG; k++) {
            const struct fake_dwc2_xact *x = &m.log[k];
            assert_int_equal(x->low_speed, cases[i].low);
            if (x->dev_addr == 1) {
                assert_int_equal(x->mps, cases[i].mps0);
                later++;
            }
        }
        assert_true(later > 0);
        teardown(state);
    }
}

/* QEMU's usb-net: RNDIS first, CDC-ECM second. The core reads both and selects the one a driver takes. */
static void test_configuration_a_driver_matches_is_selected(void **state)
{
    (void)state;
    fake_usb_dev_init(&dev, vec_net_device);
    fake_usb_dev_add_config(&dev, vec_net_rndis_config, sizeof vec_net_rndis_config);
    fake_usb_dev_add_config(&dev, vec_net_ecm_config, sizeof vec_net_ecm_config);
    struct usb_device *d = NULL;
    assert_int_equal(enumerate_root(FAKE_DWC2_FULL, &d), 0);
    assert_ptr_equal(d->driver, &ecm_driver);
    assert_int_equal(d->config_value, vec_net_ecm_config[5]);
    assert_int_equal(dev.configuration, vec_net_ecm_config[5]);
    assert_int_equal(d->config_len, sizeof vec_net_ecm_config);
    assert_int_equal(fake_usb_widget.intf.if_class, USB_CLASS_COMM);
    assert_int_equal(fake_usb_widget.intf.if_subclass, USB_CDC_SUBCLASS_ECM);
    assert_int_equal(fake_usb_dev_count(&dev, RT_DEVICE_OUT, USB_REQ_SET_CONFIGURATION), 1);
}

/* No driver for any configuration: the device is configured with its first one and listed as such. */
static void test_device_without_driver_keeps_its_first_configuration(void **state)
{
    (void)state;
    static const struct usb_driver *const none[] = { &fake_usb_widget_driver };
    usb_core_init(&dwc2_hc_ops, none, 1);
    fake_usb_dev_init(&dev, vec_net_device);
    fake_usb_dev_add_config(&dev, vec_net_rndis_config, sizeof vec_net_rndis_config);
    fake_usb_dev_add_config(&dev, vec_net_ecm_config, sizeof vec_net_ecm_config);
    struct usb_device *d = NULL;
    assert_int_equal(enumerate_root(FAKE_DWC2_FULL, &d), 0);
    assert_non_null(d);
    assert_null(d->driver);
    assert_int_equal(fake_usb_widget.probes, 0);
    assert_int_equal(d->config_value, vec_net_rndis_config[5]);
    assert_int_equal(dev.configuration, vec_net_rndis_config[5]);
    assert_int_equal(d->config_len, sizeof vec_net_rndis_config);
    stdout_capture_begin();
    usb_core_print_tree();
    const char *out = stdout_capture_end();
    assert_non_null(strstr(out, "0525:a4a2"));
    assert_non_null(strstr(out, "no driver"));
}

static void test_failed_probe_leaves_the_device_unbound(void **state)
{
    (void)state;
    fake_usb_widget.probe_result = -USB_EIO;
    struct usb_device *d = NULL;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
    assert_int_equal(fake_usb_widget.probes, 1);
    assert_null(d->driver);
    assert_null(d->driver_data);
    assert_int_equal(d->driver_err, -USB_EIO);
    assert_int_equal(d->config_value, FAKE_USB_WIDGET_CONFIG);
    usb_core_poll();
    assert_int_equal(fake_usb_widget.polls, 0);
    stdout_capture_begin();
    usb_core_print_tree();
    const char *out = stdout_capture_end();
    assert_non_null(strstr(out, "probe failed"));
}

/* ---- devices that refuse, fail or say nonsense ---- */

static struct {
    uint8_t request, desc_type; /* the request refused; desc_type only for GET_DESCRIPTOR */
} refuse;

static int refusing(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    (void)ctx;
    (void)data;
    (void)len;
    (void)actual;
    bool match =
        setup[1] == refuse.request && (refuse.request != USB_REQ_GET_DESCRIPTOR || setup[3] == refuse.desc_type);
    return match ? -1 : FAKE_USB_DEV_PASS;
}

/* A STALLed request fails the enumeration with -USB_ESTALL and frees the device's slot, so that the next attempt
 * (after a port reset) starts over in it; a refused product string only leaves the name empty. */
static void test_refused_requests(void **state)
{
    static const struct {
        uint8_t request, desc_type;
        int want;
    } cases[] = {
        { USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE, -USB_ESTALL }, { USB_REQ_SET_ADDRESS, 0, -USB_ESTALL },
        { USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG, -USB_ESTALL }, { USB_REQ_SET_CONFIGURATION, 0, -USB_ESTALL },
        { USB_REQ_GET_DESCRIPTOR, USB_DT_STRING, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        refuse.request = cases[i].request;
        refuse.desc_type = cases[i].desc_type;
        dev.handler = refusing;
        struct usb_device *d = NULL;
        assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), cases[i].want);
        if (cases[i].want == 0) {
            assert_non_null(d);
            assert_string_equal(d->product, "");
            assert_ptr_equal(d->driver, &fake_usb_widget_driver);
            teardown(state);
            continue;
        }
        assert_null(d);
        assert_int_equal(fake_usb_widget.probes, 0);
        assert_false(usb_core_device_at(0)->present);
        dev.handler = NULL;
        assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
        assert_ptr_equal(d, usb_core_device_at(0));
        assert_null(usb_core_device_at(1));
        assert_ptr_equal(d->driver, &fake_usb_widget_driver);
        teardown(state);
    }
}

/* A device that never answers, or NAKs for ever, costs one control timeout per request, then the enumeration
 * gives up with -USB_ETIMEDOUT; transaction errors and babble fail it at once with -USB_EIO. */
static void test_silent_and_failing_devices(void **state)
{
    static const struct {
        enum fake_dwc2_answer answer;
        int want;
        bool waits;
    } cases[] = {
        { FAKE_DWC2_SILENT, -USB_ETIMEDOUT, true },
        { FAKE_DWC2_NAK, -USB_ETIMEDOUT, true },
        { FAKE_DWC2_XACTERR, -USB_EIO, false },
        { FAKE_DWC2_BABBLE, -USB_EIO, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        fake_usb_dev_attach(&m, &dev, 0);
        uint8_t speed = reset_root_port();
        struct fake_dwc2_ep *ep0 = fake_dwc2_device_ep(&m, dev.index, 0, false);
        fake_dwc2_script(ep0, FAKE_DWC2_ACK, 1); /* the SETUP goes through */
        fake_dwc2_script(ep0, cases[i].answer, FAKE_DWC2_FOREVER);
        uint64_t start = fake_systimer_peek();
        struct usb_device *d = NULL;
        assert_int_equal(usb_core_enumerate(NULL, 0, speed, &d), cases[i].want);
        uint64_t took = fake_systimer_peek() - start;
        assert_null(d);
        assert_false(usb_core_device_at(0)->present);
        if (cases[i].waits) {
            assert_true(took >= USB_CONTROL_TIMEOUT_US);
            assert_true(took < USB_CONTROL_TIMEOUT_US + USB_CONTROL_TIMEOUT_US / 2);
        } else {
            assert_true(took < USB_CONTROL_TIMEOUT_US / 10);
        }
        teardown(state);
    }
}

static struct {
    uint8_t type; /* descriptor replaced */
    const uint8_t *desc;
    size_t len;
} fake_desc;

static int falsifying(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    (void)ctx;
    if (setup[0] != RT_DEVICE_IN || setup[1] != USB_REQ_GET_DESCRIPTOR || setup[3] != fake_desc.type) {
        return FAKE_USB_DEV_PASS;
    }
    *actual = fake_desc.len < len ? fake_desc.len : len;
    memcpy(data, fake_desc.desc, *actual);
    return 0;
}

/* Descriptors are parsed, never trusted: each of these fails the enumeration with -USB_EDESC. */
static void test_malformed_descriptors(void **state)
{
    static const uint8_t mps0_zero[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 0, 0x34, 0x12, 0x78, 0x56, 0, 1, 0, 0, 0, 1 };
    static const uint8_t not_a_device[18] = {
        18, 2, 0x00, 0x02, 0, 0, 0, 64, 0x34, 0x12, 0x78, 0x56, 0, 1, 0, 0, 0, 1,
    };
    static const uint8_t total_too_short[] = { 9, 2, 5, 0, 1, 1, 0, 0x80, 50 };
    static const uint8_t not_a_config[] = { 9, 4, 25, 0, 1, 1, 0, 0x80, 50 };
    static const struct {
        uint8_t type;
        const uint8_t *desc;
        size_t len;
    } cases[] = {
        { USB_DT_DEVICE, mps0_zero, sizeof mps0_zero },
        { USB_DT_DEVICE, not_a_device, sizeof not_a_device },
        { USB_DT_DEVICE, fake_usb_widget_device, 12 }, /* the full read comes back short */
        { USB_DT_CONFIG, total_too_short, sizeof total_too_short },
        { USB_DT_CONFIG, not_a_config, sizeof not_a_config },
        { USB_DT_CONFIG, fake_usb_widget_config, 4 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(state);
        fake_desc.type = cases[i].type;
        fake_desc.desc = cases[i].desc;
        fake_desc.len = cases[i].len;
        dev.handler = falsifying;
        struct usb_device *d = NULL;
        if (enumerate_root(FAKE_DWC2_HIGH, &d) != -USB_EDESC) {
            fail_msg("case %zu: not refused as a bad descriptor", i);
        }
        assert_null(d);
        assert_int_equal(fake_usb_widget.probes, 0);
        assert_int_equal(fake_usb_dev_count(&dev, RT_DEVICE_OUT, USB_REQ_SET_CONFIGURATION), 0);
        teardown(state);
    }
}

/* A configuration longer than the core keeps is read up to USB_CONFIG_MAX and used as far as it goes. */
static void test_long_configuration_is_read_up_to_the_bound(void **state)
{
    (void)state;
    static uint8_t big[USB_CONFIG_MAX + 100];
    memset(big, 0, sizeof big);
    memcpy(big, fake_usb_widget_config, sizeof fake_usb_widget_config);
    big[2] = (uint8_t)sizeof big;
    big[3] = (uint8_t)(sizeof big >> 8);
    /* Padding after the interface: vendor descriptors of 10 bytes. */
    for (size_t at = sizeof fake_usb_widget_config; at + 10 <= sizeof big; at += 10) {
        big[at] = 10;
        big[at + 1] = 0xff;
    }
    dev.configs[0] = big;
    dev.config_len[0] = sizeof big;
    struct usb_device *d = NULL;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
    assert_request(5, RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, USB_CONFIG_MAX);
    assert_int_equal(d->config_len, USB_CONFIG_MAX);
    assert_ptr_equal(d->driver, &fake_usb_widget_driver);
    assert_int_equal(d->config_value, FAKE_USB_WIDGET_CONFIG);
}

/* ---- limits, removal, the tree ---- */

/* USB_MAX_DEVICES devices get distinct addresses; one more is refused before it is spoken to; a removed device's
 * slot is reused, with an address no present device has. */
static void test_device_limit(void **state)
{
    (void)state;
    struct usb_device *devs[USB_MAX_DEVICES];
    for (size_t i = 0; i < USB_MAX_DEVICES; i++) {
        assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &devs[i]), 0);
        assert_int_equal(devs[i]->addr, i + 1);
        assert_int_equal(fake_dwc2_device_addr(&m, dev.index), i + 1);
    }
    size_t asked = dev.requests;
    struct usb_device sentinel, *d = &sentinel;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), -USB_EFULL);
    assert_null(d);
    assert_int_equal(dev.requests, asked);

    usb_core_remove(devs[3]);
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
    assert_ptr_equal(d, devs[3]);
    for (size_t i = 0; i < USB_MAX_DEVICES; i++) {
        if (devs[i] != d) {
            assert_int_not_equal(devs[i]->addr, d->addr);
        }
    }
    assert_null(usb_core_device_at(USB_MAX_DEVICES));
}

/* Hubs nest USB_MAX_DEPTH - 1 deep below the root port (USB 2.0 4.1.1); a device deeper is refused unasked. */
static void test_nesting_limit(void **state)
{
    (void)state;
    struct usb_device *parent = NULL, *d = NULL;
    for (unsigned depth = 0; depth < USB_MAX_DEPTH; depth++) {
        m.speed = FAKE_DWC2_HIGH;
        if (!m.device) {
            fake_usb_dev_attach(&m, &dev, 0);
        }
        assert_int_equal(usb_core_enumerate(parent, parent ? 2u : 0u, reset_root_port(), &d), 0);
        assert_int_equal(d->depth, depth);
        assert_ptr_equal(d->parent, parent);
        parent = d;
    }
    size_t asked = dev.requests;
    assert_int_equal(usb_core_enumerate(parent, 2, reset_root_port(), &d), -USB_EFULL);
    assert_null(d);
    assert_int_equal(dev.requests, asked);
}

/* Removing a device removes everything behind it, children before their parent, and tells each bound driver;
 * removed devices get no polls and no transfers. */
static void test_remove_takes_the_subtree(void **state)
{
    (void)state;
    struct usb_device *root, *a, *b, *c, *other;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &root), 0);
    assert_int_equal(usb_core_enumerate(root, 1, reset_root_port(), &a), 0);
    assert_int_equal(usb_core_enumerate(a, 1, reset_root_port(), &b), 0);
    assert_int_equal(usb_core_enumerate(root, 2, reset_root_port(), &c), 0);
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &other), 0);
    usb_core_poll();
    assert_int_equal(fake_usb_widget.polls, 5);

    usb_core_remove(a);
    assert_int_equal(fake_usb_widget.removes, 2);
    assert_ptr_equal(fake_usb_widget.removed[0], b);
    assert_ptr_equal(fake_usb_widget.removed[1], a);
    assert_false(a->present);
    assert_false(b->present);
    assert_true(root->present && c->present && other->present);

    usb_core_remove(root);
    assert_int_equal(fake_usb_widget.removes, 4);
    assert_ptr_equal(fake_usb_widget.removed[2], c);
    assert_ptr_equal(fake_usb_widget.removed[3], root);
    usb_core_remove(root); /* twice: nothing more */
    assert_int_equal(fake_usb_widget.removes, 4);

    fake_usb_widget.polls = 0;
    usb_core_poll();
    assert_int_equal(fake_usb_widget.polls, 1);
    size_t asked = dev.requests;
    assert_int_equal(usb_control(b, RT_DEVICE_OUT, USB_REQ_SET_CONFIGURATION, 0, 0, NULL, 0, NULL), -USB_EINVAL);
    assert_int_equal(dev.requests, asked);
}

/* Addresses are handed out in turn up to 127 and then from 1 again, skipping those present devices hold. */
static void test_addresses_wrap_and_skip_those_in_use(void **state)
{
    (void)state;
    struct usb_device *kept, *d;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &kept), 0);
    assert_int_equal(kept->addr, 1);
    for (unsigned addr = 2; addr <= 127; addr++) {
        assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
        assert_int_equal(d->addr, addr);
        usb_core_remove(d);
    }
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
    assert_int_equal(d->addr, 2);
    assert_int_equal(fake_dwc2_device_addr(&m, dev.index), 2);
}

/* The calls class drivers make on a configured device: blocking and asynchronous bulk transfers on a pipe made from
 * an endpoint descriptor, a halted endpoint cleared (both toggles back to DATA0), SET_INTERFACE, strings. The
 * model checks every packet's DATA0/DATA1 (teardown). */
static void test_transfers_for_class_drivers(void **state)
{
    (void)state;
    struct usb_device *d;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
    struct usb_interface_desc intf;
    struct usb_endpoint_desc epd;
    assert_int_equal(usb_desc_interface_at(d->config, d->config_len, 0, &intf), 0);
    assert_int_equal(usb_desc_find_endpoint(d->config, d->config_len, &intf, USB_EP_TYPE_BULK, true, &epd), 0);
    struct usb_pipe pipe;
    usb_pipe_init(d, &epd, &pipe);
    struct fake_dwc2_ep *in = fake_dwc2_device_ep(&m, dev.index, 1, true);
    uint8_t data[700], buf[1024];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7u + 1u);
    }

    /* Two packets of 512 bytes at most, then one: the toggle is DATA1 on both sides afterwards. */
    size_t got = 0;
    fake_dwc2_set_in(in, data, sizeof data);
    assert_int_equal(usb_transfer(&pipe, buf, sizeof buf, &got, TRANSFER_TIMEOUT_US), 0);
    assert_int_equal(got, sizeof data);
    assert_memory_equal(buf, data, sizeof data);
    fake_dwc2_set_in(in, data, 100);
    assert_int_equal(usb_transfer(&pipe, buf, sizeof buf, &got, TRANSFER_TIMEOUT_US), 0);
    assert_int_equal(got, 100);

    /* Halted: cleared with CLEAR_FEATURE(ENDPOINT_HALT) on IN 1, and both sides start again at DATA0. */
    fake_dwc2_script(in, FAKE_DWC2_STALL, 1);
    assert_int_equal(usb_transfer(&pipe, buf, sizeof buf, &got, TRANSFER_TIMEOUT_US), -USB_ESTALL);
    assert_int_equal(usb_clear_halt(d, &pipe), 0);
    const struct fake_usb_dev_request *r =
        fake_usb_dev_find(&dev, USB_RT_STANDARD | USB_RT_ENDPOINT, USB_REQ_CLEAR_FEATURE, 0);
    assert_non_null(r);
    assert_int_equal(r->setup[2], USB_FEATURE_ENDPOINT_HALT);
    assert_int_equal(r->setup[4], epd.address);
    fake_dwc2_set_in(in, data, 100);
    assert_int_equal(usb_transfer(&pipe, buf, sizeof buf, &got, TRANSFER_TIMEOUT_US), 0);
    assert_int_equal(got, 100);

    /* Nothing to send: the endpoint NAKs until the deadline. */
    uint64_t start = fake_systimer_peek();
    assert_int_equal(usb_transfer(&pipe, buf, sizeof buf, &got, TRANSFER_TIMEOUT_US), -USB_ETIMEDOUT);
    assert_true(fake_systimer_peek() - start >= TRANSFER_TIMEOUT_US);

    /* Asynchronous: in progress while the endpoint NAKs, then done with the data, copied or lent. */
    struct usb_async a = { 0 };
    assert_int_equal(usb_async_submit(&a, &pipe, NULL, sizeof buf), 0);
    assert_true(usb_async_busy(&a));
    assert_int_equal(usb_async_poll(&a, buf, sizeof buf, &got), USB_IN_PROGRESS);
    fake_dwc2_set_in(in, data, 300);
    assert_int_equal(usb_async_poll(&a, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 300);
    assert_memory_equal(buf, data, 300);
    assert_false(usb_async_busy(&a));
    const uint8_t *lent = NULL;
    assert_int_equal(usb_async_submit(&a, &pipe, NULL, sizeof buf), 0);
    fake_dwc2_set_in(in, data + 1, 200);
    assert_int_equal(usb_async_poll_held(&a, &lent, &got), 0);
    assert_int_equal(got, 200);
    assert_memory_equal(lent, data + 1, 200);
    assert_true(usb_async_busy(&a));
    usb_async_release(&a);
    assert_false(usb_async_busy(&a));
    /* Cancelled while the endpoint NAKs: the channel is halted and free. */
    assert_int_equal(usb_async_submit(&a, &pipe, NULL, sizeof buf), 0);
    assert_int_equal(usb_async_poll(&a, buf, sizeof buf, &got), USB_IN_PROGRESS);
    usb_async_cancel(&a);
    assert_false(usb_async_busy(&a));
    for (unsigned ch = 0; ch < FAKE_DWC2_CHANNELS; ch++) {
        assert_false(m.ch[ch].enabled);
    }

    assert_int_equal(usb_set_interface(d, 0, 1), 0);
    r = fake_usb_dev_find(&dev, USB_RT_STANDARD | USB_RT_INTERFACE, USB_REQ_SET_INTERFACE, 0);
    assert_non_null(r);
    assert_int_equal(r->setup[2], 1);
    assert_int_equal(r->setup[4], 0);
    char name[16];
    assert_int_equal(usb_get_string(d, FAKE_USB_WIDGET_IPRODUCT, name, sizeof name), 6);
    assert_string_equal(name, "Widget");
    assert_int_equal(usb_get_string(d, 7, name, sizeof name), -USB_ESTALL);
    assert_int_equal(usb_get_string(d, 0, name, sizeof name), -USB_EDESC);
}

/* The board's watchdog is fed before every control transfer: a bring-up makes hundreds. */
static void test_keepalive_before_every_control_transfer(void **state)
{
    (void)state;
    struct usb_device *d;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &d), 0);
    assert_int_equal(keepalives, dev.requests);
    size_t got = 0;
    uint8_t buf[USB_DT_DEVICE_SIZE];
    assert_int_equal(usb_control(d, RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_DEVICE << 8, 0, buf, sizeof buf, &got),
                     0);
    assert_int_equal(got, sizeof buf);
    assert_memory_equal(buf, fake_usb_widget_device, sizeof buf);
    assert_int_equal(keepalives, dev.requests);
}

static void test_tree_lists_the_port_path(void **state)
{
    (void)state;
    struct usb_device *root, *a, *b;
    assert_int_equal(enumerate_root(FAKE_DWC2_HIGH, &root), 0);
    assert_int_equal(usb_core_enumerate(root, 3, reset_root_port(), &a), 0);
    assert_int_equal(usb_core_enumerate(a, 2, reset_root_port(), &b), 0);
    stdout_capture_begin();
    usb_core_print_tree();
    const char *out = stdout_capture_end();
    assert_int_equal(stdout_capture_count(out, "\n"), 3);
    assert_non_null(strstr(out, "1.3.2 "));
    assert_non_null(strstr(out, "1234:5678"));
    assert_int_equal(stdout_capture_count(out, "widget"), 3);
    assert_int_equal(stdout_capture_count(out, "Widget"), 3);

    usb_core_remove(root);
    stdout_capture_begin();
    usb_core_print_tree();
    out = stdout_capture_end();
    assert_string_equal(out, "no USB devices\n");
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    const char *unknown = usb_strerror(-1000);
    for (int e = USB_EINVAL; e <= USB_ENODRIVER; e++) {
        assert_string_not_equal(usb_strerror(-e), unknown);
        for (int f = USB_EINVAL; f < e; f++) {
            assert_string_not_equal(usb_strerror(-e), usb_strerror(-f));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enumeration_reads_descriptors_addresses_and_configures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ep0_packet_size_follows_the_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_configuration_a_driver_matches_is_selected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_without_driver_keeps_its_first_configuration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_probe_leaves_the_device_unbound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_and_failing_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_descriptors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_configuration_is_read_up_to_the_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_takes_the_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_addresses_wrap_and_skip_those_in_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfers_for_class_drivers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keepalive_before_every_control_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tree_lists_the_port_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strerror_names_every_code, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
