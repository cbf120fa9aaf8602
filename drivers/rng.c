#include "drivers/rng.h"

#include <string.h>

#include "drivers/mmio.h"
#include "drivers/systimer.h"

/* clang-format off */
#define RNG_CTRL     0x00
#define   RNG_CTRL_RBGEN (1u << 0) /* generator enable */
#define RNG_STATUS   0x04
#define   RNG_STATUS_WORDS_LSB 24 /* read: bits 31..24 count the words waiting; write: the warm-up count */
#define RNG_DATA     0x08

/* The generator's first values are less random; Linux's bcm2835-rng discards this many, and so do we. */
#define RNG_WARMUP_COUNT 0x40000u
/* clang-format on */

static uintptr_t rng_base;

int rng_init(uintptr_t base)
{
    if (base == 0) {
        return -RNG_EINVAL;
    }
    rng_base = base;
    /* The interrupt mask register (offset 0x10) is left alone: the RNG interrupt is never enabled in the
     * interrupt controller, Linux masks it only on the NSP variant of this block, and QEMU's BCM2835 model
     * does not decode that offset (the access faults). */
    /* If the firmware already runs the generator it is past its warm-up; restarting would only delay the first
     * words. */
    if ((mmio_read32(rng_base + RNG_CTRL) & RNG_CTRL_RBGEN) == 0) {
        mmio_write32(rng_base + RNG_STATUS, RNG_WARMUP_COUNT);
        mmio_write32(rng_base + RNG_CTRL, RNG_CTRL_RBGEN);
    }
    return 0;
}

/* Next word from the FIFO, waiting for one with a deadline. */
static int rng_read_word(uint32_t *word)
{
    uint64_t deadline = systimer_deadline_us(RNG_TIMEOUT_US);

    while ((mmio_read32(rng_base + RNG_STATUS) >> RNG_STATUS_WORDS_LSB) == 0) {
        if (systimer_expired(deadline)) {
            return -RNG_ETIMEDOUT;
        }
    }
    *word = mmio_read32(rng_base + RNG_DATA);
    return 0;
}

int rng_read(void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t done = 0;

    if (len == 0) {
        return rng_base == 0 ? -RNG_EINVAL : 0;
    }
    if (rng_base == 0) {
        memset(buf, 0, len);
        return -RNG_EINVAL;
    }
    while (done < len) {
        uint32_t word;
        int err = rng_read_word(&word);
        if (err != 0) {
            /* Half-filled output must not pass for random data. */
            memset(buf, 0, len);
            return err;
        }
        size_t n = len - done < sizeof(word) ? len - done : sizeof(word);
        memcpy(out + done, &word, n);
        done += n;
    }
    return 0;
}

const char *rng_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case RNG_EINVAL: return "random number generator not initialised";
    case RNG_ETIMEDOUT: return "random number generator produced no data";
    default: return "unknown random number generator error";
    }
}
