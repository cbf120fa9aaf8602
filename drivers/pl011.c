#include "drivers/pl011.h"

#include <stdatomic.h>
#include <stdbool.h>

#include "drivers/mmio.h"
#include "drivers/systimer.h"

/* Register map (ARM PrimeCell UART PL011 TRM, section 3.2). */
/* clang-format off */
#define PL011_DR     0x00
#define   PL011_DR_DATA_MASK 0xFFu
#define   PL011_DR_FE        (1u << 8)  /* framing error */
#define   PL011_DR_PE        (1u << 9)  /* parity error */
#define   PL011_DR_BE        (1u << 10) /* break */
#define   PL011_DR_OE        (1u << 11) /* FIFO overrun: bytes were lost before this one */
#define PL011_RSRECR 0x04 /* receive status / error clear: any write clears */
#define PL011_FR     0x18
#define   PL011_FR_BUSY (1u << 3)
#define   PL011_FR_RXFE (1u << 4)
#define   PL011_FR_TXFF (1u << 5)
#define   PL011_FR_TXFE (1u << 7)
#define PL011_IBRD   0x24
#define PL011_FBRD   0x28
#define PL011_LCRH   0x2C
#define   PL011_LCRH_FEN    (1u << 4)
#define   PL011_LCRH_WLEN_8 (3u << 5)
#define PL011_CR     0x30
#define   PL011_CR_UARTEN (1u << 0)
#define   PL011_CR_TXE    (1u << 8)
#define   PL011_CR_RXE    (1u << 9)
#define PL011_IFLS   0x34
#define   PL011_IFLS_RX_1_4 (1u << 3) /* RX interrupt when the FIFO is 1/4 full */
#define   PL011_IFLS_TX_1_2 (2u << 0)
#define PL011_IMSC   0x38
#define   PL011_INT_RX  (1u << 4)
#define   PL011_INT_RT  (1u << 6)  /* receive timeout: bytes sit below the trigger level */
#define   PL011_INT_FE  (1u << 7)
#define   PL011_INT_PE  (1u << 8)
#define   PL011_INT_BE  (1u << 9)
#define   PL011_INT_OE  (1u << 10)
#define   PL011_INT_ALL 0x7FFu
#define PL011_ICR    0x44

#define PL011_FIFO_DEPTH 16u
/* One drain reads at most this many bytes, so stuck hardware that never reports "RX empty" cannot hold the CPU
 * in the handler; a live FIFO holds at most PL011_FIFO_DEPTH. */
#define PL011_DRAIN_MAX (4u * PL011_FIFO_DEPTH)

#define PL011_IBRD_MAX 0xFFFFu
#define PL011_FBRD_BITS 6u
/* Bound for the transmitter to drain: a full 16-byte FIFO takes 133 ms even at 1200 baud. */
#define PL011_FLUSH_TIMEOUT_US 200000u
/* clang-format on */

_Static_assert((PL011_RX_RING_SIZE & (PL011_RX_RING_SIZE - 1)) == 0, "PL011_RX_RING_SIZE must be a power of two");

static uintptr_t pl011_base;

/* Free-running indices: head is written only by the producer, tail only by the consumer; head - tail is the fill
 * level. Release/acquire on them orders the byte stores against the index that publishes them. */
static uint8_t pl011_ring[PL011_RX_RING_SIZE];
static atomic_uint pl011_head;
static atomic_uint pl011_tail;
static atomic_uint pl011_overruns;
static atomic_uint pl011_errors;

int pl011_init(uintptr_t base, uint32_t uart_clock_hz, uint32_t baud)
{
    if (base == 0 || uart_clock_hz == 0 || baud == 0) {
        return -PL011_EINVAL;
    }
    /* Divisor = clock / (16 * baud) as 16.6 fixed point, i.e. 64 * clock / (16 * baud), rounded to nearest. */
    uint64_t div64 = ((uint64_t)uart_clock_hz * 4u + baud / 2u) / baud;
    uint64_t ibrd = div64 >> PL011_FBRD_BITS;
    uint64_t fbrd = div64 & ((1u << PL011_FBRD_BITS) - 1u);
    if (ibrd == 0 || ibrd > PL011_IBRD_MAX || (ibrd == PL011_IBRD_MAX && fbrd != 0)) {
        return -PL011_EINVAL;
    }

    pl011_base = 0; /* the ring is being reset: keep pl011_poll() out until it is consistent */
    atomic_store(&pl011_head, 0);
    atomic_store(&pl011_tail, 0);
    atomic_store(&pl011_overruns, 0);
    atomic_store(&pl011_errors, 0);

    /* TRM section 3.3.8: disable, let the character in flight finish, flush the FIFOs by clearing FEN, then
     * program. IBRD/FBRD only take effect on the LCRH write that follows them. */
    mmio_write32(base + PL011_CR, 0);
    uint64_t deadline = systimer_deadline_us(PL011_FLUSH_TIMEOUT_US);
    while ((mmio_read32(base + PL011_FR) & PL011_FR_BUSY) != 0 && !systimer_expired(deadline)) {
    }
    mmio_write32(base + PL011_LCRH, 0);
    mmio_write32(base + PL011_IMSC, 0);
    mmio_write32(base + PL011_ICR, PL011_INT_ALL);
    mmio_write32(base + PL011_RSRECR, 0);
    mmio_write32(base + PL011_IBRD, (uint32_t)ibrd);
    mmio_write32(base + PL011_FBRD, (uint32_t)fbrd);
    mmio_write32(base + PL011_LCRH, PL011_LCRH_WLEN_8 | PL011_LCRH_FEN);
    /* A low RX trigger leaves 12 bytes (1 ms at 115200) of FIFO for interrupt latency before an overrun. */
    mmio_write32(base + PL011_IFLS, PL011_IFLS_RX_1_4 | PL011_IFLS_TX_1_2);
    mmio_write32(base + PL011_IMSC, PL011_INT_RX | PL011_INT_RT | PL011_INT_OE);
    mmio_write32(base + PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
    pl011_base = base;
    return 0;
}

void pl011_write(const char *buf, size_t len)
{
    if (pl011_base == 0) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t deadline = systimer_deadline_us(PL011_TX_TIMEOUT_US);
        while ((mmio_read32(pl011_base + PL011_FR) & PL011_FR_TXFF) != 0) {
            if (systimer_expired(deadline)) {
                return;
            }
        }
        mmio_write32(pl011_base + PL011_DR, (uint8_t)buf[i]);
    }
}

int pl011_flush(void)
{
    if (pl011_base == 0) {
        return 0;
    }
    uint64_t deadline = systimer_deadline_us(PL011_FLUSH_TIMEOUT_US);
    for (;;) {
        uint32_t fr = mmio_read32(pl011_base + PL011_FR);
        if ((fr & PL011_FR_TXFE) != 0 && (fr & PL011_FR_BUSY) == 0) {
            return 0;
        }
        if (systimer_expired(deadline)) {
            return -PL011_ETIMEDOUT;
        }
    }
}

int pl011_getc(void)
{
    unsigned tail = atomic_load_explicit(&pl011_tail, memory_order_relaxed);
    unsigned head = atomic_load_explicit(&pl011_head, memory_order_acquire);

    if (head == tail) {
        return -1;
    }
    int c = pl011_ring[tail & (PL011_RX_RING_SIZE - 1u)];
    /* Release: the byte is read before the producer may reuse its slot. */
    atomic_store_explicit(&pl011_tail, tail + 1u, memory_order_release);
    return c;
}

static void pl011_ring_put(uint8_t c)
{
    unsigned head = atomic_load_explicit(&pl011_head, memory_order_relaxed);
    unsigned tail = atomic_load_explicit(&pl011_tail, memory_order_acquire);

    if (head - tail >= PL011_RX_RING_SIZE) {
        atomic_fetch_add_explicit(&pl011_overruns, 1u, memory_order_relaxed);
        return;
    }
    pl011_ring[head & (PL011_RX_RING_SIZE - 1u)] = c;
    atomic_store_explicit(&pl011_head, head + 1u, memory_order_release);
}

static void pl011_drain(void)
{
    if (pl011_base == 0) {
        return;
    }
    /* Clear first, then drain: a byte that arrives after the last read raises the interrupt again instead of
     * having its interrupt wiped by a late clear. */
    mmio_write32(pl011_base + PL011_ICR,
                 PL011_INT_RX | PL011_INT_RT | PL011_INT_OE | PL011_INT_FE | PL011_INT_PE | PL011_INT_BE);
    for (unsigned n = 0; n < PL011_DRAIN_MAX; n++) {
        if ((mmio_read32(pl011_base + PL011_FR) & PL011_FR_RXFE) != 0) {
            break;
        }
        uint32_t dr = mmio_read32(pl011_base + PL011_DR);
        if ((dr & PL011_DR_OE) != 0) {
            atomic_fetch_add_explicit(&pl011_overruns, 1u, memory_order_relaxed);
        }
        if ((dr & (PL011_DR_FE | PL011_DR_PE | PL011_DR_BE)) != 0) {
            atomic_fetch_add_explicit(&pl011_errors, 1u, memory_order_relaxed);
            continue;
        }
        pl011_ring_put((uint8_t)(dr & PL011_DR_DATA_MASK));
    }
}

void pl011_irq_handler(void *arg)
{
    (void)arg;
    pl011_drain();
}

void pl011_poll(void)
{
    pl011_drain();
}

uint32_t pl011_rx_overruns(void)
{
    return atomic_load_explicit(&pl011_overruns, memory_order_relaxed);
}

uint32_t pl011_rx_errors(void)
{
    return atomic_load_explicit(&pl011_errors, memory_order_relaxed);
}

const char *pl011_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case PL011_EINVAL: return "invalid UART base, clock or baud rate";
    case PL011_ETIMEDOUT: return "UART transmitter did not drain in time";
    default: return "unknown UART error";
    }
}
