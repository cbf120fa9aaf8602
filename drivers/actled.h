/*
 * actled.h - the board's activity (ACT) LED, as a status light: steady blinking says "running", a burst of
 * three says "configuration error".
 *
 * The LED is either on a SoC GPIO pin (most models; some wired active low) or on the GPU firmware's GPIO
 * expander (Pi 3 Model B), reached through the mailbox. This module knows no board: the board looks the wiring
 * up in its model table and calls one of the init functions; without one, every call is a harmless no-op error.
 *
 * Rules: main loop only (the firmware path waits for the mailbox). actled_pattern_step() is cheap when nothing
 * changes and touches the hardware only at the pattern's edges, so the main loop calls it on every pass.
 */
#ifndef DRIVERS_ACTLED_H
#define DRIVERS_ACTLED_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

/* Error codes, returned negated. */
enum {
    ACTLED_ENOINIT = ERR_BASE_ACTLED + 1, /* no LED configured */
    ACTLED_EGPIO,                         /* the GPIO driver refused the pin (bad pin, or GPIO not initialised) */
    ACTLED_EFIRMWARE,                     /* the mailbox call to the firmware failed */
};

enum actled_pattern {
    ACTLED_OFF,
    ACTLED_SOLID_ON,
    ACTLED_HEARTBEAT,    /* slow even blink: running normally */
    ACTLED_CONFIG_ERROR, /* three quick blinks, then a pause: the configuration is unusable */
    ACTLED_MAIL_WAITING, /* lit, with a short dark gap each second: mail is waiting to be delivered */
};

/* Pattern timing. The heartbeat is slow enough not to be mistaken for SD card activity; the error burst is quick
 * and counted, so it reads as a code rather than a blink rate. */
#ifndef ACTLED_HEARTBEAT_PERIOD_US
#define ACTLED_HEARTBEAT_PERIOD_US 2000000u /* on for half, off for half */
#endif
#ifndef ACTLED_ERROR_BLINK_US
#define ACTLED_ERROR_BLINK_US 150000u /* each quick blink is on this long, then off as long */
#endif
#ifndef ACTLED_ERROR_PERIOD_US
#define ACTLED_ERROR_PERIOD_US 2000000u /* the burst repeats this often; the rest is the pause */
#endif
#define ACTLED_ERROR_BLINKS 3u
/* Mail waiting reads as "on" from across a room, unlike the heartbeat's even blink; the gap shows it is alive. */
#ifndef ACTLED_WAITING_PERIOD_US
#define ACTLED_WAITING_PERIOD_US 1000000u
#endif
#ifndef ACTLED_WAITING_GAP_US
#define ACTLED_WAITING_GAP_US 150000u /* dark at the end of each period */
#endif

/* LED on SoC GPIO pin, lit by a high level, or by a low one when active_low. Makes the pin an output and turns
 * the LED off. Returns 0 or -ACTLED_EGPIO (nothing configured then). Requires gpio_init(). */
int actled_init_gpio(unsigned pin, bool active_low);

/* LED on the firmware's GPIO fw_gpio (e.g. 130 on the Pi 3 Model B), lit by "on". Turns the LED off. Returns 0
 * or -ACTLED_EFIRMWARE (the LED stays configured, for actled_set() to try again). Requires mbox_init(). */
int actled_init_firmware(uint32_t fw_gpio);

/* Lights (on) or darkens the LED. Returns 0, -ACTLED_ENOINIT, -ACTLED_EGPIO or -ACTLED_EFIRMWARE; on failure
 * the recorded state is unchanged. */
int actled_set(bool on);

/* Inverts the LED. Returns what actled_set() returns. */
int actled_toggle(void);

/* Drives the LED as pattern p says it should look at time now_us (systimer microseconds), changing it only when
 * that differs from its current state. A failing LED is given up on, so a dead mailbox cannot stall every pass
 * of the main loop; a new init call takes it back. */
void actled_pattern_step(uint64_t now_us, enum actled_pattern p);

/* Whether pattern p has the LED lit at time now_us. Pure. */
bool actled_pattern_lit(uint64_t now_us, enum actled_pattern p);

/* The first time after now_us at which pattern p changes the LED (the next actled_pattern_step() with something to
 * do), for a main loop that sleeps until then; UINT64_MAX for a steady pattern, or when there is no LED to drive. */
uint64_t actled_pattern_next_change(uint64_t now_us, enum actled_pattern p);

const char *actled_strerror(int err);

#endif /* DRIVERS_ACTLED_H */
