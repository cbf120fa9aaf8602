/*
 * cmd_wait.h - how a console command waits: through the main loop's pass (firmware/main_loop.h) until its condition
 * holds, its deadline passes or the user presses Ctrl-C.
 *
 * A console command runs inside console_poll(), so main() stands still while it waits; each turn of the wait runs
 * main_loop_pass(), so USB, the network, the SMTP transport, inputs and the outbox keep running meanwhile. Other
 * console input typed during the wait is dropped, as a serial console does during a running command.
 * Main loop only (a console command).
 */
#ifndef FIRMWARE_CMD_WAIT_H
#define FIRMWARE_CMD_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#define CMD_WAIT_CTRL_C 0x03

/* Checks done() and runs main_loop_pass() until done() is true or board_uptime_us() reaches deadline_us. done() is
 * called on every turn and may do work of its own. Returns false when the user pressed Ctrl-C (after printing
 * "^C"), true otherwise: the caller checks done() again to tell a finished wait from an expired one. */
bool cmd_wait_until(bool (*done)(void), uint64_t deadline_us);

#endif /* FIRMWARE_CMD_WAIT_H */
