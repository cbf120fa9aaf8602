UNIT_TESTS += test_config
test_config_SRCS := tests/unit/config/test_config.c $(CONFIG_PARSER_SRCS)
