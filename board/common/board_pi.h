/*
 * board_pi.h - what the Pi board's own pieces (boot, crash reporter) share with board_pi.c. Not for firmware/.
 */
#ifndef BOARD_COMMON_BOARD_PI_H
#define BOARD_COMMON_BOARD_PI_H

#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "board/common/bootinfo.h"

/* Boot facts that boot_start() gathered before main(). */
struct board_pi_boot {
    uint32_t machine_type; /* r1 from the loader */
    uintptr_t blob;        /* r2 from the loader */
    size_t ram_size;       /* ARM RAM from the firmware, or a fallback */
    int ram_size_err;      /* mbox error when the fallback was used, else 0 */
    struct bootinfo info;
    int bootinfo_err;
};

extern struct board_pi_boot board_pi_boot;

/* Masks IRQs at the CPU and returns the previous CPSR, for board_pi_irq_restore(): keeps an interrupt handler out
 * while the main loop touches what the handler fills. Nests. */
uint32_t board_pi_irq_save(void);
void board_pi_irq_restore(uint32_t saved);

/* Writes straight to the UART, polling; safe from the crash reporter. */
void board_pi_emergency_write(const char *s);

/* Restarts the watchdog's countdown when it runs (real boards). Called on every pass of the main loop
 * (board_idle_until) and between the steps of a USB bring-up, whose bounded waits can add up past the timeout
 * (board_net.c). */
void board_pi_watchdog_feed(void);

/* An interrupt handler brought work for the main loop (a GPIO edge recorded): the next board_idle_until() does not
 * wait for another interrupt, because the pass running now may have looked before this one came. Interrupt
 * context. */
void board_pi_irq_work(void);

/* From now on the DWC2 core's interrupt wakes board_idle_until() (see usb_irq in board_pi.c). Called once dwc2_init()
 * has run: before it, the core's interrupt state is whatever the GPU firmware left, and a line it left raised
 * would end every sleep at once. Main loop only. */
void board_pi_usb_wake_enable(void);

/* Records the cause, drains the console and resets through the watchdog. */
void board_pi_reset(enum board_reset_cause cause, const char *detail) __attribute__((noreturn));

#endif /* BOARD_COMMON_BOARD_PI_H */
