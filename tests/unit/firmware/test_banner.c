/* Unit tests for firmware/banner: the boot banner from the board's facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fake_board.h"
#include "firmware/banner.h"
#include "stdout_capture.h"

static int setup(void **state)
{
    (void)state;
    fake_board_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stdout_capture_end();
    return 0;
}

static const char *capture_banner(void)
{
    stdout_capture_begin();
    banner_print();
    return stdout_capture_end();
}

static void test_banner_emulated_pi2_after_console_reboot(void **state)
{
    (void)state;
    fake_board_set_reset_cause(BOARD_RESET_CONSOLE, "console command");
    assert_string_equal(capture_banner(), "baremail v9.8.7-test (built 2000-01-02, board testboard)\n"
                                          "model:    Raspberry Pi 2 Model B\n"
                                          "soc:      BCM2836\n"
                                          "revision: 0x00a21041\n"
                                          "serial:   00000000f00dcafe\n"
                                          "memory:   1024 MiB\n"
                                          "boot:     ATAGs\n"
                                          "reset:    console reboot (console command)\n"
                                          "emulated: yes (QEMU)\n");
}

static void test_banner_real_board_unknown_facts(void **state)
{
    struct board_info *info = fake_board_info();

    (void)state;
    info->model = "Raspberry Pi Zero W";
    info->soc = "BCM2835";
    info->revision = 0;
    info->serial = 0;
    info->mem_size = 448u * 1024u * 1024u + 4096u;
    info->emulated = false;
    assert_string_equal(capture_banner(), "baremail v9.8.7-test (built 2000-01-02, board testboard)\n"
                                          "model:    Raspberry Pi Zero W\n"
                                          "soc:      BCM2835\n"
                                          "revision: unknown\n"
                                          "serial:   unknown\n"
                                          "memory:   448 MiB\n"
                                          "boot:     ATAGs\n"
                                          "reset:    power-on\n"
                                          "emulated: no\n");
}

/* Both halves of a 64-bit serial are printed, high half first. */
static void test_banner_serial_uses_all_64_bits(void **state)
{
    (void)state;
    fake_board_info()->serial = 0x123456789abcdef0ull;
    assert_non_null(strstr(capture_banner(), "\nserial:   123456789abcdef0\n"));
}

/* The loader's command line is shown quoted, so an empty or odd one is visible as such. */
static void test_banner_shows_boot_source_and_command_line(void **state)
{
    (void)state;
    fake_board_info()->boot_source = "device tree";
    fake_board_info()->cmdline = "console=serial0 quiet";
    assert_non_null(strstr(capture_banner(), "\nboot:     device tree, command line \"console=serial0 quiet\"\n"));
}

static void test_reset_cause_line(void **state)
{
    static const struct {
        enum board_reset_cause cause;
        const char *detail;
        const char *line;
    } vectors[] = {
        { BOARD_RESET_POWER_ON, "", "reset:    power-on\n" },
        { BOARD_RESET_CRASH, "data abort at 0x00012345", "reset:    crash (data abort at 0x00012345)\n" },
        { BOARD_RESET_WATCHDOG, NULL, "reset:    watchdog timeout\n" },
        { BOARD_RESET_REQUESTED, "config changed", "reset:    firmware request (config changed)\n" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        fake_board_set_reset_cause(vectors[i].cause, vectors[i].detail);
        stdout_capture_begin();
        banner_print_reset_cause();
        const char *out = stdout_capture_end();
        assert_string_equal(out, vectors[i].line);
    }
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_banner_emulated_pi2_after_console_reboot),
        TEST(test_banner_real_board_unknown_facts),
        TEST(test_banner_serial_uses_all_64_bits),
        TEST(test_banner_shows_boot_source_and_command_line),
        TEST(test_reset_cause_line),
    };
    return cmocka_run_group_tests_name("banner", tests, NULL, NULL);
}
