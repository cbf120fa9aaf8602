/*
 * lan78xx.h - driver for the Microchip LAN7800 USB 3.0/2.0 gigabit Ethernet controller, the Ethernet port of the
 * Raspberry Pi 3B+ (behind the LAN7515 hub), and its LAN7801/LAN7850 siblings.
 *
 * Like the LAN951x it has no EEPROM on a Pi and takes the firmware's MAC (netdev_set_board_mac()). Frames go out
 * behind TX command words A and B, and come in behind RX command words A, B (32-bit) and C (16-bit), each frame
 * padded to a 4-byte boundary (LAN7800 datasheet, "Bulk-Out/In Packet Format"). Link state from the internal
 * PHY over MII, polled about once a second; the MAC follows the PHY's speed and duplex by itself.
 *
 * Rules: registered with usb_core_init(); main loop only.
 */
#ifndef DRIVERS_USB_LAN78XX_H
#define DRIVERS_USB_LAN78XX_H

#include "drivers/usb/usb_core.h"

extern const struct usb_driver lan78xx_driver;

#endif /* DRIVERS_USB_LAN78XX_H */
