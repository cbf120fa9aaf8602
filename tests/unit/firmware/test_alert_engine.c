/*
 * Unit tests for firmware/alert_engine with a fake clock: each test parses real smtp.conf text, feeds scripted
 * level changes and polls, and records every event emitted with the time of the poll that emitted it. After
 * every test the books must balance: each event an alert counted is in exactly one emitted mail or still waiting.
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
#include "firmware/alert_engine.h"

#define MS   UINT64_C(1000)
#define SEC  (1000 * MS)
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
/* Uptime at init: not 0, so that a time mistaken for 0 shows. */
#define T0           (5 * SEC)
#define REC_MAX      512
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define BASE "MailHub=mx.example.com\nRoot=ops@example.com\nBootMail=NO\n"

struct rec {
    struct alert_event ev;
    uint64_t polled_at;
};

static struct config cfg;
static struct alert_engine eng;
static struct rec rec[REC_MAX];
static unsigned nrec;
static uint64_t poll_now;

static void collect(void *ctx, const struct alert_event *ev)
{
    (void)ctx;
    assert_true(nrec < REC_MAX);
    rec[nrec].ev = *ev;
    rec[nrec].polled_at = poll_now;
    nrec++;
}

static void start(const char *conf, const int *levels)
{
    config_init(&cfg);
    assert_int_equal(config_parse(&cfg, "smtp.conf", conf, strlen(conf), NULL, NULL), 0);
    assert_int_equal(config_finish(&cfg, NULL, NULL), 0);
    assert_int_equal(alert_engine_init(&eng, &cfg, levels, T0), 0);
    nrec = 0;
}

static unsigned poll_at(uint64_t now)
{
    poll_now = now;
    return alert_engine_poll(&eng, now, collect, NULL);
}

static void change(unsigned alert, uint64_t at, int level)
{
    assert_int_equal(alert_engine_change(&eng, alert, at, level), 0);
}

/* Every event counted is in one emitted mail or waiting; mails and folded match what was emitted. */
static void check_books(void)
{
    for (unsigned a = 0; a < cfg.alert_count; a++) {
        const struct alert_engine_stats *st = alert_engine_stats(&eng, a);
        uint32_t covered = 0, mails = 0, folded = 0;

        for (unsigned i = 0; i < nrec; i++) {
            if (rec[i].ev.kind != ALERT_EVENT_ALERT || rec[i].ev.alert != a) {
                continue;
            }
            assert_true(rec[i].ev.events >= 1);
            assert_true(rec[i].ev.first_us <= rec[i].ev.last_us);
            covered += rec[i].ev.events;
            mails++;
            if (rec[i].ev.events > 1) {
                folded += rec[i].ev.events;
            }
        }
        assert_int_equal(covered + st->waiting, st->events);
        assert_int_equal(mails, st->mails);
        assert_int_equal(folded, st->folded);
    }
}

static void check_alert(unsigned i, unsigned alert, bool recovered, uint32_t events, uint64_t first, uint64_t last)
{
    assert_true(i < nrec);
    assert_int_equal(rec[i].ev.kind, ALERT_EVENT_ALERT);
    assert_int_equal(rec[i].ev.alert, alert);
    assert_int_equal(rec[i].ev.recovered, recovered);
    assert_int_equal(rec[i].ev.events, events);
    assert_int_equal(rec[i].ev.first_us, first);
    assert_int_equal(rec[i].ev.last_us, last);
}

static const int high[CONFIG_ALERTS_MAX] = { 1, 1, 1, 1 };
static const int low[CONFIG_ALERTS_MAX] = { 0, 0, 0, 0 };

/* 1000 edges 5 us apart, all within the 50 ms debounce, polled after each: nothing until the level has held. */
static void test_debounce_storm(void **state)
{
    uint64_t t = T0 + SEC;
    unsigned k;

    (void)state;
    start(BASE "Alert=door: gpio=17\n", high);
    for (k = 0; k < 1000; k++) {
        t += 5;
        change(0, t, (int)(k % 2)); /* 0, 1, 0, ... ends on 1: back where it started */
        assert_int_equal(poll_at(t), 0);
    }
    assert_int_equal(poll_at(t + HOUR), 0);
    assert_int_equal(alert_engine_stats(&eng, 0)->changes, 0);

    /* Another storm that settles low: one event, dated by the last edge, once low has held 50 ms. */
    t += HOUR;
    for (k = 0; k < 1000; k++) {
        t += 5;
        change(0, t, (int)((k + 1) % 2)); /* 1, 0, 1, ... ends on 0 */
        assert_int_equal(poll_at(t), 0);
    }
    assert_int_equal(poll_at(t + 50 * MS - 1), 0);
    assert_int_equal(alert_engine_stats(&eng, 0)->raw, 0);
    assert_int_equal(alert_engine_stats(&eng, 0)->level, 1);
    assert_int_equal(poll_at(t + 50 * MS), 1);
    check_alert(0, 0, false, 1, t, t);
    assert_true(alert_engine_stats(&eng, 0)->alarm);
    assert_int_equal(alert_engine_stats(&eng, 0)->last_change_us, t);
    check_books();
}

/* The result does not depend on when polls happen: the same storm fed without any poll until the end. */
static void test_debounce_without_polls(void **state)
{
    uint64_t t = T0 + SEC, settled = 0;
    unsigned k;

    (void)state;
    start(BASE "Alert=door: gpio=17 debounce=20ms recovery=yes\n", high);
    for (k = 0; k < 1000; k++) {
        t += 7;
        change(0, t, (int)((k + 1) % 2));
    }
    settled = t;
    /* a pulse that holds a microsecond less than the debounce does not count; one that holds it exactly does */
    change(0, settled + 100 * MS, 1);
    change(0, settled + 120 * MS - 1, 0);
    change(0, settled + 200 * MS, 1);
    change(0, settled + 220 * MS, 0);
    assert_int_equal(poll_at(settled + 10 * SEC), 3);
    check_alert(0, 0, false, 1, settled, settled);
    check_alert(1, 0, true, 1, settled + 200 * MS, settled + 200 * MS);
    check_alert(2, 0, false, 1, settled + 220 * MS, settled + 220 * MS);
    assert_int_equal(alert_engine_stats(&eng, 0)->changes, 3);
    check_books();
}

/* debounce=0: every change counts, even two at the same microsecond between two polls. */
static void test_debounce_zero(void **state)
{
    (void)state;
    start(BASE "Alert=door: gpio=17 debounce=0 edge=both\n", high);
    change(0, T0 + SEC, 0);
    change(0, T0 + SEC, 1);
    assert_int_equal(poll_at(T0 + SEC), 2);
    check_alert(0, 0, false, 1, T0 + SEC, T0 + SEC);
    check_alert(1, 0, true, 1, T0 + SEC, T0 + SEC);
    check_books();
}

/* falling (default): low is the alarm; the return is a change but no mail without recovery=yes. */
static void test_edge_falling(void **state)
{
    (void)state;
    start(BASE "Alert=door: gpio=17\n", high);
    change(0, T0 + SEC, 1); /* the level it already had: ignored */
    change(0, T0 + 2 * SEC, 0);
    change(0, T0 + 3 * SEC, 1);
    change(0, T0 + 4 * SEC, 0);
    assert_int_equal(poll_at(T0 + 5 * SEC), 2);
    check_alert(0, 0, false, 1, T0 + 2 * SEC, T0 + 2 * SEC);
    check_alert(1, 0, false, 1, T0 + 4 * SEC, T0 + 4 * SEC);
    assert_int_equal(alert_engine_stats(&eng, 0)->changes, 3);
    assert_int_equal(alert_engine_stats(&eng, 0)->events, 2);
    check_books();
}

static void test_edge_rising(void **state)
{
    (void)state;
    start(BASE "Alert=flood: gpio=27 edge=rising pull=down\n", low);
    change(0, T0 + SEC, 1);
    change(0, T0 + 2 * SEC, 0);
    assert_int_equal(poll_at(T0 + 3 * SEC), 1);
    check_alert(0, 0, false, 1, T0 + SEC, T0 + SEC);
    assert_false(alert_engine_stats(&eng, 0)->alarm);
    assert_int_equal(alert_engine_stats(&eng, 0)->level, 0);
    check_books();
}

/* both: every settled change; the level at init is normal, so leaving it triggers and returning recovers. */
static void test_edge_both(void **state)
{
    (void)state;
    start(BASE "Alert=lid: gpio=5 edge=both\n", low);
    change(0, T0 + SEC, 1);
    change(0, T0 + 2 * SEC, 0);
    change(0, T0 + 3 * SEC, 1);
    assert_int_equal(poll_at(T0 + 4 * SEC), 3);
    check_alert(0, 0, false, 1, T0 + SEC, T0 + SEC);
    check_alert(1, 0, true, 1, T0 + 2 * SEC, T0 + 2 * SEC);
    check_alert(2, 0, false, 1, T0 + 3 * SEC, T0 + 3 * SEC);
    check_books();
}

static void test_recovery(void **state)
{
    (void)state;
    start(BASE "Alert=door: gpio=17 recovery=yes\n", high);
    change(0, T0 + SEC, 0);
    assert_int_equal(poll_at(T0 + 2 * SEC), 1);
    check_alert(0, 0, false, 1, T0 + SEC, T0 + SEC);
    assert_true(alert_engine_stats(&eng, 0)->alarm);
    change(0, T0 + 3 * SEC, 1);
    assert_int_equal(poll_at(T0 + 3 * SEC + 49 * MS), 0);
    assert_int_equal(poll_at(T0 + 3 * SEC + 50 * MS), 1);
    check_alert(1, 0, true, 1, T0 + 3 * SEC, T0 + 3 * SEC);
    assert_false(alert_engine_stats(&eng, 0)->alarm);
    check_books();
}

/* An input already in its alarm state at boot: no mail for it; its return is a recovery; the next fall mails. */
static void test_alarm_at_boot(void **state)
{
    (void)state;
    start(BASE "Alert=door: gpio=17 recovery=yes\nAlert=gate: gpio=22\n", low);
    assert_true(alert_engine_stats(&eng, 0)->alarm);
    assert_true(alert_engine_stats(&eng, 1)->alarm);
    assert_int_equal(poll_at(T0 + MIN), 0);
    change(0, T0 + MIN, 1);
    change(1, T0 + MIN, 1);
    assert_int_equal(poll_at(T0 + 2 * MIN), 1);
    check_alert(0, 0, true, 1, T0 + MIN, T0 + MIN);
    change(1, T0 + 3 * MIN, 0);
    assert_int_equal(poll_at(T0 + 4 * MIN), 1);
    check_alert(1, 1, false, 1, T0 + 3 * MIN, T0 + 3 * MIN);
    check_books();
}

/* 100 events in 5 s with limit=3/hour: 3 mails at once, the other 97 in one summary the moment the window opens. */
static void test_limit_folds_100_events(void **state)
{
    uint64_t t = T0 + SEC, first_held = 0, last = 0, now;
    unsigned k, mails;
    uint32_t total = 0;

    (void)state;
    start(BASE "Alert=door: gpio=17 debounce=10ms limit=3/hour\n", high);
    for (k = 0; k < 100; k++) {
        change(0, t, 0); /* pressed for 25 ms, released for 25 ms: 50 ms a cycle, 100 cycles in 5 s */
        if (k == 3) {
            first_held = t;
        }
        last = t;
        poll_at(t + 20 * MS);
        change(0, t + 25 * MS, 1);
        t += 50 * MS;
        poll_at(t - 1);
    }
    assert_true(t - (T0 + SEC) <= 5 * SEC);
    assert_int_equal(nrec, 3);
    for (k = 0; k < 3; k++) {
        check_alert(k, 0, false, 1, T0 + SEC + k * 50 * MS, T0 + SEC + k * 50 * MS);
    }
    assert_int_equal(alert_engine_stats(&eng, 0)->waiting, 97);
    check_books();

    /* The first mail was granted when its press had held 10 ms; its place frees an hour later, not a us before. */
    now = T0 + SEC + 10 * MS + HOUR;
    assert_int_equal(poll_at(now - 1), 0);
    assert_int_equal(poll_at(now), 1);
    check_alert(3, 0, false, 97, first_held, last);
    for (k = 0, mails = 0; k < nrec; k++, mails++) {
        total += rec[k].ev.events;
    }
    assert_int_equal(mails, 4);
    assert_int_equal(total, 100);
    assert_int_equal(alert_engine_stats(&eng, 0)->folded, 97);
    assert_int_equal(alert_engine_stats(&eng, 0)->waiting, 0);
    assert_int_equal(poll_at(now + 3 * HOUR), 0);
    check_books();
}

/* The same events, but the caller polls only once, two hours later: the same four mails, in the same order. */
static void test_limit_independent_of_polls(void **state)
{
    uint64_t t = T0 + SEC;
    unsigned k;

    (void)state;
    start(BASE "Alert=door: gpio=17 debounce=10ms limit=3/hour\n", high);
    for (k = 0; k < 100; k++) {
        change(0, t, 0);
        change(0, t + 25 * MS, 1);
        t += 50 * MS;
    }
    assert_int_equal(poll_at(T0 + 2 * HOUR), 4);
    check_alert(0, 0, false, 1, T0 + SEC, T0 + SEC);
    check_alert(3, 0, false, 97, T0 + SEC + 150 * MS, T0 + SEC + 99 * 50 * MS);
    check_books();
}

/* recovery=yes under a limit: the summary's state is the last event's. */
static void test_summary_state_of_last_event(void **state)
{
    uint64_t t = T0 + SEC;

    (void)state;
    start(BASE "Alert=door: gpio=17 debounce=0 recovery=yes limit=1/minute\n", high);
    change(0, t, 0);
    change(0, t + SEC, 1);
    change(0, t + 2 * SEC, 0);
    change(0, t + 3 * SEC, 1);
    assert_int_equal(poll_at(t + 3 * SEC), 1);
    assert_int_equal(poll_at(t + MIN), 1);
    check_alert(1, 0, true, 3, t + SEC, t + 3 * SEC);
    check_books();
}

/* An event that settles the very moment the window opens joins the waiting summary instead of overtaking it. */
static void test_no_overtaking_at_window_open(void **state)
{
    uint64_t t = T0 + SEC;

    (void)state;
    start(BASE "Alert=door: gpio=17 debounce=0 limit=1/minute\n", high);
    change(0, t, 0);
    change(0, t + SEC, 1);
    change(0, t + 2 * SEC, 0);
    change(0, t + 3 * SEC, 1);
    change(0, t + MIN, 0);
    assert_int_equal(poll_at(t + MIN), 2);
    check_alert(0, 0, false, 1, t, t);
    check_alert(1, 0, false, 2, t + 2 * SEC, t + MIN);
    check_books();
}

/*
 * RateLimit is shared by every alert. Two alerts under RateLimit=2/minute: the third and fourth events wait; when
 * the window opens, the oldest waiting summary goes first, and a new event does not overtake a waiting one.
 */
static void test_global_limit_order(void **state)
{
    (void)state;
    start(BASE "RateLimit=2/minute\nAlert=a: gpio=5 debounce=0\nAlert=b: gpio=6 debounce=0\n", high);
    change(0, T0 + 1 * SEC, 0);
    change(1, T0 + 2 * SEC, 0);
    change(1, T0 + 3 * SEC, 1);
    change(1, T0 + 4 * SEC, 0); /* b waits (held since 4 s) */
    change(0, T0 + 5 * SEC, 1);
    change(0, T0 + 6 * SEC, 0); /* a waits (held since 6 s) */
    assert_int_equal(poll_at(T0 + 10 * SEC), 2);
    check_alert(0, 0, false, 1, T0 + SEC, T0 + SEC);
    check_alert(1, 1, false, 1, T0 + 2 * SEC, T0 + 2 * SEC);
    assert_int_equal(alert_engine_stats(&eng, 0)->waiting, 1);
    assert_int_equal(alert_engine_stats(&eng, 1)->waiting, 1);

    /* At 61 s the first place frees: b waited longest and goes; a's newer event joins its own summary. */
    change(0, T0 + 50 * SEC, 1);
    change(0, T0 + 51 * SEC, 0);
    assert_int_equal(poll_at(T0 + 61 * SEC), 1);
    check_alert(2, 1, false, 1, T0 + 4 * SEC, T0 + 4 * SEC);
    assert_int_equal(poll_at(T0 + 62 * SEC - 1), 0);
    assert_int_equal(poll_at(T0 + 62 * SEC), 1);
    check_alert(3, 0, false, 2, T0 + 6 * SEC, T0 + 51 * SEC);
    check_books();
}

/* A per-alert limit holds only its own alert: another alert still mails at once. */
static void test_alert_limit_is_per_alert(void **state)
{
    (void)state;
    start(BASE "RateLimit=none\nAlert=a: gpio=5 debounce=0 limit=1/hour\nAlert=b: gpio=6 debounce=0\n", high);
    change(0, T0 + SEC, 0);
    change(0, T0 + 2 * SEC, 1);
    change(0, T0 + 3 * SEC, 0);
    change(1, T0 + 4 * SEC, 0);
    change(1, T0 + 5 * SEC, 1);
    change(1, T0 + 6 * SEC, 0);
    assert_int_equal(poll_at(T0 + 7 * SEC), 3);
    check_alert(0, 0, false, 1, T0 + SEC, T0 + SEC);
    check_alert(1, 1, false, 1, T0 + 4 * SEC, T0 + 4 * SEC);
    check_alert(2, 1, false, 1, T0 + 6 * SEC, T0 + 6 * SEC);
    assert_int_equal(alert_engine_stats(&eng, 0)->waiting, 1);
    check_books();
}

/* More mails per period than the window has slots: never more than N in any period. Events every 10 s for
 * three hours under limit=30/hour; whole seconds everywhere, so polling each second sees each grant's time. */
static void test_limit_beyond_slots(void **state)
{
    static uint64_t sent[REC_MAX];
    unsigned n = 0, i, j;
    uint64_t t;

    (void)state;
    start(BASE "RateLimit=none\nAlert=a: gpio=5 debounce=0 edge=both limit=30/hour\n", high);
    for (t = T0; t <= T0 + 3 * HOUR; t += SEC) {
        if ((t - T0) % (10 * SEC) == 0 && t > T0) {
            change(0, t, (int)((t - T0) / (10 * SEC)) % 2 == 0);
        }
        unsigned before = nrec;
        poll_at(t);
        for (i = before; i < nrec; i++) {
            sent[n++] = t;
        }
    }
    assert_true(n > 60);
    for (i = 0; i < n; i++) {
        for (j = i; j < n && sent[j] < sent[i] + HOUR; j++)
            ;
        assert_true(j - i <= 30);
    }
    /* the first hour's 30 went at once, one per event */
    assert_int_equal(rec[29].ev.events, 1);
    assert_int_equal(rec[30].ev.events > 1, true);
    check_books();
}

/* RateLimit=none and more changes between two polls than the queue holds: the excess folds, nothing is lost. */
static void test_queue_full_folds(void **state)
{
    unsigned k;
    uint32_t total = 0;

    (void)state;
    start(BASE "RateLimit=none\nAlert=a: gpio=5 debounce=0 edge=both\n", high);
    for (k = 0; k < 40; k++) {
        change(0, T0 + (k + 1) * MS, (int)(k % 2));
    }
    poll_at(T0 + SEC);
    assert_int_equal(nrec, ALERT_ENGINE_QUEUE_MAX + 1);
    for (k = 0; k < nrec; k++) {
        total += rec[k].ev.events;
    }
    assert_int_equal(total, 40);
    assert_int_equal(rec[nrec - 1].ev.events, 40 - ALERT_ENGINE_QUEUE_MAX);
    check_books();
}

/* BootMail: one BOOT at init's time, through RateLimit. HeartbeatMail: one per period; waiting ones merge. */
static void test_boot_and_heartbeat(void **state)
{
    (void)state;
    start("MailHub=mx.example.com\nRoot=ops@example.com\nHeartbeatMail=YES\nHeartbeatPeriod=1m\n"
          "RateLimit=1/10m\n",
          NULL);
    assert_int_equal(poll_at(T0), 1);
    assert_int_equal(rec[0].ev.kind, ALERT_EVENT_BOOT);
    assert_int_equal(rec[0].ev.first_us, T0);
    assert_int_equal(poll_at(T0 + MIN - 1), 0);
    /* the boot mail holds the only place until 10 min: heartbeats at 1..9 min wait as one */
    assert_int_equal(poll_at(T0 + 10 * MIN - 1), 0);
    assert_int_equal(poll_at(T0 + 10 * MIN), 1);
    assert_int_equal(rec[1].ev.kind, ALERT_EVENT_HEARTBEAT);
    assert_int_equal(rec[1].ev.events, 9);
    assert_int_equal(rec[1].ev.first_us, T0 + MIN);
    assert_int_equal(rec[1].ev.last_us, T0 + 9 * MIN);
    /* the 10 min heartbeat came just after the release took the place: it waits for the next */
    assert_int_equal(poll_at(T0 + 20 * MIN), 1);
    assert_int_equal(rec[2].ev.first_us, T0 + 10 * MIN);
    assert_int_equal(rec[2].ev.last_us, T0 + 19 * MIN);
}

/* A change at the very moment a waiting heartbeat is released and the next one is due changes nothing: the waiting
 * one goes alone, as it would had only a poll come at that moment. */
static void test_heartbeat_tie_with_change(void **state)
{
    (void)state;
    start(BASE "HeartbeatMail=YES\nHeartbeatPeriod=1m\nRateLimit=1/2m\nAlert=a: gpio=5 debounce=0 edge=both\n", high);
    change(0, T0, 0);
    assert_int_equal(poll_at(T0 + MIN), 1); /* the alert took the place until T0 + 2 min: the heartbeat waits */
    change(0, T0 + 2 * MIN, 1);
    assert_int_equal(poll_at(T0 + 2 * MIN), 1);
    assert_int_equal(rec[1].ev.kind, ALERT_EVENT_HEARTBEAT);
    assert_int_equal(rec[1].ev.events, 1);
    assert_int_equal(rec[1].ev.first_us, T0 + MIN);
    assert_int_equal(rec[1].ev.last_us, T0 + MIN);
}

static void test_heartbeat_without_limit(void **state)
{
    (void)state;
    start(BASE "HeartbeatMail=YES\nHeartbeatPeriod=1m\nRateLimit=none\n", NULL);
    assert_int_equal(poll_at(T0 + 3 * MIN + 1), 3);
    for (unsigned k = 0; k < 3; k++) {
        assert_int_equal(rec[k].ev.kind, ALERT_EVENT_HEARTBEAT);
        assert_int_equal(rec[k].ev.events, 1);
        assert_int_equal(rec[k].ev.first_us, T0 + (k + 1) * MIN);
    }
}

/* Alerts share RateLimit with the boot mail. */
static void test_boot_counts_in_rate_limit(void **state)
{
    static const char conf[] = "MailHub=mx.example.com\nRoot=ops@example.com\nRateLimit=1/hour\n"
                               "Alert=a: gpio=5 debounce=0\n";
    (void)state;
    start(conf, high);
    change(0, T0 + SEC, 0);
    assert_int_equal(poll_at(T0 + SEC), 1);
    assert_int_equal(rec[0].ev.kind, ALERT_EVENT_BOOT);
    assert_int_equal(alert_engine_stats(&eng, 0)->waiting, 1);
    assert_int_equal(poll_at(T0 + HOUR), 1);
    check_alert(1, 0, false, 1, T0 + SEC, T0 + SEC);
    check_books();
}

/*
 * Whatever the caller's polling, the same changes give the same mails in the same order: a pseudo-random script
 * of two pins (ties at whole milliseconds, bounces, limits, heartbeats) run once polling after every change and
 * once polling after every 9th. The queue never fills: RateLimit allows fewer grants than it holds.
 */
static void run_script(unsigned poll_every, struct rec *out, unsigned *count)
{
    static const char conf[] = "MailHub=mx.example.com\nRoot=ops@example.com\nHeartbeatMail=YES\n"
                               "HeartbeatPeriod=1m\nRateLimit=8/minute\n"
                               "Alert=a: gpio=5 debounce=0 edge=both limit=3/10s\n"
                               "Alert=b: gpio=6 debounce=5ms recovery=yes\n";
    uint32_t seed = 12345;
    int level[2] = { 1, 1 };
    uint64_t t = T0;

    start(conf, high);
    for (unsigned k = 1; k <= 3000; k++) {
        unsigned pin;

        seed = seed * 1103515245u + 12345u;
        pin = (seed >> 16) & 1u;
        t += ((seed >> 8) % 4u) * MS; /* 0..3 ms: many changes share a time */
        if ((seed >> 4) % 40u == 0) {
            t += ((seed >> 10) % 20u) * SEC; /* quiet spells: windows open and heartbeats fall between changes */
        }
        level[pin] = !level[pin];
        change(pin, t, level[pin]);
        if (k % poll_every == 0) {
            poll_at(t);
        }
    }
    poll_at(t + HOUR);
    check_books();
    assert_true(nrec > 20);
    memcpy(out, rec, nrec * sizeof(rec[0]));
    *count = nrec;
}

static void test_same_mails_whatever_the_polling(void **state)
{
    static struct rec a[REC_MAX], b[REC_MAX];
    unsigned na, nb;

    (void)state;
    run_script(1, a, &na);
    run_script(9, b, &nb);
    assert_int_equal(na, nb);
    for (unsigned i = 0; i < na; i++) {
        assert_int_equal(a[i].ev.kind, b[i].ev.kind);
        assert_int_equal(a[i].ev.alert, b[i].ev.alert);
        assert_int_equal(a[i].ev.recovered, b[i].ev.recovered);
        assert_int_equal(a[i].ev.events, b[i].ev.events);
        assert_int_equal(a[i].ev.first_us, b[i].ev.first_us);
        assert_int_equal(a[i].ev.last_us, b[i].ev.last_us);
    }
}

/* A bouncing door with a debounce, a per-alert limit and heartbeats over 30 minutes, polled as a main loop that
 * sleeps until alert_engine_next_due() (or the next change, an interrupt) polls: every mail is emitted by a poll at
 * exactly the moment the same script polled every millisecond emits it, and after a poll the next due time is
 * never already past (the loop would spin) nor missing while a summary waits. */
static void sleepy_script(bool dense, struct rec *out, unsigned *count)
{
    static const uint64_t press[] = { 10 * SEC,  10 * SEC + 30 * MS, 10 * SEC + 200 * MS, 11 * SEC, 12 * SEC,
                                      13 * SEC,  14 * SEC,           14 * SEC + 300 * MS, 90 * SEC, 95 * SEC,
                                      700 * SEC, 701 * SEC,          702 * SEC,           703 * SEC };
    const uint64_t end = T0 + 30 * MIN;
    uint64_t now = T0;
    unsigned next_change = 0;
    int level = 1;
    const struct alert_engine_stats *st;

    start(BASE "HeartbeatMail=YES\nHeartbeatPeriod=1m\nRateLimit=12/10m\n"
               "Alert=door: gpio=17 debounce=100ms limit=2/5m\n",
          high);
    while (now < end) {
        uint64_t change_at = next_change < ARRAY_LEN(press) ? T0 + press[next_change] : UINT64_MAX;
        uint64_t wake = dense ? now + MS : alert_engine_next_due(&eng);

        wake = wake < change_at ? wake : change_at;
        wake = wake < end ? wake : end;
        if (!dense) {
            assert_true(wake > now);
        }
        now = wake;
        if (now == change_at) {
            level = !level;
            change(0, now, level);
            next_change++;
        }
        poll_at(now);
        st = alert_engine_stats(&eng, 0);
        if (st->waiting > 0 || st->raw != st->level) {
            assert_true(alert_engine_next_due(&eng) != UINT64_MAX);
        }
        assert_true(alert_engine_next_due(&eng) > now);
    }
    check_books();
    memcpy(out, rec, nrec * sizeof(rec[0]));
    *count = nrec;
}

static void test_next_due_polls_miss_nothing(void **state)
{
    static struct rec dense[REC_MAX], sleepy[REC_MAX];
    unsigned nd, ns;

    (void)state;
    sleepy_script(true, dense, &nd);
    sleepy_script(false, sleepy, &ns);
    assert_true(nd > 30); /* heartbeats and alerts; the window folds some into a summary released as it opens */
    assert_int_equal(nd, ns);
    unsigned folded = 0;
    for (unsigned i = 0; i < nd; i++) {
        folded += dense[i].ev.events > 1;
        assert_int_equal(dense[i].ev.kind, sleepy[i].ev.kind);
        assert_int_equal(dense[i].ev.events, sleepy[i].ev.events);
        assert_int_equal(dense[i].ev.first_us, sleepy[i].ev.first_us);
        assert_int_equal(dense[i].ev.last_us, sleepy[i].ev.last_us);
        assert_int_equal(dense[i].polled_at, sleepy[i].polled_at);
    }
    assert_true(folded > 0);
}

/* A change reported with a time older than the last poll is taken as that poll's time (no debounce shortcut). */
static void test_late_change_is_clamped(void **state)
{
    (void)state;
    start(BASE "Alert=door: gpio=17\n", high);
    assert_int_equal(poll_at(T0 + 10 * SEC), 0);
    change(0, T0 + 9 * SEC, 0);
    assert_int_equal(poll_at(T0 + 10 * SEC + 49 * MS), 0);
    assert_int_equal(poll_at(T0 + 10 * SEC + 50 * MS), 1);
    check_alert(0, 0, false, 1, T0 + 10 * SEC, T0 + 10 * SEC);
}

/* A pin the board refused (negative level at init) is never reported; bad arguments are refused. */
static void test_unwatched_and_bad_args(void **state)
{
    static const int levels[2] = { -1, 1 };

    (void)state;
    start(BASE "Alert=a: gpio=5\nAlert=b: gpio=6\n", levels);
    assert_false(alert_engine_stats(&eng, 0)->watched);
    assert_true(alert_engine_stats(&eng, 1)->watched);
    assert_false(alert_engine_stats(&eng, 0)->alarm);
    change(0, T0 + SEC, 0);
    assert_int_equal(poll_at(T0 + MIN), 0);
    assert_int_equal(alert_engine_stats(&eng, 0)->events, 0);
    assert_int_equal(alert_engine_change(&eng, 2, T0, 0), ALERT_ENGINE_ERR_ARG);
    assert_int_equal(alert_engine_change(NULL, 0, T0, 0), ALERT_ENGINE_ERR_ARG);
    assert_null(alert_engine_stats(&eng, 2));
    assert_int_equal(alert_engine_init(&eng, &cfg, NULL, T0), ALERT_ENGINE_ERR_ARG);
    assert_int_equal(alert_engine_init(NULL, &cfg, levels, T0), ALERT_ENGINE_ERR_ARG);
    assert_int_equal(alert_engine_poll(NULL, T0, collect, NULL), 0);
    assert_string_equal(alert_engine_strerror(ALERT_ENGINE_ERR_ARG), "no engine or configuration, or no such alert");
    assert_string_equal(alert_engine_strerror(ALERT_ENGINE_ERR_ARG - 1), "unknown alert engine error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debounce_storm),
        cmocka_unit_test(test_debounce_without_polls),
        cmocka_unit_test(test_debounce_zero),
        cmocka_unit_test(test_edge_falling),
        cmocka_unit_test(test_edge_rising),
        cmocka_unit_test(test_edge_both),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_alarm_at_boot),
        cmocka_unit_test(test_limit_folds_100_events),
        cmocka_unit_test(test_limit_independent_of_polls),
        cmocka_unit_test(test_summary_state_of_last_event),
        cmocka_unit_test(test_no_overtaking_at_window_open),
        cmocka_unit_test(test_global_limit_order),
        cmocka_unit_test(test_alert_limit_is_per_alert),
        cmocka_unit_test(test_limit_beyond_slots),
        cmocka_unit_test(test_queue_full_folds),
        cmocka_unit_test(test_boot_and_heartbeat),
        cmocka_unit_test(test_heartbeat_tie_with_change),
        cmocka_unit_test(test_heartbeat_without_limit),
        cmocka_unit_test(test_boot_counts_in_rate_limit),
        cmocka_unit_test(test_same_mails_whatever_the_polling),
        cmocka_unit_test(test_next_due_polls_miss_nothing),
        cmocka_unit_test(test_late_change_is_clamped),
        cmocka_unit_test(test_unwatched_and_bad_args),
    };

    return cmocka_run_group_tests_name("alert_engine", tests, NULL, NULL);
}
