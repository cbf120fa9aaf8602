/* Unit tests for firmware/mail_cmd: `test` and `sendmail` wait through the main loop's pass (USB, network and the
 * transport keep running while they wait for the clock, read a message or submit it), a message is composed only
 * once the clock is set (so it has a Date), and a clock that never comes ends with the next step to take.
 *
 * The command runs for real (console, mail composition, the main loop's pass); the network, the clock, the random
 * numbers and the SMTP transport are fakes below, and the board is tests/unit/fakes/fake_board.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "fake_board.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "firmware/mail_cmd.h"
#include "net/clock.h"
#include "net/net.h"
#include "net/random.h"
#include "net/smtp_client.h"
#include "stdout_capture.h"

#define MESSAGE_MAX (256u * 1024u)
#define CLOCK_UTC   1893553445u /* 2030-01-02 03:04:05 UTC */

static struct config cfg;
static struct {
    bool net_up;
    bool clock_set;
    unsigned clock_after; /* board_idle_until() calls after which NTP sets the clock (0: never) */
    const char *ntp_name; /* the configured NTP server's name, NULL for none */
    unsigned net_polls, smtp_polls;
    unsigned net_polls_at_start; /* fake_board_net_poll_calls() when smtp_client_start() was called */
    unsigned starts;
    bool running;
    unsigned done_after; /* smtp_client_poll() calls after the start until the server's 250 */
    struct smtp_message *msg;
    char text[MESSAGE_MAX];
    size_t text_len;
    const char *input; /* console input fed one byte per pass (a person typing) */
    size_t input_pos;
} fake;

/* ---- fakes of config_load, net, clock, random and the SMTP transport --------------------------------------- */

const struct config *config_load_current(void)
{
    return &cfg;
}

int config_load_result(void)
{
    return 0;
}

const char *config_load_strerror(int err)
{
    (void)err;
    return "fake";
}

bool net_is_up(void)
{
    return fake.net_up;
}

void net_get_status(struct net_status *st)
{
    memset(st, 0, sizeof *st);
    st->has_address = fake.net_up;
    IP4_ADDR(&st->address, 10, 0, 2, 15);
    st->ntp[0].name = fake.ntp_name;
    st->ntp_running = fake.net_up;
}

void net_poll(void)
{
    fake.net_polls++;
}

bool net_clock_is_set(void)
{
    return fake.clock_set;
}

void net_clock_get_utc(uint32_t *sec, uint32_t *usec)
{
    *sec = fake.clock_set ? CLOCK_UTC : 5;
    *usec = 0;
}

int net_random_u64(uint64_t *out)
{
    *out = UINT64_C(0x5a5a5a5a5a5a5a5a);
    return 0;
}

int smtp_client_start(const struct smtp_client_settings *settings, struct smtp_message *msgs, unsigned count,
                      smtp_client_report_fn report, void *report_ctx)
{
    (void)settings;
    (void)report;
    (void)report_ctx;
    assert_int_equal(count, 1);
    fake.starts++;
    fake.net_polls_at_start = fake_board_net_poll_calls();
    fake.msg = msgs;
    fake.text_len = 0;
    int n;
    while ((n = msgs->read(msgs->read_ctx, (uint8_t *)fake.text + fake.text_len, MESSAGE_MAX - 1 - fake.text_len)) >
           0) {
        fake.text_len += (size_t)n;
    }
    fake.text[fake.text_len] = '\0';
    fake.running = true;
    fake.smtp_polls = 0;
    return 0;
}

/* Inputs and the outbox have their own tests; here they only have to be there for the pass. */
void alerts_poll(void)
{
}

void outbox_delivery_poll(void)
{
}

void smtp_client_poll(void)
{
    if (!fake.running) {
        return;
    }
    if (++fake.smtp_polls >= fake.done_after) {
        fake.running = false;
        fake.msg->result = (struct smtp_result){ .err = SMTP_OK };
        fake.msg->rcpt_accepted = fake.msg->rcpt_count;
    }
}

bool smtp_client_done(void)
{
    return !fake.running;
}

void smtp_client_cancel(void)
{
    fake.running = false;
}

const struct smtp_result *smtp_client_result(void)
{
    static const struct smtp_result ok = { .err = SMTP_OK };
    return &ok;
}

const struct smtp_stats *smtp_client_stats(void)
{
    static const struct smtp_stats stats;
    return &stats;
}

const char *smtp_client_strerror(int err)
{
    (void)err;
    return "fake";
}

/* ---- the test's clock and typist ---------------------------------------------------------------------------- */

static void on_idle(void)
{
    if (fake.clock_after != 0 && fake_board_idle_calls() >= fake.clock_after) {
        fake.clock_set = true;
    }
    if (fake.input != NULL && fake.input[fake.input_pos] != '\0') {
        fake_board_queue_input(&fake.input[fake.input_pos++], 1);
    }
}

static const char conf_text[] = "Root=admin@example.test\nMailHub=mail.example.test:587\nHostName=pi.example.test\n"
                                "UseTLS=YES\nUseSTARTTLS=YES\nNTPServer=ntp.example.test\nConnectTimeout=2\n";

static int setup(void **state)
{
    (void)state;
    memset(&fake, 0, sizeof fake);
    fake.net_up = true;
    fake.ntp_name = "ntp.example.test";
    fake.done_after = 5;
    fake_board_reset();
    fake_board_set_idle_hook(on_idle);
    config_init(&cfg);
    assert_int_equal(config_parse(&cfg, "smtp.conf", conf_text, strlen(conf_text), NULL, NULL), 0);
    console_init();
    assert_int_equal(mail_cmd_register(), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end(); /* fake_board_reset() in the next setup drops the idle hook */
    return 0;
}

static int run(const char *line, const char **out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", line);
    stdout_capture_begin();
    int rc = console_execute(buf);
    *out = stdout_capture_end();
    return rc;
}

static bool has_header(const char *text, const char *name)
{
    char want[64];
    snprintf(want, sizeof want, "\r\n%s: ", name);
    const char *end = strstr(text, "\r\n\r\n");
    const char *at = strstr(text, want);
    return strncmp(text, want + 2, strlen(want) - 2) == 0 || (at != NULL && end != NULL && at < end);
}

/* ---- tests ------------------------------------------------------------------------------------------------- */

/* The clock is set: no wait, a Date, and the submission runs through the whole pass (USB included). */
static void test_test_with_the_clock(void **state)
{
    (void)state;
    fake.clock_set = true;
    const char *out;
    assert_int_equal(run("test you@example.test", &out), 0);
    assert_null(strstr(out, "waiting for the clock"));
    assert_non_null(strstr(out, "sending a test message to you@example.test (Ctrl-C cancels)\n"));
    assert_int_equal(fake.starts, 1);
    assert_true(has_header(fake.text, "Date"));
    assert_non_null(strstr(fake.text, "Date: Wed, 2 Jan 2030 03:04:05 +0000"));
    /* The transport finished after 5 of its polls, each in a whole pass with USB and the network. */
    assert_int_equal(fake_board_net_poll_calls() - fake.net_polls_at_start, 5);
    assert_int_equal(fake.net_polls, 5);
}

/* Typed before NTP answered: the command waits through the loop, says for which server, and composes the message
 * only once the clock is set, so it has a Date. */
static void test_test_waits_for_the_clock(void **state)
{
    (void)state;
    fake.clock_after = 40;
    const char *out;
    assert_int_equal(run("test you@example.test", &out), 0);
    assert_non_null(strstr(out, "waiting for the clock (NTP server ntp.example.test)\n"));
    assert_int_equal(fake.starts, 1);
    assert_true(fake.net_polls_at_start >= 40);
    assert_true(has_header(fake.text, "Date"));
    assert_non_null(strstr(fake.text, "Date: Wed, 2 Jan 2030 03:04:05 +0000"));
    assert_null(strstr(fake.text, "unknown"));
}

/* A clock that never comes: nothing is sent after ConnectTimeout (2 s here), and the error says what to look at. */
static void test_test_clock_never_comes(void **state)
{
    (void)state;
    const char *out;
    assert_int_equal(run("test you@example.test", &out), CONSOLE_ERR_FAILED);
    assert_int_equal(fake.starts, 0);
    assert_non_null(strstr(out, "waiting for the clock (NTP server ntp.example.test)\n"));
    assert_non_null(strstr(out, "test: the clock is still not set after 2000 ms (ConnectTimeout): no answer from NTP "
                                "server ntp.example.test; check NTPServer in smtp.conf, and `net` for the NTP state; "
                                "nothing sent\n"));
    /* Bounded by ConnectTimeout in board time (1 ms per idle), through the whole pass. */
    assert_in_range(fake_board_idle_calls(), 2000, 2001);
    assert_int_equal(fake_board_net_poll_calls(), fake_board_idle_calls());
}

/* No NTP server known at all: no point waiting; the error names NTPServer. */
static void test_test_without_an_ntp_server(void **state)
{
    (void)state;
    fake.ntp_name = NULL;
    const char *out;
    assert_int_equal(run("test", &out), CONSOLE_ERR_FAILED);
    assert_int_equal(fake.starts, 0);
    assert_non_null(strstr(out, "no NTP server to set it: set NTPServer in smtp.conf (`net` shows the NTP state)"));
}

/* Ctrl-C while waiting for the clock cancels the command. */
static void test_ctrl_c_during_the_clock_wait(void **state)
{
    (void)state;
    fake.input = "\x03";
    const char *out;
    assert_int_equal(run("test", &out), CONSOLE_ERR_FAILED);
    assert_int_equal(fake.starts, 0);
    assert_non_null(strstr(out, "^C\ntest: cancelled, nothing sent\n"));
}

/* A pinned certificate lets TLS work without a clock, but the message still needs a Date: it waits too. */
static void test_pinned_certificate_still_waits(void **state)
{
    (void)state;
    cfg.has_fingerprint = true;
    fake.clock_after = 10;
    const char *out;
    assert_int_equal(run("test", &out), 0);
    assert_non_null(strstr(out, "waiting for the clock"));
    assert_true(has_header(fake.text, "Date"));
}

/* sendmail reads a message typed one byte per pass: the whole pass runs while it waits for each byte. */
static void test_sendmail_reader_runs_the_pass(void **state)
{
    (void)state;
    fake.clock_set = true;
    fake.input = "Subject: hi\r\n\r\nbody\r\n..\r\n.\r\n";
    const char *out;
    assert_int_equal(run("sendmail you@example.test", &out), 0);
    size_t input_len = strlen(fake.input);
    /* One byte per pass: a pass for each byte up to the terminating CR (the LF is left to the console). */
    assert_true(fake.net_polls_at_start >= input_len - 1);
    assert_int_equal(fake.net_polls, fake_board_net_poll_calls());
    assert_true(has_header(fake.text, "Date"));
    assert_non_null(strstr(fake.text, "\r\n\r\nbody\r\n.\r\n"));
}

/* sendmail before the clock: the message is read first, then the wait, then it is dated and sent. */
static void test_sendmail_waits_for_the_clock(void **state)
{
    (void)state;
    fake.input = "Subject: hi\r\n\r\nbody\r\n.\r\n";
    fake.clock_after = 100;
    const char *out;
    assert_int_equal(run("sendmail you@example.test", &out), 0);
    assert_non_null(strstr(out, "waiting for the clock (NTP server ntp.example.test)\n"));
    assert_true(has_header(fake.text, "Date"));
    assert_non_null(strstr(fake.text, "Date: Wed, 2 Jan 2030 03:04:05 +0000"));
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_test_with_the_clock),           TEST(test_test_waits_for_the_clock),
        TEST(test_test_clock_never_comes),        TEST(test_test_without_an_ntp_server),
        TEST(test_ctrl_c_during_the_clock_wait),  TEST(test_pinned_certificate_still_waits),
        TEST(test_sendmail_reader_runs_the_pass), TEST(test_sendmail_waits_for_the_clock),
    };
    return cmocka_run_group_tests_name("mail_cmd", tests, NULL, NULL);
}
