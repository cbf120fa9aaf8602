/*
 * Tests for net/netif_glue.c: lwIP (the real stack, net/lwipopts.h) over a fake network device. Frames go in
 * through the device's receive queue and come out through its send hook; every test ends with lwIP's pool and
 * heap counters back where they started, the leak check of STYLE.md rule 11.
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
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/inet_chksum.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "net/entropy.h"
#include "net/netif_glue.h"

#define ETH_HDR           14u
#define IP_HDR            20u
#define ETHTYPE_IPV4      0x0800u
#define ETHTYPE_ARP_      0x0806u
#define ICMP_ECHO_REQUEST 8u
#define ICMP_ECHO_REPLY   0u
#define IPPROTO_ICMP_     1u
#define IPPROTO_UDP_      17u
#define DHCP_SERVER_PORT  67u
#define LEAK_FRAMES       10000u
#define FAKE_RX_MAX       64u
#define FAKE_TX_MAX       8u

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t our_ip[4] = { 10, 0, 0, 2 };
static const uint8_t peer_ip[4] = { 10, 0, 0, 1 };

/* ---- the fake device ---------------------------------------------------------------------------------------- */

struct frame {
    size_t len;
    uint8_t data[NETDEV_MAX_FRAME];
};

static struct {
    struct frame rx[FAKE_RX_MAX];
    size_t rx_head, rx_count;
    struct frame tx[FAKE_TX_MAX]; /* the last FAKE_TX_MAX frames sent */
    unsigned tx_count;
    int send_result;
    void *rx_buf; /* where the last frame was received into */
} fake;

static int fake_start(struct netdev *nd)
{
    nd->link_up = true;
    return 0;
}

static int fake_send(struct netdev *nd, const void *frame, size_t len)
{
    (void)nd;
    if (fake.send_result != 0) {
        return fake.send_result;
    }
    struct frame *f = &fake.tx[fake.tx_count % FAKE_TX_MAX];
    memcpy(f->data, frame, len);
    f->len = len;
    fake.tx_count++;
    return 0;
}

static int fake_receive(struct netdev *nd, void *buf, size_t size)
{
    (void)nd;
    if (fake.rx_count == 0) {
        return 0;
    }
    struct frame *f = &fake.rx[fake.rx_head];
    fake.rx_head = (fake.rx_head + 1) % FAKE_RX_MAX;
    fake.rx_count--;
    assert_true(f->len <= size);
    memcpy(buf, f->data, f->len);
    fake.rx_buf = buf;
    return (int)f->len;
}

static const struct netdev_ops fake_ops = {
    .start = fake_start,
    .send = fake_send,
    .receive = fake_receive,
    .poll = NULL,
};

static struct netdev device;
static struct netif netif;

static void queue_rx(const uint8_t *data, size_t len)
{
    assert_true(fake.rx_count < FAKE_RX_MAX);
    struct frame *f = &fake.rx[(fake.rx_head + fake.rx_count) % FAKE_RX_MAX];
    memcpy(f->data, data, len);
    f->len = len;
    fake.rx_count++;
}

static const struct frame *last_tx(void)
{
    assert_true(fake.tx_count > 0);
    return &fake.tx[(fake.tx_count - 1) % FAKE_TX_MAX];
}

/* lwIP's random numbers (LWIP_RAND); net/entropy.c reads the hardware RNG, which a host test has not. */
uint32_t net_entropy_rand32(void)
{
    return (uint32_t)rand();
}

/* lwIP's DHCP hands NTP servers here (LWIP_DHCP_GET_NTP_SRV); net/net.c has the real one. */
void dhcp_set_ntp_servers(u8_t num, const ip4_addr_t *server)
{
    (void)num;
    (void)server;
}

/* ---- frames ------------------------------------------------------------------------------------------------- */

static size_t eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    return ETH_HDR;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t arp_frame(uint8_t *f, uint16_t op, const uint8_t *target_mac, const uint8_t *target_ip)
{
    static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    size_t n = eth_header(f, op == 1 ? broadcast : target_mac, peer_mac, ETHTYPE_ARP_);
    static const uint8_t arp_fixed[6] = { 0, 1, 8, 0, 6, 4 };
    memcpy(f + n, arp_fixed, sizeof arp_fixed);
    f[n + 6] = 0;
    f[n + 7] = (uint8_t)op;
    memcpy(f + n + 8, peer_mac, 6);
    memcpy(f + n + 14, peer_ip, 4);
    memcpy(f + n + 18, target_mac, 6);
    memcpy(f + n + 24, target_ip, 4);
    return n + 28;
}

static size_t ipv4_frame(uint8_t *f, const uint8_t *dst_mac, const uint8_t *dst_ip, uint8_t proto,
                         const uint8_t *payload, size_t payload_len)
{
    size_t n = eth_header(f, dst_mac, peer_mac, ETHTYPE_IPV4);
    uint8_t *ip = f + n;
    memset(ip, 0, IP_HDR);
    ip[0] = 0x45;
    ip[2] = (uint8_t)((IP_HDR + payload_len) >> 8);
    ip[3] = (uint8_t)(IP_HDR + payload_len);
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, peer_ip, 4);
    memcpy(ip + 16, dst_ip, 4);
    uint16_t sum = inet_chksum(ip, IP_HDR);
    memcpy(ip + 10, &sum, 2);
    memcpy(ip + IP_HDR, payload, payload_len);
    return n + IP_HDR + payload_len;
}

static size_t echo_request_to(uint8_t *f, const uint8_t *dst_ip, uint16_t seq)
{
    uint8_t icmp[8 + 32];
    memset(icmp, 0, sizeof icmp);
    icmp[0] = ICMP_ECHO_REQUEST;
    icmp[4] = 0x12;
    icmp[5] = 0x34;
    icmp[6] = (uint8_t)(seq >> 8);
    icmp[7] = (uint8_t)seq;
    for (size_t i = 8; i < sizeof icmp; i++) {
        icmp[i] = (uint8_t)i;
    }
    uint16_t sum = inet_chksum(icmp, sizeof icmp);
    memcpy(icmp + 2, &sum, 2);
    return ipv4_frame(f, our_mac, dst_ip, IPPROTO_ICMP_, icmp, sizeof icmp);
}

static size_t echo_request(uint8_t *f, uint16_t seq)
{
    return echo_request_to(f, our_ip, seq);
}

static size_t udp_to_closed_port(uint8_t *f)
{
    uint8_t udp[8 + 4] = { 0x30, 0x39, 0x27, 0x0f, 0, 12, 0, 0, 'p', 'i', 'n', 'g' };
    return ipv4_frame(f, our_mac, our_ip, IPPROTO_UDP_, udp, sizeof udp);
}

/* ---- lwIP's counters ---------------------------------------------------------------------------------------- */

struct usage {
    u16_t pool[MEMP_MAX];
    mem_size_t heap;
};

static void take_usage(struct usage *u)
{
    for (int i = 0; i < MEMP_MAX; i++) {
        u->pool[i] = memp_pools[i]->stats->used;
    }
    u->heap = lwip_stats.mem.used;
}

static void assert_usage_equal(const struct usage *before)
{
    struct usage now;
    take_usage(&now);
    for (int i = 0; i < MEMP_MAX; i++) {
        if (now.pool[i] != before->pool[i]) {
            fail_msg("memp pool %d: %u in use, %u before", i, now.pool[i], before->pool[i]);
        }
    }
    assert_int_equal(now.heap, before->heap);
}

/* ---- fixtures ----------------------------------------------------------------------------------------------- */

static bool lwip_started;

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    memset(&fake, 0, sizeof fake);
    if (!lwip_started) {
        lwip_init();
        lwip_started = true;
    }
    memset(&device, 0, sizeof device);
    device.name = "fake";
    memcpy(device.mac, our_mac, 6);
    device.present = true;
    device.ops = &fake_ops;
    assert_int_equal(netdev_start(&device), 0);

    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, our_ip[0], our_ip[1], our_ip[2], our_ip[3]);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, peer_ip[0], peer_ip[1], peer_ip[2], peer_ip[3]);
    memset(&netif, 0, sizeof netif);
    assert_int_equal(netif_glue_add(&netif, &device, &ip, &mask, &gw), ERR_OK);
    netif_set_default(&netif);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dhcp_cleanup(&netif);
    /* Also drops the interface's ARP entries, and with them any datagram still waiting for an answer. */
    netif_remove(&netif);
    return 0;
}

/* Teaches lwIP the peer's MAC the way a network does: the peer asks for our address. */
static void learn_peer(void)
{
    uint8_t f[64];
    size_t n = arp_frame(f, 1, (const uint8_t[6]){ 0 }, our_ip);
    queue_rx(f, n);
    assert_int_equal(netif_glue_poll(&netif), 1);
    const struct frame *reply = last_tx();
    assert_int_equal(get16(reply->data + 12), ETHTYPE_ARP_);
    assert_int_equal(get16(reply->data + ETH_HDR + 6), 2);
}

/* ---- tests -------------------------------------------------------------------------------------------------- */

static void test_add_copies_device_facts(void **state)
{
    (void)state;
    assert_memory_equal(netif.hwaddr, our_mac, 6);
    assert_int_equal(netif.hwaddr_len, 6);
    assert_int_equal(netif.mtu, 1500);
    assert_true(netif_is_up(&netif));
    assert_true(netif_is_link_up(&netif));
    assert_ptr_equal(netif_glue_device(&netif), &device);
}

static void test_echo_request_gets_reply(void **state)
{
    (void)state;
    learn_peer();
    uint8_t f[128];
    size_t n = echo_request(f, 7);
    queue_rx(f, n);
    assert_int_equal(netif_glue_poll(&netif), 1);
    const struct frame *reply = last_tx();
    assert_int_equal(reply->len, n);
    assert_memory_equal(reply->data, peer_mac, 6);
    assert_memory_equal(reply->data + 6, our_mac, 6);
    assert_int_equal(get16(reply->data + 12), ETHTYPE_IPV4);
    assert_memory_equal(reply->data + ETH_HDR + 12, our_ip, 4);
    assert_memory_equal(reply->data + ETH_HDR + 16, peer_ip, 4);
    assert_int_equal(reply->data[ETH_HDR + IP_HDR], ICMP_ECHO_REPLY);
    /* Identifier, sequence number and data come back unchanged. */
    assert_memory_equal(reply->data + ETH_HDR + IP_HDR + 4, f + ETH_HDR + IP_HDR + 4, n - ETH_HDR - IP_HDR - 4);
    assert_int_equal(inet_chksum(reply->data + ETH_HDR + IP_HDR, (u16_t)(n - ETH_HDR - IP_HDR)), 0);
}

/* A UDP datagram whose data is a separate PBUF_REF reaches the driver as a chain (headers, then the data); the
 * glue gathers it into one frame. The peer's MAC is known first: a datagram waiting for ARP would be copied into
 * one pbuf by lwIP and not test the gathering. */
static void test_chained_pbuf_goes_out_as_one_frame(void **state)
{
    (void)state;
    learn_peer();
    struct usage before;
    take_usage(&before);
    static const char message[] = "a chained payload that lwIP does not copy";
    struct udp_pcb *pcb = udp_new();
    assert_non_null(pcb);
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, sizeof message, PBUF_REF);
    assert_non_null(p);
    p->payload = (void *)message;
    ip_addr_t to;
    IP_ADDR4(&to, peer_ip[0], peer_ip[1], peer_ip[2], peer_ip[3]);
    unsigned sent = fake.tx_count;
    assert_int_equal(udp_sendto(pcb, p, &to, 9), ERR_OK);
    pbuf_free(p);

    assert_int_equal(fake.tx_count, sent + 1);
    const struct frame *dgram = last_tx();
    assert_memory_equal(dgram->data, peer_mac, 6);
    assert_int_equal(get16(dgram->data + 12), ETHTYPE_IPV4);
    assert_int_equal(dgram->data[ETH_HDR + 9], IPPROTO_UDP_);
    assert_int_equal(dgram->len, ETH_HDR + IP_HDR + 8 + sizeof message);
    assert_memory_equal(dgram->data + ETH_HDR + IP_HDR + 8, message, sizeof message);

    udp_remove(pcb);
    assert_usage_equal(&before);
}

static void test_send_failure_is_err_if_and_frees(void **state)
{
    (void)state;
    learn_peer();
    struct usage before;
    take_usage(&before);
    fake.send_result = -NETDEV_EIO;
    uint8_t f[128];
    size_t n = echo_request(f, 1);
    queue_rx(f, n);
    assert_int_equal(netif_glue_poll(&netif), 1);
    assert_int_equal(device.stats.tx_errors, 1);
    assert_usage_equal(&before);
}

/* The leak check: many frames of every kind in, replies out, pools and heap back to where they were. */
static void test_no_leak_after_10000_frames(void **state)
{
    (void)state;
    learn_peer();
    struct usage before;
    take_usage(&before);
    unsigned replies_before = fake.tx_count;
    unsigned echoes = 0;
    uint8_t f[NETDEV_MAX_FRAME];
    for (unsigned i = 0; i < LEAK_FRAMES; i++) {
        size_t n;
        switch (i % 5) {
        case 0:
            n = echo_request(f, (uint16_t)i);
            echoes++;
            break;
        case 1: n = udp_to_closed_port(f); break; /* answered with port unreachable */
        case 2: n = arp_frame(f, 1, (const uint8_t[6]){ 0 }, our_ip); break;
        case 3: n = echo_request_to(f, (const uint8_t[4]){ 10, 0, 0, 77 }, (uint16_t)i); break; /* not ours */
        default: /* a full-size frame of an unknown type: dropped */
            n = eth_header(f, our_mac, peer_mac, 0x88b5);
            memset(f + n, 0xa5, NETDEV_MAX_FRAME - n);
            n = NETDEV_MAX_FRAME;
            break;
        }
        queue_rx(f, n);
        if (fake.rx_count == FAKE_RX_MAX || i + 1 == LEAK_FRAMES) {
            while (netif_glue_poll(&netif) > 0) {
            }
        }
    }
    sys_check_timeouts();
    /* Echo requests, closed ports and ARP requests are each answered. */
    assert_int_equal(fake.tx_count - replies_before, 3 * echoes);
    assert_int_equal(device.stats.rx_frames, LEAK_FRAMES + 1);
    assert_usage_equal(&before);
}

static void test_receive_budget(void **state)
{
    (void)state;
    uint8_t f[64];
    size_t n = arp_frame(f, 1, (const uint8_t[6]){ 0 }, (const uint8_t[4]){ 10, 0, 0, 99 });
    for (unsigned i = 0; i < NETIF_GLUE_RX_BUDGET + 5; i++) {
        queue_rx(f, n);
    }
    assert_int_equal(netif_glue_poll(&netif), NETIF_GLUE_RX_BUDGET);
    assert_int_equal(netif_glue_poll(&netif), 5);
    assert_int_equal(netif_glue_poll(&netif), 0);
}

static void *input_payload;

static err_t note_input(struct pbuf *p, struct netif *inp)
{
    input_payload = p->payload;
    assert_int_equal(p->tot_len, p->len); /* one pbuf */
    return netif_input(p, inp);
}

/* The driver writes the frame into the pbuf lwIP gets: no copy in between (lwIP's ethernetif shape). */
static void test_frame_received_into_pbuf(void **state)
{
    (void)state;
    struct usage before;
    take_usage(&before);
    uint8_t f[NETDEV_MAX_FRAME];
    size_t n = arp_frame(f, 1, (const uint8_t[6]){ 0 }, (const uint8_t[4]){ 10, 0, 0, 99 });
    netif.input = note_input;
    queue_rx(f, n);
    assert_int_equal(netif_glue_poll(&netif), 1);
    netif.input = netif_input;
    assert_non_null(input_payload);
    assert_ptr_equal(input_payload, fake.rx_buf);
    /* The largest frame fits in one pool buffer too. */
    memset(f, 0, sizeof f);
    memcpy(f, (const uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x99 }, 6); /* to someone else: dropped by lwIP */
    queue_rx(f, sizeof f);
    netif.input = note_input;
    assert_int_equal(netif_glue_poll(&netif), 1);
    netif.input = netif_input;
    assert_ptr_equal(input_payload, fake.rx_buf);
    assert_usage_equal(&before);
}

static unsigned link_callbacks;

static void count_link(struct netif *n)
{
    (void)n;
    link_callbacks++;
}

/* A cable pulled and put back: lwIP follows the device, and DHCP asks for its lease again at once. */
static void test_link_down_and_up_restarts_dhcp(void **state)
{
    (void)state;
    struct usage before;
    take_usage(&before);
    link_callbacks = 0;
    netif_set_link_callback(&netif, count_link);
    assert_int_equal(dhcp_start(&netif), ERR_OK);

    device.link_up = false;
    netif_glue_poll(&netif);
    assert_false(netif_is_link_up(&netif));
    assert_int_equal(link_callbacks, 1);
    netif_glue_poll(&netif);
    assert_int_equal(link_callbacks, 1);

    unsigned sent = fake.tx_count;
    device.link_up = true;
    netif_glue_poll(&netif);
    assert_true(netif_is_link_up(&netif));
    assert_int_equal(link_callbacks, 2);
    assert_true(fake.tx_count > sent);
    /* The new DHCP request may share the flight with other frames (a gratuitous ARP): find it among them. */
    bool dhcp_sent = false;
    for (unsigned i = sent; i < fake.tx_count && i - sent < FAKE_TX_MAX; i++) {
        const struct frame *f = &fake.tx[i % FAKE_TX_MAX];
        dhcp_sent |= get16(f->data + 12) == ETHTYPE_IPV4 && f->data[ETH_HDR + 9] == IPPROTO_UDP_ &&
                     get16(f->data + ETH_HDR + IP_HDR + 2) == DHCP_SERVER_PORT;
    }
    assert_true(dhcp_sent);

    dhcp_release_and_stop(&netif);
    netif_set_link_callback(&netif, NULL);
    dhcp_cleanup(&netif);
    assert_usage_equal(&before);
}

/* A device that is gone: nothing is received, the link goes down, nothing leaks. */
static void test_unplugged_device(void **state)
{
    (void)state;
    uint8_t f[128];
    queue_rx(f, echo_request(f, 1));
    device.present = false;
    assert_int_equal(netif_glue_poll(&netif), 0);
    assert_false(netif_is_link_up(&netif));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_copies_device_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_echo_request_gets_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chained_pbuf_goes_out_as_one_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_failure_is_err_if_and_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_leak_after_10000_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_received_into_pbuf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_down_and_up_restarts_dhcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplugged_device, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
