#include "drivers/systimer.h"

#include "drivers/mmio.h"

#define SYSTIMER_CLO 0x04 /* counter bits 31..0 */
#define SYSTIMER_CHI 0x08 /* counter bits 63..32 */

static uintptr_t systimer_base;

void systimer_init(uintptr_t base)
{
    systimer_base = base;
}

uint64_t systimer_now_us(void)
{
    uint32_t hi = mmio_read32(systimer_base + SYSTIMER_CHI);
    uint32_t lo = mmio_read32(systimer_base + SYSTIMER_CLO);
    uint32_t hi_again = mmio_read32(systimer_base + SYSTIMER_CHI);

    /* The low word wrapped between the two reads of the high word: lo may belong to either high value, so read it
     * again; it cannot wrap a second time for another 71 minutes. */
    if (hi_again != hi) {
        lo = mmio_read32(systimer_base + SYSTIMER_CLO);
        hi = hi_again;
    }
    return ((uint64_t)hi << 32) | lo;
}

uint64_t systimer_deadline_us(uint32_t us_from_now)
{
    return systimer_now_us() + us_from_now;
}

bool systimer_expired(uint64_t deadline)
{
    return systimer_now_us() >= deadline;
}

void systimer_delay_us(uint32_t us)
{
    uint64_t deadline = systimer_deadline_us(us);

    while (!systimer_expired(deadline)) {
    }
}
