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
