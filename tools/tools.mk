# Host tools built from the project's own sources. Included from the top Makefile after config/config.mk;
# tools/smtpconf-check (the wrapper script) also runs this fragment on its own:
#     make -f config/config.mk -f tools/tools.mk build/host/tools/smtpconf-check
# so the checker builds on a machine that has only a host C compiler.

HOST_TOOLS_CC ?= cc
HOST_TOOLS_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_DEFAULT_SOURCE -I.

SMTPCONF_CHECK := build/host/tools/smtpconf-check
SMTPCONF_CHECK_SRCS := tools/smtpconf-check.c $(CONFIG_SRCS)

$(SMTPCONF_CHECK): $(SMTPCONF_CHECK_SRCS) config/config.h
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOST_TOOLS_CC) $(HOST_TOOLS_CFLAGS) -o $@ $(SMTPCONF_CHECK_SRCS)

.PHONY: host-tools
host-tools: $(SMTPCONF_CHECK)
