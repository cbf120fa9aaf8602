/*
 * pi_nic.h - which network drivers a Raspberry Pi model needs, from its NIC in the model table (pi_models.h).
 *
 * Every BCM2835..7 Pi reaches its network over USB: the on-board chip (a LAN951x or a LAN7515) sits behind the
 * chip's own hub, and a model without one (A, A+, Zero, compute modules) takes a USB adapter. So every model gets
 * the hub driver and the CDC-ECM class driver (adapters, QEMU's usb-net), and the chip driver its NIC names. An
 * unknown model (a revision code the table lacks) gets every chip driver: it is most likely a Pi we support under
 * a new code. A board whose NIC is not on USB (the Pi 4's GENET) would add its case here and in board_net.c.
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
