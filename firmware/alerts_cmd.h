/*
 * alerts_cmd - the `alerts` console command: each Alert line's pins (BCM GPIO and header pin), pull, edge, the
 * level the pin reads now, the debounced state, the last change and the counters (events, mails requested, events
 * folded into summaries, events waiting for a rate limit). Main-loop context, like every console command.
 */
#ifndef FIRMWARE_ALERTS_CMD_H
#define FIRMWARE_ALERTS_CMD_H

/* Adds `alerts` to the console; returns console_register()'s result. */
int alerts_cmd_register(void);

#endif /* FIRMWARE_ALERTS_CMD_H */
