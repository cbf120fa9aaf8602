/*
 * journal.h - records that survive a power cut: a ring of self-checking blocks on a block device.
 *
 * What it is for: the outbox writes each mail it accepts here before it tries to send it, marks it delivered after
 * the server's 250, and at boot gets back, in order, every record not marked. The event log (firmware/event_log.h)
 * uses the same ring in its other mode, where the oldest record is simply overwritten.
 *
 * On the device: one record per 512-byte block of the region [first, first + count), each carrying a magic number
 * (which also says which ring it belongs to), a sequence number, the caller's kind and event time, an opaque
 * payload of up to JOURNAL_PAYLOAD_MAX bytes and a CRC-32 over all of it. There is no index or header block to
 * keep consistent: journal_open() reads the whole region once and rebuilds its state from the records themselves.
 *  - Appending writes one block: the next slot after the newest record that holds no undelivered record (so the
 *    ring never overwrites what is still to be sent; when every slot does, the journal is full).
 *  - Marking delivered writes one block: the record's own slot is overwritten by a tombstone that keeps its
 *    sequence number (so the newest sequence number, which says where the ring's head is, is never lost).
 *  - A write cut short (a power cut mid-block) leaves a block whose CRC does not match: it is skipped as if empty.
 *    A torn append loses only the record being written (journal_append() had not returned); a torn tombstone
 *    loses the record, which was delivered anyway. So after a crash every record whose append returned 0 and that
 *    was not marked delivered comes back exactly once, and no delivered record does unless its mark did not
 *    complete (then it comes back once more: at least once, never lost).
 * Figures: 2 block writes per mail (append + mark), none else; capacity min(count, JOURNAL_MAX_LIVE) undelivered
 * records; journal_open() reads count blocks, JOURNAL_SCAN_BLOCKS at a time.
 *
 * Rules: pure (no board calls, no allocation): all I/O goes through the struct blockdev it is given, so host tests
 * run it on a file. One struct journal per region, owned by the caller, used from one context (the main loop);
 * not reentrant. Buffers passed in stay the caller's.
 */
#ifndef FIRMWARE_JOURNAL_H
#define FIRMWARE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/blockdev.h"
#include "lib/err.h"

/* Block layout: 28 bytes of header, the payload, and the CRC in the block's last 4 bytes. */
#define JOURNAL_PAYLOAD_MAX 480u

/* Undelivered records the journal can hold (its capacity in mails): each takes 12 bytes of RAM here. 256 is far
 * more than a RAM outbox holds and than an alarm device raises while its server is down for a day. In the
 * overwrite mode it bounds the region's size instead (every record is kept in the table). */
#ifndef JOURNAL_MAX_LIVE
#define JOURNAL_MAX_LIVE 256u
#endif
/* The largest region, in blocks (one bit of RAM each). */
#ifndef JOURNAL_MAX_SLOTS
#define JOURNAL_MAX_SLOTS 8192u
#endif
/* Blocks read per request by journal_open(): fewer commands on the card, 4 KiB of buffer in struct journal. */
#ifndef JOURNAL_SCAN_BLOCKS
#define JOURNAL_SCAN_BLOCKS 8u
#endif

/* NULL pointer, region empty, outside the device or too large */
#define JOURNAL_ERR_INVALID_ARG (-ERR_BASE_JOURNAL - 1)
/* the device failed a read or a write (its code is in journal.io_error) */
#define JOURNAL_ERR_IO (-ERR_BASE_JOURNAL - 2)
/* every slot holds an undelivered record, or JOURNAL_MAX_LIVE are held */
#define JOURNAL_ERR_FULL (-ERR_BASE_JOURNAL - 3)
/* journal_mark_delivered(): no undelivered record with that number */
#define JOURNAL_ERR_NOT_FOUND (-ERR_BASE_JOURNAL - 4)
#define JOURNAL_ERR_TOO_BIG   (-ERR_BASE_JOURNAL - 5) /* payload longer than JOURNAL_PAYLOAD_MAX */
#define JOURNAL_ERR_NOT_OPEN  (-ERR_BASE_JOURNAL - 6) /* used before a successful journal_open() */

enum journal_mode {
    JOURNAL_KEEP_UNDELIVERED, /* the outbox: a record stays until journal_mark_delivered() */
    JOURNAL_OVERWRITE_OLDEST, /* the event log: every record may be overwritten by a newer one */
};

/* One record as the caller sees it. */
struct journal_record {
    uint64_t seq;  /* assigned by journal_append(): 1, 2, 3... over the region's whole life, never reused */
    uint16_t kind; /* the caller's */
    uint64_t time; /* the caller's event time (its own unit) */
    uint16_t len;  /* payload bytes */
    uint8_t payload[JOURNAL_PAYLOAD_MAX];
};

/* Counters since journal_open(), for `outbox`, `log` and the bench. */
struct journal_stats {
    uint32_t block_writes; /* blocks written (appends and tombstones) */
    uint32_t block_reads;  /* blocks read (the open scan and replays) */
    uint32_t torn;         /* blocks in the region with a matching magic number but a bad CRC, seen by the scan */
};

struct journal_live {
    uint64_t seq;
    uint32_t slot;
};

struct journal {
    const struct blockdev *dev;
    uint32_t first; /* the region on dev */
    uint32_t slots;
    uint32_t magic;
    enum journal_mode mode;
    bool open;
    uint64_t next_seq;
    uint32_t head;       /* slot of the newest record; slots - 1 when the region is empty */
    uint32_t live_count; /* records in live[], oldest first */
    struct journal_live live[JOURNAL_MAX_LIVE];
    uint8_t busy[JOURNAL_MAX_SLOTS / 8]; /* one bit per slot holding a record in live[] */
    int io_error;                        /* the device's code of the last JOURNAL_ERR_IO */
    struct journal_stats stats;
    uint8_t buf[JOURNAL_SCAN_BLOCKS * BLOCKDEV_BLOCK_SIZE];
};

/* Reads the region [first, first + count) of dev and rebuilds the journal's state: which records are there (a
 * block with another magic, a bad CRC or all zeros counts as empty) and where the next one goes. magic tells this
 * ring's blocks from any other's (the journal and the event log use different ones; never 0). dev must outlive j;
 * dev->write may be NULL (read-only: replay works, appends fail with JOURNAL_ERR_IO). In the overwrite mode count
 * may not exceed JOURNAL_MAX_LIVE. If more than JOURNAL_MAX_LIVE undelivered records are found (a region written by
 * a build with a larger table), the oldest are kept. Returns 0 or JOURNAL_ERR_*. */
int journal_open(struct journal *j, const struct blockdev *dev, uint32_t first, uint32_t count, uint32_t magic,
                 enum journal_mode mode);

/* Writes a record (one block) and returns its sequence number in *seq (may be NULL). When this returns 0 the record
 * is on the device. Returns JOURNAL_ERR_FULL without writing when no slot is free (keep mode); JOURNAL_ERR_IO when the
 * write failed: the record may then be on the device or not (it may come back at the next open). */
int journal_append(struct journal *j, uint16_t kind, uint64_t time, const void *payload, size_t len, uint64_t *seq);

/* After the server accepted the mail: overwrites the record with a tombstone (one block). The record is forgotten
 * in RAM even when the write fails (JOURNAL_ERR_IO): it then comes back at the next open, a duplicate.
 * JOURNAL_ERR_NOT_FOUND for a number that is not an undelivered record (keep mode only; JOURNAL_ERR_INVALID_ARG in
 * the overwrite mode). */
int journal_mark_delivered(struct journal *j, uint64_t seq);

/* Calls fn for every undelivered record (every record in the overwrite mode), oldest first, reading each from the
 * device; rec is valid during the call only. A record that no longer reads back intact is skipped and counted.
 * fn may call journal_mark_delivered() for the record it was given but nothing else on j. Returns the number of
 * records handed over, or JOURNAL_ERR_NOT_OPEN / JOURNAL_ERR_INVALID_ARG. */
int journal_replay(struct journal *j, void (*fn)(void *ctx, const struct journal_record *rec), void *ctx);

/* Undelivered records held (all records in the overwrite mode), and how many the journal can hold. */
uint32_t journal_count(const struct journal *j);
uint32_t journal_capacity(const struct journal *j);

/* Message for a JOURNAL_ERR_* code. */
const char *journal_strerror(int err);

#endif /* FIRMWARE_JOURNAL_H */
