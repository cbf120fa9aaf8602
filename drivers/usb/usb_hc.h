/*
 * usb_hc.h - what the USB core asks of a host controller driver: where a transfer goes (struct usb_pipe), a
 * transfer in flight (struct usb_async), and the operations a controller driver fills in (struct usb_hc_ops). The
 * core (usb_core.h) and the class drivers see only these types, so a class driver never knows which controller
 * carries its transfers (the DWC2 of every BCM283x Pi today, dwc2.h) and host tests can put a model behind them.
 *
 * Error codes are the USB_E* codes below, negated, whatever the controller's own are.
 *
 * Rules: the operations are called from the main loop only and are not reentrant; blocking ones return within
 * their timeout.
 */
#ifndef DRIVERS_USB_USB_HC_H
#define DRIVERS_USB_USB_HC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/usb_desc.h"
#include "lib/err.h"

/* Error codes, returned negated. */
enum {
    USB_EINVAL = ERR_BASE_USB + 1, /* bad argument or a device that is gone */
    USB_EIO,                       /* transfer failed (transaction error, babble, DMA) */
    USB_ESTALL,                    /* the device refused the request or halted the endpoint */
    USB_ETIMEDOUT,                 /* no answer in time */
    USB_ENAK,                      /* an interrupt endpoint had nothing to report (poll again later) */
    USB_ENODEV,                    /* nothing connected */
    USB_EDESC,                     /* a descriptor was malformed or missing */
    USB_EFULL,                     /* too many devices or nesting too deep */
    USB_EBUSY,                     /* no free host channel */
    USB_ENODRIVER,                 /* no class driver for the device */
};

/* Returned by the asynchronous poll operations while a transfer is in flight. */
#define USB_IN_PROGRESS 1

/* Size of a SETUP packet (USB 2.0 9.3). */
#define USB_SETUP_SIZE 8u

/* Device speeds. */
enum usb_speed {
    USB_SPEED_HIGH,
    USB_SPEED_FULL,
    USB_SPEED_LOW,
};

/* Where a transfer goes. The caller owns it; the controller driver updates `toggle` (next DATA0/DATA1 of a bulk or
 * interrupt endpoint) as packets are acknowledged, so keep one pipe per endpoint for its lifetime. */
struct usb_pipe {
    uint8_t dev_addr;    /* 0..127 */
    uint8_t ep_num;      /* 0..15 */
    uint8_t ep_type;     /* USB_EP_TYPE_* (usb_desc.h): the endpoint descriptor's encoding */
    bool in;             /* direction of data (ignored for control pipes) */
    uint16_t mps;        /* max packet size */
    uint8_t speed;       /* enum usb_speed of the device */
    uint8_t tt_hub_addr; /* high-speed hub whose transaction translator serves a FS/LS device; 0 = no split */
    uint8_t tt_port;     /* that hub's port (1-based) */
    uint8_t toggle;      /* 0: DATA0 next, 1: DATA1 next */
};

/* A transfer in flight. Zero-initialise before the first submit; owned by the caller, its fields by the controller
 * driver (a class driver asks usb_async_busy()). */
struct usb_async {
    int8_t chan; /* the controller's channel in use */
    bool active; /* the channel is taken: in flight, or done and held (poll_held) */
    bool held;
};

/* A host controller driver. Each operation returns 0 or a negative USB_E* code unless it says otherwise. */
struct usb_hc_ops {
    /* A control transfer on pipe (a control pipe): SETUP, optional data stage of len bytes in the direction bit 7
     * of setup[0] gives, status stage. *actual (may be NULL) gets the data stage's length. Blocking, within
     * timeout_us. */
    int (*control)(struct usb_pipe *pipe, const uint8_t setup[USB_SETUP_SIZE], void *data, size_t len, size_t *actual,
                   uint32_t timeout_us);
    /* A bulk or interrupt transfer, blocking within timeout_us; IN ends early on a short packet, a zero-length OUT
     * (len 0) sends one zero-length packet. -USB_ENAK from an interrupt endpoint means no data. */
    int (*transfer)(struct usb_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us);
    /* Arms a bulk or interrupt transfer and returns at once (OUT data is copied now; for IN, len is the most
     * accepted). pipe must stay valid until the transfer completes or is cancelled. */
    int (*async_submit)(struct usb_async *a, struct usb_pipe *pipe, const void *data, size_t len);
    /* USB_IN_PROGRESS, or 0 when done (IN data copied to buf, at most size bytes, *actual set), or an error; after
     * 0 or an error a is idle. */
    int (*async_poll)(struct usb_async *a, void *buf, size_t size, size_t *actual);
    /* Like async_poll for IN without the copy: on 0, *data points to the *actual bytes where the controller put
     * them, held (a stays busy) until async_release. */
    int (*async_poll_held)(struct usb_async *a, const uint8_t **data, size_t *actual);
    void (*async_release)(struct usb_async *a);
    /* Stops a transfer (bounded wait) and frees what it held; packets that went through still advance the pipe's
     * toggle. Idle a: no-op. */
    void (*async_cancel)(struct usb_async *a);
};

#endif /* DRIVERS_USB_USB_HC_H */
