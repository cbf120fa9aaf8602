/*
 * The journal partition as the application uses it; see persist.h.
 */
#include "firmware/persist.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "board/board.h"
#include "firmware/persist_layout.h"
#include "lib/units.h"
#include "net/clock.h"

static struct blockdev area;
static struct journal journal;
static struct event_log log_ring;
static bool journal_on;
static bool log_on;
static bool log_write_reported;
static char off_reason[80] = "not opened";

static int area_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    (void)ctx;
    return board_journal_read(lba, count, buf);
}

static int area_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    (void)ctx;
    return board_journal_write(lba, count, buf);
}

/* The words for a JOURNAL_ERR_IO: the board's code it carries. */
static const char *journal_words(const struct journal *j, int err)
{
    return err == JOURNAL_ERR_IO ? board_strerror(j->io_error) : journal_strerror(err);
}

int persist_init(void)
{
    journal_on = false;
    log_on = false;
    log_write_reported = false;
    uint32_t blocks = 0;
    int err = board_journal_area(&blocks);
    if (err == 0 && blocks < PERSIST_MIN_BLOCKS) {
        printf("journal: the journal partition has %lu blocks, fewer than the %u needed\n", (unsigned long)blocks,
               PERSIST_MIN_BLOCKS);
        err = BOARD_ERR_CORRUPT;
    }
    if (err != 0) {
        snprintf(off_reason, sizeof off_reason, "%s", board_strerror(err));
        printf("journal: %s: the outbox keeps mails in RAM only (lost at power loss), no event log\n", off_reason);
        return err;
    }
    area = (struct blockdev){ .read = area_read, .write = area_write, .block_count = blocks };

    uint64_t started = board_uptime_us();
    err = journal_open(&journal, &area, PERSIST_JOURNAL_FIRST, PERSIST_JOURNAL_BLOCKS, PERSIST_JOURNAL_MAGIC,
                       JOURNAL_KEEP_UNDELIVERED);
    journal_on = err == 0;
    if (!journal_on) {
        snprintf(off_reason, sizeof off_reason, "journal unreadable: %s", journal_words(&journal, err));
        printf("journal: %s: the outbox keeps mails in RAM only (lost at power loss)\n", off_reason);
    }
    int log_err = event_log_open(&log_ring, &area, PERSIST_LOG_FIRST, PERSIST_LOG_BLOCKS);
    log_on = log_err == 0;
    if (!log_on) {
        printf("event log: unreadable: %s\n", journal_words(&log_ring.ring, log_err));
    }
    if (journal_on) {
        /* How long the scan of both rings took: what the journal adds to the time from power-on to sending. */
        unsigned long scan_ms = (unsigned long)((board_uptime_us() - started) / US_PER_MS);
        char where[96];
        persist_describe(where, sizeof where);
        printf("outbox: %s; read in %lu ms%s\n", where, scan_ms,
               journal.stats.torn > 0 ? " (a record cut short by a power loss was skipped)" : "");
    }
    const char *detail = board_reset_detail();
    enum board_reset_cause cause = board_reset_cause();
    persist_event(EVENT_LOG_BOOT, (uint32_t)cause, "%s%s%s", board_reset_cause_name(cause), *detail ? ": " : "",
                  detail);
    return journal_on ? 0 : err;
}

struct journal *persist_journal(void)
{
    return journal_on ? &journal : NULL;
}

struct event_log *persist_log(void)
{
    return log_on ? &log_ring : NULL;
}

void persist_event(enum event_log_type type, uint32_t arg, const char *fmt, ...)
{
    if (!log_on) {
        return;
    }
    static struct event_log_entry e;
    e.type = type;
    e.arg = arg;
    e.uptime_us = board_uptime_us();
    e.utc_s = 0;
    if (net_clock_is_set()) {
        uint32_t sec, usec;
        net_clock_get_utc(&sec, &usec);
        e.utc_s = sec;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.detail, sizeof e.detail, fmt, ap);
    va_end(ap);
    int err = event_log_add(&log_ring, &e);
    if (err != 0 && !log_write_reported) {
        log_write_reported = true;
        printf("event log: cannot write: %s\n", journal_words(&log_ring.ring, err));
    }
}

void persist_describe(char *buf, size_t size)
{
    if (journal_on) {
        snprintf(buf, size, "journal on the SD card: %lu undelivered, room for %lu",
                 (unsigned long)journal_count(&journal), (unsigned long)journal_capacity(&journal));
    } else {
        snprintf(buf, size, "RAM only (%s): lost at power loss", off_reason);
    }
}
