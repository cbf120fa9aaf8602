/*
 * One pass of the main loop; see main_loop.h.
 */
#include "firmware/main_loop.h"

#include "board/board.h"
#include "firmware/alerts.h"
#include "firmware/outbox_delivery.h"
#include "lib/wake.h"
#include "net/net.h"
#include "net/smtp_client.h"

uint64_t main_loop_next_deadline(void)
{
    /* Asked for at the moment of the sleep, not at the end of the pass: a console command may have started work
     * since (a DNS lookup's timer, a submission, `outbox retry`). */
    uint64_t at = wake_take();
    at = wake_min(at, net_next_deadline_us());
    at = wake_min(at, smtp_client_next_deadline_us());
    at = wake_min(at, alerts_next_deadline_us());
    at = wake_min(at, outbox_delivery_next_deadline_us());
    return at;
}

void main_loop_pass(void)
{
    /* The sleep comes first, so that whatever woke the board (a frame, a key, an edge) has been taken in by the
     * network and the rest when the caller looks next: main()'s console_poll(), or a waiting command's condition.
     * With the sleep last, a line typed right after a command ran before the network had seen the frames that
     * arrived meanwhile (`iperf` twice in a row found the previous test's connection still open). */
    board_idle_until(main_loop_next_deadline());
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
