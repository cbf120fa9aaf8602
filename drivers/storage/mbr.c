#include "drivers/storage/mbr.h"

#include <stdbool.h>
#include <stddef.h>

#include "drivers/byteorder.h"

/* MBR layout (block 0). */
#define MBR_TABLE_OFFSET     446u
#define MBR_ENTRY_SIZE       16u
#define MBR_ENTRY_COUNT      4u
#define MBR_SIGNATURE_OFFSET 510u
#define MBR_SIGNATURE_0      0x55u
#define MBR_SIGNATURE_1      0xAAu

/* Fields of a partition entry. */
#define MBR_ENTRY_STATUS    0u
#define MBR_ENTRY_TYPE      4u
#define MBR_ENTRY_FIRST_LBA 8u
#define MBR_ENTRY_SECTORS   12u
#define MBR_STATUS_INACTIVE 0x00u
#define MBR_STATUS_ACTIVE   0x80u
#define MBR_TYPE_EMPTY      0x00u
#define MBR_TYPE_GPT        0xEEu

/* The few boot sector fields that tell a FAT volume from a partition table (the FAT reader checks the rest). */
#define BOOT_JUMP            0u
#define BOOT_JUMP_SHORT      0xEBu
#define BOOT_JUMP_SHORT_NOP  0x90u
#define BOOT_JUMP_NEAR       0xE9u
#define BOOT_BYTES_PER_SEC   11u
#define BOOT_SEC_PER_CLUS    13u
#define BOOT_RESERVED_SECS   14u
#define BOOT_NUM_FATS        16u
#define BOOT_MEDIA           21u
#define BOOT_MEDIA_FIXED_MIN 0xF8u
#define BOOT_MEDIA_REMOVABLE 0xF0u
#define BOOT_MIN_SECTOR_SIZE 512u
#define BOOT_MAX_SECTOR_SIZE 4096u

static bool is_power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static bool is_fat_type(uint8_t type)
{
    switch (type) {
    case MBR_TYPE_FAT16_SMALL:
    case MBR_TYPE_FAT16:
    case MBR_TYPE_FAT32_CHS:
    case MBR_TYPE_FAT32_LBA:
    case MBR_TYPE_FAT16_LBA: return true;
    default: return false;
    }
}

/* The same test Linux applies before taking block 0 for a FAT boot sector rather than a partition table. */
static bool looks_like_fat_boot_sector(const uint8_t *block)
{
    bool jump = (block[BOOT_JUMP] == BOOT_JUMP_SHORT && block[BOOT_JUMP + 2] == BOOT_JUMP_SHORT_NOP) ||
                block[BOOT_JUMP] == BOOT_JUMP_NEAR;
    uint32_t bytes_per_sector = byteorder_get_le16(&block[BOOT_BYTES_PER_SEC]);
    uint8_t media = block[BOOT_MEDIA];

    return jump && is_power_of_two(bytes_per_sector) && bytes_per_sector >= BOOT_MIN_SECTOR_SIZE &&
           bytes_per_sector <= BOOT_MAX_SECTOR_SIZE && is_power_of_two(block[BOOT_SEC_PER_CLUS]) &&
           byteorder_get_le16(&block[BOOT_RESERVED_SECS]) != 0 && block[BOOT_NUM_FATS] != 0 &&
           (media == BOOT_MEDIA_REMOVABLE || media >= BOOT_MEDIA_FIXED_MIN);
}

/* Reads block 0 and checks its boot signature. */
static int read_block0(const struct blockdev *dev, uint8_t *block)
{
    if (blockdev_read(dev, 0, 1, block) != 0) {
        return MBR_ERR_IO;
    }
    if (block[MBR_SIGNATURE_OFFSET] != MBR_SIGNATURE_0 || block[MBR_SIGNATURE_OFFSET + 1] != MBR_SIGNATURE_1) {
        return MBR_ERR_NO_TABLE;
    }
    return 0;
}

/* Block 0 holds the table itself, so no partition may start there; none may end past the device. */
static bool entry_in_bounds(const struct blockdev *dev, uint32_t start, uint32_t count)
{
    return start != 0 && start < dev->block_count && count <= dev->block_count - start;
}

int mbr_find_fat_partition(const struct blockdev *dev, uint32_t *first_lba, uint32_t *sectors)
{
    uint8_t block[BLOCKDEV_BLOCK_SIZE];

    if (dev == NULL || first_lba == NULL || sectors == NULL) {
        return MBR_ERR_INVALID_ARG;
    }
    int err = read_block0(dev, block);
    if (err != 0) {
        return err;
    }

    /* A FAT boot sector carries the same signature, and its boot code overlaps the table: only take the entries
     * for a table when every status byte is one a partition table can hold. */
    bool table_valid = true;
    bool table_used = false;
    bool gpt = false;
    for (uint32_t i = 0; i < MBR_ENTRY_COUNT; i++) {
        const uint8_t *entry = &block[MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE];
        uint8_t status = entry[MBR_ENTRY_STATUS];
        if (status != MBR_STATUS_INACTIVE && status != MBR_STATUS_ACTIVE) {
            table_valid = false;
        }
        if (entry[MBR_ENTRY_TYPE] != MBR_TYPE_EMPTY) {
            table_used = true;
        }
        if (entry[MBR_ENTRY_TYPE] == MBR_TYPE_GPT) {
            gpt = true;
        }
    }

    if (table_valid && table_used) {
        if (gpt) {
            return MBR_ERR_GPT;
        }
        bool out_of_bounds = false;
        for (uint32_t i = 0; i < MBR_ENTRY_COUNT; i++) {
            const uint8_t *entry = &block[MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE];
            uint32_t start = byteorder_get_le32(&entry[MBR_ENTRY_FIRST_LBA]);
            uint32_t count = byteorder_get_le32(&entry[MBR_ENTRY_SECTORS]);
            if (!is_fat_type(entry[MBR_ENTRY_TYPE]) || count == 0) {
                continue;
            }
            if (!entry_in_bounds(dev, start, count)) {
                out_of_bounds = true;
                continue;
            }
            *first_lba = start;
            *sectors = count;
            return 0;
        }
        if (out_of_bounds) {
            return MBR_ERR_BOUNDS;
        }
    }

    if (looks_like_fat_boot_sector(block)) {
        *first_lba = 0;
        *sectors = dev->block_count;
        return 0;
    }
    return (table_valid && table_used) ? MBR_ERR_NO_FAT : MBR_ERR_NO_TABLE;
}

int mbr_find_partition(const struct blockdev *dev, uint8_t type, uint32_t *first_lba, uint32_t *sectors)
{
    uint8_t block[BLOCKDEV_BLOCK_SIZE];

    if (dev == NULL || first_lba == NULL || sectors == NULL || type == MBR_TYPE_EMPTY) {
        return MBR_ERR_INVALID_ARG;
    }
    int err = read_block0(dev, block);
    if (err != 0) {
        return err;
    }
    for (uint32_t i = 0; i < MBR_ENTRY_COUNT; i++) {
        const uint8_t *entry = &block[MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE];
        if (entry[MBR_ENTRY_STATUS] != MBR_STATUS_INACTIVE && entry[MBR_ENTRY_STATUS] != MBR_STATUS_ACTIVE) {
            return MBR_ERR_NO_TABLE; /* a superfloppy's boot code, not a table */
        }
        if (entry[MBR_ENTRY_TYPE] == MBR_TYPE_GPT) {
            return MBR_ERR_GPT;
        }
    }
    for (uint32_t i = 0; i < MBR_ENTRY_COUNT; i++) {
        const uint8_t *entry = &block[MBR_TABLE_OFFSET + i * MBR_ENTRY_SIZE];
        uint32_t start = byteorder_get_le32(&entry[MBR_ENTRY_FIRST_LBA]);
        uint32_t count = byteorder_get_le32(&entry[MBR_ENTRY_SECTORS]);
        if (entry[MBR_ENTRY_TYPE] != type || count == 0) {
            continue;
        }
        if (!entry_in_bounds(dev, start, count)) {
            return MBR_ERR_BOUNDS;
        }
        *first_lba = start;
        *sectors = count;
        return 0;
    }
    /* A superfloppy's boot code can pass for a table with no entry of that type: say what the disk is. */
    return looks_like_fat_boot_sector(block) ? MBR_ERR_NO_TABLE : MBR_ERR_NOT_FOUND;
}

const char *mbr_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case MBR_ERR_INVALID_ARG: return "invalid argument";
    case MBR_ERR_IO: return "cannot read the partition table";
    case MBR_ERR_NO_TABLE: return "no partition table and no FAT file system on the disk";
    case MBR_ERR_GPT: return "GPT partition table: not supported (use an MBR/DOS partition table)";
    case MBR_ERR_NO_FAT: return "no FAT partition in the partition table";
    case MBR_ERR_BOUNDS: return "partition extends past the end of the disk";
    case MBR_ERR_NOT_FOUND: return "no partition of that type in the partition table";
    default: return "unknown partition table error";
    }
}
