/*
 * Cache maintenance for ARM1176 (ARMv6) and Cortex-A7 (ARMv7). ARMv6 has whole-cache operations; ARMv7 must walk
 * the data cache by set and way, with the geometry read from CLIDR/CCSIDR.
 */
#include "board/common/cache.h"

#include <stdint.h>

#include "drivers/dma.h"

void cache_dsb(void)
{
#if __ARM_ARCH >= 7
    __asm__ volatile("dsb" ::: "memory");
#else
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 4" ::"r"(0) : "memory");
#endif
}

void cache_isb(void)
{
#if __ARM_ARCH >= 7
    __asm__ volatile("isb" ::: "memory");
#else
    __asm__ volatile("mcr p15, 0, %0, c7, c5, 4" ::"r"(0) : "memory");
#endif
}

#if __ARM_ARCH >= 7
static uint32_t read_ctr(void)
{
    uint32_t ctr;
    __asm__ volatile("mrc p15, 0, %0, c0, c0, 1" : "=r"(ctr));
    return ctr;
}

/* Smallest data cache line in bytes: CTR.DminLine is log2 of the number of words. */
static uint32_t dcache_line_size(void)
{
    return 4u << ((read_ctr() >> 16) & 0xF);
}

#define CLIDR_LOC_SHIFT      24
#define CLIDR_LOC_MASK       0x7u
#define CLIDR_CTYPE_BITS     3
#define CLIDR_CTYPE_DATA_MIN 2 /* cache types 2 (data only) and up have a data cache */
#define CCSIDR_LINE_MASK     0x7u
#define CCSIDR_WAYS_SHIFT    3
#define CCSIDR_WAYS_MASK     0x3FFu
#define CCSIDR_SETS_SHIFT    13
#define CCSIDR_SETS_MASK     0x7FFFu

static void dcache_invalidate_all_v7(void)
{
    uint32_t clidr;
    __asm__ volatile("mrc p15, 1, %0, c0, c0, 1" : "=r"(clidr));
    uint32_t levels = (clidr >> CLIDR_LOC_SHIFT) & CLIDR_LOC_MASK;

    for (uint32_t level = 0; level < levels; level++) {
        uint32_t ctype = (clidr >> (level * CLIDR_CTYPE_BITS)) & 0x7u;
        if (ctype < CLIDR_CTYPE_DATA_MIN) {
            continue;
        }
        uint32_t ccsidr;
        __asm__ volatile("mcr p15, 2, %0, c0, c0, 0" ::"r"(level << 1));
        cache_isb();
        __asm__ volatile("mrc p15, 1, %0, c0, c0, 0" : "=r"(ccsidr));
        uint32_t line_shift = (ccsidr & CCSIDR_LINE_MASK) + 4;
        uint32_t ways = ((ccsidr >> CCSIDR_WAYS_SHIFT) & CCSIDR_WAYS_MASK) + 1;
        uint32_t sets = ((ccsidr >> CCSIDR_SETS_SHIFT) & CCSIDR_SETS_MASK) + 1;
        uint32_t way_shift = (uint32_t)__builtin_clz(ways - 1);
        for (uint32_t way = 0; way < ways; way++) {
            for (uint32_t set = 0; set < sets; set++) {
                uint32_t sw = (ways > 1 ? way << way_shift : 0) | (set << line_shift) | (level << 1);
                __asm__ volatile("mcr p15, 0, %0, c7, c6, 2" ::"r"(sw)); /* DCISW */
            }
        }
    }
    cache_dsb();
}
#else
/* ARM1176 cache lines are 32 bytes. */
static uint32_t dcache_line_size(void)
{
    return 32;
}
#endif

void cache_invalidate_tlb(void)
{
    cache_dsb();
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" ::"r"(0) : "memory"); /* TLBIALL */
    cache_dsb();
    cache_isb();
}

void cache_invalidate_all(void)
{
#if __ARM_ARCH >= 7
    dcache_invalidate_all_v7();
#else
    __asm__ volatile("mcr p15, 0, %0, c7, c6, 0" ::"r"(0) : "memory"); /* invalidate entire data cache */
#endif
    __asm__ volatile("mcr p15, 0, %0, c7, c5, 0" ::"r"(0) : "memory"); /* ICIALLU */
    __asm__ volatile("mcr p15, 0, %0, c7, c5, 6" ::"r"(0) : "memory"); /* BPIALL */
    cache_invalidate_tlb();
}

static void dcache_clean_line(uintptr_t mva)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 1" ::"r"(mva) : "memory"); /* clean D line by MVA to PoC */
}

static void dcache_invalidate_line(uintptr_t mva)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c6, 1" ::"r"(mva) : "memory"); /* invalidate D line by MVA to PoC */
}

/* Applies op to every data cache line that overlaps [addr, addr + len), then waits for them all to finish. The
 * operation is a function rather than a parameter of one asm statement: mcr encodes it in the instruction. */
static void dcache_range(uintptr_t addr, size_t len, void (*op)(uintptr_t mva))
{
    uint32_t line = dcache_line_size();
    uintptr_t end = addr + len;
    for (uintptr_t p = addr & ~(uintptr_t)(line - 1); p < end; p += line) {
        op(p);
    }
    cache_dsb();
}

void dma_cache_clean(const void *addr, size_t len)
{
    dcache_range((uintptr_t)addr, len, dcache_clean_line);
}

void dma_cache_invalidate(void *addr, size_t len)
{
    dcache_range((uintptr_t)addr, len, dcache_invalidate_line);
}
