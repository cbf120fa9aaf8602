/*
 * alert_mail - the subject and body of the mails about the inputs: an alert (from its Alert line's templates, with
 * a summary paragraph when the mail covers several events), the boot mail and the heartbeat mail.
 * mail/mail_compose turns them into a message; the outbox calls alert_mail_render() when it is about to send.
 *
 * Pure: no board call, no clock, no malloc. Everything a text says comes from the arguments: the configuration,
 * the event (firmware/alert_event.h), UTC times the caller computed from the event's uptime (the outbox knows the
 * clock's offset), and for boot and heartbeat a struct alert_mail_facts the caller fills (firmware/alerts fills
 * the inputs with alerts_facts(), the outbox its own part). Templates are expanded by config_template_expand, the
 * same code that checked them in smtp.conf. A UTC time that is negative (clock unknown) is written as uptime.
 *
 * Buffers are the caller's. A text that does not fit is MAIL_ERR_OVERFLOW with "" left in both buffers, never a
 * cut text. ALERT_MAIL_SUBJECT_SIZE and ALERT_MAIL_BODY_SIZE hold every alert mail of any configuration that
 * config accepts; boot and heartbeat bodies grow with the alerts and the outbox's failures (ALERT_MAIL_REPORT_SIZE
 * holds 16 alerts and a dozen undeliverable mails with long replies). Any context; no state.
 */
#ifndef FIRMWARE_ALERT_MAIL_H
#define FIRMWARE_ALERT_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "firmware/alert_engine.h"
#include "firmware/alert_event.h"

/* A placeholder is at least 6 characters ("{gpio}") and expands to at most a host name (CONFIG_HOST_MAX), so a
 * template of n characters expands to at most (n / 6 + 1) host names. */
#define ALERT_MAIL_EXPANSION_MAX(n) (((n) / 6 + 1) * CONFIG_HOST_MAX)
/* The paragraph added to a summary: two times, a count and a state in fixed text. */
#define ALERT_MAIL_SUMMARY_MAX  256
#define ALERT_MAIL_SUBJECT_SIZE (ALERT_MAIL_EXPANSION_MAX(CONFIG_SUBJECT_MAX) + 1)
#define ALERT_MAIL_BODY_SIZE    (ALERT_MAIL_EXPANSION_MAX(CONFIG_BODY_MAX) + ALERT_MAIL_SUMMARY_MAX + 1)
#ifndef ALERT_MAIL_REPORT_SIZE
#define ALERT_MAIL_REPORT_SIZE 16384
#endif

/* One Alert line's input, as boot and heartbeat mails show it. */
struct alert_mail_input {
    const char *problem; /* NULL when watched; else why the board refused the pin */
    unsigned header_pin; /* physical pin 1..40 of the header, 0 when not on it */
    struct alert_engine_stats stats;
};

/* A mail the outbox gave up on (a permanent failure, 5xx), named in the next boot or heartbeat mail. */
struct alert_mail_failure {
    enum alert_event_kind kind;
    unsigned alert;    /* index into cfg->alerts (ALERT_EVENT_ALERT) */
    int64_t utc;       /* time of its event, negative when unknown */
    const char *reply; /* the server's reply, e.g. "550 5.1.1 <x@y>: Recipient address rejected" */
};

struct alert_mail_facts {
    const char *version;                   /* firmware version (baremail_version) */
    const char *board;                     /* board model */
    const char *reset_cause;               /* board_reset_cause_name(); NULL or "" to leave out */
    const char *reset_detail;              /* "" when none */
    const char *address;                   /* the interface's IPv4 address as text, NULL or "" when none */
    uint64_t uptime_us;                    /* now */
    const struct alert_mail_input *inputs; /* cfg->alert_count entries (may be NULL when there is no alert) */
    /* the outbox: counts since the previous boot or heartbeat mail */
    unsigned queued; /* mails waiting to be delivered, this one not counted */
    uint32_t delivered;
    unsigned failure_count;
    const struct alert_mail_failure *failures;
};

/*
 * The subject and body of the mail for `ev`. `first_utc` and `last_utc` are the UTC seconds of ev->first_us and
 * ev->last_us (boot: first_utc is the boot; heartbeat: last_utc is now). `facts` is needed for boot and heartbeat
 * and ignored for alerts (may be NULL). Returns 0, MAIL_ERR_OVERFLOW, or MAIL_ERR_ARG (NULL argument, an alert
 * the configuration does not have, missing facts).
 */
int alert_mail_render(const struct config *cfg, const struct alert_event *ev, int64_t first_utc, int64_t last_utc,
                      const struct alert_mail_facts *facts, char *subject, size_t subject_size, char *body,
                      size_t body_size);

/* A duration as the console's `status` writes uptime: "2d 03h 04m 05s". Returns the length or MAIL_ERR_OVERFLOW. */
int alert_mail_duration(uint64_t us, char *buf, size_t size);

/* {state}: "triggered" or "recovered". */
const char *alert_mail_state(bool recovered);

#endif /* FIRMWARE_ALERT_MAIL_H */
