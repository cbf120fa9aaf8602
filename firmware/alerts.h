/*
 * alerts - the Alert lines at work: the glue between the board's inputs and the alert engine.
 *
 * alerts_init() asks the board to watch each alert's pin (board_input_watch with the line's pull) and starts the
 * engine (firmware/alert_engine) with the levels read then, which also queues the boot mail and schedules the
 * heartbeats. alerts_poll() takes the changes the board recorded on every watched pin, merges them into one time
 * order (the engine's rate limits are shared between pins, so a change on one pin must not be judged after a later
 * one on another), feeds them to the engine and lets it hand the mails due to the emit callback (main wires it to
 * the outbox). A change the board timestamped after the poll's clock reading waits for the next poll.
 *
 * A pin the board refuses (board_input_check) is reported on the console with smtp.conf's line and left unwatched;
 * the other alerts work. The `alerts` console command (firmware/alerts_cmd.c) and the boot and heartbeat mails
 * (alerts_facts) show each alert's pins, state and counters.
 *
 * Rules: main-loop context. alerts_init once, after the configuration is loaded; `cfg` must stay valid and unchanged
 * for the rest of the run (config_load_current() is). alerts_poll on every main-loop pass; before alerts_init it
 * does nothing. The module's state is static; no malloc.
 */
#ifndef FIRMWARE_ALERTS_H
#define FIRMWARE_ALERTS_H

#include <stdint.h>

#include "config/config.h"
#include "firmware/alert_engine.h"
#include "firmware/alert_event.h"
#include "firmware/alert_mail.h"
#include "lib/err.h"

#define ALERTS_OK      0
#define ALERTS_ERR_ARG (-ERR_BASE_ALERTS - 1) /* no configuration, or no emit callback */
/* some pins could not be watched (the console says which and why); the others are */
#define ALERTS_ERR_PINS (-ERR_BASE_ALERTS - 2)

/* Watch every alert's pin and start the engine at board_uptime_us(). Prints one line per refused pin. Returns 0,
 * ALERTS_ERR_PINS or ALERTS_ERR_ARG. A second call starts over with the new configuration. */
int alerts_init(const struct config *cfg, alert_event_fn emit, void *ctx);

/* Feed the board's recorded changes to the engine in time order, then run its timers; mails due go to emit. */
void alerts_poll(void);

/* When alerts_poll() next has work that no input's interrupt announces (board_uptime_us()): a debounce ending, a
 * held summary's rate window opening, a heartbeat (alert_engine_next_due()), or at once for a change taken but left
 * for the next poll; UINT64_MAX before alerts_init() or when only an edge can bring work. */
uint64_t alerts_next_deadline_us(void);

/* The configuration alerts_init() was given, NULL before. */
const struct config *alerts_config(void);

/* Fill inputs[0..max) for the boot and heartbeat mails and the console: why a pin is not watched, its header pin,
 * the engine's state and counters. Returns the number of alerts filled (0 before alerts_init). */
unsigned alerts_facts(struct alert_mail_input *inputs, unsigned max);

const char *alerts_strerror(int err);

#endif /* FIRMWARE_ALERTS_H */
