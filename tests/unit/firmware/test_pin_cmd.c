/*
 * Unit tests for the `pin` console command (firmware/pin_cmd) over the real input layer (board/input_pins): reading a
 * level, simulating one where the board allows it, the refusal on real hardware, refused pins with the board's
 * reason, the alert named from the configuration, and usage errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "board/input_pins.h"
#include "fake_board.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "firmware/pin_cmd.h"
#include "stdout_capture.h"

static uint32_t hw_levels; /* what the pins of the "hardware" board read */

static int hw_level(unsigned gpio)
{
    return (int)((hw_levels >> gpio) & 1u);
}

static const struct input_pins_port hardware = { .header = PI_HEADER_40, .level = hw_level };
static const struct input_pins_port simulated = { .header = PI_HEADER_40, .simulated = true };
static const struct input_pins_port pi1_rev1 = { .header = PI_HEADER_26_REV1, .simulated = true };

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    console_init();
    assert_int_equal(pin_cmd_register(), CONSOLE_OK);
    input_pins_init(&simulated);
    hw_levels = 0;
    return 0;
}

/* Runs a console line and checks its result and that its output holds text. */
static void expect_out(const char *line, int result, const char *text)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", line);
    stdout_capture_begin();
    int got = console_execute(buf);
    const char *out = stdout_capture_end();
    if (got != result || strstr(out, text) == NULL) {
        fail_msg("`%s` returned %d (expected %d); expected \"%s\" in:\n%s", line, got, result, text, out);
    }
}

static void test_simulated_board(void **state)
{
    (void)state;
    expect_out("pin 17 low", 0, "GPIO 17 (header pin 11): low (simulated); no alert watches it\n");
    expect_out("pin 17", 0, "GPIO 17 (header pin 11): low; no alert watches it\n");
    expect_out("pin 17 high", 0, "GPIO 17 (header pin 11): high (simulated)");
    expect_out("pin 17", 0, "GPIO 17 (header pin 11): high;");
    /* A watched pin's simulated change reaches the input layer as a change. */
    assert_int_equal(board_input_watch(22, BOARD_PULL_UP), 0);
    fake_board_set_uptime_us(12345);
    expect_out("pin 22 low", 0, "GPIO 22 (header pin 15): low (simulated)");
    struct board_input_change c;
    assert_true(board_input_next_change(22, &c));
    assert_int_equal(c.level, 0);
    assert_int_equal(c.at_us, 12345);
}

static void test_real_hardware_refuses_simulation(void **state)
{
    (void)state;
    input_pins_init(&hardware);
    hw_levels = 1u << 17;
    expect_out("pin 17 low", BOARD_ERR_NOT_SIMULATED,
               "pin: refused on real hardware: input levels can be simulated only on the native board and under "
               "QEMU; GPIO 17 follows what is wired to it\n");
    expect_out("pin 17", 0, "GPIO 17 (header pin 11): high; no alert watches it\n");
    expect_out("pin 14 low", BOARD_ERR_INPUT_PIN,
               "pin: GPIO 14 cannot be watched: it carries the serial console's TXD");
}

static void test_refused_pins_and_usage(void **state)
{
    (void)state;
    expect_out("pin 15", BOARD_ERR_INPUT_PIN, "pin: GPIO 15 cannot be watched: it carries the serial console's RXD");
    expect_out("pin 28 high", BOARD_ERR_INPUT_PIN, "it is not on the 40-pin header (GPIO 0-27 are)");
    expect_out("pin 999", BOARD_ERR_INPUT_PIN, "it is not a BCM GPIO");
    static const char *const bad[] = { "pin", "pin x", "pin -1", "pin +4", "pin 1000", "pin 4 up", "pin 4 low now" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect_out(bad[i], CONSOLE_ERR_USAGE, "usage: pin N [low|high]");
    }
}

/* The header is the board's: a rev 1 Model B has GPIO 0 on pin 3 and no GPIO 2. */
static void test_header_of_the_board(void **state)
{
    (void)state;
    input_pins_init(&pi1_rev1);
    expect_out("pin 0 high", 0, "GPIO 0 (header pin 3): high (simulated)");
    expect_out("pin 2", BOARD_ERR_INPUT_PIN, "pin: GPIO 2 cannot be watched: it is not on this model's 26-pin header");
}

static void test_names_the_alert(void **state)
{
    (void)state;
    static const char conf[] = "MailHub=mx.example.com\nRoot=ops@example.com\nAlert=door: gpio=17\n";
    fake_board_add_file("smtp.conf", conf, strlen(conf));
    stdout_capture_begin();
    assert_int_equal(config_load_boot(), CONFIG_LOAD_OK);
    stdout_capture_end();
    expect_out("pin 17", 0, "; watched by alert 'door'\n");
    expect_out("pin 4", 0, "; no alert watches it\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_simulated_board, setup),
        cmocka_unit_test_setup(test_real_hardware_refuses_simulation, setup),
        cmocka_unit_test_setup(test_refused_pins_and_usage, setup),
        cmocka_unit_test_setup(test_header_of_the_board, setup),
        cmocka_unit_test_setup(test_names_the_alert, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
