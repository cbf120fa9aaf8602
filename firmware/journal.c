/*
 * The journal's ring of records; see journal.h for the format's rules and what survives which crash.
 */
#include "firmware/journal.h"

#include <string.h>

#include "drivers/byteorder.h"

/* One record block (little-endian fields). */
/* clang-format off */
#define REC_MAGIC      0u
#define REC_SEQ_LO     4u
#define REC_SEQ_HI     8u
#define REC_KIND       12u
#define REC_FLAGS      14u
#define   REC_FLAG_TOMBSTONE 0x0001u
#define REC_TIME_LO    16u
#define REC_TIME_HI    20u
#define REC_LEN        24u
#define REC_RESERVED   26u
#define REC_PAYLOAD    28u
#define REC_CRC        (BLOCKDEV_BLOCK_SIZE - 4u)
/* clang-format on */

_Static_assert(REC_PAYLOAD + JOURNAL_PAYLOAD_MAX == REC_CRC, "the payload fills the block up to the CRC");
_Static_assert(JOURNAL_MAX_SLOTS % 8 == 0, "one bit per slot");

enum decoded { BLOCK_EMPTY, BLOCK_TORN, BLOCK_RECORD, BLOCK_TOMBSTONE };

/* A decoded record (about 500 bytes): kept off the small stack of the bare-metal main loop. One is enough, since
 * no two journal calls run at once (journal.h: not reentrant). */
static struct journal_record scratch;

/* CRC-32 of IEEE 802.3 (reflected, polynomial 0xEDB88320, as zlib's crc32()), four bits at a time: a 64-byte table
 * is quick enough for one block per record and the scan at boot. */
static uint32_t crc32_block(const uint8_t *p, size_t len)
{
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
        0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
    };
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 0xFu];
        crc = (crc >> 4) ^ nibble[crc & 0xFu];
    }
    return ~crc;
}

static void encode(const struct journal *j, uint8_t *blk, uint64_t seq, uint16_t kind, uint16_t flags, uint64_t time,
                   const void *payload, size_t len)
{
    memset(blk, 0, BLOCKDEV_BLOCK_SIZE);
    byteorder_put_le32(blk + REC_MAGIC, j->magic);
    byteorder_put_le64(blk + REC_SEQ_LO, seq);
    byteorder_put_le16(blk + REC_KIND, kind);
    byteorder_put_le16(blk + REC_FLAGS, flags);
    byteorder_put_le64(blk + REC_TIME_LO, time);
    byteorder_put_le16(blk + REC_LEN, (uint16_t)len);
    if (len > 0) {
        memcpy(blk + REC_PAYLOAD, payload, len);
    }
    byteorder_put_le32(blk + REC_CRC, crc32_block(blk, REC_CRC));
}

/* Tells what a block holds; fills rec (when not NULL) for a record or a tombstone. */
static enum decoded decode(const struct journal *j, const uint8_t *blk, struct journal_record *rec)
{
    if (byteorder_get_le32(blk + REC_MAGIC) != j->magic) {
        return BLOCK_EMPTY;
    }
    uint16_t len = byteorder_get_le16(blk + REC_LEN);
    uint64_t seq = byteorder_get_le64(blk + REC_SEQ_LO);
    if (byteorder_get_le32(blk + REC_CRC) != crc32_block(blk, REC_CRC) || len > JOURNAL_PAYLOAD_MAX || seq == 0) {
        return BLOCK_TORN;
    }
    if (rec != NULL) {
        rec->seq = seq;
        rec->kind = byteorder_get_le16(blk + REC_KIND);
        rec->time = byteorder_get_le64(blk + REC_TIME_LO);
        rec->len = len;
        memcpy(rec->payload, blk + REC_PAYLOAD, len);
    }
    return (byteorder_get_le16(blk + REC_FLAGS) & REC_FLAG_TOMBSTONE) ? BLOCK_TOMBSTONE : BLOCK_RECORD;
}

static bool slot_busy(const struct journal *j, uint32_t slot)
{
    return (j->busy[slot / 8] >> (slot % 8)) & 1u;
}

static void slot_set_busy(struct journal *j, uint32_t slot, bool busy)
{
    uint8_t bit = (uint8_t)(1u << (slot % 8));
    j->busy[slot / 8] = (uint8_t)(busy ? (j->busy[slot / 8] | bit) : (j->busy[slot / 8] & ~bit));
}

static void live_remove_at(struct journal *j, uint32_t index)
{
    slot_set_busy(j, j->live[index].slot, false);
    memmove(&j->live[index], &j->live[index + 1], (j->live_count - index - 1) * sizeof(j->live[0]));
    j->live_count--;
}

/* Inserts in sequence order; when the table is full the newest entry is the one left out. */
static void live_insert(struct journal *j, uint64_t seq, uint32_t slot)
{
    uint32_t i = j->live_count;
    while (i > 0 && j->live[i - 1].seq > seq) {
        i--;
    }
    if (j->live_count == JOURNAL_MAX_LIVE) {
        if (i == JOURNAL_MAX_LIVE) {
            return;
        }
        live_remove_at(j, JOURNAL_MAX_LIVE - 1);
    }
    memmove(&j->live[i + 1], &j->live[i], (j->live_count - i) * sizeof(j->live[0]));
    j->live[i] = (struct journal_live){ .seq = seq, .slot = slot };
    j->live_count++;
    slot_set_busy(j, slot, true);
}

/* Index in live[] of seq (binary search: the table is in sequence order), or -1. */
static long live_find(const struct journal *j, uint64_t seq)
{
    uint32_t lo = 0;
    uint32_t hi = j->live_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (j->live[mid].seq < seq) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (lo < j->live_count && j->live[lo].seq == seq) ? (long)lo : -1;
}

static void live_remove_slot(struct journal *j, uint32_t slot)
{
    if (!slot_busy(j, slot)) {
        return;
    }
    for (uint32_t i = 0; i < j->live_count; i++) {
        if (j->live[i].slot == slot) {
            live_remove_at(j, i);
            return;
        }
    }
}

static int device_result(struct journal *j, int err)
{
    if (err != 0) {
        j->io_error = err;
        return JOURNAL_ERR_IO;
    }
    return 0;
}

int journal_open(struct journal *j, const struct blockdev *dev, uint32_t first, uint32_t count, uint32_t magic,
                 enum journal_mode mode)
{
    if (j == NULL) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    memset(j, 0, offsetof(struct journal, buf));
    if (dev == NULL || magic == 0 || count == 0 || count > JOURNAL_MAX_SLOTS || first >= dev->block_count ||
        count > dev->block_count - first || (mode == JOURNAL_OVERWRITE_OLDEST && count > JOURNAL_MAX_LIVE)) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    j->dev = dev;
    j->first = first;
    j->slots = count;
    j->magic = magic;
    j->mode = mode;

    uint64_t newest = 0;
    j->head = count - 1;
    for (uint32_t pos = 0; pos < count; pos += JOURNAL_SCAN_BLOCKS) {
        uint32_t n = count - pos < JOURNAL_SCAN_BLOCKS ? count - pos : JOURNAL_SCAN_BLOCKS;
        int err = device_result(j, blockdev_read(dev, first + pos, n, j->buf));
        if (err != 0) {
            return err;
        }
        j->stats.block_reads += n;
        for (uint32_t k = 0; k < n; k++) {
            enum decoded what = decode(j, &j->buf[k * BLOCKDEV_BLOCK_SIZE], &scratch);
            if (what == BLOCK_TORN) {
                j->stats.torn++;
            }
            if (what != BLOCK_RECORD && what != BLOCK_TOMBSTONE) {
                continue;
            }
            if (scratch.seq > newest) {
                newest = scratch.seq;
                j->head = pos + k;
            }
            if (what == BLOCK_RECORD) {
                live_insert(j, scratch.seq, pos + k);
            }
        }
    }
    j->next_seq = newest + 1;
    j->open = true;
    return 0;
}

/* The slot the next record goes to, or -1 when none may be overwritten. */
static long next_slot(const struct journal *j)
{
    if (j->mode == JOURNAL_OVERWRITE_OLDEST) {
        return (long)((j->head + 1) % j->slots);
    }
    if (j->live_count >= JOURNAL_MAX_LIVE) {
        return -1;
    }
    for (uint32_t i = 1; i <= j->slots; i++) {
        uint32_t slot = (j->head + i) % j->slots;
        if (!slot_busy(j, slot)) {
            return (long)slot;
        }
    }
    return -1;
}

int journal_append(struct journal *j, uint16_t kind, uint64_t time, const void *payload, size_t len, uint64_t *seq)
{
    if (j == NULL || (payload == NULL && len > 0)) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    if (!j->open) {
        return JOURNAL_ERR_NOT_OPEN;
    }
    if (len > JOURNAL_PAYLOAD_MAX) {
        return JOURNAL_ERR_TOO_BIG;
    }
    long slot = next_slot(j);
    if (slot < 0) {
        return JOURNAL_ERR_FULL;
    }
    uint64_t this_seq = j->next_seq++;
    encode(j, j->buf, this_seq, kind, 0, time, payload, len);
    j->stats.block_writes++;
    int err = device_result(j, blockdev_write(j->dev, j->first + (uint32_t)slot, 1, j->buf));
    /* Whatever the outcome, the slot no longer holds what it held, and its sequence number is spent. */
    live_remove_slot(j, (uint32_t)slot);
    j->head = (uint32_t)slot;
    if (err == 0) {
        live_insert(j, this_seq, (uint32_t)slot);
        if (seq != NULL) {
            *seq = this_seq;
        }
    }
    return err;
}

int journal_mark_delivered(struct journal *j, uint64_t seq)
{
    if (j == NULL || (j->open && j->mode != JOURNAL_KEEP_UNDELIVERED)) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    if (!j->open) {
        return JOURNAL_ERR_NOT_OPEN;
    }
    long index = live_find(j, seq);
    if (index < 0) {
        return JOURNAL_ERR_NOT_FOUND;
    }
    uint32_t slot = j->live[index].slot;
    live_remove_at(j, (uint32_t)index);
    encode(j, j->buf, seq, 0, REC_FLAG_TOMBSTONE, 0, NULL, 0);
    j->stats.block_writes++;
    return device_result(j, blockdev_write(j->dev, j->first + slot, 1, j->buf));
}

int journal_replay(struct journal *j, void (*fn)(void *ctx, const struct journal_record *rec), void *ctx)
{
    if (j == NULL || fn == NULL) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    if (!j->open) {
        return JOURNAL_ERR_NOT_OPEN;
    }
    int handed = 0;
    for (uint32_t i = 0; i < j->live_count;) {
        uint64_t seq = j->live[i].seq;
        bool intact = blockdev_read(j->dev, j->first + j->live[i].slot, 1, j->buf) == 0 &&
                      decode(j, j->buf, &scratch) == BLOCK_RECORD && scratch.seq == seq;
        j->stats.block_reads++;
        if (intact) {
            fn(ctx, &scratch);
            handed++;
        } else {
            j->stats.torn++;
        }
        /* fn may have marked it delivered, which takes it out of the table. */
        if (i < j->live_count && j->live[i].seq == seq) {
            i++;
        }
    }
    return handed;
}

uint32_t journal_count(const struct journal *j)
{
    return (j != NULL && j->open) ? j->live_count : 0;
}

uint32_t journal_capacity(const struct journal *j)
{
    if (j == NULL || !j->open) {
        return 0;
    }
    return j->slots < JOURNAL_MAX_LIVE ? j->slots : JOURNAL_MAX_LIVE;
}

const char *journal_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case JOURNAL_ERR_INVALID_ARG: return "invalid journal request";
    case JOURNAL_ERR_IO: return "journal device failed";
    case JOURNAL_ERR_FULL: return "journal full of undelivered records";
    case JOURNAL_ERR_NOT_FOUND: return "no undelivered journal record with that number";
    case JOURNAL_ERR_TOO_BIG: return "journal record payload too long";
    case JOURNAL_ERR_NOT_OPEN: return "journal not open";
    default: return "unknown journal error";
    }
}
