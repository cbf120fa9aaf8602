/*
 * dwc2.h - the Synopsys DesignWare USB 2.0 OTG core (DWC2) of the BCM283x, driven as a host controller.
 *
 * Polled: every wait is bounded by the system timer. The core's interrupt line (BCM283x GPU IRQ 9) is raised when a
 * host channel halts, i.e. when a transfer completed or failed, and stays raised until the driver's next poll of
 * that channel acknowledges it (dwc2_async_poll(), or the blocking calls' own waits). It exists so the board can
 * sleep in WFI and still wake for a received frame: the driver itself never needs the interrupt, and the board's
 * handler must only mask the line at the interrupt controller (it may not touch the core: the driver is not
 * reentrant) and unmask it again before its next sleep. Transfers use the core's buffer DMA mode
 * through bounce buffers owned by this module (one per host channel, aligned and padded to DMA_CACHE_LINE), so
 * callers pass ordinary memory and never think about caches or bus addresses.
 *
 * Two styles of transfer:
 *  - blocking: dwc2_control() and dwc2_transfer() run to completion (or their deadline) on channel 0;
 *  - non-blocking: dwc2_async_submit() arms another channel and dwc2_async_poll() reports when it is done, so the
 *    main loop never waits for a bulk IN frame or an interrupt endpoint that has nothing to say.
 * An armed asynchronous transfer is left armed until it completes: halting a channel that the device is still
 * NAKing is what loses data on QEMU's model (see dwc2.c).
 *
 * Split transactions are used for full/low-speed devices behind a high-speed hub (pipe tt_hub_addr != 0).
 *
 * Pipes and transfers in flight are the USB core's types (usb_hc.h); dwc2_hc_ops is this driver as the core's host
 * controller, with the USB_E* codes the core speaks. The dwc2_* functions return DWC2_E* codes.
 *
 * Rules: dwc2_init() once, after systimer_init(). Main loop only; not reentrant; never from an IRQ handler.
 */
#ifndef DRIVERS_USB_DWC2_H
#define DRIVERS_USB_DWC2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/usb_hc.h"
#include "lib/err.h"

/* Host channels we use at most (the BCM283x core has 8). */
#define DWC2_MAX_CHANNELS 8u
/* Bounce buffer per channel: a full Ethernet frame with any chip's header, or a long configuration descriptor,
 * rounded to a multiple of the high-speed bulk packet size (512). */
#ifndef DWC2_CHAN_BUF_SIZE
#define DWC2_CHAN_BUF_SIZE 4096u
#endif
/* Error codes, returned negated. */
enum {
    DWC2_EINVAL = ERR_BASE_DWC2 + 1, /* bad argument, not initialised, or more data than a channel buffer holds */
    DWC2_EID,                        /* the core's id register is not a DWC2 OTG core */
    DWC2_ETIMEDOUT,                  /* the core, the port or the device did not answer in time */
    DWC2_ENODEV,                     /* nothing connected to the root port */
    DWC2_ESTALL,                     /* the endpoint answered STALL */
    DWC2_EBABBLE,                    /* the device sent more than the packet size */
    DWC2_EXACT,                      /* transaction errors (CRC, timeout, bit stuffing) three times in a row */
    DWC2_EAHB,                       /* the core's DMA could not reach memory */
    DWC2_ETOGGLE,                    /* data toggle mismatch */
    DWC2_ENAK,                       /* an interrupt endpoint had nothing to send (not a failure: poll again later) */
    DWC2_EBUSY,                      /* no free host channel */
    DWC2_EHALT,                      /* a channel did not halt when told to */
};

/* Returned by dwc2_async_poll() while the transfer is still in flight. */
#define DWC2_IN_PROGRESS 1

/* base: the core (peripheral base + 0x980000). bus_alias: ORed into ARM addresses to form the bus addresses the
 * core's DMA uses (0xC0000000 on BCM2836/7, 0x40000000 on BCM2835). Selects the 8-bit UTMI+ PHY, resets the core
 * (and waits 100 ms for it to settle), forces host mode, sizes the FIFOs, enables DMA (waiting for AXI writes before
 * a channel reports halted), unmasks the channel-halted interrupt (see above) and powers the root port. Takes about
 * 100 ms. Returns 0 or -DWC2_EID / -DWC2_ETIMEDOUT. */
int dwc2_init(uintptr_t base, uint32_t bus_alias);

/* Whether the core at base is QEMU's model (its id register, readable once the USB power domain is on, before
 * dwc2_init): how a board tells emulation from a real Pi. */
bool dwc2_is_qemu(uintptr_t base);

/* The core's id register value (after dwc2_init), e.g. 0x4F54280A on a Pi, 0x4F54294A under QEMU. */
uint32_t dwc2_core_id(void);

/* Number of host channels in use. */
unsigned dwc2_channel_count(void);

/* True when a device is connected to the root port. */
bool dwc2_port_connected(void);

/* Powers the root port, waits for a device on it (up to connect_timeout_us), lets the connection settle (the USB
 * attach debounce), resets the port and reports the device's speed. Returns 0, -DWC2_ENODEV or -DWC2_ETIMEDOUT. */
int dwc2_port_reset(uint32_t connect_timeout_us, enum usb_speed *speed);

/* After a successful dwc2_port_reset(): true while the device is still connected and the port enabled. Reads the
 * root port and acknowledges its change bits (connect, enable, over-current); false means the device was
 * unplugged, the core disabled the port (babble, over-current) or nothing was reset yet: whatever sat behind the
 * port is gone and must be reset and enumerated again. Never blocks. */
bool dwc2_port_ok(void);

/* A control transfer on pipe (ep_type USB_EP_TYPE_CONTROL): SETUP, optional data stage of len bytes in the direction
 * bit 7 of setup[0] gives, status stage. *actual gets the data stage's length. Blocking, within timeout_us.
 * Returns 0 or a negative DWC2_E* code. */
int dwc2_control(struct usb_pipe *pipe, const uint8_t setup[USB_SETUP_SIZE], void *data, size_t len, size_t *actual,
                 uint32_t timeout_us);

/* A bulk or interrupt transfer of up to len bytes (len <= DWC2_CHAN_BUF_SIZE), blocking within timeout_us.
 * IN transfers end early on a short packet; a zero-length OUT (len 0) sends one zero-length packet.
 * Returns 0 (and *actual) or a negative DWC2_E* code; -DWC2_ENAK from an interrupt endpoint means no data. On
 * -DWC2_ETIMEDOUT, *actual (and data, for IN) still holds the packets that went through before the deadline. */
int dwc2_transfer(struct usb_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us);

/* Arms a bulk or interrupt transfer on a free channel and returns at once. For OUT, data (len bytes) is copied
 * now; for IN, data is ignored and len is the most that will be accepted. pipe must stay valid until the transfer
 * completes or is cancelled. Returns 0, -DWC2_EBUSY (no free channel) or -DWC2_EINVAL. */
int dwc2_async_submit(struct usb_async *a, struct usb_pipe *pipe, const void *data, size_t len);

/* Checks a transfer without waiting. Returns DWC2_IN_PROGRESS, or 0 when done (IN data copied to buf, at most size
 * bytes, *actual set), or a negative DWC2_E* code; after 0 or an error the channel is free and a is idle. */
int dwc2_async_poll(struct usb_async *a, void *buf, size_t size, size_t *actual);

/* Like dwc2_async_poll() for an IN transfer, without the copy: on 0, *data points to the *actual bytes received,
 * where the core's DMA put them (the channel's bounce buffer, cache already invalidated). The caller reads them in
 * place and must call dwc2_async_release(a) when done: until then the channel stays taken (a is busy, no submit
 * can make the core write there), and after it *data is the driver's again. On DWC2_IN_PROGRESS or an error
 * nothing is held (*data NULL). Returns as dwc2_async_poll(); -DWC2_EINVAL for an OUT transfer or one held. */
int dwc2_async_poll_held(struct usb_async *a, const uint8_t **data, size_t *actual);

/* Gives back the data dwc2_async_poll_held() lent and frees the channel; a is idle after it. Not held: no-op. */
void dwc2_async_release(struct usb_async *a);

/* Halts and frees a transfer's channel (waits for the halt, bounded); packets that went through before the halt
 * still advance the pipe's toggle. A channel that does not halt in time stays taken until the core disables it.
 * Held data is released. Idle a: no-op. */
void dwc2_async_cancel(struct usb_async *a);

/* True while a has a transfer in flight. */
bool dwc2_async_busy(const struct usb_async *a);

const char *dwc2_strerror(int err);

/* The USB_E* code (usb_hc.h) for a DWC2_E* code: what the USB core and its users are told. */
int dwc2_usb_error(int err);

/* The driver as the USB core's host controller (usb_core_init()): the transfer calls above, with USB_E* codes. */
extern const struct usb_hc_ops dwc2_hc_ops;

#endif /* DRIVERS_USB_DWC2_H */
