/*
 * mmio.h - the one place where memory-mapped registers are touched.
 *
 * Every driver reads and writes its registers through these helpers, never through raw pointer casts, so that:
 *  - the access width and volatility are always right (32-bit, no merging, no reordering by the compiler);
 *  - host unit tests can build drivers with -DMMIO_FAKE and supply mmio_read32()/mmio_write32() from a fake
 *    register file (tests/unit/fakes/fake_mmio.c) that records every access and scripts the values read back.
 *
 * Addresses are plain uintptr_t: a driver gets its block's base from the board and adds named offsets.
 *
 * Barriers, in this one place: the BCM283x's peripheral bus can return read data out of order when code moves from
 * one peripheral to another, and the BCM2835 ARM Peripherals manual (section 1.3, "Peripheral access precautions
 * for correct memory ordering") asks for a memory barrier before the first write to a peripheral and after the last
 * read from one. Drivers do not track which peripheral was last (wait loops interleave a device's status with the
 * system timer), so every read is followed and every write preceded by a data synchronization barrier, as Linux's
 * readl()/writel() do on ARM (arch/arm/include/asm/io.h, __iormb/__iowmb). The MMU maps peripherals
 * Strongly-ordered (board/common/mmu.c), so a write has reached its peripheral when the next access starts.
 * With MMIO_FAKE the raw accessors and the barrier come from tests/unit/fakes/fake_mmio.c, which checks this rule.
 */
#ifndef DRIVERS_MMIO_H
#define DRIVERS_MMIO_H

#include <stdint.h>

#ifdef MMIO_FAKE
uint32_t mmio_raw_read32(uintptr_t addr);
void mmio_raw_write32(uintptr_t addr, uint32_t value);
void mmio_barrier(void);
#else
/* One access, no barrier: only for mmio_read32()/mmio_write32() below. */
static inline uint32_t mmio_raw_read32(uintptr_t addr)
{
    return *(volatile const uint32_t *)addr;
}

static inline void mmio_raw_write32(uintptr_t addr, uint32_t value)
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

/* A register read whose data has arrived before anything after it is accessed (BCM2835 ARM Peripherals 1.3). */
static inline uint32_t mmio_read32(uintptr_t addr)
{
    uint32_t value = mmio_raw_read32(addr);
    mmio_barrier();
    return value;
}

/* A register write issued only after every earlier access, to any peripheral or to memory, has completed. */
static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
    mmio_barrier();
    mmio_raw_write32(addr, value);
}

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

#endif /* DRIVERS_MMIO_H */
