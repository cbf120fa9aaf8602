/*
 * cmd_wait.h - how a console command waits for the network: it runs the main loop's network work itself until its
 * condition holds, its deadline passes or the user presses Ctrl-C.
 *
 * A console command runs inside console_poll(), so the main loop stands still while it waits; this loop keeps lwIP
 * (frames, timers, DNS, TCP) going meanwhile. Other console input typed during the wait is dropped, as a serial
 * console does during a running command. Main loop only (a console command).
 */
#ifndef CMD_WAIT_H
#define CMD_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#define CMD_WAIT_CTRL_C 0x03

/* Calls net_poll(), checks done() and idles the board until done() is true or board_uptime_us() reaches
 * deadline_us. done() is called before and after each net_poll() and may do work of its own (e.g. drive a
 * submission); the board idles only when it is still false after what net_poll() delivered. Returns false
 * when the user pressed Ctrl-C (after printing "^C"), true otherwise: the caller checks done() again to tell a
 * finished wait from an expired one. */
bool cmd_wait_until(bool (*done)(void), uint64_t deadline_us);

#endif /* CMD_WAIT_H */
