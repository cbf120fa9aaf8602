/*
 * libFuzzer target for received frames on their way into the network stack: a network device (drivers/netdev.h)
 * hands them to net/netif_glue.c, which passes them to lwIP under the firmware's net/lwipopts.h, with net/net.c
 * running DHCP, SNTP and a DNS lookup, so that ARP, IPv4, ICMP, UDP and the DHCP, DNS and SNTP clients all parse
 * hostile input. (The NIC drivers' own RX framing is fuzz_usb_desc's.)
 *
 * Input: frames, each behind a 2-byte big-endian length (up to NETDEV_MAX_FRAME; longer ones are cut). Every input
 * starts from a fresh interface (net_init() drops the old one) whose DHCP client has just sent its DISCOVER; the
 * frames then arrive one per FUZZ_STEP_US, so a lease can be offered and acknowledged, after which SNTP polls
 * FUZZ_NTP_SERVER and the DNS client looks up FUZZ_NAME. lwIP's random numbers count up from FUZZ_RAND, restarting
 * with each input, so DHCP's xid (FUZZ_RAND, kept from the DISCOVER to the REQUEST) is known and the seed corpus
 * (tests/fuzz/gen_net_rx_seeds.py) holds replies that match it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/netdev.h"
#include "fake_board.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "net/entropy.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LWIP_RAND's first value for each input (tests/fuzz/gen_net_rx_seeds.py knows it). A counter, not a constant:
 * lwIP's DNS draws source ports until one is free. */
#define FUZZ_RAND       0x1234abcdu
#define FUZZ_NAME       "mail.baremail.test"
#define FUZZ_NTP_SERVER "10.0.2.2"
#define FUZZ_RX_MAX     64u
/* Between two frames: enough for lwIP's fastest timers (ARP, DHCP's fine timer) to run. */
#define FUZZ_STEP_US 250000u
#define LEN_BYTES    2u

static const uint8_t fuzz_mac[NETDEV_MAC_LEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

static struct {
    const uint8_t *frame[FUZZ_RX_MAX];
    size_t len[FUZZ_RX_MAX];
    size_t head, count;
    size_t gate; /* frames up to here may be received now */
} rx;

static uint32_t rand_count;
static struct net_settings settings;

uint32_t net_entropy_rand32(void)
{
    return FUZZ_RAND + rand_count++;
}

static int fuzz_start(struct netdev *nd)
{
    nd->link_up = true;
    return 0;
}

/* What lwIP sends is not under test: accepted and dropped. */
static int fuzz_send(struct netdev *nd, const void *frame, size_t len)
{
    (void)nd;
    (void)frame;
    (void)len;
    return 0;
}

static int fuzz_receive(struct netdev *nd, void *buf, size_t size)
{
    (void)nd;
    if (rx.head == rx.gate) {
        return 0;
    }
    size_t len = rx.len[rx.head] < size ? rx.len[rx.head] : size;
    memcpy(buf, rx.frame[rx.head], len);
    rx.head++;
    return (int)len;
}

static const struct netdev_ops fuzz_ops = {
    .start = fuzz_start,
    .send = fuzz_send,
    .receive = fuzz_receive,
    .poll = NULL,
};

static struct netdev device = { .name = "fuzz", .present = true, .ops = &fuzz_ops };

static void on_found(const char *name, const ip_addr_t *addr, void *arg)
{
    (void)name;
    (void)addr;
    (void)arg;
}

static void setup_once(void)
{
    static int done;
    if (done) {
        return;
    }
    done = 1;
    fake_board_reset();
    lwip_init();
    memcpy(device.mac, fuzz_mac, sizeof fuzz_mac);
    netdev_register(&device);
    netdev_start(&device);
    settings.dhcp = true;
    settings.ntp_server = FUZZ_NTP_SERVER;
}

static void poll_for(uint64_t us)
{
    fake_board_set_uptime_us(board_uptime_us() + us);
    net_poll();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    rx.head = rx.count = rx.gate = 0;
    for (size_t pos = 0; pos + LEN_BYTES <= size && rx.count < FUZZ_RX_MAX;) {
        size_t len = (size_t)data[pos] << 8 | data[pos + 1];
        pos += LEN_BYTES;
        if (len > size - pos) {
            len = size - pos;
        }
        rx.frame[rx.count] = data + pos;
        rx.len[rx.count] = len < NETDEV_MAX_FRAME ? len : NETDEV_MAX_FRAME;
        rx.count++;
        pos += len;
    }

    rand_count = 0;
    net_init(&settings);
    poll_for(0); /* attach: DHCP sends its DISCOVER */
    bool lookup_started = false;
    while (rx.head < rx.count) {
        rx.gate = rx.head + 1;
        poll_for(FUZZ_STEP_US);
        if (!lookup_started && net_is_up()) {
            ip_addr_t addr;
            dns_gethostbyname(FUZZ_NAME, &addr, on_found, NULL);
            lookup_started = true;
        }
    }
    return 0;
}
