/*
 * main_loop.h - one pass of the firmware's main loop: everything the device does, but the console's line handling.
 *
 * main() runs `for (;;) { main_loop_pass(); console_poll(); }`. A console command runs inside console_poll(), so
 * every wait inside a command (firmware/cmd_wait.h, sendmail's reader) calls main_loop_pass() too: USB, the network,
 * the SMTP transport (whoever started it), inputs, alerts and the outbox keep running whatever the console does,
 * and board_idle() keeps feeding the watchdog. The pass starts with board_idle(), so what follows it (the
 * console, a command's condition) sees what the sleep's wake-up brought already processed.
 *
 * Rules: main loop only (thread context), never from an interrupt handler or an lwIP callback. A pass never calls
 * console_poll(), so a command waiting through it cannot start another command. Nothing that a pass calls may wait
 * through main_loop_pass() itself: the pass is not re-entrant.
 */
#ifndef FIRMWARE_MAIN_LOOP_H
#define FIRMWARE_MAIN_LOOP_H

/* One pass: board_idle() (which sleeps until something may have happened, a few milliseconds at most), then
 * board_net_poll(), net_poll(), smtp_client_poll(), alerts_poll() and outbox_delivery_poll(). */
void main_loop_pass(void);

#endif /* FIRMWARE_MAIN_LOOP_H */
