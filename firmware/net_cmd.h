/*
 * net_cmd.h - the network's console commands: `net` (interface, addresses, DNS, lease, NTP and UTC time),
 * `ping HOST [count]` and `resolve NAME`. ping and resolve wait through the main loop's pass (firmware/cmd_wait.h)
 * until their answer or deadline, so the rest of the device runs meanwhile; Ctrl-C stops them.
 * Register once at start-up, from the main loop, after net_init().
 */
#ifndef FIRMWARE_NET_CMD_H
#define FIRMWARE_NET_CMD_H

/* Longest wait for one DNS answer (lwIP gives up by itself after its retries, within about 8 s). */
#ifndef NET_CMD_RESOLVE_TIMEOUT_MS
#define NET_CMD_RESOLVE_TIMEOUT_MS 10000u
#endif
/* How long ping waits for each echo reply, and the pause between requests, as ping(8) does by default. */
#ifndef NET_CMD_PING_TIMEOUT_MS
#define NET_CMD_PING_TIMEOUT_MS 1000u
#endif
/* Echo requests when no count is given, and the most a count may ask for. */
#define NET_CMD_PING_DEFAULT_COUNT 4u
#define NET_CMD_PING_MAX_COUNT     1000u

/* Adds the three commands to the console; returns console_register()'s result. */
int net_cmd_register(void);

#endif /* FIRMWARE_NET_CMD_H */
