/*
 * fake_mmio.h - a fake register file for host unit tests of drivers built with -DMMIO_FAKE.
 *
 * Registers behave like RAM by default: a write stores the value, a read returns the stored value (0 if never
 * written). Tests script the hardware's side with one-shot read values (consumed in order, per address) or a read
 * hook, and check the driver's side against the access log, which records every read and write in order.
 */
#ifndef TESTS_UNIT_FAKES_FAKE_MMIO_H
#define TESTS_UNIT_FAKES_FAKE_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_mmio_access {
    bool is_write;
    uintptr_t addr;
    uint32_t value; /* value written, or value the read returned */
};

/* Called for every read that has no queued value; returns what the read sees. stored is the RAM-like value. */
typedef uint32_t (*fake_mmio_read_hook_fn)(uintptr_t addr, uint32_t stored, void *ctx);
/* Called after every write has been stored (e.g. to model write-1-to-clear or self-clearing bits). */
typedef void (*fake_mmio_write_hook_fn)(uintptr_t addr, uint32_t value, void *ctx);

void fake_mmio_reset(void);
void fake_mmio_set(uintptr_t addr, uint32_t value);
uint32_t fake_mmio_get(uintptr_t addr);
void fake_mmio_queue_read(uintptr_t addr, uint32_t value);
void fake_mmio_set_read_hook(fake_mmio_read_hook_fn hook, void *ctx);
void fake_mmio_set_write_hook(fake_mmio_write_hook_fn hook, void *ctx);

size_t fake_mmio_log_count(void);
/* With recycle on, a full access log starts again from empty instead of aborting the test: for tests that run a
 * driver for minutes of fake time and check its effects, not its accesses. Off after fake_mmio_reset(). */
void fake_mmio_set_log_recycle(bool recycle);
const struct fake_mmio_access *fake_mmio_log_at(size_t index);
/* Index of the first logged write to addr at or after index start, or -1. */
long fake_mmio_find_write(uintptr_t addr, size_t start);
/* Number of writes logged to addr. */
size_t fake_mmio_count_writes(uintptr_t addr);
size_t fake_mmio_barrier_count(void);
/* Accesses that broke the BCM2835 ordering rule drivers/mmio.h keeps (BCM2835 ARM Peripherals 1.3): a write with
 * no barrier since the access before it, or an access after a read with no barrier in between. */
size_t fake_mmio_fence_violations(void);

#endif /* TESTS_UNIT_FAKES_FAKE_MMIO_H */
