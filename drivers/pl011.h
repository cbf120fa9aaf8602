/*
 * pl011.h - the ARM PL011 UART used as the serial console (8N1, FIFOs on, receive by interrupt).
 *
 * Receive path: the RX and RX-timeout interrupts call pl011_irq_handler(), which drains the hardware FIFO into an
 * 8 KiB ring buffer; the main loop takes bytes out with pl011_getc(). The ring is lock-free with exactly one
 * producer (the IRQ handler, or pl011_poll() while interrupts are off) and one consumer (the main loop), so a 4 KB
 * paste is held even while the main loop is busy for a while. Bytes are never dropped silently: a full ring and a
 * hardware FIFO overrun are both counted by pl011_rx_overruns().
 *
 * Transmit path: pl011_write() feeds the TX FIFO directly, waiting while it is full with a deadline per byte, so
 * a UART that stops accepting bytes costs a bounded time instead of hanging the device.
 *
 * Rules: systimer_init() before pl011_init(). Pins (GPIO 14/15 ALT0) and the UART clock are the board's job.
 * Before pl011_init() every call is a harmless no-op, so the crash handler may always use the UART.
 */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Ring buffer size in bytes; a power of two. 8 KiB holds a 4 KB paste with room to spare. */
#ifndef PL011_RX_RING_SIZE
#define PL011_RX_RING_SIZE 8192u
#endif

/* How long one byte may wait for space in the TX FIFO. At 115200 baud the 16-byte FIFO drains in 1.4 ms, so
 * 10 ms only expires when the UART has stopped (e.g. flow-controlled or unclocked). */
#ifndef PL011_TX_TIMEOUT_US
#define PL011_TX_TIMEOUT_US 10000u
#endif

/* Error codes, returned negated. */
enum {
    PL011_EINVAL = ERR_BASE_PL011 + 1, /* no base, zero clock or baud, or a baud rate the clock cannot produce */
    PL011_ETIMEDOUT,                   /* the transmitter did not drain in time */
};

/* Programs the UART at base for baud, 8N1, from a reference clock of uart_clock_hz, and enables receive
 * interrupts (the caller connects pl011_irq_handler to the interrupt controller). Empties the RX ring and clears
 * the counters. Returns 0 or -PL011_EINVAL (the UART is left untouched). */
int pl011_init(uintptr_t base, uint32_t uart_clock_hz, uint32_t baud);

/* Sends len bytes as they are (no newline translation). Blocks until all are in the TX FIFO; if one byte waits
 * longer than PL011_TX_TIMEOUT_US the rest of buf is dropped. Main loop or crash handler, not IRQ context. */
void pl011_write(const char *buf, size_t len);

/* Waits until everything written has left the transmitter (e.g. before a reset).
 * Returns 0 or -PL011_ETIMEDOUT. */
int pl011_flush(void);

/* Next received byte (0..255), or -1 when none is waiting. Never blocks. Main loop only (the single consumer). */
int pl011_getc(void);

/* Interrupt handler for the UART line: moves everything in the RX FIFO into the ring. arg is unused. */
void pl011_irq_handler(void *arg);

/* The same drain as the interrupt handler, for use while interrupts are off (early boot, crash handler). */
void pl011_poll(void);

/* Bytes lost since pl011_init(): dropped because the ring was full, plus hardware FIFO overruns. */
uint32_t pl011_rx_overruns(void);

/* Bytes discarded since pl011_init() because they arrived with a framing, parity or break error. */
uint32_t pl011_rx_errors(void);

const char *pl011_strerror(int err);

#endif /* DRIVERS_PL011_H */
