/*
 * rng.h - the BCM2835 hardware random number generator (peripheral base + 0x104000).
 *
 * The only entropy source of the firmware: lwIP's LWIP_RAND and mbedTLS's entropy poll read it. It never makes up
 * data: when the generator produces nothing before the deadline, rng_read() fails and the caller must not use
 * the buffer.
 *
 * Rules: systimer_init() before rng_init(). rng_read() busy-waits for the generator: main loop only, not from an
 * interrupt handler.
 */
#ifndef DRIVERS_RNG_H
#define DRIVERS_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* How long rng_read() waits for each new word. The generator makes a word in microseconds once warm; the first
 * words after rng_init() also wait for the warm-up period to pass. */
#ifndef RNG_TIMEOUT_US
#define RNG_TIMEOUT_US 1000000u
#endif

/* Error codes, returned negated. */
enum {
    RNG_EINVAL = ERR_BASE_RNG + 1, /* no base, or not initialised */
    RNG_ETIMEDOUT,                 /* the generator produced no data in time */
};

/* Starts the generator at base, throwing away its first, less random output (the warm-up count), unless the
 * GPU firmware already started it. Masks its interrupt: rng_read() polls. Returns 0 or -RNG_EINVAL. */
int rng_init(uintptr_t base);

/* Fills buf with len random bytes. Returns 0, or -RNG_ETIMEDOUT / -RNG_EINVAL with buf zeroed. */
int rng_read(void *buf, size_t len);

const char *rng_strerror(int err);

#endif /* DRIVERS_RNG_H */
