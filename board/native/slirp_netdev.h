/*
 * slirp_netdev.h - the native board's network device: a virtual Ethernet NIC (drivers/netdev.h) whose frames go
 * to libslirp, the user-mode network behind QEMU's -netdev user, with the same addresses: network 10.0.2.0/24,
 * the host (its loopback) at 10.0.2.2, DNS at 10.0.2.3, DHCP leases from 10.0.2.15. lwIP's netif glue drives it
 * exactly like a USB NIC on a Pi.
 *
 * Frames from lwIP are handed to slirp at once (netdev_send()); frames from slirp are queued here (at most
 * SLIRP_NETDEV_RX_FRAMES, the rest dropped and counted, as a NIC's full receive ring would) until netdev_receive()
 * takes them. slirp's sockets and timers run in slirp_netdev_wait(), which board_idle_until() calls.
 *
 * Rules: native board only; main loop only (libslirp is not thread-safe, and nothing here uses threads).
 */
#ifndef BOARD_NATIVE_SLIRP_NETDEV_H
#define BOARD_NATIVE_SLIRP_NETDEV_H

#include <stdint.h>

#include "drivers/netdev.h"
#include "lib/err.h"

/* Frames slirp may hand up between two passes of the main loop: a whole lwIP TCP window (TCP_WND, 8 segments)
 * on each of the few connections the firmware has open, plus ARP, DHCP and DNS replies. 48 KiB of buffers. */
#ifndef SLIRP_NETDEV_RX_FRAMES
#define SLIRP_NETDEV_RX_FRAMES 32u
#endif

enum slirp_netdev_err {
    SLIRP_NETDEV_ERR_INIT = -ERR_BASE_SLIRP_NETDEV - 1,     /* slirp_new() failed */
    SLIRP_NETDEV_ERR_REGISTER = -ERR_BASE_SLIRP_NETDEV - 2, /* the netdev registry is full */
};

/* Registers the device (MAC from netdev_board_mac()) and starts it: creates the slirp instance. Returns 0 or a
 * slirp_netdev_err. Once is enough; board_net_start() remembers the result. */
int slirp_netdev_start(void);
const char *slirp_netdev_strerror(int err);

/* The device once slirp_netdev_start() registered it, else NULL. */
struct netdev *slirp_netdev_device(void);

/* Waits up to max_ms milliseconds (less when a slirp timer or socket needs service sooner; 0: only look) for
 * console_fd (-1: none) to become readable or slirp's sockets to be ready, then lets slirp handle its sockets and
 * expired timers. Frames slirp produces are queued for netdev_receive(). */
void slirp_netdev_wait(int console_fd, int max_ms);

#endif /* BOARD_NATIVE_SLIRP_NETDEV_H */
