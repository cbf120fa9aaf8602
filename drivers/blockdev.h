/*
 * blockdev.h - a read-only device of 512-byte blocks, as the partition and file system code sees a disk.
 *
 * A storage driver (drivers/sdhci.c, or a disk image file in host tests) fills in a struct blockdev; the MBR parser
 * and the FAT reader only ever call blockdev_read(), which refuses any range outside the device before the driver
 * sees it. Reads are synchronous and run in thread context; the driver's read function returns 0 or one of its
 * own negative error codes, which blockdev_read() passes through unchanged.
 */
#ifndef BLOCKDEV_H
#define BLOCKDEV_H

#include <stdint.h>

/* The only block size the storage stack supports: SD cards address data in 512-byte blocks. */
#define BLOCKDEV_BLOCK_SIZE 512u

/* Error codes of blockdev_read() itself (a driver's own codes are passed through: they are not from this list). */
#define BLOCKDEV_ERR_INVALID_ARG (-1001) /* NULL device, buffer or read function, or count == 0 */
#define BLOCKDEV_ERR_RANGE       (-1002) /* lba + count is past the end of the device */

struct blockdev {
    /* Reads count blocks starting at lba into buf (count * BLOCKDEV_BLOCK_SIZE bytes, any alignment). */
    int (*read)(void *ctx, uint32_t lba, uint32_t count, void *buf);
    void *ctx;            /* the driver's state, passed back to read */
    uint32_t block_count; /* size of the device in blocks */
};

/* Reads blocks [lba, lba + count) into buf after checking the range against dev->block_count.
 * Returns 0, a BLOCKDEV_ERR_* code, or the driver's negative error code. */
int blockdev_read(const struct blockdev *dev, uint32_t lba, uint32_t count, void *buf);

/* Message for a BLOCKDEV_ERR_* code; "unknown block device error" for anything else. */
const char *blockdev_strerror(int err);

#endif /* BLOCKDEV_H */
