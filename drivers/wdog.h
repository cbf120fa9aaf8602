/*
 * wdog.h - the BCM2835 power manager's watchdog (PM block at peripheral base + 0x100000: RSTC, RSTS, WDOG).
 *
 * It does three jobs: it resets the board when the main loop stops feeding it; it is the only way to reset the
 * SoC on purpose (wdog_reset_now) or to halt it (wdog_halt); and its reset status register (RSTS) tells the next
 * boot whether the last reset came from the watchdog. The timer counts 65536 ticks per second in a 20-bit field,
 * so the longest timeout is just under 16 s; this driver offers whole seconds up to 15, like Linux.
 *
 * Every PM write carries the password 0x5A in bits 31..24 (writes without it are ignored) and keeps the fields it
 * does not mean to change. RSTS also holds the GPU firmware's boot partition in its even bits 0..10; partition
 * 63 (RSTS = 0x555) asks the firmware to halt instead of booting, and QEMU exits (status 0) when reset that way.
 *
 * Caveats: QEMU 7.2/10.0 reset the machine as soon as the watchdog is armed with a full reset and put RSTS back
 * to its power-on value on reset, so on QEMU wdog_start() reboots at once and wdog_last_reset_was_watchdog() is
 * always false: the board keeps its own record of why it reset. On a real Pi the GPU firmware reads RSTS before
 * the ARM starts and may leave it cleared (Raspberry Pi engineers report reading 0 from Linux; the firmware's
 * copy goes to the device tree as /chosen/bootloader/rsts), so a false answer proves nothing either.
 *
 * Rules: wdog_init() once at start-up, before anything writes RSTS. wdog_feed() from the main loop. wdog_reset_now()
 * and wdog_halt() may be called from any context, exception handlers included; they do not wait.
 */
#ifndef DRIVERS_WDOG_H
#define DRIVERS_WDOG_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

/* Longest timeout wdog_start() accepts: the 20-bit tick field holds just under 16 s. */
#define WDOG_MAX_TIMEOUT_MS 15000u

/* Error codes, returned negated. */
enum {
    WDOG_EINVAL = ERR_BASE_WDOG + 1, /* zero base, or a timeout of 0 or above WDOG_MAX_TIMEOUT_MS */
    WDOG_ENOINIT,                    /* wdog_init() has not been called */
};

/* pm_base: the power manager block (peripheral base + 0x100000), supplied by the board. Records RSTS as the
 * reset cause of this boot, before anything can change it. Does not stop a watchdog someone else started.
 * Returns 0 or -WDOG_EINVAL. */
int wdog_init(uintptr_t pm_base);

/* Arms the watchdog to reset the whole SoC (full reset) after timeout_ms unless fed again. Returns 0,
 * -WDOG_EINVAL (timeout 0 or above WDOG_MAX_TIMEOUT_MS; nothing changes) or -WDOG_ENOINIT. */
int wdog_start(uint32_t timeout_ms);

/* Restarts the countdown from the timeout given to wdog_start(). Does nothing while the watchdog is stopped. */
void wdog_feed(void);

/* Disarms the watchdog: the countdown no longer resets anything. */
void wdog_stop(void);

/* Time left before the watchdog fires, as the hardware counts it (0 before wdog_init()). */
uint32_t wdog_remaining_ms(void);

/* Asks for a full reset a few microseconds from now, with boot partition 0 (a normal boot). Returns at once: the
 * caller waits for the reset (with a deadline) and reports if it never comes. */
void wdog_reset_now(void);

/* Sets the boot partition to 63 (halt) and resets as wdog_reset_now() does: a real Pi stops until its power is
 * cycled, QEMU exits with status 0. Returns at once, like wdog_reset_now(). */
void wdog_halt(void);

/* RSTS as wdog_init() found it (0 before wdog_init()). Bit 12 (HADPOR) is a power-on reset; bit 5 (HADWRF) a
 * watchdog full reset; even bits 0..10 are the GPU firmware's partition number, not reset causes. */
uint32_t wdog_reset_status(void);

/* True when wdog_reset_status() shows a watchdog full reset: an expired watchdog, or a deliberate reset through
 * it (wdog_reset_now()), which RSTS cannot tell apart. See the caveats above. */
bool wdog_last_reset_was_watchdog(void);

const char *wdog_strerror(int err);

#endif /* DRIVERS_WDOG_H */
