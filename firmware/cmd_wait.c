/*
 * The console commands' network wait; see cmd_wait.h.
 */
#include "firmware/cmd_wait.h"

#include <stdio.h>

#include "board/board.h"
#include "net/net.h"

bool cmd_wait_until(bool (*done)(void), uint64_t deadline_us)
{
    while (!done() && board_uptime_us() < deadline_us) {
        net_poll();
        if (board_console_getc() == CMD_WAIT_CTRL_C) {
            printf("^C\n");
            return false;
        }
        /* What net_poll() delivered may have finished the work, or left some for done() (the SMTP transport starts
         * TLS and closes the connection from there): look before sleeping, not one idle later. */
        if (done()) {
            break;
        }
        board_idle();
    }
    return true;
}
