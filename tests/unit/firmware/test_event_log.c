/*
 * test_event_log.c - the event log (firmware/event_log.c) on a file-backed block device: events come back whole
 * and in order across reopenings, the oldest give way, a torn write loses one event only, and the console line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crash_disk.h"
#include "firmware/event_log.h"

#define SLOTS 16u

static struct crash_disk disk;
static struct event_log log_ring;

struct seen {
    unsigned count;
    struct event_log_entry e[64];
};

static void collect(void *ctx, const struct event_log_entry *e)
{
    struct seen *s = ctx;
    if (s->count < 64) {
        s->e[s->count++] = *e;
    }
}

static int read_all(struct seen *s)
{
    memset(s, 0, sizeof(*s));
    return event_log_read(&log_ring, collect, s);
}

static void add(enum event_log_type type, uint32_t arg, uint64_t up, uint64_t utc, const char *detail)
{
    struct event_log_entry e = { .type = type, .arg = arg, .uptime_us = up, .utc_s = utc };
    snprintf(e.detail, sizeof e.detail, "%s", detail);
    assert_int_equal(event_log_add(&log_ring, &e), 0);
}

static int setup(void **state)
{
    (void)state;
    crash_disk_open(&disk, 2 + SLOTS);
    assert_int_equal(event_log_open(&log_ring, &disk.dev, 2, SLOTS), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crash_disk_close(&disk);
    return 0;
}

static void test_events_round_trip(void **state)
{
    (void)state;
    add(EVENT_LOG_BOOT, 3, 812000, 0, "watchdog: main loop stuck");
    add(EVENT_LOG_ALERT, 1, 5000000, 1765065600, "door: triggered");
    add(EVENT_LOG_DELIVERED, 7, 6200000, 1765065601, "<1.2@baremail>");
    assert_int_equal(event_log_open(&log_ring, &disk.dev, 2, SLOTS), 0);
    struct seen s;
    assert_int_equal(read_all(&s), 3);
    assert_int_equal(event_log_count(&log_ring), 3);
    assert_int_equal(event_log_capacity(&log_ring), SLOTS);
    assert_int_equal(s.e[0].type, EVENT_LOG_BOOT);
    assert_int_equal(s.e[0].arg, 3);
    assert_int_equal(s.e[0].uptime_us, 812000);
    assert_int_equal(s.e[0].utc_s, 0);
    assert_string_equal(s.e[0].detail, "watchdog: main loop stuck");
    assert_int_equal(s.e[1].type, EVENT_LOG_ALERT);
    assert_int_equal(s.e[1].utc_s, 1765065600);
    assert_string_equal(s.e[2].detail, "<1.2@baremail>");
    assert_int_equal(s.e[2].seq, 3);
    /* One block written per event. */
    assert_int_equal(disk.block_writes, 3);
}

/* The ring keeps the newest SLOTS events, oldest first, across reopenings. */
static void test_oldest_give_way(void **state)
{
    (void)state;
    for (unsigned i = 1; i <= 40; i++) {
        char text[16];
        snprintf(text, sizeof text, "event %u", i);
        add(EVENT_LOG_NOTE, i, i, 0, text);
        if (i % 7 == 0) {
            assert_int_equal(event_log_open(&log_ring, &disk.dev, 2, SLOTS), 0);
        }
    }
    struct seen s;
    assert_int_equal(read_all(&s), SLOTS);
    for (unsigned k = 0; k < SLOTS; k++) {
        assert_int_equal(s.e[k].arg, 40 - SLOTS + 1 + k);
    }
}

/* A power cut while an event is written: that event is lost, the others stay. */
static void test_torn_event(void **state)
{
    (void)state;
    add(EVENT_LOG_ALERT, 1, 1, 0, "one");
    add(EVENT_LOG_ALERT, 2, 2, 0, "two");
    crash_disk_arm(&disk, 0, 100, CRASH_DISK_TEAR_OLD_TAIL);
    struct event_log_entry e = { .type = EVENT_LOG_ALERT, .arg = 3 };
    assert_int_equal(event_log_add(&log_ring, &e), JOURNAL_ERR_IO);
    crash_disk_revive(&disk);
    assert_int_equal(event_log_open(&log_ring, &disk.dev, 2, SLOTS), 0);
    struct seen s;
    assert_int_equal(read_all(&s), 2);
    assert_int_equal(s.e[1].arg, 2);
    add(EVENT_LOG_ALERT, 4, 4, 0, "four");
    assert_int_equal(read_all(&s), 3);
    assert_int_equal(s.e[2].arg, 4);
}

static void test_long_detail_is_cut(void **state)
{
    (void)state;
    struct event_log_entry e = { .type = EVENT_LOG_FAILED };
    memset(e.detail, 'x', sizeof e.detail); /* not even NUL-terminated */
    assert_int_equal(event_log_add(&log_ring, &e), 0);
    struct seen s;
    assert_int_equal(read_all(&s), 1);
    assert_int_equal(strlen(s.e[0].detail), EVENT_LOG_DETAIL_MAX - 1);
}

static void test_format(void **state)
{
    (void)state;
    char line[200];
    struct event_log_entry e = { .seq = 12, .type = EVENT_LOG_ALERT, .uptime_us = 12345678, .utc_s = 1765065600 };
    snprintf(e.detail, sizeof e.detail, "door: triggered");
    event_log_format(&e, line, sizeof line);
    assert_string_equal(line, "#12    2025-12-07 00:00:00 UTC  up      12.345 s  alert     door: triggered");
    e.utc_s = 0;
    e.type = EVENT_LOG_BOOT;
    snprintf(e.detail, sizeof e.detail, "power-on");
    event_log_format(&e, line, sizeof line);
    assert_string_equal(line, "#12    clock not set            up      12.345 s  boot      power-on");
    char small[10];
    event_log_format(&e, small, sizeof small);
    assert_string_equal(small, "#12    cl");
    assert_string_equal(event_log_type_name(EVENT_LOG_DELIVERED), "delivered");
    assert_string_equal(event_log_type_name(EVENT_LOG_FAILED), "failed");
    assert_string_equal(event_log_type_name((enum event_log_type)99), "unknown");
}

static void test_errors(void **state)
{
    (void)state;
    struct event_log_entry e = { .type = EVENT_LOG_NOTE };
    assert_int_equal(event_log_open(NULL, &disk.dev, 0, 1), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(event_log_add(NULL, &e), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(event_log_add(&log_ring, NULL), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(event_log_read(&log_ring, NULL, NULL), JOURNAL_ERR_INVALID_ARG);
    assert_int_equal(event_log_count(NULL), 0);
    /* The log is a ring of at most JOURNAL_MAX_LIVE events. */
    crash_disk_close(&disk);
    crash_disk_open(&disk, JOURNAL_MAX_LIVE + 1);
    assert_int_equal(event_log_open(&log_ring, &disk.dev, 0, JOURNAL_MAX_LIVE + 1), JOURNAL_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_events_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oldest_give_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_detail_is_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
