/*
 * Unit tests for firmware/outbox_classify: each kind of SMTP outcome the engine reports becomes the outbox outcome
 * its policy needs (delivered, temporary, permanent, configuration fault), with the deciding reply quoted and the
 * recipients that accepted remembered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "firmware/outbox_classify.h"

static const char *const rcpts[] = { "a@example.com", "b@example.com", "c@example.com" };
static struct smtp_message msg;
static struct smtp_reply replies[3];
static char line[256];
static uint32_t accepted;

static void set_reply(struct smtp_reply *r, unsigned code, const char *text)
{
    memset(r, 0, sizeof *r);
    r->code = (uint16_t)code;
    r->lines = 1;
    snprintf(r->text, sizeof r->text, "%s", text);
}

static int setup(void **state)
{
    (void)state;
    memset(&msg, 0, sizeof msg);
    msg.from = "pi@example.com";
    msg.rcpt = rcpts;
    msg.rcpt_count = 3;
    for (unsigned i = 0; i < 3; i++) {
        set_reply(&replies[i], 250, "Ok");
    }
    msg.result.err = SMTP_OK;
    set_reply(&msg.result.reply, 250, "Ok: queued as 4F2");
    accepted = 0xdead;
    return 0;
}

static void set_failure(enum smtp_step step, int err, bool temporary, unsigned code, const char *text)
{
    msg.result.err = err;
    msg.result.step = step;
    msg.result.temporary = temporary;
    set_reply(&msg.result.reply, code, text);
}

static enum outbox_outcome classify(void)
{
    return outbox_classify(&msg, replies, &accepted, line, sizeof line);
}

static void test_delivered_to_all(void **state)
{
    (void)state;
    assert_int_equal(classify(), OUTBOX_DELIVERED);
    assert_int_equal(accepted, 7u);
    assert_non_null(strstr(line, "queued as 4F2"));
    /* The server's reply as it came, without the console's "sent: " before it. */
    assert_int_equal(strncmp(line, "250 ", 4), 0);
}

static void test_temporary_replies_and_lost_connections(void **state)
{
    (void)state;
    set_failure(SMTP_STEP_GREETING, SMTP_ERR_REPLY, true, 421, "Service not available");
    assert_int_equal(classify(), OUTBOX_TEMPORARY);
    assert_int_equal(accepted, 0);
    assert_non_null(strstr(line, "421"));
    setup(NULL);
    set_failure(SMTP_STEP_CONNECT, SMTP_ERR_TRANSPORT, true, 0, "");
    assert_int_equal(classify(), OUTBOX_TEMPORARY);
    setup(NULL);
    set_failure(SMTP_STEP_BODY, SMTP_ERR_TIMEOUT, true, 0, "");
    assert_int_equal(classify(), OUTBOX_TEMPORARY);
    /* A mail the session never reached (an earlier one ended it) is simply not tried yet. */
    setup(NULL);
    set_failure(SMTP_STEP_NONE, SMTP_ERR_NOT_SENT, false, 0, "");
    assert_int_equal(classify(), OUTBOX_TEMPORARY);
}

static void test_configuration_faults(void **state)
{
    (void)state;
    set_failure(SMTP_STEP_AUTH, SMTP_ERR_REPLY, false, 535, "Authentication credentials invalid");
    assert_int_equal(classify(), OUTBOX_CONFIG_FAULT);
    assert_non_null(strstr(line, "535"));
    setup(NULL);
    set_failure(SMTP_STEP_TLS, SMTP_ERR_TRANSPORT, false, 0, "");
    assert_int_equal(classify(), OUTBOX_CONFIG_FAULT);
    setup(NULL);
    set_failure(SMTP_STEP_STARTTLS, SMTP_ERR_NO_STARTTLS, false, 0, "");
    assert_int_equal(classify(), OUTBOX_CONFIG_FAULT);
    /* A temporary AUTH failure (454) is only temporary. */
    setup(NULL);
    set_failure(SMTP_STEP_AUTH, SMTP_ERR_REPLY, true, 454, "Temporary authentication failure");
    assert_int_equal(classify(), OUTBOX_TEMPORARY);
}

static void test_permanent_refusals_of_the_mail(void **state)
{
    (void)state;
    set_failure(SMTP_STEP_RCPT, SMTP_ERR_REPLY, false, 550, "No such user here");
    assert_int_equal(classify(), OUTBOX_PERMANENT);
    assert_int_equal(accepted, 0);
    assert_non_null(strstr(line, "550"));
    setup(NULL);
    set_failure(SMTP_STEP_MAIL, SMTP_ERR_SIZE, false, 0, "");
    assert_int_equal(classify(), OUTBOX_PERMANENT);
    setup(NULL);
    set_failure(SMTP_STEP_BODY, SMTP_ERR_REPLY, false, 554, "Message rejected");
    assert_int_equal(classify(), OUTBOX_PERMANENT);
}

static void test_some_recipients_refused(void **state)
{
    (void)state;
    set_reply(&replies[1], 452, "Mailbox full");
    assert_int_equal(classify(), OUTBOX_TEMPORARY);
    assert_int_equal(accepted, 5u);
    assert_non_null(strstr(line, "b@example.com"));
    assert_non_null(strstr(line, "452"));

    setup(NULL);
    set_reply(&replies[2], 550, "No such user here");
    assert_int_equal(classify(), OUTBOX_PERMANENT);
    assert_int_equal(accepted, 3u);
    assert_non_null(strstr(line, "c@example.com"));
    assert_non_null(strstr(line, "550"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_delivered_to_all, setup),
        cmocka_unit_test_setup(test_temporary_replies_and_lost_connections, setup),
        cmocka_unit_test_setup(test_configuration_faults, setup),
        cmocka_unit_test_setup(test_permanent_refusals_of_the_mail, setup),
        cmocka_unit_test_setup(test_some_recipients_refused, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
