/*
 * main_loop.h - one pass of the firmware's main loop: everything the device does, but the console's line handling.
 *
 * main() runs `for (;;) { main_loop_pass(); console_poll(); }`. A console command runs inside console_poll(), so
 * every wait inside a command (firmware/cmd_wait.h, sendmail's reader) calls main_loop_pass() too: USB, the network,
 * the SMTP transport (whoever started it), inputs, alerts and the outbox keep running whatever the console does,
 * and board_idle_until() keeps feeding the watchdog. The pass starts with the sleep, so what follows it (the
 * console, a command's condition) sees what the sleep's wake-up brought already processed. The sleep lasts until
 * the next deadline of the work a pass does (main_loop_next_deadline()) or an interrupt: nothing polls for time.
 *
 * Rules: main loop only (thread context), never from an interrupt handler or an lwIP callback. A pass never calls
 * console_poll(), so a command waiting through it cannot start another command. Nothing that a pass calls may wait
 * through main_loop_pass() itself: the pass is not re-entrant.
 */
#ifndef FIRMWARE_MAIN_LOOP_H
#define FIRMWARE_MAIN_LOOP_H

#include <stdint.h>

/* One pass: board_idle_until(main_loop_next_deadline()), which sleeps until then or until an interrupt brings work,
 * then board_net_poll(), net_poll(), smtp_client_poll(), alerts_poll() and outbox_delivery_poll(). */
void main_loop_pass(void);

/* When the next pass must run at the latest (board_uptime_us(); at or before now: at once, UINT64_MAX: only an
 * interrupt brings work): the earliest of what was asked through lib/wake.h since the last pass (USB drivers'
 * polls, a console command's deadline) and the next deadline of the network, the transport, the alerts and the
 * outbox, each of which also answers "at once" for work its last poll left. Takes the lib/wake.h requests. */
uint64_t main_loop_next_deadline(void);

#endif /* FIRMWARE_MAIN_LOOP_H */
