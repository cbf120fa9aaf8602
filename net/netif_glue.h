/*
 * netif_glue.h - one lwIP network interface over one network device (drivers/netdev.h): the only place where
 * lwIP's pbufs meet a NIC driver, so the same glue serves the Pi's USB NICs and the native board's slirp device.
 *
 * Outgoing frames: lwIP's linkoutput hands a pbuf chain; a single pbuf goes to netdev_send() as it is, a chain
 * is gathered into one static frame buffer first (netdev_send() copies before it returns, so the buffer is free
 * again at once). Incoming frames: netif_glue_poll() takes up to NETIF_GLUE_RX_BUDGET frames from
 * netdev_receive() per call, each straight into a pbuf from PBUF_POOL (no copy here), and hands them to lwIP,
 * which owns and frees them.
 * Link state: the device's link_up is mirrored with netif_set_link_up()/netif_set_link_down(); lwIP's DHCP then
 * asks for its lease again when the link comes back (INIT-REBOOT, RFC 2131 3.2).
 *
 * Rules: main loop only (NO_SYS lwIP). The struct netif is the caller's and must stay valid while added; the
 * device is the driver's and must stay registered.
 */
#ifndef NET_NETIF_GLUE_H
#define NET_NETIF_GLUE_H

#include "drivers/netdev.h"
#include "lwip/netif.h"

/* Frames taken from the device per netif_glue_poll(): enough for a full TCP window (TCP_WND is 8 segments) in
 * one pass, bounded so that a flood cannot starve the console and the other work of the main loop. */
#ifndef NETIF_GLUE_RX_BUDGET
#define NETIF_GLUE_RX_BUDGET 16
#endif

/* Adds netif to lwIP for the started device nd, with the given IPv4 settings (all zero for DHCP), the device's
 * MAC, an MTU of 1500 and the link state the device reports now. The interface is set up (administratively)
 * but not made the default. Returns ERR_OK or lwIP's error (ERR_IF when netif_add() refused). */
err_t netif_glue_add(struct netif *netif, struct netdev *nd, const ip4_addr_t *ip, const ip4_addr_t *netmask,
                     const ip4_addr_t *gw);

/* The device behind netif (added by netif_glue_add()). */
struct netdev *netif_glue_device(const struct netif *netif);

/* Polls the device (netdev_poll()), mirrors its link state, and passes up to NETIF_GLUE_RX_BUDGET received frames
 * into lwIP. Returns the number of frames passed up, so a caller can poll again at once when it was the budget. */
int netif_glue_poll(struct netif *netif);

#endif /* NET_NETIF_GLUE_H */
