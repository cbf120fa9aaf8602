/*
 * The board's USB host and network device: which USB domain to power, where the DWC2 core sits and with which bus
 * alias its DMA sees RAM, which drivers exist, and how a long bring-up keeps the watchdog fed. The bring-up itself,
 * its retries and the root port watch are board-neutral (drivers/usb/usb_host.c).
 *
 * Which drivers exist is board knowledge: every Pi model with Ethernet has it on USB (LAN951x on 1B/2B/3B,
 * LAN7800 on 3B+), and a Zero takes any CDC-ECM adapter. Main-loop context, like the rest of board.h.
 */
#include <stdio.h>

#include "board/board.h"
#include "board/common/bcm283x.h"
#include "board/common/board_pi.h"
#include "board_config.h"
#include "drivers/mbox.h"
#include "drivers/netdev.h"
#include "drivers/usb/cdc_ecm.h"
#include "drivers/usb/dwc2.h"
#include "drivers/usb/lan78xx.h"
#include "drivers/usb/smsc95xx.h"
#include "drivers/usb/usb_core.h"
#include "drivers/usb/usb_host.h"
#include "drivers/usb/usb_hub.h"

/* Matching order: the chip drivers by vendor/product before the class drivers, hubs first. */
static const struct usb_driver *const board_usb_drivers[] = {
    &usb_hub_driver,
    &smsc95xx_driver,
    &lan78xx_driver,
    &cdc_ecm_driver,
};

static bool usb_started;

static int usb_power_on(void)
{
    return mbox_set_power_state(MBOX_POWER_USB, true) == 0 ? 0 : -USB_EIO;
}

static struct netdev *started_device(void)
{
    struct netdev *nd;
    for (size_t i = 0; (nd = netdev_at(i)) != NULL; i++) {
        if (nd->started) {
            return nd;
        }
    }
    return NULL;
}

int board_net_start(void)
{
    if (!usb_started) {
        usb_started = true;
        netdev_set_board_mac(board_get_info()->mac);
        const struct usb_host_config cfg = {
            .core_base = (uintptr_t)BOARD_PERIPH_BASE + BCM283X_USB_OFFSET,
            .bus_alias = BOARD_BUS_ALIAS,
            .drivers = board_usb_drivers,
            .driver_count = sizeof board_usb_drivers / sizeof board_usb_drivers[0],
            .power_on = usb_power_on,
            .keepalive = board_pi_watchdog_feed,
        };
        usb_host_init(&cfg);
        int err = usb_host_start();
        /* usb_host_start() ran dwc2_init(), which leaves only channel halts raising the core's interrupt (whether or
         * not a device answered): received frames may wake the idle now. */
        board_pi_usb_wake_enable();
        return err;
    }
    if (started_device() != NULL) {
        return 0;
    }
    int err = usb_host_error();
    if (err != 0) {
        return err;
    }
    return netdev_at(0) == NULL ? -USB_ENODRIVER : -USB_EIO;
}

const char *board_net_strerror(int err)
{
    return usb_strerror(err);
}

struct netdev *board_net_device(void)
{
    return started_device();
}

void board_usb_poll(void)
{
    if (usb_started) {
        usb_host_poll();
    }
}

void board_usb_print_tree(void)
{
    if (!usb_started || !usb_host_controller_up()) {
        printf("USB not started");
        if (usb_started && usb_host_error() != 0) {
            printf(": %s (trying again)", usb_strerror(usb_host_error()));
        }
        printf("\n");
        return;
    }
    printf("controller: DWC2 id %08lx, %u channels", (unsigned long)dwc2_core_id(), dwc2_channel_count());
    if (usb_host_error() != 0) {
        printf(", root port: %s (trying again)\n", usb_strerror(usb_host_error()));
    } else {
        printf("\n");
    }
    usb_core_print_tree();
    for (size_t i = 0; netdev_at(i) != NULL; i++) {
        struct netdev *nd = netdev_at(i);
        char mac[3 * NETDEV_MAC_LEN];
        netdev_format_mac(nd->mac, mac, sizeof mac);
        printf("net%u: %s %s, %s, link %s", (unsigned)i, nd->name, mac, nd->started ? "started" : "not started",
               netdev_link_up(nd) ? "up" : "down");
        if (nd->speed_mbps != 0) {
            printf(" %lu Mbit/s %s", (unsigned long)nd->speed_mbps, nd->full_duplex ? "full duplex" : "half duplex");
        }
        printf("\n");
    }
}
