# The console's `pin` command over the real input layer, with hardware, simulated and 26-pin boards plugged in.
UNIT_TESTS += test_pin_cmd
test_pin_cmd_SRCS := tests/unit/test_pin_cmd.c lib/wake.c firmware/pin_cmd.c firmware/config_load.c $(CONFIG_SRCS) \
	firmware/console.c firmware/console_editor.c firmware/console_builtin.c firmware/banner.c \
	tests/unit/fake_board.c board/board_names.c tests/unit/fake_version.c tests/unit/stdout_capture.c \
	board/input_pins.c board/pi_header.c
