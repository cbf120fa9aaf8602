#include "firmware/console_builtin.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "firmware/banner.h"
#include "firmware/console.h"
#include "lib/units.h"

static struct console_builtin_info builtin_info;
static void (*status_providers[CONSOLE_BUILTIN_MAX_STATUS])(void);
static size_t status_provider_count;

static bool check_no_args(int argc, char **argv)
{
    if (argc > 1) {
        printf("usage: %s (takes no arguments)\n", argv[0]);
        return false;
    }
    return true;
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* Width of "name args", the first column of the help listing. */
static size_t synopsis_width(const struct console_cmd *cmd)
{
    size_t args_len = strlen(or_empty(cmd->args));

    return strlen(cmd->name) + (args_len > 0 ? 1 + args_len : 0);
}

static int cmd_help(int argc, char **argv)
{
    const struct console_cmd *cmd;
    size_t width = 0;

    if (!check_no_args(argc, argv)) {
        return CONSOLE_ERR_USAGE;
    }
    for (size_t i = 0; (cmd = console_command_at(i)) != NULL; i++) {
        size_t w = synopsis_width(cmd);
        width = w > width ? w : width;
    }
    for (size_t i = 0; (cmd = console_command_at(i)) != NULL; i++) {
        const char *args = or_empty(cmd->args);
        printf("  %s%s%s%*s  %s\n", cmd->name, args[0] != '\0' ? " " : "", args, (int)(width - synopsis_width(cmd)), "",
               or_empty(cmd->help));
    }
    return CONSOLE_OK;
}

static int cmd_version(int argc, char **argv)
{
    if (!check_no_args(argc, argv)) {
        return CONSOLE_ERR_USAGE;
    }
    banner_print_firmware();
    printf("model:    %s\n", board_get_info()->model);
    if (builtin_info.print_extra_version != NULL) {
        builtin_info.print_extra_version();
    }
    return CONSOLE_OK;
}

static int cmd_status(int argc, char **argv)
{
    size_t in_use;
    size_t peak;
    size_t total;

    if (!check_no_args(argc, argv)) {
        return CONSOLE_ERR_USAGE;
    }
    /* Whole days fit 32 bits for 11 million years: split once in 64 bits, then stay in native arithmetic. */
    uint64_t seconds = board_uptime_us() / US_PER_S;
    unsigned long days = (unsigned long)(seconds / S_PER_DAY);
    unsigned long rest = (unsigned long)(seconds % S_PER_DAY);
    printf("uptime:   %lud %02luh %02lum %02lus\n", days, rest / S_PER_HOUR, rest % S_PER_HOUR / S_PER_MIN,
           rest % S_PER_MIN);

    board_heap_stats(&in_use, &peak, &total);
    printf("heap:     %lu bytes in use, peak %lu, available %lu\n", (unsigned long)in_use, (unsigned long)peak,
           (unsigned long)total);
    uint32_t passes, sleeps;
    board_idle_stats(&passes, &sleeps);
    printf("idle:     %lu passes, %lu of them slept, at %llu ms\n", (unsigned long)passes, (unsigned long)sleeps,
           (unsigned long long)(board_uptime_us() / US_PER_MS));
    banner_print_reset_cause();
    for (size_t i = 0; i < status_provider_count; i++) {
        status_providers[i]();
    }
    return CONSOLE_OK;
}

static int cmd_reboot(int argc, char **argv)
{
    if (!check_no_args(argc, argv)) {
        return CONSOLE_ERR_USAGE;
    }
    printf("rebooting\n");
    fflush(stdout);
    board_reboot(BOARD_RESET_CONSOLE, "console command");
}

static int cmd_poweroff(int argc, char **argv)
{
    if (!check_no_args(argc, argv)) {
        return CONSOLE_ERR_USAGE;
    }
    printf("powering off\n");
    fflush(stdout);
    board_poweroff();
}

/* clang-format off */
static const struct console_cmd builtin_commands[] = {
    { "help", NULL, "list the commands", cmd_help },
    { "version", NULL, "firmware, board and library versions", cmd_version },
    { "status", NULL, "uptime, heap use, idle passes and the cause of the last reset", cmd_status },
    { "reboot", NULL, "restart the board", cmd_reboot },
    { "poweroff", NULL, "halt the board (a Pi stops until power is cycled; QEMU and the native board exit)", cmd_poweroff },
};
/* clang-format on */

int console_builtin_register(const struct console_builtin_info *info)
{
    builtin_info = info != NULL ? *info : (struct console_builtin_info){ 0 };
    status_provider_count = 0;
    return console_register(builtin_commands, ARRAY_SIZE(builtin_commands));
}

int console_builtin_add_status(void (*print_status)(void))
{
    if (print_status == NULL) {
        return CONSOLE_ERR_INVALID;
    }
    if (status_provider_count == CONSOLE_BUILTIN_MAX_STATUS) {
        return CONSOLE_ERR_FULL;
    }
    status_providers[status_provider_count++] = print_status;
    return CONSOLE_OK;
}
