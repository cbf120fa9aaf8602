/*
 * fake_systimer.h - a system timer for host tests of drivers that wait: implements drivers/systimer.h without
 * hardware. Time starts at 0 and every systimer_now_us() call advances it by a step, so any polling loop with a
 * deadline reaches it after a bounded number of iterations.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_SYSTIMER_H
#define TESTS_UNIT_FAKES_FAKE_SYSTIMER_H

#include <stdint.h>

/* Time back to 0, step back to the default (1 us per read). */
void fake_systimer_reset(void);
void fake_systimer_set_step(uint64_t step_us);
/* Current fake time, without advancing it. */
uint64_t fake_systimer_peek(void);

#endif /* TESTS_UNIT_FAKES_FAKE_SYSTIMER_H */
