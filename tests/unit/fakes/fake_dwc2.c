#include "fake_dwc2.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fake_mmio.h"
#include "fake_systimer.h"

#define REQ_SET_ADDRESS 5u
#define HC_FIRST        DWC2_HC(0u, 0u)
#define HC_END          DWC2_HC(FAKE_DWC2_CHANNELS, 0u)
/* The BCM283x core: 8 channels and 4080 words of FIFO RAM. */
#define PI_GHWCFG2    ((FAKE_DWC2_CHANNELS - 1u) << DWC2_GHWCFG2_NUM_HOST_CHAN_LSB)
#define PI_GHWCFG3    (4080u << DWC2_GHWCFG3_DFIFO_DEPTH_LSB)
#define PI2_BUS_ALIAS 0xC0000000u
/* The two top bits of a bus address select the VideoCore's cache alias; the rest is the ARM address. */
#define BUS_ALIAS_MASK 0xC0000000u

static void violation(struct fake_dwc2 *m, const char *fmt, ...)
{
    if (m->violations++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m->violation, sizeof m->violation, fmt, ap);
        va_end(ap);
    }
}

struct fake_dwc2_ep *fake_dwc2_ep(struct fake_dwc2 *m, uint8_t dev_addr, uint8_t ep_num, bool in)
{
    bool dir = ep_num != 0 && in;
    struct fake_dwc2_ep *free_ep = NULL;
    for (unsigned i = 0; i < FAKE_DWC2_EPS; i++) {
        struct fake_dwc2_ep *ep = &m->eps[i];
        if (ep->used && ep->dev_addr == dev_addr && ep->ep_num == ep_num && ep->in == dir) {
            return ep;
        }
        if (!ep->used && free_ep == NULL) {
            free_ep = ep;
        }
    }
    if (free_ep != NULL) {
        *free_ep = (struct fake_dwc2_ep){
            .used = true, .dev_addr = dev_addr, .ep_num = ep_num, .in = dir, .in_ended = true, .dev = -1
        };
    }
    return free_ep;
}

static bool port_connected(const struct fake_dwc2 *m);

/* A modelled device hears the bus only while every port on its way is enabled. */
static bool device_reachable(const struct fake_dwc2 *m, int dev)
{
    if (dev < 0) {
        return true;
    }
    bool root_up = m->port_enabled && port_connected(m);
    return dev == 0 ? root_up : root_up && m->devs[dev].reachable;
}

static struct fake_dwc2_ep *find_ep(struct fake_dwc2 *m, uint8_t dev_addr, uint8_t ep_num, bool in)
{
    bool dir = ep_num != 0 && in;
    for (unsigned i = 0; i < FAKE_DWC2_EPS; i++) {
        struct fake_dwc2_ep *ep = &m->eps[i];
        if (ep->used && ep->dev_addr == dev_addr && ep->ep_num == ep_num && ep->in == dir &&
            device_reachable(m, ep->dev)) {
            return ep;
        }
    }
    return NULL;
}

void fake_dwc2_script(struct fake_dwc2_ep *ep, enum fake_dwc2_answer answer, uint32_t times)
{
    if (ep->script_len < FAKE_DWC2_SCRIPT) {
        ep->script[ep->script_len++] = (struct fake_dwc2_step){ answer, times };
    }
}

void fake_dwc2_set_in(struct fake_dwc2_ep *ep, const void *data, size_t len)
{
    if (len > FAKE_DWC2_DATA_MAX) {
        len = FAKE_DWC2_DATA_MAX;
    }
    memcpy(ep->in_data, data, len);
    ep->in_len = len;
    ep->in_pos = 0;
    ep->in_ended = false;
}

size_t fake_dwc2_count(const struct fake_dwc2 *m, unsigned ch, enum fake_dwc2_answer answer)
{
    size_t n = 0;
    size_t logged = m->log_count < FAKE_DWC2_LOG ? m->log_count : FAKE_DWC2_LOG;
    for (size_t i = 0; i < logged; i++) {
        n += m->log[i].ch == ch && m->log[i].answer == answer;
    }
    return n;
}

static enum fake_dwc2_answer next_answer(struct fake_dwc2_ep *ep)
{
    while (ep->script_pos < ep->script_len) {
        struct fake_dwc2_step *s = &ep->script[ep->script_pos];
        if (s->times == FAKE_DWC2_FOREVER) {
            return s->answer;
        }
        if (ep->step_used < s->times) {
            ep->step_used++;
            return s->answer;
        }
        ep->script_pos++;
        ep->step_used = 0;
    }
    return FAKE_DWC2_ACK;
}

/* ---- root port ---- */

static bool port_connected(const struct fake_dwc2 *m)
{
    return m->device && m->powered && fake_systimer_peek() >= m->connect_at_us;
}

/* A modelled device forgets its address and any request in progress. */
static void device_reset_one(struct fake_dwc2 *m, unsigned dev)
{
    for (unsigned i = 0; i < FAKE_DWC2_EPS; i++) {
        struct fake_dwc2_ep *ep = &m->eps[i];
        if (ep->used && ep->dev == (int8_t)dev) {
            ep->dev_addr = 0;
            /* A reset device is unconfigured; once configured again its endpoints start at DATA0 (USB 2.0 9.1.1.5,
             * 9.4.5), whatever they had reached before. */
            ep->toggle = 0;
            ep->stall_stage = false;
            ep->pending = false;
            ep->in_ended = true;
        }
    }
    m->devs[dev].addr = 0;
}

/* The root port was reset or lost its device: that device starts over, and everything behind it loses power. */
static void device_reset(struct fake_dwc2 *m)
{
    for (unsigned d = 0; d < FAKE_DWC2_DEVICES; d++) {
        if (m->devs[d].used) {
            device_reset_one(m, d);
            m->devs[d].reachable = false;
        }
    }
}

static void port_disable(struct fake_dwc2 *m)
{
    if (m->port_enabled) {
        m->port_enabled = false;
        m->enachg = true;
    }
}

static uint32_t port_read(struct fake_dwc2 *m)
{
    bool connected = port_connected(m);
    if (connected && !m->conn_seen) {
        m->conn_seen = true;
        m->conndet = true;
    }
    uint32_t v = (connected ? DWC2_HPRT0_CONNSTS | ((uint32_t)m->speed << DWC2_HPRT0_SPD_LSB) : 0) |
                 (m->conndet ? DWC2_HPRT0_CONNDET : 0) | (m->port_enabled ? DWC2_HPRT0_ENA : 0) |
                 (m->enachg ? DWC2_HPRT0_ENACHG : 0) | (m->port_reset ? DWC2_HPRT0_RST : 0) |
                 (m->powered ? DWC2_HPRT0_PWR : 0) | (m->overcurrent ? DWC2_HPRT0_OVRCURRACT : 0) |
                 (m->ovrcurrchg ? DWC2_HPRT0_OVRCURRCHG : 0);
    return v;
}

static void port_write(struct fake_dwc2 *m, uint32_t value)
{
    if (value & DWC2_HPRT0_CONNDET) {
        m->conndet = false;
    }
    if ((value & DWC2_HPRT0_ENA) && m->port_enabled) {
        m->port_enabled = false;
        m->enachg = true;
        m->port_disables++;
    }
    if (value & DWC2_HPRT0_ENACHG) {
        m->enachg = false;
    }
    if (value & DWC2_HPRT0_OVRCURRCHG) {
        m->ovrcurrchg = false;
    }
    m->powered = (value & DWC2_HPRT0_PWR) != 0;
    bool rst = (value & DWC2_HPRT0_RST) != 0;
    if (rst && !m->port_reset) {
        m->port_reset = true;
        m->port_enabled = false;
        m->reset_start_us = fake_systimer_peek();
        m->port_resets++;
        device_reset(m);
    } else if (!rst && m->port_reset) {
        m->port_reset = false;
        m->reset_at_us = m->reset_start_us;
        m->reset_len_us = fake_systimer_peek() - m->reset_start_us;
        if (port_connected(m) && !m->port_never_enables && !m->overcurrent) {
            m->port_enabled = true;
            m->enachg = true;
        }
    }
}

/* ---- host channels ---- */

static uintptr_t hc_addr(unsigned ch, uint32_t reg)
{
    return FAKE_DWC2_BASE + DWC2_HC(ch, reg);
}

static void channel_halt(struct fake_dwc2_chan *c, unsigned ch, uint32_t why)
{
    c->enabled = false;
    c->hcint |= why | DWC2_HCINT_CHHLTD;
    fake_mmio_set(hc_addr(ch, DWC2_HCCHAR), c->hcchar & ~(DWC2_HCCHAR_CHENA | DWC2_HCCHAR_CHDIS));
}

/* One packet that the endpoint accepts (OUT, SETUP) or sends (IN). */
static void channel_packet(struct fake_dwc2 *m, unsigned ch, struct fake_dwc2_ep *ep, struct fake_dwc2_xact *x)
{
    struct fake_dwc2_chan *c = &m->ch[ch];
    uint32_t xfersize = FAKE_DWC2_FIELD(c->hctsiz, DWC2_HCTSIZ_XFERSIZE);
    uint32_t pktcnt = FAKE_DWC2_FIELD(c->hctsiz, DWC2_HCTSIZ_PKTCNT), pid = x->pid;
    uint8_t *mem = (uint8_t *)(uintptr_t)(c->dma & ~BUS_ALIAS_MASK);
    size_t n;

    if (pid == DWC2_PID_SETUP) {
        if (x->ep_type != DWC2_HCCHAR_EPTYPE_CONTROL || x->in || xfersize != 8u) {
            violation(m, "channel %u: SETUP PID on type %u, in %d, %u bytes", ch, x->ep_type, x->in, xfersize);
        }
        memcpy(ep->setup, mem, 8);
        ep->setups++;
        ep->toggle = 1;
        ep->ctrl_in = (ep->setup[0] & 0x80u) != 0;
        ep->ctrl_len = (uint16_t)(ep->setup[6] | (ep->setup[7] << 8));
        n = 8;
    } else {
        bool status = x->ep_type == DWC2_HCCHAR_EPTYPE_CONTROL && (ep->ctrl_len == 0 ? x->in : x->in != ep->ctrl_in);
        uint32_t expected = status || ep->toggle ? DWC2_PID_DATA1 : DWC2_PID_DATA0;
        bool mismatch = pid != expected;
        if (mismatch) {
            ep->toggle_mismatches++;
            if (x->in) {
                /* The device sent the other DATAx: the core takes it for a repeat and reports the mismatch. */
                x->answer = FAKE_DWC2_TOGGLE_ERR;
                channel_halt(c, ch, DWC2_HCINT_DATATGLERR);
                return;
            }
        }
        if (x->in) {
            if (status) {
                n = 0;
            } else if (ep->in_ended) {
                x->answer = FAKE_DWC2_NAK;
                c->hcint |= DWC2_HCINT_NAK;
                if (x->ep_type == DWC2_HCCHAR_EPTYPE_INTR || x->ep_type == DWC2_HCCHAR_EPTYPE_ISO || x->split) {
                    channel_halt(c, ch, 0);
                }
                return;
            } else {
                size_t left = ep->in_len - ep->in_pos;
                n = left < x->mps ? left : x->mps;
            }
            if (n > xfersize) {
                x->answer = FAKE_DWC2_BABBLE;
                channel_halt(c, ch, DWC2_HCINT_BBLERR);
                return;
            }
            if (fake_mmio_get(FAKE_DWC2_BASE + DWC2_GAHBCFG) & DWC2_GAHBCFG_BCM_WAIT_AXI_WRITES) {
                memcpy(mem, ep->in_data + ep->in_pos, n);
            } else if (m->late_len + n <= sizeof m->late) {
                /* The write is still on its way through the AXI bus when the halt shows. */
                if (m->late_len == 0) {
                    m->late_dst = mem;
                }
                memcpy(m->late + m->late_len, ep->in_data + ep->in_pos, n);
                m->late_len += n;
            }
            ep->in_pos += n;
            ep->in_ended = !status && n < x->mps;
        } else {
            n = xfersize < x->mps ? xfersize : x->mps;
            if (status && n != 0) {
                violation(m, "channel %u: status stage OUT carries %zu bytes", ch, n);
            }
            /* A device drops an OUT packet with the wrong PID, taking it for a retry it already has. */
            if (!mismatch && ep->out_len + n <= FAKE_DWC2_DATA_MAX) {
                memcpy(ep->out_data + ep->out_len, mem, n);
                ep->out_len += n;
            }
        }
        if (status) {
            ep->statuses++;
        } else if (!mismatch) {
            ep->toggle ^= 1u;
        }
    }
    x->bytes = n;
    c->dma += (uint32_t)n;
    xfersize -= (uint32_t)n;
    pktcnt--;
    pid = pid == DWC2_PID_DATA0 ? DWC2_PID_DATA1 : DWC2_PID_DATA0;
    c->hctsiz = (c->hctsiz & ~(DWC2_HCTSIZ_XFERSIZE_MASK | DWC2_HCTSIZ_PKTCNT_MASK | DWC2_HCTSIZ_PID_MASK)) | xfersize |
                (pktcnt << DWC2_HCTSIZ_PKTCNT_LSB) | (pid << DWC2_HCTSIZ_PID_LSB);
    fake_mmio_set(hc_addr(ch, DWC2_HCTSIZ), c->hctsiz);
    fake_mmio_set(hc_addr(ch, DWC2_HCDMA), c->dma);
    c->hcint |= DWC2_HCINT_ACK;
    if (pktcnt == 0 || (x->in && n < x->mps)) {
        channel_halt(c, ch, DWC2_HCINT_XFERCOMPL);
    }
}

static void late_writes_land(struct fake_dwc2 *m)
{
    if (m->late_len > 0) {
        memcpy(m->late_dst, m->late, m->late_len);
        m->late_len = 0;
    }
}

static bool is_status_stage(const struct fake_dwc2_ep *ep, const struct fake_dwc2_xact *x)
{
    return x->ep_type == DWC2_HCCHAR_EPTYPE_CONTROL && x->pid != DWC2_PID_SETUP &&
           (ep->ctrl_len == 0 ? x->in : x->in != ep->ctrl_in);
}

/* The attached device's side of a control transfer, before the transaction is answered. */
static enum fake_dwc2_answer device_answer(struct fake_dwc2 *m, struct fake_dwc2_ep *ep, const struct fake_dwc2_xact *x,
                                           enum fake_dwc2_answer answer)
{
    if (answer != FAKE_DWC2_ACK || x->pid == DWC2_PID_SETUP || x->ep_type != DWC2_HCCHAR_EPTYPE_CONTROL) {
        return answer;
    }
    if (ep->stall_stage) {
        return FAKE_DWC2_STALL;
    }
    if (ep->pending && !ep->ctrl_in && is_status_stage(ep, x)) {
        const struct fake_dwc2_device *dev = &m->devs[ep->dev];
        if (dev->request(dev->ctx, ep->setup, ep->out_data + ep->out_start, ep->out_len - ep->out_start, NULL) < 0) {
            ep->stall_stage = true;
            return FAKE_DWC2_STALL;
        }
    }
    return answer;
}

/* The attached device's side after a transaction went through: a new request, or the end of one. */
static void device_after(struct fake_dwc2 *m, struct fake_dwc2_ep *ep, const struct fake_dwc2_xact *x)
{
    if (x->answer != FAKE_DWC2_ACK || x->ep_type != DWC2_HCCHAR_EPTYPE_CONTROL) {
        return;
    }
    if (x->pid == DWC2_PID_SETUP) {
        ep->stall_stage = false;
        ep->pending = true;
        ep->out_start = ep->out_len;
        ep->in_ended = true;
        if (ep->ctrl_in) {
            static uint8_t buf[FAKE_DWC2_DATA_MAX];
            size_t actual = 0;
            const struct fake_dwc2_device *dev = &m->devs[ep->dev];
            if (dev->request(dev->ctx, ep->setup, buf, ep->ctrl_len, &actual) < 0) {
                ep->stall_stage = true;
            } else {
                fake_dwc2_set_in(ep, buf, actual < ep->ctrl_len ? actual : ep->ctrl_len);
            }
        }
        return;
    }
    if (ep->pending && is_status_stage(ep, x)) {
        ep->pending = false;
        if (ep->setup[0] == 0 && ep->setup[1] == REQ_SET_ADDRESS) {
            uint8_t addr = (uint8_t)(ep->setup[2] & 0x7Fu);
            for (unsigned i = 0; i < FAKE_DWC2_EPS; i++) {
                if (m->eps[i].used && m->eps[i].dev == ep->dev) {
                    m->eps[i].dev_addr = addr;
                }
            }
            m->devs[ep->dev].addr = addr;
        }
    }
}

/* Lets one transaction happen on an enabled channel. */
static void channel_tick(struct fake_dwc2 *m, unsigned ch)
{
    struct fake_dwc2_chan *c = &m->ch[ch];
    struct fake_dwc2_xact x = {
        .ch = ch,
        .hcchar = c->hcchar,
        .hcsplt = c->hcsplt,
        .dev_addr = (uint8_t)FAKE_DWC2_FIELD(c->hcchar, DWC2_HCCHAR_DEVADDR),
        .ep_num = (uint8_t)FAKE_DWC2_FIELD(c->hcchar, DWC2_HCCHAR_EPNUM),
        .ep_type = (uint8_t)FAKE_DWC2_FIELD(c->hcchar, DWC2_HCCHAR_EPTYPE),
        .pid = (uint8_t)FAKE_DWC2_FIELD(c->hctsiz, DWC2_HCTSIZ_PID),
        .in = (c->hcchar & DWC2_HCCHAR_EPDIR_IN) != 0,
        .low_speed = (c->hcchar & DWC2_HCCHAR_LSPDDEV) != 0,
        .split = (c->hcsplt & DWC2_HCSPLT_SPLTENA) != 0,
        .csplit = (c->hcsplt & DWC2_HCSPLT_COMPSPLT) != 0,
        .mps = (uint16_t)FAKE_DWC2_FIELD(c->hcchar, DWC2_HCCHAR_MPS),
    };
    struct fake_dwc2_ep *ep = find_ep(m, x.dev_addr, x.ep_num, x.in);
    /* Nobody answers a token for an endpoint that does not exist: a response timeout. */
    x.answer = ep ? next_answer(ep) : FAKE_DWC2_XACTERR;
    if (ep != NULL && ep->slow_naks > 0 && x.pid != DWC2_PID_SETUP && x.answer == FAKE_DWC2_ACK) {
        if (ep->slow_left < ep->slow_naks) {
            ep->slow_left++;
            x.answer = FAKE_DWC2_NAK;
        } else {
            ep->slow_left = 0;
        }
    }
    /* A start-split only hands the transaction to the hub's translator: the device takes part in the one the
     * complete-split collects. */
    bool device_side = ep != NULL && ep->dev >= 0 && !(x.split && !x.csplit);
    if (device_side) {
        x.answer = device_answer(m, ep, &x, x.answer);
    }

    switch (x.answer) {
    case FAKE_DWC2_SILENT: break;
    case FAKE_DWC2_NAK:
        c->hcint |= DWC2_HCINT_NAK;
        /* In DMA mode the core retries a NAKed control or bulk transaction by itself. */
        if (x.ep_type == DWC2_HCCHAR_EPTYPE_INTR || x.ep_type == DWC2_HCCHAR_EPTYPE_ISO || x.split) {
            channel_halt(c, ch, 0);
        }
        break;
    case FAKE_DWC2_NYET: channel_halt(c, ch, DWC2_HCINT_NYET); break;
    case FAKE_DWC2_STALL: channel_halt(c, ch, DWC2_HCINT_STALL); break;
    case FAKE_DWC2_XACTERR: channel_halt(c, ch, DWC2_HCINT_XACTERR); break;
    case FAKE_DWC2_BABBLE: channel_halt(c, ch, DWC2_HCINT_BBLERR); break;
    case FAKE_DWC2_TOGGLE_ERR: channel_halt(c, ch, DWC2_HCINT_DATATGLERR); break;
    case FAKE_DWC2_ACK:
        if (x.split && !x.csplit) {
            channel_halt(c, ch, DWC2_HCINT_ACK); /* the hub took the start-split */
        } else {
            channel_packet(m, ch, ep, &x);
        }
        break;
    }
    if (device_side) {
        device_after(m, ep, &x);
    }
    if (m->log_count < FAKE_DWC2_LOG) {
        m->log[m->log_count] = x;
    }
    m->log_count++;
}

static void channel_enable(struct fake_dwc2 *m, unsigned ch, uint32_t hcchar)
{
    struct fake_dwc2_chan *c = &m->ch[ch];
    late_writes_land(m);
    c->hcchar = hcchar;
    c->hcsplt = fake_mmio_get(hc_addr(ch, DWC2_HCSPLT));
    c->hctsiz = fake_mmio_get(hc_addr(ch, DWC2_HCTSIZ));
    c->dma = fake_mmio_get(hc_addr(ch, DWC2_HCDMA));
    c->enabled = true;
    c->enables++;
    if (c->hcint & DWC2_HCINT_CHHLTD) {
        violation(m, "channel %u enabled with its last halt still pending", ch);
    }
    if (FAKE_DWC2_FIELD(c->hctsiz, DWC2_HCTSIZ_PKTCNT) == 0) {
        violation(m, "channel %u enabled with a packet count of 0", ch);
    }
    if ((c->dma & BUS_ALIAS_MASK) != m->bus_alias || (c->dma & 3u) != 0) {
        violation(m, "channel %u: DMA address %08x (bus alias %08x, word aligned)", ch, c->dma, m->bus_alias);
        channel_halt(c, ch, DWC2_HCINT_AHBERR);
    }
}

static void channel_write(struct fake_dwc2 *m, unsigned ch, uint32_t reg, uint32_t value)
{
    struct fake_dwc2_chan *c = &m->ch[ch];
    switch (reg) {
    case DWC2_HCCHAR:
        if (c->enabled) {
            if ((value & (DWC2_HCCHAR_CHDIS | DWC2_HCCHAR_CHENA)) == (DWC2_HCCHAR_CHDIS | DWC2_HCCHAR_CHENA)) {
                c->halts++;
                if (!c->ignore_halt) {
                    channel_halt(c, ch, 0);
                }
                return;
            }
            violation(m, "HCCHAR of enabled channel %u rewritten with %08x", ch, value);
        } else if ((value & (DWC2_HCCHAR_CHDIS | DWC2_HCCHAR_CHENA)) == DWC2_HCCHAR_CHENA) {
            channel_enable(m, ch, value);
        }
        if (c->enabled) {
            fake_mmio_set(hc_addr(ch, reg), c->hcchar);
        } else {
            fake_mmio_set(hc_addr(ch, reg), value & ~(DWC2_HCCHAR_CHENA | DWC2_HCCHAR_CHDIS));
        }
        break;
    case DWC2_HCINT:
        c->hcint &= ~value; /* write 1 to clear */
        break;
    case DWC2_HCSPLT:
    case DWC2_HCTSIZ:
    case DWC2_HCDMA:
        if (c->enabled) {
            violation(m, "channel %u register %02x written while the channel is enabled", ch, reg);
        }
        break;
    default: break;
    }
}

/* HAINT: one bit per channel whose HCINT has a bit its HCINTMSK lets through (databook, "Host All Channels
 * Interrupt Register"; read-only, it clears when the channel's HCINT bits are cleared). */
static uint32_t haint(const struct fake_dwc2 *m)
{
    uint32_t bits = 0;
    for (unsigned ch = 0; ch < FAKE_DWC2_CHANNELS; ch++) {
        if (m->ch[ch].hcint & fake_mmio_get(FAKE_DWC2_BASE + DWC2_HC(ch, DWC2_HCINTMSK))) {
            bits |= 1u << ch;
        }
    }
    return bits;
}

static uint32_t gintsts(const struct fake_dwc2 *m)
{
    uint32_t v = m->host_mode ? DWC2_GINTSTS_CURMODE_HOST : 0;
    if (haint(m) & fake_mmio_get(FAKE_DWC2_BASE + DWC2_HAINTMSK)) {
        v |= DWC2_GINTSTS_HCHINT;
    }
    return v;
}

bool fake_dwc2_irq(const struct fake_dwc2 *m)
{
    return (gintsts(m) & fake_mmio_get(FAKE_DWC2_BASE + DWC2_GINTMSK)) != 0 &&
           (fake_mmio_get(FAKE_DWC2_BASE + DWC2_GAHBCFG) & DWC2_GAHBCFG_GLBL_INTR_EN) != 0;
}

/* ---- fake_mmio hooks ---- */

static void write_hook(uintptr_t addr, uint32_t value, void *ctx)
{
    struct fake_dwc2 *m = ctx;
    uint32_t off = (uint32_t)(addr - FAKE_DWC2_BASE);
    if (m->reset_left > 0 && off != DWC2_GRSTCTL) {
        violation(m, "register %03x written during the core's soft reset", off);
    }
    if (off >= HC_FIRST && off < HC_END) {
        channel_write(m, (off - HC_FIRST) / DWC2_HC_STRIDE, off % DWC2_HC_STRIDE, value);
        return;
    }
    switch (off) {
    case DWC2_GRSTCTL:
        if (value & DWC2_GRSTCTL_CSFTRST) {
            m->soft_resets++;
            m->reset_left = m->reset_reads;
            m->gusbcfg_at_reset = fake_mmio_get(FAKE_DWC2_BASE + DWC2_GUSBCFG);
        }
        break;
    case DWC2_GUSBCFG:
        m->host_mode = (value & DWC2_GUSBCFG_FORCE_HOST) != 0 && !m->never_host;
        if (value & DWC2_GUSBCFG_FORCE_HOST) {
            m->host_forced_us = fake_systimer_peek();
        }
        break;
    case DWC2_HPRT0: port_write(m, value); break;
    default: break;
    }
}

static uint32_t read_hook(uintptr_t addr, uint32_t stored, void *ctx)
{
    struct fake_dwc2 *m = ctx;
    uint32_t off = (uint32_t)(addr - FAKE_DWC2_BASE);
    if (off >= HC_FIRST && off < HC_END && off % DWC2_HC_STRIDE == DWC2_HCINT) {
        unsigned ch = (off - HC_FIRST) / DWC2_HC_STRIDE;
        late_writes_land(m);
        if (m->ch[ch].enabled) {
            channel_tick(m, ch);
        }
        return m->ch[ch].hcint;
    }
    switch (off) {
    case DWC2_GSNPSID: return m->id;
    case DWC2_GRSTCTL: {
        /* Flushes finish at once; the soft reset bit stays up for reset_reads reads. */
        uint32_t v = (m->ahb_busy ? 0 : DWC2_GRSTCTL_AHBIDLE) | (m->reset_left > 0 ? DWC2_GRSTCTL_CSFTRST : 0);
        if (m->reset_left > 0 && m->reset_left != FAKE_DWC2_FOREVER) {
            m->reset_left--;
            if (m->reset_left == 0) {
                m->reset_done_us = fake_systimer_peek();
            }
        }
        return v;
    }
    case DWC2_GINTSTS: return gintsts(m);
    case DWC2_HAINT: return haint(m);
    case DWC2_HPRT0: return port_read(m);
    default: return stored;
    }
}

void fake_dwc2_halt_late(struct fake_dwc2 *m, unsigned ch)
{
    channel_halt(&m->ch[ch], ch, 0);
}

struct fake_dwc2_ep *fake_dwc2_device_ep(struct fake_dwc2 *m, unsigned dev, uint8_t ep_num, bool in)
{
    bool dir = ep_num != 0 && in;
    for (unsigned i = 0; i < FAKE_DWC2_EPS; i++) {
        struct fake_dwc2_ep *ep = &m->eps[i];
        if (ep->used && ep->dev == (int8_t)dev && ep->ep_num == ep_num && ep->in == dir) {
            return ep;
        }
    }
    for (unsigned i = 0; i < FAKE_DWC2_EPS; i++) {
        struct fake_dwc2_ep *ep = &m->eps[i];
        if (!ep->used) {
            *ep = (struct fake_dwc2_ep){ .used = true,
                                         .dev_addr = m->devs[dev].addr,
                                         .ep_num = ep_num,
                                         .in = dir,
                                         .in_ended = true,
                                         .dev = (int8_t)dev };
            return ep;
        }
    }
    return NULL;
}

uint8_t fake_dwc2_device_addr(const struct fake_dwc2 *m, unsigned dev)
{
    return m->devs[dev].addr;
}

static void device_add(struct fake_dwc2 *m, unsigned dev, fake_dwc2_request_fn fn, void *ctx)
{
    m->devs[dev] = (struct fake_dwc2_device){ .used = true, .request = fn, .ctx = ctx };
    fake_dwc2_device_ep(m, dev, 0, false);
}

unsigned fake_dwc2_attach_device(struct fake_dwc2 *m, fake_dwc2_request_fn fn, void *ctx, uint64_t connect_at_us)
{
    device_add(m, 0, fn, ctx);
    m->device = true;
    m->connect_at_us = connect_at_us;
    return 0;
}

unsigned fake_dwc2_add_device(struct fake_dwc2 *m, fake_dwc2_request_fn fn, void *ctx)
{
    unsigned dev = 1;
    while (dev < FAKE_DWC2_DEVICES - 1u && m->devs[dev].used) {
        dev++;
    }
    device_add(m, dev, fn, ctx);
    return dev;
}

void fake_dwc2_device_reset(struct fake_dwc2 *m, unsigned dev, bool reachable)
{
    device_reset_one(m, dev);
    m->devs[dev].reachable = reachable;
}

void fake_dwc2_replug(struct fake_dwc2 *m, uint64_t connect_at_us)
{
    port_disable(m);
    m->conn_seen = false;
    device_reset(m);
    m->device = connect_at_us != FAKE_DWC2_NEVER;
    m->connect_at_us = connect_at_us;
}

void fake_dwc2_set_overcurrent(struct fake_dwc2 *m, bool active)
{
    if (active != m->overcurrent) {
        m->ovrcurrchg = true;
    }
    m->overcurrent = active;
    if (active) {
        port_disable(m);
        device_reset(m);
    }
}

void fake_dwc2_init(struct fake_dwc2 *m)
{
    memset(m, 0, sizeof *m);
    m->id = FAKE_DWC2_ID_PI;
    m->bus_alias = PI2_BUS_ALIAS;
    m->reset_reads = 3;
    fake_mmio_reset();
    fake_mmio_set(FAKE_DWC2_BASE + DWC2_GHWCFG2, PI_GHWCFG2);
    fake_mmio_set(FAKE_DWC2_BASE + DWC2_GHWCFG3, PI_GHWCFG3);
    fake_mmio_set_write_hook(write_hook, m);
    fake_mmio_set_read_hook(read_hook, m);
}

const char *fake_dwc2_fault(const struct fake_dwc2 *m)
{
    static char why[sizeof m->violation + 64];
    if (m->violations > 0) {
        snprintf(why, sizeof why, "%u violations of the core's rules, first: %s", m->violations, m->violation);
        return why;
    }
    for (unsigned i = 0; i < FAKE_DWC2_EPS; i++) {
        const struct fake_dwc2_ep *ep = &m->eps[i];
        if (ep->used && ep->toggle_mismatches > 0) {
            snprintf(why, sizeof why, "device %u endpoint %u: %u packets with the wrong DATA0/DATA1", ep->dev_addr,
                     ep->ep_num, ep->toggle_mismatches);
            return why;
        }
    }
    return NULL;
}
