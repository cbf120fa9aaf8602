/*
 * pi_input.h - the Raspberry Pi's GPIO inputs behind board.h's input interface (board/input_pins.c does the
 * board-independent part): a watched pin is an input with its pull, both synchronous edge detectors on, and the
 * GPIO bank 0 interrupt, whose handler timestamps each edge with the system timer as it happens.
 *
 * Why the synchronous detectors (GPREN/GPFEN) and not the asynchronous ones (GPAREN/GPAFEN): BCM2835 ARM
 * Peripherals section 6.1 says the synchronous ones sample the pin with the system clock and look for "011" or
 * "100", which suppresses glitches, while the asynchronous ones catch edges "of very short duration" because they
 * do not sample. Anything an alarm wires up (a contact, a sensor's output) holds a level for microseconds at the
 * very least, hundreds of system clock cycles, so the synchronous detector sees every real edge, and it does not
 * turn nanosecond spikes picked up by a long cable into events. Linux's pinctrl-bcm2835 uses GPREN/GPFEN for edge
 * interrupts too.
 *
 * Every pin any header carries is GPIO 0-27, in bank 0, whose events raise GPU interrupt 49 (gpio_int[0] in the
 * IRQ table of section 7.5; Linux bcm283x.dtsi: bank 0 on interrupt <2 17>). The handler takes the bank's
 * events with gpio_take_events() (events read, cleared, then the levels) and hands them to input_pins_edge().
 *
 * Rules: pi_input_init() once, from board_init(), after intc_init() and gpio_init(), with the model's header
 * known; the handler runs in IRQ context; the main loop's side masks IRQs at the CPU while it touches a ring.
 */
#ifndef BOARD_COMMON_PI_INPUT_H
#define BOARD_COMMON_PI_INPUT_H

#include <stdbool.h>

#include "board/pi_header.h"

/* header: the model's (pi_models.h); emulated: under QEMU, whose GPIO model has no inputs, so levels are
 * simulated (board_input_simulate) while the registers are still set up as on hardware. Returns 0 or the
 * interrupt controller's negative code. */
int pi_input_init(enum pi_header header, bool emulated);

#endif /* BOARD_COMMON_PI_INPUT_H */
