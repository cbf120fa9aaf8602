/*
 * The board's USB host and network device: powers the USB domain, brings up the DWC2 core at this board's
 * address with its bus alias, enumerates the bus behind the root port (the on-board hub and NIC, or QEMU's hub and
 * usb-net, or whatever sits on a Zero's OTG port) and starts the first network device a driver bound.
 *
 * Which drivers exist is board knowledge: every Pi model with Ethernet has it on USB (LAN951x on 1B/2B/3B,
 * LAN7800 on 3B+), and a Zero takes any CDC-ECM adapter. Main-loop context, like the rest of board.h.
 */
#include <stdio.h>

#include "board/board.h"
#include "board/common/bcm283x.h"
#include "board_config.h"
#include "drivers/mbox.h"
#include "drivers/netdev.h"
#include "drivers/usb/cdc_ecm.h"
#include "drivers/usb/dwc2.h"
#include "drivers/usb/lan78xx.h"
#include "drivers/usb/smsc95xx.h"
#include "drivers/usb/usb_core.h"
#include "drivers/usb/usb_hub.h"

/* How long the root port may take to see a device after power-on; only a Zero with nothing plugged in waits the
 * whole time. On-board hubs connect within a few milliseconds. */
#define BOARD_USB_CONNECT_TIMEOUT_US 500000u

/* Matching order: the chip drivers by vendor/product before the class drivers, hubs first. */
static const struct usb_driver *const board_usb_drivers[] = {
    &usb_hub_driver,
    &smsc95xx_driver,
    &lan78xx_driver,
    &cdc_ecm_driver,
};

static bool usb_started;
static int usb_start_err;
static struct netdev *net_device;

static int usb_start(void)
{
    netdev_set_board_mac(board_get_info()->mac);
    if (mbox_set_power_state(MBOX_POWER_USB, true) != 0) {
        return -USB_EIO;
    }
    int err = dwc2_init((uintptr_t)BOARD_PERIPH_BASE + BCM283X_USB_OFFSET, BOARD_BUS_ALIAS);
    if (err != 0) {
        return usb_error_from_dwc2(err);
    }
    usb_core_init(board_usb_drivers, sizeof board_usb_drivers / sizeof board_usb_drivers[0]);
    enum dwc2_speed speed;
    err = dwc2_port_reset(BOARD_USB_CONNECT_TIMEOUT_US, &speed);
    if (err != 0) {
        return usb_error_from_dwc2(err);
    }
    return usb_core_enumerate(NULL, 0, speed, NULL);
}

int board_net_start(void)
{
    if (!usb_started) {
        usb_started = true;
        usb_start_err = usb_start();
    }
    if (usb_start_err != 0) {
        return usb_start_err;
    }
    if (net_device != NULL && net_device->present && net_device->started) {
        return 0;
    }
    net_device = netdev_at(0);
    if (net_device == NULL) {
        return -USB_ENODRIVER;
    }
    int err = netdev_start(net_device);
    return err == 0 ? 0 : -USB_EIO;
}

const char *board_net_strerror(int err)
{
    return usb_strerror(err);
}

struct netdev *board_net_device(void)
{
    return net_device != NULL && net_device->present ? net_device : NULL;
}

void board_usb_poll(void)
{
    if (usb_started && usb_start_err == 0) {
        usb_core_poll();
    }
}

void board_usb_print_tree(void)
{
    if (!usb_started) {
        printf("USB not started\n");
        return;
    }
    printf("controller: DWC2 id %08lx, %u channels", (unsigned long)dwc2_core_id(), dwc2_channel_count());
    if (usb_start_err != 0) {
        printf(", start failed: %s\n", usb_strerror(usb_start_err));
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
