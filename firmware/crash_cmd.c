/*
 * The `crash` console command: a deliberate NULL pointer write, so that users and tests can see the crash
 * report and the reboot that follows work on their board.
 */
#include "firmware/crash_cmd.h"

#include <stdint.h>
#include <stdio.h>

#include "firmware/console.h"
#include "lib/units.h"

static int crash_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    /* Through a volatile so the compiler cannot see the NULL and turn the store into something else. */
    volatile uintptr_t null_address = 0;
    printf("writing to address 0: expect a crash report and a reboot\n");
    *(volatile uint32_t *)null_address = 0xDEADu;
    printf("the write to address 0 did not fault: no memory protection on this board\n");
    return CONSOLE_ERR_FAILED;
}

/* clang-format off */
static const struct console_cmd crash_cmds[] = {
    { "crash", "", "write to address 0 on purpose, to check the crash report and reboot", crash_run },
};
/* clang-format on */

int crash_cmd_register(void)
{
    return console_register(crash_cmds, ARRAY_SIZE(crash_cmds));
}
