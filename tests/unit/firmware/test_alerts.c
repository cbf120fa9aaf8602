/*
 * Unit tests for firmware/alerts (the glue between board inputs and the alert engine) and the `alerts` console
 * command, on the fake board: pins watched with their pull, a refused pin named with smtp.conf's line, changes of
 * several pins merged into time order, changes from before init or after the poll's clock reading, a storm of
 * 1000 edges through the board's queue, changes the board merged away, and the console table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fake_board.h"
#include "firmware/alerts.h"
#include "firmware/alerts_cmd.h"
#include "firmware/console.h"
#include "stdout_capture.h"

#define MS         UINT64_C(1000)
#define SEC        (1000 * MS)
#define T0         (10 * SEC)
#define EVENTS_MAX 64

#define BASE "MailHub=mx.example.com\nRoot=ops@example.com\nBootMail=NO\n"

static struct config cfg;
static struct alert_event events[EVENTS_MAX];
static unsigned nevents;
static char out[4096]; /* what the last capture printed */

static void collect(void *ctx, const struct alert_event *ev)
{
    assert_ptr_equal(ctx, &nevents);
    assert_true(nevents < EVENTS_MAX);
    events[nevents++] = *ev;
}

static void load(const char *text)
{
    config_init(&cfg);
    assert_int_equal(config_parse(&cfg, "smtp.conf", text, strlen(text), NULL, NULL), 0);
    assert_int_equal(config_finish(&cfg, NULL, NULL), 0);
}

/* Ends a capture and keeps what was printed in `out`. */
static const char *keep_output(void)
{
    snprintf(out, sizeof(out), "%s", stdout_capture_end());
    return out;
}

static int init(const char *text)
{
    int rc;

    load(text);
    stdout_capture_begin();
    rc = alerts_init(&cfg, collect, &nevents);
    keep_output();
    return rc;
}

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    fake_board_set_uptime_us(T0);
    nevents = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end(); /* a test that failed inside a capture leaves it running */
    return 0;
}

static void poll_at(uint64_t now)
{
    fake_board_set_uptime_us(now);
    alerts_poll();
}

static void test_pins_watched_with_pull(void **state)
{
    enum board_pull pull;

    (void)state;
    assert_int_equal(init(BASE "Alert=door: gpio=17\nAlert=flood: gpio=27 pull=down edge=rising\n"
                               "Alert=lid: gpio=22 pull=none\n"),
                     ALERTS_OK);
    assert_string_equal(out, "");
    assert_true(fake_board_input_watched(17, &pull));
    assert_int_equal(pull, BOARD_PULL_UP);
    assert_true(fake_board_input_watched(27, &pull));
    assert_int_equal(pull, BOARD_PULL_DOWN);
    assert_true(fake_board_input_watched(22, &pull));
    assert_int_equal(pull, BOARD_PULL_NONE);
    assert_ptr_equal(alerts_config(), &cfg);
}

/* A pin the board refuses: named with the line of smtp.conf; the other alerts still work. */
static void test_refused_pin(void **state)
{
    struct alert_mail_input in[CONFIG_ALERTS_MAX];

    (void)state;
    fake_board_input_refuse(4, "GPIO 4 is the board's 1-Wire bus");
    fake_board_input_fail_watch(5, -3);
    fake_board_input_set_level(6, -2);
    assert_int_equal(init(BASE "Alert=door: gpio=17\nAlert=wire: gpio=4\nAlert=bad: gpio=5\nAlert=mute: gpio=6\n"),
                     ALERTS_ERR_PINS);
    assert_string_equal(out, "smtp.conf:5: Alert: error: wire: GPIO 4 cannot be watched: GPIO 4 is the board's "
                             "1-Wire bus; this alert is off\n"
                             "smtp.conf:6: Alert: error: bad: GPIO 5 cannot be watched: the board could not make it "
                             "an input; this alert is off\n"
                             "smtp.conf:7: Alert: error: mute: GPIO 6 cannot be watched: the board cannot read its "
                             "level; this alert is off\n");
    assert_false(fake_board_input_watched(4, NULL));
    assert_int_equal(alerts_facts(in, CONFIG_ALERTS_MAX), 4);
    assert_string_equal(in[3].problem, "the board cannot read its level");
    assert_null(in[0].problem);
    assert_string_equal(in[1].problem, "GPIO 4 is the board's 1-Wire bus");
    assert_non_null(in[2].problem);
    /* the refused pin's changes are never taken; the good one mails */
    fake_board_input_record(4, T0 + SEC, 0);
    fake_board_input_record(17, T0 + SEC, 0);
    poll_at(T0 + 2 * SEC);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].alert, 0);
    assert_int_equal(fake_board_input_queued(4), 1);
    assert_string_equal(alerts_strerror(ALERTS_ERR_PINS), "some alert pins cannot be watched");
}

/*
 * Two pins share RateLimit=1/hour; the board's queues are per pin. The later change of pin 0 (listed first) must
 * not be judged before the earlier change of pin 1: pin 1's alert takes the only place.
 */
static void test_changes_merged_in_time_order(void **state)
{
    (void)state;
    assert_int_equal(init(BASE "RateLimit=1/hour\nAlert=a: gpio=5 debounce=0\nAlert=b: gpio=6 debounce=0\n"),
                     ALERTS_OK);
    fake_board_input_record(5, T0 + 2 * SEC, 0);
    fake_board_input_record(6, T0 + 1 * SEC, 0);
    poll_at(T0 + 3 * SEC);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].alert, 1);
    assert_int_equal(events[0].first_us, T0 + SEC);
}

/* Changes from before alerts_init are in the level read then; a change timestamped after the poll's clock reading
 * waits for the next poll instead of being fed out of order. */
static void test_change_times_around_polls(void **state)
{
    (void)state;
    fake_board_input_record(17, T0 - 2 * SEC, 0);
    fake_board_input_record(17, T0 - SEC, 1);
    assert_int_equal(init(BASE "Alert=door: gpio=17 debounce=0\n"), ALERTS_OK);
    poll_at(T0 + SEC);
    assert_int_equal(nevents, 0);
    assert_int_equal(fake_board_input_queued(17), 0);

    assert_true(alerts_next_deadline_us() == UINT64_MAX); /* debounce=0, no heartbeat: only an edge brings work */
    fake_board_input_record(17, T0 + 5 * SEC, 0);         /* recorded "after" the clock reading of the next poll */
    poll_at(T0 + 4 * SEC);
    assert_int_equal(nevents, 0);
    /* Taken from the board and left for the next poll: its interrupt is spent, so the main loop must not sleep. */
    assert_true(alerts_next_deadline_us() == 0);
    poll_at(T0 + 5 * SEC);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].first_us, T0 + 5 * SEC);
}

/* 1000 edges within the debounce, through the board's queue, polled once: one event after the level settles. */
static void test_storm_through_the_board(void **state)
{
    uint64_t t = T0 + SEC;

    (void)state;
    assert_int_equal(init(BASE "Alert=door: gpio=17\n"), ALERTS_OK);
    for (unsigned k = 0; k < 1000; k++) {
        t += 20;
        fake_board_input_record(17, t, (int)((k + 1) % 2));
    }
    poll_at(t + 49 * MS);
    assert_int_equal(nevents, 0);
    poll_at(t + 50 * MS);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].kind, ALERT_EVENT_ALERT);
    assert_false(events[0].recovered);
    assert_int_equal(events[0].first_us, t);
}

/* Changes the board merged away because its record was full are still events: with edge=both and no debounce
 * every edge counts, and the level after them is the last recorded one. */
static void test_merged_changes_count(void **state)
{
    struct alert_mail_input in[1];

    (void)state;
    assert_int_equal(init(BASE "Alert=door: gpio=17 edge=both debounce=0\n"), ALERTS_OK);
    fake_board_input_record(17, T0 + SEC, 0);
    fake_board_input_record(17, T0 + 2 * SEC, 1);
    fake_board_input_merge(17, 4);
    poll_at(T0 + 3 * SEC);
    assert_int_equal(alerts_facts(in, 1), 1);
    assert_int_equal(in[0].stats.events, 6);
    assert_int_equal(in[0].stats.level, 1);
    assert_int_equal(nevents, 6);
    assert_true(events[5].recovered);
}

/* `pin N low` on the native board goes through board_input_simulate: the same path as an interrupt. */
static void test_simulated_level(void **state)
{
    (void)state;
    assert_int_equal(init(BASE "Alert=door: gpio=17 recovery=yes\n"), ALERTS_OK);
    fake_board_set_uptime_us(T0 + SEC);
    assert_int_equal(board_input_simulate(17, 0), 0);
    poll_at(T0 + 2 * SEC);
    fake_board_set_uptime_us(T0 + 3 * SEC);
    assert_int_equal(board_input_simulate(17, 1), 0);
    poll_at(T0 + 4 * SEC);
    assert_int_equal(nevents, 2);
    assert_false(events[0].recovered);
    assert_true(events[1].recovered);
    assert_int_equal(events[1].first_us, T0 + 3 * SEC);
}

static void test_boot_mail_queued(void **state)
{
    (void)state;
    assert_int_equal(init("MailHub=mx.example.com\nRoot=ops@example.com\n"), ALERTS_OK);
    poll_at(T0);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].kind, ALERT_EVENT_BOOT);
    assert_int_equal(events[0].first_us, T0);
}

static const char *run_alerts_cmd(void)
{
    char line[] = "alerts";

    stdout_capture_begin();
    console_execute(line);
    return keep_output();
}

static void test_console_table(void **state)
{
    (void)state;
    console_init();
    assert_int_equal(alerts_cmd_register(), CONSOLE_OK);
    fake_board_input_set_header_pin(17, 11);
    fake_board_input_set_header_pin(27, 13);
    fake_board_input_set_level(27, 0);
    fake_board_input_refuse(4, "GPIO 4 is the board's 1-Wire bus");
    fake_board_input_set_header_pin(4, 7);
    assert_int_equal(init(BASE "Alert=door: gpio=17 limit=1/hour\nAlert=flood: gpio=27 pull=down "
                               "edge=rising\nAlert=wire: gpio=4\n"),
                     ALERTS_ERR_PINS);
    fake_board_input_record(17, T0 + SEC, 0);
    fake_board_input_record(17, T0 + 2 * SEC, 1);
    fake_board_input_record(17, T0 + 3 * SEC, 0);
    poll_at(T0 + 63 * SEC);
    assert_string_equal(
        run_alerts_cmd(),
        "alert        GPIO  pin  pull  edge     level  state      last change         events  mails  folded  waiting\n"
        "door           17   11  up    falling  low    TRIGGERED  0d 00h 01m 00s ago       2      1       0        1\n"
        "flood          27   13  down  rising   low    normal     never                    0      0       0        0\n"
        "wire            4    7  not watched: GPIO 4 is the board's 1-Wire bus\n");
}

static void test_console_without_alerts(void **state)
{
    (void)state;
    console_init();
    assert_int_equal(alerts_cmd_register(), CONSOLE_OK);
    assert_int_equal(init(BASE), ALERTS_OK);
    assert_string_equal(run_alerts_cmd(), "no Alert lines in smtp.conf: no input is watched\n");
    char line[] = "alerts now";
    stdout_capture_begin();
    assert_int_equal(console_execute(line), CONSOLE_ERR_USAGE);
    assert_string_equal(stdout_capture_end(), "usage: alerts\n");
}

static void test_bad_arguments(void **state)
{
    (void)state;
    load(BASE);
    assert_int_equal(alerts_init(NULL, collect, NULL), ALERTS_ERR_ARG);
    assert_int_equal(alerts_init(&cfg, NULL, NULL), ALERTS_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pins_watched_with_pull, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_pin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_merged_in_time_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_times_around_polls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storm_through_the_board, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merged_changes_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simulated_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_mail_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console_without_alerts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
    };

    return cmocka_run_group_tests_name("alerts", tests, NULL, NULL);
}
