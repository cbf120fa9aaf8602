# The native board: the firmware's application as a Linux program, build/native/baremail (see board_native.c).
# Host gcc, the host C library, no linker script and no boot image. The network device is libslirp (Debian's
# libslirp-dev), the same user-mode network as QEMU's -netdev user. Only the drivers without hardware behind them
# are linked: the netdev registry and the storage stack, which reads an SD card image through a file here.
ARCH_FLAGS :=
# POSIX and Linux interfaces (clock_gettime, termios, getrandom) under -std=c11, as in the host tests.
BOARD_DEFS := -D_DEFAULT_SOURCE
ELF_NAME := baremail
IMAGE_NAME :=
LINK_FLAGS := -Wl,--gc-sections -Wl,-Map=$(O)/baremail.map
LINK_LIBS := -lslirp
BOARD_DRIVERS := drivers/netdev.c drivers/blockdev.c drivers/storage/mbr.c drivers/storage/fat.c
BOARD_SRCS += board/native/board_native.c
BOARD_SRCS += board/native/native_storage.c
BOARD_SRCS += board/boot_volume.c
BOARD_SRCS += board/journal_area.c
BOARD_SRCS += board/native/native_rng.c
BOARD_SRCS += board/native/slirp_netdev.c
BOARD_SRCS += board/board_names.c
BOARD_SRCS += board/input_pins.c
BOARD_SRCS += board/pi_header.c
