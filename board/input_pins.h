/*
 * input_pins.h - the board-independent half of board.h's input interface: which pins are legal, each watched pin's
 * record of changes (a small ring with the overflow merge board.h describes), and simulated levels. It implements
 * the board_input_* functions for every board; a board plugs in what only it knows through struct input_pins_port:
 * its header, whether its pins are simulated, how to set up and read a real pin, and how to keep its interrupt
 * handler out while the main loop touches a ring.
 *
 * Contexts: input_pins_edge() is for the board's GPIO interrupt handler (it only ever runs with the main loop's
 * side excluded by the port's lock); everything else is main loop. The port struct is kept by reference.
 */
#ifndef BOARD_INPUT_PINS_H
#define BOARD_INPUT_PINS_H

#include <stdbool.h>
#include <stdint.h>

#include "board/board.h"
#include "board/pi_header.h"

struct input_pins_port {
    enum pi_header header;
    /* Levels come from board_input_simulate(), not from the pins: the native board, and a Pi under QEMU. */
    bool simulated;
    /* The hardware, NULL where there is none (native). configure: function, pull and both edge detectors, then
     * the board's GPIO interrupt; returns 0 or a negative code. sync: clears the pin's pending event and returns
     * its level (called with the lock held, so an edge after it raises a new event). level: the level now. */
    int (*configure)(unsigned gpio, enum board_pull pull);
    int (*sync)(unsigned gpio);
    int (*level)(unsigned gpio);
    /* Keeps the interrupt handler out (returns what unlock needs to restore); NULL where there is none. */
    uint32_t (*lock)(void);
    void (*unlock)(uint32_t saved);
};

/* Forgets every pin's state and uses port from now on. Called once by the board's init (before any board_input_*
 * call), and by tests. */
void input_pins_init(const struct input_pins_port *port);

/* The board's GPIO interrupt handler saw gpio's edge detector fire at `at`, and read `level` after clearing the
 * event. A level different from the last one recorded is one change; the same level means the pin went and came
 * back before the handler could look (a pulse shorter than the interrupt latency), recorded as two changes at
 * `at`. Pins that are not watched are ignored. Interrupt context (or with the lock held). */
void input_pins_edge(unsigned gpio, uint64_t at, int level);

#endif /* BOARD_INPUT_PINS_H */
