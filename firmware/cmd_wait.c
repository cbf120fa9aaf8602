/*
 * The console commands' wait; see cmd_wait.h.
 */
#include "firmware/cmd_wait.h"

#include <stdio.h>

#include "board/board.h"
#include "firmware/main_loop.h"
#include "lib/wake.h"

bool cmd_wait_until(bool (*done)(void), uint64_t deadline_us)
{
    while (!done() && board_uptime_us() < deadline_us) {
        if (board_console_getc() == CMD_WAIT_CTRL_C) {
            printf("^C\n");
            return false;
        }
        /* The pass sleeps until its own work is due; the command's deadline is one more. */
        wake_at(deadline_us);
        main_loop_pass();
    }
    return true;
}
