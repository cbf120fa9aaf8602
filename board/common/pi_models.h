/*
 * pi_models.h - the one table of Raspberry Pi model facts, keyed by the board revision code the GPU firmware
 * reports (mailbox tag 0x00010002): model name, SoC, how the ACT LED is wired, which NIC is on board, whether the
 * firmware gives the PL011 to Bluetooth, and the RAM size.
 *
 * Revision codes come in two styles (Raspberry Pi documentation, "Revision codes"): old-style sequential codes
 * 0x0002..0x0015 for the first Pi 1 boards, with bit 24 set when the warranty is void (over-volting), and
 * new-style codes with bit 23 set, made of fields: memory size in bits 20..22, processor in bits 12..15 and board
 * type in bits 4..11. Only models this firmware can run on (32-bit kernel.img / kernel7.img with BCM2835..7
 * peripherals) are listed; anything else is the "unknown" entry.
 *
 * LED wiring is taken from the Linux device trees of each model (led_act / act_led): a pin on the SoC's GPIO, or a
 * line of the firmware's GPIO expander, numbered as the mailbox's GPIO tags number them (expander line n is
 * 128 + n).
 *
 * The expansion header (board/pi_header.h): the Pi 1 Model A and B have the 26-pin P1, whose pins 3, 5 and 13 carry
 * GPIO 0, 1 and 21 on the Model B revision 1 (old-style codes 0x0002 and 0x0003) and GPIO 2, 3 and 27 from
 * revision 2 on (Raspberry Pi documentation, "Revision codes"; Linux bcm2835-rpi-b.dts and bcm2835-rpi-b-rev2.dts).
 * The A+, B+, Zero and every later model have the 40-pin J8; compute modules have none. An unknown model is taken
 * to have J8, as every Pi since 2014 has.
 *
 * Everything here is constant data: callable from anywhere, at any time.
 */
#ifndef BOARD_COMMON_PI_MODELS_H
#define BOARD_COMMON_PI_MODELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/pi_header.h"

enum pi_led_kind {
    PI_LED_NONE,     /* no ACT LED the firmware can drive (compute modules: it is on the carrier board) */
    PI_LED_GPIO,     /* a SoC GPIO pin */
    PI_LED_FIRMWARE, /* a line of the GPU firmware's GPIO expander, set through the mailbox */
};

struct pi_led {
    enum pi_led_kind kind;
    uint32_t pin;    /* SoC GPIO number, or the firmware's GPIO number */
    bool active_low; /* lit by a low level */
};

enum pi_nic {
    PI_NIC_NONE,
    PI_NIC_SMSC951X, /* SMSC LAN9512/LAN9514 USB hub + 10/100 Ethernet */
    PI_NIC_LAN78XX,  /* Microchip LAN7515 (LAN7800 family) USB hub + gigabit Ethernet */
};

struct pi_model {
    const char *name; /* "Raspberry Pi 2 Model B"; "Unknown Raspberry Pi" for the fallback */
    const char *soc;  /* "BCM2835", "BCM2836", "BCM2837", "BCM2837B0", "RP3A0"; "unknown" for the fallback */
    struct pi_led led;
    enum pi_nic nic;
    bool has_bluetooth; /* the firmware routes the PL011 to the Bluetooth chip; the board must take it back */
    enum pi_header header;
    bool known; /* false only for the fallback entry: the caller should print the revision code */
};

/* The model for a revision code. Never NULL: unknown codes (and 0, when the firmware did not answer) give a
 * static entry with known == false and no LED, NIC or Bluetooth. */
const struct pi_model *pi_model_lookup(uint32_t revision);

/* Most pins pi_model_stray_pins() reports. */
#define PI_MODEL_STRAY_PINS_MAX 8u

/* GPIO pins an earlier boot stage may have left routed to a peripheral baremail does not drive, to be set back to
 * plain inputs: on models with the WLAN/Bluetooth combo chip, the Bluetooth UART's pins (the firmware gives them the
 * PL011) and the WLAN's SDIO lines, GPIO 34-39, whose ALT3 connects them to the same Arasan host the SD card uses
 * on GPIO 48-53 (Linux's Pi 3 and Zero W device trees give the Arasan to the WLAN there, pin group emmc_gpio34).
 * Fills pins (room for max) and returns the count. */
size_t pi_model_stray_pins(const struct pi_model *m, unsigned *pins, size_t max);

/* RAM on the board in MiB as the revision code states it, or 0 when the code does not say. (Old-style code
 * 0x0015 was made with 256 and 512 MiB; it reports 256.) The firmware's ARM memory figure is what to use for
 * the heap: the GPU takes its share off the top. */
uint32_t pi_model_ram_mb(uint32_t revision);

#endif /* BOARD_COMMON_PI_MODELS_H */
