/*
 * Unit tests for firmware/outbox: the queue and its delivery policy, driven by a fake clock and scripted outcomes:
 * mails wait for a Date and are dated from their event time; 4xx three times then 250 with backoff and jitter in
 * bounds; 5xx leaves the queue into the failure list until a report is delivered; configuration faults retry at
 * the cap; order and batching per route; recipients that already accepted are remembered; a full queue merges
 * instead of dropping (100 events, counts add up); the store sees every change with its reason, and a merge that
 * makes room saves the kept entry (naming the absorbed one) before it drops the absorbed one; an entry added once
 * the clock is known is dated at once (one save); restore after a reboot; a due mail behind a full batch of older
 * mails in their backoff goes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "firmware/outbox.h"

#define S       (1000000ull) /* microseconds per second */
#define UTC_NOW INT64_C(1795869296)

static struct outbox ob;

static struct alert_event alert_ev(unsigned alert, uint64_t at_us)
{
    struct alert_event ev = {
        .kind = ALERT_EVENT_ALERT,
        .alert = alert,
        .events = 1,
        .first_us = at_us,
        .last_us = at_us,
    };
    return ev;
}

static int setup(void **state)
{
    (void)state;
    outbox_init(&ob, NULL);
    return 0;
}

/* Sends what is due at now and answers every mail of the batch with outcome; returns the batch size. */
static unsigned attempt(uint64_t now, enum outbox_outcome outcome, const char *reply)
{
    uint32_t ids[OUTBOX_BATCH_MAX];
    unsigned n = outbox_batch(&ob, now, NULL, NULL, ids, OUTBOX_BATCH_MAX);
    for (unsigned i = 0; i < n; i++) {
        outbox_result(&ob, ids[i], outcome, outcome == OUTBOX_DELIVERED ? 1u : 0u, reply, now, 0x12345678u);
    }
    return n;
}

static void test_no_mail_without_a_date(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(0, 2 * S);
    uint32_t id = outbox_add(&ob, &ev, 42, 3 * S);
    assert_int_equal(id, 1);
    uint32_t ids[OUTBOX_BATCH_MAX];
    assert_int_equal(outbox_batch(&ob, 100 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), 0);
    assert_int_equal(outbox_next_due_us(&ob), UINT64_MAX);

    /* The clock arrives at uptime 100 s: the event happened 98 s earlier. */
    outbox_date_entries(&ob, 100 * S, UTC_NOW);
    assert_int_equal(outbox_find(&ob, id)->date, UTC_NOW - 98);
    assert_int_equal(outbox_batch(&ob, 100 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), 1);
    assert_int_equal(ids[0], id);
    assert_true(outbox_find(&ob, id)->sending);
    /* Dating again changes nothing: the first Date stays. */
    outbox_date_entries(&ob, 200 * S, UTC_NOW + 500);
    assert_int_equal(outbox_find(&ob, id)->date, UTC_NOW - 98);
    assert_int_equal(outbox_find(&ob, id)->unique, 42);
}

static void test_temporary_three_times_then_delivered(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(1, 0);
    uint32_t id = outbox_add(&ob, &ev, 1, 0);
    outbox_date_entries(&ob, 0, UTC_NOW);

    uint64_t now = 0;
    uint64_t first_ms = OUTBOX_RETRY_FIRST_MS;
    for (unsigned attempt_no = 1; attempt_no <= 3; attempt_no++) {
        assert_int_equal(attempt(now, OUTBOX_TEMPORARY, "421 4.3.2 Service not available"), 1);
        const struct outbox_entry *e = outbox_find(&ob, id);
        assert_non_null(e);
        assert_int_equal(e->attempts, attempt_no);
        assert_string_equal(e->last_reply, "421 4.3.2 Service not available");
        uint64_t d_ms = first_ms << (attempt_no - 1);
        /* Jitter: the delay lies in [d/2, d]. */
        assert_true(e->next_try_us >= now + d_ms * 1000 / 2);
        assert_true(e->next_try_us <= now + d_ms * 1000);
        /* Not due a moment before. */
        assert_int_equal(attempt(e->next_try_us - 1, OUTBOX_DELIVERED, NULL), 0);
        now = e->next_try_us;
    }
    assert_int_equal(attempt(now, OUTBOX_DELIVERED, "250 2.0.0 Ok: queued as 4F2"), 1);
    assert_null(outbox_find(&ob, id));
    assert_int_equal(outbox_count(&ob), 0);
    assert_int_equal(outbox_stats(&ob)->delivered, 1);
    assert_int_equal(outbox_stats(&ob)->attempts, 4);
}

static void test_backoff_reaches_the_cap(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(0, 0);
    uint32_t id = outbox_add(&ob, &ev, 1, 0);
    outbox_date_entries(&ob, 0, UTC_NOW);
    uint64_t now = 0;
    for (int i = 0; i < 20; i++) {
        attempt(now, OUTBOX_TEMPORARY, "timeout");
        now = outbox_find(&ob, id)->next_try_us;
    }
    uint64_t prev = now;
    attempt(now, OUTBOX_TEMPORARY, "timeout");
    uint64_t delay = outbox_find(&ob, id)->next_try_us - prev;
    assert_true(delay <= (uint64_t)OUTBOX_RETRY_CAP_MS * 1000);
    assert_true(delay >= (uint64_t)OUTBOX_RETRY_CAP_MS * 1000 / 2);
}

static void test_permanent_is_not_retried_and_reported(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(2, 0);
    uint32_t id = outbox_add(&ob, &ev, 1, 0);
    outbox_date_entries(&ob, 0, UTC_NOW);
    assert_int_equal(attempt(0, OUTBOX_PERMANENT, "550 5.1.1 No such user here"), 1);
    assert_null(outbox_find(&ob, id));
    assert_int_equal(attempt(1000 * S, OUTBOX_DELIVERED, NULL), 0);
    assert_int_equal(outbox_stats(&ob)->undeliverable, 1);

    unsigned count;
    uint32_t more;
    const struct outbox_failure *f = outbox_failures(&ob, &count, &more);
    assert_int_equal(count, 1);
    assert_int_equal(more, 0);
    assert_int_equal(f[0].id, id);
    assert_int_equal(f[0].ev.alert, 2);
    assert_int_equal(f[0].date, UTC_NOW);
    assert_string_equal(f[0].reply, "550 5.1.1 No such user here");

    /* A failure that arrives after the report was written stays for the next one. */
    ev = alert_ev(3, 5 * S);
    outbox_add(&ob, &ev, 2, 5 * S);
    outbox_date_entries(&ob, 5 * S, UTC_NOW + 5);
    attempt(5 * S, OUTBOX_PERMANENT, "554 5.7.1 Rejected");
    outbox_failures_reported(&ob, 1, 0);
    f = outbox_failures(&ob, &count, &more);
    assert_int_equal(count, 1);
    assert_int_equal(f[0].ev.alert, 3);
}

static void test_failures_beyond_the_list_are_counted(void **state)
{
    (void)state;
    for (unsigned i = 0; i < OUTBOX_FAILED_MAX + 3; i++) {
        struct alert_event ev = alert_ev(i % 4, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    outbox_date_entries(&ob, 100 * S, UTC_NOW);
    while (attempt(100 * S, OUTBOX_PERMANENT, "550 no") > 0) {
    }
    unsigned count;
    uint32_t more;
    outbox_failures(&ob, &count, &more);
    assert_int_equal(count, OUTBOX_FAILED_MAX);
    assert_int_equal(more, 3);
    outbox_failures_reported(&ob, count, more);
    outbox_failures(&ob, &count, &more);
    assert_int_equal(count, 0);
    assert_int_equal(more, 0);
}

static void test_config_fault_retries_at_the_cap(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(0, 0);
    uint32_t id = outbox_add(&ob, &ev, 1, 0);
    outbox_date_entries(&ob, 0, UTC_NOW);
    attempt(10 * S, OUTBOX_CONFIG_FAULT, "535 5.7.8 Authentication credentials invalid");
    assert_true(outbox_config_fault(&ob));
    const struct outbox_entry *e = outbox_find(&ob, id);
    assert_non_null(e);
    assert_int_equal(e->next_try_us, 10 * S + (uint64_t)OUTBOX_RETRY_CAP_MS * 1000);
    /* The user fixes the configuration and types `outbox retry`. */
    outbox_retry_now(&ob, 20 * S);
    assert_int_equal(attempt(20 * S, OUTBOX_DELIVERED, "250 ok"), 1);
    assert_false(outbox_config_fault(&ob));
}

static int route_by_parity(void *ctx, const struct alert_event *ev)
{
    (void)ctx;
    return (int)(ev->alert % 2);
}

static void test_order_and_batches_per_route(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 5; i++) {
        struct alert_event ev = alert_ev(i, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    outbox_date_entries(&ob, 10 * S, UTC_NOW);
    uint32_t ids[OUTBOX_BATCH_MAX];
    /* Route 0 (alerts 0, 2, 4) first: its oldest entry is the oldest of all. */
    assert_int_equal(outbox_batch(&ob, 10 * S, route_by_parity, NULL, ids, OUTBOX_BATCH_MAX), 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 3);
    assert_int_equal(ids[2], 5);
    /* While they are sent, the other route can go too (another session later). */
    assert_int_equal(outbox_batch(&ob, 10 * S, route_by_parity, NULL, ids, OUTBOX_BATCH_MAX), 2);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 4);
    assert_int_equal(outbox_batch(&ob, 10 * S, route_by_parity, NULL, ids, OUTBOX_BATCH_MAX), 0);
}

static void test_an_older_mail_in_backoff_goes_along(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(0, 0);
    uint32_t old = outbox_add(&ob, &ev, 1, 0);
    outbox_date_entries(&ob, 0, UTC_NOW);
    attempt(0, OUTBOX_TEMPORARY, "451 try later");
    ev = alert_ev(1, 5 * S);
    uint32_t young = outbox_add(&ob, &ev, 2, 5 * S);
    outbox_date_entries(&ob, 5 * S, UTC_NOW + 5);
    uint32_t ids[OUTBOX_BATCH_MAX];
    assert_int_equal(outbox_batch(&ob, 5 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), 2);
    assert_int_equal(ids[0], old);
    assert_int_equal(ids[1], young);
}

static void test_batch_size_is_bounded(void **state)
{
    (void)state;
    for (unsigned i = 0; i < OUTBOX_BATCH_MAX + 4; i++) {
        struct alert_event ev = alert_ev(i % 16, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    outbox_date_entries(&ob, 100 * S, UTC_NOW);
    uint32_t ids[OUTBOX_BATCH_MAX];
    assert_int_equal(outbox_batch(&ob, 100 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), OUTBOX_BATCH_MAX);
    assert_int_equal(outbox_batch(&ob, 100 * S, NULL, NULL, ids, 2), 2);
}

static void test_recipients_that_accepted_are_remembered(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(0, 0);
    uint32_t id = outbox_add(&ob, &ev, 1, 0);
    outbox_date_entries(&ob, 0, UTC_NOW);
    uint32_t ids[1];
    assert_int_equal(outbox_batch(&ob, 0, NULL, NULL, ids, 1), 1);
    /* Recipient 0 took it, recipient 1 answered 452. */
    outbox_result(&ob, id, OUTBOX_TEMPORARY, 1u << 0, "452 4.2.2 Mailbox full", 0, 0);
    assert_int_equal(outbox_find(&ob, id)->rcpt_done, 1u);
    /* Such an entry takes no more events: recipient 0 would never see them. The queue fills with other alerts,
     * so that it is the only entry of its alert when the next one comes. */
    for (unsigned i = 1; i < OUTBOX_CAPACITY; i++) {
        ev = alert_ev(1 + i % 4, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    ev = alert_ev(0, 100 * S);
    uint32_t next = outbox_add(&ob, &ev, 100, 100 * S);
    assert_int_not_equal(next, id);
    assert_int_equal(outbox_find(&ob, id)->ev.events, 1);
    assert_int_equal(outbox_find(&ob, next)->ev.alert, 0);
}

/* 100 events of one alert into a queue that holds OUTBOX_CAPACITY: the queue never grows past it, no event is
 * lost, and the merged entries cover the events in order. */
static void test_full_queue_merges_instead_of_dropping(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 100; i++) {
        struct alert_event ev = alert_ev(5, i * S);
        ev.recovered = (i % 2) == 1;
        outbox_add(&ob, &ev, i, i * S);
        assert_true(outbox_count(&ob) <= OUTBOX_CAPACITY);
    }
    assert_int_equal(outbox_count(&ob), OUTBOX_CAPACITY);
    uint32_t total = 0;
    uint64_t prev_last = 0;
    for (unsigned i = 0; i < outbox_count(&ob); i++) {
        const struct outbox_entry *e = outbox_entry_at(&ob, i);
        total += e->ev.events;
        assert_true(e->ev.first_us >= prev_last);
        prev_last = e->ev.last_us;
    }
    assert_int_equal(total, 100);
    const struct outbox_entry *last = outbox_entry_at(&ob, OUTBOX_CAPACITY - 1);
    assert_int_equal(last->ev.last_us, 99 * S);
    assert_true(last->ev.recovered);
    assert_int_equal(outbox_stats(&ob)->added, 100);
    assert_int_equal(outbox_stats(&ob)->merged, 100 - OUTBOX_CAPACITY);
    assert_int_equal(outbox_stats(&ob)->lost, 0);
}

/* A full queue of other alerts makes room for a new alert by merging two entries of the busiest one. */
static void test_full_queue_makes_room_for_another_alert(void **state)
{
    (void)state;
    for (unsigned i = 0; i < OUTBOX_CAPACITY; i++) {
        struct alert_event ev = alert_ev(i % 3, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    struct alert_event ev = alert_ev(9, 100 * S);
    uint32_t id = outbox_add(&ob, &ev, 99, 100 * S);
    const struct outbox_entry *e = outbox_find(&ob, id);
    assert_non_null(e);
    assert_int_equal(e->ev.alert, 9);
    assert_int_equal(outbox_count(&ob), OUTBOX_CAPACITY);
    uint32_t total = 0;
    for (unsigned i = 0; i < outbox_count(&ob); i++) {
        total += outbox_entry_at(&ob, i)->ev.events;
    }
    assert_int_equal(total, OUTBOX_CAPACITY + 1);
}

/* Entries in a running session are never merged into: their message is already written. */
static void test_sending_entries_are_not_merged(void **state)
{
    (void)state;
    for (unsigned i = 0; i < OUTBOX_CAPACITY; i++) {
        struct alert_event ev = alert_ev(0, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    outbox_date_entries(&ob, 100 * S, UTC_NOW);
    uint32_t ids[OUTBOX_BATCH_MAX];
    unsigned n = outbox_batch(&ob, 100 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX);
    assert_int_equal(n, OUTBOX_BATCH_MAX);
    for (unsigned i = 0; i < 50; i++) {
        struct alert_event ev = alert_ev(0, (200 + i) * S);
        outbox_add(&ob, &ev, i, (200 + i) * S);
    }
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(outbox_find(&ob, ids[i])->ev.events, 1);
    }
}

struct store_log {
    unsigned saves, drops;
    uint32_t last_saved, last_dropped;
    enum outbox_change last_why;
    uint32_t last_absorbed;
    unsigned drops_at_last_save; /* drops seen when the last save came: a merge saves before it drops */
};

static void log_save(void *ctx, const struct outbox_entry *e, enum outbox_change why, uint32_t absorbed)
{
    struct store_log *log = ctx;
    log->saves++;
    log->last_saved = e->id;
    log->last_why = why;
    log->last_absorbed = absorbed;
    log->drops_at_last_save = log->drops;
}

static void log_drop(void *ctx, const struct outbox_entry *e)
{
    struct store_log *log = ctx;
    log->drops++;
    log->last_dropped = e->id;
}

static void test_store_sees_every_change(void **state)
{
    (void)state;
    struct store_log log = { 0 };
    const struct outbox_store_ops ops = { .save = log_save, .drop = log_drop, .ctx = &log };
    outbox_init(&ob, &ops);
    struct alert_event ev = alert_ev(0, 0);
    uint32_t id = outbox_add(&ob, &ev, 1, 0);
    assert_int_equal(log.saves, 1);
    assert_int_equal(log.last_why, OUTBOX_CHANGE_ADDED);
    outbox_date_entries(&ob, 0, UTC_NOW);
    assert_int_equal(log.saves, 2);
    assert_int_equal(log.last_why, OUTBOX_CHANGE_DATED);
    attempt(0, OUTBOX_TEMPORARY, "421 busy");
    assert_int_equal(log.saves, 3);
    assert_int_equal(log.last_why, OUTBOX_CHANGE_TRIED);
    assert_int_equal(log.last_saved, id);
    outbox_retry_now(&ob, 1 * S);
    attempt(1 * S, OUTBOX_DELIVERED, "250 ok");
    assert_int_equal(log.drops, 1);
    assert_int_equal(log.last_dropped, id);
}

/* Once the clock is known, an entry is dated when it is added: one save (one journal write), not two. */
static void test_added_after_the_clock_is_dated_at_once(void **state)
{
    (void)state;
    struct store_log log = { 0 };
    const struct outbox_store_ops ops = { .save = log_save, .drop = log_drop, .ctx = &log };
    outbox_init(&ob, &ops);
    outbox_date_entries(&ob, 100 * S, UTC_NOW);
    struct alert_event ev = alert_ev(0, 130 * S);
    uint32_t id = outbox_add(&ob, &ev, 1, 130 * S);
    assert_int_equal(outbox_find(&ob, id)->date, UTC_NOW + 30);
    outbox_date_entries(&ob, 140 * S, UTC_NOW + 40);
    assert_int_equal(log.saves, 1);
    assert_int_equal(log.last_why, OUTBOX_CHANGE_ADDED);
    /* An event older than the last clock reading is dated back from it. */
    ev = alert_ev(1, 125 * S);
    id = outbox_add(&ob, &ev, 2, 141 * S);
    assert_int_equal(outbox_find(&ob, id)->date, UTC_NOW + 25);
}

/* A merge that makes room saves the kept entry, naming the absorbed one, before it drops the absorbed one. */
static void test_merge_saves_before_it_drops(void **state)
{
    (void)state;
    struct store_log log = { 0 };
    const struct outbox_store_ops ops = { .save = log_save, .drop = log_drop, .ctx = &log };
    outbox_init(&ob, &ops);
    for (unsigned i = 0; i < OUTBOX_CAPACITY; i++) {
        struct alert_event ev = alert_ev(0, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    assert_int_equal(log.drops, 0);
    /* Another alert: alert 0's two newest entries merge to make room. */
    struct alert_event ev = alert_ev(1, 100 * S);
    outbox_add(&ob, &ev, 100, 100 * S);
    assert_int_equal(log.drops, 1);
    assert_int_equal(log.last_dropped, OUTBOX_CAPACITY);
    /* The save of the kept entry came before the drop, and the new entry's save after it. */
    assert_int_equal(log.last_why, OUTBOX_CHANGE_ADDED);
    assert_int_equal(log.saves, OUTBOX_CAPACITY + 2);
    const struct outbox_entry *kept = outbox_find(&ob, OUTBOX_CAPACITY - 1);
    assert_non_null(kept);
    assert_int_equal(kept->ev.events, 2);
}

/* The same merge, as the store sees the save. */
static void log_save_merge_check(void *ctx, const struct outbox_entry *e, enum outbox_change why, uint32_t absorbed)
{
    struct store_log *log = ctx;
    log_save(ctx, e, why, absorbed);
    if (why == OUTBOX_CHANGE_MERGED && absorbed != 0) {
        assert_int_equal(log->drops, 0);
        assert_int_equal(e->id, OUTBOX_CAPACITY - 1);
        assert_int_equal(absorbed, OUTBOX_CAPACITY);
    }
}

static void test_merge_names_the_absorbed_entry(void **state)
{
    (void)state;
    struct store_log log = { 0 };
    const struct outbox_store_ops ops = { .save = log_save_merge_check, .drop = log_drop, .ctx = &log };
    outbox_init(&ob, &ops);
    for (unsigned i = 0; i <= OUTBOX_CAPACITY; i++) {
        struct alert_event ev = alert_ev(i < OUTBOX_CAPACITY ? 0 : 1, i * S);
        outbox_add(&ob, &ev, i, i * S);
    }
    assert_int_equal(log.drops, 1);
    assert_int_equal(log.last_absorbed, 0);
    /* A full queue folding an event of the same alert into its newest entry: no absorbed entry. */
    struct alert_event ev = alert_ev(1, 200 * S);
    uint32_t id = outbox_add(&ob, &ev, 200, 200 * S);
    assert_int_equal(log.last_why, OUTBOX_CHANGE_MERGED);
    assert_int_equal(log.last_absorbed, 0);
    assert_int_equal(log.last_saved, id);
}

static void test_restore_after_reboot(void **state)
{
    (void)state;
    struct outbox_entry saved = { 0 };
    saved.id = 7;
    saved.ev = alert_ev(1, 123 * S);
    saved.date = UTC_NOW - 3600;
    saved.unique = 0xfeed;
    saved.attempts = 2;
    saved.sending = true;
    assert_int_equal(outbox_restore(&ob, &saved, 5 * S), 0);
    saved.id = 6;
    assert_int_equal(outbox_restore(&ob, &saved, 5 * S), OUTBOX_ERR_ORDER);
    assert_string_equal(outbox_strerror(OUTBOX_ERR_ORDER), "a mail id out of order");
    struct alert_event ev = alert_ev(0, 6 * S);
    assert_int_equal(outbox_add(&ob, &ev, 1, 6 * S), 8);
    uint32_t ids[OUTBOX_BATCH_MAX];
    /* The restored entry keeps its Date and is due at once; the new one waits for the clock. */
    assert_int_equal(outbox_batch(&ob, 5 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), 1);
    assert_int_equal(ids[0], 7);
    assert_int_equal(outbox_find(&ob, 7)->date, UTC_NOW - 3600);
    assert_int_equal(outbox_find(&ob, 7)->unique, 0xfeed);
}

/* A journal that holds more mails than the queue: the one past OUTBOX_CAPACITY is refused as such. */
static void test_restore_into_a_full_queue(void **state)
{
    (void)state;
    struct outbox_entry saved = { 0 };
    saved.ev = alert_ev(0, 1 * S);
    saved.date = UTC_NOW;
    for (unsigned i = 0; i < OUTBOX_CAPACITY; i++) {
        saved.id = i + 1;
        assert_int_equal(outbox_restore(&ob, &saved, 1 * S), 0);
    }
    saved.id = OUTBOX_CAPACITY + 1;
    assert_int_equal(outbox_restore(&ob, &saved, 1 * S), OUTBOX_ERR_FULL);
    assert_string_equal(outbox_strerror(OUTBOX_ERR_FULL), "the outbox is full");
}

/* Nine mails restored at once with a server that refuses at once: the ninth is not starved by the first eight,
 * which are in their backoff after the first session. */
static void test_a_due_mail_behind_a_full_batch_goes(void **state)
{
    (void)state;
    for (unsigned i = 0; i < OUTBOX_BATCH_MAX + 1; i++) {
        struct outbox_entry saved = { 0 };
        saved.id = i + 1;
        saved.ev = alert_ev(0, i * S);
        saved.date = UTC_NOW;
        saved.unique = i;
        assert_int_equal(outbox_restore(&ob, &saved, 1 * S), 0);
    }
    assert_int_equal(attempt(1 * S, OUTBOX_TEMPORARY, "connection refused"), OUTBOX_BATCH_MAX);
    uint32_t ids[OUTBOX_BATCH_MAX];
    assert_int_equal(outbox_batch(&ob, 1 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), OUTBOX_BATCH_MAX);
    assert_int_equal(ids[OUTBOX_BATCH_MAX - 1], OUTBOX_BATCH_MAX + 1);
    assert_int_equal(ids[0], 1);
}

static void test_outcome_names(void **state)
{
    (void)state;
    assert_string_equal(outbox_outcome_name(OUTBOX_PERMANENT), "undeliverable");
    assert_string_equal(outbox_outcome_name(OUTBOX_CONFIG_FAULT), "configuration fault");
    assert_string_equal(outbox_outcome_name((enum outbox_outcome)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_no_mail_without_a_date, setup),
        cmocka_unit_test_setup(test_temporary_three_times_then_delivered, setup),
        cmocka_unit_test_setup(test_backoff_reaches_the_cap, setup),
        cmocka_unit_test_setup(test_permanent_is_not_retried_and_reported, setup),
        cmocka_unit_test_setup(test_failures_beyond_the_list_are_counted, setup),
        cmocka_unit_test_setup(test_config_fault_retries_at_the_cap, setup),
        cmocka_unit_test_setup(test_order_and_batches_per_route, setup),
        cmocka_unit_test_setup(test_an_older_mail_in_backoff_goes_along, setup),
        cmocka_unit_test_setup(test_batch_size_is_bounded, setup),
        cmocka_unit_test_setup(test_recipients_that_accepted_are_remembered, setup),
        cmocka_unit_test_setup(test_full_queue_merges_instead_of_dropping, setup),
        cmocka_unit_test_setup(test_full_queue_makes_room_for_another_alert, setup),
        cmocka_unit_test_setup(test_sending_entries_are_not_merged, setup),
        cmocka_unit_test_setup(test_store_sees_every_change, setup),
        cmocka_unit_test_setup(test_added_after_the_clock_is_dated_at_once, setup),
        cmocka_unit_test_setup(test_merge_saves_before_it_drops, setup),
        cmocka_unit_test_setup(test_merge_names_the_absorbed_entry, setup),
        cmocka_unit_test_setup(test_restore_after_reboot, setup),
        cmocka_unit_test_setup(test_restore_into_a_full_queue, setup),
        cmocka_unit_test_setup(test_a_due_mail_behind_a_full_batch_goes, setup),
        cmocka_unit_test_setup(test_outcome_names, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
