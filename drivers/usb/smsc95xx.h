/*
 * smsc95xx.h - driver for the SMSC (Microchip) LAN9512/LAN9514/LAN9500 USB 2.0 Ethernet controller, the Ethernet
 * port of the Raspberry Pi 1B/B+, 2B and 3B (behind the chip's own hub).
 *
 * The chip has no EEPROM on a Pi: the MAC is the one the firmware reports (netdev_set_board_mac()). Frames go out
 * with the two TX command words and come in behind one RX status word (LAN9512 datasheet, "Bulk Out/In Frame
 * Format"); link state and speed come from the internal PHY over MII, polled about once a second.
 *
 * Rules: registered with usb_core_init(); main loop only.
 */
#ifndef DRIVERS_USB_SMSC95XX_H
#define DRIVERS_USB_SMSC95XX_H

#include "drivers/usb/usb_core.h"

extern const struct usb_driver smsc95xx_driver;

#endif /* DRIVERS_USB_SMSC95XX_H */
