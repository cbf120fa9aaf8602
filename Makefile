# baremail - top-level build.
#
#   make                 firmware for the default board (rpi2)
#   make BOARD=rpi1      firmware for another board
#   make all-boards      every board
#   make test            everything that can be checked here: unit, fuzz and QEMU tests
#   make demo            the demo: the firmware in QEMU mailing a private Postfix here (ARGS=--auto: no terminal)
#   make qemu [CARD=build/sdcard.img]   boot the firmware in QEMU on the serial console; with CARD, that card and
#                        a network (usb-net on QEMU's user network)
#   make sdcard CONFIG=smtp.conf [FILES="ca.pem revaliases"]   build/sdcard.img for a real Pi (tools/flash writes it)
#   make size            image size and static RAM per board
#
# Each layer lists its own sources in a fragment (firmware/firmware.mk, drivers/drivers.mk, ...); this file
# only knows how to turn them into objects and images.

BOARD ?= rpi2
ALL_BOARDS := rpi1 rpi2

# Quiet by default, like Linux's kbuild: one short line per step ("  CC      build/rpi2/net/tls.o"), so warnings
# and errors stand out. V=1 shows every command instead. Recipes say `$(call say,WHAT,target)` then `$(Q)command`.
V ?= 0
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif
export V

# Fresh machines: tools/setup installs Debian packages, tools/deps fetches lwIP, mbedTLS and libfdt. Both are
# idempotent and leave a stamp, so they run once.
SETUP_STAMP := build/.setup-done
DEPS_STAMP := third_party/.deps-done

O := build/$(BOARD)

include board/$(BOARD)/board.mk

CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
SIZE := $(CROSS_COMPILE)size

# Our own code: strict. Third-party code is compiled with its upstream's expectations (see net/net.mk).
WARN := -Wall -Wextra -Werror
CSTD := -std=c11
OPT ?= -O2 -g
DEPFLAGS = -MMD -MP
INCLUDES := -I. -Iboard/$(BOARD)

include drivers/drivers.mk
# A board with only some of the drivers' devices names the ones it links (board/native: storage and the netdev
# registry); the others stay out of its build.
ifneq ($(BOARD_DRIVERS),)
DRIVERS_SRCS := $(filter $(BOARD_DRIVERS),$(DRIVERS_SRCS))
endif
include lib/lib.mk
include config/config.mk
include mail/mail.mk
include net/net.mk
include firmware/firmware.mk
include tools/tools.mk
include tools/sdcard.mk

BAREMAIL_VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)

CFLAGS_COMMON = $(ARCH_FLAGS) $(OPT) -ffunction-sections -fdata-sections $(BOARD_DEFS) $(INCLUDES) $(NET_INCLUDES)
CFLAGS = $(CSTD) $(WARN) $(CFLAGS_COMMON)

OWN_SRCS := $(BOARD_SRCS) $(LIB_SRCS) $(DRIVERS_SRCS) $(CONFIG_SRCS) $(MAIL_SRCS) $(NET_SRCS) $(FIRMWARE_SRCS)
OWN_OBJS := $(patsubst %.c,$(O)/%.o,$(filter %.c,$(OWN_SRCS))) $(patsubst %.S,$(O)/%.o,$(filter %.S,$(OWN_SRCS)))
TP_OBJS := $(patsubst %.c,$(O)/%.o,$(THIRD_PARTY_SRCS))
VERSION_OBJ := $(O)/version.o

# A board.mk may link its own way: the Pi boards take these defaults (bare metal, our linker script, newlib);
# board/native sets LINK_FLAGS and LINK_LIBS for a Linux program, and leaves IMAGE_NAME empty because the ELF
# (ELF_NAME) is what it builds.
ELF_NAME ?= baremail.elf
LINK_FLAGS ?= -T $(LDSCRIPT) -nostartfiles -Wl,--gc-sections -Wl,-Map=$(MAP) -Wl,--no-warn-rwx-segments
LINK_LIBS ?= -lc -lgcc

ELF := $(O)/$(ELF_NAME)
IMG := $(O)/$(IMAGE_NAME)
MAP := $(O)/baremail.map
PRODUCT := $(if $(IMAGE_NAME),$(IMG),$(ELF))

.PHONY: all all-boards clean size test qemu setup deps format
.DEFAULT_GOAL := all

all: $(PRODUCT)

all-boards:
	@set -e; for b in $(ALL_BOARDS); do $(MAKE) --no-print-directory BOARD=$$b all; done

$(SETUP_STAMP): tools/setup
	$(Q)tools/setup
	@mkdir -p $(@D) && touch $@

$(DEPS_STAMP): tools/deps tools/deps.lock | $(SETUP_STAMP)
	$(Q)tools/deps

setup: $(SETUP_STAMP)
deps: $(DEPS_STAMP)

$(O)/%.o: %.c | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(O)/%.o: %.S | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,AS,$@)
	$(Q)$(CC) $(ARCH_FLAGS) $(BOARD_DEFS) $(INCLUDES) $(DEPFLAGS) -c $< -o $@

$(TP_OBJS): $(O)/%.o: %.c | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(THIRD_PARTY_CFLAGS) $(CFLAGS_COMMON) $(DEPFLAGS) -c $< -o $@

# The version string changes with every commit; keep it in one tiny object so nothing else rebuilds.
$(O)/version.c: FORCE
	@mkdir -p $(@D)
	@printf 'const char baremail_version[] = "%s";\nconst char baremail_build_date[] = "%s";\nconst char baremail_board[] = "%s";\n' \
		'$(BAREMAIL_VERSION)' "$$(date -u +%Y-%m-%d)" '$(BOARD)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(VERSION_OBJ): $(O)/version.c
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(ELF): $(OWN_OBJS) $(TP_OBJS) $(VERSION_OBJ) $(LDSCRIPT)
	$(call say,LD,$@)
	$(Q)$(CC) $(ARCH_FLAGS) $(LINK_FLAGS) -o $@ $(OWN_OBJS) $(TP_OBJS) $(VERSION_OBJ) $(LINK_LIBS)

$(IMG): $(ELF)
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -O binary $< $@
	@echo "built $@ ($$(stat -c %s $@) bytes)"

size:
	@set -e; for b in $(ALL_BOARDS); do $(MAKE) --no-print-directory BOARD=$$b all >/dev/null; done
	@tools/size-report $(ALL_BOARDS)

# The one dialect (.clang-format; tests/tools/test_format.sh checks it): formats every C file of ours in place.
format: | $(SETUP_STAMP)
	git ls-files '*.c' '*.h' | grep -v '^third_party/' | xargs clang-format-16 -i

clean:
	rm -rf build

FORCE:

include tests/tests.mk
include tests/integration/integration.mk

-include $(OWN_OBJS:.o=.d) $(TP_OBJS:.o=.d)

# The default board's image in QEMU with the serial console on this terminal (Ctrl-A x quits).
# CARD=build/sdcard.img boots with that card (what `make sdcard` made: your smtp.conf) and a USB network adapter on
# QEMU's user network, as the demo does: DHCP gives 10.0.2.15, the host is 10.0.2.2, and the firmware reaches
# the Internet (DNS, NTP, your mail server) through QEMU.
QEMU_MACHINE_rpi2 := raspi2b
QEMU_MACHINE_rpi1 := raspi0
QEMU_CARD_ARGS = -drive file=$(CARD),if=sd,format=raw -netdev user,id=n0 -device usb-net,netdev=n0
qemu: $(IMG)
	$(if $(CARD),@test -f '$(CARD)' || { echo 'make qemu: no card image $(CARD) (make sdcard CONFIG=smtp.conf makes build/sdcard.img)' >&2; exit 2; })
	qemu-system-arm -M $(QEMU_MACHINE_$(BOARD)) -kernel $(IMG) -nographic $(if $(CARD),$(QEMU_CARD_ARGS))

# The demo (tools/demo): the Pi 2 image in QEMU with a network, submitting to a private Postfix + Dovecot it
# starts on loopback; the card it makes carries every board's image. ARGS=--auto drives the console itself.
.PHONY: demo
demo: | $(SETUP_STAMP) $(DEPS_STAMP) $(MTA_SETUP_STAMP)
	$(Q)$(MAKE) --no-print-directory all-boards
	tools/demo $(ARGS)
