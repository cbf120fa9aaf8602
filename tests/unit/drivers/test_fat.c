/*
 * test_fat.c - the FAT reader on real FAT16 and FAT32 images made by mkfs.fat and mtools, and on corrupted copies.
 *
 * Two images are built once per run: a FAT16 "superfloppy" (no partition table, 512-byte clusters) and a FAT32
 * partition at 1 MiB of a DOS-partitioned disk. Both hold the same files: long names with spaces and mixed case,
 * a subdirectory, an empty file, a name of 254 characters, and a file of 293 clusters written after deleting every
 * other one of 40 small files, so its chain is fragmented. Corruption tests patch a private copy of an image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disk_image.h"
#include "drivers/storage/fat.h"
#include "drivers/storage/mbr.h"

#define SECTOR         512u
#define FAT16_IMAGE    "f16.img"
#define FAT32_IMAGE    "f32.img"
#define FAT32_PART_LBA 2048u
#define FAT32_DISK_MIB 48u
#define CORRUPT_IMAGE  "corrupt.img"
#define BIG_SIZE       150000u
#define FILLER_SIZE    4096u
#define FILLER_COUNT   40
#define READ_BUF_SIZE  (256u * 1024u)

/* 254 characters: a long name spread over 20 directory entries. */
#define LONG_NAME_BASE "A very long file name that keeps going and going"
static char long_name[255];

struct host_file {
    const char *host; /* file in the temporary directory */
    size_t size;
    unsigned seed;
};

/* clang-format off */
static const struct host_file host_files[] = {
    { "smtp.conf", 311, 1 },
    { "lfn.txt", 100, 2 },
    { "ca.pem", 2000, 3 },
    { "big.bin", BIG_SIZE, 4 },
    { "empty", 0, 5 },
    { "readme", 1024, 6 },
    { "thirteen", 513, 7 },
    { "longname", 4100, 8 },
    { "filler", FILLER_SIZE, 9 },
};
/* clang-format on */

static uint8_t read_buf[READ_BUF_SIZE];
static uint8_t expect_buf[READ_BUF_SIZE];
static struct fat_volume vol;

/* Printable, so a mismatch is readable in a hex dump, and different for every file. */
static void fill_pattern(uint8_t *buf, size_t len, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(' ' + (x >> 16) % 95);
    }
}

static const struct host_file *find_host_file(const char *host)
{
    for (size_t i = 0; i < sizeof(host_files) / sizeof(host_files[0]); i++) {
        if (strcmp(host_files[i].host, host) == 0) {
            return &host_files[i];
        }
    }
    fail_msg("no host file %s", host);
    return NULL;
}

/* Copies the test files into the image (img is an mtools image spec, e.g. "f32.img@@1M"). */
static void populate(const char *img)
{
    disk_image_run("mcopy -i %s smtp.conf ::/smtp.conf", img);
    disk_image_run("mcopy -i %s lfn.txt '::/Long File Name.txt'", img);
    disk_image_run("mmd -i %s ::/Certs", img);
    disk_image_run("mcopy -i %s ca.pem '::/Certs/CA Bundle.pem'", img);
    disk_image_run("mcopy -i %s empty ::/empty.txt", img);
    disk_image_run("mcopy -i %s readme ::/README.TXT", img);
    disk_image_run("mcopy -i %s thirteen ::/Thirteen_Char", img);
    disk_image_run("mcopy -i %s longname '::/%s'", img, long_name);
    disk_image_run("for i in $(seq 10 %d); do mcopy -i %s filler ::/fill$i.bin; done", 10 + FILLER_COUNT - 1, img);
    disk_image_run("for i in $(seq 10 2 %d); do mdel -i %s ::/fill$i.bin; done", 10 + FILLER_COUNT - 1, img);
    disk_image_run("mcopy -i %s big.bin ::/big.bin", img);
}

static int build_images(void **state)
{
    (void)state;
    snprintf(long_name, sizeof(long_name), "%s", LONG_NAME_BASE);
    size_t len = strlen(long_name);
    while (len < 250) {
        long_name[len] = (char)('a' + len % 26);
        len++;
    }
    memcpy(&long_name[len], ".cfg", 5);

    for (size_t i = 0; i < sizeof(host_files) / sizeof(host_files[0]); i++) {
        fill_pattern(expect_buf, host_files[i].size, host_files[i].seed);
        disk_image_write_host_file(host_files[i].host, expect_buf, host_files[i].size);
    }

    disk_image_run("mkfs.fat -F 16 -s 1 -n BAREMAIL -C " FAT16_IMAGE " 8192");
    populate(FAT16_IMAGE);

    disk_image_run("truncate -s %uM " FAT32_IMAGE, FAT32_DISK_MIB);
    disk_image_run("printf 'label: dos\\nstart=%u, type=c\\n' | sfdisk " FAT32_IMAGE, FAT32_PART_LBA);
    disk_image_run("mkfs.fat -F 32 -s 1 --offset %u " FAT32_IMAGE " %u", FAT32_PART_LBA,
                   (FAT32_DISK_MIB * 2048u - FAT32_PART_LBA) / 2);
    populate(FAT32_IMAGE "@@1M");
    return 0;
}

static int remove_images(void **state)
{
    (void)state;
    disk_image_cleanup();
    return 0;
}

/* Opens an image and mounts its FAT volume (through the partition table, as the firmware does). */
static void mount_image(struct disk_image_dev *d, const char *image)
{
    uint32_t first_lba;
    uint32_t sectors;
    disk_image_open(d, image);
    assert_int_equal(mbr_find_fat_partition(&d->dev, &first_lba, &sectors), 0);
    assert_int_equal(fat_mount(&vol, &d->dev, first_lba, sectors), 0);
}

static int mount_result(const char *image)
{
    struct disk_image_dev d;
    uint32_t first_lba;
    uint32_t sectors;
    disk_image_open(&d, image);
    int err = mbr_find_fat_partition(&d.dev, &first_lba, &sectors);
    if (err == 0) {
        err = fat_mount(&vol, &d.dev, first_lba, sectors);
    }
    disk_image_close(&d);
    return err;
}

static void expect_file(const char *path, const char *host)
{
    const struct host_file *hf = find_host_file(host);
    size_t len = 12345;
    memset(read_buf, 0xA5, sizeof(read_buf));
    int err = fat_read_file(&vol, path, read_buf, sizeof(read_buf), &len);
    if (err != 0) {
        fail_msg("%s: %s", path, fat_strerror(err));
    }
    assert_int_equal(len, hf->size);
    fill_pattern(expect_buf, hf->size, hf->seed);
    assert_memory_equal(read_buf, expect_buf, hf->size);
    /* Nothing past the file's end was written. */
    assert_int_equal(read_buf[hf->size], 0xA5);
}

static void expect_error(const char *path, int want)
{
    size_t len = 12345;
    int err = fat_read_file(&vol, path, read_buf, sizeof(read_buf), &len);
    if (err != want) {
        fail_msg("%s: got %d (%s), want %d (%s)", path, err, fat_strerror(err), want, fat_strerror(want));
    }
    if (want != FAT_ERR_TOO_BIG) {
        assert_int_equal(len, 0);
    }
}

/* Every file by long name in several spellings, by short name, in the subdirectory. */
static const struct {
    const char *path;
    const char *host;
} lookups[] = {
    { "smtp.conf", "smtp.conf" },
    { "SMTP.CONF", "smtp.conf" },
    { "/smtp.conf", "smtp.conf" },
    { "SMTP~1.CON", "smtp.conf" },
    { "Long File Name.txt", "lfn.txt" },
    { "long file name.TXT", "lfn.txt" },
    { "LONGFI~1.TXT", "lfn.txt" },
    { "certs/ca bundle.pem", "ca.pem" },
    { "CERTS/CA Bundle.PEM", "ca.pem" },
    { "Certs/CABUND~1.PEM", "ca.pem" },
    { "certs/../certs/./ca bundle.pem", "ca.pem" },
    { "README.TXT", "readme" },
    { "readme.txt", "readme" },
    { "thirteen_char", "thirteen" },
    { "big.bin", "big.bin" },
    { "empty.txt", "empty" },
    { "fill11.bin", "filler" },
    { "fill49.bin", "filler" },
};

static void check_all_files(void)
{
    for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
        expect_file(lookups[i].path, lookups[i].host);
    }
    expect_file(long_name, "longname");
}

static void test_fat16_reads_every_file(void **state)
{
    (void)state;
    struct disk_image_dev d;
    mount_image(&d, FAT16_IMAGE);
    assert_int_equal(vol.type, FAT_TYPE_FAT16);
    assert_int_equal(vol.first_lba, 0);
    check_all_files();
    disk_image_close(&d);
}

static void test_fat32_reads_every_file(void **state)
{
    (void)state;
    struct disk_image_dev d;
    mount_image(&d, FAT32_IMAGE);
    assert_int_equal(vol.type, FAT_TYPE_FAT32);
    assert_int_equal(vol.first_lba, FAT32_PART_LBA);
    assert_true(vol.cluster_count >= 65525);
    check_all_files();
    disk_image_close(&d);
}

static void test_lookup_errors(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int err;
    } cases[] = {
        { "missing.conf", FAT_ERR_NOT_FOUND },
        { "smtp.con", FAT_ERR_NOT_FOUND },
        { "smtp.conf.", FAT_ERR_NOT_FOUND },
        { "nodir/smtp.conf", FAT_ERR_NOT_FOUND },
        { "certs/missing.pem", FAT_ERR_NOT_FOUND },
        { "smtp.conf/x", FAT_ERR_NOT_DIR },
        { "certs", FAT_ERR_IS_DIR },
        { "", FAT_ERR_BAD_NAME },
        { "/", FAT_ERR_BAD_NAME },
        { "certs//ca bundle.pem", FAT_ERR_BAD_NAME },
        { "certs/", FAT_ERR_BAD_NAME },
        { "bad\xff.txt", FAT_ERR_BAD_NAME },
        { "bad\xc3.txt", FAT_ERR_BAD_NAME },
        { "overlong\xc0\xaf.txt", FAT_ERR_BAD_NAME },
        { "surrogate\xed\xa0\x80.txt", FAT_ERR_BAD_NAME },
        { "caf\xc3\xa9.txt", FAT_ERR_NOT_FOUND },
        { "emoji\xf0\x9f\x93\xa7.txt", FAT_ERR_NOT_FOUND },
    };
    struct disk_image_dev d;
    mount_image(&d, FAT16_IMAGE);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_error(cases[i].path, cases[i].err);
    }
    /* One character too many for a long name. */
    char too_long[300];
    memset(too_long, 'x', 256);
    too_long[256] = '\0';
    expect_error(too_long, FAT_ERR_BAD_NAME);
    disk_image_close(&d);
}

static void test_buffer_too_small(void **state)
{
    (void)state;
    struct disk_image_dev d;
    size_t len = 0;
    mount_image(&d, FAT16_IMAGE);
    assert_int_equal(fat_read_file(&vol, "big.bin", read_buf, BIG_SIZE - 1, &len), FAT_ERR_TOO_BIG);
    assert_int_equal(len, BIG_SIZE);
    /* A size query. */
    len = 0;
    assert_int_equal(fat_read_file(&vol, "certs/ca bundle.pem", NULL, 0, &len), FAT_ERR_TOO_BIG);
    assert_int_equal(len, 2000);
    assert_int_equal(fat_read_file(&vol, "empty.txt", NULL, 0, &len), 0);
    assert_int_equal(len, 0);
    /* Exactly the file's size is enough. */
    assert_int_equal(fat_read_file(&vol, "big.bin", read_buf, BIG_SIZE, &len), 0);
    assert_int_equal(len, BIG_SIZE);
    disk_image_close(&d);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct fat_volume unmounted;
    struct disk_image_dev d;
    size_t len;
    memset(&unmounted, 0, sizeof(unmounted));
    assert_int_equal(fat_read_file(&unmounted, "smtp.conf", read_buf, sizeof(read_buf), &len), FAT_ERR_NOT_MOUNTED);
    disk_image_open(&d, FAT16_IMAGE);
    assert_int_equal(fat_mount(NULL, &d.dev, 0, 1), FAT_ERR_INVALID_ARG);
    assert_int_equal(fat_mount(&vol, NULL, 0, 1), FAT_ERR_INVALID_ARG);
    assert_int_equal(fat_mount(&vol, &d.dev, 0, 0), FAT_ERR_INVALID_ARG);
    assert_int_equal(fat_mount(&vol, &d.dev, 1, d.dev.block_count), FAT_ERR_INVALID_ARG);
    assert_int_equal(fat_mount(&vol, &d.dev, d.dev.block_count, 1), FAT_ERR_INVALID_ARG);
    assert_int_equal(fat_mount(&vol, &d.dev, 0, d.dev.block_count), 0);
    assert_int_equal(fat_read_file(&vol, NULL, read_buf, sizeof(read_buf), &len), FAT_ERR_INVALID_ARG);
    assert_int_equal(fat_read_file(&vol, "smtp.conf", NULL, 10, &len), FAT_ERR_INVALID_ARG);
    assert_int_equal(fat_read_file(&vol, "smtp.conf", read_buf, sizeof(read_buf), NULL), FAT_ERR_INVALID_ARG);
    disk_image_close(&d);
}

static void test_io_errors_are_reported(void **state)
{
    (void)state;
    struct disk_image_dev d;
    size_t len;
    mount_image(&d, FAT16_IMAGE);
    d.fail_reads = 1;
    assert_int_equal(fat_read_file(&vol, "big.bin", read_buf, sizeof(read_buf), &len), FAT_ERR_IO);
    assert_int_equal(vol.io_error, DISK_IMAGE_READ_ERROR);
    assert_int_equal(fat_mount(&vol, &d.dev, 0, d.dev.block_count), FAT_ERR_IO);
    disk_image_close(&d);
}

/* Layout of the FAT16 superfloppy, read independently of the code under test. */
struct fat16_layout {
    uint64_t fat;  /* byte offset of the first FAT */
    uint64_t root; /* byte offset of the root directory */
    uint32_t root_entries;
};

static struct fat16_layout fat16_layout(const char *image)
{
    struct fat16_layout l;
    uint32_t reserved = disk_image_read_le16(image, 14);
    uint32_t fats = disk_image_read_le16(image, 16) & 0xFF;
    uint32_t fat_size = disk_image_read_le16(image, 22);
    l.fat = (uint64_t)reserved * SECTOR;
    l.root = l.fat + (uint64_t)fats * fat_size * SECTOR;
    l.root_entries = disk_image_read_le16(image, 17);
    return l;
}

/* Byte offset of the root directory entry with this 11-byte short name. */
static uint64_t fat16_find_entry(const char *image, const char *short_name)
{
    struct fat16_layout l = fat16_layout(image);
    uint8_t e[32];
    for (uint32_t i = 0; i < l.root_entries; i++) {
        disk_image_read(image, l.root + i * 32u, e, sizeof(e));
        if (memcmp(e, short_name, 11) == 0) {
            return l.root + i * 32u;
        }
    }
    fail_msg("%s not in the root directory", short_name);
    return 0;
}

/* The first n clusters of big.bin's chain. */
static void big_chain(const char *image, uint32_t *chain, size_t n)
{
    struct fat16_layout l = fat16_layout(image);
    uint32_t c = disk_image_read_le16(image, fat16_find_entry(image, "BIG     BIN") + 26);
    for (size_t i = 0; i < n; i++) {
        chain[i] = c;
        c = disk_image_read_le16(image, l.fat + c * 2u);
    }
}

static void set_fat16_entry(const char *image, uint32_t cluster, uint16_t value)
{
    disk_image_patch_le16(image, fat16_layout(image).fat + cluster * 2u, value);
}

static void test_big_file_is_fragmented(void **state)
{
    (void)state;
    uint32_t chain[BIG_SIZE / SECTOR + 1];
    size_t n = sizeof(chain) / sizeof(chain[0]);
    big_chain(FAT16_IMAGE, chain, n);
    size_t jumps = 0;
    for (size_t i = 1; i < n; i++) {
        jumps += chain[i] != chain[i - 1] + 1;
    }
    /* One jump per hole left by a deleted filler file: the test above really read a fragmented file. */
    assert_true(jumps >= FILLER_COUNT / 2 - 1);
}

static int read_big_from_corrupt(void)
{
    struct disk_image_dev d;
    size_t len;
    disk_image_open(&d, CORRUPT_IMAGE);
    assert_int_equal(fat_mount(&vol, &d.dev, 0, d.dev.block_count), 0);
    int err = fat_read_file(&vol, "big.bin", read_buf, sizeof(read_buf), &len);
    disk_image_close(&d);
    return err;
}

static void test_corrupt_cluster_chains(void **state)
{
    (void)state;
    uint32_t chain[12];
    big_chain(FAT16_IMAGE, chain, 12);
    uint32_t cluster_count;
    {
        struct disk_image_dev d;
        disk_image_open(&d, FAT16_IMAGE);
        assert_int_equal(fat_mount(&vol, &d.dev, 0, d.dev.block_count), 0);
        cluster_count = vol.cluster_count;
        disk_image_close(&d);
    }
    const struct {
        const char *what;
        size_t at;      /* index in the chain of the entry to patch */
        uint32_t value; /* new FAT entry, or a chain index when to_chain is set */
        int to_chain;
        int err;
    } cases[] = {
        { "loop back to the start", 9, 0, 1, FAT_ERR_CHAIN_LOOP },
        { "loop back a little", 11, 3, 1, FAT_ERR_CHAIN_LOOP },
        { "points at itself", 5, 5, 1, FAT_ERR_CHAIN_LOOP },
        { "cluster past the end", 2, cluster_count + 2, 0, FAT_ERR_BAD_CLUSTER },
        { "cluster 0xFFF6", 2, 0xFFF6, 0, FAT_ERR_BAD_CLUSTER },
        { "free cluster", 4, 0, 0, FAT_ERR_BAD_CLUSTER },
        { "reserved cluster 1", 4, 1, 0, FAT_ERR_BAD_CLUSTER },
        { "bad cluster mark", 6, 0xFFF7, 0, FAT_ERR_BAD_CLUSTER },
        { "chain ends early", 7, 0xFFFF, 0, FAT_ERR_CHAIN_LENGTH },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
        uint32_t value = cases[i].to_chain ? chain[cases[i].value] : cases[i].value;
        set_fat16_entry(CORRUPT_IMAGE, chain[cases[i].at], (uint16_t)value);
        int err = read_big_from_corrupt();
        if (err != cases[i].err) {
            fail_msg("%s: got %s, want %s", cases[i].what, fat_strerror(err), fat_strerror(cases[i].err));
        }
    }
}

static void test_corrupt_directory_entries(void **state)
{
    (void)state;
    const struct {
        const char *what;
        uint32_t field; /* offset in the 32-byte entry */
        uint32_t size;  /* 2 or 4 */
        uint32_t value;
        int err;
    } cases[] = {
        { "size one cluster short", 28, 4, BIG_SIZE - SECTOR, FAT_ERR_CHAIN_LENGTH },
        { "size far too small", 28, 4, 1000, FAT_ERR_CHAIN_LENGTH },
        { "size one cluster too large", 28, 4, BIG_SIZE + SECTOR, FAT_ERR_CHAIN_LENGTH },
        { "size far too large", 28, 4, READ_BUF_SIZE, FAT_ERR_CHAIN_LENGTH },
        { "no first cluster", 26, 2, 0, FAT_ERR_CHAIN_LENGTH },
        { "first cluster out of range", 26, 2, 0xFFF0, FAT_ERR_BAD_CLUSTER },
        { "first cluster reserved", 26, 2, 1, FAT_ERR_BAD_CLUSTER },
        { "marked as a directory", 11, 2, 0x10, FAT_ERR_IS_DIR },
    };
    uint64_t entry = fat16_find_entry(FAT16_IMAGE, "BIG     BIN");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
        if (cases[i].size == 4) {
            disk_image_patch_le32(CORRUPT_IMAGE, entry + cases[i].field, cases[i].value);
        } else {
            disk_image_patch_le16(CORRUPT_IMAGE, entry + cases[i].field, (uint16_t)cases[i].value);
        }
        int err = read_big_from_corrupt();
        if (err != cases[i].err) {
            fail_msg("%s: got %s, want %s", cases[i].what, fat_strerror(err), fat_strerror(cases[i].err));
        }
    }
}

/* CORRUPT_IMAGE mounts, but the long name "Long File Name.txt" is no longer found; path (read from the card) still
 * has host's content. */
static void expect_long_name_dropped(const char *path, const char *host)
{
    struct disk_image_dev d;
    disk_image_open(&d, CORRUPT_IMAGE);
    assert_int_equal(fat_mount(&vol, &d.dev, 0, d.dev.block_count), 0);
    expect_error("Long File Name.txt", FAT_ERR_NOT_FOUND);
    expect_file(path, host);
    disk_image_close(&d);
}

static void test_lfn_checksum_is_verified(void **state)
{
    (void)state;
    disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
    /* The long name entries sit just before their short entry; break the checksum of the one nearest to it. */
    uint64_t entry = fat16_find_entry(CORRUPT_IMAGE, "LONGFI~1TXT");
    uint8_t lfn[32];
    disk_image_read(CORRUPT_IMAGE, entry - 32, lfn, sizeof(lfn));
    assert_int_equal(lfn[11], 0x0F);
    lfn[13] ^= 0x5A;
    disk_image_patch(CORRUPT_IMAGE, entry - 32, lfn, sizeof(lfn));
    expect_long_name_dropped("LONGFI~1.TXT", "lfn.txt");

    /* All long name entries agree on a checksum, but it is not the short name's: the long name belongs to a
     * short entry that was replaced (by a tool that does not know long names). */
    disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
    for (uint64_t at = entry - 64; at < entry; at += 32) {
        disk_image_read(CORRUPT_IMAGE, at, lfn, sizeof(lfn));
        assert_int_equal(lfn[11], 0x0F);
        lfn[13] ^= 0x5A;
        disk_image_patch(CORRUPT_IMAGE, at, lfn, sizeof(lfn));
    }
    expect_long_name_dropped("LONGFI~1.TXT", "lfn.txt");

    /* A sequence number out of order also drops the long name. */
    disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
    disk_image_read(CORRUPT_IMAGE, entry - 32, lfn, sizeof(lfn));
    lfn[0] = 3;
    disk_image_patch(CORRUPT_IMAGE, entry - 32, lfn, sizeof(lfn));
    expect_long_name_dropped("smtp.conf", "smtp.conf");
}

static void test_fat32_directory_loop(void **state)
{
    (void)state;
    const uint64_t part = (uint64_t)FAT32_PART_LBA * SECTOR;
    struct disk_image_dev d;
    disk_image_copy(FAT32_IMAGE, CORRUPT_IMAGE);
    uint64_t fat = part + (uint64_t)disk_image_read_le16(CORRUPT_IMAGE, part + 14) * SECTOR;
    uint32_t root = disk_image_read_le32(CORRUPT_IMAGE, part + 44);
    uint32_t second = disk_image_read_le32(CORRUPT_IMAGE, fat + root * 4u) & 0x0FFFFFFF;
    assert_true(second >= 2 && second < 0x0FFFFFF8); /* the root directory spans several clusters */
    disk_image_patch_le32(CORRUPT_IMAGE, fat + second * 4u, root);
    mount_image(&d, CORRUPT_IMAGE);
    expect_error("not-there.txt", FAT_ERR_CHAIN_LOOP);
    disk_image_close(&d);
}

/* Boot sector fields, each set to a value the reader must refuse. */
static void test_bad_boot_sectors(void **state)
{
    (void)state;
    const struct {
        const char *what;
        uint32_t offset;
        uint32_t size;
        uint32_t value;
        int err;
    } cases[] = {
        { "no signature", 510, 2, 0x0000, FAT_ERR_NOT_FAT },
        { "no jump", 0, 1, 0x00, FAT_ERR_NOT_FAT },
        { "exFAT", 3, 4, 0x41465845, FAT_ERR_UNSUPPORTED }, /* "EXFA" + "T   " below */
        { "1024-byte sectors", 11, 2, 1024, FAT_ERR_UNSUPPORTED },
        { "0-byte sectors", 11, 2, 0, FAT_ERR_BAD_BPB },
        { "513-byte sectors", 11, 2, 513, FAT_ERR_BAD_BPB },
        { "0 sectors per cluster", 13, 1, 0, FAT_ERR_BAD_BPB },
        { "3 sectors per cluster", 13, 1, 3, FAT_ERR_BAD_BPB },
        { "0 reserved sectors", 14, 2, 0, FAT_ERR_BAD_BPB },
        { "no FAT", 16, 1, 0, FAT_ERR_BAD_BPB },
        { "9 FATs", 16, 1, 9, FAT_ERR_BAD_BPB },
        { "no root directory", 17, 2, 0, FAT_ERR_BAD_BPB },
        { "larger than the partition", 19, 2, 16385, FAT_ERR_BAD_BPB },
        { "no size", 19, 2, 0, FAT_ERR_BAD_BPB },
        { "media byte", 21, 1, 0x12, FAT_ERR_BAD_BPB },
        { "FAT too small", 22, 2, 1, FAT_ERR_BAD_BPB },
        { "FAT fills the volume", 22, 2, 8192, FAT_ERR_BAD_BPB },
        { "FAT12 sized", 13, 1, 4, FAT_ERR_UNSUPPORTED },
        { "FAT32 layout without FAT size", 22, 2, 0, FAT_ERR_BAD_BPB },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
        if (cases[i].size == 4) {
            disk_image_patch_le32(CORRUPT_IMAGE, cases[i].offset, cases[i].value);
            disk_image_patch(CORRUPT_IMAGE, cases[i].offset + 4, "T   ", 4);
        } else if (cases[i].size == 2) {
            disk_image_patch_le16(CORRUPT_IMAGE, cases[i].offset, (uint16_t)cases[i].value);
        } else {
            uint8_t b = (uint8_t)cases[i].value;
            disk_image_patch(CORRUPT_IMAGE, cases[i].offset, &b, 1);
        }
        struct disk_image_dev d;
        disk_image_open(&d, CORRUPT_IMAGE);
        int err = fat_mount(&vol, &d.dev, 0, d.dev.block_count);
        disk_image_close(&d);
        if (err != cases[i].err) {
            fail_msg("%s: got %s, want %s", cases[i].what, fat_strerror(err), fat_strerror(cases[i].err));
        }
        assert_int_equal(vol.type, FAT_TYPE_NONE);
    }
}

static void test_bad_fat32_boot_sectors(void **state)
{
    (void)state;
    const uint64_t part = (uint64_t)FAT32_PART_LBA * SECTOR;
    const struct {
        const char *what;
        uint32_t offset;
        uint32_t size;
        uint32_t value;
        int err;
    } cases[] = {
        { "root cluster 0", 44, 4, 0, FAT_ERR_BAD_BPB },
        { "root cluster past the end", 44, 4, 0x0FFFFFF0, FAT_ERR_BAD_BPB },
        { "version 1.0", 42, 2, 0x0100, FAT_ERR_UNSUPPORTED },
        { "active FAT 1 of 2", 40, 2, 0x81, 0 },
        { "active FAT 3 of 2", 40, 2, 0x83, FAT_ERR_BAD_BPB },
        { "root entries on FAT32", 17, 2, 512, FAT_ERR_BAD_BPB },
        { "FAT too small", 36, 4, 16, FAT_ERR_BAD_BPB },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        disk_image_copy(FAT32_IMAGE, CORRUPT_IMAGE);
        if (cases[i].size == 4) {
            disk_image_patch_le32(CORRUPT_IMAGE, part + cases[i].offset, cases[i].value);
        } else {
            disk_image_patch_le16(CORRUPT_IMAGE, part + cases[i].offset, (uint16_t)cases[i].value);
        }
        int err = mount_result(CORRUPT_IMAGE);
        if (err != cases[i].err) {
            fail_msg("%s: got %s, want %s", cases[i].what, fat_strerror(err), fat_strerror(cases[i].err));
        }
    }
}

static void test_truncated_images(void **state)
{
    (void)state;
    /* The boot sector says 8 MiB, the image holds 4: refused at mount, before any read past the end. */
    disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
    disk_image_truncate(CORRUPT_IMAGE, 4u << 20);
    assert_int_equal(mount_result(CORRUPT_IMAGE), FAT_ERR_BAD_BPB);

    /* Partitioned: the partition entry itself runs past the end. */
    disk_image_copy(FAT32_IMAGE, CORRUPT_IMAGE);
    disk_image_truncate(CORRUPT_IMAGE, (FAT32_DISK_MIB - 1) << 20);
    assert_int_equal(mount_result(CORRUPT_IMAGE), MBR_ERR_BOUNDS);

    /* Cut inside the boot sector. */
    disk_image_copy(FAT16_IMAGE, CORRUPT_IMAGE);
    disk_image_truncate(CORRUPT_IMAGE, 1024);
    struct disk_image_dev d;
    disk_image_open(&d, CORRUPT_IMAGE);
    assert_int_equal(fat_mount(&vol, &d.dev, 0, d.dev.block_count), FAT_ERR_BAD_BPB);
    disk_image_close(&d);
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    const char *unknown = fat_strerror(-1000);
    for (int err = FAT_ERR_INVALID_ARG; err >= FAT_ERR_NOT_MOUNTED; err--) {
        assert_non_null(fat_strerror(err));
        assert_string_not_equal(fat_strerror(err), unknown);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fat16_reads_every_file),
        cmocka_unit_test(test_fat32_reads_every_file),
        cmocka_unit_test(test_lookup_errors),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_io_errors_are_reported),
        cmocka_unit_test(test_big_file_is_fragmented),
        cmocka_unit_test(test_corrupt_cluster_chains),
        cmocka_unit_test(test_corrupt_directory_entries),
        cmocka_unit_test(test_lfn_checksum_is_verified),
        cmocka_unit_test(test_fat32_directory_loop),
        cmocka_unit_test(test_bad_boot_sectors),
        cmocka_unit_test(test_bad_fat32_boot_sectors),
        cmocka_unit_test(test_truncated_images),
        cmocka_unit_test(test_strerror_names_every_code),
    };
    return cmocka_run_group_tests(tests, build_images, remove_images);
}
