# Serial console: line editor, command table with the built-in commands, boot banner.
UNIT_TESTS += test_console_editor
test_console_editor_SRCS := tests/unit/firmware/test_console_editor.c firmware/console_editor.c

UNIT_TESTS += test_console
test_console_SRCS := tests/unit/firmware/test_console.c $(CONSOLE_SRCS) $(CONSOLE_BUILTIN_SRCS) $(FAKE_BOARD_SRCS) \
	tests/unit/fakes/fake_version.c tests/unit/fakes/stdout_capture.c

UNIT_TESTS += test_banner
test_banner_SRCS := tests/unit/firmware/test_banner.c firmware/banner.c $(FAKE_BOARD_SRCS) \
	tests/unit/fakes/fake_version.c tests/unit/fakes/stdout_capture.c

# One pass of the main loop, and the console commands' wait through it.
UNIT_TESTS += test_main_loop
test_main_loop_SRCS := tests/unit/firmware/test_main_loop.c $(LIB_SRCS) $(MAIN_LOOP_SRCS) $(FAKE_BOARD_SRCS) \
	tests/unit/fakes/stdout_capture.c
test_main_loop_CFLAGS := $(NET_INCLUDES)
