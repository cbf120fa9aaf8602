/*
 * bcm283x.h - where each peripheral block sits inside the BCM283x peripheral window.
 *
 * The offsets are the same on BCM2835, BCM2836 and BCM2837; only the window's base differs, and that comes from
 * the board (BOARD_PERIPH_BASE in board/<board>/board_config.h). Source: BCM2835 ARM Peripherals, section 1.2.
 */
#ifndef BOARD_COMMON_BCM283X_H
#define BOARD_COMMON_BCM283X_H

#define BCM283X_PERIPH_SIZE 0x01000000u

#define BCM283X_SYSTIMER_OFFSET 0x00003000u
#define BCM283X_ARMCTRL_OFFSET  0x0000B200u /* ARM interrupt controller */
#define BCM283X_MBOX_OFFSET     0x0000B880u
#define BCM283X_PM_OFFSET       0x00100000u /* power management: watchdog and reset status */
#define BCM283X_RNG_OFFSET      0x00104000u
#define BCM283X_GPIO_OFFSET     0x00200000u
#define BCM283X_UART0_OFFSET    0x00201000u /* PL011 */
#define BCM283X_EMMC_OFFSET     0x00300000u /* Arasan SDHCI */
#define BCM283X_USB_OFFSET      0x00980000u /* Synopsys DWC2 */

/* GPIO pins the PL011 uses on the 40-pin header (ALT0), and the ones the firmware routes to Bluetooth (ALT3). */
#define BCM283X_UART0_TXD_PIN   14u
#define BCM283X_UART0_RXD_PIN   15u
#define BCM283X_BT_UART_TXD_PIN 32u
#define BCM283X_BT_UART_RXD_PIN 33u

#endif /* BOARD_COMMON_BCM283X_H */
