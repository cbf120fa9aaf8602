/*
 * disk_image.h - disk image files for the storage tests (test_fat, test_mbr), and a struct blockdev reading them.
 *
 * Images are made at test time with the real tools (mkfs.fat from dosfstools, mcopy/mmd/mdel from mtools, sfdisk
 * from fdisk) in a private temporary directory, then patched byte by byte to model corruption. Everything here
 * aborts the test run with a message when a tool or a file operation fails: a test never runs on a half-made image.
 * File names are relative to the temporary directory.
 */
#ifndef TESTS_UNIT_DRIVERS_DISK_IMAGE_H
#define TESTS_UNIT_DRIVERS_DISK_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/blockdev.h"

/* Creates the temporary directory (once) and returns it; checks that the image tools are installed. */
const char *disk_image_dir(void);
/* Removes the temporary directory and everything in it. */
void disk_image_cleanup(void);

/* Runs a shell command built like printf (cwd: the temporary directory); aborts if it fails. */
void disk_image_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes len bytes of data to a new host file name in the temporary directory. */
void disk_image_write_host_file(const char *name, const void *data, size_t len);
/* Copies an image (sparse) so a test can corrupt its own copy. */
void disk_image_copy(const char *from, const char *to);
/* Overwrites / reads bytes of an image at a byte offset. */
void disk_image_patch(const char *name, uint64_t offset, const void *bytes, size_t len);
void disk_image_read(const char *name, uint64_t offset, void *bytes, size_t len);
void disk_image_patch_le16(const char *name, uint64_t offset, uint16_t value);
void disk_image_patch_le32(const char *name, uint64_t offset, uint32_t value);
uint32_t disk_image_read_le16(const char *name, uint64_t offset);
uint32_t disk_image_read_le32(const char *name, uint64_t offset);
/* Sets an image's size in bytes (cuts it short, or extends it with zeros). */
void disk_image_truncate(const char *name, uint64_t size);

/* A block device over an image file: block_count is the file size / 512. fail_reads makes every read fail with
 * DISK_IMAGE_READ_ERROR, to test I/O error paths. */
#define DISK_IMAGE_READ_ERROR (-77)
struct disk_image_dev {
    int fd;
    int fail_reads;
    struct blockdev dev;
};
void disk_image_open(struct disk_image_dev *d, const char *name);
void disk_image_close(struct disk_image_dev *d);

#endif /* TESTS_UNIT_DRIVERS_DISK_IMAGE_H */
