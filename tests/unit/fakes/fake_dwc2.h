/*
 * fake_dwc2.h - a register-level model of the Synopsys DWC2 OTG core in host mode, behind tests/unit/fakes/fake_mmio,
 * for host tests of drivers/usb/dwc2.c.
 *
 * What it models, as the databook describes the core in buffer DMA mode:
 *  - GSNPSID, GHWCFG2/3; GRSTCTL soft reset and FIFO flushes that clear themselves, AHB idle; host mode some
 *    time after GUSBCFG forces it;
 *  - HPRT0: power, connect (seen only on a powered port), reset, enable and speed, with the change bits
 *    write-1-to-clear and ENA write-1-to-disable;
 *  - host channels: enabling one (CHENA) starts the transfer HCCHAR/HCSPLT/HCTSIZ/HCDMA describe. Each read of
 *    the channel's HCINT lets one transaction happen, answered by the addressed endpoint's script (ACK, NAK,
 *    STALL, XactErr, babble, toggle error, NYET, or silence). Data moves through the DMA address; HCTSIZ counts
 *    bytes, packets and PID down as the core does; the channel halts on completion, on errors, and on a NAK only
 *    when the core would (interrupt endpoints, split transactions): a NAKed bulk or control channel is retried
 *    by the core itself. CHDIS|CHENA halts an enabled channel.
 *  - the BCM283x's GAHBCFG "wait for AXI writes" bit (bit 4): without it, IN data reach memory only after the
 *    channel has reported its halt (at the next HCINT read or channel enable), so a driver reads stale data;
 *  - the interrupt line (fake_dwc2_irq) from HCINT/HCINTMSK, HAINT/HAINTMSK, GINTSTS/GINTMSK and GAHBCFG;
 *  - root port faults: unplugging (the core disables the port), over-current (HPRT0 bits 4 and 5);
 *  - optionally whole devices: one on the root port (fake_dwc2_attach_device) and more behind it, for a hub model
 *    to bring in (fake_dwc2_add_device, fake_dwc2_device_reset). A device's control endpoint answers requests
 *    through a callback, SET_ADDRESS moves the device to its new address, and a port reset or unplug puts it back
 *    at 0; a device is reachable only while every port on its way is enabled.
 * Endpoints keep their own DATA0/DATA1 state like a device does, so a driver that sends the wrong PID is caught.
 *
 * DMA addresses are 32-bit bus addresses (ARM address | bus alias): tests that use this model are built -no-pie,
 * so the driver's static DMA buffers lie below 1 GiB and the model turns bus addresses back into pointers.
 *
 * Registers and fields are the driver's own map (drivers/usb/dwc2_regs.h): model and driver read the core alike, and
 * test_usb_dwc2 checks raw channel register values against the databook's bit positions once, so a wrong field in
 * that map shows.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_DWC2_H
#define TESTS_UNIT_FAKES_FAKE_DWC2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/usb/dwc2_regs.h"

#define FAKE_DWC2_BASE     0x3F980000u /* BCM2836/7 peripheral base + the USB block */
#define FAKE_DWC2_ID_PI    DWC2_GSNPSID_BCM283X
#define FAKE_DWC2_ID_QEMU  DWC2_GSNPSID_QEMU
#define FAKE_DWC2_CHANNELS 8u
#define FAKE_DWC2_EPS      12u
#define FAKE_DWC2_SCRIPT   8u
#define FAKE_DWC2_DATA_MAX 8192u
#define FAKE_DWC2_LOG      1024u
#define FAKE_DWC2_DEVICES  6u
#define FAKE_DWC2_FOREVER  UINT32_MAX

/* A multi-bit field of a register value: FAKE_DWC2_FIELD(hctsiz, DWC2_HCTSIZ_PKTCNT). */
#define FAKE_DWC2_FIELD(v, field) (((v)&field##_MASK) >> field##_LSB)

/* HPRT0 speed field values. */
enum fake_dwc2_speed {
    FAKE_DWC2_HIGH = DWC2_HPRT0_SPD_HIGH,
    FAKE_DWC2_FULL = DWC2_HPRT0_SPD_FULL,
    FAKE_DWC2_LOW = DWC2_HPRT0_SPD_LOW,
};

/* An endpoint's answer to one transaction. */
enum fake_dwc2_answer {
    FAKE_DWC2_ACK, /* data moves (IN: the endpoint's data; OUT: captured); for a start-split: hub accepts */
    FAKE_DWC2_NAK,
    FAKE_DWC2_STALL,
    FAKE_DWC2_XACTERR, /* CRC, bit stuffing or response timeout */
    FAKE_DWC2_BABBLE,
    FAKE_DWC2_TOGGLE_ERR,
    FAKE_DWC2_NYET,   /* complete-split: the hub has no answer yet */
    FAKE_DWC2_SILENT, /* nothing at all: the channel never halts by itself */
};

struct fake_dwc2_step {
    enum fake_dwc2_answer answer;
    uint32_t times; /* FAKE_DWC2_FOREVER: this answer for good */
};

struct fake_dwc2_ep {
    bool used;
    uint8_t dev_addr;
    uint8_t ep_num;
    bool in; /* ignored for control endpoints (ep_num 0) */
    /* Answers in order; once the script runs out, every transaction is ACKed. */
    struct fake_dwc2_step script[FAKE_DWC2_SCRIPT];
    unsigned script_len, script_pos;
    uint32_t step_used;
    /* IN data: sent a max packet at a time; a short (or zero-length) packet ends it, then the endpoint NAKs. */
    uint8_t in_data[FAKE_DWC2_DATA_MAX];
    size_t in_len, in_pos;
    bool in_ended;
    /* OUT data received (every OUT data packet appended; SETUP packets go to setup[]). */
    uint8_t out_data[FAKE_DWC2_DATA_MAX];
    size_t out_len;
    uint8_t toggle;     /* the PID the endpoint expects/sends next: 0 DATA0, 1 DATA1 */
    uint32_t slow_naks; /* a slow device: NAKs this many times before each data or status packet it takes */
    uint32_t slow_left;
    int8_t dev;       /* index of the modelled device it belongs to, -1 for a bare endpoint */
    bool stall_stage; /* that device refused the request: its data and status stages answer STALL */
    bool pending;     /* a request of that device waits for its status stage */
    size_t out_start; /* out_len when the request's SETUP arrived */
    unsigned toggle_mismatches;
    /* Control endpoints. */
    uint8_t setup[8];
    unsigned setups;
    bool ctrl_in; /* direction and length of the data stage the last SETUP announced */
    uint16_t ctrl_len;
    unsigned statuses; /* status stages completed */
};

/* One transaction on the bus, as the model decoded the channel's registers. */
struct fake_dwc2_xact {
    unsigned ch;
    uint32_t hcchar, hcsplt;
    uint8_t dev_addr, ep_num, ep_type, pid;
    bool in, low_speed, split, csplit;
    uint16_t mps;
    enum fake_dwc2_answer answer;
    size_t bytes;
};

struct fake_dwc2_chan {
    bool enabled;
    uint32_t hcint;
    uint32_t hcchar, hcsplt, hctsiz, dma;
    unsigned enables, halts;
    bool ignore_halt; /* a CHDIS request is not obeyed */
};

/* A device's answer to a control request (setup: the 8 SETUP bytes). IN requests (bit 7 of setup[0]) are asked
 * when their SETUP arrives: fill data (room for len = wLength bytes) and *actual. OUT requests are asked when their
 * status stage arrives, with the data stage's bytes (actual is NULL). Return 0, or < 0 to STALL the request. */
typedef int (*fake_dwc2_request_fn)(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len, size_t *actual);

/* A modelled device. Index 0 is the root port's. */
struct fake_dwc2_device {
    bool used;
    fake_dwc2_request_fn request;
    void *ctx;
    uint8_t addr;
    bool reachable; /* behind a hub: its hub port is enabled (the root port's device: see HPRT0) */
};

struct fake_dwc2 {
    /* Configuration, set by the test after fake_dwc2_init(). */
    uint32_t id;
    uint32_t bus_alias;     /* expected in every DMA address */
    uint32_t reset_reads;   /* reads of GRSTCTL that still show CSFTRST after a soft reset starts */
    bool ahb_busy;          /* AHB never idle */
    bool never_host;        /* GINTSTS never reports host mode */
    bool device;            /* a device is plugged into the root port */
    uint64_t connect_at_us; /* ... from this fake time on */
    enum fake_dwc2_speed speed;
    bool port_never_enables;
    bool overcurrent; /* HPRT0 over-current active (fake_dwc2_set_overcurrent) */
    /* State. */
    uint32_t reset_left;
    bool host_mode;
    bool powered, port_reset, port_enabled, conn_seen, conndet, enachg, ovrcurrchg;
    uint64_t reset_start_us, reset_len_us, reset_at_us;
    unsigned soft_resets, port_disables, port_resets;
    uint32_t gusbcfg_at_reset; /* GUSBCFG when the last soft reset was started */
    uint64_t reset_done_us;    /* when GRSTCTL last showed the soft reset finished */
    uint64_t host_forced_us;   /* when GUSBCFG last forced host mode */
    /* IN data held back because GAHBCFG did not ask for AXI writes to complete before a halt. */
    uint8_t late[FAKE_DWC2_DATA_MAX];
    size_t late_len;
    uint8_t *late_dst;
    struct fake_dwc2_device devs[FAKE_DWC2_DEVICES];
    struct fake_dwc2_chan ch[FAKE_DWC2_CHANNELS];
    struct fake_dwc2_ep eps[FAKE_DWC2_EPS];
    struct fake_dwc2_xact log[FAKE_DWC2_LOG];
    size_t log_count;
    /* Things a driver must never do (writes during soft reset, reprogramming an enabled channel, a bad DMA
     * address): counted, and the first one described. */
    unsigned violations;
    char violation[160];
};

/* Resets fake_mmio and the model and installs the model's hooks: a Pi core (8 channels, 4080-word FIFO RAM,
 * bus alias 0xC0000000) with nothing plugged in. */
void fake_dwc2_init(struct fake_dwc2 *m);

/* The endpoint (dev_addr, ep_num, direction), created with DATA0 next and nothing to send; ep_num 0 is the
 * control endpoint whatever in says. */
struct fake_dwc2_ep *fake_dwc2_ep(struct fake_dwc2 *m, uint8_t dev_addr, uint8_t ep_num, bool in);
/* Appends a step to the endpoint's script. */
void fake_dwc2_script(struct fake_dwc2_ep *ep, enum fake_dwc2_answer answer, uint32_t times);
/* What the IN endpoint sends next (len may be 0: a single zero-length packet). */
void fake_dwc2_set_in(struct fake_dwc2_ep *ep, const void *data, size_t len);

/* Puts a device on the root port, connected from connect_at_us, answering control requests with fn; its
 * endpoint 0 starts at address 0. Returns its index (0). */
unsigned fake_dwc2_attach_device(struct fake_dwc2 *m, fake_dwc2_request_fn fn, void *ctx, uint64_t connect_at_us);
/* A device behind a hub, unreachable until its hub resets its port (fake_dwc2_device_reset). Returns its index. */
unsigned fake_dwc2_add_device(struct fake_dwc2 *m, fake_dwc2_request_fn fn, void *ctx);
/* The device's upstream port was reset (it answers at address 0) and is enabled (reachable) or not. */
void fake_dwc2_device_reset(struct fake_dwc2 *m, unsigned dev, bool reachable);
/* The device's current address, and one of its endpoints (created on first use; ep_num 0: control). */
uint8_t fake_dwc2_device_addr(const struct fake_dwc2 *m, unsigned dev);
struct fake_dwc2_ep *fake_dwc2_device_ep(struct fake_dwc2 *m, unsigned dev, uint8_t ep_num, bool in);
/* Unplugs the root port's device (the core disables the port) and plugs it in again at connect_at_us
 * (FAKE_DWC2_NEVER: it stays out). */
#define FAKE_DWC2_NEVER UINT64_MAX
void fake_dwc2_replug(struct fake_dwc2 *m, uint64_t connect_at_us);
/* Over-current on the root port: while active, the core keeps the port disabled. */
void fake_dwc2_set_overcurrent(struct fake_dwc2 *m, bool active);

/* The core's interrupt line as the databook derives it from the registers: a channel's HCINT & HCINTMSK sets its
 * HAINT bit, HAINT & HAINTMSK sets GINTSTS.HChInt (bit 25), and GINTSTS & GINTMSK raise the line while GAHBCFG's
 * global interrupt enable (bit 0) is set. Level-sensitive: it stays up until the channel's HCINT bits are cleared.
 * Channels move only when their HCINT is read, so the line reflects the last read. */
bool fake_dwc2_irq(const struct fake_dwc2 *m);

/* Channel ch halts now, as a channel that ignored a halt request (ignore_halt) may do later by itself. */
void fake_dwc2_halt_late(struct fake_dwc2 *m, unsigned ch);
/* What a test's teardown checks: NULL when the driver broke no rule of the core and every endpoint saw the right
 * DATA0/DATA1, else a description of the first fault (a static buffer, valid until the next call). */
const char *fake_dwc2_fault(const struct fake_dwc2 *m);

/* Number of logged transactions on channel ch with the given answer. */
size_t fake_dwc2_count(const struct fake_dwc2 *m, unsigned ch, enum fake_dwc2_answer answer);

#endif /* TESTS_UNIT_FAKES_FAKE_DWC2_H */
