/*
 * pi_header.h - which BCM GPIO sits on which pin of a Raspberry Pi's expansion header, and which of them an alert
 * may watch.
 *
 * A fact of the board, kept as one constant table so that everything that must agree uses the same one: the Pi
 * boards (board/common/pi_input.c, for the model the firmware reports), the native board (which stands in for a
 * Pi with the 40-pin header) and tools/smtpconf-check, which refuses on the PC the pins the firmware would refuse
 * at boot. That is why this file lives in board/ and yet is linked by a host tool: it is pure data and lookups,
 * with no libc, no I/O and no hardware, so the checker gets the board's answer without a copy of it in config/
 * (whose parser only checks that a number is a BCM GPIO at all).
 *
 * Legal pins: the GPIOs on the model's header, minus GPIO 14 and 15, which carry the serial console (PL011 TXD and
 * RXD, ALT0) on every model. GPIO 0 and 1 (ID_SD/ID_SC on the 40-pin header, read by the GPU firmware for a HAT's
 * EEPROM before the ARM starts) are free once the firmware has booted, and stay legal.
 *
 * Everything here is constant: callable from any context, an interrupt handler included.
 */
#ifndef BOARD_PI_HEADER_H
#define BOARD_PI_HEADER_H

/* The header a model has (pi_models.c names it per model). */
enum pi_header {
    PI_HEADER_40,      /* J8, 40 pins: A+, B+, Zero and every later model (BCM GPIO 0-27) */
    PI_HEADER_26_REV2, /* P1, 26 pins: Pi 1 Model A and Model B revision 2 */
    PI_HEADER_26_REV1, /* P1, 26 pins: Pi 1 Model B revision 1 (GPIO 0, 1 and 21 where rev 2 has 2, 3 and 27) */
    PI_HEADER_NONE,    /* compute modules: the GPIOs are on the module's edge connector, wired by the carrier */
};

/* Every GPIO any header carries is below this (the 40-pin header's GPIO 0-27). */
#define PI_HEADER_GPIO_LIMIT 28u
/* BCM283x GPIOs are numbered 0-53 (BCM2835 ARM Peripherals, section 6.1). */
#define PI_HEADER_BCM_GPIO_COUNT 54u

/* The physical pin (1-40, or 1-26) that carries gpio on that header; 0 when it is not on it. */
unsigned pi_header_pin(enum pi_header header, unsigned gpio);

/* NULL when an alert may watch gpio on a board with that header, else why not, as a phrase that completes
 * "GPIO 14 cannot be watched: ..." ("it carries the serial console's TXD (header pin 8)"). */
const char *pi_header_check(enum pi_header header, unsigned gpio);

#endif /* BOARD_PI_HEADER_H */
