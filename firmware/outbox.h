/*
 * outbox.h - the queue of mail the device writes itself (alert, boot and heartbeat mail) and the policy that
 * delivers it: when to try, what a failure means, what to keep when the queue is full.
 *
 * Pure, in the shape of net/smtp.h: no I/O, no board calls, no malloc. The caller (firmware/outbox_delivery.c)
 * feeds it events, the board's uptime in microseconds, the UTC clock once it is known, and the outcome of each
 * attempt; it answers which entries to send next. Every entry keeps the time of its first event, and that time
 * becomes the mail's Date: an event before the clock was set is dated once it is known (event uptime + offset),
 * an event after it is dated when it is added (with the offset of the last outbox_date_entries()), and nothing is
 * handed out for sending before it has a Date.
 *
 * Policy:
 *  - Order: entries are kept and sent oldest first. When one entry is due, every queued entry for the same
 *    route (mail hub) goes in the same session, up to OUTBOX_BATCH_MAX: one handshake for several mails, and an
 *    older mail never waits behind a newer one.
 *  - Temporary failures (4xx, timeouts, refused or dropped connections, DNS) are retried with exponential backoff
 *    and jitter: OUTBOX_RETRY_FIRST_MS doubling to OUTBOX_RETRY_CAP_MS, each delay drawn from [d/2, d].
 *    Recipients that accepted the mail in an earlier attempt are remembered and not sent to again.
 *  - Permanent failures (5xx) are not retried: the entry leaves the queue into a list of undeliverable mails,
 *    which the next heartbeat or boot mail names with the server's reply (OUTBOX_FAILED_MAX kept, the rest
 *    counted).
 *  - Configuration faults (certificate check, STARTTLS missing, AUTH refused) are not the mail's fault: the
 *    entry stays and is retried at the cap, and outbox_config_fault() says so until a delivery succeeds.
 *  - Bounded memory: OUTBOX_CAPACITY entries. When full, a new event merges into the newest waiting entry of the
 *    same alert (or kind); failing that, the two newest waiting entries of the alert with the most entries merge
 *    to make room. A merged entry covers the sum of the events, from the first's time to the last's: a summary,
 *    never a silent drop. Entries in a running session are never merged.
 *  - Persistence: optional store operations see every entry as it is saved (added, merged, dated, tried) with the
 *    reason, and dropped (delivered or undeliverable), so a journal can sit under the queue
 *    (firmware/outbox_journal.h); outbox_restore() puts entries back at boot.
 *
 * Rules: one struct outbox per queue, main loop only; entry pointers returned stay valid until the next call that
 * changes the queue. Ids are 1, 2, ... in the order entries were made (0 is never an id).
 */
#ifndef FIRMWARE_OUTBOX_H
#define FIRMWARE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "firmware/alert_event.h"
#include "lib/err.h"

/* Twice the alert lines a config may have (CONFIG_ALERTS_MAX), so each can hold a triggered and a recovered mail
 * while boot and heartbeat mail wait too; about 7 KB. */
#ifndef OUTBOX_CAPACITY
#define OUTBOX_CAPACITY 32u
#endif
/* Mails per SMTP session: enough to empty a queue after an outage in a few sessions, few enough that one slow
 * session does not hold the rest of the queue for long. */
#ifndef OUTBOX_BATCH_MAX
#define OUTBOX_BATCH_MAX 8u
#endif
/* A full queue makes room by merging two waiting entries of one source (an alert, boot or heartbeat mail). With
 * more waiting entries than sources, two always share one, so an event always finds a place. */
_Static_assert(OUTBOX_CAPACITY - OUTBOX_BATCH_MAX > CONFIG_ALERTS_MAX + 2u, "outbox too small to merge");

#define OUTBOX_ERR_FULL  (-ERR_BASE_OUTBOX - 1) /* outbox_restore(): the queue holds OUTBOX_CAPACITY entries */
#define OUTBOX_ERR_ORDER (-ERR_BASE_OUTBOX - 2) /* outbox_restore(): no id, or not newer than every entry held */
/* 30 s doubling to 30 min: an outage of a few minutes costs a few tries, and a long one one try each half hour,
 * which no provider counts as abuse. */
#ifndef OUTBOX_RETRY_FIRST_MS
#define OUTBOX_RETRY_FIRST_MS 30000u
#endif
#ifndef OUTBOX_RETRY_CAP_MS
#define OUTBOX_RETRY_CAP_MS 1800000u
#endif
/* One server reply as the console shows it: RFC 5321's 512 octets are allowed, but the first 160 say what
 * happened ("550 5.1.1 <x@y>: Recipient address rejected: User unknown in virtual mailbox table"). */
#define OUTBOX_REPLY_MAX 160u
/* Undeliverable mails remembered for the next heartbeat or boot mail; more are counted. */
#ifndef OUTBOX_FAILED_MAX
#define OUTBOX_FAILED_MAX 8u
#endif
/* Recipients one entry tracks (CONFIG_RECIPIENTS_MAX is 8). */
#define OUTBOX_RCPT_MAX 32u

enum outbox_outcome {
    OUTBOX_NOT_TRIED,    /* no attempt yet */
    OUTBOX_DELIVERED,    /* every recipient has it */
    OUTBOX_TEMPORARY,    /* worth trying again later */
    OUTBOX_PERMANENT,    /* the server refused this mail for good */
    OUTBOX_CONFIG_FAULT, /* refused because of the configuration: certificate, STARTTLS, AUTH */
};

struct outbox_entry {
    uint32_t id;
    struct alert_event ev;
    int64_t date;      /* UTC seconds of the first event, the mail's Date; -1 until the clock is known */
    uint64_t unique;   /* the Message-ID's random part, fixed when the entry is made */
    bool date_guessed; /* the event came back from the journal without a Date (it happened before a power loss,
                              before that boot's clock was set): the Date is this boot's, and the mail says so */
    uint64_t added_us;
    uint32_t rcpt_done; /* bit i: recipient i accepted the mail in an earlier attempt */
    unsigned attempts;
    uint64_t next_try_us;
    bool sending; /* handed out by outbox_batch() and not yet answered by outbox_result() */
    enum outbox_outcome last_outcome;
    char last_reply[OUTBOX_REPLY_MAX]; /* the last server reply or local reason; "" before the first attempt */
};

/* An undeliverable mail, kept until a heartbeat or boot mail that names it is delivered. */
struct outbox_failure {
    uint32_t id;
    struct alert_event ev;
    int64_t date;
    char reply[OUTBOX_REPLY_MAX];
};

struct outbox_stats {
    uint32_t added;         /* events queued, merged ones included */
    uint32_t delivered;     /* mails delivered */
    uint32_t undeliverable; /* mails given up on (permanent failures) */
    uint32_t merged;        /* events folded into an existing entry because the queue was full */
    uint32_t attempts;      /* delivery attempts, successful or not */
    uint32_t lost;          /* events with no room: only when every waiting entry already reached a recipient */
};

/* Why save is called. What rebuilds the mail changes with ADDED, MERGED and DATED (a store must keep those);
 * TRIED changes the attempts, the backoff and the last reply, and rcpt_done when some recipients accepted (a store
 * may skip the rest: a restored entry starts its backoff again). */
enum outbox_change {
    OUTBOX_CHANGE_ADDED,  /* a new entry */
    OUTBOX_CHANGE_MERGED, /* more events folded into it (a full queue) */
    OUTBOX_CHANGE_DATED,  /* it got its Date */
    OUTBOX_CHANGE_TRIED,  /* an attempt failed and it stays */
};

/* Where a journal sits: save sees an entry each time it changes (the newest state replaces the older), drop sees
 * it leave the queue. When two entries merge to make room, save(kept, OUTBOX_CHANGE_MERGED, absorbed = the id of
 * the other) comes before drop(other), so a store that writes the kept entry (naming the absorbed id) before it
 * forgets the other never holds the events twice nor loses them; absorbed is 0 otherwise. Both may be NULL. */
struct outbox_store_ops {
    void (*save)(void *ctx, const struct outbox_entry *e, enum outbox_change why, uint32_t absorbed);
    void (*drop)(void *ctx, const struct outbox_entry *e);
    void *ctx;
};

/* Which mail hub an event's mail goes through (equal numbers share a session). */
typedef int (*outbox_route_fn)(void *ctx, const struct alert_event *ev);

struct outbox {
    struct outbox_entry entries[OUTBOX_CAPACITY]; /* entries[0..count) in id order: oldest first */
    unsigned count;
    uint32_t next_id;
    struct outbox_failure failures[OUTBOX_FAILED_MAX];
    unsigned failure_count;
    uint32_t failures_uncounted; /* undeliverable mails beyond OUTBOX_FAILED_MAX since the last report */
    bool config_fault;
    bool clock_known;  /* outbox_date_entries() was called: new entries are dated when added */
    uint64_t clock_us; /* the uptime and UTC seconds it was given last */
    int64_t clock_utc_s;
    struct outbox_stats stats;
    struct outbox_store_ops store;
};

/* An empty queue; store may be NULL. */
void outbox_init(struct outbox *ob, const struct outbox_store_ops *store);

/* Queues the mail for ev, made at now_us with Message-ID part `unique`. When the queue is full the event is merged
 * as the policy above says. Returns the id of the entry that now holds the event. */
uint32_t outbox_add(struct outbox *ob, const struct alert_event *ev, uint64_t unique, uint64_t now_us);

/* Puts back an entry saved by an earlier run (the journal's replay), before anything else is added. Its attempts,
 * reply and Date (-1: dated with the clock like a new one) are kept and it is due at once. Returns 0,
 * OUTBOX_ERR_FULL, or OUTBOX_ERR_ORDER when the id is 0 or not newer than every entry already restored (the caller
 * then reports it). */
int outbox_restore(struct outbox *ob, const struct outbox_entry *e, uint64_t now_us);

/* Names an OUTBOX_ERR_* code. */
const char *outbox_strerror(int err);

/* Dates every entry that has no Date yet: utc_now_s is the UTC time at now_us. Call whenever the clock is set (the
 * delivery calls it on every pass once it is): entries added later are dated from this offset when added. */
void outbox_date_entries(struct outbox *ob, uint64_t now_us, int64_t utc_now_s);

/* The next session's mails: when some dated entry is due at now_us, the ids of the oldest due entry and of every
 * later waiting dated entry on the same route, oldest first, at most max (and OUTBOX_BATCH_MAX); they are marked
 * sending. Returns their number, 0 when nothing is due. route may be NULL (one route). */
unsigned outbox_batch(struct outbox *ob, uint64_t now_us, outbox_route_fn route, void *route_ctx, uint32_t *ids,
                      unsigned max);

/* The outcome of the attempt for entry id. rcpt_accepted: bit i set when recipient i accepted it in this attempt.
 * reply: the server's reply or the local reason (NULL for none). random: any random number, for the jitter. */
void outbox_result(struct outbox *ob, uint32_t id, enum outbox_outcome outcome, uint32_t rcpt_accepted,
                   const char *reply, uint64_t now_us, uint32_t random);

/* `outbox retry`: every waiting entry is due now. */
void outbox_retry_now(struct outbox *ob, uint64_t now_us);

/* The entry with that id, or the index-th in queue order; NULL when there is none. */
const struct outbox_entry *outbox_find(const struct outbox *ob, uint32_t id);
const struct outbox_entry *outbox_entry_at(const struct outbox *ob, unsigned index);
unsigned outbox_count(const struct outbox *ob);

/* When the earliest waiting entry is due (UINT64_MAX when none is): for a main loop that sleeps until then. */
uint64_t outbox_next_due_us(const struct outbox *ob);

/* True after a configuration fault, until the next delivery succeeds. */
bool outbox_config_fault(const struct outbox *ob);

/* Undeliverable mails not yet reported: the list, its length in *count, and how many more there were. */
const struct outbox_failure *outbox_failures(const struct outbox *ob, unsigned *count, uint32_t *more);

/* A heartbeat or boot mail naming the first `count` failures and `more` uncounted ones was delivered: forget them.
 * Failures that came after the mail was written stay. */
void outbox_failures_reported(struct outbox *ob, unsigned count, uint32_t more);

const struct outbox_stats *outbox_stats(const struct outbox *ob);

const char *outbox_outcome_name(enum outbox_outcome outcome);

#endif /* FIRMWARE_OUTBOX_H */
