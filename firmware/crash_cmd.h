/*
 * crash_cmd.h - the `crash` console command (deliberate fault). Register once at start-up, from the main loop.
 */
#ifndef FIRMWARE_CRASH_CMD_H
#define FIRMWARE_CRASH_CMD_H

/* Adds `crash` to the console; returns console_register()'s result. */
int crash_cmd_register(void);

#endif /* FIRMWARE_CRASH_CMD_H */
