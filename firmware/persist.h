/*
 * persist.h - what the firmware keeps across a power cut: the outbox's journal and the event log, on the card's
 * journal partition (firmware/persist_layout.h, docs/storage.md).
 *
 * persist_init() at boot, before the network, finds the partition through the board and opens both rings. Without
 * one (an older or hand-made card, a directory as the native board's --sd, a card that fails) it says so once on
 * the console and everything keeps running: persist_journal() is NULL, so the outbox keeps its mails in RAM only,
 * and events are not kept. The outbox keeps its mails on persist_journal() through firmware/outbox_journal.h
 * (firmware/outbox_delivery.c sets it up); the rest of the firmware records events with persist_event().
 *
 * Rules: main loop only; persist_init() once, before anything else here.
 */
#ifndef FIRMWARE_PERSIST_H
#define FIRMWARE_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/event_log.h"
#include "firmware/journal.h"

/* Opens the journal and the event log and records this boot (with the reset cause) in the log. Returns 0, or the
 * BOARD_ERR_* / JOURNAL_ERR_* code of why they are off (already reported on the console). */
int persist_init(void);

/* The outbox's journal, or NULL when mails are kept in RAM only. */
struct journal *persist_journal(void);

/* Records an event (with the uptime and, once the clock is set, the UTC time) when the log is on; a failure to
 * write it is reported on the console once. */
void persist_event(enum event_log_type type, uint32_t arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The event log, or NULL when it is off. */
struct event_log *persist_log(void);

/* One line on where mails are kept, for `outbox` and the boot messages: "journal on the SD card: 3 undelivered,
 * room for 256" or "RAM only (no journal partition on the SD card): lost at power loss". */
void persist_describe(char *buf, size_t size);

#endif /* FIRMWARE_PERSIST_H */
