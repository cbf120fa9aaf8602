/*
 * net.c - the interface brought up from the settings; see net.h.
 */
#include "net/net.h"

#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "lib/units.h"
#include "lwip/apps/sntp.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "lwip/prot/dhcp.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "net/clock.h"
#include "net/netif_glue.h"

/* SNTP's list: the configured server first, the one DHCP names second. */
#define NTP_INDEX_CONFIG 0
#define NTP_INDEX_DHCP   1

/* The settings net_init() copied: lwIP keeps pointers to the host and NTP server names. */
static struct {
    bool dhcp;
    ip4_addr_t ip, netmask, gateway;
    unsigned dns_count;
    ip4_addr_t dns[DNS_MAX_SERVERS];
    char hostname[NET_NAME_MAX + 1];
    char ntp_server[NET_NAME_MAX + 1];
} settings;

static struct netif netif;
static bool netif_added;
static uint32_t netif_instance; /* the netdev instance the interface was added for */
static bool was_up;             /* net_is_up() at the last poll: SNTP starts on the rising edge */
static u8_t last_dhcp_state;
static u32_t lease_start_ms; /* sys_now() when the current lease was granted or renewed */
static bool clock_was_set;   /* net_clock_is_set() at the last poll: the first time is logged */
static bool rx_backlog;      /* the last poll took a full budget of frames: more may wait, announced by nothing */

/* DHCP's host name option wants a host, not a domain: the first label of the device's name, or the default when it
 * is an address literal. */
static void set_hostname(const char *name)
{
    if (name == NULL || name[0] == '\0') {
        name = NET_DEFAULT_HOSTNAME;
    }
    if (name[0] == '[') {
        name = NET_DEFAULT_HOSTNAME;
    }
    size_t len = strcspn(name, ".");
    snprintf(settings.hostname, sizeof settings.hostname, "%.*s", (int)len, name);
}

/* Configured servers replace all of DHCP's, not only as many slots as there are configured ones: a lease's second
 * server left behind a configured first one would still be asked. */
static void apply_config_dns(void)
{
    if (settings.dns_count == 0) {
        return;
    }
    for (unsigned i = 0; i < DNS_MAX_SERVERS; i++) {
        ip_addr_t addr;
        ip_addr_copy_from_ip4(addr, settings.dns[i]);
        dns_setserver((u8_t)i, i < settings.dns_count ? &addr : NULL);
    }
}

static void detach(void)
{
    if (!netif_added) {
        return;
    }
    sntp_stop();
    dhcp_stop(&netif);
    dhcp_cleanup(&netif);
    netif_remove(&netif);
    netif_added = false;
    was_up = false;
    last_dhcp_state = DHCP_STATE_OFF;
}

void net_init(const struct net_settings *s)
{
    detach();
    memset(&settings, 0, sizeof settings);
    settings.dhcp = s == NULL || s->dhcp;
    if (!settings.dhcp) {
        settings.ip = s->ip;
        settings.netmask = s->netmask;
        settings.gateway = s->gateway;
    }
    if (s != NULL) {
        settings.dns_count = s->dns_count < DNS_MAX_SERVERS ? s->dns_count : DNS_MAX_SERVERS;
        memcpy(settings.dns, s->dns, settings.dns_count * sizeof settings.dns[0]);
    }
    set_hostname(s != NULL ? s->hostname : NULL);
    snprintf(settings.ntp_server, sizeof settings.ntp_server, "%s",
             s != NULL && s->ntp_server != NULL && s->ntp_server[0] != '\0' ? s->ntp_server : NET_DEFAULT_NTP_SERVER);

    apply_config_dns();
    sntp_setoperatingmode(SNTP_OPMODE_POLL);
    sntp_setservername(NTP_INDEX_CONFIG, settings.ntp_server);
}

/* Called by lwIP's DHCP client with the NTP servers of a lease (LWIP_DHCP_GET_NTP_SRV). lwIP's own version in
 * sntp.c would put them first, over the configured server; here they come after it (SNTP_GET_SERVERS_FROM_DHCP
 * is off in net/lwipopts.h). */
void dhcp_set_ntp_servers(u8_t num, const ip4_addr_t *server)
{
    ip_addr_t addr;
    if (num > 0) {
        ip_addr_copy_from_ip4(addr, server[0]);
        sntp_setserver(NTP_INDEX_DHCP, &addr);
    } else {
        sntp_setserver(NTP_INDEX_DHCP, NULL);
    }
}

static void attach(struct netdev *nd)
{
    err_t err = netif_glue_add(&netif, nd, &settings.ip, &settings.netmask, &settings.gateway);
    if (err != ERR_OK) {
        printf("net: cannot add an interface for %s: %s\n", nd->name, net_strerror(err));
        return;
    }
    netif_added = true;
    netif_instance = nd->instance;
    netif_set_default(&netif);
    netif_set_hostname(&netif, settings.hostname);
    if (settings.dhcp) {
        err = dhcp_start(&netif);
        if (err != ERR_OK) {
            printf("net: DHCP did not start: %s\n", net_strerror(err));
        }
    }
}

bool net_is_up(void)
{
    return netif_added && netif_is_up(&netif) && netif_is_link_up(&netif) &&
           !ip4_addr_isany_val(*netif_ip4_addr(&netif));
}

/* Milliseconds since boot, for the log lines below: how long the network took to come up is what a user waiting
 * for an alarm device wants to know, and what bench/net-boot measures. */
static unsigned long uptime_ms(void)
{
    return (unsigned long)(board_uptime_us() / US_PER_MS);
}

/* A lease granted or renewed shows as a change into BOUND; DHCP has just set its DNS servers then, so the
 * configured ones go back in. A new lease (not a renewal of the current one) is logged. */
static void follow_dhcp(void)
{
    struct dhcp *dhcp = netif_dhcp_data(&netif);
    u8_t state = dhcp != NULL ? dhcp->state : DHCP_STATE_OFF;
    if (state == DHCP_STATE_BOUND && last_dhcp_state != DHCP_STATE_BOUND) {
        lease_start_ms = sys_now();
        apply_config_dns();
        if (last_dhcp_state != DHCP_STATE_RENEWING && last_dhcp_state != DHCP_STATE_REBINDING) {
            printf("net: lease %s, %lu ms after boot\n", ip4addr_ntoa(netif_ip4_addr(&netif)), uptime_ms());
        }
    }
    last_dhcp_state = state;
}

/* The first time SNTP sets the clock; later corrections are routine. */
static void follow_clock(void)
{
    if (!clock_was_set && net_clock_is_set()) {
        clock_was_set = true;
        printf("net: clock set by NTP, %lu ms after boot\n", uptime_ms());
    }
}

/* SNTP on a live interface only: requests sent without an address fail and back off for minutes. */
static void follow_up_state(void)
{
    bool up = net_is_up();
    if (up && !was_up) {
        sntp_stop();
        sntp_init();
    } else if (!up && was_up) {
        sntp_stop();
    }
    was_up = up;
}

/* Another device than the interface's, or the same one registered anew (unplugged and plugged back, maybe within one
 * pass): the interface goes, and a new one gets a new DHCP exchange, since the device may now be on another
 * network. */
static bool interface_outdated(const struct netdev *nd)
{
    return netif_added && (netif_glue_device(&netif) != nd || nd->instance != netif_instance);
}

static bool device_to_adopt(const struct netdev *nd)
{
    return !netif_added && nd != NULL && nd->started;
}

void net_poll(void)
{
    struct netdev *nd = netdev_at(0);
    if (interface_outdated(nd)) {
        detach();
    }
    if (device_to_adopt(nd)) {
        attach(nd);
    }
    rx_backlog = false;
    if (netif_added) {
        rx_backlog = netif_glue_poll(&netif) == NETIF_GLUE_RX_BUDGET;
        follow_dhcp();
        follow_up_state();
    }
    sys_check_timeouts();
    follow_clock();
}

uint64_t net_next_deadline_us(void)
{
    /* A device to adopt or to let go (it started, or was replaced, since the last poll), or frames left behind. */
    struct netdev *nd = netdev_at(0);
    if (rx_backlog || interface_outdated(nd) || device_to_adopt(nd)) {
        return 0;
    }
    /* Read before lwIP reads sys_now(): a millisecond that ticks between the two makes the deadline early, never
     * late. A timeout at lwIP's time T runs once sys_now() reaches T, i.e. at uptime T ms exactly. */
    uint64_t now_ms = board_uptime_us() / US_PER_MS;
    u32_t sleep_ms = sys_timeouts_sleeptime();
    if (sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
        return UINT64_MAX;
    }
    return (now_ms + sleep_ms) * US_PER_MS;
}

static const char *dhcp_state_name(u8_t state)
{
    switch (state) {
    case DHCP_STATE_OFF: return "off";
    case DHCP_STATE_REQUESTING: return "requesting";
    case DHCP_STATE_INIT: return "init";
    case DHCP_STATE_REBOOTING: return "rebooting";
    case DHCP_STATE_REBINDING: return "rebinding";
    case DHCP_STATE_RENEWING: return "renewing";
    case DHCP_STATE_SELECTING: return "selecting";
    case DHCP_STATE_INFORMING: return "informing";
    case DHCP_STATE_CHECKING: return "checking the address";
    case DHCP_STATE_BOUND: return "bound";
    case DHCP_STATE_BACKING_OFF: return "backing off";
    default: return "unknown";
    }
}

void net_get_status(struct net_status *st)
{
    memset(st, 0, sizeof *st);
    st->dhcp = settings.dhcp;
    st->dhcp_state = "off";
    st->lease_remaining_s = -1;
    st->device = netif_added ? netif_glue_device(&netif) : netdev_at(0);
    st->link_up = st->device != NULL && netdev_link_up(st->device);
    if (netif_added) {
        st->address = *netif_ip4_addr(&netif);
        st->netmask = *netif_ip4_netmask(&netif);
        st->gateway = *netif_ip4_gw(&netif);
        st->has_address = !ip4_addr_isany_val(st->address);
        struct dhcp *dhcp = netif_dhcp_data(&netif);
        if (dhcp != NULL) {
            st->dhcp_state = dhcp_state_name(dhcp->state);
            if (dhcp_supplied_address(&netif) && dhcp->offered_t0_lease != 0) {
                u32_t elapsed_s = (sys_now() - lease_start_ms) / MS_PER_S;
                st->lease_remaining_s =
                    elapsed_s < dhcp->offered_t0_lease ? (int32_t)(dhcp->offered_t0_lease - elapsed_s) : 0;
            }
        }
    }
    for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
        const ip_addr_t *dns = dns_getserver(i);
        st->dns[i] = *ip_2_ip4(dns);
    }
    for (u8_t i = 0; i < NET_NTP_SERVERS; i++) {
        st->ntp[i].name = sntp_getservername(i);
        const ip_addr_t *addr = sntp_getserver(i);
        if (addr != NULL) {
            st->ntp[i].address = *ip_2_ip4(addr);
        }
        st->ntp[i].reachability = sntp_getreachability(i);
    }
    st->ntp_running = sntp_enabled();
}
