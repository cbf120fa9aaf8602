/*
 * sys_arch.c - lwIP's system interface; see sys_arch.h.
 */
#include "net/sys_arch.h"

#include <stdio.h>

#include "board/board.h"
#include "lib/units.h"
#include "lwip/sys.h"

/* Milliseconds since boot. lwIP's timers compare u32_t differences, so the wrap after 49.7 days is harmless. */
u32_t sys_now(void)
{
    return (u32_t)(board_uptime_us() / US_PER_MS);
}

void net_sys_arch_assert(const char *message, const char *file, int line)
{
    printf("lwIP assertion \"%s\" failed at %s:%d\n", message, file, line);
    board_reboot(BOARD_RESET_CRASH, "lwIP assertion failed");
}
