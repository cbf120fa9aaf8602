#include "fake_dma.h"

#include "drivers/dma.h"
#include "fake_mmio.h"

static size_t cleans;
static size_t invalidates;
static struct fake_dma_call last_clean;
static struct fake_dma_call last_invalidate;

void fake_dma_reset(void)
{
    cleans = 0;
    invalidates = 0;
    last_clean = (struct fake_dma_call){ 0 };
    last_invalidate = (struct fake_dma_call){ 0 };
}

size_t fake_dma_clean_count(void)
{
    return cleans;
}

size_t fake_dma_invalidate_count(void)
{
    return invalidates;
}

struct fake_dma_call fake_dma_last_clean(void)
{
    return last_clean;
}

struct fake_dma_call fake_dma_last_invalidate(void)
{
    return last_invalidate;
}

void dma_cache_clean(const void *addr, size_t len)
{
    cleans++;
    last_clean = (struct fake_dma_call){ addr, len, fake_mmio_log_count() };
}

void dma_cache_invalidate(void *addr, size_t len)
{
    invalidates++;
    last_invalidate = (struct fake_dma_call){ addr, len, fake_mmio_log_count() };
}
