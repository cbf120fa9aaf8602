UNIT_TESTS += test_config
test_config_SRCS := tests/unit/test_config.c $(CONFIG_PARSER_SRCS)
