/*
 * mbr.h - finds the FAT partition, or a partition of a given type, on a disk with an MS-DOS (MBR) partition table.
 *
 * Board-independent; reads through drivers/blockdev.h. Only the four primary entries are looked at (an SD card's
 * boot partition is always a primary one): extended partitions and GPT disks are reported, not followed. A disk
 * without a partition table whose block 0 is a FAT boot sector (a "superfloppy", as `mkfs.fat` makes on a whole
 * device) counts as one partition covering the device. Every entry is checked against the device size, so a
 * corrupt table yields an error, never a read outside the disk.
 *
 * Uses one 512-byte buffer on the stack; runs in thread context; keeps no state.
 */
#ifndef DRIVERS_STORAGE_MBR_H
#define DRIVERS_STORAGE_MBR_H

#include <stdint.h>

#include "drivers/blockdev.h"
#include "lib/err.h"

#define MBR_ERR_INVALID_ARG (-ERR_BASE_MBR - 1) /* NULL argument */
#define MBR_ERR_IO          (-ERR_BASE_MBR - 2) /* block 0 could not be read */
#define MBR_ERR_NO_TABLE    (-ERR_BASE_MBR - 3) /* block 0 has neither a partition table nor a FAT boot sector */
#define MBR_ERR_GPT         (-ERR_BASE_MBR - 4) /* GUID partition table (protective MBR): not supported */
#define MBR_ERR_NO_FAT      (-ERR_BASE_MBR - 5) /* a valid table without a FAT partition */
/* the partition starts at block 0 or ends past the end of the device */
#define MBR_ERR_BOUNDS (-ERR_BASE_MBR - 6)
/* mbr_find_partition(): a valid table without a partition of that type */
#define MBR_ERR_NOT_FOUND (-ERR_BASE_MBR - 7)

/* Partition type bytes recognised as FAT (the FAT12 type 0x01 is not: the FAT reader does not support FAT12). */
#define MBR_TYPE_FAT16_SMALL 0x04u /* FAT16, fewer than 65536 sectors */
#define MBR_TYPE_FAT16       0x06u
#define MBR_TYPE_FAT32_CHS   0x0Bu
#define MBR_TYPE_FAT32_LBA   0x0Cu
#define MBR_TYPE_FAT16_LBA   0x0Eu

/* Finds the first primary partition with a FAT type and returns its first block and size in blocks; for a
 * superfloppy returns 0 and dev->block_count. Returns 0 or an MBR_ERR_* code (outputs untouched on error). */
int mbr_find_fat_partition(const struct blockdev *dev, uint32_t *first_lba, uint32_t *sectors);

/* "Non-FS data" (as util-linux's fdisk lists type 0xDA): raw data no operating system mounts. baremail's journal
 * partition (docs/storage.md) has this type. */
#define MBR_TYPE_NON_FS_DATA 0xDAu

/* Finds the first primary partition whose type byte is type (not 0) and returns its first block and size. Returns 0,
 * MBR_ERR_NOT_FOUND, or another MBR_ERR_* code (outputs untouched on error); a superfloppy has no table
 * (MBR_ERR_NO_TABLE). */
int mbr_find_partition(const struct blockdev *dev, uint8_t type, uint32_t *first_lba, uint32_t *sectors);

/* Message for an MBR_ERR_* code. */
const char *mbr_strerror(int err);

#endif /* DRIVERS_STORAGE_MBR_H */
