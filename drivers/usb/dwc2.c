/*
 * DWC2 host controller driver: polled, buffer DMA mode; the core's interrupt (on a channel halt) only wakes the CPU.
 *
 * How a transfer runs: the driver programs one host channel with a whole transfer (packet count and size), the
 * core's DMA moves the data and the core halts the channel when the transfer is done or failed; we watch the
 * channel's HCINT for the halt. Non-periodic (control, bulk) NAKs are retried by the core itself in DMA mode, so a
 * channel waiting on a device with nothing to send simply stays enabled.
 *
 * QEMU's model (hw/usb/hcd-dwc2.c) shapes three decisions:
 *  - For transfers of at most 1536 bytes it moves one max-packet per service, the first one synchronously inside
 *    the HCCHAR write and the rest from a timer about 250 us apart, counting down HCTSIZ as it goes. A transfer
 *    with more than one packet is therefore never complete when the enabling write returns. A driver that gives
 *    up on such a channel early (halts it after a quick look, as a "non-blocking" receive might) finds only the
 *    first 64 bytes and the rest of the frame arrives later into a transfer it has forgotten: frames over 63 bytes
 *    are lost while short ones work. We never halt an armed transfer to poll it: asynchronous transfers stay armed
 *    until the core halts them, and blocking ones wait for the halt with a deadline in time, not in loop counts.
 *  - Larger transfers (more than 1536 bytes) are passed to the device as one packet, which is much faster; bulk IN
 *    buffers for network frames are sized above that on purpose by the class drivers. For OUT that trick is not
 *    available (the device sees packet boundaries), so full/low-speed OUT data is programmed one packet at a time.
 *  - The model retries a NAKed bulk channel from the same timer, taking turns with the other channels: a receive
 *    channel kept armed costs the others nothing but a share of those ticks.
 *  - The model ignores HCSPLT and data toggles. Its root port sees QEMU's full-speed hub, so splits are never
 *    needed there; a split transfer that completes without the start-split ACK is accepted as complete.
 * The packet count must always cover the whole transfer (IN: size rounded up to whole packets): the model stops
 * counting when it reaches zero, as the real core does.
 *
 * Register facts: drivers/usb/dwc2_regs.h (the Synopsys DWC OTG databook's map, as Linux and QEMU use it).
 */
#include "drivers/usb/dwc2.h"

#include <string.h>

#include "drivers/dma.h"
#include "drivers/mmio.h"
#include "drivers/systimer.h"
#include "drivers/usb/dwc2_regs.h"

/* FIFO sizes in 32-bit words, as the Linux dwc2 driver configures the BCM2835's 4080-word FIFO RAM: room for a
 * 512-byte packet in each direction plus status entries, and a periodic FIFO for hubs and interrupt endpoints. */
#define RX_FIFO_WORDS   774u
#define NPTX_FIFO_WORDS 256u
#define PTX_FIFO_WORDS  512u

/* Bounds on the core's own state changes; it takes a few PHY clocks, a millisecond is generous. */
#define CORE_IDLE_TIMEOUT_US  100000u
#define CORE_RESET_TIMEOUT_US 100000u
/* After the soft reset the core needs time before it keeps a forced mode: Circle lib/usb/dwhcidevice.cpp
 * CDWHCIDevice::Reset() waits 100 ms, and U-Boot's drivers/usb/host/dwc2.c dwc_otg_core_reset() did too, calling
 * the sleep "_very_ important" (the core otherwise leaves host mode) until it was reworked in commit c5d685b8993. */
#define CORE_RESET_SETTLE_US    100000u
#define HOST_MODE_TIMEOUT_US    100000u
#define FIFO_FLUSH_TIMEOUT_US   10000u
#define CHANNEL_HALT_TIMEOUT_US 10000u
/* USB 2.0 7.1.7.3: a connection must be stable for 100 ms (TATTDB) before the port is reset. */
#define ATTACH_DEBOUNCE_US 100000u
/* USB 2.0 7.1.7.5: a root port drives reset for at least 50 ms (TDRSTR). */
#define ROOT_RESET_US 50000u
/* The port reports enabled within a few microseconds of reset's end; bound it anyway. */
#define PORT_ENABLE_TIMEOUT_US 10000u
/* USB 2.0 7.1.7.5 asks for 10 ms of reset recovery (TRSTRCY); Circle lib/usb/dwhcidevice.cpp EnableRootPort()
 * waits 20 ms because 10 "seems to be too short for some devices". */
#define RESET_RECOVERY_US 20000u
/* USB 2.0 5.3.2: three transaction errors in a row fail the transfer. */
#define MAX_XACT_ERRORS 3u
/* Largest transfer one channel programming can carry: HCTSIZ's packet counter is 10 bits. */
#define MAX_PACKETS 0x3FFu
/* Endpoint 0's packet size before the device descriptor says otherwise: 8 bytes is what every device accepts. */
#define DEFAULT_MPS 8u

enum stage {
    STAGE_DATA,   /* bulk/interrupt data, or a control data stage */
    STAGE_SETUP,  /* control SETUP packet */
    STAGE_STATUS, /* control status stage (zero length) */
};

struct channel {
    bool busy;
    bool stuck; /* cancelled but did not halt in time: not reused until the core disables it */
    struct usb_pipe *pipe;
    bool in;
    enum stage stage;
    uint8_t *buf;    /* bounce buffer position for this transfer */
    size_t len;      /* bytes requested */
    size_t done;     /* bytes completed */
    size_t chunk;    /* bytes in the current programming (IN: rounded up to whole packets) */
    uint32_t pktcnt; /* packets in the current programming */
    uint8_t toggle;  /* PID toggle for this programming (0/1) */
    bool split;
    bool csplit; /* complete-split phase */
    unsigned errors;
};

static uintptr_t core_base;
static uint32_t dma_alias;
static uint32_t core_id;
static unsigned channels;
static struct channel chan_state[DWC2_MAX_CHANNELS];
static _Alignas(DMA_CACHE_LINE) uint8_t chan_buf[DWC2_MAX_CHANNELS][DWC2_CHAN_BUF_SIZE];
static _Alignas(DMA_CACHE_LINE) uint8_t setup_buf[DMA_CACHE_LINE];

static uintptr_t reg(uint32_t offset)
{
    return core_base + offset;
}

static uintptr_t hc_reg(unsigned ch, uint32_t offset)
{
    return core_base + DWC2_HC(ch, offset);
}

static uint32_t bus_address(const void *p)
{
    return (uint32_t)(uintptr_t)p | dma_alias;
}

static bool wait_bits(uintptr_t addr, uint32_t mask, uint32_t want, uint32_t timeout_us)
{
    uint64_t deadline = systimer_deadline_us(timeout_us);
    for (;;) {
        if ((mmio_read32(addr) & mask) == want) {
            return true;
        }
        if (systimer_expired(deadline)) {
            return (mmio_read32(addr) & mask) == want;
        }
    }
}

static int core_reset(void)
{
    if (!wait_bits(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_AHBIDLE, DWC2_GRSTCTL_AHBIDLE, CORE_IDLE_TIMEOUT_US)) {
        return -DWC2_ETIMEDOUT;
    }
    mmio_set_bits(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_CSFTRST);
    if (!wait_bits(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_CSFTRST, 0, CORE_RESET_TIMEOUT_US)) {
        return -DWC2_ETIMEDOUT;
    }
    if (!wait_bits(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_AHBIDLE, DWC2_GRSTCTL_AHBIDLE, CORE_IDLE_TIMEOUT_US)) {
        return -DWC2_ETIMEDOUT;
    }
    systimer_delay_us(CORE_RESET_SETTLE_US);
    return 0;
}

static int flush_fifos(void)
{
    mmio_write32(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_TXFFLSH | (DWC2_GRSTCTL_TXFNUM_ALL << DWC2_GRSTCTL_TXFNUM_LSB));
    if (!wait_bits(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_TXFFLSH, 0, FIFO_FLUSH_TIMEOUT_US)) {
        return -DWC2_ETIMEDOUT;
    }
    mmio_write32(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_RXFFLSH);
    if (!wait_bits(reg(DWC2_GRSTCTL), DWC2_GRSTCTL_RXFFLSH, 0, FIFO_FLUSH_TIMEOUT_US)) {
        return -DWC2_ETIMEDOUT;
    }
    return 0;
}

/* Splits the FIFO RAM; scales the Linux sizes down if a core reports less RAM than the BCM283x has. */
static void size_fifos(void)
{
    uint32_t total = mmio_read32(reg(DWC2_GHWCFG3)) >> DWC2_GHWCFG3_DFIFO_DEPTH_LSB;
    uint32_t rx = RX_FIFO_WORDS, nptx = NPTX_FIFO_WORDS, ptx = PTX_FIFO_WORDS;
    uint32_t want = rx + nptx + ptx;
    if (total != 0 && total < want) {
        rx = rx * total / want;
        nptx = nptx * total / want;
        ptx = total - rx - nptx;
    }
    mmio_write32(reg(DWC2_GRXFSIZ), rx);
    mmio_write32(reg(DWC2_GNPTXFSIZ), (nptx << DWC2_FIFOSIZE_DEPTH_LSB) | rx);
    mmio_write32(reg(DWC2_HPTXFSIZ), (ptx << DWC2_FIFOSIZE_DEPTH_LSB) | (rx + nptx));
}

static uint32_t pipe_mps(const struct usb_pipe *p)
{
    return p->mps ? p->mps : DEFAULT_MPS;
}

static int halt_channel(unsigned ch)
{
    if ((mmio_read32(hc_reg(ch, DWC2_HCCHAR)) & DWC2_HCCHAR_CHENA) == 0) {
        return 0;
    }
    mmio_set_bits(hc_reg(ch, DWC2_HCCHAR), DWC2_HCCHAR_CHDIS | DWC2_HCCHAR_CHENA);
    if (!wait_bits(hc_reg(ch, DWC2_HCINT), DWC2_HCINT_CHHLTD, DWC2_HCINT_CHHLTD, CHANNEL_HALT_TIMEOUT_US)) {
        return -DWC2_EHALT;
    }
    mmio_write32(hc_reg(ch, DWC2_HCINT), DWC2_HCINT_ALL);
    return 0;
}

bool dwc2_is_qemu(uintptr_t base)
{
    return mmio_read32(base + DWC2_GSNPSID) == DWC2_GSNPSID_QEMU;
}

int dwc2_init(uintptr_t base, uint32_t bus_alias)
{
    core_base = base;
    dma_alias = bus_alias;
    channels = 0;
    memset(chan_state, 0, sizeof chan_state);

    core_id = mmio_read32(reg(DWC2_GSNPSID));
    if ((core_id & DWC2_GSNPSID_PRODUCT_MASK) != DWC2_GSNPSID_OTG2) {
        core_base = 0;
        return -DWC2_EID;
    }
    mmio_clear_bits(reg(DWC2_GAHBCFG), DWC2_GAHBCFG_GLBL_INTR_EN);
    mmio_write32(reg(DWC2_GINTMSK), 0);
    /* The BCM283x has an on-chip 8-bit UTMI+ PHY. The selection survives the soft reset and takes effect through it,
     * so it is written first, as U-Boot drivers/usb/host/dwc2.c dwc_otg_core_init() does ("Reset after setting the
     * PHY parameters"); Circle lib/usb/dwhcidevice.cpp InitCore() selects the same. Whatever an earlier stage left
     * there (ULPI, 16-bit) would otherwise stay. */
    mmio_clear_bits(reg(DWC2_GUSBCFG), DWC2_GUSBCFG_ULPI_EXT_VBUS_DRV | DWC2_GUSBCFG_TERMSEL_DL_PULSE |
                                           DWC2_GUSBCFG_ULPI_UTMI_SEL | DWC2_GUSBCFG_PHYIF16);
    int err = core_reset();
    if (err != 0) {
        core_base = 0;
        return err;
    }
    mmio_write_masked(reg(DWC2_GUSBCFG), DWC2_GUSBCFG_FORCE_HOST, DWC2_GUSBCFG_FORCE_HOST | DWC2_GUSBCFG_FORCE_DEV);
    if (!wait_bits(reg(DWC2_GINTSTS), DWC2_GINTSTS_CURMODE_HOST, DWC2_GINTSTS_CURMODE_HOST, HOST_MODE_TIMEOUT_US)) {
        core_base = 0;
        return -DWC2_ETIMEDOUT;
    }
    mmio_write32(reg(DWC2_PCGCTL), 0);
    mmio_write_masked(reg(DWC2_HCFG), DWC2_HCFG_FSLSPCLKSEL_30_60, DWC2_HCFG_FSLSPCLKSEL_MASK);
    size_fifos();
    err = flush_fifos();
    if (err != 0) {
        core_base = 0;
        return err;
    }

    channels =
        ((mmio_read32(reg(DWC2_GHWCFG2)) & DWC2_GHWCFG2_NUM_HOST_CHAN_MASK) >> DWC2_GHWCFG2_NUM_HOST_CHAN_LSB) + 1u;
    if (channels > DWC2_MAX_CHANNELS) {
        channels = DWC2_MAX_CHANNELS;
    }
    for (unsigned ch = 0; ch < channels; ch++) {
        /* The GPU firmware or a previous run may have left a channel enabled. */
        halt_channel(ch);
        mmio_write32(hc_reg(ch, DWC2_HCINTMSK), 0);
        mmio_write32(hc_reg(ch, DWC2_HCINT), DWC2_HCINT_ALL);
    }
    mmio_write32(reg(DWC2_GINTSTS), mmio_read32(reg(DWC2_GINTSTS)));
    /* The core's interrupt only wakes the CPU: a channel halt (transfer complete or failed) raises it, and it stays
     * raised until channel_step()/halt_channel() clear the channel's HCINT, which the main loop does anyway. The
     * chain, as the databook and Linux drivers/usb/dwc2 (core.h dwc2_enable_host_interrupts(), hcd_intr.c
     * dwc2_hc_intr()) describe it: an HCINT bit also set in HCINTMSK sets the channel's HAINT bit; an HAINT bit also
     * set in HAINTMSK sets GINTSTS.HChInt; a GINTSTS bit also set in GINTMSK raises the line while GAHBCFG's global
     * enable is set. Only ChHltd is unmasked: in DMA mode every outcome ends in a halt (the databook's host
     * programming model; Linux masks the rest in DMA mode too, hcd.c dwc2_hc_enable_dma_ints()), and the NAKs the
     * core retries by itself must not wake anyone. QEMU's model (hw/usb/hcd-dwc2.c dwc2_update_irq()) follows the
     * same chain but looks at HAINTMSK only when a channel's HAINT bit rises, so the masks are set here, before any
     * channel runs. */
    for (unsigned ch = 0; ch < channels; ch++) {
        mmio_write32(hc_reg(ch, DWC2_HCINTMSK), DWC2_HCINT_CHHLTD);
    }
    mmio_write32(reg(DWC2_HAINTMSK), (1u << channels) - 1u);
    mmio_write32(reg(DWC2_GINTMSK), DWC2_GINTSTS_HCHINT);
    mmio_write_masked(reg(DWC2_GAHBCFG),
                      DWC2_GAHBCFG_DMA_EN | DWC2_GAHBCFG_BCM_WAIT_AXI_WRITES | DWC2_GAHBCFG_GLBL_INTR_EN,
                      DWC2_GAHBCFG_DMA_EN | DWC2_GAHBCFG_BCM_WAIT_AXI_WRITES | DWC2_GAHBCFG_BCM_AXI_BURST_MASK |
                          DWC2_GAHBCFG_GLBL_INTR_EN);

    uint32_t hprt = mmio_read32(reg(DWC2_HPRT0)) & ~DWC2_HPRT0_W1C_MASK;
    mmio_write32(reg(DWC2_HPRT0), hprt | DWC2_HPRT0_PWR);
    return 0;
}

uint32_t dwc2_core_id(void)
{
    return core_id;
}

unsigned dwc2_channel_count(void)
{
    return channels;
}

bool dwc2_port_connected(void)
{
    return core_base != 0 && (mmio_read32(reg(DWC2_HPRT0)) & DWC2_HPRT0_CONNSTS) != 0;
}

static void hprt_write(uint32_t set, uint32_t clear)
{
    uint32_t v = mmio_read32(reg(DWC2_HPRT0)) & ~DWC2_HPRT0_W1C_MASK;
    mmio_write32(reg(DWC2_HPRT0), (v | set) & ~clear);
}

static enum usb_speed port_speed(void)
{
    switch ((mmio_read32(reg(DWC2_HPRT0)) & DWC2_HPRT0_SPD_MASK) >> DWC2_HPRT0_SPD_LSB) {
    case DWC2_HPRT0_SPD_HIGH: return USB_SPEED_HIGH;
    case DWC2_HPRT0_SPD_FULL: return USB_SPEED_FULL;
    default: return USB_SPEED_LOW;
    }
}

int dwc2_port_reset(uint32_t connect_timeout_us, enum usb_speed *speed)
{
    if (core_base == 0) {
        return -DWC2_EINVAL;
    }
    /* An over-current may have cut the port's power: a new attempt starts with it on. */
    hprt_write(DWC2_HPRT0_PWR, 0);
    if (!wait_bits(reg(DWC2_HPRT0), DWC2_HPRT0_CONNSTS, DWC2_HPRT0_CONNSTS, connect_timeout_us)) {
        return -DWC2_ENODEV;
    }
    systimer_delay_us(ATTACH_DEBOUNCE_US);
    if (!dwc2_port_connected()) {
        return -DWC2_ENODEV;
    }
    /* Acknowledge the connect and enable changes so later reads show only new events. */
    mmio_write32(reg(DWC2_HPRT0),
                 (mmio_read32(reg(DWC2_HPRT0)) & ~DWC2_HPRT0_W1C_MASK) | DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENACHG);
    hprt_write(DWC2_HPRT0_RST, 0);
    systimer_delay_us(ROOT_RESET_US);
    hprt_write(0, DWC2_HPRT0_RST);
    if (!wait_bits(reg(DWC2_HPRT0), DWC2_HPRT0_ENA, DWC2_HPRT0_ENA, PORT_ENABLE_TIMEOUT_US)) {
        return dwc2_port_connected() ? -DWC2_ETIMEDOUT : -DWC2_ENODEV;
    }
    *speed = port_speed();
    systimer_delay_us(RESET_RECOVERY_US);
    return 0;
}

bool dwc2_port_ok(void)
{
    if (core_base == 0) {
        return false;
    }
    uint32_t v = mmio_read32(reg(DWC2_HPRT0));
    uint32_t changes = v & (DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENACHG | DWC2_HPRT0_OVRCURRCHG);
    if (changes != 0) {
        mmio_write32(reg(DWC2_HPRT0), (v & ~DWC2_HPRT0_W1C_MASK) | changes);
    }
    /* The core disables the port itself on a disconnect, a babble or an over-current (Linux
     * drivers/usb/dwc2/hcd_intr.c dwc2_port_intr() handles the same three change bits). */
    return (v & (DWC2_HPRT0_CONNSTS | DWC2_HPRT0_ENA | DWC2_HPRT0_OVRCURRACT)) == (DWC2_HPRT0_CONNSTS | DWC2_HPRT0_ENA);
}

/* Programs and enables channel ch for the next piece of its transfer. */
static void channel_start(unsigned ch)
{
    struct channel *c = &chan_state[ch];
    const struct usb_pipe *p = c->pipe;
    uint32_t mps = pipe_mps(p);

    size_t left = c->len - c->done;
    size_t bytes = left;
    /* A split transaction carries one packet. Full/low-speed OUT data goes one packet per programming too: QEMU's
     * model sends the first packet inside the enabling write but later ones only from its timer, one channel per
     * tick, so a 1514-byte frame would take tens of milliseconds; on hardware it costs a halt per 64 bytes. */
    bool one_packet = c->split || (!c->in && p->speed != USB_SPEED_HIGH);
    if (one_packet && bytes > mps) {
        bytes = mps;
    }
    uint32_t pkts = bytes == 0 ? 1u : (uint32_t)((bytes + mps - 1u) / mps);
    if (pkts > MAX_PACKETS) {
        pkts = MAX_PACKETS;
        bytes = (size_t)pkts * mps;
    }
    /* IN: the core wants room for whole packets; the bounce buffer always has it (its size is a multiple of 512
     * and callers are limited to it). */
    size_t program = c->in ? (size_t)pkts * mps : bytes;
    if (c->in && c->done + program > DWC2_CHAN_BUF_SIZE) {
        program = bytes;
    }
    c->chunk = program;
    c->pktcnt = pkts;

    uint32_t pid;
    if (c->stage == STAGE_SETUP) {
        pid = DWC2_PID_SETUP;
    } else {
        pid = c->toggle ? DWC2_PID_DATA1 : DWC2_PID_DATA0;
    }
    uint8_t *data = (c->stage == STAGE_SETUP) ? setup_buf : c->buf + c->done;
    if (c->in) {
        dma_cache_invalidate(data, program ? program : 1u);
    } else if (program > 0) {
        dma_cache_clean(data, program);
    }

    uint32_t splt = 0;
    if (c->split) {
        splt = DWC2_HCSPLT_SPLTENA | DWC2_HCSPLT_XACTPOS_ALL | ((uint32_t)p->tt_hub_addr << DWC2_HCSPLT_HUBADDR_LSB) |
               ((uint32_t)p->tt_port << DWC2_HCSPLT_PRTADDR_LSB) | (c->csplit ? DWC2_HCSPLT_COMPSPLT : 0);
    }
    uint32_t hcchar = (mps & DWC2_HCCHAR_MPS_MASK) |
                      (((uint32_t)p->ep_num << DWC2_HCCHAR_EPNUM_LSB) & DWC2_HCCHAR_EPNUM_MASK) |
                      ((uint32_t)p->ep_type << DWC2_HCCHAR_EPTYPE_LSB) | (1u << DWC2_HCCHAR_MC_LSB) |
                      (((uint32_t)p->dev_addr << DWC2_HCCHAR_DEVADDR_LSB) & DWC2_HCCHAR_DEVADDR_MASK);
    if (c->in) {
        hcchar |= DWC2_HCCHAR_EPDIR_IN;
    }
    if (p->speed == USB_SPEED_LOW) {
        hcchar |= DWC2_HCCHAR_LSPDDEV;
    }
    if (p->ep_type == USB_EP_TYPE_INTR || p->ep_type == USB_EP_TYPE_ISO) {
        /* Periodic transfers run only in frames of the chosen parity: pick the next one. */
        if (((mmio_read32(reg(DWC2_HFNUM)) & DWC2_HFNUM_FRNUM_MASK) & 1u) == 0) {
            hcchar |= DWC2_HCCHAR_ODDFRM;
        }
    }

    mmio_write32(hc_reg(ch, DWC2_HCINT), DWC2_HCINT_ALL);
    mmio_write32(hc_reg(ch, DWC2_HCSPLT), splt);
    mmio_write32(hc_reg(ch, DWC2_HCTSIZ), (uint32_t)(program & DWC2_HCTSIZ_XFERSIZE_MASK) |
                                              (pkts << DWC2_HCTSIZ_PKTCNT_LSB) | (pid << DWC2_HCTSIZ_PID_LSB));
    mmio_write32(hc_reg(ch, DWC2_HCDMA), bus_address(data));
    mmio_write32(hc_reg(ch, DWC2_HCCHAR), hcchar);
    mmio_write32(hc_reg(ch, DWC2_HCCHAR), hcchar | DWC2_HCCHAR_CHENA);
}

static uint32_t packets_done(const struct channel *c, uint32_t hctsiz)
{
    uint32_t pkts_left = (hctsiz & DWC2_HCTSIZ_PKTCNT_MASK) >> DWC2_HCTSIZ_PKTCNT_LSB;
    return c->pktcnt >= pkts_left ? c->pktcnt - pkts_left : c->pktcnt;
}

/* After a data stage halted short of completion (error, timeout, cancel): the packets the device acknowledged are
 * done and it has moved its toggle past them, so they count (IN: the core counted the bytes; OUT: whole packets),
 * or a retry would repeat them with the wrong DATA0/DATA1. Returns true when there were any. */
static bool channel_keep_partial(struct channel *c, uint32_t hctsiz)
{
    uint32_t pkts = packets_done(c, hctsiz);
    if (pkts == 0 || c->stage != STAGE_DATA) {
        return false;
    }
    size_t remaining = hctsiz & DWC2_HCTSIZ_XFERSIZE_MASK;
    size_t moved = c->in ? (remaining <= c->chunk ? c->chunk - remaining : 0) : (size_t)pkts * pipe_mps(c->pipe);
    if (moved > c->len - c->done) {
        moved = c->len - c->done;
    }
    if (c->in && moved > 0) {
        dma_cache_invalidate(c->buf + c->done, moved);
    }
    c->done += moved;
    c->toggle ^= (uint8_t)(pkts & 1u);
    return true;
}

/* Halts channel ch before its transfer completed, keeping what went through (see channel_keep_partial). Returns
 * halt_channel()'s result; on failure the channel is still running and nothing can be counted. */
static int channel_abandon(unsigned ch)
{
    int err = halt_channel(ch);
    if (err == 0) {
        channel_keep_partial(&chan_state[ch], mmio_read32(hc_reg(ch, DWC2_HCTSIZ)));
    }
    return err;
}

/* Examines a channel: DWC2_IN_PROGRESS, 0 when the transfer (or control stage) is complete, or an error. On a halt
 * that needs another round (next split phase, next packet, retry) the channel is programmed again. */
static int channel_step(unsigned ch)
{
    struct channel *c = &chan_state[ch];
    uint32_t hcint = mmio_read32(hc_reg(ch, DWC2_HCINT));
    if ((hcint & DWC2_HCINT_CHHLTD) == 0) {
        return DWC2_IN_PROGRESS;
    }
    uint32_t hctsiz = mmio_read32(hc_reg(ch, DWC2_HCTSIZ));
    mmio_write32(hc_reg(ch, DWC2_HCINT), DWC2_HCINT_ALL);

    if (hcint & DWC2_HCINT_XFERCOMPL) {
        size_t moved = c->chunk;
        if (c->in) {
            size_t remaining = hctsiz & DWC2_HCTSIZ_XFERSIZE_MASK;
            moved = remaining <= c->chunk ? c->chunk - remaining : 0;
            dma_cache_invalidate(c->stage == STAGE_SETUP ? setup_buf : c->buf + c->done, c->chunk ? c->chunk : 1u);
        }
        if (c->stage != STAGE_SETUP) {
            c->toggle ^= (uint8_t)(packets_done(c, hctsiz) & 1u);
        }
        size_t mps = pipe_mps(c->pipe);
        bool short_packet = c->in && (moved == 0 || moved % mps != 0 || moved < c->chunk);
        if (moved > c->len - c->done) {
            moved = c->len - c->done; /* a device sending more than asked: keep what fits */
        }
        c->done += moved;
        c->errors = 0;
        c->csplit = false;
        if (c->stage == STAGE_DATA && !short_packet && c->done < c->len) {
            channel_start(ch);
            return DWC2_IN_PROGRESS;
        }
        return 0;
    }
    if (hcint & DWC2_HCINT_STALL) {
        return -DWC2_ESTALL;
    }
    if (hcint & DWC2_HCINT_BBLERR) {
        return -DWC2_EBABBLE;
    }
    if (hcint & DWC2_HCINT_AHBERR) {
        return -DWC2_EAHB;
    }
    if (hcint & DWC2_HCINT_DATATGLERR) {
        return -DWC2_ETOGGLE;
    }
    if (hcint & (DWC2_HCINT_XACTERR | DWC2_HCINT_FRMOVRUN)) {
        /* The retry starts after the packets that went through; errors "in a row" start again after progress. */
        if (channel_keep_partial(c, hctsiz)) {
            c->errors = 0;
        }
        if (++c->errors >= MAX_XACT_ERRORS) {
            return -DWC2_EXACT;
        }
        c->csplit = false;
        channel_start(ch);
        return DWC2_IN_PROGRESS;
    }
    if (c->split && !c->csplit && (hcint & DWC2_HCINT_ACK)) {
        c->csplit = true;
        channel_start(ch);
        return DWC2_IN_PROGRESS;
    }
    if (c->split && c->csplit && (hcint & DWC2_HCINT_NYET)) {
        /* The hub has no answer from the device yet: ask again. */
        channel_start(ch);
        return DWC2_IN_PROGRESS;
    }
    if (hcint & DWC2_HCINT_NAK) {
        if (c->pipe->ep_type == USB_EP_TYPE_INTR) {
            return -DWC2_ENAK;
        }
        /* Non-periodic: the device was busy. Without splits the core retries by itself and does not halt, so this
         * is a split that must start over. */
        c->csplit = false;
        channel_start(ch);
        return DWC2_IN_PROGRESS;
    }
    return -DWC2_EHALT;
}

static void channel_setup(unsigned ch, struct usb_pipe *pipe, enum stage stage, bool in, size_t len)
{
    struct channel *c = &chan_state[ch];
    c->pipe = pipe;
    c->stage = stage;
    c->in = in;
    c->buf = chan_buf[ch];
    c->len = len;
    c->done = 0;
    c->errors = 0;
    c->split = pipe->tt_hub_addr != 0 && pipe->speed != USB_SPEED_HIGH;
    c->csplit = false;
    if (stage == STAGE_SETUP) {
        c->toggle = 0;
    } else if (pipe->ep_type == USB_EP_TYPE_CONTROL) {
        c->toggle = 1; /* control data and status stages start with DATA1 */
    } else {
        c->toggle = pipe->toggle;
    }
}

/* Runs channel ch to completion or until deadline; on timeout the channel is halted. */
static int channel_run(unsigned ch, uint64_t deadline)
{
    channel_start(ch);
    for (;;) {
        int r = channel_step(ch);
        if (r != DWC2_IN_PROGRESS) {
            return r;
        }
        if (systimer_expired(deadline)) {
            channel_abandon(ch);
            return -DWC2_ETIMEDOUT;
        }
    }
}

int dwc2_control(struct usb_pipe *pipe, const uint8_t setup[USB_SETUP_SIZE], void *data, size_t len, size_t *actual,
                 uint32_t timeout_us)
{
    if (actual) {
        *actual = 0;
    }
    if (core_base == 0 || channels == 0 || pipe == NULL || len > DWC2_CHAN_BUF_SIZE || (len > 0 && data == NULL)) {
        return -DWC2_EINVAL;
    }
    bool data_in = (setup[0] & 0x80u) != 0;
    uint64_t deadline = systimer_deadline_us(timeout_us);
    const unsigned ch = 0;
    struct channel *c = &chan_state[ch];

    memcpy(setup_buf, setup, USB_SETUP_SIZE);
    channel_setup(ch, pipe, STAGE_SETUP, false, USB_SETUP_SIZE);
    int err = channel_run(ch, deadline);
    if (err != 0) {
        return err;
    }
    size_t got = 0;
    if (len > 0) {
        channel_setup(ch, pipe, STAGE_DATA, data_in, len);
        if (!data_in) {
            memcpy(c->buf, data, len);
        }
        err = channel_run(ch, deadline);
        if (err != 0) {
            return err;
        }
        got = c->done;
        if (data_in) {
            memcpy(data, c->buf, got);
        }
    }
    channel_setup(ch, pipe, STAGE_STATUS, len == 0 || !data_in, 0);
    err = channel_run(ch, deadline);
    if (err != 0) {
        return err;
    }
    if (actual) {
        *actual = got;
    }
    return 0;
}

int dwc2_transfer(struct usb_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us)
{
    if (actual) {
        *actual = 0;
    }
    if (core_base == 0 || channels == 0 || pipe == NULL || len > DWC2_CHAN_BUF_SIZE || (len > 0 && data == NULL) ||
        (pipe->ep_type != USB_EP_TYPE_BULK && pipe->ep_type != USB_EP_TYPE_INTR)) {
        return -DWC2_EINVAL;
    }
    const unsigned ch = 0;
    struct channel *c = &chan_state[ch];
    channel_setup(ch, pipe, STAGE_DATA, pipe->in, len);
    if (!pipe->in && len > 0) {
        memcpy(c->buf, data, len);
    }
    int err = channel_run(ch, systimer_deadline_us(timeout_us));
    pipe->toggle = c->toggle;
    if (err != 0 && err != -DWC2_ETIMEDOUT) {
        return err;
    }
    if (pipe->in) {
        memcpy(data, c->buf, c->done);
    }
    if (actual) {
        *actual = c->done;
    }
    return err;
}

int dwc2_async_submit(struct usb_async *a, struct usb_pipe *pipe, const void *data, size_t len)
{
    if (core_base == 0 || a == NULL || a->active || pipe == NULL || len > DWC2_CHAN_BUF_SIZE ||
        (!pipe->in && len > 0 && data == NULL) ||
        (pipe->ep_type != USB_EP_TYPE_BULK && pipe->ep_type != USB_EP_TYPE_INTR)) {
        return -DWC2_EINVAL;
    }
    /* Stuck channels the core has disabled since are free again, whichever channel is taken below. */
    for (unsigned ch = 1; ch < channels; ch++) {
        struct channel *c = &chan_state[ch];
        if (c->stuck && (mmio_read32(hc_reg(ch, DWC2_HCCHAR)) & DWC2_HCCHAR_CHENA) == 0) {
            mmio_write32(hc_reg(ch, DWC2_HCINT), DWC2_HCINT_ALL);
            mmio_write32(hc_reg(ch, DWC2_HCINTMSK), DWC2_HCINT_CHHLTD);
            c->stuck = false;
            c->busy = false;
        }
    }
    /* Channel 0 belongs to the blocking calls. */
    for (unsigned ch = 1; ch < channels; ch++) {
        struct channel *c = &chan_state[ch];
        if (c->busy) {
            continue;
        }
        c->busy = true;
        channel_setup(ch, pipe, STAGE_DATA, pipe->in, len);
        if (!pipe->in && len > 0) {
            memcpy(c->buf, data, len);
        }
        channel_start(ch);
        a->chan = (int8_t)ch;
        a->active = true;
        return 0;
    }
    return -DWC2_EBUSY;
}

/* Steps a's channel; once it is done (DWC2_IN_PROGRESS is not returned) the pipe's toggle is brought up to date. */
static int async_step(struct usb_async *a)
{
    struct channel *c = &chan_state[(unsigned)a->chan];
    int r = channel_step((unsigned)a->chan);
    if (r != DWC2_IN_PROGRESS) {
        c->pipe->toggle = c->toggle;
    }
    return r;
}

static void async_free(struct usb_async *a)
{
    chan_state[(unsigned)a->chan].busy = false;
    a->active = false;
    a->held = false;
}

int dwc2_async_poll(struct usb_async *a, void *buf, size_t size, size_t *actual)
{
    if (actual) {
        *actual = 0;
    }
    if (a == NULL || !a->active || a->held) {
        return -DWC2_EINVAL;
    }
    struct channel *c = &chan_state[(unsigned)a->chan];
    int r = async_step(a);
    if (r == DWC2_IN_PROGRESS) {
        return r;
    }
    if (r == 0 && c->in) {
        size_t n = c->done < size ? c->done : size;
        if (n > 0) {
            memcpy(buf, c->buf, n);
        }
        if (actual) {
            *actual = n;
        }
    } else if (r == 0 && actual) {
        *actual = c->done;
    }
    async_free(a);
    return r;
}

int dwc2_async_poll_held(struct usb_async *a, const uint8_t **data, size_t *actual)
{
    *data = NULL;
    *actual = 0;
    if (a == NULL || !a->active || a->held || !chan_state[(unsigned)a->chan].in) {
        return -DWC2_EINVAL;
    }
    struct channel *c = &chan_state[(unsigned)a->chan];
    int r = async_step(a);
    if (r == DWC2_IN_PROGRESS) {
        return r;
    }
    if (r != 0) {
        async_free(a);
        return r;
    }
    /* channel_step() invalidated the data's cache lines after the halt; the channel stays busy, so no submit
     * programs the core to write there until dwc2_async_release(). */
    a->held = true;
    *data = c->buf;
    *actual = c->done;
    return 0;
}

void dwc2_async_release(struct usb_async *a)
{
    if (a != NULL && a->active && a->held) {
        async_free(a);
    }
}

void dwc2_async_cancel(struct usb_async *a)
{
    if (a == NULL || !a->active) {
        return;
    }
    if (a->held) {
        dwc2_async_release(a); /* its transfer is over: nothing to halt */
        return;
    }
    unsigned ch = (unsigned)a->chan;
    /* A channel still enabled must not be programmed again (the core would run both transfers' state into one);
     * it stays taken until a later submit finds it disabled. */
    chan_state[ch].stuck = channel_abandon(ch) != 0;
    chan_state[ch].busy = chan_state[ch].stuck;
    if (chan_state[ch].stuck) {
        /* Its halt, whenever it comes, would raise the core's interrupt and hold it up until the channel is
         * reclaimed: every idle sleep would end at once. The reclaim in dwc2_async_submit unmasks it again. */
        mmio_write32(hc_reg(ch, DWC2_HCINTMSK), 0);
    }
    chan_state[ch].pipe->toggle = chan_state[ch].toggle;
    a->active = false;
}

bool dwc2_async_busy(const struct usb_async *a)
{
    return a != NULL && a->active;
}

const char *dwc2_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case -DWC2_EINVAL: return "invalid argument";
    case -DWC2_EID: return "not a DWC2 OTG core";
    case -DWC2_ETIMEDOUT: return "timed out";
    case -DWC2_ENODEV: return "no device connected";
    case -DWC2_ESTALL: return "endpoint stalled";
    case -DWC2_EBABBLE: return "babble";
    case -DWC2_EXACT: return "transaction error";
    case -DWC2_EAHB: return "DMA error";
    case -DWC2_ETOGGLE: return "data toggle error";
    case -DWC2_ENAK: return "no data (NAK)";
    case -DWC2_EBUSY: return "no free channel";
    case -DWC2_EHALT: return "channel did not halt";
    default: return "unknown USB host error";
    }
}

int dwc2_usb_error(int err)
{
    switch (err) {
    case 0: return 0;
    case DWC2_IN_PROGRESS: return USB_IN_PROGRESS;
    case -DWC2_ESTALL: return -USB_ESTALL;
    case -DWC2_ETIMEDOUT: return -USB_ETIMEDOUT;
    case -DWC2_ENAK: return -USB_ENAK;
    case -DWC2_ENODEV: return -USB_ENODEV;
    case -DWC2_EBUSY: return -USB_EBUSY;
    case -DWC2_EINVAL: return -USB_EINVAL;
    default: return -USB_EIO;
    }
}

static int hc_control(struct usb_pipe *pipe, const uint8_t setup[USB_SETUP_SIZE], void *data, size_t len,
                      size_t *actual, uint32_t timeout_us)
{
    return dwc2_usb_error(dwc2_control(pipe, setup, data, len, actual, timeout_us));
}

static int hc_transfer(struct usb_pipe *pipe, void *data, size_t len, size_t *actual, uint32_t timeout_us)
{
    return dwc2_usb_error(dwc2_transfer(pipe, data, len, actual, timeout_us));
}

static int hc_async_submit(struct usb_async *a, struct usb_pipe *pipe, const void *data, size_t len)
{
    return dwc2_usb_error(dwc2_async_submit(a, pipe, data, len));
}

static int hc_async_poll(struct usb_async *a, void *buf, size_t size, size_t *actual)
{
    return dwc2_usb_error(dwc2_async_poll(a, buf, size, actual));
}

static int hc_async_poll_held(struct usb_async *a, const uint8_t **data, size_t *actual)
{
    return dwc2_usb_error(dwc2_async_poll_held(a, data, actual));
}

const struct usb_hc_ops dwc2_hc_ops = {
    .control = hc_control,
    .transfer = hc_transfer,
    .async_submit = hc_async_submit,
    .async_poll = hc_async_poll,
    .async_poll_held = hc_async_poll_held,
    .async_release = dwc2_async_release,
    .async_cancel = dwc2_async_cancel,
};
