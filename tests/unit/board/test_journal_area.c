/*
 * test_journal_area.c - board/journal_area.c, shared by the Pi and native boards: the journal partition found by
 * its type on an image partitioned by sfdisk, every request checked against the partition (nothing outside it is
 * ever read or written, so the FAT partition stays as it was), and the device's errors as BOARD_ERR_* codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "board/board.h"
#include "board/journal_area.h"
#include "crash_disk.h"
#include "stdout_capture.h"

#define FAT_START      2048u
#define FAT_BLOCKS     4096u
#define JOURNAL_START  (FAT_START + FAT_BLOCKS)
#define JOURNAL_BLOCKS 1024u
#define DISK_BLOCKS    (JOURNAL_START + 2 * JOURNAL_BLOCKS) /* room after the partition, which must stay untouched */

static char image[] = "/tmp/baremail-journal-area-XXXXXX";
static struct crash_disk disk;
static struct journal_area area;

static const char *io_words(int err)
{
    (void)err;
    return "the device's own words";
}

/* An image of DISK_BLOCKS blocks with the partitions in table (sfdisk's input). */
static void make_image(const char *table)
{
    int fd = mkstemp(image);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)DISK_BLOCKS * BLOCKDEV_BLOCK_SIZE), 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "printf '%s' | PATH=\"$PATH:/usr/sbin:/sbin\" sfdisk -q %s >/dev/null", table, image);
    assert_int_equal(system(cmd), 0);
    assert_true(crash_disk_open_file(&disk, image));
    memset(&area, 0, sizeof area);
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end();
    crash_disk_close(&disk);
    unlink(image);
    strcpy(image, "/tmp/baremail-journal-area-XXXXXX");
    return 0;
}

static void make_card(void)
{
    make_image("label: dos\\nstart=2048, size=4096, type=c\\nstart=6144, size=1024, type=da\\n");
}

static void test_found_and_bounded(void **state)
{
    (void)state;
    make_card();
    uint8_t buf[2 * BLOCKDEV_BLOCK_SIZE];
    assert_int_equal(journal_area_transfer(&area, 0, 1, buf, NULL, io_words), BOARD_ERR_NO_JOURNAL);
    assert_int_equal(journal_area_find(&area, &disk.dev), 0);
    assert_int_equal(area.first, JOURNAL_START);
    assert_int_equal(area.blocks, JOURNAL_BLOCKS);

    /* Block numbers are the partition's: block 0 is the partition's first. */
    memset(buf, 0xA5, sizeof buf);
    assert_int_equal(journal_area_transfer(&area, 0, 1, NULL, buf, io_words), 0);
    assert_int_equal(journal_area_transfer(&area, JOURNAL_BLOCKS - 2, 2, NULL, buf, io_words), 0);
    uint8_t back[BLOCKDEV_BLOCK_SIZE];
    assert_int_equal(blockdev_read(&disk.dev, JOURNAL_START, 1, back), 0);
    assert_memory_equal(back, buf, sizeof back);
    assert_int_equal(blockdev_read(&disk.dev, JOURNAL_START + JOURNAL_BLOCKS - 1, 1, back), 0);
    assert_memory_equal(back, buf, sizeof back);
    assert_int_equal(journal_area_transfer(&area, JOURNAL_BLOCKS - 1, 1, back, NULL, io_words), 0);

    /* Past the end, an empty request and a 32-bit wrap are refused before the device sees them. */
    uint32_t writes = disk.block_writes;
    stdout_capture_begin();
    int past = journal_area_transfer(&area, JOURNAL_BLOCKS - 1, 2, NULL, buf, io_words);
    int at_end = journal_area_transfer(&area, JOURNAL_BLOCKS, 1, NULL, buf, io_words);
    int empty = journal_area_transfer(&area, 0, 0, NULL, buf, io_words);
    int wrap = journal_area_transfer(&area, 1, 0xFFFFFFFFu, buf, NULL, io_words);
    const char *said = stdout_capture_end();
    assert_int_equal(past, BOARD_ERR_IO);
    assert_int_equal(at_end, BOARD_ERR_IO);
    assert_int_equal(empty, BOARD_ERR_IO);
    assert_int_equal(wrap, BOARD_ERR_IO);
    assert_non_null(strstr(said, "sd card: journal write of blocks 1023+2 outside the partition"));
    assert_int_equal(disk.block_writes, writes);

    /* Nothing outside the partition (the FAT partition before it, the free space after it) was touched. */
    static const uint8_t zero[BLOCKDEV_BLOCK_SIZE];
    for (uint32_t b = FAT_START; b < DISK_BLOCKS; b++) {
        if (b == JOURNAL_START) {
            b += JOURNAL_BLOCKS;
        }
        assert_int_equal(blockdev_read(&disk.dev, b, 1, back), 0);
        assert_memory_equal(back, zero, sizeof back);
    }
}

static void test_device_errors(void **state)
{
    (void)state;
    make_card();
    assert_int_equal(journal_area_find(&area, &disk.dev), 0);
    uint8_t buf[BLOCKDEV_BLOCK_SIZE] = { 0 };
    crash_disk_arm(&disk, 0, 0, CRASH_DISK_TEAR_OLD_TAIL);
    stdout_capture_begin();
    int err = journal_area_transfer(&area, 5, 1, NULL, buf, io_words);
    const char *said = stdout_capture_end();
    assert_int_equal(err, BOARD_ERR_IO);
    assert_non_null(strstr(said, "sd card: journal write at block 5: the device's own words"));

    struct blockdev read_only = disk.dev;
    read_only.write = NULL;
    area.dev = &read_only;
    assert_int_equal(journal_area_transfer(&area, 5, 1, NULL, buf, io_words), BOARD_ERR_READ_ONLY);
    assert_int_equal(journal_area_transfer(&area, 5, 1, buf, NULL, io_words), 0);
}

/* Cards without the partition, and damaged tables. */
static void test_not_found(void **state)
{
    (void)state;
    static const struct {
        const char *table;
        int err;
    } cases[] = {
        { "label: dos\\nstart=2048, type=c\\n", BOARD_ERR_NO_JOURNAL }, /* a card made before */
        { "label: dos\\nstart=2048, size=4096, type=c\\nstart=6144, type=83\\n", BOARD_ERR_NO_JOURNAL },
        { "label: gpt\\nstart=2048, size=4096\\n", BOARD_ERR_CORRUPT }, /* GPT: not supported */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        make_image(cases[i].table);
        stdout_capture_begin();
        int err = journal_area_find(&area, &disk.dev);
        stdout_capture_end();
        assert_int_equal(err, cases[i].err);
        assert_false(area.found);
        teardown(NULL);
    }
    /* A partition entry reaching past the end of the disk. */
    make_card();
    struct blockdev shorter = disk.dev;
    shorter.block_count = JOURNAL_START + JOURNAL_BLOCKS - 1;
    stdout_capture_begin();
    int err = journal_area_find(&area, &shorter);
    const char *said = stdout_capture_end();
    assert_int_equal(err, BOARD_ERR_CORRUPT);
    assert_non_null(strstr(said, "sd card: journal partition: partition extends past the end of the disk"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_found_and_bounded, teardown),
        cmocka_unit_test_teardown(test_device_errors, teardown),
        cmocka_unit_test_teardown(test_not_found, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
