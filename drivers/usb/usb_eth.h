/*
 * usb_eth.h - what every USB Ethernet driver (CDC-ECM, SMSC/Microchip) does the same way: its network device's
 * registration when it binds and its removal when the adapter goes, and one frame out as one bulk transfer.
 *
 * Blocking, bounded by the caller's timeout. Main loop only.
 */
#ifndef DRIVERS_USB_USB_ETH_H
#define DRIVERS_USB_USB_ETH_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/netdev.h"
#include "drivers/usb/usb_core.h"

/* The probe's last step: registers nd (its MAC already filled in) under name with ops, priv as its driver state,
 * and makes priv dev's driver data. Returns 0 or -USB_EFULL (the netdev table is full). */
int usb_eth_register(struct usb_device *dev, struct netdev *nd, const char *name, const struct netdev_ops *ops,
                     void *priv);

/* The remove step, once the driver has cancelled its transfers: nd is gone (netdev_unregister()), dev unbound. */
void usb_eth_unregister(struct usb_device *dev, struct netdev *nd);

/* Sends len bytes (a frame with any chip header) on the bulk OUT pipe as one transfer, ended by a zero-length
 * packet when it fills its last packet, since the device only sees a transfer end at a short packet. A stalled
 * endpoint is cleared for the next frame. Returns 0, -NETDEV_ETIMEDOUT or -NETDEV_EIO. */
int usb_eth_send(struct usb_device *dev, struct usb_pipe *out, const void *data, size_t len, uint32_t timeout_us);

#endif /* DRIVERS_USB_USB_ETH_H */
