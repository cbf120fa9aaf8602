/*
 * alert_engine - debounce, edges, rate limits and summaries of the Alert lines (see alert_engine.h).
 *
 * Everything that happens is an item with a due time: a level that has held for its debounce, a heartbeat, a held
 * summary whose rate windows open. advance() takes the items in time order up to the caller's time, so the result
 * does not depend on how often the caller polls: a summary is granted at the moment its window opens, not at the
 * next poll, and a slot freed at that moment is not taken by a later event of another alert.
 */
#include "firmware/alert_engine.h"

#include <string.h>

#include "lib/units.h"

#define NO_DUE UINT64_MAX

static void rate_init(struct alert_engine_rate *r, const struct config_rate *c)
{
    memset(r, 0, sizeof(*r));
    r->limit = c->count;
    r->period_us = (uint64_t)c->period_s * US_PER_S;
}

static const struct alert_engine_slot *rate_slot(const struct alert_engine_rate *r, unsigned i)
{
    return &r->slot[(r->head + i) % ALERT_ENGINE_RATE_SLOTS];
}

/* The earliest time from `now` on when the window takes one more mail. Slots are in time order, oldest first. */
static uint64_t rate_open_at(const struct alert_engine_rate *r, uint64_t now)
{
    uint64_t live = 0, need;
    unsigned i;

    if (r == NULL || r->limit == 0) {
        return now;
    }
    for (i = 0; i < r->used; i++) {
        if (rate_slot(r, i)->at_us + r->period_us > now) {
            live += rate_slot(r, i)->count;
        }
    }
    if (live < r->limit) {
        return now;
    }
    need = live - r->limit + 1; /* grants that must leave the window first */
    for (i = 0; i < r->used; i++) {
        const struct alert_engine_slot *s = rate_slot(r, i);

        if (s->at_us + r->period_us <= now) {
            continue;
        }
        if (s->count >= need) {
            return s->at_us + r->period_us;
        }
        need -= s->count;
    }
    return now; /* not reached: `need` is at most what the live slots hold */
}

static void rate_grant(struct alert_engine_rate *r, uint64_t now)
{
    struct alert_engine_slot *newest;

    if (r == NULL || r->limit == 0) {
        return;
    }
    while (r->used > 0 && r->slot[r->head].at_us + r->period_us <= now) {
        r->head = (r->head + 1) % ALERT_ENGINE_RATE_SLOTS;
        r->used--;
    }
    if (r->used < ALERT_ENGINE_RATE_SLOTS) {
        newest = &r->slot[(r->head + r->used) % ALERT_ENGINE_RATE_SLOTS];
        newest->at_us = now;
        newest->count = 1;
        r->used++;
        return;
    }
    /* Out of slots: this grant joins the newest, which becomes as young as it (stricter, never looser). */
    newest = &r->slot[(r->head + r->used - 1) % ALERT_ENGINE_RATE_SLOTS];
    newest->at_us = now;
    newest->count++;
}

static struct alert_engine_rate *holder_rate(struct alert_engine *e, unsigned h)
{
    return h < e->count ? &e->in[h].rate : NULL;
}

static bool queue_full(const struct alert_engine *e)
{
    return e->queue_used == ALERT_ENGINE_QUEUE_MAX;
}

static uint64_t release_due(struct alert_engine *e, unsigned h);

/* Holder h's new event may go at once: both its windows are open and no older summary of another holder could go
 * now instead (it has the first claim on the place). */
static bool may_send(struct alert_engine *e, unsigned h, uint64_t now)
{
    unsigned k;

    if (queue_full(e) || rate_open_at(holder_rate(e, h), now) != now || rate_open_at(&e->global, now) != now) {
        return false;
    }
    for (k = 0; k < ALERT_ENGINE_HOLDERS; k++) {
        if (k != h && release_due(e, k) <= now) {
            return false;
        }
    }
    return true;
}

static void grant(struct alert_engine *e, unsigned h, const struct alert_event *ev)
{
    rate_grant(holder_rate(e, h), e->now_us);
    rate_grant(&e->global, e->now_us);
    e->queue[(e->queue_head + e->queue_used) % ALERT_ENGINE_QUEUE_MAX] = *ev;
    e->queue_used++;
}

/* One event of holder h at event_us, judged now: mailed at once, or held with the ones already waiting. */
static void offer(struct alert_engine *e, unsigned h, enum alert_event_kind kind, bool recovered, uint64_t event_us)
{
    struct alert_event *held = &e->held[h];

    if (held->events == 0 && may_send(e, h, e->now_us)) {
        struct alert_event ev = { kind, h < e->count ? h : 0, recovered, 1, event_us, event_us };

        grant(e, h, &ev);
        return;
    }
    if (held->events == 0) {
        held->kind = kind;
        held->alert = h < e->count ? h : 0;
        held->first_us = event_us;
    }
    held->events++;
    held->recovered = recovered;
    held->last_us = event_us;
    if (h < e->count) {
        e->in[h].st.waiting = held->events;
    }
}

static uint64_t release_due(struct alert_engine *e, unsigned h)
{
    uint64_t own, global;

    if (e->held[h].events == 0 || queue_full(e)) {
        return NO_DUE;
    }
    own = rate_open_at(holder_rate(e, h), e->now_us);
    global = rate_open_at(&e->global, e->now_us);
    return own > global ? own : global;
}

static void release(struct alert_engine *e, unsigned h)
{
    grant(e, h, &e->held[h]);
    memset(&e->held[h], 0, sizeof(e->held[h]));
    if (h < e->count) {
        e->in[h].st.waiting = 0;
    }
}

static uint64_t confirm_due(const struct alert_engine_input *in)
{
    if (!in->st.watched || in->st.raw == in->st.level) {
        return NO_DUE;
    }
    return in->raw_at_us + in->debounce_us;
}

/* Alert i's raw level has held for its debounce: it is the new debounced level. */
static void confirm(struct alert_engine *e, unsigned i)
{
    struct alert_engine_input *in = &e->in[i];
    bool was_alarm = in->st.alarm;

    in->st.level = in->st.raw;
    in->st.alarm = in->st.level != in->normal;
    in->st.changes++;
    in->st.changed = true;
    in->st.last_change_us = in->raw_at_us;
    if (in->edge != CONFIG_EDGE_BOTH && !in->st.alarm && !(was_alarm && in->recovery)) {
        return;
    }
    in->st.events++;
    offer(e, i, ALERT_EVENT_ALERT, !in->st.alarm, in->raw_at_us);
}

enum item { ITEM_NONE, ITEM_CONFIRM, ITEM_RELEASE, ITEM_HEARTBEAT };

/* Take every due item up to `until` in time order. On equal times a settled level comes first (so it joins a
 * summary released at that moment), then releases (oldest summary first), then the heartbeat. A raw change at
 * `until` is still to be recorded when `change_at_until`: releases and the heartbeat at that very time wait for
 * it, so that the event it may settle into (debounce 0) joins the summary rather than overtaking it, and the order
 * on equal times does not depend on whether a change or a poll came first. */
static void advance(struct alert_engine *e, uint64_t until, bool change_at_until)
{
    if (until < e->now_us) {
        until = e->now_us;
    }
    for (;;) {
        enum item kind = ITEM_NONE;
        uint64_t due = NO_DUE, first = NO_DUE;
        unsigned which = 0, i;

        for (i = 0; i < e->count; i++) {
            uint64_t d = confirm_due(&e->in[i]);
            if (d < due) {
                due = d;
                kind = ITEM_CONFIRM;
                which = i;
            }
        }
        for (i = 0; i < ALERT_ENGINE_HOLDERS; i++) {
            uint64_t d = release_due(e, i);
            if (change_at_until && d >= until) {
                continue;
            }
            if (d < due || (d == due && d != NO_DUE && kind == ITEM_RELEASE && e->held[i].first_us < first)) {
                due = d;
                kind = ITEM_RELEASE;
                which = i;
                first = e->held[i].first_us;
            }
        }
        if (e->heartbeat && e->next_heartbeat_us < due && !(change_at_until && e->next_heartbeat_us >= until)) {
            due = e->next_heartbeat_us;
            kind = ITEM_HEARTBEAT;
        }
        if (kind == ITEM_NONE || due > until) {
            break;
        }
        if (due > e->now_us) {
            e->now_us = due;
        }
        switch (kind) {
        case ITEM_CONFIRM: confirm(e, which); break;
        case ITEM_RELEASE: release(e, which); break;
        case ITEM_HEARTBEAT:
            offer(e, ALERT_ENGINE_HOLD_HEARTBEAT, ALERT_EVENT_HEARTBEAT, false, e->next_heartbeat_us);
            e->next_heartbeat_us += e->heartbeat_period_us;
            break;
        case ITEM_NONE: break;
        }
    }
    e->now_us = until;
}

int alert_engine_init(struct alert_engine *e, const struct config *cfg, const int *levels, uint64_t now_us)
{
    unsigned i;

    if (e == NULL || cfg == NULL || cfg->alert_count > CONFIG_ALERTS_MAX || (levels == NULL && cfg->alert_count > 0)) {
        return ALERT_ENGINE_ERR_ARG;
    }
    memset(e, 0, sizeof(*e));
    e->count = cfg->alert_count;
    e->now_us = now_us;
    rate_init(&e->global, &cfg->rate_limit);
    for (i = 0; i < e->count; i++) {
        const struct config_alert *a = &cfg->alerts[i];
        struct alert_engine_input *in = &e->in[i];

        in->edge = a->edge;
        in->recovery = a->recovery;
        in->debounce_us = (uint64_t)a->debounce_ms * US_PER_MS;
        rate_init(&in->rate, &a->limit);
        in->st.watched = levels[i] >= 0;
        in->st.level = levels[i] > 0 ? 1 : 0;
        in->st.raw = in->st.level;
        in->raw_at_us = now_us;
        if (a->edge == CONFIG_EDGE_BOTH) {
            in->normal = in->st.level;
        } else {
            in->normal = a->edge == CONFIG_EDGE_FALLING ? 1 : 0;
        }
        in->st.alarm = in->st.watched && in->st.level != in->normal;
    }
    if (cfg->boot_mail) {
        struct alert_event *boot = &e->held[ALERT_ENGINE_HOLD_BOOT];

        boot->kind = ALERT_EVENT_BOOT;
        boot->events = 1;
        boot->first_us = now_us;
        boot->last_us = now_us;
    }
    if (cfg->heartbeat_mail && cfg->heartbeat_period_s > 0) {
        e->heartbeat = true;
        e->heartbeat_period_us = (uint64_t)cfg->heartbeat_period_s * US_PER_S;
        e->next_heartbeat_us = now_us + e->heartbeat_period_us;
    }
    return ALERT_ENGINE_OK;
}

int alert_engine_change(struct alert_engine *e, unsigned alert, uint64_t at_us, int level)
{
    struct alert_engine_input *in;

    if (e == NULL || alert >= e->count) {
        return ALERT_ENGINE_ERR_ARG;
    }
    in = &e->in[alert];
    if (!in->st.watched) {
        return ALERT_ENGINE_OK;
    }
    advance(e, at_us, true);
    level = level != 0;
    if (level == in->st.raw) {
        return ALERT_ENGINE_OK;
    }
    in->st.raw = level;
    in->raw_at_us = e->now_us;
    return ALERT_ENGINE_OK;
}

unsigned alert_engine_poll(struct alert_engine *e, uint64_t now_us, alert_event_fn emit, void *ctx)
{
    unsigned emitted = 0;

    if (e == NULL) {
        return 0;
    }
    for (;;) {
        advance(e, now_us, false);
        if (e->queue_used == 0) {
            return emitted;
        }
        /* Emptying the queue may let more held summaries go at now_us: advance again. */
        while (e->queue_used > 0) {
            struct alert_event ev = e->queue[e->queue_head];

            e->queue_head = (e->queue_head + 1) % ALERT_ENGINE_QUEUE_MAX;
            e->queue_used--;
            if (ev.kind == ALERT_EVENT_ALERT) {
                e->in[ev.alert].st.mails++;
                if (ev.events > 1) {
                    e->in[ev.alert].st.folded += ev.events;
                }
            }
            if (emit != NULL) {
                emit(ctx, &ev);
            }
            emitted++;
        }
    }
}

uint64_t alert_engine_next_due(struct alert_engine *e)
{
    uint64_t due = NO_DUE;
    unsigned i;

    if (e == NULL) {
        return NO_DUE;
    }
    /* The same items advance() takes, so a poll at this time has one to take. */
    for (i = 0; i < e->count; i++) {
        uint64_t d = confirm_due(&e->in[i]);
        if (d < due) {
            due = d;
        }
    }
    for (i = 0; i < ALERT_ENGINE_HOLDERS; i++) {
        uint64_t d = release_due(e, i);
        if (d < due) {
            due = d;
        }
    }
    if (e->heartbeat && e->next_heartbeat_us < due) {
        due = e->next_heartbeat_us;
    }
    if (e->queue_used > 0) {
        due = e->now_us;
    }
    return due;
}

const struct alert_engine_stats *alert_engine_stats(const struct alert_engine *e, unsigned alert)
{
    if (e == NULL || alert >= e->count) {
        return NULL;
    }
    return &e->in[alert].st;
}

const char *alert_engine_strerror(int err)
{
    switch (err) {
    case ALERT_ENGINE_OK: return "ok";
    case ALERT_ENGINE_ERR_ARG: return "no engine or configuration, or no such alert";
    default: return "unknown alert engine error";
    }
}
