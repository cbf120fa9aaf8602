/*
 * The boot partition shared by the Pi boards and the native board's card images; see boot_volume.h.
 */
#include "board/boot_volume.h"

#include <stdio.h>

#include "board/board.h"
#include "drivers/storage/mbr.h"

int boot_volume_mount(struct fat_volume *vol, struct blockdev *dev)
{
    uint32_t first_lba, sectors;
    int err = mbr_find_fat_partition(dev, &first_lba, &sectors);
    if (err != 0) {
        printf("sd card: %s\n", mbr_strerror(err));
        return err == MBR_ERR_IO ? BOARD_ERR_IO : err == MBR_ERR_NO_FAT ? BOARD_ERR_NO_MEDIA : BOARD_ERR_CORRUPT;
    }
    err = fat_mount(vol, dev, first_lba, sectors);
    if (err != 0) {
        printf("sd card: boot partition: %s\n", fat_strerror(err));
        return err == FAT_ERR_IO ? BOARD_ERR_IO : BOARD_ERR_CORRUPT;
    }
    return 0;
}

int boot_volume_read(struct fat_volume *vol, const char *name, void *buf, size_t size, size_t *len,
                     boot_volume_io_strerror_fn io_strerror)
{
    int err = fat_read_file(vol, name, buf, size, len);
    switch (err) {
    case 0: return 0;
    case FAT_ERR_NOT_FOUND:
    case FAT_ERR_NOT_DIR:
    case FAT_ERR_IS_DIR:
    case FAT_ERR_BAD_NAME: return BOARD_ERR_NOT_FOUND;
    case FAT_ERR_TOO_BIG: return BOARD_ERR_TOO_BIG;
    case FAT_ERR_IO: printf("sd card: reading %s: %s\n", name, io_strerror(vol->io_error)); return BOARD_ERR_IO;
    default: printf("sd card: reading %s: %s\n", name, fat_strerror(err)); return BOARD_ERR_CORRUPT;
    }
}
