#include "disk_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "drivers/byteorder.h"

#define PATH_SIZE    512
#define COMMAND_SIZE 4096

static char dir[PATH_SIZE];

static void fail(const char *what, const char *name)
{
    fprintf(stderr, "disk_image: %s %s: %s\n", what, name, strerror(errno));
    abort();
}

static const char *full_path(char *buf, const char *name)
{
    int n = snprintf(buf, PATH_SIZE, "%s/%s", disk_image_dir(), name);
    if (n < 0 || n >= PATH_SIZE) {
        fprintf(stderr, "disk_image: path too long: %s\n", name);
        abort();
    }
    return buf;
}

const char *disk_image_dir(void)
{
    if (dir[0] != '\0') {
        return dir;
    }
    strcpy(dir, "/tmp/baremail-disk-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        fail("mkdtemp", dir);
    }
    /* mkfs.fat and sfdisk live in sbin, which a non-root PATH may lack; mtools would check a disk geometry that
     * image files do not have. */
    const char *path = getenv("PATH");
    char new_path[COMMAND_SIZE];
    snprintf(new_path, sizeof(new_path), "%s:/usr/sbin:/sbin", path != NULL ? path : "/usr/bin:/bin");
    setenv("PATH", new_path, 1);
    setenv("MTOOLS_SKIP_CHECK", "1", 1);
    if (system("{ command -v mkfs.fat && command -v mcopy && command -v mmd && command -v mdel && "
               "command -v sfdisk ; } >/dev/null") != 0) {
        fprintf(stderr, "disk_image: mkfs.fat, mtools or sfdisk missing: apt-get install dosfstools mtools fdisk\n");
        abort();
    }
    return dir;
}

void disk_image_cleanup(void)
{
    if (dir[0] != '\0') {
        disk_image_run("rm -rf '%s'", dir);
        dir[0] = '\0';
    }
}

void disk_image_run(const char *fmt, ...)
{
    char cmd[COMMAND_SIZE];
    char line[2 * COMMAND_SIZE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(cmd)) {
        fprintf(stderr, "disk_image: command too long\n");
        abort();
    }
    const char *d = disk_image_dir();
    snprintf(line, sizeof(line), "cd '%s' && { %s ; } >'%s/cmd.log' 2>&1", d, cmd, d);
    if (system(line) != 0) {
        fprintf(stderr, "disk_image: command failed: %s\n", cmd);
        snprintf(line, sizeof(line), "cat '%s/cmd.log' >&2", d);
        (void)!system(line);
        abort();
    }
}

static int open_file(const char *name, int flags)
{
    char path[PATH_SIZE];
    int fd = open(full_path(path, name), flags, 0644);
    if (fd < 0) {
        fail("open", name);
    }
    return fd;
}

void disk_image_write_host_file(const char *name, const void *data, size_t len)
{
    int fd = open_file(name, O_WRONLY | O_CREAT | O_TRUNC);
    if (write(fd, data, len) != (ssize_t)len) {
        fail("write", name);
    }
    close(fd);
}

void disk_image_copy(const char *from, const char *to)
{
    disk_image_run("cp --sparse=always '%s' '%s'", from, to);
}

void disk_image_patch(const char *name, uint64_t offset, const void *bytes, size_t len)
{
    int fd = open_file(name, O_WRONLY);
    if (pwrite(fd, bytes, len, (off_t)offset) != (ssize_t)len) {
        fail("pwrite", name);
    }
    close(fd);
}

void disk_image_read(const char *name, uint64_t offset, void *bytes, size_t len)
{
    int fd = open_file(name, O_RDONLY);
    if (pread(fd, bytes, len, (off_t)offset) != (ssize_t)len) {
        fail("pread", name);
    }
    close(fd);
}

void disk_image_patch_le16(const char *name, uint64_t offset, uint16_t value)
{
    uint8_t b[2];
    byteorder_put_le16(b, value);
    disk_image_patch(name, offset, b, sizeof(b));
}

void disk_image_patch_le32(const char *name, uint64_t offset, uint32_t value)
{
    uint8_t b[4];
    byteorder_put_le32(b, value);
    disk_image_patch(name, offset, b, sizeof(b));
}

uint32_t disk_image_read_le16(const char *name, uint64_t offset)
{
    uint8_t b[2];
    disk_image_read(name, offset, b, sizeof(b));
    return byteorder_get_le16(b);
}

uint32_t disk_image_read_le32(const char *name, uint64_t offset)
{
    uint8_t b[4];
    disk_image_read(name, offset, b, sizeof(b));
    return byteorder_get_le32(b);
}

void disk_image_truncate(const char *name, uint64_t size)
{
    char path[PATH_SIZE];
    if (truncate(full_path(path, name), (off_t)size) != 0) {
        fail("truncate", name);
    }
}

static int image_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    struct disk_image_dev *d = ctx;
    if (d->fail_reads) {
        return DISK_IMAGE_READ_ERROR;
    }
    size_t len = (size_t)count * BLOCKDEV_BLOCK_SIZE;
    ssize_t got = pread(d->fd, buf, len, (off_t)lba * BLOCKDEV_BLOCK_SIZE);
    return got == (ssize_t)len ? 0 : DISK_IMAGE_READ_ERROR;
}

void disk_image_open(struct disk_image_dev *d, const char *name)
{
    d->fd = open_file(name, O_RDONLY);
    off_t size = lseek(d->fd, 0, SEEK_END);
    if (size < 0) {
        fail("lseek", name);
    }
    d->fail_reads = 0;
    d->dev = (struct blockdev){ .read = image_read, .ctx = d, .block_count = (uint32_t)(size / BLOCKDEV_BLOCK_SIZE) };
}

void disk_image_close(struct disk_image_dev *d)
{
    close(d->fd);
    d->fd = -1;
}
