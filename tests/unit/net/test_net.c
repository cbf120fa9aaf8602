/*
 * Tests for net/net.c: the interface brought up from its settings, on the real lwIP over a fake device.
 * The DHCP client's first message shows what it asks for (host name, NTP servers); static settings, the DNS and NTP
 * server order and a replaced device are checked through net_get_status().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/netdev.h"
#include "fake_board.h"
#include "lwip/apps/sntp.h"
#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "net/entropy.h"
#include "net/net.h"
#include "net/netif_glue.h"

#define ETH_HDR               14u
#define IP_HDR                20u
#define UDP_HDR               8u
#define DHCP_OPTIONS_OFFSET   240u /* fixed BOOTP fields and the magic cookie */
#define DHCP_OPTION_PAD       0u
#define DHCP_OPTION_END       255u
#define DHCP_OPTION_HOSTNAME_ 12u
#define DHCP_OPTION_PARAMS    55u
#define DHCP_OPTION_NTP_      42u
#define DHCP_CLIENT_PORT      68u

static uint8_t last_frame[NETDEV_MAX_FRAME];
static size_t last_len;
static unsigned frames_sent;

static int fake_start(struct netdev *nd)
{
    nd->link_up = true;
    return 0;
}

static int fake_send(struct netdev *nd, const void *frame, size_t len)
{
    (void)nd;
    memcpy(last_frame, frame, len);
    last_len = len;
    frames_sent++;
    return 0;
}

/* Frames the device holds for the next receives: each a minimal frame of an EtherType nobody takes. */
static unsigned rx_pending;

static int fake_receive(struct netdev *nd, void *buf, size_t size)
{
    (void)nd;
    if (rx_pending == 0) {
        return 0;
    }
    rx_pending--;
    memset(buf, 0, size < 60 ? size : 60);
    ((uint8_t *)buf)[12] = 0x88; /* 0x88B5: IEEE 802 local experimental, dropped by lwIP */
    ((uint8_t *)buf)[13] = 0xB5;
    return 60;
}

static const struct netdev_ops fake_ops = { .start = fake_start, .send = fake_send, .receive = fake_receive };

/* Two devices: the registry keeps the first that is present, so unplugging one brings in the other. */
static struct netdev devices[2];

uint32_t net_entropy_rand32(void)
{
    return (uint32_t)rand();
}

static struct net_settings settings;

static void settings_dhcp(void)
{
    memset(&settings, 0, sizeof settings);
    settings.dhcp = true;
    settings.hostname = "pi-alarm.example.test";
    settings.ntp_server = "ntp.example.test";
}

static void settings_static(void)
{
    memset(&settings, 0, sizeof settings);
    settings.dhcp = false;
    IP4_ADDR(&settings.ip, 192, 168, 1, 42);
    IP4_ADDR(&settings.netmask, 255, 255, 255, 0);
    IP4_ADDR(&settings.gateway, 192, 168, 1, 1);
    settings.dns_count = 2;
    IP4_ADDR(&settings.dns[0], 1, 1, 1, 1);
    IP4_ADDR(&settings.dns[1], 9, 9, 9, 9);
    settings.hostname = "[192.168.1.42]";
    settings.ntp_server = "10.0.0.123";
}

static int setup(void **state)
{
    (void)state;
    static bool lwip_started;
    fake_board_reset();
    if (!lwip_started) {
        lwip_init();
        for (size_t i = 0; i < 2; i++) {
            devices[i].name = i == 0 ? "first" : "second";
            devices[i].mac[0] = 0x02;
            devices[i].mac[5] = (uint8_t)(i + 1);
            devices[i].ops = &fake_ops;
            devices[i].present = true;
            assert_int_equal(netdev_register(&devices[i]), 0);
            assert_int_equal(netdev_start(&devices[i]), 0);
        }
        lwip_started = true;
    }
    devices[0].present = true;
    frames_sent = 0;
    return 0;
}

/* A fresh net_init() detaches the interface, so every test starts without one. */
static int teardown(void **state)
{
    (void)state;
    net_init(NULL);
    return 0;
}

/* The options of the DHCP message in last_frame: returns the value of option code, or NULL. */
static const uint8_t *dhcp_option(uint8_t code, size_t *len)
{
    size_t pos = ETH_HDR + IP_HDR + UDP_HDR + DHCP_OPTIONS_OFFSET;
    while (pos < last_len && last_frame[pos] != DHCP_OPTION_END) {
        if (last_frame[pos] == DHCP_OPTION_PAD) {
            pos++;
            continue;
        }
        if (pos + 1 >= last_len) {
            break;
        }
        size_t n = last_frame[pos + 1];
        if (last_frame[pos] == code) {
            *len = n;
            return &last_frame[pos + 2];
        }
        pos += 2 + n;
    }
    return NULL;
}

static void test_dhcp_discover_carries_host_name_and_asks_for_ntp(void **state)
{
    (void)state;
    settings_dhcp();
    net_init(&settings);
    net_poll();
    assert_true(frames_sent > 0);
    assert_int_equal(last_frame[ETH_HDR + 9], 17);
    assert_int_equal(last_frame[ETH_HDR + IP_HDR] << 8 | last_frame[ETH_HDR + IP_HDR + 1], DHCP_CLIENT_PORT);

    size_t len = 0;
    const uint8_t *name = dhcp_option(DHCP_OPTION_HOSTNAME_, &len);
    assert_non_null(name);
    assert_int_equal(len, strlen("pi-alarm"));
    assert_memory_equal(name, "pi-alarm", len);

    const uint8_t *params = dhcp_option(DHCP_OPTION_PARAMS, &len);
    assert_non_null(params);
    assert_non_null(memchr(params, DHCP_OPTION_NTP_, len));

    struct net_status st;
    net_get_status(&st);
    assert_ptr_equal(st.device, &devices[0]);
    assert_true(st.dhcp);
    assert_true(st.link_up);
    assert_false(st.has_address);
    assert_string_equal(st.dhcp_state, "selecting");
    assert_int_equal(st.lease_remaining_s, -1);
    assert_false(net_is_up());
}

/* The static settings (settings_static) brought up with one poll; *st is the status after it. */
static void start_static(struct net_status *st)
{
    settings_static();
    net_init(&settings);
    net_poll();
    net_get_status(st);
}

static void test_static_settings_and_dns(void **state)
{
    (void)state;
    struct net_status st;
    start_static(&st);
    assert_false(st.dhcp);
    assert_string_equal(st.dhcp_state, "off");
    assert_true(st.has_address);
    assert_string_equal(ip4addr_ntoa(&st.address), "192.168.1.42");
    assert_string_equal(ip4addr_ntoa(&st.netmask), "255.255.255.0");
    assert_string_equal(ip4addr_ntoa(&st.gateway), "192.168.1.1");
    assert_string_equal(ip4addr_ntoa(&st.dns[0]), "1.1.1.1");
    assert_string_equal(ip4addr_ntoa(&st.dns[1]), "9.9.9.9");
    assert_true(net_is_up());
    /* The NTP server is taken as written, an address here. */
    assert_string_equal(st.ntp[0].name, "10.0.0.123");
    assert_true(st.ntp_running);
}

/* Configured DNS servers replace every server a lease (or an earlier configuration) left, not only as many slots. */
static void test_configured_dns_replaces_all_servers(void **state)
{
    (void)state;
    ip_addr_t left;
    IP_ADDR4(&left, 192, 168, 1, 254);
    for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
        dns_setserver(i, &left);
    }
    settings_static();
    settings.dns_count = 1;
    net_init(&settings);
    struct net_status st;
    net_get_status(&st);
    assert_string_equal(ip4addr_ntoa(&st.dns[0]), "1.1.1.1");
    for (unsigned i = 1; i < DNS_MAX_SERVERS; i++) {
        assert_true(ip4_addr_isany_val(st.dns[i]));
    }
}

/* The configured NTP server stays first; the one a DHCP lease names comes second. */
static void test_ntp_server_from_dhcp_comes_second(void **state)
{
    (void)state;
    settings_dhcp();
    net_init(&settings);
    ip4_addr_t from_dhcp;
    IP4_ADDR(&from_dhcp, 10, 0, 2, 2);
    dhcp_set_ntp_servers(1, &from_dhcp);
    struct net_status st;
    net_get_status(&st);
    assert_string_equal(st.ntp[0].name, "ntp.example.test");
    assert_null(st.ntp[1].name);
    assert_string_equal(ip4addr_ntoa(&st.ntp[1].address), "10.0.2.2");
    dhcp_set_ntp_servers(0, NULL);
    net_get_status(&st);
    assert_true(ip4_addr_isany_val(st.ntp[1].address));
}

/* The device is unplugged: the interface goes with it, and the next device present gets a new one. */
static void test_replaced_device_gets_new_interface(void **state)
{
    (void)state;
    struct net_status st;
    start_static(&st);
    assert_ptr_equal(st.device, &devices[0]);

    devices[0].present = false;
    net_poll();
    net_get_status(&st);
    assert_ptr_equal(st.device, &devices[1]);
    assert_string_equal(ip4addr_ntoa(&st.address), "192.168.1.42");
    assert_true(net_is_up());
}

/* The main loop sleeps until net_next_deadline_us(): it is lwIP's next timeout to the microsecond (a poll just
 * before it runs nothing, so the deadline stays; a poll at it runs the timer, which moves it on), never in the
 * past after a poll, and none of it is lost across the 30 s of DHCP retries and ARP, DNS and SNTP timers. */
static void test_next_deadline_is_lwips_next_timeout(void **state)
{
    (void)state;
    settings_dhcp();
    fake_board_set_uptime_us(1234567);
    net_init(&settings);
    net_poll();
    for (unsigned i = 0; i < 100; i++) {
        uint64_t d = net_next_deadline_us();
        assert_true(d > board_uptime_us());
        assert_true(d != UINT64_MAX);   /* lwIP's cyclic timers always run */
        assert_int_equal(d % 1000u, 0); /* lwIP counts whole milliseconds of uptime */
        fake_board_set_uptime_us(d - 1);
        net_poll();
        assert_true(net_next_deadline_us() == d);
        fake_board_set_uptime_us(d);
        net_poll();
        assert_true(net_next_deadline_us() > d);
    }
    assert_true(board_uptime_us() - 1234567 >= 10000000u);
}

/* Frames beyond one poll's budget wait in the device, announced by nothing: the next pass must not sleep. Nor when a
 * device waits to be adopted, or to be given a new interface. */
static void test_received_backlog_is_work_at_once(void **state)
{
    (void)state;
    settings_dhcp();
    net_init(&settings);
    /* A started device and no interface yet: the next poll adopts it, so the pass before it must not sleep. */
    assert_true(net_next_deadline_us() == 0);
    net_poll();
    assert_true(net_next_deadline_us() > board_uptime_us());
    /* The same device registered anew (out and back in) after the last poll: the next poll gives it a new interface. */
    assert_int_equal(netdev_register(&devices[0]), 0);
    assert_int_equal(netdev_start(&devices[0]), 0);
    assert_true(net_next_deadline_us() == 0);
    net_poll();
    assert_true(net_next_deadline_us() > board_uptime_us());
    rx_pending = NETIF_GLUE_RX_BUDGET + 4;
    net_poll();
    assert_int_equal(rx_pending, 4);
    assert_true(net_next_deadline_us() == 0);
    net_poll();
    assert_int_equal(rx_pending, 0);
    assert_true(net_next_deadline_us() > board_uptime_us());
}

/* Every lwIP error has words of its own (lwip_strerr() is "" in our build: `resolve x: ` said nothing), and a
 * lookup that cannot start says why: no DNS server, or a name DNS cannot carry. */
static void test_strerror_names_every_lwip_error(void **state)
{
    (void)state;
    const char *unknown = net_strerror((err_t)-100);
    for (int e = ERR_ARG; e <= ERR_OK; e++) {
        const char *text = net_strerror((err_t)e);
        assert_non_null(text);
        assert_true(text[0] != '\0');
        assert_string_not_equal(text, unknown);
        for (int f = ERR_ARG; f < e; f++) {
            assert_string_not_equal(text, net_strerror((err_t)f));
        }
        assert_true(net_dns_strerror((err_t)e)[0] != '\0');
    }
    assert_non_null(strstr(net_dns_strerror(ERR_VAL), "no DNS server"));
    assert_string_equal(net_dns_strerror(ERR_ARG), "not a valid name");
    assert_string_equal(net_dns_strerror(ERR_TIMEOUT), net_strerror(ERR_TIMEOUT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dhcp_discover_carries_host_name_and_asks_for_ntp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_settings_and_dns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_configured_dns_replaces_all_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ntp_server_from_dhcp_comes_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced_device_gets_new_interface, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_deadline_is_lwips_next_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_received_backlog_is_work_at_once, setup, teardown),
        cmocka_unit_test(test_strerror_names_every_lwip_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
