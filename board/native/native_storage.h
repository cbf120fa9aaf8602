/*
 * native_storage.h - the native board's card: board_read_boot_file() over an SD card image (the same MBR and FAT
 * code as on the Pi, reading the file through a block device) or over a directory standing in for the boot
 * partition (each path component matched ignoring ASCII case, like FAT); and the board_journal_* functions over the
 * image's journal partition (the image is opened for writing when the file allows; a directory has no journal
 * partition, so the outbox then stays in RAM).
 *
 * Rules: native board only; main loop only. The path is the --sd argument and is kept by reference.
 */
#ifndef BOARD_NATIVE_NATIVE_STORAGE_H
#define BOARD_NATIVE_NATIVE_STORAGE_H

/* Names the image file or directory; nothing is opened until the first board_read_boot_file(). Without a call,
 * the board has no card (BOARD_ERR_NO_MEDIA). */
void native_storage_set_path(const char *path);

#endif /* BOARD_NATIVE_NATIVE_STORAGE_H */
