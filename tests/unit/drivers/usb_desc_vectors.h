/*
 * usb_desc_vectors.h - descriptor sets shared by the USB host tests: QEMU usb-net's two configurations (RNDIS
 * first, CDC-ECM second, as QEMU's hw/usb/dev-network.c declares them) and a LAN9512-style vendor interface.
 */
#ifndef TESTS_UNIT_DRIVERS_USB_DESC_VECTORS_H
#define TESTS_UNIT_DRIVERS_USB_DESC_VECTORS_H

#include <stdint.h>

/* Device descriptor of QEMU's usb-net: class 2, ep0 64 bytes, 0525:a4a2, 2 configurations, iProduct 2. */
/* clang-format off */
static const uint8_t vec_net_device[18] = {
    18, 1, 0x00, 0x02, 0x02, 0x00, 0x00, 64, 0x25, 0x05, 0xa2, 0xa4, 0x00, 0x00, 1, 2, 10, 2,
};
/* clang-format on */

/* Configuration 2 (index 0): RNDIS control (2/2/ff) + data interface. */
/* clang-format off */
static const uint8_t vec_net_rndis_config[] = {
    9, 2, 67, 0, 2, 2, 9, 0xc0, 0x32,
    9, 4, 0, 0, 1, 0x02, 0x02, 0xff, 6,
    5, 0x24, 0x00, 0x10, 0x01,
    5, 0x24, 0x01, 0x00, 0x01,
    4, 0x24, 0x02, 0x00,
    5, 0x24, 0x06, 0x00, 0x01,
    7, 5, 0x81, 0x03, 16, 0, 32,
    9, 4, 1, 0, 2, 0x0a, 0x00, 0x00, 4,
    7, 5, 0x82, 0x02, 64, 0, 0,
    7, 5, 0x02, 0x02, 64, 0, 0,
};
/* clang-format on */

/* Configuration 1 (index 1): CDC-ECM control (2/6) with header, union, Ethernet (iMACAddress 3) descriptors,
 * notification endpoint, data interface alt 0 (no endpoints) and alt 1 (bulk IN 2, bulk OUT 2). */
/* clang-format off */
static const uint8_t vec_net_ecm_config[] = {
    9, 2, 80, 0, 2, 1, 7, 0xc0, 0x32,
    9, 4, 0, 0, 1, 0x02, 0x06, 0x00, 5,
    5, 0x24, 0x00, 0x10, 0x01,
    5, 0x24, 0x06, 0x00, 0x01,
    13, 0x24, 0x0f, 3, 0, 0, 0, 0, 0xea, 0x05, 0, 0, 0,
    7, 5, 0x81, 0x03, 16, 0, 32,
    9, 4, 1, 0, 0, 0x0a, 0x00, 0x00, 0,
    9, 4, 1, 1, 2, 0x0a, 0x00, 0x00, 4,
    7, 5, 0x82, 0x02, 64, 0, 0,
    7, 5, 0x02, 0x02, 64, 0, 0,
};
/* clang-format on */

/* A LAN9512-style vendor interface: bulk IN 1, bulk OUT 2 (512 bytes), interrupt IN 3. */
/* clang-format off */
static const uint8_t vec_smsc_config[] = {
    9, 2, 39, 0, 1, 1, 0, 0xe0, 1,
    9, 4, 0, 0, 3, 0xff, 0x00, 0xff, 0,
    7, 5, 0x81, 0x02, 0x00, 0x02, 0,
    7, 5, 0x02, 0x02, 0x00, 0x02, 0,
    7, 5, 0x83, 0x03, 16, 0, 4,
};
/* clang-format on */

/* QEMU's usb-hub: 1 interface of class 9, status endpoint IN 1 with 1-byte reports every 255 ms. */
/* clang-format off */
static const uint8_t vec_hub_config[] = {
    9, 2, 25, 0, 1, 1, 0, 0xe0, 0,
    9, 4, 0, 0, 1, 0x09, 0x00, 0x00, 0,
    7, 5, 0x81, 0x03, 2, 0, 255,
};
/* clang-format on */

#endif /* TESTS_UNIT_DRIVERS_USB_DESC_VECTORS_H */
