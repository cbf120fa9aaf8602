/*
 * journal_area.h - the card's journal partition (MBR type 0xDA, after the FAT boot partition; docs/storage.md) as
 * every board with a card image finds and reaches it, behind board_journal_area(), board_journal_read() and
 * board_journal_write(). Requests are checked against the partition before they reach the card, so nothing outside
 * it is ever written: the FAT boot partition stays read-only. Failures are printed on the console in the lower
 * layer's words ("sd card: ...") and returned as BOARD_ERR_* codes.
 *
 * The board owns the struct journal_area and the block device and calls these from the board_journal_* functions
 * (main loop only).
 */
#ifndef BOARD_JOURNAL_AREA_H
#define BOARD_JOURNAL_AREA_H

#include <stdbool.h>
#include <stdint.h>

#include "board/boot_volume.h"
#include "drivers/blockdev.h"

struct journal_area {
    const struct blockdev *dev;
    uint32_t first; /* the partition on dev */
    uint32_t blocks;
    bool found;
};

/* Looks for the partition on dev. Returns 0, BOARD_ERR_NO_JOURNAL (none: an older card), BOARD_ERR_IO or
 * BOARD_ERR_CORRUPT. */
int journal_area_find(struct journal_area *area, const struct blockdev *dev);

/* Reads (wbuf NULL) into rbuf, or writes wbuf, blocks [block, block + count) of a found partition. io_strerror words
 * the device's own error codes. Returns 0, BOARD_ERR_NO_JOURNAL, BOARD_ERR_IO, or BOARD_ERR_READ_ONLY. */
int journal_area_transfer(const struct journal_area *area, uint32_t block, uint32_t count, void *rbuf, const void *wbuf,
                          boot_volume_io_strerror_fn io_strerror);

#endif /* BOARD_JOURNAL_AREA_H */
