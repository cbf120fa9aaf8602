/*
 * gpio.h - the BCM2835-family GPIO block (peripheral base + 0x200000): 54 pins, numbered 0..53 as in the
 * datasheet ("BCM numbering"), with function select, pull-up/down, level read/write and edge-detect events.
 *
 * Pins 0..31 are in bank 0 and 32..53 in bank 1 of the set/clear/level/event registers. Setting and clearing a
 * level (GPSET/GPCLR) and clearing an event (GPEDS) are single writes that touch only the pins asked for, so
 * gpio_put(), gpio_event_clear() and gpio_take_events() may be called from any context, an interrupt handler
 * included (each bank's events have one consumer: the board's GPIO interrupt handler). Function
 * select, pull and edge-detect configuration are read-modify-write sequences on registers shared with other pins:
 * main loop or start-up only, never concurrently with each other.
 *
 * Rules: systimer_init() before gpio_set_pull() (it waits on the system timer). Functions return 0 or a negative
 * GPIO_E* code; a pin outside 0..53 is -GPIO_EINVAL and touches nothing.
 */
#ifndef DRIVERS_GPIO_H
#define DRIVERS_GPIO_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"

#define GPIO_PIN_COUNT     54u
#define GPIO_BANK_COUNT    2u
#define GPIO_PINS_PER_BANK 32u

/* Error codes, returned negated. */
enum {
    GPIO_EINVAL = ERR_BASE_GPIO + 1, /* pin outside 0..53, unknown function or pull, or a zero base */
    GPIO_ENOINIT,                    /* gpio_init() has not been called */
};

/* Function select values, as the 3-bit GPFSEL fields encode them (BCM2835 ARM Peripherals, section 6.1). */
enum gpio_function {
    GPIO_FUNC_INPUT = 0,
    GPIO_FUNC_OUTPUT = 1,
    GPIO_FUNC_ALT5 = 2,
    GPIO_FUNC_ALT4 = 3,
    GPIO_FUNC_ALT0 = 4,
    GPIO_FUNC_ALT1 = 5,
    GPIO_FUNC_ALT2 = 6,
    GPIO_FUNC_ALT3 = 7,
};

/* Pull control values, as GPPUD encodes them. */
enum gpio_pull {
    GPIO_PULL_NONE = 0,
    GPIO_PULL_DOWN = 1,
    GPIO_PULL_UP = 2,
};

/* How long the pull control and then the pull clock are held: the datasheet asks for 150 cycles without naming
 * the clock. Even at the slowest clock in the chip, the 19.2 MHz crystal, that is under 8 us; 10 us has margin
 * and costs nothing, since pulls are set at start-up. */
#ifndef GPIO_PULL_SETTLE_US
#define GPIO_PULL_SETTLE_US 10u
#endif

/* base: the GPIO block (peripheral base + 0x200000), supplied by the board. Returns 0 or -GPIO_EINVAL. */
int gpio_init(uintptr_t base);

/* Selects what drives or reads the pin. Other pins in the same GPFSEL register keep their functions. */
int gpio_set_function(unsigned pin, enum gpio_function fn);

/* Sets the pin's pull-up/down through the GPPUD + GPPUDCLK sequence; the setting survives until changed or the
 * power is cut. Busy-waits about 2 * GPIO_PULL_SETTLE_US. */
int gpio_set_pull(unsigned pin, enum gpio_pull pull);

/* The pin's level: 0 (low) or 1 (high), whatever its function; or a negative GPIO_E* code. */
int gpio_get(unsigned pin);

/* Drives an output pin high or low (GPSET/GPCLR). On a pin that is not an output it sets the level the pin will
 * drive once it becomes one, so callers can choose the level before switching the function. */
int gpio_put(unsigned pin, bool high);

/* Enables (or disables) synchronous rising and falling edge detection for the pin (GPREN/GPFEN). The block
 * samples the pin with the system clock and looks for "011" (rising) or "100" (falling) in the samples, so
 * glitches shorter than two clock cycles are filtered (BCM2835 ARM Peripherals, section 6.1, GPRENn/GPFENn); with
 * both enabled every transition sets the pin's event. Events seen before the call may already be pending: callers
 * that care clear them with gpio_event_clear() after enabling. */
int gpio_set_edge_detect(unsigned pin, bool rising, bool falling);

/* True when an enabled edge was seen on the pin since its event was last cleared. False for invalid pins and
 * before gpio_init(). */
bool gpio_event_pending(unsigned pin);

/* Clears the pin's pending event (GPEDS is write-1-to-clear; other pins' events stay pending). Does nothing for
 * invalid pins or before gpio_init(). */
void gpio_event_clear(unsigned pin);

/* Takes a bank's pending events for an interrupt handler: reads GPEDS, clears exactly the events it read
 * (write-1-to-clear, so an edge after the read stays pending and raises the interrupt again), then reads GPLEV into
 * *levels. The level is read after the clear on purpose: an edge between the two reads is then either still
 * pending or already in *levels, so the last level seen is never stale. Returns the events taken (bit n: pin
 * 32 * bank + n), 0 for a bank outside 0..1 or before gpio_init() (with *levels 0). */
uint32_t gpio_take_events(unsigned bank, uint32_t *levels);

const char *gpio_strerror(int err);

#endif /* DRIVERS_GPIO_H */
