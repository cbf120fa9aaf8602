/*
 * syscalls.h - newlib's system calls on the Pi: the console for stdout/stderr and a heap from the end of the
 * image to the top of ARM RAM. Main-loop context only (newlib's malloc is not used from interrupts).
 */
#ifndef BOARD_COMMON_SYSCALLS_H
#define BOARD_COMMON_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

/* Sets the end of the heap (the top of ARM RAM); called once by the board before anything allocates. */
void syscalls_set_heap_limit(uintptr_t limit);

/* Heap figures for board_heap_stats(): bytes reserved now, most ever reserved, and the total available. */
size_t syscalls_heap_reserved(void);
size_t syscalls_heap_peak(void);
size_t syscalls_heap_total(void);

#endif /* BOARD_COMMON_SYSCALLS_H */
