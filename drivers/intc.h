/*
 * intc.h - the BCM2835 ARM interrupt controller (peripheral base + 0xB200) and, on BCM2836/BCM2837, the per-core
 * local interrupt controller (0x40000000) that forwards the GPU interrupts to one core.
 *
 * IRQ numbers: 0..63 are the GPU peripheral interrupts (bank 1: 0..31, bank 2: 32..63, as in the BCM2835 ARM
 * Peripherals datasheet, section 7.5); 64..71 are the "basic" ARM-side interrupts (ARM timer, ARM mailbox,
 * doorbells, GPU halted, illegal access).
 *
 * Rules: intc_init() runs once with interrupts masked at the CPU; intc_connect() before intc_enable() for the same
 * line. intc_dispatch() is called only from the IRQ exception handler, and handlers run in IRQ context (short,
 * no blocking). A line that is pending and enabled but has no handler is disabled and counted, so a forgotten
 * handler can never cause an interrupt storm. intc_enable()/intc_disable() may be called from any context.
 */
#ifndef DRIVERS_INTC_H
#define DRIVERS_INTC_H

#include <stdint.h>

#include "lib/err.h"

/* GPU interrupts the firmware uses. */
#define INTC_IRQ_SYSTIMER1 1 /* system timer compare 1 (0 and 2 belong to the VideoCore) */
#define INTC_IRQ_SYSTIMER3 3 /* system timer compare 3 */
/* DWC2 USB controller: GPU IRQ 9, which the datasheet's table in 7.5 leaves out; Linux bcm283x.dtsi gives the usb
 * node `interrupts = <1 9>` (bank 1, bit 9) and QEMU's bcm2835_peripherals.c wires its DWC2 to INTERRUPT_USB (9). */
#define INTC_IRQ_USB   9
#define INTC_IRQ_GPIO0 49 /* GPIO bank 0 events */
#define INTC_IRQ_GPIO1 50 /* GPIO bank 1 events */
#define INTC_IRQ_GPIO2 51
#define INTC_IRQ_GPIO3 52 /* any GPIO bank */
#define INTC_IRQ_UART  57 /* PL011 UART */

/* Basic ARM-side interrupts: INTC_IRQ_BASIC + bit number in the basic pending register. */
#define INTC_IRQ_BASIC       64
#define INTC_IRQ_ARM_TIMER   (INTC_IRQ_BASIC + 0)
#define INTC_IRQ_ARM_MAILBOX (INTC_IRQ_BASIC + 1)
#define INTC_IRQ_COUNT       (INTC_IRQ_BASIC + 8)

/* Error codes, returned negated. */
enum {
    INTC_EINVAL = ERR_BASE_INTC + 1, /* IRQ number out of range, no handler, or no controller base */
    INTC_EBUSY,                      /* the line already has a different handler */
};

typedef void (*intc_handler_fn)(void *arg);

/* armctrl_base: peripheral base + 0xB200. local_base: the BCM2836 local controller (0x40000000), or 0 on BCM2835.
 * Disables every line, forgets all handlers and routes GPU interrupts to core 0's IRQ. Returns 0 or -INTC_EINVAL. */
int intc_init(uintptr_t armctrl_base, uintptr_t local_base);

/* Sets the handler for irq; arg is passed back to it. The line stays disabled until intc_enable().
 * Returns 0, -INTC_EINVAL or -INTC_EBUSY (another handler is connected; connecting the same one again is fine). */
int intc_connect(unsigned irq, intc_handler_fn fn, void *arg);

/* Unmasks / masks one line in the controller. Out-of-range numbers are ignored. */
void intc_enable(unsigned irq);
void intc_disable(unsigned irq);

/* Calls the handler of every line that is pending and enabled. IRQ context only. */
void intc_dispatch(void);

/* Number of times a pending enabled line without a handler was found (and disabled) since intc_init(). */
uint32_t intc_unhandled_count(void);

/* The last line disabled for having no handler, or -1 if none. */
int intc_last_unhandled(void);

const char *intc_strerror(int err);

#endif /* DRIVERS_INTC_H */
