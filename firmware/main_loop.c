/*
 * One pass of the main loop; see main_loop.h.
 */
#include "firmware/main_loop.h"

#include "board/board.h"
#include "firmware/alerts.h"
#include "firmware/outbox_delivery.h"
#include "net/net.h"
#include "net/smtp_client.h"

void main_loop_pass(void)
{
    /* The sleep comes first, so that whatever woke the board (a frame, a key, an edge) has been taken in by the
     * network and the rest when the caller looks next: main()'s console_poll(), or a waiting command's condition.
     * With the sleep last, a line typed right after a command ran before the network had seen the frames that
     * arrived meanwhile (`iperf` twice in a row found the previous test's connection still open). */
    board_idle();
    /* Hot-plug before the network, so that a NIC that just appeared is adopted by net_poll() in the same pass. */
    board_net_poll();
    net_poll();
    /* The transport's deadlines and deferred work run here for any submission, whether a console command or the
     * outbox started it. */
    smtp_client_poll();
    /* Inputs before the outbox, so an alert the pass found is queued and, when all is ready, on its way in it. */
    alerts_poll();
    outbox_delivery_poll();
}
