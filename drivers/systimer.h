/*
 * systimer.h - the BCM2835 system timer: a free-running 64-bit microsecond counter (1 MHz, CLO/CHI).
 *
 * It is the time base for every wait in the firmware: delays, and deadlines that bound polling loops so a stuck
 * peripheral returns an error instead of hanging the device. The counter runs from power-on and is never written,
 * so at 1 MHz it does not wrap in the device's lifetime (584 000 years).
 *
 * Rules: systimer_init() runs first, before any other driver that waits. All functions only read registers and
 * may be called from any context (main loop, IRQ handler, crash handler). The compare channels are left alone:
 * the VideoCore uses channels 0 and 2.
 */
#ifndef SYSTIMER_H
#define SYSTIMER_H

#include <stdbool.h>
#include <stdint.h>

/* base: the system timer block (peripheral base + 0x3000), supplied by the board. */
void systimer_init(uintptr_t base);

/* Microseconds since the counter started (power-on), read consistently across the 32-bit halves. */
uint64_t systimer_now_us(void);

/* Busy-waits at least us microseconds. */
void systimer_delay_us(uint32_t us);

/* The time us_from_now microseconds from now, for systimer_expired(). */
uint64_t systimer_deadline_us(uint32_t us_from_now);

/* True once the counter has reached deadline. */
bool systimer_expired(uint64_t deadline);

#endif /* SYSTIMER_H */
