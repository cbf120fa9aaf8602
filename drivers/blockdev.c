#include "drivers/blockdev.h"

#include <stddef.h>

int blockdev_read(const struct blockdev *dev, uint32_t lba, uint32_t count, void *buf)
{
    if (dev == NULL || dev->read == NULL || buf == NULL || count == 0) {
        return BLOCKDEV_ERR_INVALID_ARG;
    }
    /* Written so that lba + count cannot overflow. */
    if (lba >= dev->block_count || count > dev->block_count - lba) {
        return BLOCKDEV_ERR_RANGE;
    }
    return dev->read(dev->ctx, lba, count, buf);
}

const char *blockdev_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
    case BLOCKDEV_ERR_INVALID_ARG:
        return "invalid block device request";
    case BLOCKDEV_ERR_RANGE:
        return "read past the end of the block device";
    default:
        return "unknown block device error";
    }
}
