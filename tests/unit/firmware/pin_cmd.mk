# The console's `pin` command over the real input layer, with hardware, simulated and 26-pin boards plugged in.
UNIT_TESTS += test_pin_cmd
test_pin_cmd_SRCS := tests/unit/firmware/test_pin_cmd.c $(LIB_SRCS) firmware/pin_cmd.c firmware/config_load.c $(CONFIG_SRCS) \
	$(CONSOLE_SRCS) $(CONSOLE_BUILTIN_SRCS) $(FAKE_BOARD_SRCS) tests/unit/fakes/fake_version.c \
	tests/unit/fakes/stdout_capture.c $(BOARD_INPUTS_SRCS)
