/*
 * lwipopts.h - baremail's lwIP 2.2 configuration. Everything not set here keeps lwIP's default (lwip/opt.h);
 * every value set here says why it differs, or why it is stated although it is the default.
 *
 * The stack serves one job: send alert mail over TCP (SMTP, later with TLS through altcp) from a board on a
 * DHCP-configured IPv4 Ethernet, with names from DNS and the time from SNTP.
 *
 * Rules: lwIP runs in the main loop only. Received frames are handed to lwIP and sys_check_timeouts() is called
 * from the main loop, never from an interrupt handler; that is what makes NO_SYS=1 without locks correct.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

#include "net/clock.h"

/* --- System --------------------------------------------------------------------------------------------------- */

/* Bare metal, no threads: the raw/callback API only (no sockets, no netconn, no tcpip thread). */
#define NO_SYS       1
#define LWIP_SOCKET  0
#define LWIP_NETCONN 0
/* Nothing calls lwIP from an interrupt handler (see Rules above), so no critical sections are needed. */
#define SYS_LIGHTWEIGHT_PROT 0

/* --- Memory --------------------------------------------------------------------------------------------------- */

/* ARM: word-aligned pools and pbuf payloads. The compiler uses multi-word loads (LDM, LDRD) on lwIP's structures,
 * which fault when unaligned even where single loads may be; the default of 1 is for 8-bit CPUs. The native board
 * and the host tests run on 64-bit CPUs, where lwIP's structures hold 8-byte pointers: 8 there, so that pool
 * elements are aligned for them (UBSan checks it). */
#if defined(__SIZEOF_POINTER__) && __SIZEOF_POINTER__ == 8
#define MEM_ALIGNMENT 8
#else
#define MEM_ALIGNMENT 4
#endif
/* Packet buffers from newlib's malloc: the heap is all RAM above the image (hundreds of MiB), so a separate fixed
 * lwIP heap (MEM_SIZE) would only be a second, smaller limit. malloc is safe here: main loop only. */
#define MEM_LIBC_MALLOC 1
/* Receive buffers for the NIC driver. 24 full-size buffers hold a whole TCP window (below) plus the odd ARP,
 * DHCP or DNS frame arriving at the same time. */
#define PBUF_POOL_SIZE 24
/* One buffer holds the largest frame a driver hands up (NETDEV_MAX_FRAME: 1500 + header + VLAN tag), so that
 * net/netif_glue.c receives each frame straight into the pbuf lwIP gets; lwIP's default (TCP_MSS + headers) is 4
 * bytes short. */
#define PBUF_POOL_BUFSIZE 1518
/* Connections at once: one SMTP session, plus room for a retry while the last one is still closing (lwIP recycles
 * the oldest TIME_WAIT connection when the pool is empty). UDP: DHCP, DNS and SNTP, plus one spare; the same as
 * lwIP's default, stated because the three users are counted here. */
#define MEMP_NUM_TCP_PCB 4
#define MEMP_NUM_UDP_PCB 4
/* lwIP sizes its timer pool for its own modules only; SNTP needs one more, and the application a few for its
 * retry and timeout timers (sys_timeout). */
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 1 + 4)

/* --- Network interface ---------------------------------------------------------------------------------------- */

#define LWIP_ETHERNET 1
#define LWIP_ARP      1
/* The application follows link and address changes (cable pulled, DHCP lease) to report them and retry mail. */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
/* The DHCP request carries a host name, so the router's lease table shows which device this is. */
#define LWIP_NETIF_HOSTNAME 1

/* --- IP ------------------------------------------------------------------------------------------------------- */

#define LWIP_IPV4 1
/* IPv4 only for now: home and office networks all hand out IPv4 by DHCP; IPv6 comes with its own issue. */
#define LWIP_IPV6 0
#define LWIP_ICMP 1
/* The console's `ping` sends echo requests and reads the replies on a raw ICMP PCB; one is enough, the console
 * runs one command at a time. lwIP answers echo requests itself (LWIP_ICMP), without this. */
#define LWIP_RAW         1
#define MEMP_NUM_RAW_PCB 1
/* Address configuration by DHCP. The ARP probe of an offered address (RFC 5227 ACD) is off: it holds the lease
 * back by about 8 s, against a target of a lease 1.5 s after power-on, and the DHCP server already checks the
 * address it offers on the networks an alarm device sits on. */
#define LWIP_DHCP                1
#define LWIP_DHCP_DOES_ACD_CHECK 0

/* --- UDP and TCP ---------------------------------------------------------------------------------------------- */

#define LWIP_UDP 1
#define LWIP_TCP 1
/* Ethernet MTU 1500 minus IP and TCP headers; the default of 536 is for unknown paths and triples the segments. */
#define TCP_MSS 1460
/* Eight segments in flight: enough for a 16 KiB TLS record to arrive in two round trips, and covered by the pbuf
 * pool above (lwIP's sanity check compares the two). */
#define TCP_WND (8 * TCP_MSS)
/* Outgoing: a 4 KiB TLS record (MBEDTLS_SSL_OUT_CONTENT_LEN) and its headers fit without waiting for ACKs. */
#define TCP_SND_BUF (4 * TCP_MSS)
/* Notice a dead mail server connection instead of waiting forever for a reply. */
#define LWIP_TCP_KEEPALIVE 1
/* Initial sequence numbers from the hardware RNG instead of lwIP's predictable counter, so an off-path attacker
 * cannot guess them (RFC 6528's aim, with a random number per connection). */
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) LWIP_RAND()

/* altcp: the application talks to one interface whether the connection is plain TCP or TLS. The TLS layer is
 * baremail's own (on mbedTLS 3.6); lwIP's altcp_tls_mbedtls.c port is for mbedTLS 2 and is neither configured
 * nor compiled. */
#define LWIP_ALTCP             1
#define LWIP_ALTCP_TLS         1
#define LWIP_ALTCP_TLS_MBEDTLS 0

/* --- DNS and SNTP --------------------------------------------------------------------------------------------- */

/* Mail server and time server names; the servers come from smtp.conf's DNS key, else from DHCP. */
#define LWIP_DNS 1
/* As many servers as smtp.conf's DNS key takes (config/'s CONFIG_DNS_MAX; firmware/net_settings.c passes no more than
 * this); lwIP's default is 2. */
#define DNS_MAX_SERVERS 3

/* SNTP sets net/clock, which certificate validity checks need. Servers are named (DNS) in the configuration. */
#define LWIP_SNTP                        1
#define SNTP_SERVER_DNS                  1
#define SNTP_SET_SYSTEM_TIME_US(sec, us) net_clock_set_utc((sec), (us))
/* Check that a reply answers our request (source address, and the originate timestamp we sent), so an off-path
 * sender cannot set the clock that certificate checks rely on. The request stamp comes from net/clock. */
#define SNTP_CHECK_RESPONSE           2
#define SNTP_GET_SYSTEM_TIME(sec, us) net_clock_get_utc(&(sec), &(us))
/* lwIP waits up to 5 s at random before the first request (RFC 4330 asks it of large client populations
 * starting together); one alarm device asks at once, since mail cannot be sent before the clock is known. */
#define SNTP_STARTUP_DELAY 0
/* Two servers, tried in turn: NTPServer from the configuration, then the one the DHCP lease names (option 42).
 * DHCP asks for it (LWIP_DHCP_GET_NTP_SRV), but lwIP's SNTP would put it first, over the configured one; net/net.c
 * puts it second instead (its dhcp_set_ntp_servers()), so lwIP's own is off. */
#define SNTP_MAX_SERVERS           2
#define LWIP_DHCP_GET_NTP_SRV      1
#define SNTP_GET_SERVERS_FROM_DHCP 0

/* --- Diagnostics ---------------------------------------------------------------------------------------------- */

/* Counters (lwIP's default) stay on: the memory pool counters are how a leak shows. */
#define LWIP_STATS 1

#endif /* NET_LWIPOPTS_H */
