/*
 * The board interface (board/board.h) for the Raspberry Pi boards. The peripheral base and CPU come from
 * board_config.h; which model this is (LED, Bluetooth UART, RAM) comes from the firmware at run time, through the
 * model table, because one image serves several models.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "board/common/bcm283x.h"
#include "board/common/board_pi.h"
#include "board/common/pi_input.h"
#include "board/common/pi_models.h"
#include "board/common/resetinfo.h"
#include "board/common/syscalls.h"
#include "board_config.h"
#include "drivers/actled.h"
#include "drivers/gpio.h"
#include "drivers/intc.h"
#include "drivers/mbox.h"
#include "drivers/mmio.h"
#include "drivers/pl011.h"
#include "drivers/rng.h"
#include "drivers/systimer.h"
#include "drivers/usb/dwc2.h"
#include "drivers/wdog.h"
#include "lib/wake.h"

#define BOARD_CONSOLE_BAUD 115200u
/* Recent Pi firmware runs the UART clock at 48 MHz (and config.txt pins init_uart_clock to it). */
#define BOARD_UART_CLOCK_FALLBACK_HZ 48000000u
/* Long enough for a TLS handshake on a Pi 1 between two passes of the main loop, short enough to matter. */
#define BOARD_WATCHDOG_MS 10000u
/* How long a reset through the watchdog may take before we declare it failed. */
#define BOARD_RESET_WAIT_US 1000000u
/* The longest idle sleep: the watchdog is fed at least four times per timeout, so one late pass (a TLS handshake
 * on a Pi 1) does not trip it. Everything else that waits for time asks for its own deadline (board_idle_until's
 * caller, the LED pattern's next edge); frames, console bytes and input edges wake the sleep by interrupt. */
#define BOARD_IDLE_MAX_US (BOARD_WATCHDOG_MS * 1000u / 4u)
/* The system timer channel that ends an idle sleep (the VideoCore owns 0 and 2). */
#define BOARD_IDLE_TIMER     SYSTIMER_COMPARE_ARM1
#define BOARD_IDLE_TIMER_IRQ INTC_IRQ_SYSTIMER1

static struct board_info info;
static const struct pi_model *model;
static enum board_reset_cause reset_cause;
static char reset_detail[RESETINFO_DETAIL_MAX];
static enum actled_pattern led_pattern = ACTLED_HEARTBEAT;
/* When the pattern next changes the LED: the idle steps it then, and not on every pass (its arithmetic is 64-bit
 * divisions, which a pass between a frame's send and its reply should not pay). 0: at the next pass. */
static uint64_t led_due;
static bool watchdog_running;
static bool usb_wake;
/* An interrupt handler brought work (a console byte, an input edge) after the sleep that the pass now running
 * ended: the pass may have looked before it came, so the next sleep must not wait for another interrupt. */
static volatile bool irq_work;
/* board_idle_stats(): passes, and the WFI sleeps among them. */
static uint32_t idle_passes, idle_sleeps;

static uintptr_t periph(uint32_t offset)
{
    return (uintptr_t)BOARD_PERIPH_BASE + offset;
}

/* The idle sleep's deadline has come: the match is cleared, which ends the interrupt; waking was its purpose. */
static void idle_timer_irq(void *arg)
{
    (void)arg;
    systimer_compare_clear(BOARD_IDLE_TIMER);
}

/* The DWC2 core raised its interrupt: a host channel halted, so a transfer (a received frame, most often) is done.
 * Waking was the purpose; the main loop's poll of the channel acknowledges it in the core. Until then the line stays
 * raised (it is level-sensitive: the core drives it from GINTSTS & GINTMSK, dwc2.c), so it is masked here and
 * unmasked by the next sleep_until(). The core is not touched: dwc2.c is main-loop only. */
static void usb_irq(void *arg)
{
    (void)arg;
    intc_disable(INTC_IRQ_USB);
}

/* The console's receive interrupt: the driver fills its ring; the byte is work for the main loop. */
static void uart_irq(void *arg)
{
    pl011_irq_handler(arg);
    irq_work = true;
}

void board_pi_irq_work(void)
{
    irq_work = true;
}

/* The console UART on its GPIOs, then the interrupt controller with the lines the board uses (UART receive, the
 * idle timer, USB) and interrupts on: the UART's receive ring needs its interrupt from the first byte. */
static void uart_and_interrupts_start(void)
{
    uint32_t uart_hz = 0;
    if (mbox_get_clock_rate(MBOX_CLOCK_UART, &uart_hz) != 0 || uart_hz == 0) {
        uart_hz = BOARD_UART_CLOCK_FALLBACK_HZ;
    }
    gpio_init(periph(BCM283X_GPIO_OFFSET));
    gpio_set_function(BCM283X_UART0_TXD_PIN, GPIO_FUNC_ALT0);
    gpio_set_function(BCM283X_UART0_RXD_PIN, GPIO_FUNC_ALT0);
    gpio_set_pull(BCM283X_UART0_TXD_PIN, GPIO_PULL_NONE);
    /* An unconnected RX line must read idle (high), not pick up noise as characters. */
    gpio_set_pull(BCM283X_UART0_RXD_PIN, GPIO_PULL_UP);
    pl011_init(periph(BCM283X_UART0_OFFSET), uart_hz, BOARD_CONSOLE_BAUD);

    intc_init(periph(BCM283X_ARMCTRL_OFFSET), BOARD_LOCAL_PERIPH_BASE);
    intc_connect(INTC_IRQ_UART, uart_irq, NULL);
    intc_enable(INTC_IRQ_UART);
    systimer_compare_clear(BOARD_IDLE_TIMER); /* a match left from before would wake the first sleep at once */
    intc_connect(BOARD_IDLE_TIMER_IRQ, idle_timer_irq, NULL);
    intc_enable(BOARD_IDLE_TIMER_IRQ);
    intc_connect(INTC_IRQ_USB, usb_irq, NULL); /* enabled by each sleep_until() once board_pi_usb_wake_enable() */
    __asm__ volatile("cpsie i" ::: "memory");

    /* Console output goes out as it is printed; a prompt without a newline must not wait in a buffer. */
    setvbuf(stdout, NULL, _IONBF, 0);
}

static bool detect_emulation(void)
{
    if (mbox_set_power_state(MBOX_POWER_USB, true) != 0) {
        return false;
    }
    /* QEMU tells itself apart through the DWC2 USB core's id. */
    return dwc2_is_qemu(periph(BCM283X_USB_OFFSET));
}

static void read_board_facts(void)
{
    uint32_t revision = 0;
    mbox_get_board_revision(&revision);
    model = pi_model_lookup(revision);
    info.revision = revision;
    info.model = model->name;
    info.soc = model->soc;
    mbox_get_board_serial(&info.serial);
    mbox_get_mac_address(info.mac);
    info.mem_base = 0;
    info.mem_size = board_pi_boot.ram_size;
    info.emulated = detect_emulation();
    info.boot_source = bootinfo_source_name(board_pi_boot.info.source);
    info.cmdline = board_pi_boot.info.has_cmdline ? board_pi_boot.info.cmdline : "";

    /* On models with the WLAN/Bluetooth chip the firmware routes the PL011 to the radio's pins too, and a
     * chain-loaded boot may have left the WLAN's SDIO pins on the SD card's controller: release them all. */
    unsigned stray[PI_MODEL_STRAY_PINS_MAX];
    size_t n = pi_model_stray_pins(model, stray, PI_MODEL_STRAY_PINS_MAX);
    for (size_t i = 0; i < n; i++) {
        gpio_set_function(stray[i], GPIO_FUNC_INPUT);
    }
}

/* The RAM record (magic and checksum) is the authority: QEMU clears PM_RSTS on reset, and the Pi's GPU firmware
 * reads and clears it before the ARM starts. RSTS only helps when no record survived. */
static void read_reset_cause(void)
{
    enum board_reset_cause recorded;
    if (resetinfo_take(&recorded, reset_detail)) {
        reset_cause = recorded;
        return;
    }
    reset_detail[0] = '\0';
    reset_cause = wdog_last_reset_was_watchdog() ? BOARD_RESET_WATCHDOG : BOARD_RESET_POWER_ON;
    /* No record survived (power was cut, or RAM lost it): the raw power manager status is the only clue left, and
     * the firmware may have cleared it (see wdog.h). */
    if (wdog_reset_status() != 0) {
        snprintf(reset_detail, sizeof reset_detail, "no record; PM_RSTS %#05lx", (unsigned long)wdog_reset_status());
    }
}

static void led_init(void)
{
    switch (model->led.kind) {
    case PI_LED_GPIO: actled_init_gpio(model->led.pin, model->led.active_low); break;
    case PI_LED_FIRMWARE: actled_init_firmware(model->led.pin); break;
    case PI_LED_NONE:
    default: break;
    }
}

void board_init(void)
{
    uart_and_interrupts_start();
    read_board_facts();
    wdog_init(periph(BCM283X_PM_OFFSET));
    read_reset_cause();
    rng_init(periph(BCM283X_RNG_OFFSET));
    led_init();
    int err = pi_input_init(model->header, info.emulated);
    if (err != 0) {
        printf("inputs: GPIO interrupt: %s\n", intc_strerror(err));
    }
    syscalls_set_heap_limit(board_pi_boot.ram_size);

    if (board_pi_boot.bootinfo_err != 0) {
        printf("boot info: %s; using defaults\n",
               board_pi_boot.info.problem ? board_pi_boot.info.problem : bootinfo_strerror(board_pi_boot.bootinfo_err));
    } else if (board_pi_boot.info.problem) {
        printf("boot info: %s\n", board_pi_boot.info.problem);
    }
    if (board_pi_boot.ram_size_err != 0) {
        printf("memory size: firmware did not answer (%s); assuming %u MiB\n",
               mbox_strerror(board_pi_boot.ram_size_err), (unsigned)(board_pi_boot.ram_size >> 20));
    }

    /* QEMU resets the machine the moment the watchdog is armed, so only real boards run it. */
    if (!info.emulated) {
        resetinfo_store(BOARD_RESET_WATCHDOG, "main loop stopped feeding the watchdog");
        watchdog_running = wdog_start(BOARD_WATCHDOG_MS) == 0;
    }
}

const struct board_info *board_get_info(void)
{
    return &info;
}

enum board_reset_cause board_reset_cause(void)
{
    return reset_cause;
}

const char *board_reset_detail(void)
{
    return reset_detail;
}

uint64_t board_uptime_us(void)
{
    return systimer_now_us();
}

uint32_t board_pi_irq_save(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr\n\tcpsid i" : "=r"(cpsr)::"memory");
    return cpsr;
}

void board_pi_irq_restore(uint32_t cpsr)
{
    __asm__ volatile("msr cpsr_c, %0" ::"r"(cpsr) : "memory");
}

int board_console_getc(void)
{
    int c = pl011_getc();
    if (c < 0) {
        /* QEMU raises the PL011 receive interrupt only when its FIFO goes from empty to non-empty, so bytes left
         * behind by a drain that hit its bound are never announced. Draining here as well picks them up; the
         * interrupt is masked meanwhile because the receive ring takes one producer at a time. */
        uint32_t cpsr = board_pi_irq_save();
        pl011_poll();
        board_pi_irq_restore(cpsr);
        c = pl011_getc();
    }
    return c;
}

/* Every byte for the console passes here: stdio's through _write (syscalls.c), the console's echo directly. */
static uint64_t console_output_count;

void board_console_write(const char *buf, size_t len)
{
    console_output_count += len;
    pl011_write(buf, len);
}

uint64_t board_console_output_count(void)
{
    return console_output_count;
}

void board_set_led_status(enum board_led_status status)
{
    enum actled_pattern p;
    switch (status) {
    case BOARD_LED_RUNNING: p = ACTLED_HEARTBEAT; break;
    case BOARD_LED_CONFIG_ERROR: p = ACTLED_CONFIG_ERROR; break;
    case BOARD_LED_MAIL_WAITING: p = ACTLED_MAIL_WAITING; break;
    case BOARD_LED_OFF:
    default: p = ACTLED_OFF; break;
    }
    if (p != led_pattern) {
        led_pattern = p;
        led_due = 0; /* the new pattern shows from the next pass */
    }
}

/* Sleeps in WFI until the deadline (a system timer compare) or any other interrupt (UART input, a GPIO edge, a USB
 * transfer done). Interrupts are masked from before the timer is armed until after WFI, which still wakes on one
 * that is pending: a match, a byte or a halted channel that comes before WFI ends it at once instead of being taken
 * and slept past. A byte or an edge taken during the pass (irq_work) ends it too: its handler ran already, so no
 * interrupt is left to wake WFI. The flag is cleared once the handlers of the wake-up have run, so what they
 * brought counts for the pass that follows, and only what comes during that pass for the next sleep. The USB line
 * is unmasked here because its handler masks it (usb_irq): a channel that halted during the pass and was not
 * polled since ends this sleep at once, as it should. */
static void sleep_until(uint64_t deadline)
{
    uint32_t cpsr = board_pi_irq_save();
    if (usb_wake) {
        intc_enable(INTC_IRQ_USB);
    }
    systimer_compare_set(BOARD_IDLE_TIMER, deadline);
    if (!irq_work && !systimer_expired(deadline)) {
        mmio_barrier();
        __asm__ volatile("wfi" ::: "memory");
        idle_sleeps++;
    }
    board_pi_irq_restore(cpsr);
    irq_work = false;
}

void board_pi_watchdog_feed(void)
{
    if (watchdog_running) {
        wdog_feed();
    }
}

void board_pi_usb_wake_enable(void)
{
    usb_wake = true;
}

void board_idle_until(uint64_t deadline_us)
{
    idle_passes++;
    board_pi_watchdog_feed();
    uint64_t now = systimer_now_us();
    if (now >= led_due) {
        actled_pattern_step(now, led_pattern);
        led_due = actled_pattern_next_change(now, led_pattern);
    }
    sleep_until(wake_min(deadline_us, wake_min(now + BOARD_IDLE_MAX_US, led_due)));
}

void board_idle_stats(uint32_t *passes, uint32_t *sleeps)
{
    *passes = idle_passes;
    *sleeps = idle_sleeps;
}

void board_heap_stats(size_t *in_use, size_t *peak, size_t *total)
{
    struct mallinfo mi = mallinfo();
    *in_use = (size_t)mi.uordblks;
    *peak = syscalls_heap_peak();
    *total = syscalls_heap_total();
}

void board_pi_emergency_write(const char *s)
{
    pl011_write(s, strlen(s));
}

/* The watchdog resets within microseconds; if it does not, say so rather than hang silently. */
static void wait_for_reset(void) __attribute__((noreturn));
static void wait_for_reset(void)
{
    uint64_t deadline = systimer_deadline_us(BOARD_RESET_WAIT_US);
    while (!systimer_expired(deadline)) {
    }
    board_pi_emergency_write("reset through the watchdog did not happen; halted\r\n");
    for (;;) {
        __asm__ volatile("wfe");
    }
}

void board_pi_reset(enum board_reset_cause cause, const char *detail)
{
    __asm__ volatile("cpsid if" ::: "memory");
    resetinfo_store(cause, detail);
    pl011_flush();
    wdog_reset_now();
    wait_for_reset();
}

void board_reboot(enum board_reset_cause why, const char *detail)
{
    board_pi_reset(why, detail);
}

void board_poweroff(void)
{
    __asm__ volatile("cpsid if" ::: "memory");
    board_pi_emergency_write("halted: power-cycle the board to start again\r\n");
    pl011_flush();
    wdog_halt();
    wait_for_reset();
}
