/*
 * alert_mail - texts of the alert, boot and heartbeat mails (see alert_mail.h).
 *
 * Numbers go through snprintf into small fixed buffers and then into a struct mail_out, whose sticky overflow is
 * what makes a text that does not fit an error. 64-bit values are split into 32-bit parts first: newlib's printf
 * on the Pi boards is not relied on for 64-bit conversions (see mail_header.c).
 */
#include "firmware/alert_mail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/units.h"
#include "mail/mail.h"
#include "mail/mail_header.h"

/* Longest piece written with put_fmt: fixed words around numbers, times, alert and host names. Text of no fixed
 * bound (version, board, address, server replies) goes in with mail_out_str. */
#define FMT_MAX (CONFIG_HOST_MAX + 96)
/* A duration ("213503982d 12h 34m 56s" at most, from 64-bit microseconds), and "uptime " before one. */
#define DURATION_MAX 32
#define WHEN_MAX     (DURATION_MAX + 8)

const char *alert_mail_state(bool recovered)
{
    return recovered ? "recovered" : "triggered";
}

int alert_mail_duration(uint64_t us, char *buf, size_t size)
{
    /* Whole days fit 32 bits for 11 million years: split once in 64 bits, then stay in native arithmetic. */
    uint64_t seconds = us / US_PER_S;
    unsigned long days = (unsigned long)(seconds / S_PER_DAY);
    unsigned long rest = (unsigned long)(seconds % S_PER_DAY);
    int n;

    if (buf == NULL) {
        return MAIL_ERR_ARG;
    }
    n = snprintf(buf, size, "%lud %02luh %02lum %02lus", days, rest / S_PER_HOUR, rest % S_PER_HOUR / S_PER_MIN,
                 rest % S_PER_MIN);
    return n >= 0 && (size_t)n < size ? n : MAIL_ERR_OVERFLOW;
}

/* An event's time: ISO 8601 UTC, or its uptime when the clock was unknown. */
static void when_text(int64_t utc, uint64_t uptime_us, char *buf)
{
    char d[DURATION_MAX];

    if (mail_header_iso8601(utc, buf, WHEN_MAX) >= 0) {
        return;
    }
    alert_mail_duration(uptime_us, d, sizeof(d));
    snprintf(buf, WHEN_MAX, "uptime %s", d);
}

__attribute__((format(printf, 2, 3))) static void put_fmt(struct mail_out *o, const char *fmt, ...)
{
    char piece[FMT_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(piece, sizeof(piece), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(piece)) {
        mail_out_put(o, piece, SIZE_MAX); /* cannot fit any buffer: make the overflow stick */
    } else {
        mail_out_put(o, piece, (size_t)n);
    }
}

/* Writers keep one byte for the NUL: mail_out_finish terminates only when there is room. */
static void out_init(struct mail_out *o, char *buf, size_t size)
{
    mail_out_init(o, buf, size - 1);
}

static int finish(struct mail_out *subject, struct mail_out *body, char *sbuf, char *bbuf)
{
    int rc = mail_out_finish(subject, NULL);

    if (rc == 0) {
        rc = mail_out_finish(body, NULL);
    }
    if (rc != 0) {
        sbuf[0] = '\0';
        bbuf[0] = '\0';
    }
    return rc;
}

/* ---- alert mails ---- */

static int expand(const struct config *cfg, const struct config_alert *a, const char *tmpl, const char *state,
                  const char *when, char *buf, size_t size)
{
    char gpio[12];
    const char *values[CONFIG_PH_COUNT];
    int n;

    snprintf(gpio, sizeof(gpio), "%u", a->gpio);
    values[CONFIG_PH_NAME] = a->name;
    values[CONFIG_PH_STATE] = state;
    values[CONFIG_PH_GPIO] = gpio;
    values[CONFIG_PH_TIME] = when;
    values[CONFIG_PH_HOST] = mail_header_host(cfg);
    n = config_template_expand(tmpl, values, buf, size, NULL);
    if (n == CONFIG_ERR_OVERFLOW) {
        return MAIL_ERR_OVERFLOW;
    }
    return n < 0 ? MAIL_ERR_ARG : n;
}

static int render_alert(const struct config *cfg, const struct alert_event *ev, int64_t first_utc, int64_t last_utc,
                        char *subject, size_t subject_size, char *body, size_t body_size)
{
    const struct config_alert *a = &cfg->alerts[ev->alert];
    const char *state = alert_mail_state(ev->recovered);
    char when[WHEN_MAX], first[WHEN_MAX];
    struct mail_out o;
    int n;

    when_text(last_utc, ev->last_us, when);
    n = expand(cfg, a, a->subject, state, when, subject, subject_size);
    if (n >= 0) {
        n = expand(cfg, a, a->body, state, when, body, body_size);
    }
    if (n < 0) {
        subject[0] = '\0';
        body[0] = '\0';
        return n;
    }
    if (ev->events <= 1) {
        return MAIL_OK;
    }
    when_text(first_utc, ev->first_us, first);
    out_init(&o, body + n, body_size - (size_t)n);
    put_fmt(&o, "\n\nThis mail covers %lu events that a rate limit held back:\n", (unsigned long)ev->events);
    put_fmt(&o, "  first  %s\n  last   %s\n  state  %s (after the last event)\n", first, when, state);
    n = mail_out_finish(&o, NULL);
    if (n != 0) {
        subject[0] = '\0';
        body[0] = '\0';
    }
    return n;
}

/* ---- boot and heartbeat ---- */

static void put_input(struct mail_out *o, const struct config_alert *a, const struct alert_mail_input *in,
                      const struct alert_mail_facts *f, bool counts)
{
    const struct alert_engine_stats *st = &in->stats;
    char ago[WHEN_MAX];

    put_fmt(o, "  %s: GPIO %u", a->name, a->gpio);
    if (in->header_pin != 0) {
        put_fmt(o, " (header pin %u)", in->header_pin);
    }
    if (in->problem != NULL) {
        mail_out_str(o, ": not watched: ");
        mail_out_str(o, in->problem);
        mail_out_char(o, '\n');
        return;
    }
    put_fmt(o, ", pull %s, edge %s: %s (%s)", config_pull_name(a->pull), config_edge_name(a->edge),
            st->alarm ? "TRIGGERED" : "normal", st->level ? "high" : "low");
    if (st->alarm && !st->changed) {
        mail_out_str(o, " since boot, not mailed as an alert");
    }
    if (counts) {
        put_fmt(o, "; %lu events, %lu mails, %lu in summaries, %lu waiting", (unsigned long)st->events,
                (unsigned long)st->mails, (unsigned long)st->folded, (unsigned long)st->waiting);
        if (st->changed && f->uptime_us >= st->last_change_us) {
            alert_mail_duration(f->uptime_us - st->last_change_us, ago, sizeof(ago));
            put_fmt(o, "; last change %s ago", ago);
        }
    }
    mail_out_char(o, '\n');
}

static void put_inputs(struct mail_out *o, const struct config *cfg, const struct alert_mail_facts *f, bool counts)
{
    unsigned i;

    if (cfg->alert_count == 0) {
        mail_out_str(o, "\nNo Alert lines in smtp.conf: no input is watched.\n");
        return;
    }
    mail_out_str(o, counts ? "\nInputs (counts since boot):\n" : "\nInputs:\n");
    for (i = 0; i < cfg->alert_count; i++) {
        put_input(o, &cfg->alerts[i], &f->inputs[i], f, counts);
    }
}

static void put_outbox(struct mail_out *o, const struct config *cfg, const struct alert_mail_facts *f)
{
    unsigned i;

    put_fmt(o, "\nOutbox: %u waiting, %lu delivered and %u undeliverable since the last report%s\n", f->queued,
            (unsigned long)f->delivered, f->failure_count, f->failure_count > 0 ? ":" : ".");
    for (i = 0; i < f->failure_count; i++) {
        const struct alert_mail_failure *x = &f->failures[i];
        char when[WHEN_MAX];

        if (x->kind == ALERT_EVENT_ALERT && x->alert < cfg->alert_count) {
            put_fmt(o, "  %s alert", cfg->alerts[x->alert].name);
        } else {
            mail_out_str(o, x->kind == ALERT_EVENT_BOOT ? "  boot mail" : "  heartbeat");
        }
        if (mail_header_iso8601(x->utc, when, sizeof(when)) >= 0) {
            put_fmt(o, " of %s", when);
        }
        mail_out_str(o, ": ");
        mail_out_str(o, x->reply != NULL ? x->reply : "(no reply)");
        mail_out_char(o, '\n');
    }
}

static void put_about(struct mail_out *o, const struct alert_mail_facts *f)
{
    mail_out_str(o, "baremail ");
    mail_out_str(o, f->version);
    mail_out_str(o, " on ");
    mail_out_str(o, f->board);
}

static void put_identity(struct mail_out *o, const struct alert_mail_facts *f)
{
    mail_out_str(o, "Address: ");
    mail_out_str(o, f->address != NULL && f->address[0] != '\0' ? f->address : "none yet");
    mail_out_char(o, '\n');
}

static int render_boot(const struct config *cfg, const struct alert_event *ev, int64_t boot_utc,
                       const struct alert_mail_facts *f, char *subject, size_t subject_size, char *body,
                       size_t body_size)
{
    struct mail_out s, o;
    char when[WHEN_MAX];

    when_text(boot_utc, ev->first_us, when);
    out_init(&s, subject, subject_size);
    put_fmt(&s, "[%s] baremail started", mail_header_host(cfg));
    out_init(&o, body, body_size);
    put_about(&o, f);
    put_fmt(&o, " started at %s.\n", when);
    if (f->reset_cause != NULL && f->reset_cause[0] != '\0') {
        mail_out_str(&o, "Reset cause: ");
        mail_out_str(&o, f->reset_cause);
        if (f->reset_detail != NULL && f->reset_detail[0] != '\0') {
            mail_out_str(&o, " (");
            mail_out_str(&o, f->reset_detail);
            mail_out_char(&o, ')');
        }
        mail_out_char(&o, '\n');
    }
    put_identity(&o, f);
    put_inputs(&o, cfg, f, false);
    put_outbox(&o, cfg, f);
    return finish(&s, &o, subject, body);
}

static int render_heartbeat(const struct config *cfg, const struct alert_event *ev, int64_t first_utc, int64_t last_utc,
                            const struct alert_mail_facts *f, char *subject, size_t subject_size, char *body,
                            size_t body_size)
{
    struct mail_out s, o;
    char up[WHEN_MAX], when[WHEN_MAX], first[WHEN_MAX];

    alert_mail_duration(f->uptime_us, up, sizeof(up));
    when_text(last_utc, ev->last_us, when);
    out_init(&s, subject, subject_size);
    put_fmt(&s, "[%s] heartbeat: up %s", mail_header_host(cfg), up);
    out_init(&o, body, body_size);
    put_about(&o, f);
    put_fmt(&o, " is running at %s; up %s.\n", when, up);
    put_identity(&o, f);
    if (ev->events > 1) {
        when_text(first_utc, ev->first_us, first);
        put_fmt(&o, "This heartbeat stands for %lu that a rate limit held back, due from %s to %s.\n",
                (unsigned long)ev->events, first, when);
    }
    put_inputs(&o, cfg, f, true);
    put_outbox(&o, cfg, f);
    return finish(&s, &o, subject, body);
}

int alert_mail_render(const struct config *cfg, const struct alert_event *ev, int64_t first_utc, int64_t last_utc,
                      const struct alert_mail_facts *facts, char *subject, size_t subject_size, char *body,
                      size_t body_size)
{
    if (cfg == NULL || ev == NULL || subject == NULL || body == NULL || subject_size == 0 || body_size == 0) {
        return MAIL_ERR_ARG;
    }
    subject[0] = '\0';
    body[0] = '\0';
    switch (ev->kind) {
    case ALERT_EVENT_ALERT:
        if (ev->alert >= cfg->alert_count) {
            return MAIL_ERR_ARG;
        }
        return render_alert(cfg, ev, first_utc, last_utc, subject, subject_size, body, body_size);
    case ALERT_EVENT_BOOT:
    case ALERT_EVENT_HEARTBEAT:
        if (facts == NULL || facts->version == NULL || facts->board == NULL ||
            (facts->inputs == NULL && cfg->alert_count > 0) || (facts->failures == NULL && facts->failure_count > 0)) {
            return MAIL_ERR_ARG;
        }
        if (ev->kind == ALERT_EVENT_BOOT) {
            return render_boot(cfg, ev, first_utc, facts, subject, subject_size, body, body_size);
        }
        return render_heartbeat(cfg, ev, first_utc, last_utc, facts, subject, subject_size, body, body_size);
    }
    return MAIL_ERR_ARG;
}
