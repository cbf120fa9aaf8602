/*
 * boot_volume.h - the boot partition as every board with a card image reads it: the first FAT partition of the
 * block device's MBR, mounted with drivers/storage/fat, and its errors turned into the BOARD_ERR_* codes of
 * board_read_boot_file(). Failures are printed on the console in the lower layer's words ("sd card: ...").
 *
 * The board owns the volume and the block device and calls these from board_read_boot_file() (main loop only).
 */
#ifndef BOARD_BOOT_VOLUME_H
#define BOARD_BOOT_VOLUME_H

#include <stddef.h>

#include "drivers/blockdev.h"
#include "drivers/storage/fat.h"

/* Names a block device error code (fat_volume.io_error) for the console. */
typedef const char *(*boot_volume_io_strerror_fn)(int io_error);

/* Finds the FAT partition on dev and mounts it into vol. Returns 0 or a BOARD_ERR_* code. */
int boot_volume_mount(struct fat_volume *vol, struct blockdev *dev);

/* Reads file name (a path, case ignored) from a mounted vol, as board_read_boot_file() does; io_strerror words a
 * read error of the device. Returns 0 or a BOARD_ERR_* code. */
int boot_volume_read(struct fat_volume *vol, const char *name, void *buf, size_t size, size_t *len,
                     boot_volume_io_strerror_fn io_strerror);

#endif /* BOARD_BOOT_VOLUME_H */
