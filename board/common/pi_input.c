#include "board/common/pi_input.h"

#include <stddef.h>

#include "board/common/board_pi.h"
#include "board/input_pins.h"
#include "drivers/gpio.h"
#include "drivers/intc.h"
#include "drivers/mmio.h"
#include "drivers/systimer.h"

/* Every header GPIO (0-27) is in bank 0, which raises INTC_IRQ_GPIO0. */
#define PI_INPUT_BANK 0u
_Static_assert(PI_HEADER_GPIO_LIMIT <= GPIO_PINS_PER_BANK, "header GPIOs must all be in GPIO bank 0");

static void pi_input_irq(void *arg)
{
    (void)arg;
    uint32_t levels;
    uint32_t events = gpio_take_events(PI_INPUT_BANK, &levels);
    /* From the GPIO block to the system timer: reads from two peripherals may return out of order without it
     * (BCM2835 ARM Peripherals, section 1.3). */
    mmio_barrier();
    uint64_t now = systimer_now_us();
    while (events != 0) {
        unsigned gpio = (unsigned)__builtin_ctz(events);
        events &= events - 1;
        input_pins_edge(PI_INPUT_BANK * GPIO_PINS_PER_BANK + gpio, now, (int)((levels >> gpio) & 1u));
    }
    board_pi_irq_work();
}

static int pi_input_configure(unsigned gpio, enum board_pull pull)
{
    static const enum gpio_pull pulls[] = {
        [BOARD_PULL_NONE] = GPIO_PULL_NONE,
        [BOARD_PULL_UP] = GPIO_PULL_UP,
        [BOARD_PULL_DOWN] = GPIO_PULL_DOWN,
    };
    int err = gpio_set_function(gpio, GPIO_FUNC_INPUT);
    if (err == 0) {
        err = gpio_set_pull(gpio, pulls[pull]);
    }
    if (err == 0) {
        err = gpio_set_edge_detect(gpio, true, true);
    }
    if (err == 0) {
        intc_enable(INTC_IRQ_GPIO0);
    }
    return err;
}

static int pi_input_sync(unsigned gpio)
{
    gpio_event_clear(gpio);
    return gpio_get(gpio);
}

/* The header and whether levels are simulated are filled in by pi_input_init(). */
static struct input_pins_port port = {
    .configure = pi_input_configure,
    .sync = pi_input_sync,
    .level = gpio_get,
    .lock = board_pi_irq_save,
    .unlock = board_pi_irq_restore,
};

int pi_input_init(enum pi_header header, bool emulated)
{
    port.header = header;
    port.simulated = emulated;
    input_pins_init(&port);
    return intc_connect(INTC_IRQ_GPIO0, pi_input_irq, NULL);
}
