#include "drivers/intc.h"

#include <stdbool.h>
#include <stddef.h>

#include "drivers/mmio.h"

/* BCM2835 ARM interrupt controller (ARM Peripherals, section 7.5), offsets from peripheral base + 0xB200. */
/* clang-format off */
#define INTC_BASIC_PENDING 0x00
#define   INTC_BASIC_PENDING_ARM_MASK 0xFFu /* bits 0..7: the basic interrupts themselves */
#define INTC_PENDING1      0x04
#define INTC_PENDING2      0x08
#define INTC_FIQ_CONTROL   0x0C
#define INTC_ENABLE1       0x10
#define INTC_ENABLE2       0x14
#define INTC_ENABLE_BASIC  0x18
#define INTC_DISABLE1      0x1C
#define INTC_DISABLE2      0x20
#define INTC_DISABLE_BASIC 0x24

/* BCM2836 local peripherals (QA7 rev 3.4, section 4.2). */
#define LOCAL_GPU_ROUTING  0x0C
#define   LOCAL_GPU_ROUTING_IRQ_CORE_MASK (3u << 0) /* core that gets the GPU IRQ */
#define   LOCAL_GPU_ROUTING_FIQ_CORE_MASK (3u << 2) /* core that gets the GPU FIQ */
#define   LOCAL_GPU_ROUTING_CORE0 0u

#define INTC_BANK_BITS 32u
#define INTC_BANKS     3u /* GPU bank 1, GPU bank 2, basic */
/* clang-format on */

struct intc_line {
    intc_handler_fn fn;
    void *arg;
};

static uintptr_t intc_base;
static struct intc_line intc_lines[INTC_IRQ_COUNT];
/* One flag per line rather than a bit mask: the main loop enabling one line and the IRQ handler disabling another
 * then never race on a shared read-modify-write. */
static volatile bool intc_enabled[INTC_IRQ_COUNT];
static volatile uint32_t intc_unhandled;
static volatile int intc_unhandled_last = -1;

static const uint16_t intc_enable_reg[INTC_BANKS] = { INTC_ENABLE1, INTC_ENABLE2, INTC_ENABLE_BASIC };
static const uint16_t intc_disable_reg[INTC_BANKS] = { INTC_DISABLE1, INTC_DISABLE2, INTC_DISABLE_BASIC };

int intc_init(uintptr_t armctrl_base, uintptr_t local_base)
{
    if (armctrl_base == 0) {
        return -INTC_EINVAL;
    }
    intc_base = armctrl_base;
    for (unsigned irq = 0; irq < INTC_IRQ_COUNT; irq++) {
        intc_lines[irq] = (struct intc_line){ NULL, NULL };
        intc_enabled[irq] = false;
    }
    intc_unhandled = 0;
    intc_unhandled_last = -1;

    /* The enable registers are write-1-to-set and the disable registers write-1-to-clear: all ones masks every line,
     * whatever the boot loader left enabled. */
    for (unsigned bank = 0; bank < INTC_BANKS; bank++) {
        mmio_write32(intc_base + intc_disable_reg[bank], UINT32_MAX);
    }
    mmio_write32(intc_base + INTC_FIQ_CONTROL, 0);

    if (local_base != 0) {
        mmio_barrier();
        mmio_write_masked(local_base + LOCAL_GPU_ROUTING, LOCAL_GPU_ROUTING_CORE0,
                          LOCAL_GPU_ROUTING_IRQ_CORE_MASK | LOCAL_GPU_ROUTING_FIQ_CORE_MASK);
        mmio_barrier();
    }
    return 0;
}

int intc_connect(unsigned irq, intc_handler_fn fn, void *arg)
{
    if (irq >= INTC_IRQ_COUNT || fn == NULL) {
        return -INTC_EINVAL;
    }
    if (intc_lines[irq].fn != NULL && (intc_lines[irq].fn != fn || intc_lines[irq].arg != arg)) {
        return -INTC_EBUSY;
    }
    intc_lines[irq] = (struct intc_line){ fn, arg };
    return 0;
}

void intc_enable(unsigned irq)
{
    if (irq >= INTC_IRQ_COUNT || intc_base == 0) {
        return;
    }
    intc_enabled[irq] = true;
    mmio_write32(intc_base + intc_enable_reg[irq / INTC_BANK_BITS], 1u << (irq % INTC_BANK_BITS));
}

void intc_disable(unsigned irq)
{
    if (irq >= INTC_IRQ_COUNT || intc_base == 0) {
        return;
    }
    mmio_write32(intc_base + intc_disable_reg[irq / INTC_BANK_BITS], 1u << (irq % INTC_BANK_BITS));
    intc_enabled[irq] = false;
}

void intc_dispatch(void)
{
    uint32_t pending[INTC_BANKS];

    if (intc_base == 0) {
        return;
    }
    mmio_barrier();
    /* Pending 1 and 2 hold every GPU line, including those the basic register also mirrors as shortcuts, so
     * reading all three registers sees each line exactly once. */
    pending[0] = mmio_read32(intc_base + INTC_PENDING1);
    pending[1] = mmio_read32(intc_base + INTC_PENDING2);
    pending[2] = mmio_read32(intc_base + INTC_BASIC_PENDING) & INTC_BASIC_PENDING_ARM_MASK;

    for (unsigned bank = 0; bank < INTC_BANKS; bank++) {
        uint32_t bits = pending[bank];
        while (bits != 0) {
            unsigned bit = (unsigned)__builtin_ctz(bits);
            unsigned irq = bank * INTC_BANK_BITS + bit;
            bits &= bits - 1;
            /* A line we did not enable can still show as pending on some controllers; it is not ours to serve. */
            if (!intc_enabled[irq]) {
                continue;
            }
            if (intc_lines[irq].fn != NULL) {
                intc_lines[irq].fn(intc_lines[irq].arg);
            } else {
                intc_disable(irq);
                intc_unhandled++;
                intc_unhandled_last = (int)irq;
            }
        }
    }
    mmio_barrier();
}

uint32_t intc_unhandled_count(void)
{
    return intc_unhandled;
}

int intc_last_unhandled(void)
{
    return intc_unhandled_last;
}

const char *intc_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case INTC_EINVAL: return "invalid interrupt number, handler or controller";
    case INTC_EBUSY: return "interrupt already has another handler";
    default: return "unknown interrupt controller error";
    }
}
