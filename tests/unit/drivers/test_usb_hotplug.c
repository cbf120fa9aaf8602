/* Hot plug from the USB port to DHCP: QEMU usb-net's CDC-ECM function on the root port of the register-level DWC2
 * model (tests/unit/fakes/fake_dwc2), the real USB stack (usb_host, usb_core, cdc_ecm), the netdev registry, and the
 * firmware's network (net/net.c on lwIP) with a small DHCP server answering on the adapter's bulk endpoints. The
 * main loop's pass is board_net_poll()'s usb_host_poll() then net_poll(), as in firmware/main_loop.c.
 *
 * What an unplugged and re-plugged adapter must get: a started device, a new interface and a new DHCP exchange
 * (it may now be on another network), both when the network saw it gone for a while and when it was out and back
 * between two passes, where the driver registers the same struct netdev again and the network never sees it
 * missing. QEMU 7.2 aborts on device_del of a usb-net, so this is where hot plug is tested. Built -no-pie like
 * test_usb_host (the DWC2 driver's DMA buffers need 32-bit addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "drivers/netdev.h"
#include "drivers/systimer.h"
#include "drivers/usb/cdc_ecm.h"
#include "drivers/usb/usb_host.h"
#include "drivers/usb/usb_hub.h"
#include "fake_board.h"
#include "fake_dma.h"
#include "fake_dwc2.h"
#include "fake_mmio.h"
#include "fake_systimer.h"
#include "lwip/init.h"
#include "net/entropy.h"
#include "net/net.h"
#include "usb_desc_vectors.h"

#define BUS_ALIAS 0xC0000000u
#define S         1000000u
#define PASS_US   1000u
/* usb-net's endpoints in its CDC-ECM configuration (vec_net_ecm_config): notifications IN 1, data IN 2 and OUT 2;
 * its iMACAddress string is index 3. */
#define EP_NOTE          1u
#define EP_DATA          2u
#define MAC_STRING_INDEX 3u

/* Frame layout: Ethernet, IPv4 without options, UDP, BOOTP (RFC 2131 figure 1) and its options. */
#define ETH_HDR          14u
#define ETH_TYPE         12u
#define ETHERTYPE_IPV4   0x0800u
#define ETHERTYPE_ARP    0x0806u
#define ARP_SIZE         28u
#define IP_HDR           20u
#define IP_TOTAL_LEN     2u
#define IP_PROTO         9u
#define IP_CHECKSUM      10u
#define IP_SRC           12u
#define IP_DST           16u
#define IP_PROTO_UDP     17u
#define UDP_HDR          8u
#define UDP_DST          2u
#define UDP_LEN          4u
#define BOOTP_SIZE       236u
#define BOOTP_OP         0u
#define BOOTP_HTYPE      1u
#define BOOTP_HLEN       2u
#define BOOTP_XID        4u
#define BOOTP_YIADDR     16u
#define BOOTP_CHADDR     28u
#define BOOTP_CHADDR_LEN 16u
#define BOOTP_REPLY      2u
#define DHCP_COOKIE_SIZE 4u
#define DHCP_SERVER_PORT 67u
#define DHCP_CLIENT_PORT 68u
#define OPT_SUBNET_MASK  1u
#define OPT_ROUTER       3u
#define OPT_LEASE_TIME   51u
#define OPT_MSG_TYPE     53u
#define OPT_SERVER_ID    54u
#define OPT_END          255u
#define DHCPDISCOVER     1u
#define DHCPOFFER        2u
#define DHCPREQUEST      3u
#define DHCPACK          5u

static const uint8_t dhcp_cookie[DHCP_COOKIE_SIZE] = { 0x63, 0x82, 0x53, 0x63 };
static const uint8_t server_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t server_ip[4] = { 10, 0, 2, 2 };
static const uint8_t client_ip[4] = { 10, 0, 2, 15 };
static const uint8_t netmask[4] = { 255, 255, 255, 0 };
static const struct usb_driver *const drivers[] = { &usb_hub_driver, &cdc_ecm_driver };

static struct fake_dwc2 m;
static unsigned discovers, requests;

uint32_t net_entropy_rand32(void)
{
    return (uint32_t)rand();
}

/* usb-net's control endpoint: descriptors, its MAC string, and the requests its driver makes. */
static int ecm_request(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual)
{
    (void)ctx;
    if (setup[0] == (USB_RT_IN | USB_RT_STANDARD | USB_RT_DEVICE) && setup[1] == USB_REQ_GET_DESCRIPTOR) {
        const uint8_t *desc = NULL;
        size_t n = 0;
        uint8_t text[2 + 2 * 12] = { sizeof text, USB_DT_STRING };
        if (setup[3] == USB_DT_DEVICE) {
            desc = vec_net_device, n = sizeof vec_net_device;
        } else if (setup[3] == USB_DT_CONFIG && setup[2] == 0) {
            desc = vec_net_rndis_config, n = sizeof vec_net_rndis_config;
        } else if (setup[3] == USB_DT_CONFIG && setup[2] == 1) {
            desc = vec_net_ecm_config, n = sizeof vec_net_ecm_config;
        } else if (setup[3] == USB_DT_STRING && setup[2] == MAC_STRING_INDEX) {
            static const char mac[] = "020000000001";
            for (size_t i = 0; i < 12; i++) {
                text[2 + 2 * i] = (uint8_t)mac[i];
            }
            desc = text, n = sizeof text;
        } else {
            return -1;
        }
        *actual = n < len ? n : len;
        memcpy(data, desc, *actual);
        return 0;
    }
    /* SET_ADDRESS, SET_CONFIGURATION, SET_INTERFACE, SET_ETHERNET_PACKET_FILTER. */
    return (setup[0] & USB_RT_IN) == 0 ? 0 : -1;
}

/* Network byte order. */
static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    }
    while (sum >> 16) {
        sum = (sum & 0xFFFFu) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static uint8_t *put_option(uint8_t *p, uint8_t code, const uint8_t *value, uint8_t len)
{
    *p++ = code;
    *p++ = len;
    memcpy(p, value, len);
    return p + len;
}

/* The server's answer (OFFER or ACK) to the client's BOOTP message req, broadcast into the adapter's bulk IN. */
static void dhcp_reply(const uint8_t *req, uint8_t type)
{
    static uint8_t frame[600];
    memset(frame, 0, sizeof frame);
    uint8_t *ip = frame + ETH_HDR, *udp = ip + IP_HDR, *bootp = udp + UDP_HDR;
    memset(frame, 0xff, 6);
    memcpy(frame + 6, server_mac, 6);
    put_be16(frame + ETH_TYPE, ETHERTYPE_IPV4);
    bootp[BOOTP_OP] = BOOTP_REPLY;
    bootp[BOOTP_HTYPE] = req[BOOTP_HTYPE];
    bootp[BOOTP_HLEN] = req[BOOTP_HLEN];
    memcpy(bootp + BOOTP_XID, req + BOOTP_XID, 4);
    memcpy(bootp + BOOTP_YIADDR, client_ip, 4);
    memcpy(bootp + BOOTP_CHADDR, req + BOOTP_CHADDR, BOOTP_CHADDR_LEN);
    uint8_t *opt = bootp + BOOTP_SIZE;
    memcpy(opt, dhcp_cookie, DHCP_COOKIE_SIZE);
    opt += DHCP_COOKIE_SIZE;
    static const uint8_t lease[4] = { 0, 0, 0x0e, 0x10 }; /* an hour */
    opt = put_option(opt, OPT_MSG_TYPE, &type, 1);
    opt = put_option(opt, OPT_SERVER_ID, server_ip, 4);
    opt = put_option(opt, OPT_LEASE_TIME, lease, 4);
    opt = put_option(opt, OPT_SUBNET_MASK, netmask, 4);
    opt = put_option(opt, OPT_ROUTER, server_ip, 4);
    *opt++ = OPT_END;
    size_t udp_len = (size_t)(opt - udp);
    put_be16(udp, DHCP_SERVER_PORT);
    put_be16(udp + UDP_DST, DHCP_CLIENT_PORT);
    put_be16(udp + UDP_LEN, (uint16_t)udp_len); /* checksum 0: none (RFC 768) */
    ip[0] = 0x45;
    put_be16(ip + IP_TOTAL_LEN, (uint16_t)(IP_HDR + udp_len));
    ip[8] = 64;
    ip[IP_PROTO] = IP_PROTO_UDP;
    memcpy(ip + IP_SRC, server_ip, 4);
    memset(ip + IP_DST, 0xff, 4);
    put_be16(ip + IP_CHECKSUM, ip_checksum(ip, IP_HDR));
    size_t len = ETH_HDR + IP_HDR + udp_len;
    assert_true(len % 64u != 0); /* a short packet ends the transfer, so the frame is one transfer */
    fake_dwc2_set_in(fake_dwc2_device_ep(&m, 0, EP_DATA, true), frame, len);
}

/* The DHCP message type of a frame from the client, 0 when it is not a DHCP message to the server. */
static uint8_t dhcp_type(const uint8_t *f, size_t len, const uint8_t **bootp)
{
    const uint8_t *ip = f + ETH_HDR, *udp = ip + IP_HDR;
    *bootp = udp + UDP_HDR;
    if (len < ETH_HDR + IP_HDR + UDP_HDR + BOOTP_SIZE + DHCP_COOKIE_SIZE + 3u ||
        get_be16(f + ETH_TYPE) != ETHERTYPE_IPV4 || ip[IP_PROTO] != IP_PROTO_UDP ||
        get_be16(udp + UDP_DST) != DHCP_SERVER_PORT) {
        return 0;
    }
    const uint8_t *opt = *bootp + BOOTP_SIZE;
    if (memcmp(opt, dhcp_cookie, DHCP_COOKIE_SIZE) != 0) {
        return 0;
    }
    /* lwIP puts the message type first. */
    opt += DHCP_COOKIE_SIZE;
    return opt[0] == OPT_MSG_TYPE ? opt[2] : 0;
}

/* Reads the frames the client sent since the last call (the bulk OUT endpoint keeps them back to back; each
 * frame's length comes from its header), counts the DHCP messages and answers DISCOVER with OFFER and REQUEST with
 * ACK. */
static void dhcp_server(void)
{
    struct fake_dwc2_ep *out = fake_dwc2_device_ep(&m, 0, EP_DATA, false);
    size_t pos = 0;
    while (pos + ETH_HDR <= out->out_len) {
        const uint8_t *f = out->out_data + pos;
        uint16_t type = get_be16(f + ETH_TYPE);
        size_t len = type == ETHERTYPE_IPV4  ? ETH_HDR + get_be16(f + ETH_HDR + IP_TOTAL_LEN)
                     : type == ETHERTYPE_ARP ? ETH_HDR + ARP_SIZE
                                             : 0;
        assert_true(len != 0 && pos + len <= out->out_len);
        const uint8_t *bootp;
        uint8_t msg = dhcp_type(f, len, &bootp);
        if (msg == DHCPDISCOVER) {
            discovers++;
        } else if (msg == DHCPREQUEST) {
            requests++;
        }
        if (msg == DHCPDISCOVER || msg == DHCPREQUEST) {
            dhcp_reply(bootp, msg == DHCPDISCOVER ? DHCPOFFER : DHCPACK);
        }
        pos += len;
    }
    out->out_len = 0;
}

/* One pass of the main loop's network part, a millisecond of time for lwIP's timers too, and the server. */
static void pass(void)
{
    usb_host_poll();
    net_poll();
    systimer_delay_us(PASS_US);
    fake_board_set_uptime_us(fake_systimer_peek());
    dhcp_server();
}

static bool passes_until_up(uint64_t for_us)
{
    uint64_t until = fake_systimer_peek() + for_us;
    while (!net_is_up() && fake_systimer_peek() < until) {
        pass();
    }
    return net_is_up();
}

static int setup(void **state)
{
    (void)state;
    static bool lwip_started;
    fake_systimer_reset();
    fake_systimer_set_step(100);
    fake_dma_reset();
    fake_dwc2_init(&m);
    fake_mmio_set_log_recycle(true);
    fake_board_reset();
    if (!lwip_started) {
        lwip_init();
        lwip_started = true;
    }
    net_init(NULL); /* DHCP */
    discovers = requests = 0;
    const struct usb_host_config cfg = {
        .core_base = FAKE_DWC2_BASE,
        .bus_alias = BUS_ALIAS,
        .drivers = drivers,
        .driver_count = sizeof drivers / sizeof drivers[0],
    };
    usb_host_init(&cfg);
    fake_dwc2_attach_device(&m, ecm_request, NULL, 0);
    /* The endpoints exist from the start, so they follow the device's address. */
    fake_dwc2_device_ep(&m, 0, EP_NOTE, true);
    fake_dwc2_device_ep(&m, 0, EP_DATA, true);
    fake_dwc2_device_ep(&m, 0, EP_DATA, false);
    assert_int_equal(usb_host_start(), 0);
    assert_true(passes_until_up(5 * S));
    assert_int_equal(discovers, 1);
    return 0;
}

/* Unplugged for good: the stack lets go of the device and the interface. */
static int teardown(void **state)
{
    (void)state;
    fake_dwc2_replug(&m, FAKE_DWC2_NEVER);
    pass();
    assert_null(netdev_at(0));
    assert_false(net_is_up());
    net_init(NULL);
    if (m.violations > 0) {
        fail_msg("%u violations of the core's rules, first: %s", m.violations, m.violation);
    }
    return 0;
}

/* Unplugged for two seconds: the interface goes with the device, and a new one with a new lease comes with it. */
static void test_adapter_back_after_a_while_gets_a_new_lease(void **state)
{
    (void)state;
    fake_dwc2_replug(&m, fake_systimer_peek() + 2 * S);
    pass();
    assert_null(netdev_at(0));
    assert_false(net_is_up());
    struct net_status st;
    net_get_status(&st);
    assert_null(st.device);

    assert_true(passes_until_up(5 * S));
    assert_true(fake_systimer_peek() >= 2 * S);
    assert_non_null(netdev_at(0));
    assert_true(netdev_at(0)->started);
    assert_int_equal(discovers, 2);
}

/* Out and in again between two passes: the driver binds the same struct netdev anew within one pass, the network
 * never sees it missing, and yet the old lease is dropped and DHCP starts over on the new device at once. */
static void test_adapter_back_within_a_pass_gets_a_new_lease(void **state)
{
    (void)state;
    struct netdev *before = netdev_at(0);
    uint32_t instance = before->instance;
    fake_dwc2_replug(&m, fake_systimer_peek());
    usb_host_poll();
    net_poll();
    assert_ptr_equal(netdev_at(0), before);
    assert_true(before->started);
    assert_int_not_equal(before->instance, instance);
    assert_false(net_is_up());
    struct net_status st;
    net_get_status(&st);
    assert_string_equal(st.dhcp_state, "selecting");
    dhcp_server();
    assert_int_equal(discovers, 2);

    assert_true(passes_until_up(S));
    net_get_status(&st);
    assert_string_equal(st.dhcp_state, "bound");
    assert_int_equal(discovers, 2);
    assert_int_equal(requests, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_adapter_back_after_a_while_gets_a_new_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adapter_back_within_a_pass_gets_a_new_lease, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
