/* Unit tests for drivers/usb/usb_desc: valid descriptor sets (QEMU usb-net, a LAN9512-style interface, a hub),
 * truncated ones, and hostile ones (bLength 0 and 1, lengths past the end, wTotalLength far beyond the data).
 * Built with ASan: any read outside a buffer fails the test even when the result looks right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "drivers/usb/usb_desc.h"
#include "usb_desc_vectors.h"

/* Copies a vector into a heap block of exactly len bytes, so ASan sees any overrun. */
static uint8_t *exact_copy(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, src, len);
    return p;
}

static void test_device_full_and_partial(void **state)
{
    (void)state;
    struct usb_device_desc d;
    assert_int_equal(usb_desc_parse_device(vec_net_device, sizeof vec_net_device, &d), 0);
    assert_int_equal(d.vendor, 0x0525);
    assert_int_equal(d.product, 0xa4a2);
    assert_int_equal(d.max_packet0, 64);
    assert_int_equal(d.num_configs, 2);
    assert_int_equal(d.dev_class, USB_CLASS_COMM);
    assert_int_equal(d.i_product, 2);

    uint8_t *eight = exact_copy(vec_net_device, 8);
    assert_int_equal(usb_desc_parse_device(eight, 8, &d), 0);
    assert_int_equal(d.max_packet0, 64);
    assert_int_equal(d.vendor, 0);
    assert_int_equal(d.num_configs, 0);
    free(eight);
}

static void test_device_hostile(void **state)
{
    (void)state;
    struct usb_device_desc d;
    static const struct {
        uint8_t bytes[18];
        size_t len;
        int err;
    } cases[] = {
        { { 18, 1 }, 7, -USB_DESC_ETRUNC },  /* shorter than the first read */
        { { 18, 2 }, 18, -USB_DESC_ETYPE },  /* a configuration, not a device */
        { { 0, 1 }, 18, -USB_DESC_EBADLEN }, /* bLength 0 */
        { { 9, 1 }, 18, -USB_DESC_EBADLEN }, /* bLength too small for a device descriptor */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *p = exact_copy(cases[i].bytes, cases[i].len);
        assert_int_equal(usb_desc_parse_device(p, cases[i].len, &d), cases[i].err);
        free(p);
    }
    assert_int_equal(usb_desc_parse_device(NULL, 18, &d), -USB_DESC_ETRUNC);
}

static void test_config_and_interfaces(void **state)
{
    (void)state;
    struct usb_config_desc c;
    assert_int_equal(usb_desc_parse_config(vec_net_ecm_config, sizeof vec_net_ecm_config, &c), 0);
    assert_int_equal(c.total_length, sizeof vec_net_ecm_config);
    assert_int_equal(c.config_value, 1);
    assert_int_equal(c.num_interfaces, 2);

    struct usb_interface_desc intf;
    assert_int_equal(usb_desc_interface_at(vec_net_ecm_config, sizeof vec_net_ecm_config, 0, &intf), 0);
    assert_int_equal(intf.if_class, USB_CLASS_COMM);
    assert_int_equal(intf.if_subclass, USB_CDC_SUBCLASS_ECM);
    assert_int_equal(usb_desc_interface_at(vec_net_ecm_config, sizeof vec_net_ecm_config, 2, &intf), 0);
    assert_int_equal(intf.number, 1);
    assert_int_equal(intf.alt_setting, 1);
    assert_int_equal(usb_desc_interface_at(vec_net_ecm_config, sizeof vec_net_ecm_config, 3, &intf),
                     -USB_DESC_ENOTFOUND);

    assert_int_equal(usb_desc_find_interface(vec_net_ecm_config, sizeof vec_net_ecm_config, 1, 1, &intf), 0);
    struct usb_endpoint_desc ep;
    assert_int_equal(
        usb_desc_find_endpoint(vec_net_ecm_config, sizeof vec_net_ecm_config, &intf, USB_EP_TYPE_BULK, true, &ep), 0);
    assert_int_equal(ep.address, 0x82);
    assert_int_equal(ep.max_packet, 64);
    assert_int_equal(
        usb_desc_find_endpoint(vec_net_ecm_config, sizeof vec_net_ecm_config, &intf, USB_EP_TYPE_BULK, false, &ep), 0);
    assert_int_equal(ep.address, 0x02);
    /* Alternate setting 0 has no endpoints: the search must not run on into alt 1's. */
    assert_int_equal(usb_desc_find_interface(vec_net_ecm_config, sizeof vec_net_ecm_config, 1, 0, &intf), 0);
    assert_int_equal(
        usb_desc_find_endpoint(vec_net_ecm_config, sizeof vec_net_ecm_config, &intf, USB_EP_TYPE_BULK, true, &ep),
        -USB_DESC_ENOTFOUND);

    assert_int_equal(usb_desc_find_interface(vec_smsc_config, sizeof vec_smsc_config, 0, 0, &intf), 0);
    assert_int_equal(
        usb_desc_find_endpoint(vec_smsc_config, sizeof vec_smsc_config, &intf, USB_EP_TYPE_BULK, false, &ep), 0);
    assert_int_equal(ep.max_packet, 512);
    assert_int_equal(
        usb_desc_find_endpoint(vec_smsc_config, sizeof vec_smsc_config, &intf, USB_EP_TYPE_INTR, true, &ep), 0);
    assert_int_equal(ep.address, 0x83);
}

static void test_bulk_pair(void **state)
{
    (void)state;
    struct usb_interface_desc intf;
    struct usb_endpoint_desc in, out;
    assert_int_equal(usb_desc_find_interface(vec_smsc_config, sizeof vec_smsc_config, 0, 0, &intf), 0);
    assert_int_equal(usb_desc_find_bulk_pair(vec_smsc_config, sizeof vec_smsc_config, &intf, &in, &out), 0);
    assert_int_equal(in.address, 0x81);
    assert_int_equal(out.address, 0x02);
    assert_int_equal(in.max_packet, 512);
    /* The ECM data interface's alternate setting 0 has no endpoints. */
    assert_int_equal(usb_desc_find_interface(vec_net_ecm_config, sizeof vec_net_ecm_config, 1, 0, &intf), 0);
    assert_int_equal(usb_desc_find_bulk_pair(vec_net_ecm_config, sizeof vec_net_ecm_config, &intf, &in, &out),
                     -USB_DESC_ENOTFOUND);
    assert_int_equal(in.address, 0);
    assert_int_equal(out.address, 0);
    /* A bulk IN endpoint with packet size 0 could never move data. */
    static const uint8_t zero_mps[] = {
        9,    2, 32, 0, 1,    1,    0,    0xe0, 1, 9, 4, 0,    0,    2,    0xff, 0x00,
        0xff, 0, 7,  5, 0x81, 0x02, 0x00, 0x00, 0, 7, 5, 0x02, 0x02, 0x00, 0x02, 0,
    };
    assert_int_equal(usb_desc_find_interface(zero_mps, sizeof zero_mps, 0, 0, &intf), 0);
    assert_int_equal(usb_desc_find_bulk_pair(zero_mps, sizeof zero_mps, &intf, &in, &out), -USB_DESC_EBADLEN);
}

static void test_class_descriptors(void **state)
{
    (void)state;
    struct usb_interface_desc intf;
    assert_int_equal(usb_desc_find_interface(vec_net_ecm_config, sizeof vec_net_ecm_config, 0, 0, &intf), 0);
    const uint8_t *d;
    size_t len;
    assert_int_equal(usb_desc_find_class_desc(vec_net_ecm_config, sizeof vec_net_ecm_config, &intf, USB_CDC_FD_ETHERNET,
                                              USB_CDC_ETHERNET_DESC_SIZE, &d, &len),
                     0);
    assert_int_equal(len, 13);
    assert_int_equal(d[3], 3); /* iMACAddress */
    assert_int_equal(
        usb_desc_find_class_desc(vec_net_ecm_config, sizeof vec_net_ecm_config, &intf, USB_CDC_FD_UNION, 5, &d, &len),
        0);
    assert_int_equal(d[4], 1);
    /* Asking for more than the descriptor has is an error, not a read past it. */
    assert_int_equal(
        usb_desc_find_class_desc(vec_net_ecm_config, sizeof vec_net_ecm_config, &intf, USB_CDC_FD_UNION, 6, &d, &len),
        -USB_DESC_EBADLEN);
    /* RNDIS has no Ethernet functional descriptor. */
    assert_int_equal(usb_desc_find_interface(vec_net_rndis_config, sizeof vec_net_rndis_config, 0, 0, &intf), 0);
    assert_int_equal(usb_desc_find_class_desc(vec_net_rndis_config, sizeof vec_net_rndis_config, &intf,
                                              USB_CDC_FD_ETHERNET, USB_CDC_ETHERNET_DESC_SIZE, &d, &len),
                     -USB_DESC_ENOTFOUND);
}

/* Walks every descriptor of buf[0..len) and returns how many were well formed; the last result in *last. */
static int walk(const uint8_t *buf, size_t len, int *last)
{
    struct usb_desc_iter it;
    usb_desc_iter_init(&it, buf, len);
    const uint8_t *d;
    int n = 0, r;
    for (int guard = 0; guard < 1000; guard++) {
        r = usb_desc_iter_next(&it, &d);
        if (r <= 0) {
            *last = r;
            return n;
        }
        assert_true(d >= buf && d + r <= buf + len);
        n++;
    }
    fail_msg("iterator did not end");
    return -1;
}

static void test_iterator_hostile(void **state)
{
    (void)state;
    int last;
    /* Every truncation of a valid set: the walk stays inside and ends. */
    for (size_t cut = 0; cut <= sizeof vec_net_ecm_config; cut++) {
        uint8_t *p = exact_copy(vec_net_ecm_config, cut);
        int n = walk(p, cut, &last);
        assert_true(n >= 0 && n <= 10);
        struct usb_interface_desc intf;
        struct usb_endpoint_desc ep;
        if (usb_desc_find_interface(p, cut, 1, 1, &intf) == 0) {
            usb_desc_find_endpoint(p, cut, &intf, USB_EP_TYPE_BULK, false, &ep);
        }
        free(p);
    }
    assert_int_equal(walk(vec_net_ecm_config, sizeof vec_net_ecm_config, &last), 10);
    assert_int_equal(last, 0);

    static const struct {
        const char *what;
        uint8_t bytes[24];
        size_t len;
        int good;
        int last;
    } cases[] = {
        { "bLength 0", { 9, 2, 20, 0, 1, 1, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 20, 1, -USB_DESC_EBADLEN },
        { "bLength 1", { 9, 2, 20, 0, 1, 1, 0, 0, 0, 1, 4 }, 20, 1, -USB_DESC_EBADLEN },
        { "past the end", { 9, 2, 20, 0, 1, 1, 0, 0, 0, 200, 4, 0 }, 20, 1, -USB_DESC_ETRUNC },
        { "odd byte left", { 9, 2, 10, 0, 1, 1, 0, 0, 0, 9 }, 10, 1, -USB_DESC_ETRUNC },
        { "huge wTotalLength", { 9, 2, 0xff, 0xff, 1, 1, 0, 0, 0, 9, 4, 0, 0, 0, 0xff, 0, 0, 0 }, 18, 2, 0 },
        { "small wTotalLength", { 9, 2, 9, 0, 1, 1, 0, 0, 0, 9, 4, 0, 0, 0, 0xff, 0, 0, 0 }, 18, 1, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *p = exact_copy(cases[i].bytes, cases[i].len);
        int n = walk(p, cases[i].len, &last);
        if (n != cases[i].good || last != cases[i].last) {
            fail_msg("%s: %d good, last %d", cases[i].what, n, last);
        }
        struct usb_interface_desc intf;
        usb_desc_interface_at(p, cases[i].len, 0, &intf);
        free(p);
    }
}

static void test_hub_descriptor(void **state)
{
    (void)state;
    static const uint8_t hub[] = { 9, 0x29, 8, 0x0a, 0x00, 50, 0, 0, 0xff };
    struct usb_hub_desc h;
    assert_int_equal(usb_desc_parse_hub(hub, sizeof hub, &h), 0);
    assert_int_equal(h.num_ports, 8);
    assert_int_equal(h.pwr_on_to_good_2ms, 50);
    uint8_t *p = exact_copy(hub, 5);
    assert_int_equal(usb_desc_parse_hub(p, 5, &h), -USB_DESC_ETRUNC);
    free(p);
    static const uint8_t wrong[] = { 9, 0x02, 8, 0, 0, 50, 0, 0, 0 };
    assert_int_equal(usb_desc_parse_hub(wrong, sizeof wrong, &h), -USB_DESC_ETYPE);
}

static void test_strings(void **state)
{
    (void)state;
    static const uint8_t mac[] = { 26, 3,   '4', 0,   '0', 0,   '0', 0,   '1', 0,   '0', 0,   '2',
                                   0,  '0', 0,   '3', 0,   '0', 0,   '4', 0,   '0', 0,   '5', 0 };
    char out[32];
    assert_int_equal(usb_desc_string_to_ascii(mac, sizeof mac, out, sizeof out), 12);
    assert_string_equal(out, "400102030405");
    /* Small output buffer: truncated and terminated. */
    assert_int_equal(usb_desc_string_to_ascii(mac, sizeof mac, out, 5), 4);
    assert_string_equal(out, "4001");
    /* Non-ASCII and an odd bLength; bLength beyond the data is bounded by len. */
    static const uint8_t odd[] = { 7, 3, 0xe9, 0x00, 'A', 0, 'B' };
    assert_int_equal(usb_desc_string_to_ascii(odd, sizeof odd, out, sizeof out), 2);
    assert_string_equal(out, "?A");
    static const uint8_t lies[] = { 200, 3, 'x', 0 };
    assert_int_equal(usb_desc_string_to_ascii(lies, sizeof lies, out, sizeof out), 1);
    assert_string_equal(out, "x");
    static const uint8_t notstr[] = { 4, 2, 'x', 0 };
    assert_int_equal(usb_desc_string_to_ascii(notstr, sizeof notstr, out, sizeof out), -USB_DESC_ETYPE);
    assert_string_equal(out, "");
}

static void test_strerror(void **state)
{
    (void)state;
    for (int e = -USB_DESC_ETRUNC; e >= -USB_DESC_ENOTFOUND; e--) {
        assert_string_not_equal(usb_desc_strerror(e), "unknown descriptor error");
    }
    assert_string_equal(usb_desc_strerror(-99), "unknown descriptor error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_full_and_partial),
        cmocka_unit_test(test_device_hostile),
        cmocka_unit_test(test_config_and_interfaces),
        cmocka_unit_test(test_bulk_pair),
        cmocka_unit_test(test_class_descriptors),
        cmocka_unit_test(test_iterator_hostile),
        cmocka_unit_test(test_hub_descriptor),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
