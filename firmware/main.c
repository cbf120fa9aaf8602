/*
 * The application's entry and main loop. Everything runs here, in thread context: interrupt handlers only move
 * bytes into buffers, and this loop picks them up. One pass of everything but the console is main_loop_pass()
 * (firmware/main_loop.h), which console commands that wait call too; it starts with board_idle_until(), which is also
 * the watchdog's proof of life on real boards.
 */
#include <stdio.h>

#include "board/board.h"
#include "firmware/alerts.h"
#include "firmware/alerts_cmd.h"
#include "firmware/banner.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "firmware/console_builtin.h"
#include "firmware/crash_cmd.h"
#include "firmware/iperf_cmd.h"
#include "firmware/log_cmd.h"
#include "firmware/mail_cmd.h"
#include "firmware/main_loop.h"
#include "firmware/net_cmd.h"
#include "firmware/net_settings.h"
#include "firmware/outbox_cmd.h"
#include "firmware/outbox_delivery.h"
#include "firmware/pin_cmd.h"
#include "firmware/persist.h"
#include "firmware/usb_cmd.h"
#include "net/net.h"
#include "net/net_stack.h"

static void print_library_versions(void)
{
    char versions[96];
    net_stack_versions(versions, sizeof versions);
    printf("libraries: %s\n", versions);
}

static const struct console_builtin_info builtin_info = {
    .print_extra_version = print_library_versions,
};

int main(void)
{
    board_init();
    banner_print();
    /* A missing or bad configuration is reported and the console still starts, so the user can see what is wrong. */
    config_load_boot();
    /* Before the network: at boot the outbox gets its undelivered mails back from the journal before it can send. */
    persist_init();
    outbox_delivery_init(config_load_current(), persist_journal());

    int err = net_stack_init();
    if (err != 0) {
        printf("network stack: %s\n", net_stack_strerror(err));
    }
    struct net_settings net_settings;
    net_settings_interface(&net_settings, config_load_current());
    net_init(&net_settings);
    /* The interface follows the device whenever it appears (net_poll()), so a failure here is not final. */
    err = board_net_start();
    if (err != 0) {
        printf("network device: %s\n", board_net_strerror(err));
    }

    /* Inputs feed the alert engine, which feeds the outbox. Without a usable configuration nothing is watched or
     * queued, and `alerts` and `outbox` say why. */
    const struct config *cfg = config_load_current();
    if (cfg != NULL) {
        alerts_init(cfg, outbox_delivery_add, NULL);
    }

    console_init();
    console_builtin_register(&builtin_info);
    crash_cmd_register();
    config_load_register();
    usb_cmd_register();
    net_cmd_register();
    iperf_cmd_register();
    mail_cmd_register();
    pin_cmd_register();
    alerts_cmd_register();
    outbox_cmd_register();
    log_cmd_register();
    console_start();
    for (;;) {
        main_loop_pass();
        console_poll();
    }
}
