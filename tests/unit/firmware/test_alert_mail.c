/*
 * Unit tests for firmware/alert_mail: alert mails from templates with every placeholder and literal braces, the
 * summary paragraph, times without a clock, buffers exactly full and one byte short (an error, never a cut text),
 * the worst template config accepts, and the whole text of boot and heartbeat mails.
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
#include "firmware/alert_mail.h"
#include "mail/mail.h"

#define SEC UINT64_C(1000000)
/* 2026-11-28T12:34:56Z */
#define UTC INT64_C(1795869296)

static const char conf[] =
    "MailHub=mx.example.com\nRoot=ops@example.com\nHostName=pi-door\n"
    "Alert=door: gpio=17 recovery=yes subject=\"{{{host}}} {name}/{gpio} is {state}\" "
    "body=\"At {time} {name} on GPIO {gpio} of {host} was {state}.\\nLiteral: {{name}} and }}.\"\n"
    "Alert=flood: gpio=27 edge=rising pull=down\n"
    "Alert=gate: gpio=4 edge=both pull=none\n";

static struct config cfg;
static char subject[ALERT_MAIL_SUBJECT_SIZE];
static char body[ALERT_MAIL_BODY_SIZE];

static void load(const char *text)
{
    config_init(&cfg);
    assert_int_equal(config_parse(&cfg, "smtp.conf", text, strlen(text), NULL, NULL), 0);
    assert_int_equal(config_finish(&cfg, NULL, NULL), 0);
}

static int setup(void **state)
{
    (void)state;
    load(conf);
    return 0;
}

static struct alert_event alert(unsigned i, bool recovered, uint32_t events, uint64_t first, uint64_t last)
{
    struct alert_event ev = { ALERT_EVENT_ALERT, i, recovered, events, first, last };
    return ev;
}

static int render(const struct alert_event *ev, int64_t first_utc, int64_t last_utc, const struct alert_mail_facts *f)
{
    return alert_mail_render(&cfg, ev, first_utc, last_utc, f, subject, sizeof(subject), body, sizeof(body));
}

static void test_every_placeholder(void **state)
{
    struct alert_event ev = alert(0, false, 1, 7 * SEC, 7 * SEC);

    (void)state;
    assert_int_equal(render(&ev, UTC, UTC, NULL), 0);
    assert_string_equal(subject, "{pi-door} door/17 is triggered");
    assert_string_equal(body, "At 2026-11-28T12:34:56Z door on GPIO 17 of pi-door was triggered.\n"
                              "Literal: {name} and }.");
    ev.recovered = true;
    assert_int_equal(render(&ev, UTC, UTC + 1, NULL), 0);
    assert_string_equal(subject, "{pi-door} door/17 is recovered");
    assert_string_equal(body, "At 2026-11-28T12:34:57Z door on GPIO 17 of pi-door was recovered.\n"
                              "Literal: {name} and }.");
}

static void test_default_templates(void **state)
{
    struct alert_event ev = alert(1, false, 1, 7 * SEC, 7 * SEC);

    (void)state;
    assert_int_equal(render(&ev, UTC, UTC, NULL), 0);
    assert_string_equal(subject, "[pi-door] flood triggered");
    assert_string_equal(body, "flood (GPIO 27) triggered at 2026-11-28T12:34:56Z.");
}

/* Without a clock the outbox should not render, but if it does, {time} says what is known: the uptime. */
static void test_time_without_clock(void **state)
{
    struct alert_event ev = alert(1, false, 1, 3725 * SEC, 3725 * SEC);

    (void)state;
    assert_int_equal(render(&ev, -1, -1, NULL), 0);
    assert_string_equal(body, "flood (GPIO 27) triggered at uptime 0d 01h 02m 05s.");
}

/* A mail that covers several events says how many, the first and last time, and the state after the last. */
static void test_summary(void **state)
{
    struct alert_event ev = alert(1, true, 97, 10 * SEC, 15 * SEC);

    (void)state;
    assert_int_equal(render(&ev, UTC, UTC + 5, NULL), 0);
    assert_string_equal(subject, "[pi-door] flood recovered");
    assert_string_equal(body, "flood (GPIO 27) recovered at 2026-11-28T12:35:01Z.\n"
                              "\n"
                              "This mail covers 97 events that a rate limit held back:\n"
                              "  first  2026-11-28T12:34:56Z\n"
                              "  last   2026-11-28T12:35:01Z\n"
                              "  state  recovered (after the last event)\n");
}

/* Exactly full (text and NUL) is fine; a byte less is MAIL_ERR_OVERFLOW with nothing half-written left. */
static void test_overflow_is_an_error(void **state)
{
    struct alert_event ev = alert(1, false, 1, SEC, SEC);
    const char *want_subject = "[pi-door] flood triggered";
    const char *want_body = "flood (GPIO 27) triggered at 2026-11-28T12:34:56Z.";
    char s[64], b[128];
    size_t ss = strlen(want_subject) + 1, bs = strlen(want_body) + 1;

    (void)state;
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, NULL, s, ss, b, bs), 0);
    assert_string_equal(s, want_subject);
    assert_string_equal(b, want_body);
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, NULL, s, ss - 1, b, bs), MAIL_ERR_OVERFLOW);
    assert_string_equal(s, "");
    assert_string_equal(b, "");
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, NULL, s, ss, b, bs - 1), MAIL_ERR_OVERFLOW);
    assert_string_equal(s, "");
    assert_string_equal(b, "");
    /* the summary paragraph must fit too */
    ev.events = 2;
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, NULL, s, ss, b, sizeof(b)), MAIL_ERR_OVERFLOW);
    assert_string_equal(b, "");
}

/* The largest expansion of the largest templates config accepts fits ALERT_MAIL_SUBJECT_SIZE and _BODY_SIZE. */
static void test_worst_case_fits(void **state)
{
    static char text[8192];
    char host[CONFIG_HOST_MAX + 1], subj[CONFIG_SUBJECT_MAX + 1] = "", bod[CONFIG_BODY_MAX + 1] = "";
    struct alert_event ev = alert(0, false, UINT32_MAX, 0, UINT64_MAX / 2);
    size_t i;

    (void)state;
    memset(host, 'h', sizeof(host));
    host[63] = host[127] = host[191] = '.';
    host[CONFIG_HOST_MAX] = '\0';
    while (strlen(subj) + 6 <= CONFIG_SUBJECT_MAX) {
        strcat(subj, "{host}");
    }
    while (strlen(bod) + 6 <= CONFIG_BODY_MAX) {
        strcat(bod, "{host}");
    }
    snprintf(text, sizeof(text),
             "MailHub=mx.example.com\nRoot=ops@example.com\nHostName=%s\n"
             "Alert=a: gpio=5 subject=\"%s\" body=\"%s\"\n",
             host, subj, bod);
    load(text);
    assert_string_equal(cfg.ehlo_name, host);
    assert_int_equal(render(&ev, INT64_C(253402300799), INT64_C(253402300799), NULL), 0);
    assert_int_equal(strlen(subject), strlen(subj) / 6 * CONFIG_HOST_MAX);
    for (i = 0; i + 1 < strlen(bod) / 6; i++) {
        assert_memory_equal(body + i * CONFIG_HOST_MAX, host, CONFIG_HOST_MAX);
    }
    assert_non_null(strstr(body, "This mail covers 4294967295 events"));
}

/* clang-format off */
static const struct alert_mail_input inputs[3] = {
	{ NULL, 11, { .watched = true, .level = 1, .raw = 1, .changed = true, .last_change_us = 100 * SEC,
		      .changes = 6, .events = 6, .mails = 4, .folded = 2, .waiting = 1 } },
	{ NULL, 13, { .watched = true, .level = 1, .raw = 1, .alarm = true } },
	{ "GPIO 4 is the board's 1-Wire bus", 7, { .watched = false } },
};
/* clang-format on */

/* clang-format off */
static const struct alert_mail_failure failures[2] = {
	{ ALERT_EVENT_ALERT, 0, UTC - 60, "550 5.1.1 <ops@example.com>: Recipient address rejected" },
	{ ALERT_EVENT_HEARTBEAT, 0, -1, "554 5.7.1 Rejected" },
};
/* clang-format on */

static struct alert_mail_facts facts(void)
{
    struct alert_mail_facts f = {
        .version = "v1.4-2-gabcdef0",
        .board = "Raspberry Pi 2 Model B",
        .reset_cause = "watchdog",
        .reset_detail = "main loop stalled",
        .address = "192.168.1.50",
        .uptime_us = 3723 * SEC,
        .inputs = inputs,
        .queued = 1,
        .delivered = 12,
        .failure_count = 2,
        .failures = failures,
    };
    return f;
}

static void test_boot_mail(void **state)
{
    struct alert_mail_facts f = facts();
    struct alert_event ev = { ALERT_EVENT_BOOT, 0, false, 1, 2 * SEC, 2 * SEC };

    (void)state;
    f.delivered = 0;
    f.failure_count = 0;
    f.uptime_us = 30 * SEC;
    assert_int_equal(render(&ev, UTC, UTC, &f), 0);
    assert_string_equal(subject, "[pi-door] baremail started");
    assert_string_equal(body,
                        "baremail v1.4-2-gabcdef0 on Raspberry Pi 2 Model B started at 2026-11-28T12:34:56Z.\n"
                        "Reset cause: watchdog (main loop stalled)\n"
                        "Address: 192.168.1.50\n"
                        "\n"
                        "Inputs:\n"
                        "  door: GPIO 17 (header pin 11), pull up, edge falling: normal (high)\n"
                        "  flood: GPIO 27 (header pin 13), pull down, edge rising: TRIGGERED (high) since boot, not "
                        "mailed as an alert\n"
                        "  gate: GPIO 4 (header pin 7): not watched: GPIO 4 is the board's 1-Wire bus\n"
                        "\n"
                        "Outbox: 1 waiting, 0 delivered and 0 undeliverable since the last report.\n");
    /* no address yet, no reset cause known */
    f.address = NULL;
    f.reset_cause = "";
    assert_int_equal(render(&ev, UTC, UTC, &f), 0);
    assert_non_null(strstr(body, "\nAddress: none yet\n"));
    assert_null(strstr(body, "Reset cause"));
}

static void test_heartbeat_mail(void **state)
{
    struct alert_mail_facts f = facts();
    struct alert_event ev = { ALERT_EVENT_HEARTBEAT, 0, false, 1, 3723 * SEC, 3723 * SEC };

    (void)state;
    assert_int_equal(render(&ev, UTC, UTC, &f), 0);
    assert_string_equal(subject, "[pi-door] heartbeat: up 0d 01h 02m 03s");
    assert_string_equal(
        body, "baremail v1.4-2-gabcdef0 on Raspberry Pi 2 Model B is running at 2026-11-28T12:34:56Z; up 0d "
              "01h 02m 03s.\n"
              "Address: 192.168.1.50\n"
              "\n"
              "Inputs (counts since boot):\n"
              "  door: GPIO 17 (header pin 11), pull up, edge falling: normal (high); 6 events, 4 mails, 2 in "
              "summaries, 1 waiting; last change 0d 01h 00m 23s ago\n"
              "  flood: GPIO 27 (header pin 13), pull down, edge rising: TRIGGERED (high) since boot, not "
              "mailed as an alert; 0 events, 0 mails, 0 in summaries, 0 waiting\n"
              "  gate: GPIO 4 (header pin 7): not watched: GPIO 4 is the board's 1-Wire bus\n"
              "\n"
              "Outbox: 1 waiting, 12 delivered and 2 undeliverable since the last report:\n"
              "  door alert of 2026-11-28T12:33:56Z: 550 5.1.1 <ops@example.com>: Recipient address "
              "rejected\n"
              "  heartbeat: 554 5.7.1 Rejected\n");
    /* a heartbeat that waited for the rate limit says how many it stands for */
    ev.events = 3;
    ev.first_us = 1000 * SEC;
    assert_int_equal(render(&ev, UTC - 2723, UTC, &f), 0);
    assert_non_null(strstr(body, "\nThis heartbeat stands for 3 that a rate limit held back, due from "
                                 "2026-11-28T11:49:33Z to 2026-11-28T12:34:56Z.\n"));
}

static void test_no_alerts(void **state)
{
    struct alert_mail_facts f = facts();
    struct alert_event ev = { ALERT_EVENT_BOOT, 0, false, 1, 0, 0 };

    (void)state;
    load("MailHub=mx.example.com\nRoot=ops@example.com\n");
    f.inputs = NULL;
    assert_int_equal(render(&ev, UTC, UTC, &f), 0);
    assert_non_null(strstr(body, "\nNo Alert lines in smtp.conf: no input is watched.\n"));
    assert_string_equal(subject, "[baremail] baremail started");
}

/* The report grows with the outbox's failures: when it does not fit, an error, not a cut list. */
static void test_report_overflow(void **state)
{
    struct alert_mail_facts f = facts();
    struct alert_event ev = { ALERT_EVENT_HEARTBEAT, 0, false, 1, 0, 0 };
    char s[80];
    static char b[ALERT_MAIL_REPORT_SIZE];
    size_t full;

    (void)state;
    assert_int_equal(render(&ev, UTC, UTC, &f), 0);
    full = strlen(body) + 1;
    assert_non_null(strstr(body, "554 5.7.1 Rejected\n"));
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, &f, s, sizeof(s), b, full), 0);
    assert_string_equal(b, body);
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, &f, s, sizeof(s), b, full - 1), MAIL_ERR_OVERFLOW);
    assert_string_equal(s, "");
    assert_string_equal(b, "");
    /* the subject too */
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, &f, s, strlen(subject), b, full), MAIL_ERR_OVERFLOW);
    assert_string_equal(b, "");
}

static void test_bad_arguments(void **state)
{
    struct alert_mail_facts f = facts();
    struct alert_event ev = alert(3, false, 1, 0, 0);

    (void)state;
    assert_int_equal(render(&ev, UTC, UTC, NULL), MAIL_ERR_ARG);
    ev.kind = ALERT_EVENT_BOOT;
    assert_int_equal(render(&ev, UTC, UTC, NULL), MAIL_ERR_ARG);
    f.inputs = NULL;
    assert_int_equal(render(&ev, UTC, UTC, &f), MAIL_ERR_ARG);
    assert_int_equal(alert_mail_render(NULL, &ev, UTC, UTC, &f, subject, 1, body, 1), MAIL_ERR_ARG);
    assert_int_equal(alert_mail_render(&cfg, &ev, UTC, UTC, &f, subject, 0, body, 1), MAIL_ERR_ARG);
}

static void test_duration(void **state)
{
    char buf[32];

    (void)state;
    assert_int_equal(alert_mail_duration(0, buf, sizeof(buf)), 14);
    assert_string_equal(buf, "0d 00h 00m 00s");
    assert_int_equal(alert_mail_duration((2 * 86400 + 3 * 3600 + 4 * 60 + 5) * SEC + 999999, buf, sizeof(buf)), 14);
    assert_string_equal(buf, "2d 03h 04m 05s");
    assert_int_equal(alert_mail_duration(0, buf, 14), MAIL_ERR_OVERFLOW);
    assert_int_equal(alert_mail_duration(UINT64_MAX, buf, sizeof(buf)), 22);
    assert_string_equal(buf, "213503982d 08h 01m 49s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_placeholder, setup),
        cmocka_unit_test_setup(test_default_templates, setup),
        cmocka_unit_test_setup(test_time_without_clock, setup),
        cmocka_unit_test_setup(test_summary, setup),
        cmocka_unit_test_setup(test_overflow_is_an_error, setup),
        cmocka_unit_test_setup(test_worst_case_fits, setup),
        cmocka_unit_test_setup(test_boot_mail, setup),
        cmocka_unit_test_setup(test_heartbeat_mail, setup),
        cmocka_unit_test_setup(test_no_alerts, setup),
        cmocka_unit_test_setup(test_report_overflow, setup),
        cmocka_unit_test_setup(test_bad_arguments, setup),
        cmocka_unit_test_setup(test_duration, setup),
    };

    return cmocka_run_group_tests_name("alert_mail", tests, NULL, NULL);
}
