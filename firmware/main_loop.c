/*
 * One pass of the main loop; see main_loop.h.
 */
#include "firmware/main_loop.h"

#include "board/board.h"
#include "net/net.h"
#include "net/smtp_client.h"

void main_loop_pass(void)
{
    /* Hot-plug first, so that a NIC that just appeared is adopted by net_poll() in the same pass. */
    board_usb_poll();
    net_poll();
    /* The transport's deadlines and deferred work run here for any submission, whether a console command or the
     * outbox started it. */
    smtp_client_poll();
    board_idle();
}
