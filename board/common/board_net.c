/*
 * The Pi boards' network devices (board.h's network section): every BCM283x Pi reaches its NIC over USB, so this is
 * which USB domain to power, where the DWC2 core sits and with which bus alias its DMA sees RAM, which drivers the
 * model's NIC needs (pi_nic.h), and how a long bring-up keeps the watchdog fed. The bring-up itself, its retries,
 * the root port watch and the start of network devices that appear are board-neutral (drivers/usb/usb_host.c).
 *
 * A board whose NIC is not on USB (the Pi 4's GENET) would start its driver here instead, behind the same
 * functions. Main-loop context, like the rest of board.h.
 */
#include <stdio.h>

#include "board/board.h"
#include "board/common/bcm283x.h"
#include "board/common/board_pi.h"
#include "board/common/pi_models.h"
#include "board/common/pi_nic.h"
#include "board_config.h"
#include "drivers/mbox.h"
#include "drivers/netdev.h"
#include "drivers/usb/dwc2.h"
#include "drivers/usb/usb_core.h"
#include "drivers/usb/usb_host.h"

static bool usb_started, usb_wake_enabled;

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

/* Once the controller is up, dwc2_init() has left only channel halts raising the core's interrupt (whether or not a
 * device answered): received frames may wake the idle from then on. Not before: a start that failed before or
 * inside dwc2_init() leaves whatever the GPU firmware left, and a raised line would end every sleep at once. A
 * controller that comes up on a later retry (usb_host_poll()) gets its wake-up then. */
static void usb_wake_once_up(void)
{
    if (!usb_wake_enabled && usb_host_controller_up()) {
        usb_wake_enabled = true;
        board_pi_usb_wake_enable();
    }
}

/* Where the bring-up stands, in the board's words. */
static int net_state(void)
{
    if (started_device() != NULL) {
        return 0;
    }
    if (!usb_host_controller_up()) {
        return BOARD_NET_ERR_CONTROLLER;
    }
    int err = usb_host_error();
    if (err == -USB_ENODEV) {
        return BOARD_NET_ERR_NO_DEVICE;
    }
    if (err != 0) {
        return BOARD_NET_ERR_BUS;
    }
    return netdev_at(0) == NULL ? BOARD_NET_ERR_NO_NIC : BOARD_NET_ERR_NOT_STARTED;
}

int board_net_start(void)
{
    if (!usb_started) {
        usb_started = true;
        netdev_set_board_mac(board_get_info()->mac);
        struct usb_host_config cfg = {
            .core_base = (uintptr_t)BOARD_PERIPH_BASE + BCM283X_USB_OFFSET,
            .bus_alias = BOARD_BUS_ALIAS,
            .power_on = usb_power_on,
            .keepalive = board_pi_watchdog_feed,
        };
        cfg.drivers = pi_nic_usb_drivers(pi_model_lookup(board_get_info()->revision), &cfg.driver_count);
        usb_host_init(&cfg);
        usb_host_start();
        usb_wake_once_up();
    }
    return net_state();
}

struct netdev *board_net_device(void)
{
    return started_device();
}

void board_net_poll(void)
{
    if (usb_started) {
        usb_host_poll();
        usb_wake_once_up();
    }
}

void board_net_list(void)
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
    netdev_print_all();
}
