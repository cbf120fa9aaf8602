/*
 * test_mbr.c - finding the FAT partition: disks partitioned by sfdisk, a superfloppy made by mkfs.fat, and
 * hand-patched tables (every FAT type byte, entries past the end of the disk, GPT, garbage); and finding a partition
 * by type, as the boards find the journal partition (type 0xDA after the FAT one, as tools/mksdcard makes it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "disk_image.h"
#include "drivers/storage/mbr.h"

#define DISK         "disk.img"
#define DISK_MIB     16u
#define DISK_SECTORS (DISK_MIB * 2048u)
#define SUPERFLOPPY  "floppy.img"
#define SCRATCH      "scratch.img"
#define CARD         "card.img"
#define ENTRY(i)     (446u + 16u * (i))

static int build_images(void **state)
{
    (void)state;
    disk_image_run("truncate -s %uM " DISK, DISK_MIB);
    /* A Linux partition first, the FAT one second: the parser must look past the first entry. */
    disk_image_run("printf 'label: dos\\nstart=2048, size=4096, type=83\\nstart=8192, type=c\\n' | sfdisk " DISK);
    disk_image_run("mkfs.fat -F 16 -s 1 -C " SUPERFLOPPY " 4096");
    disk_image_run("truncate -s %uM " CARD, DISK_MIB);
    disk_image_run("printf 'label: dos\nstart=8192, size=16384, type=c\nstart=24576, type=da\n' | sfdisk " CARD);
    return 0;
}

static int remove_images(void **state)
{
    (void)state;
    disk_image_cleanup();
    return 0;
}

static int find(const char *image, uint32_t *first_lba, uint32_t *sectors)
{
    struct disk_image_dev d;
    disk_image_open(&d, image);
    int err = mbr_find_fat_partition(&d.dev, first_lba, sectors);
    disk_image_close(&d);
    return err;
}

static void test_partitioned_disk(void **state)
{
    (void)state;
    uint32_t first = 0;
    uint32_t sectors = 0;
    assert_int_equal(find(DISK, &first, &sectors), 0);
    assert_int_equal(first, 8192);
    assert_int_equal(sectors, DISK_SECTORS - 8192);
}

static void test_superfloppy(void **state)
{
    (void)state;
    uint32_t first = 99;
    uint32_t sectors = 0;
    assert_int_equal(find(SUPERFLOPPY, &first, &sectors), 0);
    assert_int_equal(first, 0);
    assert_int_equal(sectors, 8192);
}

/* Every type byte: the FAT ones are found, the others are not. */
static void test_partition_types(void **state)
{
    (void)state;
    static const struct {
        uint8_t type;
        int err;
    } cases[] = {
        { 0x04, 0 },
        { 0x06, 0 },
        { 0x0B, 0 },
        { 0x0C, 0 },
        { 0x0E, 0 },
        { 0x01, MBR_ERR_NO_FAT }, /* FAT12 */
        { 0x07, MBR_ERR_NO_FAT }, /* NTFS/exFAT */
        { 0x05, MBR_ERR_NO_FAT }, /* extended: not followed */
        { 0x0F, MBR_ERR_NO_FAT },
        { 0x83, MBR_ERR_NO_FAT },
        { 0xEE, MBR_ERR_GPT },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t first = 0;
        uint32_t sectors = 0;
        disk_image_copy(DISK, SCRATCH);
        disk_image_patch(SCRATCH, ENTRY(1) + 4, &cases[i].type, 1);
        int err = find(SCRATCH, &first, &sectors);
        if (err != cases[i].err) {
            fail_msg("type 0x%02x: got %s, want %s", cases[i].type, mbr_strerror(err), mbr_strerror(cases[i].err));
        }
        if (err == 0) {
            assert_int_equal(first, 8192);
        }
    }
}

/* Entries that point outside the disk. */
static void test_partition_bounds(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        uint32_t start;
        uint32_t size;
        int err;
    } cases[] = {
        { "fills the disk exactly", 8192, DISK_SECTORS - 8192, 0 },
        { "one sector past the end", 8192, DISK_SECTORS - 8191, MBR_ERR_BOUNDS },
        { "starts past the end", DISK_SECTORS, 1, MBR_ERR_BOUNDS },
        { "32-bit wrap-around", 8192, 0xFFFFF000u, MBR_ERR_BOUNDS },
        { "starts at block 0", 0, 100, MBR_ERR_BOUNDS },
        { "empty", 8192, 0, MBR_ERR_NO_FAT },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t first = 0;
        uint32_t sectors = 0;
        disk_image_copy(DISK, SCRATCH);
        disk_image_patch_le32(SCRATCH, ENTRY(1) + 8, cases[i].start);
        disk_image_patch_le32(SCRATCH, ENTRY(1) + 12, cases[i].size);
        int err = find(SCRATCH, &first, &sectors);
        if (err != cases[i].err) {
            fail_msg("%s: got %s, want %s", cases[i].what, mbr_strerror(err), mbr_strerror(cases[i].err));
        }
    }

    /* A disk image cut short after partitioning. */
    uint32_t first;
    uint32_t sectors;
    disk_image_copy(DISK, SCRATCH);
    disk_image_truncate(SCRATCH, (DISK_MIB - 1) << 20);
    assert_int_equal(find(SCRATCH, &first, &sectors), MBR_ERR_BOUNDS);
}

static void test_not_a_table(void **state)
{
    (void)state;
    uint32_t first = 7;
    uint32_t sectors = 7;
    /* All zeros: no signature. */
    disk_image_run("rm -f " SCRATCH " && truncate -s 1M " SCRATCH);
    assert_int_equal(find(SCRATCH, &first, &sectors), MBR_ERR_NO_TABLE);
    /* A signature over garbage: status bytes no table can hold, and no boot sector either. */
    uint8_t junk[446 + 64];
    memset(junk, 0x5C, sizeof(junk));
    disk_image_patch(SCRATCH, 0, junk, sizeof(junk));
    disk_image_patch_le16(SCRATCH, 510, 0xAA55);
    assert_int_equal(find(SCRATCH, &first, &sectors), MBR_ERR_NO_TABLE);
    assert_int_equal(first, 7);
    assert_int_equal(sectors, 7);
    /* A GPT disk made by sfdisk. */
    disk_image_run(
        "rm -f " SCRATCH " && truncate -s 4M " SCRATCH
        " && printf 'label: gpt\\nstart=2048, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\\n' | sfdisk " SCRATCH);
    assert_int_equal(find(SCRATCH, &first, &sectors), MBR_ERR_GPT);
    /* A disk smaller than one block. */
    disk_image_truncate(SCRATCH, 100);
    assert_int_equal(find(SCRATCH, &first, &sectors), MBR_ERR_IO);
}

static int find_type(const char *image, uint8_t type, uint32_t *first_lba, uint32_t *sectors)
{
    struct disk_image_dev d;
    disk_image_open(&d, image);
    int err = mbr_find_partition(&d.dev, type, first_lba, sectors);
    disk_image_close(&d);
    return err;
}

/* The journal partition by its type: found after the FAT one, absent on older cards, checked against the disk. */
static void test_find_by_type(void **state)
{
    (void)state;
    uint32_t first = 0;
    uint32_t sectors = 0;
    assert_int_equal(find_type(CARD, MBR_TYPE_NON_FS_DATA, &first, &sectors), 0);
    assert_int_equal(first, 24576);
    assert_int_equal(sectors, DISK_SECTORS - 24576);
    assert_int_equal(find(CARD, &first, &sectors), 0);
    assert_int_equal(first, 8192);

    first = 7;
    assert_int_equal(find_type(DISK, MBR_TYPE_NON_FS_DATA, &first, &sectors), MBR_ERR_NOT_FOUND);
    assert_int_equal(first, 7);
    assert_int_equal(find_type(SUPERFLOPPY, MBR_TYPE_NON_FS_DATA, &first, &sectors), MBR_ERR_NO_TABLE);
    assert_int_equal(find_type(CARD, 0, &first, &sectors), MBR_ERR_INVALID_ARG);

    disk_image_copy(CARD, SCRATCH);
    disk_image_patch_le32(SCRATCH, ENTRY(1) + 12, DISK_SECTORS - 24576 + 1);
    assert_int_equal(find_type(SCRATCH, MBR_TYPE_NON_FS_DATA, &first, &sectors), MBR_ERR_BOUNDS);
    disk_image_copy(CARD, SCRATCH);
    const uint8_t gpt = 0xEE;
    disk_image_patch(SCRATCH, ENTRY(2) + 4, &gpt, 1);
    assert_int_equal(find_type(SCRATCH, MBR_TYPE_NON_FS_DATA, &first, &sectors), MBR_ERR_GPT);
    disk_image_copy(CARD, SCRATCH);
    disk_image_truncate(SCRATCH, 100);
    assert_int_equal(find_type(SCRATCH, MBR_TYPE_NON_FS_DATA, &first, &sectors), MBR_ERR_IO);
}

static void test_bad_arguments_and_io(void **state)
{
    (void)state;
    struct disk_image_dev d;
    uint32_t first;
    uint32_t sectors;
    disk_image_open(&d, DISK);
    assert_int_equal(mbr_find_fat_partition(NULL, &first, &sectors), MBR_ERR_INVALID_ARG);
    assert_int_equal(mbr_find_fat_partition(&d.dev, NULL, &sectors), MBR_ERR_INVALID_ARG);
    assert_int_equal(mbr_find_fat_partition(&d.dev, &first, NULL), MBR_ERR_INVALID_ARG);
    d.fail_reads = 1;
    assert_int_equal(mbr_find_fat_partition(&d.dev, &first, &sectors), MBR_ERR_IO);
    disk_image_close(&d);
    const char *unknown = mbr_strerror(-100);
    for (int err = MBR_ERR_INVALID_ARG; err >= MBR_ERR_NOT_FOUND; err--) {
        assert_string_not_equal(mbr_strerror(err), unknown);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partitioned_disk),     cmocka_unit_test(test_superfloppy),
        cmocka_unit_test(test_partition_types),      cmocka_unit_test(test_partition_bounds),
        cmocka_unit_test(test_not_a_table),          cmocka_unit_test(test_find_by_type),
        cmocka_unit_test(test_bad_arguments_and_io),
    };
    return cmocka_run_group_tests(tests, build_images, remove_images);
}
