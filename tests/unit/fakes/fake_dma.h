/*
 * fake_dma.h - cache maintenance for host tests: implements drivers/dma.h as no-ops that record each call, with
 * the fake register file's log position at that moment, so tests can check a buffer was cleaned before the device
 * was told about it and invalidated after the device answered.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_DMA_H
#define TESTS_UNIT_FAKES_FAKE_DMA_H

#include <stddef.h>

struct fake_dma_call {
    const void *addr;
    size_t len;
    size_t mmio_log_index; /* fake_mmio_log_count() when the call was made */
};

void fake_dma_reset(void);
size_t fake_dma_clean_count(void);
size_t fake_dma_invalidate_count(void);
/* The last call of each kind (all zero if none). */
struct fake_dma_call fake_dma_last_clean(void);
struct fake_dma_call fake_dma_last_invalidate(void);

#endif /* TESTS_UNIT_FAKES_FAKE_DMA_H */
