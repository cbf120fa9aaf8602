/*
 * log_cmd.h - the `log` console command: the event log kept on the card (firmware/persist.h). Register once at
 * start-up, from the main loop, after persist_init().
 */
#ifndef FIRMWARE_LOG_CMD_H
#define FIRMWARE_LOG_CMD_H

/* Adds `log` to the console; returns console_register()'s result. */
int log_cmd_register(void);

#endif /* FIRMWARE_LOG_CMD_H */
