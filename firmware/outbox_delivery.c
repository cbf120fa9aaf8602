/*
 * The outbox's delivery; see outbox_delivery.h.
 */
#include "firmware/outbox_delivery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "firmware/alert_mail.h"
#include "firmware/alerts.h"
#include "firmware/net_settings.h"
#include "firmware/outbox_classify.h"
#include "firmware/persist.h"
#include "firmware/version.h"
#include "lib/units.h"
#include "mail/mail_compose.h"
#include "net/clock.h"
#include "net/net.h"
#include "lwip/ip4_addr.h"
#include "net/random.h"
#include "net/smtp_client.h"

/* What mail_compose writes around a body: Date, From, To (CONFIG_RECIPIENTS_MAX addresses), Message-ID, the MIME
 * headers, Auto-Submitted, User-Agent and the AddHeader lines. */
#define DELIVERY_HEADERS_MAX \
    (2048u + CONFIG_RECIPIENTS_MAX * (CONFIG_ADDR_MAX + 4u) + CONFIG_HEADERS_MAX * (CONFIG_HEADER_MAX + 2u))
#define ROOT_ACCOUNT "root"
/* Added to a mail whose event came before the clock was set, in a boot that then lost power (outbox_journal.h). */
#define UNDATED_NOTE                                                                               \
    "\n\nThe time of this event is not known: it happened before a power loss or restart, before " \
    "the clock was set. The mail is dated with the restart that found it in the journal.\n"

/* One mail of the running session (the engine's message is msgs[] at the same index), and what it needs until
 * the session ends. */
struct pending {
    uint32_t id;
    struct smtp_text reader;
    char sender[MAIL_ADDR_MAX + 1];
    const char *rcpt[CONFIG_RECIPIENTS_MAX];
    unsigned rcpt_index[CONFIG_RECIPIENTS_MAX]; /* msg.rcpt[i] is recipient rcpt_index[i] of the entry's list */
    struct smtp_reply replies[CONFIG_RECIPIENTS_MAX];
    unsigned failures_named; /* a report: the undeliverable mails it lists ... */
    uint32_t failures_more;  /* ... and those it only counts */
    uint32_t delivered_seen; /* a report: the delivered count it gave */
    uint64_t answered_us;    /* when the server's reply to the message came; 0 before */
    char *text;              /* the message, allocated for the session */
};

static struct {
    const struct config *cfg;
    struct outbox queue;
    struct smtp_message msgs[OUTBOX_BATCH_MAX];
    struct pending pending[OUTBOX_BATCH_MAX];
    unsigned count;
    bool running;
    bool client_idle; /* the SMTP client was idle at the last poll */
    bool on_journal;
    struct outbox_journal store;
    uint32_t delivered_reported; /* the delivered count at the last report that was delivered */
} d;

/* ---- what an entry is sent as ------------------------------------------------------------------------------ */

static const char *entry_account(const struct alert_event *ev)
{
    return ev->kind == ALERT_EVENT_ALERT ? d.cfg->alerts[ev->alert].name : ROOT_ACCOUNT;
}

static const struct config_recipients *entry_recipients(const struct alert_event *ev)
{
    if (ev->kind == ALERT_EVENT_ALERT && d.cfg->alerts[ev->alert].to.count > 0) {
        return &d.cfg->alerts[ev->alert].to;
    }
    return &d.cfg->alert_to;
}

/* Mail from accounts with a mail hub of their own (revaliases) goes in sessions of its own. */
static int entry_route(void *ctx, const struct alert_event *ev)
{
    (void)ctx;
    const struct config_alias *alias = config_find_alias(d.cfg, entry_account(ev));
    if (alias == NULL || alias->mailhub[0] == '\0') {
        return 0;
    }
    return 1 + (int)(alias - d.cfg->aliases);
}

static int64_t utc_of_uptime(uint64_t at_us)
{
    uint32_t sec, usec;
    net_clock_get_utc(&sec, &usec);
    uint64_t now = board_uptime_us();
    uint64_t ago_s = now > at_us ? (now - at_us) / US_PER_S : 0;
    return (int64_t)sec - (int64_t)ago_s;
}

static void entry_label(const struct outbox_entry *e, char *buf, size_t size)
{
    switch (e->ev.kind) {
    case ALERT_EVENT_ALERT:
        snprintf(buf, size, "%s %s%s", d.cfg->alerts[e->ev.alert].name, e->ev.recovered ? "recovered" : "triggered",
                 e->ev.events > 1 ? " (summary)" : "");
        break;
    case ALERT_EVENT_BOOT: snprintf(buf, size, "boot mail"); break;
    case ALERT_EVENT_HEARTBEAT:
    default: snprintf(buf, size, "heartbeat"); break;
    }
}

/* ---- queueing ---------------------------------------------------------------------------------------------- */

/* Random bits for a Message-ID and the retry jitter. An alert is not refused for want of them: without the
 * generator, the uptime in microseconds still differs between any two mails. */
static uint64_t new_random(void)
{
    uint64_t r;
    return net_random_u64(&r) == 0 ? r : board_uptime_us();
}

static void update_led(void)
{
    if (d.cfg == NULL) {
        return;
    }
    if (outbox_config_fault(&d.queue)) {
        board_set_led_status(BOARD_LED_CONFIG_ERROR);
    } else if (outbox_count(&d.queue) > 0) {
        board_set_led_status(BOARD_LED_MAIL_WAITING);
    } else {
        board_set_led_status(BOARD_LED_RUNNING);
    }
}

/* A journal call that failed: the console and the event log say which mail is not safe on the card. */
static void store_report(void *ctx, int err, uint32_t id, const char *what)
{
    (void)ctx;
    printf("outbox: journal: %s %lu: %s\n", what, (unsigned long)id, journal_strerror(err));
    persist_event(EVENT_LOG_NOTE, id, "journal: %s %lu: %s", what, (unsigned long)id, journal_strerror(err));
}

static void restore(void)
{
    struct outbox_journal_replay r;
    uint64_t started = board_uptime_us();
    int err = outbox_journal_replay(&d.store, &d.queue, started, d.cfg->alert_count, &r);
    unsigned long took_ms = (unsigned long)((board_uptime_us() - started) / US_PER_MS);
    if (err != 0) {
        printf("outbox: cannot read the journal's mails: %s\n", journal_strerror(err));
        persist_event(EVENT_LOG_NOTE, 0, "journal replay failed: %s", journal_strerror(err));
        return;
    }
    if (r.restored + r.dropped + r.left + r.unknown == 0) {
        return;
    }
    printf("outbox: %u mail%s back from the journal in %lu ms (%u without a Date: dated with this boot)\n", r.restored,
           r.restored == 1 ? "" : "s", took_ms, r.undated);
    if (r.dropped > 0) {
        printf("outbox: %u mail%s of alert lines no longer in smtp.conf dropped\n", r.dropped,
               r.dropped == 1 ? "" : "s");
    }
    if (r.left + r.unknown > 0) {
        printf("outbox: %u record%s left on the card (%u beyond the outbox's room, %u of another firmware)\n",
               r.left + r.unknown, r.left + r.unknown == 1 ? "" : "s", r.left, r.unknown);
    }
    persist_event(EVENT_LOG_NOTE, r.restored, "journal: %u mails back (%u undated), %u dropped, %u left", r.restored,
                  r.undated, r.dropped, r.left + r.unknown);
}

void outbox_delivery_init(const struct config *cfg, struct journal *journal)
{
    memset(&d, 0, sizeof d);
    d.cfg = cfg;
    if (journal == NULL || cfg == NULL) {
        outbox_init(&d.queue, NULL);
        return;
    }
    outbox_journal_init(&d.store, journal, store_report, NULL);
    struct outbox_store_ops ops = outbox_journal_ops(&d.store);
    outbox_init(&d.queue, &ops);
    d.on_journal = true;
    restore();
    update_led();
}

void outbox_delivery_add(void *ctx, const struct alert_event *ev)
{
    (void)ctx;
    if (d.cfg == NULL) {
        printf("outbox: no usable configuration: mail not queued\n");
        return;
    }
    uint32_t id = outbox_add(&d.queue, ev, new_random(), board_uptime_us());
    const struct outbox_entry *e = outbox_find(&d.queue, id);
    if (e == NULL) {
        printf("outbox: no room for the event (see `outbox`)\n");
        return;
    }
    char label[CONFIG_NAME_MAX + 32];
    entry_label(e, label, sizeof label);
    bool merged = e->ev.events > ev->events;
    printf("outbox: mail %lu (%s) queued%s\n", (unsigned long)id, label, merged ? ", merged: the outbox is full" : "");
    if (ev->kind == ALERT_EVENT_ALERT) {
        persist_event(EVENT_LOG_ALERT, ev->alert, "mail %lu (%s) queued%s", (unsigned long)id, label,
                      merged ? ", merged" : "");
    }
    update_led();
}

/* ---- one session ------------------------------------------------------------------------------------------- */

/* What a boot or heartbeat mail says about the board, the inputs and the outbox. `inputs` and `failures` are the
 * caller's arrays (CONFIG_ALERTS_MAX and OUTBOX_FAILED_MAX entries). */
static void report_facts(struct alert_mail_facts *f, struct alert_mail_input *inputs,
                         struct alert_mail_failure *failures, struct pending *p)
{
    static char address[IP4ADDR_STRLEN_MAX];
    struct net_status st;
    net_get_status(&st);
    address[0] = '\0';
    if (st.has_address) {
        ip4addr_ntoa_r(&st.address, address, sizeof address);
    }
    unsigned count;
    const struct outbox_failure *list = outbox_failures(&d.queue, &count, &p->failures_more);
    for (unsigned i = 0; i < count; i++) {
        failures[i] = (struct alert_mail_failure){
            .kind = list[i].ev.kind,
            .alert = list[i].ev.alert,
            .utc = list[i].date,
            .reply = list[i].reply,
        };
    }
    p->failures_named = count;
    p->delivered_seen = outbox_stats(&d.queue)->delivered;
    *f = (struct alert_mail_facts){
        .version = baremail_version,
        .board = board_get_info()->model,
        .reset_cause = board_reset_cause_name(board_reset_cause()),
        .reset_detail = board_reset_detail(),
        .address = address,
        .uptime_us = board_uptime_us(),
        .inputs = inputs,
        .queued = outbox_count(&d.queue) - 1u,
        .delivered = p->delivered_seen - d.delivered_reported,
        .failure_count = count,
        .failures = failures,
    };
    alerts_facts(inputs, CONFIG_ALERTS_MAX);
}

/* Writes entry e as message m with its pending record p. Returns 0, or -1 after putting the reason into reason. */
static int compose(struct smtp_message *m, struct pending *p, const struct outbox_entry *e, char *reason,
                   size_t reason_size)
{
    static char subject[ALERT_MAIL_SUBJECT_SIZE];
    static char body[(ALERT_MAIL_BODY_SIZE > ALERT_MAIL_REPORT_SIZE ? ALERT_MAIL_BODY_SIZE : ALERT_MAIL_REPORT_SIZE) +
                     sizeof UNDATED_NOTE];
    static struct alert_mail_input inputs[CONFIG_ALERTS_MAX];
    static struct alert_mail_failure failures[OUTBOX_FAILED_MAX];
    const struct config_recipients *to = entry_recipients(&e->ev);
    unsigned rcpt_count = 0;
    for (unsigned i = 0; i < to->count; i++) {
        if ((e->rcpt_done & (1u << i)) == 0) {
            p->rcpt_index[rcpt_count] = i;
            p->rcpt[rcpt_count++] = to->addr[i];
        }
    }
    struct alert_mail_facts facts;
    p->failures_named = 0;
    p->failures_more = 0;
    if (e->ev.kind != ALERT_EVENT_ALERT) {
        report_facts(&facts, inputs, failures, p);
    }
    int64_t last_utc = e->ev.kind == ALERT_EVENT_HEARTBEAT
                           ? utc_of_uptime(board_uptime_us())
                           : e->date + (int64_t)((e->ev.last_us - e->ev.first_us) / US_PER_S);
    int err = alert_mail_render(d.cfg, &e->ev, e->date, last_utc, e->ev.kind != ALERT_EVENT_ALERT ? &facts : NULL,
                                subject, sizeof subject, body, sizeof body - (sizeof UNDATED_NOTE - 1));
    if (err != 0) {
        snprintf(reason, reason_size, "cannot write the mail: %s", mail_strerror(err));
        return -1;
    }
    if (e->date_guessed) {
        /* The render above left room for it. */
        strcat(body, UNDATED_NOTE);
    }
    char agent[64];
    snprintf(agent, sizeof agent, "baremail/%s (%s)", baremail_version, baremail_board);
    struct mail_compose_msg mail = {
        .account = entry_account(&e->ev),
        .to = p->rcpt,
        .to_count = rcpt_count,
        .subject = subject,
        .body = body,
        .body_len = strlen(body),
        .date = e->date,
        .unique = e->unique,
        .user_agent = agent,
        .auto_submitted = true,
        /* Quoted-printable for any 8-bit text: the same message whatever the server offers, and no second try. */
        .allow_8bit = false,
    };
    /* Encoded-words take at most 4 octets per subject octet, quoted-printable about 3.2 per body octet. */
    size_t size = DELIVERY_HEADERS_MAX + 4u * strlen(subject) + 4u * mail.body_len;
    p->text = malloc(size);
    if (p->text == NULL) {
        snprintf(reason, reason_size, "not enough memory for a message of %lu bytes", (unsigned long)size);
        return -1;
    }
    struct mail_compose_result res;
    err = mail_compose(d.cfg, &mail, p->text, size, &res);
    if (err != 0) {
        snprintf(reason, reason_size, "cannot build the message: %s", mail_strerror(err));
        free(p->text);
        p->text = NULL;
        return -1;
    }
    snprintf(p->sender, sizeof p->sender, "%s", res.sender);
    p->reader = (struct smtp_text){ .text = p->text, .len = res.len, .pos = 0 };
    *m = (struct smtp_message){
        .from = p->sender,
        .rcpt = p->rcpt,
        .rcpt_count = rcpt_count,
        .size = (uint32_t)res.len,
        .needs_8bitmime = res.needs_8bitmime,
        .needs_smtputf8 = res.needs_smtputf8,
        .read = smtp_text_read,
        .read_ctx = &p->reader,
        .rcpt_replies = p->replies,
    };
    memset(p->replies, 0, sizeof p->replies);
    return 0;
}

static void report_line(void *ctx, const char *line)
{
    (void)ctx;
    /* The console shows one line per mail; the session's steps only with Debug=YES, as `test` shows them. */
    if (d.cfg->debug) {
        printf("outbox: %s\n", line);
    }
}

/* The console's line and the event log's for the outcome of an attempt. */
static void print_outcome(const struct outbox_entry *e, enum outbox_outcome o, const char *reply, uint64_t answered_us)
{
    char label[CONFIG_NAME_MAX + 32];
    entry_label(e, label, sizeof label);
    if (o == OUTBOX_DELIVERED) {
        printf("outbox: mail %lu (%s) delivered: %s\n", (unsigned long)e->id, label, reply);
        persist_event(EVENT_LOG_DELIVERED, e->id, "mail %lu (%s): %s", (unsigned long)e->id, label, reply);
        /* With the session's steps: how long the event took to reach the server (bench/alert-latency reads it). */
        if (d.cfg->debug && answered_us >= e->ev.last_us) {
            printf("outbox: mail %lu: the server's reply came %lu ms after the event\n", (unsigned long)e->id,
                   (unsigned long)((answered_us - e->ev.last_us) / US_PER_MS));
        }
        return;
    }
    persist_event(EVENT_LOG_FAILED, e->id, "mail %lu (%s) %s: %s", (unsigned long)e->id, label, outbox_outcome_name(o),
                  reply);
    printf("outbox: mail %lu (%s) %s: %s\n", (unsigned long)e->id, label, outbox_outcome_name(o), reply);
    if (o == OUTBOX_CONFIG_FAULT) {
        printf("outbox: the configuration must change (see `test`, `config`); the mail is kept and tried again "
               "every %u min\n",
               OUTBOX_RETRY_CAP_MS / 60000u);
    } else if (o == OUTBOX_PERMANENT) {
        printf("outbox: not retried; the next heartbeat or boot mail names it\n");
    }
}

/* Maps the recipients of this attempt (m's) back to the entry's list. */
static uint32_t entry_rcpt_mask(const struct smtp_message *m, const struct pending *p, uint32_t accepted)
{
    uint32_t mask = 0;
    for (unsigned i = 0; i < m->rcpt_count; i++) {
        if (accepted & (1u << i)) {
            mask |= 1u << p->rcpt_index[i];
        }
    }
    return mask;
}

static void finish_session(void)
{
    uint64_t now = board_uptime_us();
    for (unsigned i = 0; i < d.count; i++) {
        struct pending *p = &d.pending[i];
        uint32_t accepted;
        char reply[OUTBOX_REPLY_MAX];
        enum outbox_outcome o = outbox_classify(&d.msgs[i], p->replies, &accepted, reply, sizeof reply);
        const struct outbox_entry *e = outbox_find(&d.queue, p->id);
        if (e != NULL) {
            print_outcome(e, o, reply, p->answered_us);
            if (o == OUTBOX_DELIVERED && e->ev.kind != ALERT_EVENT_ALERT) {
                outbox_failures_reported(&d.queue, p->failures_named, p->failures_more);
                d.delivered_reported = p->delivered_seen;
            }
        }
        outbox_result(&d.queue, p->id, o, entry_rcpt_mask(&d.msgs[i], p, accepted), reply, now, (uint32_t)new_random());
        free(p->text);
        p->text = NULL;
    }
    d.count = 0;
    d.running = false;
    update_led();
}

static void start_session(void)
{
    uint32_t ids[OUTBOX_BATCH_MAX];
    uint64_t now = board_uptime_us();
    unsigned n = outbox_batch(&d.queue, now, entry_route, NULL, ids, OUTBOX_BATCH_MAX);
    if (n == 0) {
        return;
    }
    const char *account = NULL;
    d.count = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct outbox_entry *e = outbox_find(&d.queue, ids[i]);
        struct pending *p = &d.pending[d.count];
        char reason[OUTBOX_REPLY_MAX];
        p->id = ids[i];
        p->answered_us = 0;
        if (compose(&d.msgs[d.count], p, e, reason, sizeof reason) != 0) {
            print_outcome(e, OUTBOX_PERMANENT, reason, 0);
            outbox_result(&d.queue, ids[i], OUTBOX_PERMANENT, 0, reason, now, 0);
            continue;
        }
        account = account != NULL ? account : entry_account(&e->ev);
        d.count++;
    }
    if (d.count == 0) {
        return;
    }
    struct smtp_client_settings settings;
    net_settings_submission(&settings, d.cfg, account);
    int err = smtp_client_start(&settings, d.msgs, d.count, report_line, NULL);
    if (err != 0) {
        for (unsigned i = 0; i < d.count; i++) {
            print_outcome(outbox_find(&d.queue, d.pending[i].id), OUTBOX_TEMPORARY, smtp_client_strerror(err), 0);
            outbox_result(&d.queue, d.pending[i].id, OUTBOX_TEMPORARY, 0, smtp_client_strerror(err), now,
                          (uint32_t)new_random());
            free(d.pending[i].text);
            d.pending[i].text = NULL;
        }
        d.count = 0;
        return;
    }
    d.running = true;
}

void outbox_delivery_poll(void)
{
    if (d.cfg == NULL) {
        return;
    }
    /* A session someone else ran (the console's `test`) that ended in this pass still has results its caller reads
     * after the pass: a start now would replace them, so the outbox waits one pass. */
    bool client_was_idle = d.client_idle;
    d.client_idle = smtp_client_done();
    if (d.running) {
        /* The transport ran just before this in the same pass: a reply it took shows here, timed to the pass. */
        uint64_t now = board_uptime_us();
        for (unsigned i = 0; i < d.count; i++) {
            if (d.pending[i].answered_us == 0 && d.msgs[i].result.err != SMTP_ERR_NOT_SENT) {
                d.pending[i].answered_us = now;
            }
        }
        if (smtp_client_done()) {
            finish_session();
        }
        return;
    }
    if (outbox_count(&d.queue) == 0) {
        return;
    }
    /* No mail leaves without a Date, and certificate checks need the clock too. */
    if (!net_clock_is_set()) {
        return;
    }
    uint64_t now = board_uptime_us();
    outbox_date_entries(&d.queue, now, utc_of_uptime(now));
    if (!net_is_up() || !d.client_idle || !client_was_idle || outbox_next_due_us(&d.queue) > now) {
        return;
    }
    start_session();
}

uint64_t outbox_delivery_next_deadline_us(void)
{
    /* The same gates as outbox_delivery_poll(): while one is shut, what opens it (a lease, the clock, a session's
     * end) is the network's or the transport's work, whose passes look here again. */
    if (d.running) {
        return smtp_client_done() ? 0 : UINT64_MAX; /* a session that ended outside a pass (Ctrl-C) is taken in */
    }
    if (d.cfg == NULL || outbox_count(&d.queue) == 0 || !net_clock_is_set() || !net_is_up() || !smtp_client_done()) {
        return UINT64_MAX;
    }
    /* Mails queued before the clock was known are dated by the next poll, and only dated ones have a due time. */
    uint64_t due = outbox_next_due_us(&d.queue);
    return due == UINT64_MAX ? 0 : due;
}

void outbox_delivery_retry(void)
{
    outbox_retry_now(&d.queue, board_uptime_us());
}

const struct outbox *outbox_delivery_queue(void)
{
    return &d.queue;
}

const struct outbox_journal_stats *outbox_delivery_store_stats(void)
{
    return d.on_journal ? &d.store.stats : NULL;
}
