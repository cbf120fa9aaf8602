# How a console command waits for the network.
UNIT_TESTS += test_cmd_wait
test_cmd_wait_SRCS := tests/unit/test_cmd_wait.c lib/wake.c tests/unit/fake_deadlines.c firmware/cmd_wait.c \
	firmware/main_loop.c tests/unit/fake_board.c board/board_names.c
test_cmd_wait_CFLAGS := $(NET_INCLUDES)
