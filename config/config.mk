# config/: the smtp.conf and revaliases parser. Libc only; the same source builds for the firmware and for the
# host tools (tools/tools.mk) and tests (tests/unit/config.mk, tests/fuzz/config.mk).
CONFIG_SRCS := config/config.c
CONFIG_SRCS += config/pem.c
CONFIG_SRCS += config/config_files.c
