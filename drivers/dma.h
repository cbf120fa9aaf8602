/*
 * dma.h - cache maintenance for buffers shared with the VideoCore or a DMA master.
 *
 * Drivers call these around a transfer; the board implements them for its CPU (board/common/cache.c) and host
 * tests link no-op versions. The range is widened to whole cache lines, so shared buffers must be aligned to and
 * padded to DMA_CACHE_LINE bytes: nothing else may live in the lines they occupy.
 */
#ifndef DRIVERS_DMA_H
#define DRIVERS_DMA_H

#include <stddef.h>

/* Largest data cache line of the supported CPUs (ARM1176: 32 bytes, Cortex-A7: 64 bytes). */
#define DMA_CACHE_LINE 64

/* Writes dirty lines of [addr, addr+len) to memory, before a device reads the buffer. */
void dma_cache_clean(const void *addr, size_t len);
/* Discards cached lines of [addr, addr+len), before the CPU reads what a device wrote. */
void dma_cache_invalidate(void *addr, size_t len);

#endif /* DRIVERS_DMA_H */
