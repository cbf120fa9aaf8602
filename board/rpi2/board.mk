# Raspberry Pi 2B/3B/3B+/Zero 2 W (BCM2836/7), 32-bit: Cortex-A7 code runs on the A53 too.
ARCH_FLAGS := -mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard -marm
IMAGE_NAME := kernel7.img
include board/common/common.mk
