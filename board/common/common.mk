# Code shared by the Raspberry Pi boards (BCM283x): start-up, MMU, exceptions, newlib glue, board interface.
CROSS_COMPILE ?= arm-none-eabi-
LDSCRIPT := linker/pi.ld
BOARD_SRCS += board/common/start.S
BOARD_SRCS += board/common/vectors.S
BOARD_SRCS += board/common/boot.c
BOARD_SRCS += board/common/mmu.c
BOARD_SRCS += board/common/cache.c
BOARD_SRCS += board/common/crash.c
BOARD_SRCS += board/common/resetinfo.c
BOARD_SRCS += board/common/syscalls.c
BOARD_SRCS += board/common/board_pi.c
BOARD_SRCS += board/common/bootinfo.c
BOARD_SRCS += board/common/pi_models.c
BOARD_SRCS += board/common/pi_nic.c
BOARD_SRCS += board/common/pi_input.c
BOARD_SRCS += board/common/board_storage.c
BOARD_SRCS += board/common/board_net.c
include board/shared.mk
BOARD_SRCS += $(BOARD_SHARED_SRCS)
