/*
 * crash_disk.h - a block device on a host file that can lose power in the middle of a write, for the journal's
 * tests and bench.
 *
 * After crash_disk_arm(d, n, ...) the device accepts n more block writes, then tears the next one: only part of
 * the new block reaches the file (how, see enum crash_disk_tear), the write fails, and so does every write after
 * it until crash_disk_revive(), which stands for the next boot. Reads always work. Every block written is counted.
 * The file is a private temporary one, deleted by crash_disk_close(), or an existing file (crash_disk_open_file(),
 * for bench/journal_bench.c filling a card image).
 */
#ifndef TESTS_UNIT_FAKES_CRASH_DISK_H
#define TESTS_UNIT_FAKES_CRASH_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/blockdev.h"

#define CRASH_DISK_POWER_LOST (-99) /* the driver's code for a write after (or during) the power cut */

enum crash_disk_tear {
    CRASH_DISK_TEAR_OLD_TAIL,   /* the first `offset` bytes are new, the rest still old */
    CRASH_DISK_TEAR_NOISE_TAIL, /* the first `offset` bytes are new, the rest random */
    CRASH_DISK_TEAR_MIXED,      /* 64-byte pieces, each new or old at random (seeded by offset) */
};

struct crash_disk {
    int fd;
    bool armed;
    bool dead;
    uint32_t writes_left;
    uint32_t tear_offset;
    enum crash_disk_tear tear;
    uint32_t block_writes; /* blocks written (torn included) since crash_disk_open() */
    uint32_t block_reads;
    struct blockdev dev;
};

/* A zero-filled device of blocks blocks. */
void crash_disk_open(struct crash_disk *d, uint32_t blocks);
/* An existing file, read and written in place; false (errno set) when it cannot be opened. */
bool crash_disk_open_file(struct crash_disk *d, const char *path);
void crash_disk_close(struct crash_disk *d);
/* Tears the write after the next `writes` writes at byte offset (0..512) the given way. */
void crash_disk_arm(struct crash_disk *d, uint32_t writes, uint32_t offset, enum crash_disk_tear tear);
/* Power back: writes work again, nothing is armed. */
void crash_disk_revive(struct crash_disk *d);

#endif /* TESTS_UNIT_FAKES_CRASH_DISK_H */
