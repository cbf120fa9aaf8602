# Serial console: line editor, command table with the built-in commands, boot banner.
UNIT_TESTS += test_console_editor
test_console_editor_SRCS := tests/unit/test_console_editor.c firmware/console_editor.c

UNIT_TESTS += test_console
test_console_SRCS := tests/unit/test_console.c firmware/console.c firmware/console_editor.c \
	firmware/console_builtin.c firmware/banner.c tests/unit/fake_board.c board/board_names.c tests/unit/fake_version.c \
	tests/unit/stdout_capture.c

UNIT_TESTS += test_banner
test_banner_SRCS := tests/unit/test_banner.c firmware/banner.c tests/unit/fake_board.c board/board_names.c tests/unit/fake_version.c \
	tests/unit/stdout_capture.c

# One pass of the main loop, and the console commands' wait through it.
UNIT_TESTS += test_main_loop
test_main_loop_SRCS := tests/unit/test_main_loop.c lib/wake.c firmware/main_loop.c firmware/cmd_wait.c \
	tests/unit/fake_board.c \
	board/board_names.c tests/unit/stdout_capture.c
test_main_loop_CFLAGS := $(NET_INCLUDES)
