/*
 * The network's console commands; see net_cmd.h.
 *
 * lwIP's callbacks (DNS answers, ICMP replies) may come after a command gave up, so they never point into a
 * command's stack: they carry a request number and fill static state only when it is still the current request.
 */
#include "firmware/net_cmd.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "board/board.h"
#include "firmware/cmd_wait.h"
#include "firmware/console.h"
#include "lib/units.h"
#include "lwip/dns.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "net/clock.h"
#include "net/net.h"

/* Bytes after the ICMP header: a timestamp-sized pattern like ping(8)'s 56, enough to see corruption. */
#define PING_DATA_SIZE 56u
#define PERCENT        100u

/* ---- resolving --------------------------------------------------------------------------------------------- */

static struct {
    uintptr_t request; /* the current request; a callback for another one is stale */
    bool done;
    bool found;
    ip_addr_t addr;
} lookup;

static void lookup_found(const char *name, const ip_addr_t *ipaddr, void *arg)
{
    (void)name;
    if ((uintptr_t)arg != lookup.request) {
        return;
    }
    lookup.done = true;
    lookup.found = ipaddr != NULL;
    if (ipaddr != NULL) {
        lookup.addr = *ipaddr;
    }
}

static bool lookup_done(void)
{
    return lookup.done;
}

/* Resolves name (or parses an address) into *addr. Returns 0, or CONSOLE_ERR_FAILED after printing why not. */
static int resolve(const char *name, ip_addr_t *addr)
{
    lookup.request++;
    lookup.done = false;
    err_t err = dns_gethostbyname(name, addr, lookup_found, (void *)lookup.request);
    if (err == ERR_OK) {
        return 0;
    }
    if (err != ERR_INPROGRESS) {
        printf("resolve %s: %s\n", name, net_dns_strerror(err));
        return CONSOLE_ERR_FAILED;
    }
    if (!cmd_wait_until(lookup_done, board_uptime_us() + (uint64_t)NET_CMD_RESOLVE_TIMEOUT_MS * US_PER_MS)) {
        return CONSOLE_ERR_FAILED;
    }
    if (!lookup.done) {
        printf("resolve %s: no answer within %u ms\n", name, NET_CMD_RESOLVE_TIMEOUT_MS);
        return CONSOLE_ERR_FAILED;
    }
    if (!lookup.found) {
        printf("resolve %s: no such name (or no DNS server answered)\n", name);
        return CONSOLE_ERR_FAILED;
    }
    *addr = lookup.addr;
    return 0;
}

static int cmd_resolve(int argc, char **argv)
{
    if (argc != 2) {
        printf("usage: resolve NAME\n");
        return CONSOLE_ERR_USAGE;
    }
    if (!net_is_up()) {
        printf("resolve: the network is not up (see `net`)\n");
        return CONSOLE_ERR_FAILED;
    }
    uint64_t start = board_uptime_us();
    ip_addr_t addr;
    if (resolve(argv[1], &addr) != 0) {
        return CONSOLE_ERR_FAILED;
    }
    unsigned long elapsed_ms = (unsigned long)((board_uptime_us() - start) / US_PER_MS);
    printf("%s is %s (%lu ms)\n", argv[1], ipaddr_ntoa(&addr), elapsed_ms);
    return 0;
}

/* ---- ping -------------------------------------------------------------------------------------------------- */

static struct {
    uint16_t id;
    uint16_t seq; /* the request waited for */
    bool replied;
    uint8_t ttl;
} echo;

/* Takes echo replies to our current request; everything else goes on to lwIP (return 0). */
static u8_t echo_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    (void)arg;
    (void)pcb;
    (void)addr;
    struct ip_hdr iph;
    struct icmp_echo_hdr icmp;
    if (pbuf_copy_partial(p, &iph, sizeof iph, 0) != sizeof iph) {
        return 0;
    }
    u16_t hlen = (u16_t)(IPH_HL_BYTES(&iph));
    if (pbuf_copy_partial(p, &icmp, sizeof icmp, hlen) != sizeof icmp || icmp.type != ICMP_ER ||
        lwip_ntohs(icmp.id) != echo.id) {
        return 0;
    }
    if (lwip_ntohs(icmp.seqno) == echo.seq) {
        echo.replied = true;
        echo.ttl = IPH_TTL(&iph);
    }
    pbuf_free(p);
    return 1;
}

static bool echo_done(void)
{
    return echo.replied;
}

static err_t send_echo(struct raw_pcb *pcb, const ip_addr_t *to)
{
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)(sizeof(struct icmp_echo_hdr) + PING_DATA_SIZE), PBUF_RAM);
    if (p == NULL) {
        return ERR_MEM;
    }
    struct icmp_echo_hdr *hdr = p->payload;
    ICMPH_TYPE_SET(hdr, ICMP_ECHO);
    ICMPH_CODE_SET(hdr, 0);
    hdr->id = lwip_htons(echo.id);
    hdr->seqno = lwip_htons(echo.seq);
    hdr->chksum = 0;
    uint8_t *data = (uint8_t *)(hdr + 1);
    for (size_t i = 0; i < PING_DATA_SIZE; i++) {
        data[i] = (uint8_t)i;
    }
    hdr->chksum = inet_chksum(hdr, p->len);
    err_t err = raw_sendto(pcb, p, to);
    pbuf_free(p);
    return err;
}

static bool never_done(void)
{
    return false;
}

static int cmd_ping(int argc, char **argv)
{
    unsigned count = NET_CMD_PING_DEFAULT_COUNT;
    if (argc < 2 || argc > 3 || (argc == 3 && !console_parse_count(argv[2], NET_CMD_PING_MAX_COUNT, &count))) {
        printf("usage: ping HOST [count]   (count 1..%u, default %u)\n", NET_CMD_PING_MAX_COUNT,
               NET_CMD_PING_DEFAULT_COUNT);
        return CONSOLE_ERR_USAGE;
    }
    if (!net_is_up()) {
        printf("ping: the network is not up (see `net`)\n");
        return CONSOLE_ERR_FAILED;
    }
    ip_addr_t to;
    if (resolve(argv[1], &to) != 0) {
        return CONSOLE_ERR_FAILED;
    }
    struct raw_pcb *pcb = raw_new(IP_PROTO_ICMP);
    if (pcb == NULL) {
        printf("ping: no raw PCB free\n");
        return CONSOLE_ERR_FAILED;
    }
    raw_recv(pcb, echo_recv, NULL);
    echo.id = (uint16_t)LWIP_RAND();
    printf("PING %s (%s): %u data bytes\n", argv[1], ipaddr_ntoa(&to), PING_DATA_SIZE);

    unsigned sent = 0, received = 0;
    uint64_t rtt_min = UINT64_MAX, rtt_max = 0, rtt_sum = 0;
    bool stopped = false;
    for (unsigned i = 0; i < count && !stopped; i++) {
        echo.seq = (uint16_t)i;
        echo.replied = false;
        uint64_t start = board_uptime_us();
        uint64_t deadline = start + (uint64_t)NET_CMD_PING_TIMEOUT_MS * US_PER_MS;
        err_t err = send_echo(pcb, &to);
        if (err != ERR_OK) {
            printf("seq=%u: not sent: %s\n", i, net_strerror(err));
        } else {
            sent++;
        }
        stopped = !cmd_wait_until(echo_done, deadline);
        if (echo.replied) {
            uint64_t rtt = board_uptime_us() - start;
            received++;
            rtt_sum += rtt;
            rtt_min = rtt < rtt_min ? rtt : rtt_min;
            rtt_max = rtt > rtt_max ? rtt : rtt_max;
            printf("reply from %s: seq=%u ttl=%u time=%lu.%03lu ms\n", ipaddr_ntoa(&to), i, echo.ttl,
                   (unsigned long)(rtt / US_PER_MS), (unsigned long)(rtt % US_PER_MS));
            /* One request per interval, as ping(8): wait out the rest of it. */
            if (i + 1 < count && !stopped) {
                stopped = !cmd_wait_until(never_done, deadline);
            }
        } else if (!stopped && err == ERR_OK) {
            printf("seq=%u: no reply within %u ms\n", i, NET_CMD_PING_TIMEOUT_MS);
        }
    }
    raw_remove(pcb);

    printf("--- %s: %u sent, %u received, %u%% loss", ipaddr_ntoa(&to), sent, received,
           sent ? (sent - received) * PERCENT / sent : 0);
    if (received > 0) {
        uint64_t avg = rtt_sum / received;
        printf(", rtt min/avg/max %lu.%03lu/%lu.%03lu/%lu.%03lu ms", (unsigned long)(rtt_min / US_PER_MS),
               (unsigned long)(rtt_min % US_PER_MS), (unsigned long)(avg / US_PER_MS), (unsigned long)(avg % US_PER_MS),
               (unsigned long)(rtt_max / US_PER_MS), (unsigned long)(rtt_max % US_PER_MS));
    }
    printf("\n");
    return received > 0 ? 0 : CONSOLE_ERR_FAILED;
}

/* ---- net --------------------------------------------------------------------------------------------------- */

static void print_ip(const char *label, const ip4_addr_t *addr)
{
    char text[IP4ADDR_STRLEN_MAX];
    printf("%s%s\n", label, ip4addr_ntoa_r(addr, text, sizeof text));
}

static void print_time(const struct net_status *st)
{
    uint32_t sec, usec;
    net_clock_get_utc(&sec, &usec);
    if (!net_clock_is_set()) {
        printf("time:     not set (%s)\n", st->ntp_running ? "waiting for NTP" : "NTP starts once the network is up");
        return;
    }
    time_t t = (time_t)sec;
    struct tm *tm = gmtime(&t);
    printf("time:     %04d-%02d-%02d %02d:%02d:%02d UTC\n", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
           tm->tm_hour, tm->tm_min, tm->tm_sec);
}

static void print_ntp(const struct net_status *st)
{
    bool any = false;
    for (unsigned i = 0; i < NET_NTP_SERVERS; i++) {
        char addr[IP4ADDR_STRLEN_MAX];
        ip4addr_ntoa_r(&st->ntp[i].address, addr, sizeof addr);
        if (st->ntp[i].name == NULL && ip4_addr_isany_val(st->ntp[i].address)) {
            continue;
        }
        printf("%s%s", any ? "          " : "ntp:      ", st->ntp[i].name != NULL ? st->ntp[i].name : addr);
        if (st->ntp[i].name != NULL && !ip4_addr_isany_val(st->ntp[i].address) && strcmp(st->ntp[i].name, addr) != 0) {
            printf(" (%s)", addr);
        }
        printf(" %s, %s\n", i == 0 ? "from the configuration" : "from DHCP",
               !st->ntp_running               ? "not polling (no network)"
               : st->ntp[i].reachability & 1u ? "answered the last poll"
               : st->ntp[i].reachability != 0 ? "answered before"
                                              : "no answer yet");
        any = true;
    }
    if (!any) {
        printf("ntp:      no server\n");
    }
}

static int cmd_net(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        printf("usage: net\n");
        return CONSOLE_ERR_USAGE;
    }
    struct net_status st;
    net_get_status(&st);
    if (st.device == NULL) {
        printf("device:   none\n");
    } else {
        char mac[3 * NETDEV_MAC_LEN];
        netdev_format_mac(st.device->mac, mac, sizeof mac);
        printf("device:   %s, MAC %s\n", st.device->name, mac);
        printf("link:     %s", st.link_up ? "up" : "down");
        if (st.link_up && st.device->speed_mbps != 0) {
            printf(", %lu Mbit/s %s duplex", (unsigned long)st.device->speed_mbps,
                   st.device->full_duplex ? "full" : "half");
        } else if (st.link_up) {
            printf(", speed unknown");
        }
        printf("\n");
    }
    if (st.dhcp && st.device == NULL) {
        /* lwIP's DHCP state is "off" until there is an interface: say what it waits for instead. */
        printf("config:   DHCP, starts when a network device appears\n");
    } else if (st.dhcp && !st.link_up) {
        printf("config:   DHCP, starts when the link is up\n");
    } else if (st.dhcp) {
        printf("config:   DHCP, %s", st.dhcp_state);
        if (st.lease_remaining_s >= 0) {
            printf(", lease %ld s left", (long)st.lease_remaining_s);
        }
        printf("\n");
    } else {
        printf("config:   static\n");
    }
    if (st.has_address) {
        print_ip("address:  ", &st.address);
        print_ip("netmask:  ", &st.netmask);
        print_ip("gateway:  ", &st.gateway);
    } else {
        printf("address:  none\n");
    }
    bool any_dns = false;
    for (unsigned i = 0; i < DNS_MAX_SERVERS; i++) {
        if (!ip4_addr_isany_val(st.dns[i])) {
            print_ip(any_dns ? "          " : "dns:      ", &st.dns[i]);
            any_dns = true;
        }
    }
    if (!any_dns) {
        printf("dns:      none\n");
    }
    print_ntp(&st);
    print_time(&st);
    if (st.device != NULL) {
        printf("frames:   %lu received, %lu sent, %lu dropped, %lu errors\n", (unsigned long)st.device->stats.rx_frames,
               (unsigned long)st.device->stats.tx_frames, (unsigned long)st.device->stats.rx_dropped,
               (unsigned long)(st.device->stats.rx_errors + st.device->stats.tx_errors));
    }
    return 0;
}

/* clang-format off */
static const struct console_cmd net_cmds[] = {
    { "net", "", "network: device, link, addresses, DNS, DHCP lease, NTP and the UTC time", cmd_net },
    { "ping", "HOST [count]", "send ICMP echo requests (Ctrl-C stops)", cmd_ping },
    { "resolve", "NAME", "look a name up in DNS", cmd_resolve },
};
/* clang-format on */

int net_cmd_register(void)
{
    return console_register(net_cmds, ARRAY_SIZE(net_cmds));
}
