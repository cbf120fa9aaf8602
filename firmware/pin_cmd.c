/*
 * The `pin` console command:
 *   pin N            GPIO N's level, its header pin, and the alert that watches it (from the configuration)
 *   pin N low|high   sets GPIO N's simulated level (native board, QEMU); refused on real hardware
 */
#include "firmware/pin_cmd.h"

#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "config/config.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "lib/units.h"

/* Larger than any BCM GPIO number, so that "pin 60" is answered by the board's reason, not by a usage line. */
#define PIN_GPIO_ARG_MAX 999u

static const char *level_name(int level)
{
    return level ? "high" : "low";
}

/* "GPIO 17 (header pin 11)", or "GPIO 17" when no header carries it. */
static void print_pin(unsigned gpio)
{
    unsigned header_pin = board_input_header_pin(gpio);
    if (header_pin != 0) {
        printf("GPIO %u (header pin %u)", gpio, header_pin);
    } else {
        printf("GPIO %u", gpio);
    }
}

static const char *watching_alert(unsigned gpio)
{
    const struct config *cfg = config_load_current();
    for (unsigned i = 0; cfg != NULL && i < cfg->alert_count; i++) {
        if (cfg->alerts[i].gpio == gpio) {
            return cfg->alerts[i].name;
        }
    }
    return NULL;
}

static int pin_usage(void)
{
    printf("usage: pin N [low|high]   (N: BCM GPIO number, e.g. 17)\n");
    return CONSOLE_ERR_USAGE;
}

static int pin_run(int argc, char **argv)
{
    unsigned gpio;
    if (argc < 2 || argc > 3 || !console_parse_number(argv[1], PIN_GPIO_ARG_MAX, &gpio)) {
        return pin_usage();
    }
    int level = -1;
    if (argc == 3) {
        if (strcmp(argv[2], "low") == 0) {
            level = 0;
        } else if (strcmp(argv[2], "high") == 0) {
            level = 1;
        } else {
            return pin_usage();
        }
    }
    const char *why = board_input_check(gpio);
    if (why != NULL) {
        printf("pin: GPIO %u cannot be watched: %s\n", gpio, why);
        return BOARD_ERR_INPUT_PIN;
    }
    if (level >= 0) {
        int err = board_input_simulate(gpio, level);
        if (err == BOARD_ERR_NOT_SIMULATED) {
            printf("pin: refused on real hardware: %s; GPIO %u follows what is wired to it\n", board_strerror(err),
                   gpio);
            return err;
        }
        if (err != 0) {
            printf("pin: %s\n", board_strerror(err));
            return err;
        }
    }
    int now = board_input_level(gpio);
    if (now < 0) {
        printf("pin: %s\n", board_strerror(now));
        return now;
    }
    const char *alert = watching_alert(gpio);
    print_pin(gpio);
    printf(": %s%s", level_name(now), level >= 0 ? " (simulated)" : "");
    if (alert != NULL) {
        printf("; watched by alert '%s'\n", alert);
    } else {
        printf("; no alert watches it\n");
    }
    return 0;
}

/* clang-format off */
static const struct console_cmd pin_cmds[] = {
    { "pin", "N [low|high]",
      "GPIO N's level and the alert watching it; low/high simulate an input (native board and QEMU only)", pin_run },
};
/* clang-format on */

int pin_cmd_register(void)
{
    return console_register(pin_cmds, ARRAY_SIZE(pin_cmds));
}
