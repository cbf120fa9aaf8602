#include "crash_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIECE 64u

static void die(const char *what)
{
    fprintf(stderr, "crash_disk: %s: %s\n", what, strerror(errno));
    abort();
}

static void pread_all(int fd, void *buf, size_t len, off_t at)
{
    if (pread(fd, buf, len, at) != (ssize_t)len) {
        die("pread");
    }
}

static void pwrite_all(int fd, const void *buf, size_t len, off_t at)
{
    if (pwrite(fd, buf, len, at) != (ssize_t)len) {
        die("pwrite");
    }
}

static int disk_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    struct crash_disk *d = ctx;
    pread_all(d->fd, buf, (size_t)count * BLOCKDEV_BLOCK_SIZE, (off_t)lba * BLOCKDEV_BLOCK_SIZE);
    d->block_reads += count;
    return 0;
}

static void tear_block(struct crash_disk *d, uint32_t lba, const uint8_t *new_block)
{
    uint8_t block[BLOCKDEV_BLOCK_SIZE];
    off_t at = (off_t)lba * BLOCKDEV_BLOCK_SIZE;
    pread_all(d->fd, block, sizeof block, at);
    uint32_t seed = d->tear_offset * 2654435761u + 1u;
    bool piece_new = false;
    for (uint32_t i = 0; i < BLOCKDEV_BLOCK_SIZE; i++) {
        seed = seed * 1103515245u + 12345u;
        switch (d->tear) {
        case CRASH_DISK_TEAR_OLD_TAIL: block[i] = i < d->tear_offset ? new_block[i] : block[i]; break;
        case CRASH_DISK_TEAR_NOISE_TAIL: block[i] = i < d->tear_offset ? new_block[i] : (uint8_t)(seed >> 16); break;
        case CRASH_DISK_TEAR_MIXED:
            if (i % PIECE == 0) {
                piece_new = (seed >> 16) & 1u;
            }
            block[i] = piece_new ? new_block[i] : block[i];
            break;
        }
    }
    pwrite_all(d->fd, block, sizeof block, at);
}

static int disk_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    struct crash_disk *d = ctx;
    const uint8_t *src = buf;
    for (uint32_t i = 0; i < count; i++, src += BLOCKDEV_BLOCK_SIZE) {
        if (d->dead) {
            return CRASH_DISK_POWER_LOST;
        }
        d->block_writes++;
        if (d->armed && d->writes_left == 0) {
            tear_block(d, lba + i, src);
            d->dead = true;
            return CRASH_DISK_POWER_LOST;
        }
        if (d->armed) {
            d->writes_left--;
        }
        pwrite_all(d->fd, src, BLOCKDEV_BLOCK_SIZE, (off_t)(lba + i) * BLOCKDEV_BLOCK_SIZE);
    }
    return 0;
}

void crash_disk_open(struct crash_disk *d, uint32_t blocks)
{
    char name[] = "/tmp/baremail-crash-disk-XXXXXX";
    memset(d, 0, sizeof(*d));
    d->fd = mkstemp(name);
    if (d->fd < 0) {
        die("mkstemp");
    }
    unlink(name);
    if (ftruncate(d->fd, (off_t)blocks * BLOCKDEV_BLOCK_SIZE) != 0) {
        die("ftruncate");
    }
    d->dev = (struct blockdev){ .read = disk_read, .write = disk_write, .ctx = d, .block_count = blocks };
}

bool crash_disk_open_file(struct crash_disk *d, const char *path)
{
    memset(d, 0, sizeof(*d));
    d->fd = open(path, O_RDWR | O_CLOEXEC);
    if (d->fd < 0) {
        return false;
    }
    off_t size = lseek(d->fd, 0, SEEK_END);
    uint64_t blocks = size > 0 ? (uint64_t)size / BLOCKDEV_BLOCK_SIZE : 0;
    d->dev = (struct blockdev){ .read = disk_read,
                                .write = disk_write,
                                .ctx = d,
                                .block_count = blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)blocks };
    return true;
}

void crash_disk_close(struct crash_disk *d)
{
    close(d->fd);
    d->fd = -1;
}

void crash_disk_arm(struct crash_disk *d, uint32_t writes, uint32_t offset, enum crash_disk_tear tear)
{
    d->armed = true;
    d->dead = false;
    d->writes_left = writes;
    d->tear_offset = offset;
    d->tear = tear;
}

void crash_disk_revive(struct crash_disk *d)
{
    d->armed = false;
    d->dead = false;
}
