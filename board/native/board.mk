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
# `=`: drivers/drivers.mk, which defines the lists, is read after this file.
BOARD_DRIVERS = $(NETDEV_SRCS) $(STORAGE_SRCS)
BOARD_SRCS += board/native/board_native.c
BOARD_SRCS += board/native/native_storage.c
BOARD_SRCS += board/native/native_rng.c
BOARD_SRCS += board/native/slirp_netdev.c
include board/shared.mk
BOARD_SRCS += $(BOARD_SHARED_SRCS)
