/*
 * bootinfo.h - reads what the loader handed over in r2: an ATAG list or a flattened device tree (DTB).
 *
 * The blob comes from outside the firmware and may be missing, stale or corrupt, so it is treated as hostile:
 * every read stays inside [blob, blob + max_len), every walk is bounded, and anything unrecognised leaves safe
 * defaults (has_* false) so that the board falls back to what the mailbox tells it. The device tree is read with
 * libfdt (third_party/dtc/libfdt); ATAGs, which have no library, are walked here.
 *
 * Board-independent and free of hardware access: it runs on the host under the sanitizers and the fuzzer.
 * Called once at start-up from a single thread; it keeps no state of its own. The caller owns both the blob
 * (only read, never kept) and *out (filled in completely on every call).
 */
#ifndef BOARD_COMMON_BOOTINFO_H
#define BOARD_COMMON_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Linux's COMMAND_LINE_SIZE on ARM is 1024, but our own options are few and short; a longer line is cut (and the
 * cut is reported through `problem`). */
#ifndef BOOTINFO_CMDLINE_MAX
#define BOOTINFO_CMDLINE_MAX 256
#endif

/* An ATAG list from a real loader has a handful of tags; the limit only stops a garbage list that never ends
 * (with max_len = 16 KiB and 8-byte tags there could otherwise be 2048 of them). */
#ifndef BOOTINFO_ATAG_MAX_TAGS
#define BOOTINFO_ATAG_MAX_TAGS 64
#endif

/* Error codes returned by bootinfo_parse(); 0 is success. */
#define BOOTINFO_ERR_NO_BLOB   (-ERR_BASE_BOOTINFO - 1) /* blob is NULL or max_len is 0: the loader passed nothing */
#define BOOTINFO_ERR_FORMAT    (-ERR_BASE_BOOTINFO - 2) /* neither an ATAG list nor a device tree */
#define BOOTINFO_ERR_TRUNCATED (-ERR_BASE_BOOTINFO - 3) /* the list or tree runs past max_len */
#define BOOTINFO_ERR_CORRUPT   (-ERR_BASE_BOOTINFO - 4) /* recognised, but malformed */
#define BOOTINFO_ERR_ARG       (-ERR_BASE_BOOTINFO - 5) /* out is NULL */

enum bootinfo_source {
    BOOTINFO_SOURCE_NONE,
    BOOTINFO_SOURCE_ATAGS,
    BOOTINFO_SOURCE_DTB,
};

struct bootinfo {
    /* RAM: the first non-empty bank the blob lists, extended by any later bank that continues it without a gap
     * (one range the heap can use as a whole). Banks at or above 4 GiB are ignored; a bank reaching past 4 GiB
     * is clipped to end below it. */
    uint32_t mem_base;
    uint32_t mem_size;
    bool has_mem;
    char cmdline[BOOTINFO_CMDLINE_MAX]; /* always NUL-terminated; "" when there is none */
    bool has_cmdline;
    uint32_t initrd_start, initrd_size; /* physical address and length in bytes */
    bool has_initrd;
    enum bootinfo_source source;
    /* NULL when everything was read cleanly. Otherwise a short static sentence for the console: with an error
     * return, why nothing could be used; with a 0 return, which entry was cut or ignored (the rest is valid). */
    const char *problem;
};

/* Recognises the blob and fills *out. max_len is how many bytes from blob are safe to read (the ATAG area or the
 * bound the board knows for its DTB); nothing beyond it is touched. A DTB must be 8-byte aligned (libfdt's rule).
 * Returns 0 with out->source set, or a negative BOOTINFO_ERR_* with out->source = BOOTINFO_SOURCE_NONE, every
 * has_* false and out->problem set. Entries the blob does not carry keep has_* false in either case. */
int bootinfo_parse(const void *blob, size_t max_len, struct bootinfo *out);

/* A short English description of a BOOTINFO_ERR_* code; never NULL. */
const char *bootinfo_strerror(int err);

/* "none", "ATAGs" or "device tree"; never NULL. */
const char *bootinfo_source_name(enum bootinfo_source source);

#endif /* BOARD_COMMON_BOOTINFO_H */
