/*
 * cache.h - whole-cache and TLB maintenance for the MMU set-up, and barriers. The range operations that drivers
 * need are in drivers/dma.h (implemented in cache.c too). Called with interrupts masked, from boot code only.
 */
#ifndef BOARD_COMMON_CACHE_H
#define BOARD_COMMON_CACHE_H

/* Invalidates the data and instruction caches, branch predictors and TLBs without writing anything back:
 * only valid before the data cache has ever been enabled. */
void cache_invalidate_all(void);
/* Invalidates the whole unified TLB (after a page table change). */
void cache_invalidate_tlb(void);

void cache_dsb(void);
void cache_isb(void);

#endif /* BOARD_COMMON_CACHE_H */
