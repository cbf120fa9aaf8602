/*
 * test_journal.c - the journal (firmware/journal.c) on a file-backed block device that loses power mid-write
 * (tests/unit/fakes/crash_disk.c).
 *
 * Each crash test keeps a reference model of what must survive: a record whose append returned 0 and whose mark
 * did not return 0 must come back exactly once, with its kind, time and payload unchanged, in sequence order; a
 * record whose mark returned 0 must not; the one operation cut short by the crash may go either way. Built with
 * JOURNAL_MAX_LIVE=32 (tests/unit/firmware/journal.mk) so that the table's limit is reachable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crash_disk.h"
#include "firmware/journal.h"

#define MAGIC       0x4A4E4C31u /* any non-zero value */
#define OTHER_MAGIC 0x4C4F4731u
#define FIRST       3u /* the region does not start at block 0, as in a partition */
#define MAX_MODEL   4096u

static struct crash_disk disk;
static struct journal jnl;

/* Payload, kind and time are all functions of the sequence number, so any mix-up shows. */
static size_t payload_for(uint64_t seq, uint8_t *out)
{
    size_t len = (size_t)((seq * 37u) % (JOURNAL_PAYLOAD_MAX + 1));
    for (size_t i = 0; i < len; i++) {
        out[i] = (uint8_t)(seq * 131u + i * 7u + (i >> 8));
    }
    return len;
}

static uint16_t kind_for(uint64_t seq)
{
    return (uint16_t)(seq % 5u + 1u);
}

static uint64_t time_for(uint64_t seq)
{
    return 1700000000000000ull + seq * 1000003ull;
}

static int append_seq(uint64_t want_seq, uint64_t *got)
{
    uint8_t payload[JOURNAL_PAYLOAD_MAX];
    size_t len = payload_for(want_seq, payload);
    return journal_append(&jnl, kind_for(want_seq), time_for(want_seq), payload, len, got);
}

struct replayed {
    unsigned count;
    uint64_t seq[MAX_MODEL];
    bool bad_content;
};

static void collect(void *ctx, const struct journal_record *rec)
{
    struct replayed *r = ctx;
    uint8_t payload[JOURNAL_PAYLOAD_MAX];
    size_t len = payload_for(rec->seq, payload);
    if (rec->len != len || memcmp(rec->payload, payload, len) != 0 || rec->kind != kind_for(rec->seq) ||
        rec->time != time_for(rec->seq)) {
        r->bad_content = true;
    }
    if (r->count < MAX_MODEL) {
        r->seq[r->count++] = rec->seq;
    }
}

static void reopen(uint32_t slots, enum journal_mode mode)
{
    crash_disk_revive(&disk);
    int err = journal_open(&jnl, &disk.dev, FIRST, slots, MAGIC, mode);
    if (err != 0) {
        fail_msg("journal_open: %s", journal_strerror(err));
    }
}

static void replay(struct replayed *r)
{
    memset(r, 0, sizeof(*r));
    int n = journal_replay(&jnl, collect, r);
    assert_int_equal(n, (int)r->count);
    assert_false(r->bad_content);
    for (unsigned i = 1; i < r->count; i++) {
        assert_true(r->seq[i - 1] < r->seq[i]);
    }
}

static bool replayed_has(const struct replayed *r, uint64_t seq)
{
    for (unsigned i = 0; i < r->count; i++) {
        if (r->seq[i] == seq) {
            return true;
        }
    }
    return false;
}

static int setup(void **state)
{
    (void)state;
    crash_disk_open(&disk, FIRST + 64);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crash_disk_close(&disk);
    return 0;
}

/* Appends, a mark, a reboot: the undelivered come back in order, with everything they carried; numbering goes on. */
static void test_append_mark_replay(void **state)
{
    (void)state;
    reopen(16, JOURNAL_KEEP_UNDELIVERED);
    assert_int_equal(journal_count(&jnl), 0);
    assert_int_equal(journal_capacity(&jnl), 16);
    for (uint64_t s = 1; s <= 3; s++) {
        uint64_t got = 0;
        assert_int_equal(append_seq(s, &got), 0);
        assert_int_equal(got, s);
    }
    assert_int_equal(journal_mark_delivered(&jnl, 2), 0);
    assert_int_equal(journal_mark_delivered(&jnl, 2), JOURNAL_ERR_NOT_FOUND);
    assert_int_equal(journal_count(&jnl), 2);
    /* Two block writes per mail: its record and its tombstone. */
    assert_int_equal(jnl.stats.block_writes, 4);
    assert_int_equal(disk.block_writes, 4);

    reopen(16, JOURNAL_KEEP_UNDELIVERED);
    struct replayed r;
    replay(&r);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.seq[0], 1);
    assert_int_equal(r.seq[1], 3);
    uint64_t got = 0;
    assert_int_equal(append_seq(4, &got), 0);
    assert_int_equal(got, 4);
    /* Only the region is touched: the blocks before it stay zero. */
    uint8_t block[BLOCKDEV_BLOCK_SIZE];
    static const uint8_t zero[BLOCKDEV_BLOCK_SIZE];
    for (uint32_t b = 0; b < FIRST; b++) {
        assert_int_equal(blockdev_read(&disk.dev, b, 1, block), 0);
        assert_memory_equal(block, zero, sizeof block);
    }
}

/* The replay callback marks what it is handed (the outbox sending at once): all gone after the next boot. */
static void mark_each(void *ctx, const struct journal_record *rec)
{
    unsigned *n = ctx;
    assert_int_equal(journal_mark_delivered(&jnl, rec->seq), 0);
    (*n)++;
}

static void test_mark_during_replay(void **state)
{
    (void)state;
    reopen(8, JOURNAL_KEEP_UNDELIVERED);
    for (uint64_t s = 1; s <= 5; s++) {
        assert_int_equal(append_seq(s, NULL), 0);
    }
    unsigned n = 0;
    assert_int_equal(journal_replay(&jnl, mark_each, &n), 5);
    assert_int_equal(n, 5);
    assert_int_equal(journal_count(&jnl), 0);
    reopen(8, JOURNAL_KEEP_UNDELIVERED);
    struct replayed r;
    replay(&r);
    assert_int_equal(r.count, 0);
}

/* The ring wraps around a record that stays undelivered, and fills up when every slot holds one. */
static void test_wrap_keeps_undelivered_and_fills(void **state)
{
    (void)state;
    reopen(4, JOURNAL_KEEP_UNDELIVERED);
    assert_int_equal(append_seq(1, NULL), 0); /* stays undelivered throughout */
    for (uint64_t s = 2; s <= 20; s++) {
        assert_int_equal(append_seq(s, NULL), 0);
        assert_int_equal(journal_mark_delivered(&jnl, s), 0);
    }
    reopen(4, JOURNAL_KEEP_UNDELIVERED);
    struct replayed r;
    replay(&r);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.seq[0], 1);

    for (uint64_t s = 21; s <= 23; s++) {
        assert_int_equal(append_seq(s, NULL), 0);
    }
    unsigned writes = disk.block_writes;
    assert_int_equal(append_seq(24, NULL), JOURNAL_ERR_FULL);
    assert_int_equal(disk.block_writes, writes); /* refused without touching the card */
    assert_int_equal(journal_mark_delivered(&jnl, 22), 0);
    uint64_t got = 0;
    assert_int_equal(append_seq(24, &got), 0);
    assert_int_equal(got, 24);
    reopen(4, JOURNAL_KEEP_UNDELIVERED);
    replay(&r);
    assert_int_equal(r.count, 4);
    assert_int_equal(r.seq[0], 1);
    assert_int_equal(r.seq[1], 21);
    assert_int_equal(r.seq[2], 23);
    assert_int_equal(r.seq[3], 24);
}

/* More undelivered records than the table holds: the append is refused (JOURNAL_MAX_LIVE is 32 here). */
static void test_live_table_limit(void **state)
{
    (void)state;
    reopen(64, JOURNAL_KEEP_UNDELIVERED);
    assert_int_equal(journal_capacity(&jnl), JOURNAL_MAX_LIVE);
    for (uint64_t s = 1; s <= JOURNAL_MAX_LIVE; s++) {
        assert_int_equal(append_seq(s, NULL), 0);
    }
    assert_int_equal(append_seq(JOURNAL_MAX_LIVE + 1, NULL), JOURNAL_ERR_FULL);
    assert_int_equal(journal_count(&jnl), JOURNAL_MAX_LIVE);
}

/* The event log's mode: the newest `count` records, oldest first, across reboots. */
static void test_overwrite_mode(void **state)
{
    (void)state;
    reopen(8, JOURNAL_OVERWRITE_OLDEST);
    for (uint64_t s = 1; s <= 20; s++) {
        assert_int_equal(append_seq(s, NULL), 0);
        if (s == 11) {
            reopen(8, JOURNAL_OVERWRITE_OLDEST);
        }
    }
    assert_int_equal(journal_mark_delivered(&jnl, 20), JOURNAL_ERR_INVALID_ARG);
    for (int pass = 0; pass < 2; pass++) {
        struct replayed r;
        replay(&r);
        assert_int_equal(r.count, 8);
        for (unsigned i = 0; i < 8; i++) {
            assert_int_equal(r.seq[i], 13 + i);
        }
        reopen(8, JOURNAL_OVERWRITE_OLDEST);
    }
    /* A region bigger than the table cannot be a log. */
    assert_int_equal(journal_open(&jnl, &disk.dev, 0, JOURNAL_MAX_LIVE + 1, MAGIC, JOURNAL_OVERWRITE_OLDEST),
                     JOURNAL_ERR_INVALID_ARG);
}

/* Two rings on one device do not see each other's blocks. */
static void test_magic_separates_rings(void **state)
{
    (void)state;
    reopen(16, JOURNAL_KEEP_UNDELIVERED);
    for (uint64_t s = 1; s <= 5; s++) {
        assert_int_equal(append_seq(s, NULL), 0);
    }
    assert_int_equal(journal_open(&jnl, &disk.dev, FIRST, 16, OTHER_MAGIC, JOURNAL_KEEP_UNDELIVERED), 0);
    assert_int_equal(journal_count(&jnl), 0);
    assert_int_equal(jnl.stats.torn, 0);
}

/* A fresh device of `slots` blocks after FIRST, a journal on it, and records 1..appends written. */
static void fresh_journal(uint32_t slots, uint64_t appends)
{
    crash_disk_close(&disk);
    crash_disk_open(&disk, FIRST + slots);
    reopen(slots, JOURNAL_KEEP_UNDELIVERED);
    for (uint64_t s = 1; s <= appends; s++) {
        assert_int_equal(append_seq(s, NULL), 0);
    }
}

/* A power cut at every byte of a record's block, each way a block can tear, over a slot that held a tombstone: the
 * torn record is gone, or (nothing of it written) was never there; the others are intact; the next append works. */
static void test_torn_append_every_offset(void **state)
{
    (void)state;
    for (int tear = CRASH_DISK_TEAR_OLD_TAIL; tear <= CRASH_DISK_TEAR_MIXED; tear++) {
        for (uint32_t offset = 0; offset <= BLOCKDEV_BLOCK_SIZE; offset++) {
            /* Slots: 0 tombstone (seq 1), 1 record 2, 2 record 3, 3 tombstone (seq 4); the next goes to slot 0. */
            fresh_journal(4, 4);
            assert_int_equal(journal_mark_delivered(&jnl, 1), 0);
            assert_int_equal(journal_mark_delivered(&jnl, 4), 0);
            crash_disk_arm(&disk, 0, offset, (enum crash_disk_tear)tear);
            assert_int_equal(append_seq(5, NULL), JOURNAL_ERR_IO);
            assert_int_equal(jnl.io_error, CRASH_DISK_POWER_LOST);

            reopen(4, JOURNAL_KEEP_UNDELIVERED);
            struct replayed r;
            replay(&r);
            /* Pieces at random may happen to be all new: then the record is whole, and must be intact. */
            bool whole = tear == CRASH_DISK_TEAR_MIXED ? replayed_has(&r, 5) : offset == BLOCKDEV_BLOCK_SIZE;
            if (r.count != (whole ? 3u : 2u) || r.seq[0] != 2 || r.seq[1] != 3 || (whole && r.seq[2] != 5)) {
                fail_msg("tear %d at byte %u: %u records replayed", tear, offset, r.count);
            }
            uint64_t got = 0;
            assert_int_equal(append_seq(whole ? 6 : 5, &got), 0);
            assert_int_equal(got, whole ? 6 : 5);
            reopen(4, JOURNAL_KEEP_UNDELIVERED);
            replay(&r);
            assert_int_equal(r.count, whole ? 4u : 3u);
        }
    }
}

/* A power cut at every byte of a tombstone: the record is delivered or still there, never damaged. */
static void test_torn_mark_every_offset(void **state)
{
    (void)state;
    for (int tear = CRASH_DISK_TEAR_OLD_TAIL; tear <= CRASH_DISK_TEAR_MIXED; tear++) {
        for (uint32_t offset = 0; offset <= BLOCKDEV_BLOCK_SIZE; offset++) {
            fresh_journal(4, 3);
            crash_disk_arm(&disk, 0, offset, (enum crash_disk_tear)tear);
            assert_int_equal(journal_mark_delivered(&jnl, 3), JOURNAL_ERR_IO);
            reopen(4, JOURNAL_KEEP_UNDELIVERED);
            struct replayed r;
            replay(&r);
            assert_true(r.count == 2 || r.count == 3);
            assert_int_equal(r.seq[0], 1);
            assert_int_equal(r.seq[1], 2);
            if (offset == 0 && tear == CRASH_DISK_TEAR_OLD_TAIL) {
                assert_int_equal(r.count, 3); /* nothing of the tombstone reached the card */
            }
            /* A new record never reuses a number still on the card (a torn tombstone's may come again). */
            uint64_t got = 0;
            assert_int_equal(append_seq(jnl.next_seq, &got), 0);
            assert_true(got > r.seq[r.count - 1]);
        }
    }
}

/* The crash workload: random appends, marks and clean reboots on a small ring, a power cut at a random write
 * with a random tear, then the model's check. Each run goes through three cuts. */
struct model {
    uint8_t state[MAX_MODEL]; /* per sequence number */
};
enum { M_NONE, M_LIVE, M_DELIVERED, M_MAYBE_LIVE, M_MAYBE_DELIVERED };

static uint32_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static void check_model(struct model *m, uint64_t max_seq, unsigned run)
{
    struct replayed r;
    replay(&r);
    for (unsigned i = 0; i < r.count; i++) {
        uint64_t s = r.seq[i];
        if (s > max_seq || m->state[s] == M_NONE || m->state[s] == M_DELIVERED) {
            fail_msg("run %u: record %llu replayed but %s", run, (unsigned long long)s,
                     m->state[s] == M_DELIVERED ? "it was delivered" : "it was never appended");
        }
    }
    for (uint64_t s = 1; s <= max_seq; s++) {
        bool there = replayed_has(&r, s);
        if (m->state[s] == M_LIVE && !there) {
            fail_msg("run %u: undelivered record %llu lost", run, (unsigned long long)s);
        }
        /* What the crash left undecided is now decided: the model follows the card. */
        if (m->state[s] == M_MAYBE_LIVE || m->state[s] == M_MAYBE_DELIVERED) {
            m->state[s] = there ? M_LIVE : M_DELIVERED;
        }
    }
    if (journal_count(&jnl) != r.count) {
        fail_msg("run %u: journal_count %u, replayed %u", run, journal_count(&jnl), r.count);
    }
}

static void test_random_crashes(void **state)
{
    (void)state;
    enum { RUNS = 1200, SLOTS = 12, CUTS = 3 };
    static struct model m;
    unsigned appends = 0, marks = 0, fulls = 0;
    for (unsigned run = 0; run < RUNS; run++) {
        rng_state = run * 2654435761u + 17u;
        memset(&m, 0, sizeof m);
        crash_disk_close(&disk);
        crash_disk_open(&disk, FIRST + SLOTS);
        reopen(SLOTS, JOURNAL_KEEP_UNDELIVERED);
        uint64_t max_seq = 0;
        for (unsigned cut = 0; cut < CUTS; cut++) {
            crash_disk_arm(&disk, rnd(40), rnd(BLOCKDEV_BLOCK_SIZE + 1), (enum crash_disk_tear)rnd(3));
            for (;;) {
                uint32_t op = rnd(10);
                int err;
                if (op < 5) {
                    uint64_t seq = 0;
                    err = append_seq(jnl.next_seq, &seq);
                    uint64_t tried = jnl.next_seq - 1;
                    if (err == 0) {
                        m.state[seq] = M_LIVE;
                        appends++;
                    } else if (err == JOURNAL_ERR_IO) {
                        m.state[tried] = M_MAYBE_LIVE;
                    } else {
                        assert_int_equal(err, JOURNAL_ERR_FULL);
                        fulls++;
                        continue;
                    }
                    max_seq = tried > max_seq ? tried : max_seq;
                } else if (op < 9) {
                    if (journal_count(&jnl) == 0) {
                        continue;
                    }
                    uint64_t seq = jnl.live[rnd(journal_count(&jnl))].seq;
                    err = journal_mark_delivered(&jnl, seq);
                    m.state[seq] = err == 0 ? M_DELIVERED : M_MAYBE_DELIVERED;
                    marks += err == 0;
                } else {
                    /* A clean reboot: nothing undecided, everything must be exactly as the model says. */
                    reopen(SLOTS, JOURNAL_KEEP_UNDELIVERED);
                    crash_disk_arm(&disk, disk.writes_left, disk.tear_offset, disk.tear);
                    check_model(&m, max_seq, run);
                    continue;
                }
                if (err == JOURNAL_ERR_IO) {
                    break; /* the power is gone */
                }
                assert_int_equal(err, 0);
            }
            reopen(SLOTS, JOURNAL_KEEP_UNDELIVERED);
            check_model(&m, max_seq, run);
        }
    }
    /* The workload did reach every case. */
    assert_true(appends > RUNS);
    assert_true(marks > RUNS);
    assert_true(fulls > 0);
    printf("crash workload: %u runs, %u power cuts, %u appends, %u marks, %u appends refused (full)\n", RUNS,
           RUNS * CUTS, appends, marks, fulls);
}

static int failing_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    (void)ctx;
    (void)lba;
    (void)count;
    (void)buf;
    return -5;
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t big[JOURNAL_PAYLOAD_MAX + 1] = { 0 };
    struct journal closed;
    memset(&closed, 0, sizeof closed);
    assert_int_equal(journal_append(&closed, 1, 0, big, 1, NULL), JOURNAL_ERR_NOT_OPEN);
    assert_int_equal(journal_mark_delivered(&closed, 1), JOURNAL_ERR_NOT_OPEN);
    assert_int_equal(journal_replay(&closed, collect, NULL), JOURNAL_ERR_NOT_OPEN);
    assert_int_equal(journal_count(&closed), 0);

    assert_int_equal(journal_open(NULL, &disk.dev, 0, 1, MAGIC, JOURNAL_KEEP_UNDELIVERED), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(journal_open(&jnl, NULL, 0, 1, MAGIC, JOURNAL_KEEP_UNDELIVERED), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(journal_open(&jnl, &disk.dev, 0, 0, MAGIC, JOURNAL_KEEP_UNDELIVERED), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(journal_open(&jnl, &disk.dev, 0, 1, 0, JOURNAL_KEEP_UNDELIVERED), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(journal_open(&jnl, &disk.dev, 64, 5, MAGIC, JOURNAL_KEEP_UNDELIVERED), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(journal_open(&jnl, &disk.dev, 0xFFFFFFFFu, 2, MAGIC, JOURNAL_KEEP_UNDELIVERED),
                     JOURNAL_ERR_INVALID_ARG);

    reopen(8, JOURNAL_KEEP_UNDELIVERED);
    assert_int_equal(journal_append(&jnl, 1, 0, big, sizeof big, NULL), JOURNAL_ERR_TOO_BIG);
    assert_int_equal(journal_append(&jnl, 1, 0, NULL, 3, NULL), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(journal_append(&jnl, 1, 0, NULL, 0, NULL), 0); /* an empty payload is a record */
    assert_int_equal(journal_replay(&jnl, NULL, NULL), JOURNAL_ERR_INVALID_ARG);

    /* A read-only device: what is there replays, nothing can be added. */
    struct blockdev ro = disk.dev;
    ro.write = NULL;
    assert_int_equal(journal_open(&jnl, &ro, FIRST, 8, MAGIC, JOURNAL_KEEP_UNDELIVERED), 0);
    assert_int_equal(journal_count(&jnl), 1);
    assert_int_equal(journal_append(&jnl, 1, 0, NULL, 0, NULL), JOURNAL_ERR_IO);
    assert_int_equal(jnl.io_error, BLOCKDEV_ERR_READ_ONLY);

    /* A device that cannot be read cannot be trusted: the open fails and says why. */
    struct blockdev broken = disk.dev;
    broken.read = failing_read;
    assert_int_equal(journal_open(&jnl, &broken, FIRST, 8, MAGIC, JOURNAL_KEEP_UNDELIVERED), JOURNAL_ERR_IO);
    assert_int_equal(jnl.io_error, -5);
    assert_int_equal(journal_append(&jnl, 1, 0, NULL, 0, NULL), JOURNAL_ERR_NOT_OPEN);

    const char *unknown = journal_strerror(-1);
    for (int err = JOURNAL_ERR_INVALID_ARG; err >= JOURNAL_ERR_NOT_OPEN; err--) {
        assert_string_not_equal(journal_strerror(err), unknown);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_mark_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mark_during_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrap_keeps_undelivered_and_fills, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_table_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overwrite_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_separates_rings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_append_every_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_mark_every_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_crashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
