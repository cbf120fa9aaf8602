#include "fake_mmio.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "drivers/mmio.h"

#define FAKE_MMIO_MAX_REGS   1024
#define FAKE_MMIO_MAX_LOG    65536
#define FAKE_MMIO_MAX_QUEUED 256

struct fake_reg {
    uintptr_t addr;
    uint32_t value;
};

struct fake_queued {
    uintptr_t addr;
    uint32_t value;
    bool used;
};

static struct fake_reg regs[FAKE_MMIO_MAX_REGS];
static size_t reg_count;
static struct fake_mmio_access access_log[FAKE_MMIO_MAX_LOG];
static size_t log_count;
static struct fake_queued queued[FAKE_MMIO_MAX_QUEUED];
static size_t queued_count;
static size_t barriers;
static bool fenced = true; /* a barrier since the last access */
static bool read_unfenced; /* the last access was a read with no barrier after it yet */
static size_t fence_violations;
static bool log_recycle;
static fake_mmio_read_hook_fn read_hook;
static void *read_hook_ctx;
static fake_mmio_write_hook_fn write_hook;
static void *write_hook_ctx;

static struct fake_reg *find_reg(uintptr_t addr, bool create)
{
    for (size_t i = 0; i < reg_count; i++) {
        if (regs[i].addr == addr) {
            return &regs[i];
        }
    }
    if (!create) {
        return NULL;
    }
    if (reg_count == FAKE_MMIO_MAX_REGS) {
        fprintf(stderr, "fake_mmio: more than %d registers touched\n", FAKE_MMIO_MAX_REGS);
        abort();
    }
    regs[reg_count] = (struct fake_reg){ .addr = addr, .value = 0 };
    return &regs[reg_count++];
}

static void log_access(bool is_write, uintptr_t addr, uint32_t value)
{
    if (log_count == FAKE_MMIO_MAX_LOG && log_recycle) {
        log_count = 0;
    }
    if (log_count == FAKE_MMIO_MAX_LOG) {
        fprintf(stderr, "fake_mmio: access log full (a driver loop that never ends?)\n");
        abort();
    }
    access_log[log_count++] = (struct fake_mmio_access){ .is_write = is_write, .addr = addr, .value = value };
}

void fake_mmio_set_log_recycle(bool recycle)
{
    log_recycle = recycle;
}

void fake_mmio_reset(void)
{
    log_recycle = false;
    reg_count = 0;
    log_count = 0;
    queued_count = 0;
    barriers = 0;
    fenced = true;
    read_unfenced = false;
    fence_violations = 0;
    read_hook = NULL;
    write_hook = NULL;
}

void fake_mmio_set(uintptr_t addr, uint32_t value)
{
    find_reg(addr, true)->value = value;
}

uint32_t fake_mmio_get(uintptr_t addr)
{
    const struct fake_reg *reg = find_reg(addr, false);
    return reg ? reg->value : 0;
}

void fake_mmio_queue_read(uintptr_t addr, uint32_t value)
{
    assert(queued_count < FAKE_MMIO_MAX_QUEUED);
    queued[queued_count++] = (struct fake_queued){ .addr = addr, .value = value, .used = false };
}

void fake_mmio_set_read_hook(fake_mmio_read_hook_fn hook, void *ctx)
{
    read_hook = hook;
    read_hook_ctx = ctx;
}

void fake_mmio_set_write_hook(fake_mmio_write_hook_fn hook, void *ctx)
{
    write_hook = hook;
    write_hook_ctx = ctx;
}

/* The BCM2835 rule drivers/mmio.h keeps: a barrier after every read, before every write. */
static void check_fence(bool is_write)
{
    if ((is_write && !fenced) || read_unfenced) {
        fence_violations++;
    }
    fenced = false;
    read_unfenced = !is_write;
}

uint32_t mmio_raw_read32(uintptr_t addr)
{
    check_fence(false);
    uint32_t value;
    size_t i;

    for (i = 0; i < queued_count; i++) {
        if (!queued[i].used && queued[i].addr == addr) {
            break;
        }
    }
    if (i < queued_count) {
        queued[i].used = true;
        value = queued[i].value;
    } else {
        value = fake_mmio_get(addr);
        if (read_hook) {
            value = read_hook(addr, value, read_hook_ctx);
        }
    }
    log_access(false, addr, value);
    return value;
}

void mmio_raw_write32(uintptr_t addr, uint32_t value)
{
    check_fence(true);
    log_access(true, addr, value);
    fake_mmio_set(addr, value);
    if (write_hook) {
        write_hook(addr, value, write_hook_ctx);
    }
}

void mmio_barrier(void)
{
    barriers++;
    fenced = true;
    read_unfenced = false;
}

size_t fake_mmio_fence_violations(void)
{
    return fence_violations;
}

size_t fake_mmio_log_count(void)
{
    return log_count;
}

const struct fake_mmio_access *fake_mmio_log_at(size_t index)
{
    return index < log_count ? &access_log[index] : NULL;
}

long fake_mmio_find_write(uintptr_t addr, size_t start)
{
    for (size_t i = start; i < log_count; i++) {
        if (access_log[i].is_write && access_log[i].addr == addr) {
            return (long)i;
        }
    }
    return -1;
}

size_t fake_mmio_count_writes(uintptr_t addr)
{
    size_t n = 0;
    for (size_t i = 0; i < log_count; i++) {
        n += access_log[i].is_write && access_log[i].addr == addr;
    }
    return n;
}

size_t fake_mmio_barrier_count(void)
{
    return barriers;
}
