/*
 * resetinfo.h - why the last run ended, kept in a small RAM record that survives a watchdog reset.
 *
 * The record lives in .noinit (neither loaded nor cleared at start-up) and carries a magic number and a checksum,
 * so power-on garbage is never taken for a record. On QEMU a reset puts PM_RSTS back to its power-on value, so
 * this record is the only way to know; on a real Pi it complements RSTS. Called from boot and crash code only.
 */
#ifndef BOARD_COMMON_RESETINFO_H
#define BOARD_COMMON_RESETINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "board/board.h"

#define RESETINFO_DETAIL_MAX 96

/* Reads and validates the record, then erases it so the next reset is not blamed on the same cause.
 * Returns true and fills cause/detail when a valid record was there. */
bool resetinfo_take(enum board_reset_cause *cause, char detail[RESETINFO_DETAIL_MAX]);

/* Writes the record just before a deliberate reset (or ahead of arming the watchdog). */
void resetinfo_store(enum board_reset_cause cause, const char *detail);

#endif /* BOARD_COMMON_RESETINFO_H */
