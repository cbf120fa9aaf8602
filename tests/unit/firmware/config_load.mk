# Reading the configuration from the boot partition at boot, and the `config` command.
UNIT_TESTS += test_config_load
test_config_load_SRCS := tests/unit/firmware/test_config_load.c firmware/config_load.c $(CONFIG_SRCS) \
	firmware/console.c firmware/console_editor.c firmware/console_builtin.c firmware/banner.c \
	tests/unit/fakes/fake_board.c board/board_names.c tests/unit/fakes/fake_version.c tests/unit/fakes/stdout_capture.c \
	board/input_pins.c board/pi_header.c
