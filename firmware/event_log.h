/*
 * event_log.h - the last events of the device (boots with their reset cause, alerts, deliveries, failures), kept
 * on the card's journal partition so that they survive a power cut, for the console's `log` and for
 * tools/baremail-log reading a card image on a PC.
 *
 * A ring of EVENT_LOG_BLOCKS records (firmware/journal.h in its overwrite mode): one block written per event, the
 * oldest overwritten first; a write cut short loses that one event. Each event carries the uptime and, once the
 * clock is set, the UTC time it happened.
 *
 * Rules: pure (no board calls): the caller gives the block device and the times. One struct event_log per ring,
 * owned by the caller; main loop only; not reentrant.
 */
#ifndef FIRMWARE_EVENT_LOG_H
#define FIRMWARE_EVENT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/blockdev.h"
#include "firmware/journal.h"

/* Detail text kept per event (longer text is cut). A line of the console, with room for a Message-ID. */
#define EVENT_LOG_DETAIL_MAX 120u

enum event_log_type {
    EVENT_LOG_BOOT = 1,  /* arg: enum board_reset_cause of the reset that led to this boot */
    EVENT_LOG_ALERT,     /* arg: the alert's index in the configuration */
    EVENT_LOG_DELIVERED, /* arg: the outbox's mail id (as the console's `outbox` lines name it) */
    EVENT_LOG_FAILED,    /* arg: the outbox's mail id; the detail says temporary, undeliverable or configuration */
    EVENT_LOG_NOTE,      /* anything else worth keeping (journal full, card errors); arg unused */
};

struct event_log_entry {
    uint64_t seq; /* set by event_log_add(); the ring's own number, grows by one per event */
    enum event_log_type type;
    uint32_t arg;
    uint64_t uptime_us;                /* board_uptime_us() when it happened */
    uint64_t utc_s;                    /* UTC seconds since 1970 when it happened; 0 while the clock was not set */
    char detail[EVENT_LOG_DETAIL_MAX]; /* NUL-terminated */
};

struct event_log {
    struct journal ring;
};

/* Opens the ring [first, first + count) of dev; count at most JOURNAL_MAX_LIVE. Returns 0 or JOURNAL_ERR_*. */
int event_log_open(struct event_log *log, const struct blockdev *dev, uint32_t first, uint32_t count);

/* Adds e (seq ignored; detail cut to fit). Returns 0 or JOURNAL_ERR_*. */
int event_log_add(struct event_log *log, const struct event_log_entry *e);

/* Calls fn for each event kept, oldest first; e is valid during the call only. Returns the number of events, or a
 * JOURNAL_ERR_* code. */
int event_log_read(struct event_log *log, void (*fn)(void *ctx, const struct event_log_entry *e), void *ctx);

/* Events kept, and how many the ring holds. */
uint32_t event_log_count(const struct event_log *log);
uint32_t event_log_capacity(const struct event_log *log);

/* One line for e, without a line ending: "#12  2026-12-06 23:43:45 UTC  up 12.345 s  alert  detail". */
void event_log_format(const struct event_log_entry *e, char *buf, size_t size);

/* "boot", "alert", "delivered", "failed", "note"; "unknown" for anything else. */
const char *event_log_type_name(enum event_log_type type);

#endif /* FIRMWARE_EVENT_LOG_H */
