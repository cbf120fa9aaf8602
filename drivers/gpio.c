#include "drivers/gpio.h"

#include "drivers/mmio.h"
#include "drivers/systimer.h"

/* Register offsets (BCM2835 ARM Peripherals, section 6.1). Registers with a bank have a second one 4 bytes on. */
/* clang-format off */
#define GPIO_GPFSEL0   0x00 /* six registers, ten pins each */
#define   GPIO_FSEL_PINS_PER_REG 10u
#define   GPIO_FSEL_BITS         3u
#define   GPIO_FSEL_MASK         0x7u
#define GPIO_GPSET0    0x1C
#define GPIO_GPCLR0    0x28
#define GPIO_GPLEV0    0x34
#define GPIO_GPEDS0    0x40
#define GPIO_GPREN0    0x4C
#define GPIO_GPFEN0    0x58
#define GPIO_GPPUD     0x94
#define   GPIO_GPPUD_MASK 0x3u
#define GPIO_GPPUDCLK0 0x98

#define GPIO_REG_BYTES     4u
/* clang-format on */

static uintptr_t gpio_base;

static int gpio_check(unsigned pin)
{
    if (gpio_base == 0) {
        return -GPIO_ENOINIT;
    }
    return pin < GPIO_PIN_COUNT ? 0 : -GPIO_EINVAL;
}

/* Address of the banked register reg0 that holds pin. */
static uintptr_t gpio_bank_reg(uint32_t reg0, unsigned pin)
{
    return gpio_base + reg0 + (pin / GPIO_PINS_PER_BANK) * GPIO_REG_BYTES;
}

static uint32_t gpio_bank_bit(unsigned pin)
{
    return 1u << (pin % GPIO_PINS_PER_BANK);
}

int gpio_init(uintptr_t base)
{
    if (base == 0) {
        return -GPIO_EINVAL;
    }
    gpio_base = base;
    return 0;
}

int gpio_set_function(unsigned pin, enum gpio_function fn)
{
    int err = gpio_check(pin);
    if (err != 0) {
        return err;
    }
    if ((unsigned)fn > GPIO_FSEL_MASK) {
        return -GPIO_EINVAL;
    }
    uintptr_t reg = gpio_base + GPIO_GPFSEL0 + (pin / GPIO_FSEL_PINS_PER_REG) * GPIO_REG_BYTES;
    unsigned shift = (pin % GPIO_FSEL_PINS_PER_REG) * GPIO_FSEL_BITS;
    mmio_write_masked(reg, (uint32_t)fn << shift, GPIO_FSEL_MASK << shift);
    return 0;
}

int gpio_set_pull(unsigned pin, enum gpio_pull pull)
{
    int err = gpio_check(pin);
    if (err != 0) {
        return err;
    }
    if (pull != GPIO_PULL_NONE && pull != GPIO_PULL_DOWN && pull != GPIO_PULL_UP) {
        return -GPIO_EINVAL;
    }
    uintptr_t pud = gpio_base + GPIO_GPPUD;
    uintptr_t clk = gpio_bank_reg(GPIO_GPPUDCLK0, pin);

    /* The control value is latched only into pins whose clock bit is written as 1, so the clock write names this
     * pin alone; the other pins keep their pulls. */
    mmio_write_masked(pud, (uint32_t)pull, GPIO_GPPUD_MASK);
    systimer_delay_us(GPIO_PULL_SETTLE_US);
    mmio_write32(clk, gpio_bank_bit(pin));
    systimer_delay_us(GPIO_PULL_SETTLE_US);
    mmio_write_masked(pud, GPIO_PULL_NONE, GPIO_GPPUD_MASK);
    mmio_write32(clk, 0);
    return 0;
}

int gpio_get(unsigned pin)
{
    int err = gpio_check(pin);
    if (err != 0) {
        return err;
    }
    return (mmio_read32(gpio_bank_reg(GPIO_GPLEV0, pin)) & gpio_bank_bit(pin)) != 0;
}

int gpio_put(unsigned pin, bool high)
{
    int err = gpio_check(pin);
    if (err != 0) {
        return err;
    }
    /* Writing 0 to GPSET/GPCLR bits has no effect, so a plain write changes this pin only, without a race. */
    mmio_write32(gpio_bank_reg(high ? GPIO_GPSET0 : GPIO_GPCLR0, pin), gpio_bank_bit(pin));
    return 0;
}

int gpio_set_edge_detect(unsigned pin, bool rising, bool falling)
{
    int err = gpio_check(pin);
    if (err != 0) {
        return err;
    }
    uint32_t bit = gpio_bank_bit(pin);
    mmio_write_masked(gpio_bank_reg(GPIO_GPREN0, pin), rising ? bit : 0, bit);
    mmio_write_masked(gpio_bank_reg(GPIO_GPFEN0, pin), falling ? bit : 0, bit);
    return 0;
}

bool gpio_event_pending(unsigned pin)
{
    if (gpio_check(pin) != 0) {
        return false;
    }
    return (mmio_read32(gpio_bank_reg(GPIO_GPEDS0, pin)) & gpio_bank_bit(pin)) != 0;
}

void gpio_event_clear(unsigned pin)
{
    if (gpio_check(pin) != 0) {
        return;
    }
    /* Write-1-to-clear: a read-modify-write would clear every other pending event in the bank too. */
    mmio_write32(gpio_bank_reg(GPIO_GPEDS0, pin), gpio_bank_bit(pin));
}

uint32_t gpio_take_events(unsigned bank, uint32_t *levels)
{
    *levels = 0;
    if (gpio_base == 0 || bank >= GPIO_BANK_COUNT) {
        return 0;
    }
    uintptr_t eds = gpio_base + GPIO_GPEDS0 + bank * GPIO_REG_BYTES;
    uint32_t events = mmio_read32(eds);
    if (events != 0) {
        mmio_write32(eds, events);
    }
    *levels = mmio_read32(gpio_base + GPIO_GPLEV0 + bank * GPIO_REG_BYTES);
    return events;
}

const char *gpio_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case GPIO_EINVAL: return "invalid GPIO pin or argument";
    case GPIO_ENOINIT: return "GPIO driver not initialised";
    default: return "unknown GPIO error";
    }
}
