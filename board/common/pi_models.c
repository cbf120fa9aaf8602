#include "board/common/pi_models.h"

#include <stddef.h>

#include "board/common/bcm283x.h"
#include "lib/units.h"

/* Revision code layout (Raspberry Pi documentation, "Revision codes"). */
#define PI_REV_NEW_STYLE      (1u << 23)
#define PI_REV_OLD_WARRANTY   (1u << 24) /* old-style codes only: set once the board was over-volted */
#define PI_REV_MEM_LSB        20
#define PI_REV_MEM_MASK       0x7u
#define PI_REV_PROCESSOR_LSB  12
#define PI_REV_PROCESSOR_MASK 0xFu
#define PI_REV_TYPE_LSB       4
#define PI_REV_TYPE_MASK      0xFFu

/* New-style memory field: 0 is 256 MiB and each step doubles, up to 6 (16 GiB); 7 is not assigned. */
#define PI_REV_MEM_MAX     6u
#define PI_REV_MEM_BASE_MB 256u

/* New-style processor field values. */
#define PI_PROC_BCM2835 0u
#define PI_PROC_BCM2836 1u
#define PI_PROC_BCM2837 2u

/* New-style board type field values. */
#define PI_TYPE_A        0x00u
#define PI_TYPE_B        0x01u
#define PI_TYPE_A_PLUS   0x02u
#define PI_TYPE_B_PLUS   0x03u
#define PI_TYPE_2B       0x04u
#define PI_TYPE_CM1      0x06u
#define PI_TYPE_3B       0x08u
#define PI_TYPE_ZERO     0x09u
#define PI_TYPE_CM3      0x0Au
#define PI_TYPE_ZERO_W   0x0Cu
#define PI_TYPE_3B_PLUS  0x0Du
#define PI_TYPE_3A_PLUS  0x0Eu
#define PI_TYPE_CM3_PLUS 0x10u
#define PI_TYPE_ZERO_2W  0x12u

/* ACT LED pins. Pi 1 Model A/B: GPIO 16, active low. A+, B+, Pi 2: GPIO 47, active high. Zero, Zero W and
 * Compute Module 1: GPIO 47, active low (the Zero's pin is "STATUS_LED_N" in the firmware's pin names; mainline
 * Linux's Zero tree says active high, the Raspberry Pi kernel's says low). Pi 3 B+/A+: GPIO 29, active high.
 * Zero 2 W: GPIO 29, active low. Pi 3 Model B: line 2 of the firmware's expander, numbered from 128. */
#define PI_LED_PIN_PI1           16u
#define PI_LED_PIN_PLUS          47u
#define PI_LED_PIN_PI3PLUS       29u
#define PI_FW_GPIO_EXPANDER_BASE 128u
#define PI_LED_FW_PI3B           (PI_FW_GPIO_EXPANDER_BASE + 2u)

#define ACTIVE_LOW  true
#define ACTIVE_HIGH false
#define LED_GPIO(pin_, low_)                                     \
    {                                                            \
        .kind = PI_LED_GPIO, .pin = (pin_), .active_low = (low_) \
    }
#define LED_FIRMWARE(gpio_)                                          \
    {                                                                \
        .kind = PI_LED_FIRMWARE, .pin = (gpio_), .active_low = false \
    }
#define LED_NONE                                           \
    {                                                      \
        .kind = PI_LED_NONE, .pin = 0, .active_low = false \
    }
#define BLUETOOTH    true
#define NO_BLUETOOTH false
#define MODEL(name_, soc_, led_, nic_, bt_, header_)                                                             \
    {                                                                                                            \
        .name = (name_), .soc = (soc_), .led = led_, .nic = (nic_), .has_bluetooth = (bt_), .header = (header_), \
        .known = true                                                                                            \
    }

static const struct pi_model model_a = MODEL("Raspberry Pi Model A", "BCM2835", LED_GPIO(PI_LED_PIN_PI1, ACTIVE_LOW),
                                             PI_NIC_NONE, NO_BLUETOOTH, PI_HEADER_26_REV2);
static const struct pi_model model_b = MODEL("Raspberry Pi Model B", "BCM2835", LED_GPIO(PI_LED_PIN_PI1, ACTIVE_LOW),
                                             PI_NIC_SMSC951X, NO_BLUETOOTH, PI_HEADER_26_REV2);
/* The first Model B boards: same model, an older header layout. */
static const struct pi_model model_b_rev1 =
    MODEL("Raspberry Pi Model B", "BCM2835", LED_GPIO(PI_LED_PIN_PI1, ACTIVE_LOW), PI_NIC_SMSC951X, NO_BLUETOOTH,
          PI_HEADER_26_REV1);
static const struct pi_model model_a_plus =
    MODEL("Raspberry Pi Model A+", "BCM2835", LED_GPIO(PI_LED_PIN_PLUS, ACTIVE_HIGH), PI_NIC_NONE, NO_BLUETOOTH,
          PI_HEADER_40);
static const struct pi_model model_b_plus =
    MODEL("Raspberry Pi Model B+", "BCM2835", LED_GPIO(PI_LED_PIN_PLUS, ACTIVE_HIGH), PI_NIC_SMSC951X, NO_BLUETOOTH,
          PI_HEADER_40);
static const struct pi_model model_cm1 =
    MODEL("Raspberry Pi Compute Module 1", "BCM2835", LED_GPIO(PI_LED_PIN_PLUS, ACTIVE_LOW), PI_NIC_NONE, NO_BLUETOOTH,
          PI_HEADER_NONE);
static const struct pi_model model_2b_bcm2836 =
    MODEL("Raspberry Pi 2 Model B", "BCM2836", LED_GPIO(PI_LED_PIN_PLUS, ACTIVE_HIGH), PI_NIC_SMSC951X, NO_BLUETOOTH,
          PI_HEADER_40);
static const struct pi_model model_2b_bcm2837 =
    MODEL("Raspberry Pi 2 Model B", "BCM2837", LED_GPIO(PI_LED_PIN_PLUS, ACTIVE_HIGH), PI_NIC_SMSC951X, NO_BLUETOOTH,
          PI_HEADER_40);
static const struct pi_model model_3b =
    MODEL("Raspberry Pi 3 Model B", "BCM2837", LED_FIRMWARE(PI_LED_FW_PI3B), PI_NIC_SMSC951X, BLUETOOTH, PI_HEADER_40);
static const struct pi_model model_zero = MODEL("Raspberry Pi Zero", "BCM2835", LED_GPIO(PI_LED_PIN_PLUS, ACTIVE_LOW),
                                                PI_NIC_NONE, NO_BLUETOOTH, PI_HEADER_40);
static const struct pi_model model_cm3 =
    MODEL("Raspberry Pi Compute Module 3", "BCM2837", LED_NONE, PI_NIC_NONE, NO_BLUETOOTH, PI_HEADER_NONE);
static const struct pi_model model_zero_w = MODEL(
    "Raspberry Pi Zero W", "BCM2835", LED_GPIO(PI_LED_PIN_PLUS, ACTIVE_LOW), PI_NIC_NONE, BLUETOOTH, PI_HEADER_40);
static const struct pi_model model_3b_plus =
    MODEL("Raspberry Pi 3 Model B+", "BCM2837B0", LED_GPIO(PI_LED_PIN_PI3PLUS, ACTIVE_HIGH), PI_NIC_LAN78XX, BLUETOOTH,
          PI_HEADER_40);
static const struct pi_model model_3a_plus =
    MODEL("Raspberry Pi 3 Model A+", "BCM2837B0", LED_GPIO(PI_LED_PIN_PI3PLUS, ACTIVE_HIGH), PI_NIC_NONE, BLUETOOTH,
          PI_HEADER_40);
static const struct pi_model model_cm3_plus =
    MODEL("Raspberry Pi Compute Module 3+", "BCM2837B0", LED_NONE, PI_NIC_NONE, NO_BLUETOOTH, PI_HEADER_NONE);
static const struct pi_model model_zero_2w = MODEL(
    "Raspberry Pi Zero 2 W", "RP3A0", LED_GPIO(PI_LED_PIN_PI3PLUS, ACTIVE_LOW), PI_NIC_NONE, BLUETOOTH, PI_HEADER_40);
static const struct pi_model model_unknown = {
    .name = "Unknown Raspberry Pi",
    .soc = "unknown",
    .led = LED_NONE,
    .nic = PI_NIC_NONE,
    .has_bluetooth = false,
    .header = PI_HEADER_40,
    .known = false,
};

/* The WLAN's SDIO lines on models with the combo chip (Circle addon/SDCard/emmc.cpp CEMMCDevice() sets them to
 * inputs on the 3 B, 3 A+ and 3 B+ "if bootloader does not restore GPIO modes"). */
#define PI_WLAN_SDIO_FIRST_PIN 34u
#define PI_WLAN_SDIO_LAST_PIN  39u

size_t pi_model_stray_pins(const struct pi_model *m, unsigned *pins, size_t max)
{
    size_t n = 0;
    if (!m->has_bluetooth) {
        return 0; /* no radio: GPIO 32-39 may be wired to other things (the Pi 1 B+ and 2 B power LED is GPIO 35) */
    }
    static const unsigned bt_uart[] = { BCM283X_BT_UART_TXD_PIN, BCM283X_BT_UART_RXD_PIN };
    for (size_t i = 0; i < ARRAY_SIZE(bt_uart) && n < max; i++) {
        pins[n++] = bt_uart[i];
    }
    for (unsigned pin = PI_WLAN_SDIO_FIRST_PIN; pin <= PI_WLAN_SDIO_LAST_PIN && n < max; pin++) {
        pins[n++] = pin;
    }
    return n;
}

/* New-style codes: the board type and processor fields name the model (the 2 Model B was built with both
 * BCM2836 and BCM2837). */
static const struct {
    uint8_t type;
    uint8_t processor;
    const struct pi_model *model;
} new_style[] = {
    { PI_TYPE_A, PI_PROC_BCM2835, &model_a },
    { PI_TYPE_B, PI_PROC_BCM2835, &model_b },
    { PI_TYPE_A_PLUS, PI_PROC_BCM2835, &model_a_plus },
    { PI_TYPE_B_PLUS, PI_PROC_BCM2835, &model_b_plus },
    { PI_TYPE_2B, PI_PROC_BCM2836, &model_2b_bcm2836 },
    { PI_TYPE_2B, PI_PROC_BCM2837, &model_2b_bcm2837 },
    { PI_TYPE_CM1, PI_PROC_BCM2835, &model_cm1 },
    { PI_TYPE_3B, PI_PROC_BCM2837, &model_3b },
    { PI_TYPE_ZERO, PI_PROC_BCM2835, &model_zero },
    { PI_TYPE_CM3, PI_PROC_BCM2837, &model_cm3 },
    { PI_TYPE_ZERO_W, PI_PROC_BCM2835, &model_zero_w },
    { PI_TYPE_3B_PLUS, PI_PROC_BCM2837, &model_3b_plus },
    { PI_TYPE_3A_PLUS, PI_PROC_BCM2837, &model_3a_plus },
    { PI_TYPE_CM3_PLUS, PI_PROC_BCM2837, &model_cm3_plus },
    { PI_TYPE_ZERO_2W, PI_PROC_BCM2837, &model_zero_2w },
};

/* Old-style codes, one row each, with the RAM the documentation lists for them. */
static const struct {
    uint8_t code;
    uint16_t ram_mb;
    const struct pi_model *model;
} old_style[] = {
    { 0x02, 256, &model_b_rev1 }, { 0x03, 256, &model_b_rev1 }, { 0x04, 256, &model_b },
    { 0x05, 256, &model_b },      { 0x06, 256, &model_b },      { 0x07, 256, &model_a },
    { 0x08, 256, &model_a },      { 0x09, 256, &model_a },      { 0x0D, 512, &model_b },
    { 0x0E, 512, &model_b },      { 0x0F, 512, &model_b },      { 0x10, 512, &model_b_plus },
    { 0x11, 512, &model_cm1 },    { 0x12, 256, &model_a_plus }, { 0x13, 512, &model_b_plus },
    { 0x14, 512, &model_cm1 },    { 0x15, 256, &model_a_plus },
};

static bool pi_rev_is_new_style(uint32_t revision)
{
    return (revision & PI_REV_NEW_STYLE) != 0;
}

/* Index into old_style[] for an old-style code, or -1. */
static int pi_old_style_index(uint32_t revision)
{
    uint32_t code = revision & ~PI_REV_OLD_WARRANTY;
    for (size_t i = 0; i < ARRAY_SIZE(old_style); i++) {
        if (old_style[i].code == code) {
            return (int)i;
        }
    }
    return -1;
}

const struct pi_model *pi_model_lookup(uint32_t revision)
{
    if (pi_rev_is_new_style(revision)) {
        uint32_t type = (revision >> PI_REV_TYPE_LSB) & PI_REV_TYPE_MASK;
        uint32_t processor = (revision >> PI_REV_PROCESSOR_LSB) & PI_REV_PROCESSOR_MASK;
        for (size_t i = 0; i < ARRAY_SIZE(new_style); i++) {
            if (new_style[i].type == type && new_style[i].processor == processor) {
                return new_style[i].model;
            }
        }
        return &model_unknown;
    }
    int i = pi_old_style_index(revision);
    return i >= 0 ? old_style[i].model : &model_unknown;
}

uint32_t pi_model_ram_mb(uint32_t revision)
{
    if (pi_rev_is_new_style(revision)) {
        uint32_t mem = (revision >> PI_REV_MEM_LSB) & PI_REV_MEM_MASK;
        return mem <= PI_REV_MEM_MAX ? PI_REV_MEM_BASE_MB << mem : 0;
    }
    int i = pi_old_style_index(revision);
    return i >= 0 ? old_style[i].ram_mb : 0;
}
