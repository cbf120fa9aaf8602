/*
 * outbox_journal.h - the outbox's entries on the journal (firmware/journal.h), so that a mail survives a power cut:
 * the store under firmware/outbox.h (struct outbox_store_ops) and the replay that puts the entries back at boot.
 *
 * What reaches the card (one journal record per version of an entry, in the fixed layout of outbox_journal.c):
 *  - a new entry: one record (1 block write); with the clock already set it carries its Date at once;
 *  - its first Date, when it was added before the clock was set, or events merged into it (a full queue): a new
 *    record, then the older one marked (2 writes). The new record is on the card before the older one is marked,
 *    so a power cut in between leaves both, and the replay keeps the newer (same id, higher sequence number).
 *    When the merge folds another entry in, the new record names that entry (absorbed id) and the replay drops
 *    the absorbed one's record if its mark did not complete: the events are never counted twice, never lost;
 *  - a failed attempt: nothing, unless some recipients accepted the mail (rcpt_done changed): attempts, backoff and
 *    the last reply stay in RAM, and a restored entry starts its backoff again;
 *  - delivered or undeliverable: the record is marked (1 write); the caller says why in the event log.
 * So an alert mail delivered at the first try costs 2 block writes (3 more when it waited for the clock).
 *
 * The replay (outbox_journal_replay(), at boot before the network): every undelivered record of the newest version
 * of each entry goes back into the outbox, oldest entry first, with its id, Date and Message-ID part, so a mail
 * that was delivered but whose mark did not reach the card is sent again with the same Message-ID (at least once,
 * duplicates recognisable). An entry that had no Date yet (its event came before the clock was set, in the boot
 * that lost power) cannot be dated from an uptime of another boot: it is dated like an event of this boot's
 * replay (its span kept), marked date_guessed, and the mail says so. Superseded and absorbed records are marked.
 * More entries than the outbox holds can only be on the card after marks that failed (card errors): the oldest
 * OUTBOX_CAPACITY come back, the rest stay on the card, counted, for a later boot (their ids may then be reused by
 * new mails of this boot, and the newer of two records with one id wins: known limit, reported on the console).
 * A boot or heartbeat mail that comes back describes the board as it is when it is sent, under its first Date.
 *
 * Rules: pure (no board calls, no printing): the journal is the caller's, already open; errors go to the report
 * callback. Main loop only; one struct outbox_journal per outbox, which must outlive the outbox using its ops.
 */
#ifndef FIRMWARE_OUTBOX_JOURNAL_H
#define FIRMWARE_OUTBOX_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "firmware/journal.h"
#include "firmware/outbox.h"

/* The journal's record kind of an outbox entry (journal_record.kind). */
#define OUTBOX_JOURNAL_KIND 1u
/* Payload bytes of the layout's version 1. */
#define OUTBOX_JOURNAL_RECORD_SIZE 56u

struct outbox_journal_stats {
    uint32_t saved;   /* records written (entries added, dated, merged, recipients that accepted) */
    uint32_t skipped; /* saves that did not need the card (a failed attempt) */
    uint32_t marked;  /* records marked (delivered, undeliverable, superseded) */
    uint32_t errors;  /* journal calls that failed: the entry is then in RAM only (or comes back once more) */
};

/* What the replay found. */
struct outbox_journal_replay {
    unsigned restored;   /* entries put back into the outbox */
    unsigned undated;    /* of which without a Date (dated with this boot, date_guessed) */
    unsigned superseded; /* older versions and absorbed entries, marked */
    unsigned dropped;    /* entries of an alert the configuration no longer has, marked */
    unsigned left;       /* entries that did not fit into the outbox, left on the card for a later boot */
    unsigned unknown;    /* records in a layout this build does not read (left on the card) */
};

/* What the card holds for one entry of the outbox. */
struct outbox_journal_slot {
    uint32_t id;
    uint64_t seq;       /* its newest record */
    uint32_t rcpt_done; /* as that record has it */
};

/* Told about each failed journal call: what (e.g. "cannot keep mail 3"), and the JOURNAL_ERR_* code. */
typedef void (*outbox_journal_report_fn)(void *ctx, int err, uint32_t id, const char *what);

struct outbox_journal {
    struct journal *j;
    outbox_journal_report_fn report;
    void *report_ctx;
    struct outbox_journal_slot slots[OUTBOX_CAPACITY];
    unsigned count;
    struct outbox_journal_stats stats;
};

/* A store on j (open, in the keep mode). report may be NULL. */
void outbox_journal_init(struct outbox_journal *oj, struct journal *j, outbox_journal_report_fn report, void *ctx);

/* The operations for outbox_init(), with oj as their context. */
struct outbox_store_ops outbox_journal_ops(struct outbox_journal *oj);

/* Puts the journal's undelivered entries into ob (just initialised with this store's ops, empty) at now_us, as
 * said above. Alert entries whose index is not below alert_count (the configuration changed since) are marked and
 * counted as dropped. Fills *out (may be NULL). Returns 0 or a JOURNAL_ERR_* code of the replay itself. */
int outbox_journal_replay(struct outbox_journal *oj, struct outbox *ob, uint64_t now_us, unsigned alert_count,
                          struct outbox_journal_replay *out);

/* The layout of a record (exposed for the tests): writes e (absorbing `absorbed`, 0 for none) into
 * buf[OUTBOX_JOURNAL_RECORD_SIZE]; reads it back into e (id, ev, date, unique, rcpt_done, date_guessed; the rest
 * zero) and *absorbed. decode returns false for a payload of another version or a bad length or content. */
void outbox_journal_encode(const struct outbox_entry *e, uint32_t absorbed, uint8_t *buf);
bool outbox_journal_decode(const uint8_t *buf, size_t len, struct outbox_entry *e, uint32_t *absorbed);

#endif /* FIRMWARE_OUTBOX_JOURNAL_H */
