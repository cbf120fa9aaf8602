/*
 * journal_bench - the journal's costs on the host, with the firmware's own journal and event log code and the
 * partition layout of firmware/persist_layout.h, on a file-backed device that counts blocks (tests/unit/fakes/crash_disk.c).
 *
 * usage: journal_bench                 prints the figures (bench/journal runs it)
 *        journal_bench --fill IMAGE    fills the journal partition of a card image with undelivered records, as
 *                                      many as it holds, for a boot with a full journal (bench/journal in QEMU)
 * Prints figures, asserts nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crash_disk.h"
#include "drivers/blockdev.h"
#include "drivers/storage/mbr.h"
#include "firmware/event_log.h"
#include "firmware/journal.h"
#include "firmware/outbox.h"
#include "firmware/outbox_journal.h"
#include "firmware/persist_layout.h"

/* What the outbox will keep per mail: a struct alert_event (kind, alert, recovered, events, first/last uptime),
 * the UTC Date and the Message-ID; about 100 bytes. The bench uses that size, and the largest payload too. */
#define TYPICAL_PAYLOAD 100u

static struct journal jnl;
static struct event_log evlog;

static struct outbox ob;
static struct outbox_journal store;

/* Block writes per alert through the real outbox and its journal store: `alerts` alerts of 4 alert lines, each
 * queued (after the clock is set when clock_first, else before it and dated next), tried `failures` times with a
 * temporary failure, then delivered. */
static double outbox_writes_per_alert(struct crash_disk *disk, unsigned alerts, bool clock_first, unsigned failures)
{
    journal_open(&jnl, &disk->dev, PERSIST_JOURNAL_FIRST, PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_MAGIC,
                 JOURNAL_KEEP_UNDELIVERED);
    outbox_journal_init(&store, &jnl, NULL, NULL);
    struct outbox_store_ops ops = outbox_journal_ops(&store);
    outbox_init(&ob, &ops);
    uint32_t writes0 = disk->block_writes;
    const uint64_t s = 1000000u;
    uint64_t now = s;
    if (clock_first) {
        outbox_date_entries(&ob, now, 1795869296);
    }
    for (unsigned i = 0; i < alerts; i++) {
        if (!clock_first) {
            outbox_init(&ob, &ops); /* a boot whose alert comes before NTP's answer */
        }
        struct alert_event ev = {
            .kind = ALERT_EVENT_ALERT, .alert = i % 4, .events = 1, .first_us = now, .last_us = now
        };
        outbox_add(&ob, &ev, i, now);
        outbox_date_entries(&ob, now, 1795869296 + (int64_t)(now / s));
        for (unsigned attempt = 0; attempt <= failures; attempt++) {
            uint32_t ids[OUTBOX_BATCH_MAX];
            outbox_retry_now(&ob, now);
            unsigned n = outbox_batch(&ob, now, NULL, NULL, ids, OUTBOX_BATCH_MAX);
            for (unsigned k = 0; k < n; k++) {
                outbox_result(&ob, ids[k], attempt == failures ? OUTBOX_DELIVERED : OUTBOX_TEMPORARY,
                              attempt == failures, "250", now, k);
            }
            now += s;
        }
    }
    return (double)(disk->block_writes - writes0) / alerts;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_record(void *ctx, const struct journal_record *rec)
{
    (void)rec;
    (*(unsigned *)ctx)++;
}

static int fill_image(const char *path)
{
    struct crash_disk disk;
    if (!crash_disk_open_file(&disk, path)) {
        fprintf(stderr, "journal_bench: %s: %s\n", path, strerror(errno));
        return 1;
    }
    uint32_t first, count;
    int err = mbr_find_partition(&disk.dev, MBR_TYPE_NON_FS_DATA, &first, &count);
    if (err != 0) {
        fprintf(stderr, "journal_bench: %s: %s\n", path, mbr_strerror(err));
        return 1;
    }
    err = journal_open(&jnl, &disk.dev, first + PERSIST_JOURNAL_FIRST, PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_MAGIC,
                       JOURNAL_KEEP_UNDELIVERED);
    /* Outbox records as the firmware writes them (boot mails: they need no alert line in the card's smtp.conf), so
     * that the boot replays a full journal: the outbox takes the oldest OUTBOX_CAPACITY, the rest stay. */
    uint8_t payload[OUTBOX_JOURNAL_RECORD_SIZE];
    unsigned n = 0;
    while (err == 0) {
        struct outbox_entry e = { .id = n + 1, .date = 1795869296 + n, .unique = n + 1 };
        e.ev = (struct alert_event){ .kind = ALERT_EVENT_BOOT, .events = 1 };
        outbox_journal_encode(&e, 0, payload);
        err = journal_append(&jnl, OUTBOX_JOURNAL_KIND, (uint64_t)e.date, payload, sizeof payload, NULL);
        n += err == 0;
    }
    crash_disk_close(&disk);
    printf("filled %s with %u undelivered records (%s)\n", path, n, journal_strerror(err));
    return err == JOURNAL_ERR_FULL ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--fill") == 0) {
        return fill_image(argv[2]);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: journal_bench [--fill IMAGE]\n");
        return 2;
    }
    struct crash_disk disk;
    crash_disk_open(&disk, PERSIST_MIN_BLOCKS);
    journal_open(&jnl, &disk.dev, PERSIST_JOURNAL_FIRST, PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_MAGIC,
                 JOURNAL_KEEP_UNDELIVERED);
    event_log_open(&evlog, &disk.dev, PERSIST_LOG_FIRST, PERSIST_LOG_BLOCKS);

    /* Steady state: 10000 alerts, each appended, delivered and marked, each with an alert and a delivery event. */
    enum { ALERTS = 10000 };
    uint8_t payload[JOURNAL_PAYLOAD_MAX] = { 0 };
    uint32_t writes0 = disk.block_writes;
    for (unsigned i = 0; i < ALERTS; i++) {
        uint64_t seq;
        journal_append(&jnl, 1, i, payload, TYPICAL_PAYLOAD, &seq);
        journal_mark_delivered(&jnl, seq);
    }
    uint32_t journal_writes = disk.block_writes - writes0;
    writes0 = disk.block_writes;
    struct event_log_entry e = { .type = EVENT_LOG_ALERT };
    snprintf(e.detail, sizeof e.detail, "door: triggered");
    for (unsigned i = 0; i < 2 * ALERTS; i++) {
        event_log_add(&evlog, &e);
    }
    uint32_t log_writes = disk.block_writes - writes0;

    printf("per alert (%u alerts, %u-byte payload, largest payload %u bytes):\n", ALERTS, TYPICAL_PAYLOAD,
           JOURNAL_PAYLOAD_MAX);
    printf("  journal:    %.2f block writes, %.0f bytes written (record + tombstone)\n",
           (double)journal_writes / ALERTS, (double)journal_writes * BLOCKDEV_BLOCK_SIZE / ALERTS);
    printf("  event log:  %.2f block writes, %.0f bytes written (alert and delivery events)\n",
           (double)log_writes / ALERTS, (double)log_writes * BLOCKDEV_BLOCK_SIZE / ALERTS);
    printf("  wear:       each of the journal's %u blocks is written %.1f times per 1000 alerts\n",
           PERSIST_JOURNAL_BLOCKS, 1000.0 * journal_writes / ALERTS / PERSIST_JOURNAL_BLOCKS);

    /* The same through the outbox (firmware/outbox.c with firmware/outbox_journal.c): what a real alert costs. */
    printf("  outbox path: %.2f block writes per alert delivered at once, %.2f with 3 failed attempts first, "
           "%.2f when queued before the clock was set\n",
           outbox_writes_per_alert(&disk, 1000, true, 0), outbox_writes_per_alert(&disk, 1000, true, 3),
           outbox_writes_per_alert(&disk, 1000, false, 0));

    /* Capacity: undelivered mails until the journal refuses. */
    journal_open(&jnl, &disk.dev, PERSIST_JOURNAL_FIRST, PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_MAGIC,
                 JOURNAL_KEEP_UNDELIVERED);
    unsigned held = 0;
    while (journal_append(&jnl, 1, held, payload, TYPICAL_PAYLOAD, NULL) == 0) {
        held++;
    }
    printf("capacity:     %u undelivered alerts (journal of %u blocks, %u KiB; event log: last %u events)\n", held,
           PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_BLOCKS * BLOCKDEV_BLOCK_SIZE / 1024, PERSIST_LOG_BLOCKS);

    /* Boot with a full journal: open (the scan) and the replay that hands every record back. */
    uint32_t reads0 = disk.block_reads;
    double t0 = now_s();
    journal_open(&jnl, &disk.dev, PERSIST_JOURNAL_FIRST, PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_MAGIC,
                 JOURNAL_KEEP_UNDELIVERED);
    uint32_t scan_reads = disk.block_reads - reads0;
    double t1 = now_s();
    unsigned replayed = 0;
    journal_replay(&jnl, count_record, &replayed);
    double t2 = now_s();
    uint32_t replay_reads = disk.block_reads - reads0 - scan_reads;
    printf("boot, full journal: open reads %u blocks (%u KiB) in %.2f ms; replay of %u records reads %u blocks in "
           "%.2f ms (host, file in the page cache: the CPU's part)\n",
           scan_reads, scan_reads * BLOCKDEV_BLOCK_SIZE / 1024, (t1 - t0) * 1e3, replayed, replay_reads,
           (t2 - t1) * 1e3);
    crash_disk_close(&disk);
    return 0;
}
