/*
 * systimer.h - the BCM2835 system timer: a free-running 64-bit microsecond counter (1 MHz, CLO/CHI).
 *
 * It is the time base for every wait in the firmware: delays, and deadlines that bound polling loops so a stuck
 * peripheral returns an error instead of hanging the device. The counter runs from power-on and is never written,
 * so at 1 MHz it does not wrap in the device's lifetime (584 000 years).
 *
 * Compare channels raise an interrupt (INTC_IRQ_SYSTIMER1/3) when the counter's low word reaches theirs: the ARM
 * may use channels 1 and 3, the VideoCore owns 0 and 2 (BCM2835 ARM Peripherals, section 12), so the compare
 * functions ignore those. The board's idle sleep wakes on channel 1.
 *
 * Rules: systimer_init() runs first, before any other driver that waits. The reading functions may be called from
 * any context (main loop, IRQ handler, crash handler); a compare channel has one owner, which arms it and clears
 * it from its interrupt handler.
 */
#ifndef DRIVERS_SYSTIMER_H
#define DRIVERS_SYSTIMER_H

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

/* Compare channels the ARM may use. */
#define SYSTIMER_COMPARE_ARM1 1u
#define SYSTIMER_COMPARE_ARM3 3u

/* Clears the channel's match and arms it for `deadline`: its interrupt is raised when the counter's low word
 * reaches the deadline's, so a deadline must lie less than 71 minutes ahead, and one already passed matches only
 * after the low word wraps (check systimer_expired() after arming). Channels 0 and 2 are ignored. */
void systimer_compare_set(unsigned channel, uint64_t deadline);

/* Clears the channel's match, which ends its interrupt (from its handler). Channels 0 and 2 are ignored. */
void systimer_compare_clear(unsigned channel);

#endif /* DRIVERS_SYSTIMER_H */
