/*
 * board_read_boot_file() on the native board; see native_storage.h. Like the Pi's board_storage.c, a failure is
 * reported on the console in the lower layer's words and the card is tried again on the next call.
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
#include "drivers/blockdev.h"
#include "drivers/storage/fat.h"

/* The image file's read error, as the block device driver's own negative code. */
#define NATIVE_STORAGE_ERR_IO (-1)

static const char *sd_path;
static int image_fd = -1;
static struct blockdev image_blockdev;
static struct fat_volume boot_volume;
static bool mounted;

void native_storage_set_path(const char *path)
{
    sd_path = path;
}

static int image_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    int fd = *(const int *)ctx;
    size_t want = (size_t)count * BLOCKDEV_BLOCK_SIZE;
    off_t offset = (off_t)lba * BLOCKDEV_BLOCK_SIZE;
    unsigned char *out = buf;
    while (want > 0) {
        ssize_t n = pread(fd, out, want, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return NATIVE_STORAGE_ERR_IO;
        }
        out += n;
        offset += n;
        want -= (size_t)n;
    }
    return 0;
}

static int mount_image(const struct stat *st)
{
    if (image_fd < 0) {
        image_fd = open(sd_path, O_RDONLY | O_CLOEXEC);
        if (image_fd < 0) {
            printf("sd card: %s: %s\n", sd_path, strerror(errno));
            return BOARD_ERR_NO_MEDIA;
        }
    }
    uint64_t blocks = (uint64_t)st->st_size / BLOCKDEV_BLOCK_SIZE;
    image_blockdev.read = image_read;
    image_blockdev.ctx = &image_fd;
    image_blockdev.block_count = blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)blocks;

    int err = boot_volume_mount(&boot_volume, &image_blockdev);
    if (err != 0) {
        return err;
    }
    mounted = true;
    return 0;
}

/* The image file's read errors: the block device has only the one code, so the message names the file. */
static const char *image_strerror(int io_error)
{
    (void)io_error;
    static char text[PATH_MAX + 32];
    snprintf(text, sizeof text, "read error in %s", sd_path);
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

int board_read_boot_file(const char *name, void *buf, size_t size, size_t *len)
{
    *len = 0;
    if (sd_path == NULL) {
        return BOARD_ERR_NO_MEDIA;
    }
    struct stat st;
    if (stat(sd_path, &st) != 0) {
        printf("sd card: %s: %s\n", sd_path, strerror(errno));
        return BOARD_ERR_NO_MEDIA;
    }
    if (S_ISDIR(st.st_mode)) {
        return read_dir_file(name, buf, size, len);
    }
    if (!mounted) {
        int err = mount_image(&st);
        if (err != 0) {
            return err;
        }
    }
    return boot_volume_read(&boot_volume, name, buf, size, len, image_strerror);
}
