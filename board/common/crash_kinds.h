/*
 * crash_kinds.h - the exception kinds vectors.S hands to crash_report(). Plain #defines: assembly includes it.
 */
#ifndef BOARD_COMMON_CRASH_KINDS_H
#define BOARD_COMMON_CRASH_KINDS_H

#define CRASH_UNDEFINED      1
#define CRASH_SWI            2
#define CRASH_PREFETCH_ABORT 3
#define CRASH_DATA_ABORT     4
#define CRASH_FIQ            5
#define CRASH_RESET_VECTOR   6 /* a jump through address 0 of the vector table: a call through a NULL pointer */

#endif /* BOARD_COMMON_CRASH_KINDS_H */
