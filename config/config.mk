# config/: the smtp.conf and revaliases parser. Libc only; the same source builds for the firmware and for the
# host tools (tools/tools.mk) and tests (tests/unit/*/*.mk, tests/fuzz/*.mk).
# CONFIG_PARSER_SRCS is the parser alone (config.h), one module in several files (config_parse.h lists them):
# what a test or tool that only parses links. CONFIG_SRCS is all of config/.
CONFIG_PARSER_SRCS := config/config.c
CONFIG_PARSER_SRCS += config/config_values.c
CONFIG_PARSER_SRCS += config/config_alert.c
CONFIG_PARSER_SRCS += config/config_aliases.c
CONFIG_PARSER_SRCS += config/config_finish.c
CONFIG_PARSER_SRCS += config/config_format.c

CONFIG_SRCS := $(CONFIG_PARSER_SRCS)
CONFIG_SRCS += config/pem.c
CONFIG_SRCS += config/config_files.c
