# config/: every key, error and warning of smtp.conf and the parser's limits (test_config); revaliases, formatting,
# masking and the small API pieces (test_config_format). Both parse through tests/unit/config/config_harness.c.
UNIT_TESTS += test_config
test_config_SRCS := tests/unit/config/test_config.c tests/unit/config/config_harness.c $(CONFIG_PARSER_SRCS)
UNIT_TESTS += test_config_format
test_config_format_SRCS := tests/unit/config/test_config_format.c tests/unit/config/config_harness.c \
	$(CONFIG_PARSER_SRCS)
