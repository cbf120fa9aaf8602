# Reading the configuration from the boot partition at boot, and the `config` command.
UNIT_TESTS += test_config_load
test_config_load_SRCS := tests/unit/firmware/test_config_load.c $(LIB_SRCS) firmware/config_load.c $(CONFIG_SRCS) $(CONSOLE_SRCS) \
	$(CONSOLE_BUILTIN_SRCS) $(FAKE_BOARD_SRCS) tests/unit/fakes/fake_version.c tests/unit/fakes/stdout_capture.c \
	$(BOARD_INPUTS_SRCS)
