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
 * Rules: dwc2_init() once, after systimer_init(). Main loop only; not reentrant; never from an IRQ handler.
 */
#ifndef DWC2_H
#define DWC2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Host channels we use at most (the BCM283x core has 8). */
#define DWC2_MAX_CHANNELS 8u
/* Bounce buffer per channel: a full Ethernet frame with any chip's header, or a long configuration descriptor,
 * rounded to a multiple of the high-speed bulk packet size (512). */
#ifndef DWC2_CHAN_BUF_SIZE
#define DWC2_CHAN_BUF_SIZE 4096u
#endif
/* Size of a SETUP packet. */
#define DWC2_SETUP_SIZE 8u

/* Port speeds, in the core's HPRT0 encoding. */
enum dwc2_speed {
    DWC2_SPEED_HIGH = 0,
    DWC2_SPEED_FULL = 1,
    DWC2_SPEED_LOW = 2,
};

/* Endpoint types, in USB (and HCCHAR) encoding. */
enum dwc2_ep_type {
    DWC2_EP_CONTROL = 0,
    DWC2_EP_ISO = 1,
    DWC2_EP_BULK = 2,
    DWC2_EP_INTR = 3,
};

/* Error codes, returned negated. */
enum {
    DWC2_EINVAL = ERR_BASE_DWC2 + 1,   /* bad argument, not initialised, or more data than a channel buffer holds */
    DWC2_EID,          /* the core's id register is not a DWC2 OTG core */
    DWC2_ETIMEDOUT,    /* the core, the port or the device did not answer in time */
    DWC2_ENODEV,       /* nothing connected to the root port */
    DWC2_ESTALL,       /* the endpoint answered STALL */
    DWC2_EBABBLE,      /* the device sent more than the packet size */
    DWC2_EXACT,        /* transaction errors (CRC, timeout, bit stuffing) three times in a row */
    DWC2_EAHB,         /* the core's DMA could not reach memory */
    DWC2_ETOGGLE,      /* data toggle mismatch */
    DWC2_ENAK,         /* an interrupt endpoint had nothing to send (not a failure: poll again later) */
    DWC2_EBUSY,        /* no free host channel */
    DWC2_EHALT,        /* a channel did not halt when told to */
};

/* Returned by dwc2_async_poll() while the transfer is still in flight. */
#define DWC2_IN_PROGRESS 1

/* Where a transfer goes. The caller owns it; the driver updates `toggle` (next DATA0/DATA1 of a bulk or interrupt
 * endpoint) as packets are acknowledged, so keep one pipe per endpoint for its lifetime. */
struct dwc2_pipe {
    uint8_t dev_addr;     /* 0..127 */
    uint8_t ep_num;       /* 0..15 */
    uint8_t ep_type;      /* enum dwc2_ep_type */
    bool in;              /* direction of data (ignored for control pipes) */
    uint16_t mps;         /* max packet size */
    uint8_t speed;        /* enum dwc2_speed of the device */
    uint8_t tt_hub_addr;  /* high-speed hub whose transaction translator serves a FS/LS device; 0 = no split */
    uint8_t tt_port;      /* that hub's port (1-based) */
    uint8_t toggle;       /* 0: DATA0 next, 1: DATA1 next */
};

/* A transfer in flight on its own channel. Zero-initialise before the first submit; owned by the caller. */
struct dwc2_async {
    int8_t chan;          /* channel in use, or -1 / 0 when idle */
    bool active;          /* the channel is taken: in flight, or done and held (dwc2_async_poll_held) */
    bool held;
};

/* base: the core (peripheral base + 0x980000). bus_alias: ORed into ARM addresses to form the bus addresses the
 * core's DMA uses (0xC0000000 on BCM2836/7, 0x40000000 on BCM2835). Selects the 8-bit UTMI+ PHY, resets the core
 * (and waits 100 ms for it to settle), forces host mode, sizes the FIFOs, enables DMA (waiting for AXI writes before
 * a channel reports halted), unmasks the channel-halted interrupt (see above) and powers the root port. Takes about
 * 100 ms. Returns 0 or -DWC2_EID / -DWC2_ETIMEDOUT. */
int dwc2_init(uintptr_t base, uint32_t bus_alias);

/* The core's id register value (after dwc2_init), e.g. 0x4F54280A on a Pi, 0x4F54294A under QEMU. */
uint32_t dwc2_core_id(void);

/* Number of host channels in use. */
unsigned dwc2_channel_count(void);

/* True when a device is connected to the root port. */
bool dwc2_port_connected(void);

/* Powers the root port, waits for a device on it (up to connect_timeout_us), lets the connection settle (the USB
 * attach debounce), resets the port and reports the device's speed. Returns 0, -DWC2_ENODEV or -DWC2_ETIMEDOUT. */
int dwc2_port_reset(uint32_t connect_timeout_us, enum dwc2_speed *speed);

/* After a successful dwc2_port_reset(): true while the device is still connected and the port enabled. Reads the
 * root port and acknowledges its change bits (connect, enable, over-current); false means the device was
 * unplugged, the core disabled the port (babble, over-current) or nothing was reset yet: whatever sat behind the
 * port is gone and must be reset and enumerated again. Never blocks. */
bool dwc2_port_ok(void);

/* A control transfer on pipe (ep_type DWC2_EP_CONTROL): SETUP, optional data stage of len bytes in the direction
 * bit 7 of setup[0] gives, status stage. *actual gets the data stage's length. Blocking, within timeout_us.
 * Returns 0 or a negative DWC2_E* code. */
int dwc2_control(struct dwc2_pipe *pipe, const uint8_t setup[DWC2_SETUP_SIZE], void *data, size_t len,
                 size_t *actual, uint32_t timeout_us);

/* A bulk or interrupt transfer of up to len bytes (len <= DWC2_CHAN_BUF_SIZE), blocking within timeout_us.
 * IN transfers end early on a short packet; a zero-length OUT (len 0) sends one zero-length packet.
 * Returns 0 (and *actual) or a negative DWC2_E* code; -DWC2_ENAK from an interrupt endpoint means no data. On
 * -DWC2_ETIMEDOUT, *actual (and data, for IN) still holds the packets that went through before the deadline. */
int dwc2_transfer(struct dwc2_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us);

/* Arms a bulk or interrupt transfer on a free channel and returns at once. For OUT, data (len bytes) is copied
 * now; for IN, data is ignored and len is the most that will be accepted. pipe must stay valid until the transfer
 * completes or is cancelled. Returns 0, -DWC2_EBUSY (no free channel) or -DWC2_EINVAL. */
int dwc2_async_submit(struct dwc2_async *a, struct dwc2_pipe *pipe, const void *data, size_t len);

/* Checks a transfer without waiting. Returns DWC2_IN_PROGRESS, or 0 when done (IN data copied to buf, at most size
 * bytes, *actual set), or a negative DWC2_E* code; after 0 or an error the channel is free and a is idle. */
int dwc2_async_poll(struct dwc2_async *a, void *buf, size_t size, size_t *actual);

/* Like dwc2_async_poll() for an IN transfer, without the copy: on 0, *data points to the *actual bytes received,
 * where the core's DMA put them (the channel's bounce buffer, cache already invalidated). The caller reads them in
 * place and must call dwc2_async_release(a) when done: until then the channel stays taken (a is busy, no submit
 * can make the core write there), and after it *data is the driver's again. On DWC2_IN_PROGRESS or an error
 * nothing is held (*data NULL). Returns as dwc2_async_poll(); -DWC2_EINVAL for an OUT transfer or one held. */
int dwc2_async_poll_held(struct dwc2_async *a, const uint8_t **data, size_t *actual);

/* Gives back the data dwc2_async_poll_held() lent and frees the channel; a is idle after it. Not held: no-op. */
void dwc2_async_release(struct dwc2_async *a);

/* Halts and frees a transfer's channel (waits for the halt, bounded); packets that went through before the halt
 * still advance the pipe's toggle. A channel that does not halt in time stays taken until the core disables it.
 * Held data is released. Idle a: no-op. */
void dwc2_async_cancel(struct dwc2_async *a);

/* True while a has a transfer in flight. */
bool dwc2_async_busy(const struct dwc2_async *a);

const char *dwc2_strerror(int err);

#endif /* DWC2_H */
