/*
 * fat.h - read-only FAT16/FAT32 file system with long file names, for reading configuration from the SD card.
 *
 * Board-independent; reads through drivers/blockdev.h (512-byte sectors only: the boot sector must say 512 bytes
 * per sector, which is what every SD card formatter writes). FAT12 and exFAT are reported as unsupported.
 *
 * Paths are '/'-separated from the root ("smtp.conf", "certs/ca bundle.pem"); a leading '/' is allowed. Each
 * component is UTF-8 and matches an entry's long name (VFAT, checksum-verified against its short entry) or its
 * 8.3 short name ("SMTP~1.CON"), ignoring the case of ASCII letters only.
 *
 * The image is untrusted: every boot sector field is validated at mount, every cluster number is range-checked,
 * cluster chains are followed at most cluster-count steps with a cycle check, a file's chain must match its size,
 * directory walks stop after FAT_MAX_DIR_ENTRIES entries, and nothing is written outside the caller's buffer.
 * Corruption yields an error code, never a crash or a hang.
 *
 * No allocation: all scratch space (two sectors and the name buffers) lives in struct fat_volume, which the caller
 * owns (about 2 KB: make it static). A volume is used from one thread at a time; calls do blocking device reads.
 */
#ifndef DRIVERS_STORAGE_FAT_H
#define DRIVERS_STORAGE_FAT_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/blockdev.h"
#include "lib/err.h"

#define FAT_ERR_INVALID_ARG (-ERR_BASE_FAT - 1) /* NULL argument, or the partition is outside the device */
/* the block device failed: the device's code is in fat_volume.io_error */
#define FAT_ERR_IO      (-ERR_BASE_FAT - 2)
#define FAT_ERR_NOT_FAT (-ERR_BASE_FAT - 3) /* no FAT boot sector at the start of the partition */
/* FAT12, a sector size other than 512, or a FAT32 version other than 0.0 */
#define FAT_ERR_UNSUPPORTED (-ERR_BASE_FAT - 4)
#define FAT_ERR_BAD_BPB     (-ERR_BASE_FAT - 5) /* boot sector fields are inconsistent or do not fit the partition */
/* a cluster chain holds a free, reserved, bad or out-of-range cluster */
#define FAT_ERR_BAD_CLUSTER  (-ERR_BASE_FAT - 6)
#define FAT_ERR_CHAIN_LOOP   (-ERR_BASE_FAT - 7)  /* a cluster chain runs in a circle */
#define FAT_ERR_CHAIN_LENGTH (-ERR_BASE_FAT - 8)  /* a file's cluster chain is shorter or longer than its size needs */
#define FAT_ERR_BAD_DIR      (-ERR_BASE_FAT - 9)  /* a directory has more than FAT_MAX_DIR_ENTRIES entries */
#define FAT_ERR_NOT_FOUND    (-ERR_BASE_FAT - 10) /* no such file or directory */
#define FAT_ERR_NOT_DIR      (-ERR_BASE_FAT - 11) /* a path component before the last one is a file */
#define FAT_ERR_IS_DIR       (-ERR_BASE_FAT - 12) /* the path names a directory */
#define FAT_ERR_TOO_BIG      (-ERR_BASE_FAT - 13) /* the file is larger than the buffer (*out_len says how large) */
/* a path component is empty, not UTF-8, or longer than 255 characters */
#define FAT_ERR_BAD_NAME    (-ERR_BASE_FAT - 14)
#define FAT_ERR_NOT_MOUNTED (-ERR_BASE_FAT - 15) /* fat_read_file() on a volume that is not mounted */

/* The FAT specification's limit on a directory's size (65536 entries of 32 bytes, 2 MiB). */
#define FAT_MAX_DIR_ENTRIES 65536u
/* Longest long file name, in UTF-16 code units. */
#define FAT_MAX_NAME 255u
/* Room for the most characters a long name's entries can carry: 20 entries of 13 (the name itself is <= 255). */
#define FAT_LFN_UNITS 260u

enum fat_type {
    FAT_TYPE_NONE = 0,
    FAT_TYPE_FAT16 = 16,
    FAT_TYPE_FAT32 = 32,
};

/* Mounted volume. Fields are filled by fat_mount() and read-only for callers; io_error is the blockdev_read()
 * result (a BLOCKDEV_ERR_* or the storage driver's code) behind the last FAT_ERR_IO. */
struct fat_volume {
    const struct blockdev *dev;
    enum fat_type type;
    int io_error;
    uint32_t first_lba;     /* partition start on the device */
    uint32_t total_sectors; /* volume size from the boot sector (<= the partition's size) */
    uint32_t sectors_per_cluster;
    uint32_t fat_lba;     /* the FAT in use (FAT32 may disable mirroring and pick another copy) */
    uint32_t fat_sectors; /* size of one FAT */
    uint32_t root_lba;    /* FAT16: the fixed root directory region */
    uint32_t root_sectors;
    uint32_t root_cluster;  /* FAT32: first cluster of the root directory */
    uint32_t data_lba;      /* cluster 2 */
    uint32_t cluster_count; /* valid clusters are 2 .. cluster_count + 1 */
    /* Scratch: one cached FAT sector, one data/directory sector, the long name being assembled, the path
     * component being looked up. */
    uint32_t fat_cache_lba;
    uint8_t fat_cache[BLOCKDEV_BLOCK_SIZE];
    uint8_t sector[BLOCKDEV_BLOCK_SIZE];
    uint16_t lfn[FAT_LFN_UNITS];
    uint16_t component[FAT_MAX_NAME];
};

/* Validates the boot sector of the volume at [first_lba, first_lba + sector_count) of dev and fills vol.
 * dev must stay valid while vol is used. Returns 0 or a FAT_ERR_* code (vol is then not mounted). */
int fat_mount(struct fat_volume *vol, const struct blockdev *dev, uint32_t first_lba, uint32_t sector_count);

/* Reads the whole file at path into buf (buf_size bytes). On success returns 0 and sets *out_len to the file size.
 * On FAT_ERR_TOO_BIG sets *out_len to the file size and leaves buf unspecified; on other errors *out_len is 0.
 * buf may be NULL when buf_size is 0 (to learn a file's size). */
int fat_read_file(struct fat_volume *vol, const char *path, void *buf, size_t buf_size, size_t *out_len);

/* Message for a FAT_ERR_* code. */
const char *fat_strerror(int err);

#endif /* DRIVERS_STORAGE_FAT_H */
