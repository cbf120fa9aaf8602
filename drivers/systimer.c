#include "drivers/systimer.h"

#include "drivers/mmio.h"

/* BCM2835 ARM Peripherals, section 12.1. */
#define SYSTIMER_CS             0x00 /* control/status: bit n is channel n's match flag, write 1 to clear */
#define SYSTIMER_CLO            0x04 /* counter bits 31..0 */
#define SYSTIMER_CHI            0x08 /* counter bits 63..32 */
#define SYSTIMER_C0             0x0C /* compare channel n at SYSTIMER_C0 + 4 * n, against CLO */
#define SYSTIMER_CHANNEL_STRIDE 4u

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

static bool systimer_channel_is_arm(unsigned channel)
{
    return channel == SYSTIMER_COMPARE_ARM1 || channel == SYSTIMER_COMPARE_ARM3;
}

void systimer_compare_clear(unsigned channel)
{
    if (systimer_channel_is_arm(channel)) {
        mmio_write32(systimer_base + SYSTIMER_CS, 1u << channel);
    }
}

void systimer_compare_set(unsigned channel, uint64_t deadline)
{
    if (!systimer_channel_is_arm(channel)) {
        return;
    }
    mmio_write32(systimer_base + SYSTIMER_C0 + SYSTIMER_CHANNEL_STRIDE * channel, (uint32_t)deadline);
    mmio_write32(systimer_base + SYSTIMER_CS, 1u << channel);
}
