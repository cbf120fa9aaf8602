# Reading the configuration from the boot partition at boot, and the `config` command.
UNIT_TESTS += test_config_load
test_config_load_SRCS := tests/unit/test_config_load.c lib/wake.c firmware/config_load.c $(CONFIG_SRCS) \
	firmware/console.c firmware/console_editor.c firmware/console_builtin.c firmware/banner.c \
	tests/unit/fake_board.c board/board_names.c tests/unit/fake_version.c tests/unit/stdout_capture.c \
	board/input_pins.c board/pi_header.c
