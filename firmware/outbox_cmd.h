/*
 * outbox_cmd.h - the console's `outbox`: what waits to be delivered, what could not be, and `outbox retry`.
 * Main loop only (a console command).
 */
#ifndef FIRMWARE_OUTBOX_CMD_H
#define FIRMWARE_OUTBOX_CMD_H

/* Adds `outbox` to the console. Returns 0 or a CONSOLE_ERR_* code. */
int outbox_cmd_register(void);

#endif /* FIRMWARE_OUTBOX_CMD_H */
