/*
 * clock.c - UTC offset against the board's uptime; see clock.h.
 */
#include "net/clock.h"

#include "board/board.h"
#include "lib/units.h"
#include "mbedtls/platform_time.h"

/* UTC at boot, in microseconds since 1970; valid when clock_set. 64 bits: microseconds since 1970 overflow 32. */
static uint64_t boot_utc_us;
static bool clock_set;

void net_clock_set_utc(uint32_t sec, uint32_t usec)
{
    if (usec >= US_PER_S) {
        usec = US_PER_S - 1u;
    }
    uint64_t now_us = (uint64_t)sec * US_PER_S + usec;
    /* SNTP times are far beyond 1970 + uptime; the check only keeps a nonsense reply from wrapping the offset. */
    uint64_t uptime_us = board_uptime_us();
    boot_utc_us = now_us > uptime_us ? now_us - uptime_us : 0u;
    clock_set = true;
}

bool net_clock_is_set(void)
{
    return clock_set;
}

void net_clock_get_utc(uint32_t *sec, uint32_t *usec)
{
    uint64_t now_us = boot_utc_us + board_uptime_us();
    *sec = (uint32_t)(now_us / US_PER_S);
    *usec = (uint32_t)(now_us % US_PER_S);
}

time_t net_clock_time(time_t *t)
{
    time_t now = (time_t)-1;
    if (clock_set) {
        now = (time_t)((boot_utc_us + board_uptime_us()) / US_PER_S);
    }
    if (t != NULL) {
        *t = now;
    }
    return now;
}

/* mbedTLS's monotonic clock (MBEDTLS_PLATFORM_MS_TIME_ALT): milliseconds since boot, never stepped by SNTP. */
mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return (mbedtls_ms_time_t)(board_uptime_us() / US_PER_MS);
}
