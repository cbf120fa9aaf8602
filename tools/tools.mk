# Host tools built from the project's own sources, which they take from the layers' lists. Included from the top
# Makefile after the layers' fragments; tools/smtpconf-check and tools/baremail-log (the wrapper scripts) also run
# it with just those fragments:
#     make -f config/config.mk -f board/shared.mk -f drivers/drivers.mk -f firmware/firmware.mk \
#         -f tools/tools.mk build/host/tools/smtpconf-check
# so the tools build on a machine that has only a host C compiler.

HOST_TOOLS_CC ?= cc
HOST_TOOLS_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_DEFAULT_SOURCE -I.

SMTPCONF_CHECK := build/host/tools/smtpconf-check
# BOARD_PINS_SRCS (board/pi_header.c): the board's rule of which pins alerts may watch (pure data; see its header).
SMTPCONF_CHECK_SRCS := tools/smtpconf-check.c $(CONFIG_SRCS) $(BOARD_PINS_SRCS)

$(SMTPCONF_CHECK): $(SMTPCONF_CHECK_SRCS) config/config.h board/pi_header.h board/common/bcm283x.h
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOST_TOOLS_CC) $(HOST_TOOLS_CFLAGS) -o $@ $(SMTPCONF_CHECK_SRCS)

# The event log and journal reader: the firmware's own MBR, journal and event log code on an image file.
BAREMAIL_LOG := build/host/tools/baremail-log
BAREMAIL_LOG_SRCS := tools/baremail-log.c $(DISK_SRCS) $(JOURNAL_SRCS)
BAREMAIL_LOG_HDRS := drivers/blockdev.h drivers/storage/mbr.h firmware/journal.h firmware/event_log.h \
	firmware/persist_layout.h drivers/byteorder.h firmware/outbox_journal.h firmware/outbox.h

$(BAREMAIL_LOG): $(BAREMAIL_LOG_SRCS) $(BAREMAIL_LOG_HDRS)
	@mkdir -p $(@D)
	$(HOST_TOOLS_CC) $(HOST_TOOLS_CFLAGS) -o $@ $(BAREMAIL_LOG_SRCS)

.PHONY: host-tools
host-tools: $(SMTPCONF_CHECK) $(BAREMAIL_LOG)
