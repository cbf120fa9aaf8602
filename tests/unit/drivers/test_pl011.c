/* Unit tests for drivers/pl011: baud divisors, init register sequence, TX with deadlines, RX ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>

#include "drivers/pl011.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define BASE   0x3F201000u
#define DR     (BASE + 0x00u)
#define RSRECR (BASE + 0x04u)
#define FR     (BASE + 0x18u)
#define IBRD   (BASE + 0x24u)
#define FBRD   (BASE + 0x28u)
#define LCRH   (BASE + 0x2Cu)
#define CR     (BASE + 0x30u)
#define IFLS   (BASE + 0x34u)
#define IMSC   (BASE + 0x38u)
#define ICR    (BASE + 0x44u)

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_TXFE (1u << 7)
#define DR_FE   (1u << 8)
#define DR_OE   (1u << 11)
#define INT_RX  (1u << 4)
#define INT_RT  (1u << 6)

/* A scripted receive FIFO: FR reports RXFE once every entry has been read from DR. */
#define RX_SCRIPT_MAX (3 * PL011_RX_RING_SIZE)
static uint32_t rx_script[RX_SCRIPT_MAX];
static size_t rx_len, rx_pos;
static size_t rx_first_dr_read = SIZE_MAX; /* log index of the first DR read */
static bool rx_never_empty;

static uint32_t uart_hw(uintptr_t addr, uint32_t stored, void *ctx)
{
    (void)ctx;
    if (addr == FR) {
        bool empty = !rx_never_empty && rx_pos == rx_len;
        return (stored & ~FR_RXFE) | (empty ? FR_RXFE : 0);
    }
    if (addr == DR) {
        if (rx_first_dr_read == SIZE_MAX) {
            rx_first_dr_read = fake_mmio_log_count();
        }
        return rx_pos < rx_len ? rx_script[rx_pos++] : 0;
    }
    return stored;
}

static void rx_push(const char *s, uint32_t flags)
{
    for (; *s != '\0'; s++) {
        assert_true(rx_len < RX_SCRIPT_MAX);
        rx_script[rx_len++] = (uint8_t)*s | flags;
    }
}

static int setup(void **state)
{
    (void)state;
    fake_mmio_reset();
    fake_systimer_reset();
    rx_len = rx_pos = 0;
    rx_first_dr_read = SIZE_MAX;
    rx_never_empty = false;
    assert_int_equal(pl011_init(BASE, 48000000u, 115200u), 0);
    fake_mmio_reset();
    fake_mmio_set_read_hook(uart_hw, NULL);
    return 0;
}

static void test_divisor_table(void **state)
{
    (void)state;
    static const struct {
        uint32_t clock, baud, ibrd, fbrd;
    } cases[] = {
        { 48000000u, 115200u, 26u, 3u }, /* Pi firmware default UART clock */
        { 3000000u, 115200u, 1u, 40u },  /* older firmware / QEMU */
        { 48000000u, 9600u, 312u, 32u },    { 3000000u, 9600u, 19u, 34u },
        { 250000000u, 115200u, 135u, 41u }, { 48000000u, 3000000u, 1u, 0u }, /* the fastest this clock allows */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        assert_int_equal(pl011_init(BASE, cases[i].clock, cases[i].baud), 0);
        assert_int_equal(fake_mmio_get(IBRD), cases[i].ibrd);
        assert_int_equal(fake_mmio_get(FBRD), cases[i].fbrd);
    }
}

static void test_init_rejects_impossible_rates(void **state)
{
    (void)state;
    static const struct {
        uintptr_t base;
        uint32_t clock, baud;
    } cases[] = {
        { BASE, 0u, 115200u },     { BASE, 48000000u, 0u }, { BASE, 3000000u, 4000000u }, /* divisor below 1 */
        { BASE, 48000000u, 40u },                                                         /* divisor above 65535 */
        { 0, 48000000u, 115200u },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_mmio_reset();
        assert_int_equal(pl011_init(cases[i].base, cases[i].clock, cases[i].baud), -PL011_EINVAL);
        assert_int_equal(fake_mmio_log_count(), 0);
    }
}

static void test_init_register_sequence(void **state)
{
    (void)state;
    fake_mmio_reset();
    assert_int_equal(pl011_init(BASE, 48000000u, 115200u), 0);

    long cr_off = fake_mmio_find_write(CR, 0);
    long ibrd = fake_mmio_find_write(IBRD, 0);
    long fbrd = fake_mmio_find_write(FBRD, 0);
    assert_int_equal(cr_off, 0); /* disabled before anything else */
    assert_int_equal(fake_mmio_log_at(0)->value, 0);
    assert_true(ibrd > cr_off && fbrd > cr_off);

    /* The divisor latches on the LCRH write after it: 8 bits, FIFOs on, no parity, one stop bit. */
    long lcrh = fake_mmio_find_write(LCRH, (size_t)(ibrd > fbrd ? ibrd : fbrd));
    assert_true(lcrh > 0);
    assert_int_equal(fake_mmio_log_at((size_t)lcrh)->value, (3u << 5) | (1u << 4));
    assert_int_equal(fake_mmio_get(LCRH), (3u << 5) | (1u << 4));

    assert_true(fake_mmio_find_write(ICR, 0) >= 0);
    assert_int_equal(fake_mmio_get(ICR) & 0x7FFu, 0x7FFu);
    assert_true(fake_mmio_find_write(RSRECR, 0) >= 0);
    assert_int_equal(fake_mmio_get(IMSC) & (INT_RX | INT_RT), INT_RX | INT_RT);

    /* Enabled last, with both directions on. */
    size_t last = fake_mmio_log_count() - 1;
    while (!fake_mmio_log_at(last)->is_write) {
        last--;
    }
    assert_int_equal(fake_mmio_log_at(last)->addr, CR);
    assert_int_equal(fake_mmio_log_at(last)->value, (1u << 0) | (1u << 8) | (1u << 9));
}

static void test_write_sends_bytes_in_order(void **state)
{
    (void)state;
    static const char msg[] = "ok\r\n\0\xff";
    pl011_write(msg, sizeof(msg) - 1);
    assert_int_equal(fake_mmio_count_writes(DR), sizeof(msg) - 1);
    size_t n = 0;
    for (size_t i = 0; i < fake_mmio_log_count(); i++) {
        const struct fake_mmio_access *a = fake_mmio_log_at(i);
        if (a->is_write && a->addr == DR) {
            assert_int_equal(a->value, (uint8_t)msg[n]);
            n++;
        }
    }
}

static void test_write_waits_while_fifo_full(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++) {
        fake_mmio_queue_read(FR, FR_TXFF);
    }
    pl011_write("x", 1);
    assert_int_equal(fake_mmio_count_writes(DR), 1);
    long w = fake_mmio_find_write(DR, 0);
    /* The read just before the write saw room in the FIFO, after five that saw it full. */
    assert_true(w >= 6);
    assert_false(fake_mmio_log_at((size_t)w - 1)->is_write);
    assert_int_equal(fake_mmio_log_at((size_t)w - 1)->addr, FR);
    assert_int_equal(fake_mmio_log_at((size_t)w - 1)->value & FR_TXFF, 0);
}

static void test_write_gives_up_on_stuck_uart(void **state)
{
    (void)state;
    static char big[4096];
    fake_mmio_set(FR, FR_TXFF);
    fake_systimer_set_step(100);
    uint64_t t0 = fake_systimer_peek();
    pl011_write(big, sizeof(big));
    assert_int_equal(fake_mmio_count_writes(DR), 0);
    /* One byte's deadline, not one per byte. */
    assert_true(fake_systimer_peek() - t0 < 2u * PL011_TX_TIMEOUT_US + 1000u);
}

static void test_flush(void **state)
{
    (void)state;
    fake_mmio_set(FR, FR_TXFE);
    assert_int_equal(pl011_flush(), 0);
    fake_mmio_set(FR, FR_TXFE | FR_BUSY);
    fake_systimer_set_step(1000);
    assert_int_equal(pl011_flush(), -PL011_ETIMEDOUT);
    fake_mmio_set(FR, 0);
    assert_int_equal(pl011_flush(), -PL011_ETIMEDOUT);
    assert_string_not_equal(pl011_strerror(-PL011_ETIMEDOUT), pl011_strerror(-PL011_EINVAL));
}

static void test_rx_drains_fifo_in_order(void **state)
{
    (void)state;
    rx_push("hello", 0);
    assert_int_equal(pl011_getc(), -1);
    pl011_irq_handler(NULL);
    /* Interrupts are cleared before the FIFO is read, so a byte arriving during the drain raises a new one. */
    long icr = fake_mmio_find_write(ICR, 0);
    assert_true(icr >= 0);
    assert_true((size_t)icr < rx_first_dr_read);
    assert_int_equal(fake_mmio_log_at((size_t)icr)->value & (INT_RX | INT_RT), INT_RX | INT_RT);

    rx_push(" world", 0);
    pl011_poll();
    const char *expect = "hello world";
    for (const char *p = expect; *p != '\0'; p++) {
        assert_int_equal(pl011_getc(), (uint8_t)*p);
    }
    assert_int_equal(pl011_getc(), -1);
    assert_int_equal(pl011_rx_overruns(), 0);
}

static void test_rx_errors_and_overruns_counted(void **state)
{
    (void)state;
    rx_push("a", 0);
    rx_push("b", DR_OE); /* bytes were lost before "b", but "b" itself is good */
    rx_push("c", DR_FE); /* framing error: "c" is garbage */
    rx_push("d", 0);
    pl011_irq_handler(NULL);
    assert_int_equal(pl011_getc(), 'a');
    assert_int_equal(pl011_getc(), 'b');
    assert_int_equal(pl011_getc(), 'd');
    assert_int_equal(pl011_getc(), -1);
    assert_int_equal(pl011_rx_overruns(), 1);
    assert_int_equal(pl011_rx_errors(), 1);
}

/* A paste bigger than the ring while the main loop reads nothing: the first PL011_RX_RING_SIZE bytes are kept in
 * order, the rest are counted as lost; then the ring works again. */
static void test_rx_ring_overflow(void **state)
{
    (void)state;
    const size_t extra = 37;
    for (size_t i = 0; i < PL011_RX_RING_SIZE + extra; i++) {
        rx_script[rx_len++] = (uint8_t)(i * 7u + i / 256u);
    }
    size_t calls = 0;
    while (rx_pos < rx_len) {
        pl011_irq_handler(NULL);
        calls++;
        assert_true(calls <= rx_len);
        fake_mmio_reset();
        fake_mmio_set_read_hook(uart_hw, NULL);
    }
    assert_int_equal(pl011_rx_overruns(), extra);
    for (size_t i = 0; i < PL011_RX_RING_SIZE; i++) {
        assert_int_equal(pl011_getc(), (uint8_t)(i * 7u + i / 256u));
    }
    assert_int_equal(pl011_getc(), -1);

    rx_push("again", 0);
    pl011_irq_handler(NULL);
    for (const char *p = "again"; *p != '\0'; p++) {
        assert_int_equal(pl011_getc(), (uint8_t)*p);
    }
    assert_int_equal(pl011_rx_overruns(), extra);
}

/* A 4 KB paste while the main loop is slow (it takes only a few bytes between interrupts): nothing lost. */
static void test_rx_4k_paste_slow_reader(void **state)
{
    (void)state;
    size_t got = 0;
    for (size_t i = 0; i < 4096; i++) {
        rx_script[rx_len++] = (uint8_t)('A' + i % 26u);
    }
    for (;;) {
        int c;
        if (rx_pos < rx_len) {
            pl011_irq_handler(NULL);
            fake_mmio_reset();
            fake_mmio_set_read_hook(uart_hw, NULL);
        }
        for (int k = 0; k < 5 && (c = pl011_getc()) >= 0; k++) {
            assert_int_equal(c, 'A' + got % 26u);
            got++;
        }
        if (rx_pos == rx_len && c < 0) {
            break;
        }
    }
    assert_int_equal(got, 4096);
    assert_int_equal(pl011_rx_overruns(), 0);
}

static void test_rx_drain_is_bounded(void **state)
{
    (void)state;
    rx_never_empty = true; /* broken hardware: RXFE never sets */
    pl011_irq_handler(NULL);
    size_t reads = 0;
    for (size_t i = 0; i < fake_mmio_log_count(); i++) {
        reads += !fake_mmio_log_at(i)->is_write && fake_mmio_log_at(i)->addr == DR;
    }
    assert_true(reads > 0);
    assert_true(reads <= 64);
}

static void test_init_empties_ring(void **state)
{
    (void)state;
    rx_push("stale", DR_OE);
    pl011_irq_handler(NULL);
    assert_int_equal(pl011_init(BASE, 48000000u, 115200u), 0);
    assert_int_equal(pl011_getc(), -1);
    assert_int_equal(pl011_rx_overruns(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_divisor_table, setup),
        cmocka_unit_test_setup(test_init_rejects_impossible_rates, setup),
        cmocka_unit_test_setup(test_init_register_sequence, setup),
        cmocka_unit_test_setup(test_write_sends_bytes_in_order, setup),
        cmocka_unit_test_setup(test_write_waits_while_fifo_full, setup),
        cmocka_unit_test_setup(test_write_gives_up_on_stuck_uart, setup),
        cmocka_unit_test_setup(test_flush, setup),
        cmocka_unit_test_setup(test_rx_drains_fifo_in_order, setup),
        cmocka_unit_test_setup(test_rx_errors_and_overruns_counted, setup),
        cmocka_unit_test_setup(test_rx_ring_overflow, setup),
        cmocka_unit_test_setup(test_rx_4k_paste_slow_reader, setup),
        cmocka_unit_test_setup(test_rx_drain_is_bounded, setup),
        cmocka_unit_test_setup(test_init_empties_ring, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
