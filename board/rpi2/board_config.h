/*
 * board_config.h (rpi2) - Raspberry Pi 2B, 3B, 3B+ and Zero 2 W running kernel7.img in 32-bit mode.
 * BCM2836/BCM2837: Cortex-A7 or Cortex-A53 cores, peripherals at 0x3F000000, per-core local block at 0x40000000.
 */
#ifndef BOARD_RPI2_BOARD_CONFIG_H
#define BOARD_RPI2_BOARD_CONFIG_H

#define BOARD_NAME        "rpi2"
#define BOARD_PERIPH_BASE 0x3F000000u
/* BCM2836 "QA7" local peripherals: interrupt routing to cores. */
#define BOARD_LOCAL_PERIPH_BASE 0x40000000u
#define BOARD_LOCAL_PERIPH_SIZE 0x00100000u
/* VideoCore bus alias of ARM RAM seen uncached by the GPU (the L2 is not shared with the ARM on these SoCs). */
#define BOARD_BUS_ALIAS  0xC0000000u
#define BOARD_IMAGE_NAME "kernel7.img"

#endif /* BOARD_RPI2_BOARD_CONFIG_H */
