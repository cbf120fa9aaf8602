/*
 * usb_eth.h - the data path step every USB Ethernet driver (CDC-ECM, SMSC/Microchip) takes the same way: one frame
 * out as one bulk transfer.
 *
 * Blocking, bounded by the caller's timeout. Main loop only.
 */
#ifndef USB_ETH_H
#define USB_ETH_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/usb_core.h"

/* Sends len bytes (a frame with any chip header) on the bulk OUT pipe as one transfer, ended by a zero-length
 * packet when it fills its last packet, since the device only sees a transfer end at a short packet. A stalled
 * endpoint is cleared for the next frame. Returns 0, -NETDEV_ETIMEDOUT or -NETDEV_EIO. */
int usb_eth_send(struct usb_device *dev, struct usb_pipe *out, const void *data, size_t len, uint32_t timeout_us);

#endif /* USB_ETH_H */
