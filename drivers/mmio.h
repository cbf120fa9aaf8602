/*
 * mmio.h - the one place where memory-mapped registers are touched.
 *
 * Every driver reads and writes its registers through these helpers, never through raw pointer casts, so that:
 *  - the access width and volatility are always right (32-bit, no merging, no reordering by the compiler);
 *  - host unit tests can build drivers with -DMMIO_FAKE and supply mmio_read32()/mmio_write32() from a fake
 *    register file (tests/unit/fake_mmio.c) that records every access and scripts the values read back.
 *
 * Addresses are plain uintptr_t: a driver gets its block's base from the board and adds named offsets.
 * Barriers: the BCM283x peripheral bus can return reads out of order across different peripherals; drivers call
 * mmio_barrier() when they switch from one peripheral block to another (BCM2835 ARM Peripherals, section 1.3).
 */
#ifndef MMIO_H
#define MMIO_H

#include <stdint.h>

#ifdef MMIO_FAKE
uint32_t mmio_read32(uintptr_t addr);
void mmio_write32(uintptr_t addr, uint32_t value);
void mmio_barrier(void);
#else
static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile const uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

static inline void mmio_barrier(void)
{
#if defined(__ARM_ARCH) && __ARM_ARCH >= 7
    __asm__ volatile("dsb" ::: "memory");
#elif defined(__ARM_ARCH)
    /* ARMv6 has no DSB instruction; this CP15 operation is its data synchronization barrier. */
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 4" ::"r"(0) : "memory");
#else
    __asm__ volatile("" ::: "memory");
#endif
}
#endif

static inline void mmio_set_bits(uintptr_t addr, uint32_t bits)
{
    mmio_write32(addr, mmio_read32(addr) | bits);
}

static inline void mmio_clear_bits(uintptr_t addr, uint32_t bits)
{
    mmio_write32(addr, mmio_read32(addr) & ~bits);
}

/* Replaces the field selected by mask with value (value is already shifted into place). */
static inline void mmio_write_masked(uintptr_t addr, uint32_t value, uint32_t mask)
{
    mmio_write32(addr, (mmio_read32(addr) & ~mask) | (value & mask));
}

#endif /* MMIO_H */
