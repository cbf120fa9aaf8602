FUZZ_TARGETS += fuzz_config
fuzz_config_SRCS := tests/fuzz/fuzz_config.c $(CONFIG_PARSER_SRCS)
