/*
 * The journal partition shared by the Pi boards and the native board's card images; see journal_area.h.
 */
#include "board/journal_area.h"

#include <stdio.h>

#include "board/board.h"
#include "drivers/storage/mbr.h"
#include "lib/err.h"

int journal_area_find(struct journal_area *area, const struct blockdev *dev)
{
    uint32_t first, blocks;
    int err = mbr_find_partition(dev, MBR_TYPE_NON_FS_DATA, &first, &blocks);
    if (err == MBR_ERR_NOT_FOUND || err == MBR_ERR_NO_TABLE) {
        return BOARD_ERR_NO_JOURNAL;
    }
    if (err != 0) {
        printf("sd card: journal partition: %s\n", mbr_strerror(err));
        return err == MBR_ERR_IO ? BOARD_ERR_IO : BOARD_ERR_CORRUPT;
    }
    area->dev = dev;
    area->first = first;
    area->blocks = blocks;
    area->found = true;
    return 0;
}

int journal_area_transfer(const struct journal_area *area, uint32_t block, uint32_t count, void *rbuf, const void *wbuf,
                          boot_volume_io_strerror_fn io_strerror)
{
    if (!area->found) {
        return BOARD_ERR_NO_JOURNAL;
    }
    /* Written so that block + count cannot overflow; the device checks the rest. */
    if (count == 0 || block >= area->blocks || count > area->blocks - block) {
        printf("sd card: journal %s of blocks %lu+%lu outside the partition\n", wbuf != NULL ? "write" : "read",
               (unsigned long)block, (unsigned long)count);
        return BOARD_ERR_IO;
    }
    int err = wbuf != NULL ? blockdev_write(area->dev, area->first + block, count, wbuf)
                           : blockdev_read(area->dev, area->first + block, count, rbuf);
    if (err == BLOCKDEV_ERR_READ_ONLY) {
        return BOARD_ERR_READ_ONLY;
    }
    if (err != 0) {
        printf("sd card: journal %s at block %lu: %s\n", wbuf != NULL ? "write" : "read", (unsigned long)block,
               err_in_range(err, ERR_BASE_BLOCKDEV) ? blockdev_strerror(err) : io_strerror(err));
        return BOARD_ERR_IO;
    }
    return 0;
}
