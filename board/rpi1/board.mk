# Raspberry Pi 1 A/B/A+/B+, Zero, Zero W (BCM2835): ARM1176JZF-S with VFPv2.
ARCH_FLAGS := -mcpu=arm1176jzf-s -mfpu=vfp -mfloat-abi=hard -marm
IMAGE_NAME := kernel.img
include board/common/common.mk
