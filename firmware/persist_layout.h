/*
 * persist_layout.h - where things are on the card's journal partition (the MBR partition of type 0xDA after the
 * FAT boot partition, docs/storage.md), in 512-byte blocks from the partition's start. Shared by the firmware
 * (firmware/persist.c) and the host tool that reads a card image (tools/baremail-log.c), so both agree.
 *
 * tools/mksdcard makes the partition PERSIST_PARTITION_MIB large and all zero; the firmware needs the first
 * PERSIST_MIN_BLOCKS of it and leaves the rest for later use. Nothing is formatted: an all-zero region is an empty
 * journal and an empty log.
 */
#ifndef FIRMWARE_PERSIST_LAYOUT_H
#define FIRMWARE_PERSIST_LAYOUT_H

/* The outbox's journal: 1024 blocks (512 KiB). The journal holds at most JOURNAL_MAX_LIVE (256) undelivered mails
 * however large the region; four times as many slots spread the writes over more of the card's flash. */
#define PERSIST_JOURNAL_FIRST  0u
#define PERSIST_JOURNAL_BLOCKS 1024u
/* The event log: the last 256 events (128 KiB). */
#define PERSIST_LOG_FIRST  1024u
#define PERSIST_LOG_BLOCKS 256u
#define PERSIST_MIN_BLOCKS (PERSIST_LOG_FIRST + PERSIST_LOG_BLOCKS)

/* What tools/mksdcard makes: 4 MiB, one SD erase-block alignment unit, as for the FAT partition. */
#define PERSIST_PARTITION_MIB 4u

/* The records' magic numbers ("BMJ1", "BML1" in little-endian byte order): which ring a block belongs to. */
#define PERSIST_JOURNAL_MAGIC 0x314A4D42u
#define PERSIST_LOG_MAGIC     0x314C4D42u

#endif /* FIRMWARE_PERSIST_LAYOUT_H */
