/*
 * Unit tests for firmware/outbox_journal: the outbox's store on a journal on a file-backed block device that loses
 * power mid-write (tests/unit/fakes/crash_disk.c). The record layout round-trips every field and refuses other
 * versions; mails come back after a reboot in order with their Date and Message-ID part, delivered ones do not;
 * block writes per alert (2 when the clock is known, none for a failed attempt); an undated event is dated with
 * the replay; a merge that makes room, cut by a power loss at every one of its writes and at several byte offsets
 * of each, never loses nor doubles an event; random workloads cut at random points (1000 runs) bring back every
 * mail still queued exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crash_disk.h"
#include "firmware/journal.h"
#include "firmware/outbox_journal.h"

#define S       (1000000ull)
#define UTC_NOW INT64_C(1795869296)
#define SLOTS   256u
#define MAGIC   0x314A4D42u
#define ALERTS  4u

static struct crash_disk disk;
static struct journal jnl;
static struct outbox_journal store;
static struct outbox ob;
static unsigned reports;

static void count_report(void *ctx, int err, uint32_t id, const char *what)
{
    (void)ctx;
    (void)err;
    (void)id;
    (void)what;
    reports++;
}

/* A boot: open the journal, a fresh outbox on the store, the replay at now. */
static struct outbox_journal_replay boot(uint64_t now)
{
    assert_int_equal(journal_open(&jnl, &disk.dev, 0, SLOTS, MAGIC, JOURNAL_KEEP_UNDELIVERED), 0);
    outbox_journal_init(&store, &jnl, count_report, NULL);
    struct outbox_store_ops ops = outbox_journal_ops(&store);
    outbox_init(&ob, &ops);
    struct outbox_journal_replay r;
    assert_int_equal(outbox_journal_replay(&store, &ob, now, ALERTS, &r), 0);
    return r;
}

static int setup(void **state)
{
    (void)state;
    crash_disk_open(&disk, SLOTS);
    reports = 0;
    boot(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crash_disk_close(&disk);
    return 0;
}

static struct alert_event alert_ev(unsigned alert, uint64_t at_us)
{
    return (struct alert_event){
        .kind = ALERT_EVENT_ALERT,
        .alert = alert,
        .events = 1,
        .first_us = at_us,
        .last_us = at_us,
    };
}

/* Answers every due mail with outcome (recipient 0 accepted when delivered). */
static unsigned attempt(uint64_t now, enum outbox_outcome outcome, uint32_t accepted)
{
    uint32_t ids[OUTBOX_BATCH_MAX];
    unsigned n = outbox_batch(&ob, now, NULL, NULL, ids, OUTBOX_BATCH_MAX);
    for (unsigned i = 0; i < n; i++) {
        outbox_result(&ob, ids[i], outcome, accepted, "reply", now, 0);
    }
    return n;
}

static void test_layout_round_trip(void **state)
{
    (void)state;
    struct outbox_entry e = { 0 }, back;
    e.id = 0x01020304u;
    e.ev = (struct alert_event){ .kind = ALERT_EVENT_HEARTBEAT,
                                 .alert = 7,
                                 .recovered = true,
                                 .events = 300,
                                 .first_us = 0x1122334455667788ull,
                                 .last_us = 0x1122334455667799ull };
    e.date = UTC_NOW;
    e.unique = 0xfedcba9876543210ull;
    e.rcpt_done = 0x80000001u;
    e.date_guessed = true;
    e.attempts = 5;
    uint8_t buf[OUTBOX_JOURNAL_RECORD_SIZE];
    outbox_journal_encode(&e, 9, buf);
    /* Little-endian, fixed offsets: the id at 4, the version first. */
    assert_int_equal(buf[0], 1);
    assert_int_equal(buf[4], 0x04);
    assert_int_equal(buf[7], 0x01);
    uint32_t absorbed = 0;
    assert_true(outbox_journal_decode(buf, sizeof buf, &back, &absorbed));
    assert_int_equal(absorbed, 9);
    assert_int_equal(back.id, e.id);
    assert_memory_equal(&back.ev, &e.ev, sizeof e.ev);
    assert_int_equal(back.date, e.date);
    assert_int_equal(back.unique, e.unique);
    assert_int_equal(back.rcpt_done, e.rcpt_done);
    assert_true(back.date_guessed);
    assert_int_equal(back.attempts, 0);
    /* No Date yet: -1 survives. */
    e.date = -1;
    outbox_journal_encode(&e, 0, buf);
    assert_true(outbox_journal_decode(buf, sizeof buf, &back, &absorbed));
    assert_int_equal(back.date, -1);
    /* Another version, a short payload, an unknown flag, id 0: refused. */
    buf[0] = 2;
    assert_false(outbox_journal_decode(buf, sizeof buf, &back, &absorbed));
    buf[0] = 1;
    assert_false(outbox_journal_decode(buf, sizeof buf - 1, &back, &absorbed));
    buf[2] |= 0x80;
    assert_false(outbox_journal_decode(buf, sizeof buf, &back, &absorbed));
    buf[2] &= 0x7f;
    memset(buf + 4, 0, 4);
    assert_false(outbox_journal_decode(buf, sizeof buf, &back, &absorbed));
}

static void test_reboot_brings_back_undelivered_in_order(void **state)
{
    (void)state;
    outbox_date_entries(&ob, 10 * S, UTC_NOW);
    for (unsigned i = 0; i < 3; i++) {
        struct alert_event ev = alert_ev(i, (20 + i) * S);
        outbox_add(&ob, &ev, 100 + i, (20 + i) * S);
    }
    /* Mail 2 goes alone and is delivered; 1 and 3 fail for now. */
    uint32_t ids[OUTBOX_BATCH_MAX];
    assert_int_equal(outbox_batch(&ob, 30 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), 3);
    outbox_result(&ob, 1, OUTBOX_TEMPORARY, 0, "421", 30 * S, 0);
    outbox_result(&ob, 2, OUTBOX_DELIVERED, 1, "250", 30 * S, 0);
    outbox_result(&ob, 3, OUTBOX_TEMPORARY, 0, "421", 30 * S, 0);

    struct outbox_journal_replay r = boot(5 * S);
    assert_int_equal(r.restored, 2);
    assert_int_equal(r.superseded + r.dropped + r.left + r.unknown + r.undated, 0);
    assert_int_equal(outbox_count(&ob), 2);
    const struct outbox_entry *a = outbox_entry_at(&ob, 0), *b = outbox_entry_at(&ob, 1);
    assert_int_equal(a->id, 1);
    assert_int_equal(a->unique, 100);
    assert_int_equal(a->date, UTC_NOW + 10);
    assert_int_equal(a->ev.alert, 0);
    assert_int_equal(b->id, 3);
    assert_int_equal(b->unique, 102);
    assert_int_equal(b->date, UTC_NOW + 12);
    assert_false(a->date_guessed);
    /* New mail gets a newer id; the restored ones are due at once, oldest first. */
    struct alert_event ev = alert_ev(3, 6 * S);
    assert_int_equal(outbox_add(&ob, &ev, 200, 6 * S), 4);
    assert_int_equal(outbox_batch(&ob, 6 * S, NULL, NULL, ids, OUTBOX_BATCH_MAX), 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 3);
    /* Delivered after the reboot: gone at the next one (mail 4 stays, without a Date). */
    outbox_result(&ob, 1, OUTBOX_DELIVERED, 1, "250", 7 * S, 0);
    outbox_result(&ob, 3, OUTBOX_PERMANENT, 0, "550", 7 * S, 0);
    r = boot(1 * S);
    assert_int_equal(r.restored, 1);
    assert_int_equal(outbox_entry_at(&ob, 0)->id, 4);
    assert_int_equal(reports, 0);
}

static void test_block_writes_per_alert(void **state)
{
    (void)state;
    outbox_date_entries(&ob, 1 * S, UTC_NOW);
    uint32_t w0 = disk.block_writes;
    struct alert_event ev = alert_ev(0, 2 * S);
    outbox_add(&ob, &ev, 1, 2 * S);
    assert_int_equal(disk.block_writes - w0, 1);
    /* Failed attempts: nothing reaches the card. */
    attempt(3 * S, OUTBOX_TEMPORARY, 0);
    outbox_retry_now(&ob, 4 * S);
    attempt(4 * S, OUTBOX_CONFIG_FAULT, 0);
    assert_int_equal(disk.block_writes - w0, 1);
    assert_int_equal(store.stats.skipped, 2);
    outbox_retry_now(&ob, 5 * S);
    attempt(5 * S, OUTBOX_DELIVERED, 1);
    assert_int_equal(disk.block_writes - w0, 2);

    /* Before the clock: added, dated (new record + mark), delivered: 4. */
    struct outbox_store_ops ops = outbox_journal_ops(&store);
    outbox_init(&ob, &ops);
    w0 = disk.block_writes;
    outbox_add(&ob, &ev, 2, 2 * S);
    outbox_date_entries(&ob, 3 * S, UTC_NOW);
    assert_int_equal(disk.block_writes - w0, 3);
    /* Some recipients accepted: that is kept (2 writes), so they are not sent to again after a reboot. */
    attempt(3 * S, OUTBOX_TEMPORARY, 0x2);
    assert_int_equal(disk.block_writes - w0, 5);
    boot(0);
    assert_int_equal(outbox_entry_at(&ob, 0)->rcpt_done, 0x2);
}

static void test_undated_event_is_dated_with_the_replay(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(1, 50 * S);
    ev.last_us = 80 * S;
    ev.events = 3;
    outbox_add(&ob, &ev, 7, 80 * S);
    /* Power lost before the clock was set; the next boot replays at uptime 4 s and gets the clock at 10 s. */
    struct outbox_journal_replay r = boot(4 * S);
    assert_int_equal(r.undated, 1);
    const struct outbox_entry *e = outbox_entry_at(&ob, 0);
    assert_true(e->date_guessed);
    assert_int_equal(e->ev.first_us, 4 * S);
    assert_int_equal(e->ev.last_us, 34 * S);
    outbox_date_entries(&ob, 10 * S, UTC_NOW);
    assert_int_equal(e->date, UTC_NOW - 6);
    /* The Date and the mark reach the card: the boot after keeps both. */
    r = boot(1 * S);
    assert_int_equal(r.undated, 0);
    assert_int_equal(r.restored, 1);
    e = outbox_entry_at(&ob, 0);
    assert_int_equal(e->date, UTC_NOW - 6);
    assert_true(e->date_guessed);
    assert_int_equal(e->unique, 7);
}

static void test_dropped_alert_and_foreign_records(void **state)
{
    (void)state;
    struct alert_event ev = alert_ev(ALERTS, 1 * S); /* an alert line the next configuration no longer has */
    outbox_add(&ob, &ev, 1, 1 * S);
    uint8_t other[8] = { 0 };
    assert_int_equal(journal_append(&jnl, 9, 0, other, sizeof other, NULL), 0);
    struct outbox_journal_replay r = boot(1 * S);
    assert_int_equal(r.dropped, 1);
    assert_int_equal(r.unknown, 1);
    assert_int_equal(r.restored, 0);
    /* The dropped one is marked; the foreign one stays for whoever reads it. */
    assert_int_equal(journal_count(&jnl), 1);
}

/* Fills the queue with alert 0's mails, dated, so that the next alert-1 event makes room by a merge. */
static void fill_queue(void)
{
    outbox_date_entries(&ob, 0, UTC_NOW);
    for (unsigned i = 0; i < OUTBOX_CAPACITY; i++) {
        struct alert_event ev = alert_ev(0, (1 + i) * S);
        outbox_add(&ob, &ev, 1000 + i, (1 + i) * S);
    }
}

static uint32_t events_in_queue(void)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < outbox_count(&ob); i++) {
        n += outbox_entry_at(&ob, i)->ev.events;
    }
    return n;
}

/* No two entries with the same id or Message-ID part. */
static void assert_unique_entries(void)
{
    for (unsigned i = 0; i < outbox_count(&ob); i++) {
        for (unsigned k = i + 1; k < outbox_count(&ob); k++) {
            assert_int_not_equal(outbox_entry_at(&ob, i)->id, outbox_entry_at(&ob, k)->id);
            assert_true(outbox_entry_at(&ob, i)->unique != outbox_entry_at(&ob, k)->unique);
        }
    }
}

static void test_merge_survives_a_power_cut_at_every_write(void **state)
{
    (void)state;
    static const enum crash_disk_tear tears[] = { CRASH_DISK_TEAR_OLD_TAIL, CRASH_DISK_TEAR_NOISE_TAIL,
                                                  CRASH_DISK_TEAR_MIXED };
    static const uint32_t offsets[] = { 0, 1, 4, 27, 28, 60, 83, 84, 300, 507, 508, 511, 512 };
    /* The merge: the kept entry's new record, the older one's mark, the absorbed one's mark, the new entry. */
    fill_queue();
    uint32_t before = disk.block_writes;
    struct alert_event ev = alert_ev(1, 100 * S);
    outbox_add(&ob, &ev, 1, 100 * S);
    uint32_t merge_writes = disk.block_writes - before;
    assert_int_equal(merge_writes, 4);
    teardown(NULL);

    unsigned runs = 0;
    for (uint32_t w = 0; w <= merge_writes; w++) {
        for (size_t t = 0; t < sizeof tears / sizeof tears[0]; t++) {
            for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
                setup(NULL);
                fill_queue();
                crash_disk_arm(&disk, w, offsets[o], tears[t]);
                ev = alert_ev(1, 100 * S);
                outbox_add(&ob, &ev, 1, 100 * S);
                crash_disk_revive(&disk);
                boot(1 * S);
                /* alert 0's 32 events are all there once, in whatever entries; alert 1's if its record was. */
                uint32_t zero = 0, one = 0;
                for (unsigned i = 0; i < outbox_count(&ob); i++) {
                    const struct outbox_entry *e = outbox_entry_at(&ob, i);
                    *(e->ev.alert == 0 ? &zero : &one) += e->ev.events;
                }
                assert_int_equal(zero, OUTBOX_CAPACITY);
                assert_true(one <= 1);
                if (w == merge_writes) {
                    assert_int_equal(one, 1);
                }
                assert_unique_entries();
                teardown(NULL);
                runs++;
            }
        }
    }
    assert_true(runs > 100);
    setup(NULL);
}

/* A random workload (adds, the clock, batches answered at random) cut at a random write; after the reboot the
 * outbox holds exactly what it held when the power went, but for the operation that was cut: a mail being added
 * may be missing, a mail being delivered may come back (with its Message-ID), events never double. */
static void test_random_power_cuts(void **state)
{
    (void)state;
    srand(11);
    for (unsigned run = 0; run < 1000; run++) {
        teardown(NULL);
        setup(NULL);
        uint32_t cut_after = (uint32_t)(rand() % 120);
        crash_disk_arm(&disk, cut_after, (uint32_t)(rand() % 513), (enum crash_disk_tear)(rand() % 3));
        /* What the queue held before the last operation and after it (id -> unique, events). */
        static struct outbox before, after;
        uint64_t now = 0;
        bool dated = false;
        for (unsigned op = 0; op < 200 && !disk.dead; op++) {
            before = ob;
            now += S;
            int what = rand() % 10;
            if (what < 6) {
                struct alert_event ev = alert_ev((unsigned)rand() % ALERTS, now);
                outbox_add(&ob, &ev, (uint64_t)run << 32 | op, now);
            } else if (what == 6 && !dated) {
                outbox_date_entries(&ob, now, UTC_NOW);
                dated = true;
            } else {
                uint32_t ids[OUTBOX_BATCH_MAX];
                unsigned n = outbox_batch(&ob, now, NULL, NULL, ids, OUTBOX_BATCH_MAX);
                for (unsigned i = 0; i < n; i++) {
                    enum outbox_outcome o = (enum outbox_outcome)(1 + rand() % 3);
                    outbox_result(&ob, ids[i], o, o == OUTBOX_DELIVERED, "r", now, (uint32_t)rand());
                    outbox_retry_now(&ob, now);
                }
            }
            after = ob;
        }
        crash_disk_revive(&disk);
        boot(1 * S);
        assert_unique_entries();
        /* Every restored mail was queued before or after the cut operation, with the same Message-ID part... */
        for (unsigned i = 0; i < outbox_count(&ob); i++) {
            const struct outbox_entry *e = outbox_entry_at(&ob, i);
            const struct outbox_entry *b = outbox_find(&before, e->id), *a = outbox_find(&after, e->id);
            assert_true(a != NULL || b != NULL);
            assert_int_equal(e->unique, (a != NULL ? a : b)->unique);
            assert_true((a != NULL && e->ev.events == a->ev.events) || (b != NULL && e->ev.events == b->ev.events));
            if (a != NULL && a->date >= 0 && (b == NULL || b->date >= 0)) {
                assert_int_equal(e->date, a->date);
            }
        }
        /* ... and every mail queued both before and after it is back, as are the events of each alert (a merge of
         * two entries into one does not change the sum). */
        for (unsigned i = 0; i < outbox_count(&after); i++) {
            const struct outbox_entry *a = outbox_entry_at(&after, i);
            if (outbox_find(&before, a->id) != NULL && outbox_find(&before, a->id)->ev.events == a->ev.events) {
                assert_non_null(outbox_find(&ob, a->id));
            }
        }
        uint32_t ev_before = 0, ev_after = 0;
        for (unsigned i = 0; i < outbox_count(&before); i++) {
            ev_before += outbox_entry_at(&before, i)->ev.events;
        }
        for (unsigned i = 0; i < outbox_count(&after); i++) {
            ev_after += outbox_entry_at(&after, i)->ev.events;
        }
        uint32_t got = events_in_queue();
        assert_true(got <= (ev_before > ev_after ? ev_before : ev_after));
        assert_true(got >= (ev_before < ev_after ? ev_before : ev_after));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_round_trip),
        cmocka_unit_test_setup_teardown(test_reboot_brings_back_undelivered_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_writes_per_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undated_event_is_dated_with_the_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_alert_and_foreign_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_survives_a_power_cut_at_every_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_power_cuts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
