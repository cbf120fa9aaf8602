/*
 * crash.h - the crash reporter: entered from vectors.S for every fault, prints a report on the console and
 * reboots through the watchdog. It uses no heap, no stdio and no interrupts, since any of them may be what broke.
 */
#ifndef BOARD_COMMON_CRASH_H
#define BOARD_COMMON_CRASH_H

#include <stdint.h>

/* Registers as vectors.S pushes them on the abort stack. pc is the faulting instruction. */
struct crash_frame {
    uint32_t r[13];
    uint32_t pc;
};

void crash_report(uint32_t kind, const struct crash_frame *frame, uint32_t spsr) __attribute__((noreturn));

#endif /* BOARD_COMMON_CRASH_H */
