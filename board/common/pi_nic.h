/*
 * pi_nic.h - which network drivers a Raspberry Pi model needs, from its NIC in the model table (pi_models.h).
 *
 * Every BCM2835..7 Pi reaches its network over USB: the on-board chip (a LAN951x or a LAN7515) sits behind the
 * chip's own hub, and any model may take a USB adapter instead or besides (the only way on an A, A+, Zero or
 * compute module). Adapters carry the same chips (LAN9500, LAN7800/7850 dongles) or speak CDC-ECM, so every model
 * gets every driver: narrowing the list to the on-board chip would refuse such an adapter. The model's NIC orders
 * the chip drivers: its own first, so the device every such board has matches at the first try. A board whose NIC is not on USB (the
 * Pi 4's GENET) would add its case here and in board_net.c.
 *
 * Constant data: callable from anywhere.
 */
#ifndef BOARD_COMMON_PI_NIC_H
#define BOARD_COMMON_PI_NIC_H

#include <stddef.h>

#include "board/common/pi_models.h"
#include "drivers/usb/usb_core.h"

/* The USB drivers for model m, in matching order (hubs first, then chips by vendor/product, then class drivers), as
 * usb_host_config wants them; *count gets their number. Never NULL. */
const struct usb_driver *const *pi_nic_usb_drivers(const struct pi_model *m, size_t *count);

#endif /* BOARD_COMMON_PI_NIC_H */
