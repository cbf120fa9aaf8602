#include "drivers/actled.h"

#include "drivers/gpio.h"
#include "drivers/mbox.h"

_Static_assert(2u * ACTLED_ERROR_BLINKS * ACTLED_ERROR_BLINK_US < ACTLED_ERROR_PERIOD_US,
               "the error burst must leave a pause before it repeats");

enum actled_wiring {
    ACTLED_WIRING_NONE,
    ACTLED_WIRING_GPIO,
    ACTLED_WIRING_FIRMWARE,
};

static enum actled_wiring led_wiring;
static unsigned led_pin; /* SoC pin, or the firmware's GPIO number */
static bool led_active_low;
static bool led_on;
static bool led_given_up; /* pattern_step stops driving an LED whose backend failed */

static int actled_drive(bool on)
{
    switch (led_wiring) {
    case ACTLED_WIRING_GPIO: return gpio_put(led_pin, on != led_active_low) == 0 ? 0 : -ACTLED_EGPIO;
    case ACTLED_WIRING_FIRMWARE: return mbox_set_gpio_state(led_pin, on) == 0 ? 0 : -ACTLED_EFIRMWARE;
    case ACTLED_WIRING_NONE:
    default: return -ACTLED_ENOINIT;
    }
}

int actled_init_gpio(unsigned pin, bool active_low)
{
    led_wiring = ACTLED_WIRING_NONE;
    /* The off level goes into the output latch before the pin becomes an output, so the LED never flashes. */
    if (gpio_put(pin, active_low) != 0 || gpio_set_function(pin, GPIO_FUNC_OUTPUT) != 0) {
        return -ACTLED_EGPIO;
    }
    led_wiring = ACTLED_WIRING_GPIO;
    led_pin = pin;
    led_active_low = active_low;
    led_on = false;
    led_given_up = false;
    return 0;
}

int actled_init_firmware(uint32_t fw_gpio)
{
    led_wiring = ACTLED_WIRING_FIRMWARE;
    led_pin = fw_gpio;
    led_active_low = false;
    led_on = false;
    led_given_up = false;
    return actled_drive(false);
}

int actled_set(bool on)
{
    int err = actled_drive(on);
    if (err == 0) {
        led_on = on;
    }
    return err;
}

int actled_toggle(void)
{
    return actled_set(!led_on);
}

bool actled_pattern_lit(uint64_t now_us, enum actled_pattern p)
{
    switch (p) {
    case ACTLED_SOLID_ON: return true;
    case ACTLED_HEARTBEAT: return now_us % ACTLED_HEARTBEAT_PERIOD_US < ACTLED_HEARTBEAT_PERIOD_US / 2u;
    case ACTLED_CONFIG_ERROR: {
        uint64_t phase = now_us % ACTLED_ERROR_PERIOD_US;
        if (phase >= 2u * ACTLED_ERROR_BLINKS * ACTLED_ERROR_BLINK_US) {
            return false;
        }
        return (phase / ACTLED_ERROR_BLINK_US) % 2u == 0;
    }
    case ACTLED_MAIL_WAITING:
        return now_us % ACTLED_WAITING_PERIOD_US < ACTLED_WAITING_PERIOD_US - ACTLED_WAITING_GAP_US;
    case ACTLED_OFF:
    default: return false;
    }
}

uint64_t actled_pattern_next_change(uint64_t now_us, enum actled_pattern p)
{
    if (led_wiring == ACTLED_WIRING_NONE || led_given_up) {
        return UINT64_MAX;
    }
    switch (p) {
    case ACTLED_HEARTBEAT: {
        uint64_t phase = now_us % ACTLED_HEARTBEAT_PERIOD_US;
        return now_us - phase +
               (phase < ACTLED_HEARTBEAT_PERIOD_US / 2u ? ACTLED_HEARTBEAT_PERIOD_US / 2u : ACTLED_HEARTBEAT_PERIOD_US);
    }
    case ACTLED_CONFIG_ERROR: {
        /* The last blink's dark half runs on into the pause: the next change is the next burst. */
        uint64_t phase = now_us % ACTLED_ERROR_PERIOD_US;
        uint64_t edge = (phase / ACTLED_ERROR_BLINK_US + 1u) * ACTLED_ERROR_BLINK_US;
        if (edge >= 2u * ACTLED_ERROR_BLINKS * ACTLED_ERROR_BLINK_US) {
            return now_us - phase + ACTLED_ERROR_PERIOD_US;
        }
        return now_us - phase + edge;
    }
    case ACTLED_MAIL_WAITING: {
        uint64_t phase = now_us % ACTLED_WAITING_PERIOD_US;
        uint64_t dark = ACTLED_WAITING_PERIOD_US - ACTLED_WAITING_GAP_US;
        return now_us - phase + (phase < dark ? dark : ACTLED_WAITING_PERIOD_US);
    }
    case ACTLED_SOLID_ON:
    case ACTLED_OFF:
    default: return UINT64_MAX;
    }
}

void actled_pattern_step(uint64_t now_us, enum actled_pattern p)
{
    if (led_wiring == ACTLED_WIRING_NONE || led_given_up) {
        return;
    }
    bool lit = actled_pattern_lit(now_us, p);
    if (lit != led_on && actled_set(lit) != 0) {
        led_given_up = true;
    }
}

const char *actled_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case ACTLED_ENOINIT: return "no activity LED configured";
    case ACTLED_EGPIO: return "activity LED pin refused by the GPIO driver";
    case ACTLED_EFIRMWARE: return "firmware did not switch the activity LED";
    default: return "unknown activity LED error";
    }
}
