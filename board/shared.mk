# What every board links from board/ itself (not a board's folder): the input layer and the header table, the names
# of board.h's codes, the boot volume and the journal partition. Included by board/common/common.mk and
# board/native/board.mk; tests and tools name these lists, never the files. `:=` so that a fragment that needs them
# on its own (tools/tools.mk, run alone by tools/smtpconf-check) may include this file again.
# BOARD_PINS_SRCS: the expansion headers' pins (pi_header, pure data; what tools/smtpconf-check checks alerts
# against) and the input layer over them (input_pins).
BOARD_PINS_SRCS := board/pi_header.c
BOARD_INPUTS_SRCS := board/input_pins.c $(BOARD_PINS_SRCS)
BOARD_NAMES_SRCS := board/board_names.c
BOARD_SHARED_SRCS := $(BOARD_INPUTS_SRCS) $(BOARD_NAMES_SRCS) board/boot_volume.c board/journal_area.c
