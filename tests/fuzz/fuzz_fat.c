/*
 * fuzz_fat.c - the partition table parser and the FAT reader on arbitrary disk images.
 *
 * The input is the beginning of a 1 GiB disk; everything after it reads as zeros, so a seed of a few kilobytes
 * (tests/fuzz/gen_fat_seeds.py) stands for a whole volume whose unused tail is empty. Each run finds the FAT
 * partition, mounts it and reads the files the firmware reads at boot, plus a few paths through directories.
 * AddressSanitizer catches any access outside the input or the buffers; a hang shows as a libFuzzer timeout.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/blockdev.h"
#include "drivers/storage/fat.h"
#include "drivers/storage/mbr.h"

#define FUZZ_DISK_BLOCKS   (1u << 21)
#define FUZZ_FILE_BUF_SIZE (64u * 1024u)

struct mem_disk {
    const uint8_t *data;
    size_t size;
};

static int mem_disk_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    const struct mem_disk *disk = ctx;
    uint64_t start = (uint64_t)lba * BLOCKDEV_BLOCK_SIZE;
    size_t len = (size_t)count * BLOCKDEV_BLOCK_SIZE;
    size_t have = start < disk->size ? disk->size - (size_t)start : 0;
    if (have > len) {
        have = len;
    }
    if (have > 0) {
        memcpy(buf, disk->data + start, have);
    }
    memset((uint8_t *)buf + have, 0, len - have);
    return 0;
}

static struct fat_volume vol;
static uint8_t file_buf[FUZZ_FILE_BUF_SIZE];

/* clang-format off */
static const char *const paths[] = {
    "smtp.conf",
    "revaliases",
    "certs/ca bundle.pem",
    "Certs/CABUND~1.PEM",
    "README.TXT",
    "config.txt",
    "fragmented.bin",
    "a/b/c/d/e.txt",
    "../smtp.conf",
};
/* clang-format on */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem_disk disk = { .data = data, .size = size };
    struct blockdev dev = { .read = mem_disk_read, .ctx = &disk, .block_count = FUZZ_DISK_BLOCKS };
    uint32_t first_lba;
    uint32_t sectors;

    if (mbr_find_fat_partition(&dev, &first_lba, &sectors) != 0) {
        return 0;
    }
    if (first_lba >= FUZZ_DISK_BLOCKS || sectors > FUZZ_DISK_BLOCKS - first_lba) {
        __builtin_trap(); /* the parser promised a partition inside the device */
    }
    if (fat_mount(&vol, &dev, first_lba, sectors) != 0) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        size_t len = 0;
        int err = fat_read_file(&vol, paths[i], file_buf, sizeof(file_buf), &len);
        if ((err == 0 && len > sizeof(file_buf)) || (err != 0 && err != FAT_ERR_TOO_BIG && len != 0)) {
            __builtin_trap(); /* the length contract of fat_read_file() */
        }
    }
    return 0;
}
