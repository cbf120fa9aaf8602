/*
 * mmu.h - the MMU set-up of the Pi boards: an identity map with caches on.
 *
 * RAM is normal write-back memory; the image's code and read-only data are read-only and executable; everything
 * else in RAM is read-write and never executable; the peripheral windows are device memory, never executable;
 * all other addresses fault, and so does the first page once mmu_protect_null_page() has been called, which
 * turns NULL pointer dereferences into data aborts. Called once, from boot_start(), before interrupts are on.
 */
#ifndef BOARD_COMMON_MMU_H
#define BOARD_COMMON_MMU_H

#include <stddef.h>
#include <stdint.h>

struct mmu_region {
    uintptr_t base;
    size_t size;
};

/* Builds the tables and turns on the MMU, data and instruction caches and branch prediction.
 * ram_size: bytes of ARM RAM from address 0. devices: peripheral windows (1 MiB aligned). */
void mmu_init(size_t ram_size, const struct mmu_region *devices, size_t device_count);

/* Makes the first 4 KiB page inaccessible (done after the boot blob at 0x100 has been read). */
void mmu_protect_null_page(void);

#endif /* BOARD_COMMON_MMU_H */
