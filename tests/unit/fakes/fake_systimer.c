#include "fake_systimer.h"

#include "drivers/systimer.h"

#define FAKE_SYSTIMER_DEFAULT_STEP_US 1u

static uint64_t fake_now;
static uint64_t fake_step = FAKE_SYSTIMER_DEFAULT_STEP_US;

void fake_systimer_reset(void)
{
    fake_now = 0;
    fake_step = FAKE_SYSTIMER_DEFAULT_STEP_US;
}

void fake_systimer_set_step(uint64_t step_us)
{
    fake_step = step_us;
}

uint64_t fake_systimer_peek(void)
{
    return fake_now;
}

void systimer_init(uintptr_t base)
{
    (void)base;
}

uint64_t systimer_now_us(void)
{
    fake_now += fake_step;
    return fake_now;
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
    fake_now += us;
}
