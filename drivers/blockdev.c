#include "drivers/blockdev.h"

#include <stddef.h>

/* Written so that lba + count cannot overflow. */
static int blockdev_check_range(const struct blockdev *dev, uint32_t lba, uint32_t count)
{
    return (lba >= dev->block_count || count > dev->block_count - lba) ? BLOCKDEV_ERR_RANGE : 0;
}

int blockdev_read(const struct blockdev *dev, uint32_t lba, uint32_t count, void *buf)
{
    if (dev == NULL || dev->read == NULL || buf == NULL || count == 0) {
        return BLOCKDEV_ERR_INVALID_ARG;
    }
    int err = blockdev_check_range(dev, lba, count);
    return err != 0 ? err : dev->read(dev->ctx, lba, count, buf);
}

int blockdev_write(const struct blockdev *dev, uint32_t lba, uint32_t count, const void *buf)
{
    if (dev == NULL || buf == NULL || count == 0) {
        return BLOCKDEV_ERR_INVALID_ARG;
    }
    if (dev->write == NULL) {
        return BLOCKDEV_ERR_READ_ONLY;
    }
    int err = blockdev_check_range(dev, lba, count);
    return err != 0 ? err : dev->write(dev->ctx, lba, count, buf);
}

const char *blockdev_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case BLOCKDEV_ERR_INVALID_ARG: return "invalid block device request";
    case BLOCKDEV_ERR_RANGE: return "read or write past the end of the block device";
    case BLOCKDEV_ERR_READ_ONLY: return "the block device is read-only";
    default: return "unknown block device error";
    }
}
