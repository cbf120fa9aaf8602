/* Unit tests for drivers/usb/cdc_ecm against a model of QEMU's usb-net in its CDC-ECM configuration: MAC string
 * parsing, binding (data interface from the union descriptor, alt setting 1), start-up requests (a stalled packet
 * filter is tolerated, as QEMU 7.2 stalls it), frames in and out (zero-length packet after whole packets), and
 * link state from NETWORK_CONNECTION notifications. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "drivers/netdev.h"
#include "drivers/usb/cdc_ecm.h"
#include "fake_systimer.h"
#include "fake_usb.h"
#include "usb_desc_vectors.h"

struct ecm_model {
    const char *mac_string;
    bool stall_filter;
    int alt_set; /* -1 until SET_INTERFACE */
    uint16_t filter;
    size_t out_count, zlp_count, out_len;
    uint8_t out[2048];
    uint8_t in[2048];
    size_t in_len;
    bool in_ready;
    uint8_t note[16];
    size_t note_len;
};

static struct ecm_model m;
static struct usb_device *dev;
static struct netdev *nd;

static int model_control(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    struct ecm_model *e = ctx;
    if (setup[0] == 0x80 && setup[1] == USB_REQ_GET_DESCRIPTOR && setup[3] == USB_DT_STRING && setup[2] == 3) {
        size_t n = strlen(e->mac_string);
        uint8_t d[64] = { (uint8_t)(2 + 2 * n), USB_DT_STRING };
        for (size_t i = 0; i < n; i++) {
            d[2 + 2 * i] = (uint8_t)e->mac_string[i];
        }
        *actual = d[0] < len ? d[0] : len;
        memcpy(data, d, *actual);
        return 0;
    }
    if (setup[0] == 0x01 && setup[1] == USB_REQ_SET_INTERFACE && setup[4] == 1) {
        e->alt_set = setup[2];
        return 0;
    }
    if (setup[0] == 0x21 && setup[1] == 0x43) {
        e->filter = (uint16_t)(setup[2] | setup[3] << 8);
        return e->stall_filter ? -USB_ESTALL : 0;
    }
    return -USB_ESTALL;
}

static int model_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
    struct ecm_model *e = ctx;
    assert_int_equal(ep, 2);
    if (len == 0) {
        e->zlp_count++;
        return 0;
    }
    memcpy(e->out, data, len);
    e->out_len = len;
    e->out_count++;
    return 0;
}

static int model_in(void *ctx, uint8_t ep, uint8_t *buf, size_t size, size_t *actual)
{
    struct ecm_model *e = ctx;
    if (ep == 1) {
        if (e->note_len == 0) {
            return -USB_ENAK;
        }
        memcpy(buf, e->note, e->note_len);
        *actual = e->note_len;
        e->note_len = 0;
        return 0;
    }
    assert_int_equal(ep, 2);
    if (!e->in_ready) {
        return -USB_ENAK;
    }
    /* The driver asks for more than 1536 bytes (QEMU's fast path) and whole packets. */
    assert_true(size > 1536 && size % 64 == 0);
    *actual = e->in_len < size ? e->in_len : size;
    memcpy(buf, e->in, *actual);
    e->in_ready = false;
    return 0;
}

static const struct fake_usb_model model = { model_control, model_out, model_in };

static int setup(void **state)
{
    (void)state;
    fake_systimer_reset();
    memset(&m, 0, sizeof m);
    m.mac_string = "400102030405";
    m.alt_set = -1;
    dev = fake_usb_attach(&model, &m, vec_net_ecm_config, sizeof vec_net_ecm_config);
    struct usb_interface_desc intf;
    assert_int_equal(usb_desc_find_interface(dev->config, dev->config_len, 0, 0, &intf), 0);
    assert_int_equal(cdc_ecm_driver.probe(dev, &intf), 0);
    nd = netdev_at(0);
    assert_non_null(nd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cdc_ecm_driver.remove(dev);
    assert_null(netdev_at(0));
    return 0;
}

static void test_parse_mac(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int err;
        uint8_t mac[6];
    } cases[] = {
        { "400102030405", 0, { 0x40, 0x01, 0x02, 0x03, 0x04, 0x05 } },
        { "525400AbCdEf", 0, { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef } },
        { "40010203040", -USB_EDESC, { 0 } },
        { "4001020304050", -USB_EDESC, { 0 } },
        { "40010203040g", -USB_EDESC, { 0 } },
        { "", -USB_EDESC, { 0 } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t mac[6] = { 0 };
        assert_int_equal(cdc_ecm_parse_mac(cases[i].text, mac), cases[i].err);
        if (cases[i].err == 0) {
            assert_memory_equal(mac, cases[i].mac, 6);
        }
    }
    assert_int_equal(cdc_ecm_parse_mac(NULL, (uint8_t[6]){ 0 }), -USB_EDESC);
}

static void test_bind_and_start(void **state)
{
    (void)state;
    static const uint8_t want[6] = { 0x40, 0x01, 0x02, 0x03, 0x04, 0x05 };
    assert_memory_equal(nd->mac, want, 6);
    assert_string_equal(nd->name, "cdc_ecm");
    m.stall_filter = true;
    assert_int_equal(netdev_start(nd), 0);
    assert_int_equal(m.alt_set, 1);
    assert_int_equal(m.filter & 0x0c, 0x0c); /* directed and broadcast */
    assert_true(netdev_link_up(nd));
}

static void test_frames_in_and_out(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    uint8_t frame[342];
    for (size_t i = 0; i < sizeof frame; i++) {
        frame[i] = (uint8_t)(i * 7);
    }
    assert_int_equal(netdev_send(nd, frame, sizeof frame), 0);
    assert_int_equal(m.out_len, sizeof frame);
    assert_memory_equal(m.out, frame, sizeof frame);
    assert_int_equal(m.zlp_count, 0);
    /* 128 bytes is two whole 64-byte packets: a zero-length packet ends the frame. */
    assert_int_equal(netdev_send(nd, frame, 128), 0);
    assert_int_equal(m.zlp_count, 1);

    uint8_t rx[1600];
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 0);
    memcpy(m.in, frame, sizeof frame);
    m.in_len = sizeof frame;
    m.in_ready = true;
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), (int)sizeof frame);
    assert_memory_equal(rx, frame, sizeof frame);
    /* Runts and frames too big for the caller are dropped and counted. */
    m.in_len = 10;
    m.in_ready = true;
    assert_int_equal(netdev_receive(nd, rx, sizeof rx), 0);
    m.in_len = 342;
    m.in_ready = true;
    assert_int_equal(netdev_receive(nd, rx, 100), 0);
    assert_int_equal(nd->stats.rx_dropped, 2);
    assert_int_equal(nd->stats.rx_frames, 1);
}

static void test_link_notifications(void **state)
{
    (void)state;
    assert_int_equal(netdev_start(nd), 0);
    static const uint8_t down[8] = { 0xa1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t speed[16] = { 0xa1, 0x2a, 0, 0, 0, 0, 8, 0, 0x00, 0xe1, 0xf5, 0x05, 0x00, 0xe1, 0xf5, 0x05 };
    static const uint8_t up[8] = { 0xa1, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
    memcpy(m.note, down, sizeof down);
    m.note_len = sizeof down;
    netdev_poll(nd);
    assert_false(netdev_link_up(nd));
    fake_systimer_set_step(100000);
    memcpy(m.note, speed, sizeof speed);
    m.note_len = sizeof speed;
    netdev_poll(nd);
    assert_int_equal(nd->speed_mbps, 100);
    memcpy(m.note, up, sizeof up);
    m.note_len = sizeof up;
    netdev_poll(nd);
    assert_true(netdev_link_up(nd));
    /* A truncated notification changes nothing. */
    memcpy(m.note, down, 4);
    m.note_len = 4;
    netdev_poll(nd);
    assert_true(netdev_link_up(nd));
}

static void test_bad_mac_string_fails_probe(void **state)
{
    (void)state;
    cdc_ecm_driver.remove(dev);
    m.mac_string = "not a mac!!!";
    struct usb_interface_desc intf;
    assert_int_equal(usb_desc_find_interface(dev->config, dev->config_len, 0, 0, &intf), 0);
    assert_int_equal(cdc_ecm_driver.probe(dev, &intf), -USB_EDESC);
    assert_null(netdev_at(0));
    m.mac_string = "400102030405";
    assert_int_equal(cdc_ecm_driver.probe(dev, &intf), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_mac),
        cmocka_unit_test_setup_teardown(test_bind_and_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frames_in_and_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_notifications, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_mac_string_fails_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
