/*
 * wake - the earliest time the next pass is asked for; see wake.h.
 */
#include "lib/wake.h"

/* The first pass runs at once: nothing has polled yet, so nothing has asked. */
static uint64_t earliest = 0;

void wake_at(uint64_t at_us)
{
    earliest = wake_min(earliest, at_us);
}

void wake_now(void)
{
    earliest = 0;
}

uint64_t wake_take(void)
{
    uint64_t at = earliest;
    earliest = WAKE_NEVER;
    return at;
}
