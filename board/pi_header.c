#include "board/pi_header.h"

#include <stddef.h>
#include <stdint.h>

#include "board/common/bcm283x.h"

/*
 * Header pin -> BCM GPIO, index 0 unused, NC for power and ground pins. Sources: Raspberry Pi documentation,
 * "GPIO and the 40-pin header" (J8); Linux arch/arm/boot/dts/broadcom/bcm2835-rpi-b.dts (Model B rev 1, P1),
 * bcm2835-rpi-b-rev2.dts and bcm2835-rpi-a.dts (rev 2 P1), bcm2835-rpi-b-plus.dts (J8), whose gpio-line-names
 * follow the schematics. The rev 2 Model B's P5 pads (GPIO 28-31) are not a header users wire alarms to and are
 * left out.
 */
#define NC                0xFFu
#define PI_HEADER_40_PINS 40u
#define PI_HEADER_26_PINS 26u

/* clang-format off */
static const uint8_t header_40[PI_HEADER_40_PINS + 1] = {
    NC,
    NC, NC, 2,  NC, 3,  NC, 4,  14, NC, 15, /* pins 1-10 */
    17, 18, 27, NC, 22, 23, NC, 24, 10, NC, /* pins 11-20 */
    9,  25, 11, 8,  NC, 7,  0,  1,  5,  NC, /* pins 21-30 */
    6,  12, 13, NC, 19, 16, 26, 20, NC, 21, /* pins 31-40 */
};
/* clang-format on */

/* Rev 2 P1 is the first 26 pins of J8 (J8 was made to extend it). */
/* clang-format off */
static const uint8_t header_26_rev1[PI_HEADER_26_PINS + 1] = {
    NC,
    NC, NC, 0,  NC, 1,  NC, 4,  14, NC, 15, /* pins 1-10 */
    17, 18, 21, NC, 22, 23, NC, 24, 10, NC, /* pins 11-20 */
    9,  25, 11, 8,  NC, 7,                  /* pins 21-26 */
};
/* clang-format on */

struct header_table {
    const uint8_t *pins; /* indexed by header pin */
    unsigned count;
};

static struct header_table header_table(enum pi_header header)
{
    switch (header) {
    case PI_HEADER_26_REV2: return (struct header_table){ header_40, PI_HEADER_26_PINS };
    case PI_HEADER_26_REV1: return (struct header_table){ header_26_rev1, PI_HEADER_26_PINS };
    case PI_HEADER_40: return (struct header_table){ header_40, PI_HEADER_40_PINS };
    case PI_HEADER_NONE:
    default: return (struct header_table){ header_40, 0 };
    }
}

unsigned pi_header_pin(enum pi_header header, unsigned gpio)
{
    struct header_table t = header_table(header);
    for (unsigned pin = 1; pin <= t.count; pin++) {
        if (t.pins[pin] == gpio) {
            return pin;
        }
    }
    return 0;
}

const char *pi_header_check(enum pi_header header, unsigned gpio)
{
    if (gpio >= PI_HEADER_BCM_GPIO_COUNT) {
        return "it is not a BCM GPIO (they are numbered 0-53)";
    }
    if (header == PI_HEADER_NONE) {
        /* A compute module has no header: its carrier board decides what reaches the outside. baremail keeps to
         * the GPIOs a 40-pin header would carry, which the Compute Module IO boards bring out too. */
        if (gpio >= PI_HEADER_GPIO_LIMIT) {
            return "it is outside GPIO 0-27, the pins baremail watches on a compute module";
        }
    } else if (pi_header_pin(header, gpio) == 0) {
        switch (header) {
        case PI_HEADER_26_REV2:
            return "it is not on this model's 26-pin header (GPIO 2-4, 7-11, 17, 18, 22-25 and 27 are)";
        case PI_HEADER_26_REV1:
            return "it is not on this model's 26-pin header (GPIO 0, 1, 4, 7-11, 17, 18 and 21-25 are)";
        case PI_HEADER_40:
        default: return "it is not on the 40-pin header (GPIO 0-27 are)";
        }
    }
    if (gpio == BCM283X_UART0_TXD_PIN) {
        return header == PI_HEADER_NONE ? "it carries the serial console's TXD"
                                        : "it carries the serial console's TXD (header pin 8)";
    }
    if (gpio == BCM283X_UART0_RXD_PIN) {
        return header == PI_HEADER_NONE ? "it carries the serial console's RXD"
                                        : "it carries the serial console's RXD (header pin 10)";
    }
    return NULL;
}
