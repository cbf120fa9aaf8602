/*
 * alert_engine - decides when the inputs of the Alert lines call for a mail: debounce, edge, recovery, the
 * per-alert `limit=` and the global `RateLimit`, and when the boot and heartbeat mails are due.
 *
 * A pure state machine like net/smtp's engine: no board call, no I/O, no malloc and no clock of its own. It is fed
 * raw level changes and the time (board uptime in microseconds) and answers with struct alert_event (the contract
 * with the outbox, firmware/alert_event.h). firmware/alerts feeds it from the board; the unit tests from a script.
 *
 * Debounce: a level counts once it has held for the alert's `debounce` with no other change; a storm of edges
 * shorter than that yields nothing until the level settles, and nothing at all when it settles on the level it left.
 * An event's time is when the input last changed to the level that settled (the moment the door opened, not the
 * moment the debounce ended). The rate limits judge it at the moment it settled (that time + debounce).
 *
 * Alarm and normal state:
 *  - edge=falling: low is the alarm ("triggered"), high normal; edge=rising: the reverse.
 *  - edge=both: the level at alert_engine_init is normal; every settled change is mailed, "triggered" when it
 *    leaves the normal level and "recovered" when it returns.
 *  - recovery=yes also mails the return to normal ("recovered"); with recovery=no that return changes the state
 *    and counts as a change, but is no event.
 *  - An input already in its alarm state at init is not mailed: it starts "triggered" (the boot mail and the
 *    console show it) and its return to normal is a recovery.
 *
 * Rate limits are sliding windows: a limit N/period lets a mail go when fewer than N mails of its scope were granted
 * in the last `period`, so each grant at time t frees its place at t + period exactly ("3/hour": at most 3 mails in
 * any 60 minutes). Scopes: the alert's own `limit=`, and RateLimit over every mail (alerts, boot, heartbeat). An
 * event that either window refuses is held, never dropped: the alert's events wait together in one summary (count,
 * first and last time, state of the last), every later event of that alert joins it so that no event overtakes an
 * older one, and the summary is emitted the moment both windows open, as one mail with alert_event.events > 1.
 * When a place frees, the oldest waiting summary takes it, before a new event of another alert at that moment. Each window keeps ALERT_ENGINE_RATE_SLOTS grant times: exact up to that many mails
 * per period; beyond, grants share the newest slot and count as young as it (they free later, never earlier), so N
 * stays a hard bound.
 *
 * Boot and heartbeat: with BootMail, one ALERT_EVENT_BOOT at the time of alert_engine_init (the outbox holds it
 * until network and clock are up); with HeartbeatMail, an ALERT_EVENT_HEARTBEAT at init + k * HeartbeatPeriod.
 * Both count in RateLimit; a heartbeat that must wait and meets the next becomes one (events = periods covered).
 *
 * Rules: calls come in time order across all alerts (firmware/alerts merges the pins' queues); a time older than
 * the previous call's is taken as that time. Events are emitted only from alert_engine_poll(), in the order they
 * were granted; at most ALERT_ENGINE_QUEUE_MAX grants wait between two polls, beyond that events join their
 * summary. The caller owns struct alert_engine (a few KiB); one context (the main loop); nothing is kept from cfg.
 */
#ifndef FIRMWARE_ALERT_ENGINE_H
#define FIRMWARE_ALERT_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "firmware/alert_event.h"
#include "lib/err.h"

/* Grant times each rate window remembers: RateLimit's default (20/hour) and every usual per-alert limit are exact. */
#ifndef ALERT_ENGINE_RATE_SLOTS
#define ALERT_ENGINE_RATE_SLOTS 24
#endif
/* Granted mails waiting for the next poll: one per alert and then some; the glue polls on every loop pass. */
#ifndef ALERT_ENGINE_QUEUE_MAX
#define ALERT_ENGINE_QUEUE_MAX (CONFIG_ALERTS_MAX + 2)
#endif

#define ALERT_ENGINE_OK      0
#define ALERT_ENGINE_ERR_ARG (-ERR_BASE_ALERT_ENGINE - 1) /* NULL pointer, or an alert index the configuration lacks */

/* One alert as the console and the heartbeat mail show it. */
struct alert_engine_stats {
    bool watched;            /* false: it had no level at init (pin refused); its changes are ignored */
    int level;               /* debounced level, 0 or 1 */
    int raw;                 /* last level reported, maybe still bouncing */
    bool alarm;              /* the debounced level is the alarm state: {state} "triggered" */
    bool changed;            /* a debounced change happened since init */
    uint64_t last_change_us; /* time of the last debounced change (valid when `changed`) */
    uint32_t changes;        /* debounced changes */
    uint32_t events;         /* changes that called for a mail */
    uint32_t mails;          /* ALERT_EVENT_ALERT events emitted (mails requested from the outbox) */
    uint32_t folded;         /* events emitted inside summaries (mails covering more than one event) */
    uint32_t waiting;        /* events held by a limit, not yet emitted */
};

/* Everything below is private to alert_engine.c; it is here so that callers can allocate an engine. */
struct alert_engine_slot {
    uint64_t at_us;
    uint32_t count;
};

struct alert_engine_rate {
    uint32_t limit; /* 0: no limit */
    uint64_t period_us;
    unsigned head;
    unsigned used;
    struct alert_engine_slot slot[ALERT_ENGINE_RATE_SLOTS];
};

struct alert_engine_input {
    struct alert_engine_stats st;
    enum config_edge edge;
    bool recovery;
    int normal; /* the level that is not the alarm */
    uint64_t debounce_us;
    uint64_t raw_at_us;
    struct alert_engine_rate rate;
};

/* Holders of waiting summaries: one per alert, then the boot and the heartbeat mail. */
#define ALERT_ENGINE_HOLD_BOOT      CONFIG_ALERTS_MAX
#define ALERT_ENGINE_HOLD_HEARTBEAT (CONFIG_ALERTS_MAX + 1)
#define ALERT_ENGINE_HOLDERS        (CONFIG_ALERTS_MAX + 2)

struct alert_engine {
    unsigned count;
    uint64_t now_us;
    struct alert_engine_input in[CONFIG_ALERTS_MAX];
    struct alert_engine_rate global;
    struct alert_event held[ALERT_ENGINE_HOLDERS]; /* events == 0: nothing waits */
    bool heartbeat;
    uint64_t heartbeat_period_us;
    uint64_t next_heartbeat_us;
    struct alert_event queue[ALERT_ENGINE_QUEUE_MAX];
    unsigned queue_head;
    unsigned queue_used;
};

/*
 * Start watching cfg's alerts from time now_us. levels[i] is alert i's level now (0 or 1; negative: the pin is
 * not watched, and its changes will be ignored); levels may be NULL when cfg has no alert. Queues the boot mail
 * when cfg->boot_mail and schedules heartbeats when cfg->heartbeat_mail. Returns 0 or ALERT_ENGINE_ERR_ARG.
 */
int alert_engine_init(struct alert_engine *e, const struct config *cfg, const int *levels, uint64_t now_us);

/* The input of alert `alert` changed to `level` (0, or anything else for 1) at at_us. A report of the level it
 * already had is ignored. Returns 0, or ALERT_ENGINE_ERR_ARG for an unknown alert. */
int alert_engine_change(struct alert_engine *e, unsigned alert, uint64_t at_us, int level);

/* Run the debounce timers, rate windows and heartbeat up to now_us and hand every mail due to emit (may be NULL
 * to drop them, for tests of the counters). Call on every main-loop pass. Returns the number of events emitted. */
unsigned alert_engine_poll(struct alert_engine *e, uint64_t now_us, alert_event_fn emit, void *ctx);

/* The earliest time at which alert_engine_poll() has something to do (a debounce that ends, a held summary whose
 * windows open, the next heartbeat), for a main loop that sleeps until then; UINT64_MAX when only an input change
 * can bring work. A time at or before the last poll's means at once. Changes nothing the engine decides. */
uint64_t alert_engine_next_due(struct alert_engine *e);

/* Alert `alert`'s state and counters, or NULL for an unknown alert. Valid until the next call into the engine. */
const struct alert_engine_stats *alert_engine_stats(const struct alert_engine *e, unsigned alert);

/* Names an ALERT_ENGINE_* code for the console. */
const char *alert_engine_strerror(int err);

#endif /* FIRMWARE_ALERT_ENGINE_H */
