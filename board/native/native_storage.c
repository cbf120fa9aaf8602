/*
 * board_read_boot_file() and the board_journal_* functions on the native board; see native_storage.h. Like the
 * Pi's board_storage.c, a failure is reported on the console in the lower layer's words and the card is tried again
 * on the next call.
 */
#include "board/native/native_storage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board/board.h"
#include "board/boot_volume.h"
#include "board/journal_area.h"
#include "drivers/blockdev.h"
#include "drivers/storage/fat.h"
#include "lib/err.h"

/* The image file's read or write error, as the block device driver's own negative code. */
#define NATIVE_STORAGE_ERR_IO (-ERR_BASE_NATIVE_STORAGE - 1)

static const char *sd_path;
static int image_fd = -1;
static struct blockdev image_blockdev;
static struct fat_volume boot_volume;
static struct journal_area journal_area;
static bool mounted;

void native_storage_set_path(const char *path)
{
    sd_path = path;
}

/* Reads into rbuf, or writes wbuf, whole blocks at lba; a write returns once the blocks are on the disk
 * (fdatasync), like a card's, so a host crash keeps them too. */
static int image_transfer(int fd, uint32_t lba, uint32_t count, unsigned char *rbuf, const unsigned char *wbuf)
{
    size_t want = (size_t)count * BLOCKDEV_BLOCK_SIZE;
    off_t offset = (off_t)lba * BLOCKDEV_BLOCK_SIZE;
    while (want > 0) {
        ssize_t n = wbuf != NULL ? pwrite(fd, wbuf, want, offset) : pread(fd, rbuf, want, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NATIVE_STORAGE_ERR_IO;
        }
        if (wbuf != NULL) {
            wbuf += n;
        } else {
            rbuf += n;
        }
        offset += n;
        want -= (size_t)n;
    }
    return (wbuf == NULL || fdatasync(fd) == 0) ? 0 : NATIVE_STORAGE_ERR_IO;
}

static int image_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    return image_transfer(*(const int *)ctx, lba, count, buf, NULL);
}

static int image_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    return image_transfer(*(const int *)ctx, lba, count, NULL, buf);
}

/* Opens the image for reading and, when the file allows it, writing (the journal partition); the block device then
 * has a write function. */
static int image_open(const struct stat *st)
{
    if (image_fd < 0) {
        image_fd = open(sd_path, O_RDWR | O_CLOEXEC);
        bool writable = image_fd >= 0;
        if (!writable && (errno == EACCES || errno == EROFS || errno == EPERM)) {
            image_fd = open(sd_path, O_RDONLY | O_CLOEXEC);
        }
        if (image_fd < 0) {
            printf("sd card: %s: %s\n", sd_path, strerror(errno));
            return BOARD_ERR_NO_MEDIA;
        }
        image_blockdev.write = writable ? image_write : NULL;
    }
    uint64_t blocks = (uint64_t)st->st_size / BLOCKDEV_BLOCK_SIZE;
    image_blockdev.read = image_read;
    image_blockdev.ctx = &image_fd;
    image_blockdev.block_count = blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)blocks;
    return 0;
}

static int mount_image(const struct stat *st)
{
    int err = image_open(st);
    if (err == 0) {
        err = boot_volume_mount(&boot_volume, &image_blockdev);
    }
    mounted = err == 0;
    return err;
}

/* The image file's errors: the block device has only the one code, so the message names the file. */
static const char *image_strerror(int io_error)
{
    (void)io_error;
    static char text[PATH_MAX + 32];
    snprintf(text, sizeof text, "read or write error in %s", sd_path);
    return text;
}

/* Appends the entry of dir matching component (ASCII case ignored) to path; false when there is none. */
static bool find_entry(char *path, size_t size, const char *component, size_t component_len)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        return false;
    }
    bool found = false;
    struct dirent *de;
    while (!found && (de = readdir(dir)) != NULL) {
        if (strlen(de->d_name) == component_len && strncasecmp(de->d_name, component, component_len) == 0 &&
            strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            size_t used = strlen(path);
            found = snprintf(path + used, size - used, "/%s", de->d_name) < (int)(size - used);
        }
    }
    closedir(dir);
    return found;
}

static int read_dir_file(const char *name, void *buf, size_t size, size_t *len)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", sd_path) >= (int)sizeof path) {
        return BOARD_ERR_NOT_FOUND;
    }
    for (const char *p = name; *p != '\0';) {
        size_t n = strcspn(p, "/");
        if (n > 0 && !find_entry(path, sizeof path, p, n)) {
            return BOARD_ERR_NOT_FOUND;
        }
        p += n;
        p += *p == '/';
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) {
            close(fd);
        }
        return BOARD_ERR_NOT_FOUND;
    }
    *len = (size_t)st.st_size;
    int result = 0;
    if ((size_t)st.st_size > size) {
        result = BOARD_ERR_TOO_BIG;
    } else {
        size_t done = 0;
        while (done < (size_t)st.st_size) {
            ssize_t n = read(fd, (char *)buf + done, (size_t)st.st_size - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                printf("sd card: reading %s: %s\n", path, n < 0 ? strerror(errno) : "file shrank while read");
                *len = 0;
                result = BOARD_ERR_IO;
                break;
            }
            done += (size_t)n;
        }
    }
    close(fd);
    return result;
}

/* What --sd names, or BOARD_ERR_NO_MEDIA (said on the console when the path is wrong). */
static int sd_stat(struct stat *st)
{
    if (sd_path == NULL) {
        return BOARD_ERR_NO_MEDIA;
    }
    if (stat(sd_path, st) != 0) {
        printf("sd card: %s: %s\n", sd_path, strerror(errno));
        return BOARD_ERR_NO_MEDIA;
    }
    return 0;
}

int board_read_boot_file(const char *name, void *buf, size_t size, size_t *len)
{
    *len = 0;
    struct stat st;
    int err = sd_stat(&st);
    if (err != 0) {
        return err;
    }
    if (S_ISDIR(st.st_mode)) {
        return read_dir_file(name, buf, size, len);
    }
    if (!mounted) {
        err = mount_image(&st);
        if (err != 0) {
            return err;
        }
    }
    return boot_volume_read(&boot_volume, name, buf, size, len, image_strerror);
}

int board_journal_area(uint32_t *blocks)
{
    *blocks = 0;
    if (!journal_area.found) {
        struct stat st;
        int err = sd_stat(&st);
        if (err != 0) {
            return err;
        }
        if (S_ISDIR(st.st_mode)) {
            printf("sd card: %s is a directory: it stands for the boot partition and has no raw journal partition "
                   "(give a card image made by `make sdcard` instead)\n",
                   sd_path);
            return BOARD_ERR_NO_JOURNAL;
        }
        err = image_open(&st);
        if (err == 0) {
            err = journal_area_find(&journal_area, &image_blockdev);
        }
        if (err != 0) {
            return err;
        }
        if (image_blockdev.write == NULL) {
            printf("sd card: %s cannot be opened for writing: the journal partition is read-only\n", sd_path);
        }
    }
    *blocks = journal_area.blocks;
    return 0;
}

int board_journal_read(uint32_t block, uint32_t count, void *buf)
{
    return journal_area_transfer(&journal_area, block, count, buf, NULL, image_strerror);
}

int board_journal_write(uint32_t block, uint32_t count, const void *buf)
{
    return journal_area_transfer(&journal_area, block, count, NULL, buf, image_strerror);
}
