/*
 * usb_host.h - brings the USB host up and keeps it up: the DWC2 controller, the device on the root port (and,
 * through the hub driver, everything behind it), and the network devices the class drivers registered.
 *
 * Nothing that fails here is final. A controller that did not start, a root port with nothing on it yet, an
 * enumeration that failed, a root port that dropped (unplug, over-current, babble) and a network device whose start
 * failed are all tried again from usb_host_poll() with a backoff that doubles from USB_HOST_RETRY_MIN_US up to
 * USB_HOST_RETRY_MAX_US: a NIC that answers late, appears late or re-enumerates still gets started, and net/
 * attaches the interface once it is.
 *
 * Each step blocks for a bounded time (the USB timings, and on a bus whose devices stop answering a control
 * timeout per request). cfg->keepalive runs before every step and every control transfer, so a watchdog fed from
 * it survives a bring-up that adds up to more than its timeout, while a main loop stuck elsewhere still trips it.
 *
 * Rules: usb_host_init() once, after systimer_init(); usb_host_start() once at boot; usb_host_poll() on every pass
 * of the main loop. Main-loop context only. Errors are negative USB_E* codes (usb_core.h).
 */
#ifndef DRIVERS_USB_USB_HOST_H
#define DRIVERS_USB_USB_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/usb_core.h"

/* How long usb_host_start() waits for a device on the root port. Circle's usbpowerdelay defaults to 510 ms and its
 * doc/cmdline.txt calls that "sometimes not enough to detect a device" (doc/issues.txt suggests 800 ms or more);
 * on-board hubs connect within milliseconds, and a Zero with nothing plugged in is tried again later anyway. */
#ifndef USB_HOST_CONNECT_TIMEOUT_US
#define USB_HOST_CONNECT_TIMEOUT_US 1000000u
#endif
/* Retry backoff: the first retry soon (a NIC busy with its EEPROM or PHY answers within a few hundred ms), then
 * doubling, so a device that never works costs a few control transfers every 8 s. */
#ifndef USB_HOST_RETRY_MIN_US
#define USB_HOST_RETRY_MIN_US 500000u
#endif
#ifndef USB_HOST_RETRY_MAX_US
#define USB_HOST_RETRY_MAX_US 8000000u
#endif

/* How often the root port is looked at for a device that came (nothing was there) or went (unplug, over-current,
 * babble): the DWC2 core's port interrupt is not used, so this is polled. USB 2.0 section 7.1.7.3 gives a device
 * that was just plugged in TATTDB = 100 ms of debounce before the host may reset it, so looking as often costs a
 * plug at most one debounce interval; devices behind a hub are the hub driver's (its status endpoint's interval). */
#ifndef USB_HOST_PORT_WATCH_US
#define USB_HOST_PORT_WATCH_US 100000u
#endif

struct usb_host_config {
    uintptr_t core_base;                     /* the DWC2 block (peripheral base + 0x980000) */
    uint32_t bus_alias;                      /* see dwc2_init() */
    const struct usb_driver *const *drivers; /* class drivers in matching order (kept by reference) */
    size_t driver_count;
    int (*power_on)(void);   /* powers the USB domain: 0 or < 0; NULL when it is always on */
    void (*keepalive)(void); /* called between blocking steps (a watchdog feed); may be NULL */
};

/* Keeps a copy of cfg and forgets any earlier state. Touches no hardware. */
void usb_host_init(const struct usb_host_config *cfg);

/* The boot-time bring-up: starts the controller, waits up to USB_HOST_CONNECT_TIMEOUT_US for a device on the root
 * port, enumerates the bus and starts the network devices found. Returns 0 when a network device was started, else
 * the first error met (-USB_ENODRIVER: the bus is up but no network device was found); usb_host_poll() goes on
 * trying either way. */
int usb_host_start(void);

/* One pass of the main loop: hub status changes, a lost root port (its devices are removed and enumerated again
 * once a device is back), due retries, and a start for every registered network device that is not started. Asks
 * lib/wake.h for the next pass it needs (the port watch, a retry); the drivers ask for their own polls. */
void usb_host_poll(void);

/* The last bring-up error: 0 once the root port's device was enumerated, else why not (-USB_ENODEV: nothing on the
 * root port). */
int usb_host_error(void);

/* True once the controller has started (dwc2_core_id() and the device tree mean something). */
bool usb_host_controller_up(void);

#endif /* DRIVERS_USB_USB_HOST_H */
