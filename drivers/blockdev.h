/*
 * blockdev.h - a device of 512-byte blocks, as the partition, file system and journal code sees a disk.
 *
 * A storage driver (drivers/sdhci.c, a card image file on the native board or in host tests) fills in a struct
 * blockdev; its users only call blockdev_read() and blockdev_write(), which refuse any range outside the device
 * before the driver sees it. The MBR parser and the FAT reader only read; the journal (firmware/journal.h) writes.
 * Calls are synchronous and run in thread context; the driver's functions return 0 or one of its own negative
 * error codes, which are passed through unchanged. A write that returned 0 is stored (it survives a power cut); a
 * write cut short may leave any mix of old and new bytes in the blocks it covered.
 */
#ifndef DRIVERS_BLOCKDEV_H
#define DRIVERS_BLOCKDEV_H

#include <stdint.h>

#include "lib/err.h"

/* The only block size the storage stack supports: SD cards address data in 512-byte blocks. */
#define BLOCKDEV_BLOCK_SIZE 512u

/* Error codes of blockdev_read() itself (a driver's own codes are passed through: they are not from this list). */
#define BLOCKDEV_ERR_INVALID_ARG (-ERR_BASE_BLOCKDEV - 1) /* NULL device, buffer or read function, or count == 0 */
#define BLOCKDEV_ERR_RANGE       (-ERR_BASE_BLOCKDEV - 2) /* lba + count is past the end of the device */
#define BLOCKDEV_ERR_READ_ONLY   (-ERR_BASE_BLOCKDEV - 3) /* blockdev_write() on a device without a write function */

struct blockdev {
    /* Reads count blocks starting at lba into buf (count * BLOCKDEV_BLOCK_SIZE bytes, any alignment). */
    int (*read)(void *ctx, uint32_t lba, uint32_t count, void *buf);
    /* Writes count blocks from buf to lba; NULL for a read-only device. Returns once the blocks are stored. */
    int (*write)(void *ctx, uint32_t lba, uint32_t count, const void *buf);
    void *ctx;            /* the driver's state, passed back to read and write */
    uint32_t block_count; /* size of the device in blocks */
};

/* Reads blocks [lba, lba + count) into buf after checking the range against dev->block_count.
 * Returns 0, a BLOCKDEV_ERR_* code, or the driver's negative error code. */
int blockdev_read(const struct blockdev *dev, uint32_t lba, uint32_t count, void *buf);

/* Writes blocks [lba, lba + count) from buf after the same checks; BLOCKDEV_ERR_READ_ONLY without dev->write. */
int blockdev_write(const struct blockdev *dev, uint32_t lba, uint32_t count, const void *buf);

/* Message for a BLOCKDEV_ERR_* code; "unknown block device error" for anything else. */
const char *blockdev_strerror(int err);

#endif /* DRIVERS_BLOCKDEV_H */
