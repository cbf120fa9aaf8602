/*
 * usb_hub.h - the USB hub class driver (USB 2.0 chapter 11): the Pi's on-board LAN951x/LAN7515 hub, QEMU's
 * automatic full-speed hub, and any hub a user plugs in, nested to the depth USB allows.
 *
 * On probe the driver reads the hub descriptor, powers every port, waits bPwrOn2PwrGood, lets connections settle
 * once for all ports (the 100 ms attach debounce), then resets each connected port and has the USB core
 * enumerate what is behind it. Afterwards it watches the hub's status change endpoint (non-blocking, at the
 * endpoint's interval) and enumerates or removes devices as they come and go. What must wait then (a new
 * connection's debounce, the cool-down before a port cut off by an over-current is powered again) is a due time
 * that a later poll acts on, asked for through lib/wake.h: no poll waits for it.
 *
 * Rules: registered with usb_core_init(); everything runs in the main loop through the core.
 */
#ifndef DRIVERS_USB_USB_HUB_H
#define DRIVERS_USB_USB_HUB_H

#include "drivers/usb/usb_core.h"

/* Hubs handled at once (Pi's on-board hub plus a user hub or two; QEMU's hub). */
#ifndef USB_HUB_MAX
#define USB_HUB_MAX 4u
#endif
/* Ports per hub we serve; the status change bitmap for more would not fit our buffer. */
#define USB_HUB_MAX_PORTS 15u

extern const struct usb_driver usb_hub_driver;

#endif /* DRIVERS_USB_USB_HUB_H */
