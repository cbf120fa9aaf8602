/*
 * usb_cmd.h - the `usb` console command: the USB device tree and the network devices on it. Register once at
 * start-up, from the main loop.
 */
#ifndef FIRMWARE_USB_CMD_H
#define FIRMWARE_USB_CMD_H

/* Adds `usb` to the console; returns console_register()'s result. */
int usb_cmd_register(void);

#endif /* FIRMWARE_USB_CMD_H */
