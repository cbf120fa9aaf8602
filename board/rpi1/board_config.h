/*
 * board_config.h (rpi1) - Raspberry Pi 1 A/B/A+/B+, Zero and Zero W running kernel.img.
 * BCM2835: one ARM1176JZF-S core, peripherals at 0x20000000.
 */
#ifndef BOARD_RPI1_BOARD_CONFIG_H
#define BOARD_RPI1_BOARD_CONFIG_H

#define BOARD_NAME        "rpi1"
#define BOARD_PERIPH_BASE 0x20000000u
/* BCM2835 has no per-core local block. */
#define BOARD_LOCAL_PERIPH_BASE 0u
#define BOARD_LOCAL_PERIPH_SIZE 0u
/* VideoCore bus alias of ARM RAM through the GPU's L2 cache, which the ARM shares on BCM2835. */
#define BOARD_BUS_ALIAS  0x40000000u
#define BOARD_IMAGE_NAME "kernel.img"

#endif /* BOARD_RPI1_BOARD_CONFIG_H */
