/*
 * Unit tests for firmware/outbox_delivery: the glue between the outbox and the SMTP transport, over the real queue,
 * classifier, mail texts and composer, with the network, the clock, the inputs and the transport faked here.
 * A mail waits for the clock and then carries its event's Date; one session sends what is due and its outcome
 * reaches the queue, the console and the ACT LED (mail waiting, configuration fault, running); a session the
 * console ran is left one pass for its results to be read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "fake_board.h"
#include "firmware/alerts.h"
#include "firmware/outbox_delivery.h"
#include "firmware/persist.h"
#include "net/clock.h"
#include "net/net.h"
#include "net/random.h"
#include "net/smtp_client.h"
#include "stdout_capture.h"

#define S           1000000ull
#define UTC_NOW     INT64_C(1795869296) /* Sat, 28 Nov 2026 12:34:56 +0000 */
#define MESSAGE_MAX 8192

static const char conf_text[] = "Root=ops@example.com\nMailHub=mail.example.com:587\nUseSTARTTLS=YES\n"
                                "AuthUser=pi@example.com\nAuthPass=secret\nHostName=pi-door\nBootMail=NO\n"
                                "Alert = door: gpio=17 subject=\"Door {state}\"\n";
/* The alert's account has a mail hub of its own: the session's server shows which account it was started for. */
static const char aliases_text[] = "door:pi@example.com:alerts.example.com:465\n";
static struct config cfg;

/* ---- fakes: clock, network, randomness, inputs, event log, SMTP transport ------------------------------------ */

static struct {
    bool clock_set;
    bool net_up;
    unsigned starts;
    bool running; /* a session is under way */
    struct smtp_message *msgs;
    unsigned count;
    char text[MESSAGE_MAX]; /* the first message of the last session */
    const char *host;       /* the server of the last session */
    uint16_t port;
} fake;

bool net_clock_is_set(void)
{
    return fake.clock_set;
}

/* Uptime 100 s is UTC_NOW. */
void net_clock_get_utc(uint32_t *sec, uint32_t *usec)
{
    *sec = (uint32_t)(UTC_NOW + (int64_t)(board_uptime_us() / S) - 100);
    *usec = 0;
}

bool net_is_up(void)
{
    return fake.net_up;
}

void net_get_status(struct net_status *st)
{
    memset(st, 0, sizeof *st);
}

int net_random_u64(uint64_t *out)
{
    *out = UINT64_C(0x0123456789abcdef);
    return 0;
}

unsigned alerts_facts(struct alert_mail_input *inputs, unsigned max)
{
    (void)inputs;
    (void)max;
    return 0;
}

void persist_event(enum event_log_type type, uint32_t arg, const char *fmt, ...)
{
    (void)type;
    (void)arg;
    (void)fmt;
}

int smtp_client_start(const struct smtp_client_settings *settings, struct smtp_message *msgs, unsigned count,
                      smtp_client_report_fn report, void *report_ctx)
{
    (void)report;
    (void)report_ctx;
    fake.starts++;
    fake.running = true;
    fake.msgs = msgs;
    fake.count = count;
    fake.host = settings->host;
    fake.port = settings->port;
    struct smtp_text *reader = msgs[0].read_ctx;
    size_t n = reader->len < MESSAGE_MAX - 1 ? reader->len : MESSAGE_MAX - 1;
    memcpy(fake.text, reader->text, n);
    fake.text[n] = '\0';
    return 0;
}

bool smtp_client_done(void)
{
    return !fake.running;
}

const char *smtp_client_strerror(int err)
{
    (void)err;
    return "transport error";
}

/* Ends the running session: every message gets `code` at `step` (250: accepted by every recipient). */
static void answer(unsigned code, enum smtp_step step, const char *text)
{
    for (unsigned i = 0; i < fake.count; i++) {
        struct smtp_message *m = &fake.msgs[i];
        struct smtp_reply r = { .code = (uint16_t)code, .lines = 1 };
        snprintf(r.text, sizeof r.text, "%s", text);
        for (unsigned k = 0; k < m->rcpt_count; k++) {
            m->rcpt_replies[k] = code / 100 == 2 ? r : (struct smtp_reply){ .code = 250, .lines = 1 };
        }
        m->result = (struct smtp_result){
            .err = code / 100 == 2 ? SMTP_OK : SMTP_ERR_REPLY, .step = step, .temporary = code / 100 == 4, .reply = r
        };
        m->rcpt_accepted = code / 100 == 2 ? m->rcpt_count : 0;
    }
    fake.running = false;
}

/* ---- helpers ----------------------------------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    memset(&fake, 0, sizeof fake);
    fake_board_reset();
    fake_board_set_uptime_us(10 * S);
    config_init(&cfg);
    assert_int_equal(config_parse(&cfg, "smtp.conf", conf_text, strlen(conf_text), NULL, NULL), 0);
    assert_int_equal(config_parse_revaliases(&cfg, "revaliases", aliases_text, strlen(aliases_text), NULL, NULL), 0);
    assert_int_equal(config_finish(&cfg, NULL, NULL), 0);
    outbox_delivery_init(&cfg, NULL);
    stdout_capture_begin();
    return 0;
}

static void raise_alert(uint64_t at_us)
{
    struct alert_event ev = { .kind = ALERT_EVENT_ALERT, .alert = 0, .events = 1, .first_us = at_us, .last_us = at_us };
    outbox_delivery_add(NULL, &ev);
}

/* What the console printed since the case began (the capture goes on). */
static const char *console_text(void)
{
    static char text[16384];
    static size_t len;
    const char *more = stdout_capture_end();
    size_t n = strlen(more);
    if (n > sizeof text - 1 - len) {
        n = sizeof text - 1 - len;
    }
    memcpy(text + len, more, n);
    len += n;
    text[len] = '\0';
    stdout_capture_begin();
    return text;
}

/* Two polls: the first sees the transport idle, the second may start (see the one-pass wait). */
static void poll_twice(void)
{
    outbox_delivery_poll();
    outbox_delivery_poll();
}

/* A session a case left running ends, so that its messages are freed before the next case starts over. */
static int teardown(void **state)
{
    (void)state;
    if (fake.running) {
        answer(250, SMTP_STEP_NONE, "Ok");
        outbox_delivery_poll();
    }
    stdout_capture_end();
    return 0;
}

/* ---- cases ------------------------------------------------------------------------------------------------- */

static void test_waits_for_the_clock_then_dates_the_event(void **state)
{
    (void)state;
    fake.net_up = true;
    raise_alert(10 * S);
    assert_int_equal(fake_board_led_status(), BOARD_LED_MAIL_WAITING);
    fake_board_set_uptime_us(60 * S);
    poll_twice();
    assert_int_equal(fake.starts, 0);

    /* The clock comes at uptime 100 s: the alert of uptime 10 s is dated 90 s before UTC_NOW. */
    fake.clock_set = true;
    fake_board_set_uptime_us(100 * S);
    poll_twice();
    assert_int_equal(fake.starts, 1);
    assert_string_equal(fake.host, "alerts.example.com"); /* the revaliases hub of the alert's account, "door" */
    assert_int_equal(fake.port, 465);
    assert_non_null(strstr(fake.text, "Date: Sat, 28 Nov 2026 12:33:26 +0000\r\n"));
    assert_non_null(strstr(fake.text, "Subject: Door triggered\r\n"));
    assert_non_null(strstr(fake.text, "To: ops@example.com\r\n"));

    answer(250, SMTP_STEP_NONE, "Ok: queued as 4F2");
    outbox_delivery_poll();
    assert_int_equal(outbox_count(outbox_delivery_queue()), 0);
    assert_int_equal(fake_board_led_status(), BOARD_LED_RUNNING);
    assert_non_null(strstr(console_text(), "outbox: mail 1 (door triggered) delivered: 250"));
}

static void test_no_session_without_the_network(void **state)
{
    (void)state;
    fake.clock_set = true;
    raise_alert(10 * S);
    poll_twice();
    assert_int_equal(fake.starts, 0);
    fake.net_up = true;
    poll_twice();
    assert_int_equal(fake.starts, 1);
}

static void test_auth_refused_is_a_configuration_fault(void **state)
{
    (void)state;
    fake.clock_set = fake.net_up = true;
    raise_alert(10 * S);
    poll_twice();
    answer(535, SMTP_STEP_AUTH, "5.7.8 Authentication credentials invalid");
    outbox_delivery_poll();
    assert_int_equal(fake_board_led_status(), BOARD_LED_CONFIG_ERROR);
    assert_int_equal(outbox_count(outbox_delivery_queue()), 1);
    assert_true(outbox_config_fault(outbox_delivery_queue()));
    assert_non_null(strstr(console_text(), "configuration fault: AUTH failed: 535"));
    /* Not again before the cap ... */
    fake_board_set_uptime_us(10 * S + 60 * S);
    poll_twice();
    assert_int_equal(fake.starts, 1);
    /* ... unless the user asks (`outbox retry`), and a success clears the fault. */
    outbox_delivery_retry();
    poll_twice();
    assert_int_equal(fake.starts, 2);
    answer(250, SMTP_STEP_NONE, "Ok");
    outbox_delivery_poll();
    assert_int_equal(fake_board_led_status(), BOARD_LED_RUNNING);
}

static void test_temporary_failure_waits_for_its_backoff(void **state)
{
    (void)state;
    fake.clock_set = fake.net_up = true;
    raise_alert(10 * S);
    poll_twice();
    answer(421, SMTP_STEP_GREETING, "4.3.2 Service not available");
    outbox_delivery_poll();
    assert_int_equal(fake_board_led_status(), BOARD_LED_MAIL_WAITING);
    const struct outbox_entry *e = outbox_entry_at(outbox_delivery_queue(), 0);
    assert_non_null(e);
    assert_non_null(strstr(e->last_reply, "421"));
    /* A main loop that sleeps until the outbox's deadline wakes at the backoff's end, not before, not after. */
    assert_true(outbox_delivery_next_deadline_us() == e->next_try_us);
    fake_board_set_uptime_us(e->next_try_us - 1);
    poll_twice();
    assert_int_equal(fake.starts, 1);
    fake_board_set_uptime_us(e->next_try_us);
    poll_twice();
    assert_int_equal(fake.starts, 2);
}

/* The outbox's deadline for the main loop's sleep: none while a gate (clock, network, a session running) is shut,
 * whose opening is other work's; at once for a due mail, and for a session that ended outside a pass (Ctrl-C). */
static void test_next_deadline_follows_the_gates(void **state)
{
    (void)state;
    assert_true(outbox_delivery_next_deadline_us() == UINT64_MAX); /* nothing queued */
    raise_alert(10 * S);
    assert_true(outbox_delivery_next_deadline_us() == UINT64_MAX); /* no clock, no network */
    fake.clock_set = true;
    assert_true(outbox_delivery_next_deadline_us() == UINT64_MAX);
    fake.net_up = true;
    assert_true(outbox_delivery_next_deadline_us() <= board_uptime_us());
    fake.running = true; /* the console's `test` holds the transport */
    assert_true(outbox_delivery_next_deadline_us() == UINT64_MAX);
    fake.running = false;
    assert_true(outbox_delivery_next_deadline_us() <= board_uptime_us());
    poll_twice();
    assert_int_equal(fake.starts, 1);
    assert_true(outbox_delivery_next_deadline_us() == UINT64_MAX); /* its own session runs */
    answer(250, SMTP_STEP_NONE, "Ok");
    assert_true(outbox_delivery_next_deadline_us() <= board_uptime_us()); /* ended: the next pass takes it in */
    outbox_delivery_poll();
    assert_int_equal(outbox_count(outbox_delivery_queue()), 0);
    assert_true(outbox_delivery_next_deadline_us() == UINT64_MAX);
}

/* The console's `test` ran a session that ended in this pass: its results are read after the pass, so the outbox
 * starts nothing until the next one. */
static void test_waits_one_pass_after_another_session(void **state)
{
    (void)state;
    fake.clock_set = fake.net_up = true;
    fake.running = true; /* someone else's session */
    raise_alert(10 * S);
    outbox_delivery_poll();
    fake.running = false;
    outbox_delivery_poll();
    assert_int_equal(fake.starts, 0);
    outbox_delivery_poll();
    assert_int_equal(fake.starts, 1);
}

static void test_several_mails_in_one_session_oldest_first(void **state)
{
    (void)state;
    fake.clock_set = fake.net_up = true;
    raise_alert(10 * S);
    struct alert_event rec = {
        .kind = ALERT_EVENT_ALERT, .alert = 0, .recovered = true, .events = 1, .first_us = 11 * S, .last_us = 11 * S
    };
    outbox_delivery_add(NULL, &rec);
    poll_twice();
    assert_int_equal(fake.starts, 1);
    assert_int_equal(fake.count, 2);
    assert_non_null(strstr(fake.text, "Subject: Door triggered\r\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_waits_for_the_clock_then_dates_the_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_session_without_the_network, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_refused_is_a_configuration_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_temporary_failure_waits_for_its_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_deadline_follows_the_gates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_waits_one_pass_after_another_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_mails_in_one_session_oldest_first, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
