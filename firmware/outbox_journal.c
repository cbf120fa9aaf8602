/*
 * The outbox's store on the journal; see outbox_journal.h for what reaches the card and how the replay chooses.
 */
#include "firmware/outbox_journal.h"

#include <string.h>

#include "drivers/byteorder.h"

/*
 * One record's payload, version 1 (little-endian). A fixed layout and not a copy of struct outbox_entry: the card
 * outlives the build that wrote it, and a struct's padding, the size of its enum and bool, its byte order and its
 * field order are whatever a compiler and a later edit of outbox.h make them; a record must read the same on the
 * next build and in a host tool. The version byte lets a later layout be told apart (and left alone) by this one.
 */
/* clang-format off */
#define PL_VERSION     0u   /* u8: OUTBOX_JOURNAL_VERSION */
#define PL_KIND        1u   /* u8: enum alert_event_kind */
#define PL_FLAGS       2u   /* u8: */
#define   PL_FLAG_RECOVERED    0x01u
#define   PL_FLAG_DATE_GUESSED 0x02u
#define   PL_FLAGS_KNOWN       (PL_FLAG_RECOVERED | PL_FLAG_DATE_GUESSED)
#define PL_RESERVED    3u   /* u8: 0 */
#define PL_ID          4u   /* u32: the outbox's id, never 0 */
#define PL_ALERT       8u   /* u32: index into the configuration's alerts */
#define PL_EVENTS      12u  /* u32: events covered, at least 1 */
#define PL_FIRST_US    16u  /* u64: uptime of the first event, in the boot that wrote the record */
#define PL_LAST_US     24u  /* u64: uptime of the last event, same boot */
#define PL_DATE        32u  /* i64: the Date (UTC seconds), -1 when not known yet */
#define PL_UNIQUE      40u  /* u64: the Message-ID's random part */
#define PL_RCPT_DONE   48u  /* u32: recipients that accepted the mail */
#define PL_ABSORBED    52u  /* u32: id of an entry merged into this one, whose record is void; 0 for none */
#define PL_END         56u
#define OUTBOX_JOURNAL_VERSION 1u
/* clang-format on */

_Static_assert(PL_END == OUTBOX_JOURNAL_RECORD_SIZE, "the layout's size");
_Static_assert(OUTBOX_JOURNAL_RECORD_SIZE <= JOURNAL_PAYLOAD_MAX, "a record fits a journal block");

void outbox_journal_encode(const struct outbox_entry *e, uint32_t absorbed, uint8_t *buf)
{
    memset(buf, 0, OUTBOX_JOURNAL_RECORD_SIZE);
    buf[PL_VERSION] = OUTBOX_JOURNAL_VERSION;
    buf[PL_KIND] = (uint8_t)e->ev.kind;
    buf[PL_FLAGS] =
        (uint8_t)((e->ev.recovered ? PL_FLAG_RECOVERED : 0u) | (e->date_guessed ? PL_FLAG_DATE_GUESSED : 0u));
    byteorder_put_le32(buf + PL_ID, e->id);
    byteorder_put_le32(buf + PL_ALERT, e->ev.alert);
    byteorder_put_le32(buf + PL_EVENTS, e->ev.events);
    byteorder_put_le64(buf + PL_FIRST_US, e->ev.first_us);
    byteorder_put_le64(buf + PL_LAST_US, e->ev.last_us);
    byteorder_put_le64(buf + PL_DATE, (uint64_t)e->date);
    byteorder_put_le64(buf + PL_UNIQUE, e->unique);
    byteorder_put_le32(buf + PL_RCPT_DONE, e->rcpt_done);
    byteorder_put_le32(buf + PL_ABSORBED, absorbed);
}

bool outbox_journal_decode(const uint8_t *buf, size_t len, struct outbox_entry *e, uint32_t *absorbed)
{
    if (len != OUTBOX_JOURNAL_RECORD_SIZE || buf[PL_VERSION] != OUTBOX_JOURNAL_VERSION ||
        buf[PL_KIND] > ALERT_EVENT_HEARTBEAT || (buf[PL_FLAGS] & ~PL_FLAGS_KNOWN) != 0 || buf[PL_RESERVED] != 0) {
        return false;
    }
    memset(e, 0, sizeof *e);
    e->id = byteorder_get_le32(buf + PL_ID);
    e->ev.kind = (enum alert_event_kind)buf[PL_KIND];
    e->ev.recovered = (buf[PL_FLAGS] & PL_FLAG_RECOVERED) != 0;
    e->date_guessed = (buf[PL_FLAGS] & PL_FLAG_DATE_GUESSED) != 0;
    e->ev.alert = byteorder_get_le32(buf + PL_ALERT);
    e->ev.events = byteorder_get_le32(buf + PL_EVENTS);
    e->ev.first_us = byteorder_get_le64(buf + PL_FIRST_US);
    e->ev.last_us = byteorder_get_le64(buf + PL_LAST_US);
    e->date = (int64_t)byteorder_get_le64(buf + PL_DATE);
    e->unique = byteorder_get_le64(buf + PL_UNIQUE);
    e->rcpt_done = byteorder_get_le32(buf + PL_RCPT_DONE);
    e->last_outcome = OUTBOX_NOT_TRIED;
    *absorbed = byteorder_get_le32(buf + PL_ABSORBED);
    return e->id != 0 && e->ev.events > 0 && e->ev.last_us >= e->ev.first_us && e->date >= -1 && *absorbed != e->id;
}

/* ---- the store --------------------------------------------------------------------------------------------- */

static void report(struct outbox_journal *oj, int err, uint32_t id, const char *what)
{
    oj->stats.errors++;
    if (oj->report != NULL) {
        oj->report(oj->report_ctx, err, id, what);
    }
}

static struct outbox_journal_slot *slot_of(struct outbox_journal *oj, uint32_t id)
{
    for (unsigned i = 0; i < oj->count; i++) {
        if (oj->slots[i].id == id) {
            return &oj->slots[i];
        }
    }
    return NULL;
}

static void slot_remove(struct outbox_journal *oj, struct outbox_journal_slot *s)
{
    *s = oj->slots[--oj->count];
}

static void mark(struct outbox_journal *oj, uint64_t seq, uint32_t id, const char *what)
{
    int err = journal_mark_delivered(oj->j, seq);
    if (err == 0) {
        oj->stats.marked++;
    } else {
        report(oj, err, id, what);
    }
}

static void store_save(void *ctx, const struct outbox_entry *e, enum outbox_change why, uint32_t absorbed)
{
    struct outbox_journal *oj = ctx;
    struct outbox_journal_slot *s = slot_of(oj, e->id);
    if (why == OUTBOX_CHANGE_TRIED && s != NULL && s->rcpt_done == e->rcpt_done) {
        oj->stats.skipped++;
        return;
    }
    uint8_t payload[OUTBOX_JOURNAL_RECORD_SIZE];
    outbox_journal_encode(e, absorbed, payload);
    uint64_t seq;
    int err =
        journal_append(oj->j, OUTBOX_JOURNAL_KIND, e->date >= 0 ? (uint64_t)e->date : 0, payload, sizeof payload, &seq);
    if (err != 0) {
        /* The older record, if any, stays: after a power cut the mail comes back as it was before this change. */
        report(oj, err, e->id, s != NULL ? "cannot write the change of mail" : "cannot keep mail");
        return;
    }
    oj->stats.saved++;
    if (s == NULL) {
        if (oj->count == OUTBOX_CAPACITY) {
            /* Not reached: the outbox holds no more entries than this table. The record is kept unowned. */
            report(oj, JOURNAL_ERR_FULL, e->id, "no room to track mail");
            return;
        }
        s = &oj->slots[oj->count++];
        s->id = e->id;
    } else {
        /* Only now that the new version is on the card may the old one go. */
        mark(oj, s->seq, e->id, "cannot mark the older record of mail");
    }
    s->seq = seq;
    s->rcpt_done = e->rcpt_done;
}

static void store_drop(void *ctx, const struct outbox_entry *e)
{
    struct outbox_journal *oj = ctx;
    struct outbox_journal_slot *s = slot_of(oj, e->id);
    if (s == NULL) {
        return;
    }
    uint64_t seq = s->seq;
    slot_remove(oj, s);
    mark(oj, seq, e->id, "cannot mark delivered (it may be sent again after a restart): mail");
}

void outbox_journal_init(struct outbox_journal *oj, struct journal *j, outbox_journal_report_fn report_fn, void *ctx)
{
    memset(oj, 0, sizeof *oj);
    oj->j = j;
    oj->report = report_fn;
    oj->report_ctx = ctx;
}

struct outbox_store_ops outbox_journal_ops(struct outbox_journal *oj)
{
    return (struct outbox_store_ops){ .save = store_save, .drop = store_drop, .ctx = oj };
}

/* ---- the replay -------------------------------------------------------------------------------------------- */

enum verdict { V_UNKNOWN, V_SUPERSEDED, V_DROPPED, V_LEFT, V_RESTORE };

/* One record as the first pass saw it. The table is static: up to JOURNAL_MAX_LIVE of them (24 bytes each) would
 * not fit the bare-metal main loop's stack. */
struct seen {
    uint64_t seq;
    uint32_t id;
    uint32_t absorbed;
    uint8_t verdict;
    uint8_t rank; /* V_RESTORE: its place in the outbox, by id */
};

static struct {
    struct seen seen[JOURNAL_MAX_LIVE];
    unsigned count;
    unsigned alert_count;
    struct outbox_entry entries[OUTBOX_CAPACITY];
    struct outbox_journal *oj;
} rp;

static void scan_record(void *ctx, const struct journal_record *rec)
{
    (void)ctx;
    if (rp.count == JOURNAL_MAX_LIVE) {
        return;
    }
    struct seen *s = &rp.seen[rp.count++];
    struct outbox_entry e;
    memset(s, 0, sizeof *s);
    s->seq = rec->seq;
    s->verdict = V_UNKNOWN;
    if (rec->kind != OUTBOX_JOURNAL_KIND || !outbox_journal_decode(rec->payload, rec->len, &e, &s->absorbed)) {
        return;
    }
    s->id = e.id;
    s->verdict = e.ev.kind == ALERT_EVENT_ALERT && e.ev.alert >= rp.alert_count ? V_DROPPED : V_RESTORE;
}

/* The newest version of each entry stays, unless a later record of another entry absorbed it (any version of that
 * entry: the later ones hold the events too). "Later" matters: ids start again at 1 in a boot with an empty
 * journal, and a new entry with an absorbed entry's id comes after the merge (sequence numbers only grow). */
static void choose(void)
{
    for (unsigned i = 0; i < rp.count; i++) {
        struct seen *s = &rp.seen[i];
        if (s->verdict == V_UNKNOWN) {
            continue;
        }
        for (unsigned k = 0; k < rp.count && s->verdict != V_SUPERSEDED; k++) {
            const struct seen *o = &rp.seen[k];
            if (o->verdict == V_UNKNOWN || k == i) {
                continue;
            }
            if ((o->id == s->id && o->seq > s->seq) || (o->id != s->id && o->absorbed == s->id && o->seq > s->seq)) {
                s->verdict = V_SUPERSEDED;
            }
        }
    }
    /* Ranks by id among those to restore; those beyond the outbox's capacity wait on the card. */
    for (unsigned i = 0; i < rp.count; i++) {
        struct seen *s = &rp.seen[i];
        if (s->verdict != V_RESTORE) {
            continue;
        }
        unsigned rank = 0;
        for (unsigned k = 0; k < rp.count; k++) {
            rank += rp.seen[k].verdict == V_RESTORE && rp.seen[k].id < s->id;
        }
        if (rank >= OUTBOX_CAPACITY) {
            s->verdict = V_LEFT;
        } else {
            s->rank = (uint8_t)rank;
        }
    }
}

static const struct seen *seen_of(uint64_t seq)
{
    for (unsigned i = 0; i < rp.count; i++) {
        if (rp.seen[i].seq == seq) {
            return &rp.seen[i];
        }
    }
    return NULL;
}

static void apply_record(void *ctx, const struct journal_record *rec)
{
    (void)ctx;
    const struct seen *s = seen_of(rec->seq);
    if (s == NULL) {
        return;
    }
    uint32_t absorbed;
    switch (s->verdict) {
    case V_SUPERSEDED: mark(rp.oj, rec->seq, s->id, "cannot mark an older record of mail"); break;
    case V_DROPPED: mark(rp.oj, rec->seq, s->id, "cannot mark the record of a dropped mail"); break;
    case V_RESTORE: outbox_journal_decode(rec->payload, rec->len, &rp.entries[s->rank], &absorbed); break;
    default: break;
    }
}

int outbox_journal_replay(struct outbox_journal *oj, struct outbox *ob, uint64_t now_us, unsigned alert_count,
                          struct outbox_journal_replay *out)
{
    struct outbox_journal_replay r = { 0 };
    memset(&rp, 0, sizeof rp);
    rp.oj = oj;
    rp.alert_count = alert_count;
    int err = journal_replay(oj->j, scan_record, NULL);
    if (err >= 0) {
        choose();
        err = journal_replay(oj->j, apply_record, NULL);
    }
    if (err < 0) {
        if (out != NULL) {
            *out = r;
        }
        return err;
    }
    for (unsigned i = 0; i < rp.count; i++) {
        const struct seen *s = &rp.seen[i];
        r.superseded += s->verdict == V_SUPERSEDED;
        r.dropped += s->verdict == V_DROPPED;
        r.left += s->verdict == V_LEFT;
        r.unknown += s->verdict == V_UNKNOWN;
    }
    unsigned to_restore = 0;
    for (unsigned i = 0; i < rp.count; i++) {
        to_restore += rp.seen[i].verdict == V_RESTORE;
    }
    for (unsigned rank = 0; rank < to_restore; rank++) {
        struct outbox_entry *e = &rp.entries[rank];
        const struct seen *s = NULL;
        for (unsigned i = 0; i < rp.count && s == NULL; i++) {
            if (rp.seen[i].verdict == V_RESTORE && rp.seen[i].rank == rank) {
                s = &rp.seen[i];
            }
        }
        if (e->date < 0) {
            /* An uptime of the boot that lost power means nothing now: the event is placed at this replay. */
            uint64_t span = e->ev.last_us - e->ev.first_us;
            e->ev.first_us = now_us;
            e->ev.last_us = now_us + span;
            e->date_guessed = true;
            r.undated++;
        }
        e->added_us = now_us;
        if (outbox_restore(ob, e, now_us) != 0 || oj->count == OUTBOX_CAPACITY) {
            r.left++;
            continue;
        }
        oj->slots[oj->count++] = (struct outbox_journal_slot){ .id = e->id, .seq = s->seq, .rcpt_done = e->rcpt_done };
        r.restored++;
    }
    if (out != NULL) {
        *out = r;
    }
    return 0;
}
