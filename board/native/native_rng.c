/*
 * drivers/rng.h on the native board: the host kernel's random number generator (getrandom(2)) stands in for the
 * BCM2835 RNG, so net/entropy.c feeds lwIP and mbedTLS exactly as on a Pi. As there, nothing is made up: a failed
 * read is an error and the buffer is zeroed. rng_init() has no counterpart: there is no device to start.
 */
#include "drivers/rng.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int rng_read(void *buf, size_t len)
{
    unsigned char *out = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(out + done, len - done, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            memset(buf, 0, len);
            return -RNG_ETIMEDOUT;
        }
        done += (size_t)n;
    }
    return 0;
}

const char *rng_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case RNG_EINVAL: return "random generator not initialised";
    case RNG_ETIMEDOUT: return "the host's getrandom() failed";
    default: return "unknown random generator error";
    }
}
