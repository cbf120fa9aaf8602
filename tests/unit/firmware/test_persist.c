/*
 * test_persist.c - the journal partition as the firmware uses it (firmware/persist.c) and the `log` command
 * (firmware/log_cmd.c), on the fake board with a file-backed journal partition (tests/unit/fakes/crash_disk.c): what boot
 * says with and without the partition, the boot event with its reset cause, events with and without the clock,
 * the journal kept across boots, a card that stops taking writes, and `log`'s arguments.
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
#include "fake_board.h"
#include "firmware/console.h"
#include "firmware/log_cmd.h"
#include "firmware/persist.h"
#include "firmware/persist_layout.h"
#include "net/clock.h"
#include "stdout_capture.h"

static struct crash_disk disk;
static char *out;
static uint32_t clock_utc; /* the fake net clock: 0 = not set */

/* The network's clock, under the test's control (net/clock.c needs the TLS stack). */
bool net_clock_is_set(void)
{
    return clock_utc != 0;
}

void net_clock_get_utc(uint32_t *sec, uint32_t *usec)
{
    *sec = clock_utc;
    *usec = 0;
}

static void keep(const char *captured)
{
    free(out);
    out = strdup(captured);
    assert_non_null(out);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, haystack);
        fail();
    }
}

static int init(void)
{
    stdout_capture_begin();
    int result = persist_init();
    keep(stdout_capture_end());
    return result;
}

static int run(const char *line)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", line);
    stdout_capture_begin();
    int result = console_execute(buf);
    keep(stdout_capture_end());
    return result;
}

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    clock_utc = 0;
    crash_disk_open(&disk, PERSIST_MIN_BLOCKS + 16);
    fake_board_set_journal(&disk.dev, 0);
    console_init();
    assert_int_equal(log_cmd_register(), CONSOLE_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end();
    crash_disk_close(&disk);
    free(out);
    out = NULL;
    return 0;
}

static void test_boot_with_journal_partition(void **state)
{
    (void)state;
    fake_board_set_reset_cause(BOARD_RESET_WATCHDOG, "main loop stuck");
    fake_board_set_uptime_us(812345);
    assert_int_equal(init(), 0);
    assert_contains(out, "outbox: journal on the SD card: 0 undelivered, room for 256; read in ");
    assert_non_null(persist_journal());
    assert_non_null(persist_log());
    /* The whole layout was read, nothing written but the boot event. */
    assert_int_equal(disk.block_reads, PERSIST_MIN_BLOCKS);
    assert_int_equal(disk.block_writes, 1);

    assert_int_equal(run("log"), 0);
    assert_contains(out, "event log: 1 of the last 256 events kept on the SD card\n");
    assert_contains(out,
                    "#1     clock not set            up       0.812 s  boot      watchdog timeout: main loop stuck\n");

    clock_utc = 1765065600;
    fake_board_set_uptime_us(41000000);
    persist_event(EVENT_LOG_ALERT, 2, "door %s", "triggered");
    persist_event(EVENT_LOG_DELIVERED, 1, "<%u@example>", 7u);
    assert_int_equal(run("log 2"), 0);
    assert_contains(out, "event log: 3 of the last 256 events");
    assert_true(strstr(out, "#1 ") == NULL);
    assert_contains(out, "#2     2025-12-07 00:00:00 UTC  up      41.000 s  alert     door triggered\n");
    assert_contains(out, "#3 ");
    assert_contains(out, "delivered <7@example>");
    assert_int_equal(run("log 99"), 0);
    assert_contains(out, "#1 ");
}

/* A mail in the journal is there at the next boot; the boots pile up in the log. */
static void test_journal_kept_across_boots(void **state)
{
    (void)state;
    assert_int_equal(init(), 0);
    uint64_t seq = 0;
    assert_int_equal(journal_append(persist_journal(), 1, 5, "mail", 4, &seq), 0);
    assert_int_equal(init(), 0);
    assert_contains(out, "outbox: journal on the SD card: 1 undelivered, room for 256");
    assert_int_equal(journal_count(persist_journal()), 1);
    assert_int_equal(event_log_count(persist_log()), 2);
    char where[96];
    persist_describe(where, sizeof where);
    assert_string_equal(where, "journal on the SD card: 1 undelivered, room for 256");
}

/* An older card: boot says the mails stay in RAM, nothing is kept, `log` says why. */
static void test_card_without_partition(void **state)
{
    (void)state;
    fake_board_set_journal(NULL, 0);
    assert_int_equal(init(), BOARD_ERR_NO_JOURNAL);
    assert_contains(out, "journal: no journal partition on the SD card: the outbox keeps mails in RAM only (lost at "
                         "power loss), no event log\n");
    assert_null(persist_journal());
    assert_null(persist_log());
    persist_event(EVENT_LOG_ALERT, 0, "ignored");
    char where[96];
    persist_describe(where, sizeof where);
    assert_string_equal(where, "RAM only (no journal partition on the SD card): lost at power loss");
    assert_int_equal(run("log"), CONSOLE_ERR_FAILED);
    assert_contains(out, "no event log: the card's journal partition is not in use; outbox: RAM only");

    /* After a boot with the partition, one without forgets it. */
    fake_board_set_journal(&disk.dev, 0);
    assert_int_equal(init(), 0);
    fake_board_set_journal(NULL, BOARD_ERR_IO);
    assert_int_equal(init(), BOARD_ERR_IO);
    assert_null(persist_journal());
}

static void test_partition_too_small(void **state)
{
    (void)state;
    crash_disk_close(&disk);
    crash_disk_open(&disk, PERSIST_MIN_BLOCKS - 1);
    fake_board_set_journal(&disk.dev, 0);
    assert_int_equal(init(), BOARD_ERR_CORRUPT);
    assert_contains(out, "journal: the journal partition has 1279 blocks, fewer than the 1280 needed\n");
    assert_null(persist_journal());
    assert_int_equal(disk.block_writes, 0);
}

/* The card stops taking writes: the first lost event is reported once, the rest silently. */
static void test_event_write_failure_reported_once(void **state)
{
    (void)state;
    assert_int_equal(init(), 0);
    crash_disk_arm(&disk, 0, 0, CRASH_DISK_TEAR_OLD_TAIL);
    stdout_capture_begin();
    persist_event(EVENT_LOG_NOTE, 0, "one");
    persist_event(EVENT_LOG_NOTE, 0, "two");
    keep(stdout_capture_end());
    assert_int_equal(stdout_capture_count(out, "event log: cannot write: SD card read or write error"), 1);
}

static void test_log_arguments(void **state)
{
    (void)state;
    assert_int_equal(init(), 0);
    assert_int_equal(run("log x"), CONSOLE_ERR_USAGE);
    assert_contains(out, "log: 'x' is not a number of events (1 or more)");
    assert_int_equal(run("log 0"), CONSOLE_ERR_USAGE);
    assert_int_equal(run("log 1 2"), CONSOLE_ERR_USAGE);
    assert_contains(out, "usage: log [N]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_with_journal_partition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_kept_across_boots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_without_partition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partition_too_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_write_failure_reported_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
