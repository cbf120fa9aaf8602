/*
 * wake - when the main loop's next pass is due, as asked by code that polls for time rather than waits for an
 * interrupt: a USB driver's next status poll, a retry's backoff, a console command's deadline, a change queued
 * without an interrupt (a simulated input). The main loop sleeps until the earliest time asked for (and the
 * deadlines it asks the firmware's modules for itself); nothing asked for, nothing but an interrupt wakes it.
 *
 * lib/ is the bottom layer, so drivers/ and board/ ask here without knowing the main loop. A request holds for
 * the next sleep only: whoever still has polled work after the next pass asks again in that pass (a driver asks
 * on every poll that leaves work for later, whether it just did some or found it not yet due).
 *
 * Rules: main loop only (thread context), never from an interrupt handler: a handler's wake-up is the interrupt
 * itself. Times are board_uptime_us() microseconds.
 */
#ifndef LIB_WAKE_H
#define LIB_WAKE_H

#include <stdint.h>

/* No time asked for: sleep until an interrupt. */
#define WAKE_NEVER UINT64_MAX

/* The next pass should start no later than at_us (a time already past: at once). */
void wake_at(uint64_t at_us);

/* Work is waiting that no interrupt will announce: the next pass starts without sleeping. */
void wake_now(void);

/* The earliest time asked for since the last call (WAKE_NEVER when none), and forgets it: the main loop, right
 * before it sleeps. */
uint64_t wake_take(void);

/* The earlier of two times (a helper for code that collects deadlines). */
static inline uint64_t wake_min(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

#endif /* LIB_WAKE_H */
