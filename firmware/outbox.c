/*
 * The outbox queue and its delivery policy; see outbox.h.
 */
#include "firmware/outbox.h"

#include <string.h>

#include "lib/units.h"

void outbox_init(struct outbox *ob, const struct outbox_store_ops *store)
{
    memset(ob, 0, sizeof *ob);
    ob->next_id = 1;
    if (store != NULL) {
        ob->store = *store;
    }
}

static void store_save(struct outbox *ob, const struct outbox_entry *e, enum outbox_change why, uint32_t absorbed)
{
    if (ob->store.save != NULL) {
        ob->store.save(ob->store.ctx, e, why, absorbed);
    }
}

static void store_drop(struct outbox *ob, const struct outbox_entry *e)
{
    if (ob->store.drop != NULL) {
        ob->store.drop(ob->store.ctx, e);
    }
}

static void copy_reply(char *dst, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    size_t n = strlen(src);
    if (n >= OUTBOX_REPLY_MAX) {
        n = OUTBOX_REPLY_MAX - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int index_of(const struct outbox *ob, uint32_t id)
{
    for (unsigned i = 0; i < ob->count; i++) {
        if (ob->entries[i].id == id) {
            return (int)i;
        }
    }
    return -1;
}

static void remove_at(struct outbox *ob, unsigned index)
{
    memmove(&ob->entries[index], &ob->entries[index + 1], (ob->count - index - 1) * sizeof ob->entries[0]);
    ob->count--;
}

/* The UTC seconds of uptime at_us, from the last clock reading (an event after it is later, not earlier). */
static int64_t utc_of(const struct outbox *ob, uint64_t at_us)
{
    if (at_us <= ob->clock_us) {
        return ob->clock_utc_s - (int64_t)((ob->clock_us - at_us) / US_PER_S);
    }
    return ob->clock_utc_s + (int64_t)((at_us - ob->clock_us) / US_PER_S);
}

/* Two mails can merge when they come from the same source: the same alert, or both boot or both heartbeat. */
static bool same_source(const struct alert_event *a, const struct alert_event *b)
{
    return a->kind == b->kind && (a->kind != ALERT_EVENT_ALERT || a->alert == b->alert);
}

/* `later` (which happened after `into`) folds into `into`: the events add up, the span grows, the state is the
 * last one's. */
static void fold_event(struct alert_event *into, const struct alert_event *later)
{
    into->events += later->events;
    into->last_us = later->last_us;
    into->recovered = later->recovered;
}

/* An entry can take more events while it is waiting and no recipient has it yet: a recipient that already
 * accepted it would never see the events folded in later. */
static bool mergeable(const struct outbox_entry *e)
{
    return !e->sending && e->rcpt_done == 0;
}

/* The newest mergeable entry from the same source as ev, or -1. */
static int newest_waiting_like(const struct outbox *ob, const struct alert_event *ev)
{
    for (unsigned i = ob->count; i-- > 0;) {
        const struct outbox_entry *e = &ob->entries[i];
        if (mergeable(e) && same_source(&e->ev, ev)) {
            return (int)i;
        }
    }
    return -1;
}

/* Frees one slot by merging the two newest mergeable entries of the source with the most of them. Returns false
 * when no source has two, which the capacity check in outbox.h rules out. */
static bool make_room(struct outbox *ob)
{
    int best = -1;
    unsigned best_count = 1;
    for (unsigned i = 0; i < ob->count; i++) {
        if (!mergeable(&ob->entries[i])) {
            continue;
        }
        unsigned n = 0;
        for (unsigned j = 0; j < ob->count; j++) {
            n += mergeable(&ob->entries[j]) && same_source(&ob->entries[j].ev, &ob->entries[i].ev);
        }
        if (n > best_count) {
            best_count = n;
            best = (int)i;
        }
    }
    if (best < 0) {
        return false;
    }
    int newest = newest_waiting_like(ob, &ob->entries[best].ev);
    int older = -1;
    for (int i = newest - 1; i >= 0; i--) {
        if (mergeable(&ob->entries[i]) && same_source(&ob->entries[i].ev, &ob->entries[newest].ev)) {
            older = i;
            break;
        }
    }
    struct outbox_entry *keep = &ob->entries[older];
    fold_event(&keep->ev, &ob->entries[newest].ev);
    ob->stats.merged += ob->entries[newest].ev.events;
    store_save(ob, keep, OUTBOX_CHANGE_MERGED, ob->entries[newest].id);
    store_drop(ob, &ob->entries[newest]);
    remove_at(ob, (unsigned)newest);
    return true;
}

uint32_t outbox_add(struct outbox *ob, const struct alert_event *ev, uint64_t unique, uint64_t now_us)
{
    ob->stats.added += ev->events;
    if (ob->count == OUTBOX_CAPACITY) {
        int like = newest_waiting_like(ob, ev);
        if (like >= 0) {
            struct outbox_entry *e = &ob->entries[like];
            fold_event(&e->ev, ev);
            ob->stats.merged += ev->events;
            store_save(ob, e, OUTBOX_CHANGE_MERGED, 0);
            return e->id;
        }
        if (!make_room(ob)) {
            ob->stats.lost += ev->events;
            return 0;
        }
    }
    struct outbox_entry *e = &ob->entries[ob->count++];
    memset(e, 0, sizeof *e);
    e->id = ob->next_id++;
    e->ev = *ev;
    /* Dated at once when the clock is known: the store then writes the entry once, not again when it is dated. */
    e->date = ob->clock_known ? utc_of(ob, ev->first_us) : -1;
    e->unique = unique;
    e->added_us = now_us;
    e->next_try_us = now_us;
    e->last_outcome = OUTBOX_NOT_TRIED;
    store_save(ob, e, OUTBOX_CHANGE_ADDED, 0);
    return e->id;
}

int outbox_restore(struct outbox *ob, const struct outbox_entry *saved, uint64_t now_us)
{
    if (ob->count == OUTBOX_CAPACITY) {
        return OUTBOX_ERR_FULL;
    }
    if (saved->id == 0 || saved->id < ob->next_id) {
        return OUTBOX_ERR_ORDER;
    }
    struct outbox_entry *e = &ob->entries[ob->count++];
    *e = *saved;
    e->sending = false;
    e->next_try_us = now_us;
    ob->next_id = saved->id + 1;
    return 0;
}

void outbox_date_entries(struct outbox *ob, uint64_t now_us, int64_t utc_now_s)
{
    ob->clock_known = true;
    ob->clock_us = now_us;
    ob->clock_utc_s = utc_now_s;
    for (unsigned i = 0; i < ob->count; i++) {
        struct outbox_entry *e = &ob->entries[i];
        if (e->date >= 0) {
            continue;
        }
        e->date = utc_of(ob, e->ev.first_us);
        store_save(ob, e, OUTBOX_CHANGE_DATED, 0);
    }
}

unsigned outbox_batch(struct outbox *ob, uint64_t now_us, outbox_route_fn route, void *route_ctx, uint32_t *ids,
                      unsigned max)
{
    if (max > OUTBOX_BATCH_MAX) {
        max = OUTBOX_BATCH_MAX;
    }
    int first = -1;
    for (unsigned i = 0; i < ob->count; i++) {
        const struct outbox_entry *e = &ob->entries[i];
        if (!e->sending && e->date >= 0 && e->next_try_us <= now_us) {
            first = (int)i;
            break;
        }
    }
    if (first < 0 || max == 0) {
        return 0;
    }
    int first_route = route != NULL ? route(route_ctx, &ob->entries[first].ev) : 0;
    unsigned n = 0;
    /* The oldest waiting dated entries of that route, from the start: an older one still in its backoff goes along,
     * since the session is being opened anyway and it must not arrive after a newer one. The due entry always goes:
     * older ones take at most max - 1 places, or a due entry behind a full batch of older ones in their backoff would
     * never go, and those older ones would be tried again and again (after a restore at boot, with a server that
     * refuses at once, that was a busy loop). */
    for (unsigned i = 0; i < ob->count && n < max; i++) {
        struct outbox_entry *e = &ob->entries[i];
        if (e->sending || e->date < 0 || ((int)i < first && n == max - 1)) {
            continue;
        }
        if (route != NULL && route(route_ctx, &e->ev) != first_route) {
            continue;
        }
        e->sending = true;
        ids[n++] = e->id;
    }
    return n;
}

/* The delay before attempt number `attempts` + 1: OUTBOX_RETRY_FIRST_MS doubling, capped, drawn from [d/2, d]. */
static uint64_t backoff_us(unsigned attempts, uint32_t random)
{
    uint64_t d_ms = OUTBOX_RETRY_FIRST_MS;
    for (unsigned i = 1; i < attempts && d_ms < OUTBOX_RETRY_CAP_MS; i++) {
        d_ms *= 2;
    }
    if (d_ms > OUTBOX_RETRY_CAP_MS) {
        d_ms = OUTBOX_RETRY_CAP_MS;
    }
    uint64_t half = d_ms / 2;
    return (half + random % (half + 1)) * US_PER_MS;
}

static void add_failure(struct outbox *ob, const struct outbox_entry *e)
{
    if (ob->failure_count == OUTBOX_FAILED_MAX) {
        ob->failures_uncounted++;
        return;
    }
    struct outbox_failure *f = &ob->failures[ob->failure_count++];
    f->id = e->id;
    f->ev = e->ev;
    f->date = e->date;
    copy_reply(f->reply, e->last_reply);
}

void outbox_result(struct outbox *ob, uint32_t id, enum outbox_outcome outcome, uint32_t rcpt_accepted,
                   const char *reply, uint64_t now_us, uint32_t random)
{
    int i = index_of(ob, id);
    if (i < 0) {
        return;
    }
    struct outbox_entry *e = &ob->entries[i];
    e->sending = false;
    e->attempts++;
    e->rcpt_done |= rcpt_accepted;
    e->last_outcome = outcome;
    copy_reply(e->last_reply, reply);
    ob->stats.attempts++;
    switch (outcome) {
    case OUTBOX_DELIVERED:
        ob->stats.delivered++;
        ob->config_fault = false;
        store_drop(ob, e);
        remove_at(ob, (unsigned)i);
        return;
    case OUTBOX_PERMANENT:
        ob->stats.undeliverable++;
        add_failure(ob, e);
        store_drop(ob, e);
        remove_at(ob, (unsigned)i);
        return;
    case OUTBOX_CONFIG_FAULT:
        ob->config_fault = true;
        e->next_try_us = now_us + (uint64_t)OUTBOX_RETRY_CAP_MS * US_PER_MS;
        break;
    case OUTBOX_TEMPORARY:
    case OUTBOX_NOT_TRIED:
    default: e->next_try_us = now_us + backoff_us(e->attempts, random); break;
    }
    store_save(ob, e, OUTBOX_CHANGE_TRIED, 0);
}

void outbox_retry_now(struct outbox *ob, uint64_t now_us)
{
    for (unsigned i = 0; i < ob->count; i++) {
        if (!ob->entries[i].sending) {
            ob->entries[i].next_try_us = now_us;
        }
    }
}

const struct outbox_entry *outbox_find(const struct outbox *ob, uint32_t id)
{
    int i = index_of(ob, id);
    return i < 0 ? NULL : &ob->entries[i];
}

const struct outbox_entry *outbox_entry_at(const struct outbox *ob, unsigned index)
{
    return index < ob->count ? &ob->entries[index] : NULL;
}

unsigned outbox_count(const struct outbox *ob)
{
    return ob->count;
}

uint64_t outbox_next_due_us(const struct outbox *ob)
{
    uint64_t due = UINT64_MAX;
    for (unsigned i = 0; i < ob->count; i++) {
        const struct outbox_entry *e = &ob->entries[i];
        if (!e->sending && e->date >= 0 && e->next_try_us < due) {
            due = e->next_try_us;
        }
    }
    return due;
}

bool outbox_config_fault(const struct outbox *ob)
{
    return ob->config_fault;
}

const struct outbox_failure *outbox_failures(const struct outbox *ob, unsigned *count, uint32_t *more)
{
    *count = ob->failure_count;
    *more = ob->failures_uncounted;
    return ob->failures;
}

void outbox_failures_reported(struct outbox *ob, unsigned count, uint32_t more)
{
    if (count > ob->failure_count) {
        count = ob->failure_count;
    }
    memmove(&ob->failures[0], &ob->failures[count], (ob->failure_count - count) * sizeof ob->failures[0]);
    ob->failure_count -= count;
    ob->failures_uncounted -= more < ob->failures_uncounted ? more : ob->failures_uncounted;
}

const struct outbox_stats *outbox_stats(const struct outbox *ob)
{
    return &ob->stats;
}

const char *outbox_outcome_name(enum outbox_outcome outcome)
{
    switch (outcome) {
    case OUTBOX_NOT_TRIED: return "not tried";
    case OUTBOX_DELIVERED: return "delivered";
    case OUTBOX_TEMPORARY: return "temporary failure";
    case OUTBOX_PERMANENT: return "undeliverable";
    case OUTBOX_CONFIG_FAULT: return "configuration fault";
    default: return "unknown";
    }
}

const char *outbox_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case OUTBOX_ERR_FULL: return "the outbox is full";
    case OUTBOX_ERR_ORDER: return "a mail id out of order";
    default: return "unknown outbox error";
    }
}
