/*
 * The `usb` console command (the name users know; on any board it lists what carries the network devices: a Pi's
 * USB tree, the native board's slirp). It brings the network devices up itself when nothing has yet
 * (board_net_start() is idempotent), so they can be inspected even when the network stack did not start.
 */
#include "firmware/usb_cmd.h"

#include <stdio.h>

#include "board/board.h"
#include "firmware/console.h"
#include "lib/units.h"

static int usb_run(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        printf("usage: usb\n");
        return CONSOLE_ERR_USAGE;
    }
    int err = board_net_start();
    if (err != 0) {
        printf("network device: %s\n", board_net_strerror(err));
    }
    board_net_list();
    return 0;
}

/* clang-format off */
static const struct console_cmd usb_cmds[] = {
    { "usb", "", "list USB devices (hub port path, speed, vendor:product, class, driver) and network devices",
      usb_run },
};
/* clang-format on */

int usb_cmd_register(void)
{
    return console_register(usb_cmds, ARRAY_SIZE(usb_cmds));
}
