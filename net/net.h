/*
 * net.h - the firmware's network, as the application sees it: one interface on the first network device, its
 * addresses from the settings (DHCP, or a static address, gateway and DNS servers), the time from SNTP.
 *
 * net_init() takes the settings: a struct net_settings, which the firmware fills from smtp.conf's IP, Gateway, DNS,
 * NTPServer and HostName (firmware/net_settings.c; this module never sees the configuration itself). net_poll(), on
 * every pass of the main loop, adopts the first network device (netdev_at(0)) whenever one appears (the Pi's USB NIC
 * after enumeration or a re-plug, the native board's slirp device), moves frames (net/netif_glue.h) and runs lwIP's
 * timers. From then on, with no further calls:
 *  - DHCP (the host name's first label as DHCP host name, option 12) or the static addresses;
 *  - DNS servers: those of the settings when they name any (they replace DHCP's), else DHCP's;
 *  - SNTP: the configured NTPServer (a name or an address) first, then the server DHCP names (option 42), polled
 *    by lwIP's SNTP client into net/clock; started whenever the interface has an address on a live link;
 *  - ICMP echo replies (lwIP itself), a new lease after the link went down and up, a new interface when the device
 *    is replaced (unplugged and plugged back).
 * Two moments are logged on the console, with board_uptime_us() in milliseconds ("net: lease 10.0.2.15, 812 ms
 * after boot", "net: clock set by NTP, 930 ms after boot"): each new lease (not its renewals) and the first time
 * the clock is set. They say how long an alarm device is blind after power-on; bench/net-boot reads them.
 *
 * Rules: main loop only, after net_stack_init(). The settings are copied; later changes need another net_init(),
 * which applies them to the interface at once.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/netdev.h"
#include "lwip/dns.h"
#include "lwip/err.h"
#include "lwip/ip4_addr.h"

/* Longest host or NTP server name (RFC 1035); a longer one is cut. */
#define NET_NAME_MAX 253
/* The DHCP host name and the NTP server without settings, or when the settings leave them empty. */
#define NET_DEFAULT_HOSTNAME   "baremail"
#define NET_DEFAULT_NTP_SERVER "pool.ntp.org"

/* What net_init() applies; the strings are copied. */
struct net_settings {
    bool dhcp;                       /* addresses from DHCP; false: ip, netmask and gateway */
    ip4_addr_t ip, netmask, gateway; /* the static addresses */
    unsigned dns_count;              /* servers in dns[] that replace DHCP's (0: DHCP's) */
    ip4_addr_t dns[DNS_MAX_SERVERS];
    /* The device's name (a host name, or an address literal in brackets); its first label is DHCP's host name
     * (option 12). NULL, "" or a literal: NET_DEFAULT_HOSTNAME. */
    const char *hostname;
    const char *ntp_server; /* a name or an address; NULL or "": NET_DEFAULT_NTP_SERVER */
};

/* NTP servers tried in turn: the configured one and one from DHCP (net/lwipopts.h sets SNTP_MAX_SERVERS). */
#define NET_NTP_SERVERS 2

struct net_status {
    struct netdev *device; /* NULL while there is no network device */
    bool link_up;
    bool dhcp;              /* addresses from DHCP; false: static, from the settings */
    const char *dhcp_state; /* "bound", "selecting", ... ("off" with a static address) */
    bool has_address;
    ip4_addr_t address, netmask, gateway;
    int32_t lease_remaining_s;       /* seconds left of the DHCP lease; -1 when there is none */
    ip4_addr_t dns[DNS_MAX_SERVERS]; /* unset entries are 0.0.0.0 */
    struct {
        const char *name;     /* configured name; NULL for a server given by address (DHCP) or none */
        ip4_addr_t address;   /* 0.0.0.0 until known */
        uint8_t reachability; /* SNTP's shift register: bit 0 the last poll answered */
    } ntp[NET_NTP_SERVERS];
    bool ntp_running;
};

/* Takes the network settings (NULL: the defaults, i.e. DHCP, NET_DEFAULT_HOSTNAME and NET_DEFAULT_NTP_SERVER) and
 * applies them to the interface if it exists already. */
void net_init(const struct net_settings *settings);

/* The main loop's network work; returns at once when there is none. */
void net_poll(void);

/* When net_poll() next has work that no interrupt announces (board_uptime_us()): lwIP's next timeout (TCP
 * retransmissions, DHCP, ARP, DNS and SNTP timers, the TLS layer's poll), or at once (0) when the last poll left
 * received frames for the next or a network device is to be adopted or let go; UINT64_MAX when only a frame can
 * bring work. Frames wake the board themselves. */
uint64_t net_next_deadline_us(void);

/* The current state, for the console's `net` and for mail bodies. Pointers in it stay valid until the next
 * net_init(). */
void net_get_status(struct net_status *st);

/* True when the interface has an address on a live link: the moment for DNS, NTP and SMTP. */
bool net_is_up(void);

/* What an lwIP err_t means, in words (lwIP's own lwip_strerr() is "" unless LWIP_DEBUG is on); never "" or NULL. */
const char *net_strerror(err_t err);

/* Why dns_gethostbyname() could not start a lookup (anything but ERR_OK and ERR_INPROGRESS), in words that say what
 * to do: ERR_VAL is "no DNS server", ERR_ARG a name DNS cannot carry. */
const char *net_dns_strerror(err_t err);

#endif /* NET_NET_H */
