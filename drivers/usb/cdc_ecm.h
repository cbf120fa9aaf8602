/*
 * cdc_ecm.h - USB CDC Ethernet Control Model class driver (CDC ECM 1.2): QEMU's usb-net in its CDC
 * configuration, and the many USB Ethernet adapters that speak the class protocol.
 *
 * Binds to a communications interface of subclass ECM, reads the MAC from the iMACAddress string of the Ethernet
 * functional descriptor, selects the data interface's alternate setting with the bulk endpoints, and exposes the
 * device as a struct netdev. Frames are the bulk transfers themselves (a short packet ends a frame; a frame that
 * is a whole number of packets is followed by a zero-length packet). Link state comes from NETWORK_CONNECTION
 * notifications; devices that send none (QEMU 7.2's usb-net) are taken to have link once started.
 *
 * Rules: registered with usb_core_init(); main loop only.
 */
#ifndef DRIVERS_USB_CDC_ECM_H
#define DRIVERS_USB_CDC_ECM_H

#include <stdint.h>

#include "drivers/netdev.h"
#include "drivers/usb/usb_core.h"

/* ECM functions handled at once. */
#ifndef CDC_ECM_MAX
#define CDC_ECM_MAX 2u
#endif

extern const struct usb_driver cdc_ecm_driver;

/* Parses the iMACAddress string: exactly 12 hex digits, most significant byte first (CDC ECM 1.2 5.4).
 * Returns 0 or -USB_EDESC. */
int cdc_ecm_parse_mac(const char *text, uint8_t mac[NETDEV_MAC_LEN]);

#endif /* DRIVERS_USB_CDC_ECM_H */
