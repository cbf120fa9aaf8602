# How a console command waits for the network.
UNIT_TESTS += test_cmd_wait
test_cmd_wait_SRCS := tests/unit/firmware/test_cmd_wait.c $(MAIN_LOOP_SRCS) $(LIB_SRCS) \
	tests/unit/fakes/fake_deadlines.c $(FAKE_BOARD_SRCS)
test_cmd_wait_CFLAGS := $(NET_INCLUDES)
