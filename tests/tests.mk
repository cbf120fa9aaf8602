# Test targets. Included from the top Makefile.
#
# Host unit tests, in a folder per layer (tests/unit/board, drivers, net, config, mail, firmware, lib) with the fakes
# and helpers several layers' tests share in tests/unit/fakes (on the include path). Each module adds a fragment
# tests/unit/<layer>/<module>.mk declaring
#     UNIT_TESTS += test_foo
#     test_foo_SRCS := tests/unit/<layer>/test_foo.c foo/foo.c tests/unit/fakes/fake_mmio.c
#     test_foo_CFLAGS := ...   (optional)      test_foo_LIBS := ...   (optional)
# Fuzz targets (clang libFuzzer + AddressSanitizer): tests/fuzz/<name>.mk declaring
#     FUZZ_TARGETS += fuzz_foo
#     fuzz_foo_SRCS := tests/fuzz/fuzz_foo.c foo/foo.c
# with a committed seed corpus in tests/fuzz/corpus/fuzz_foo/.

HOST_CC ?= gcc
HB := build/host
HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -D_DEFAULT_SOURCE -DMMIO_FAKE -I. -Itests/unit/fakes
FUZZ_CC ?= clang
# -fno-sanitize-recover=all: a UBSan report aborts the run like an ASan one, so the fuzzer saves the input and fails.
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_DEFAULT_SOURCE -DMMIO_FAKE -I.
FUZZ_SECONDS ?= 20

# Test fragments link the layers' lists (CONFIG_PARSER_SRCS, MAIL_SRCS, SMTP_SRCS, STORAGE_SRCS, ...: see each
# layer's .mk), never the files in them, and name a module's own file only when they test it alone. The fakes that
# most tests link, named once here: the board (board.h on the host, with the names of its codes) and the hardware
# under MMIO_FAKE (the register file and the system timer).
FAKE_BOARD_SRCS := tests/unit/fakes/fake_board.c $(BOARD_NAMES_SRCS)
FAKE_HW_SRCS := tests/unit/fakes/fake_mmio.c tests/unit/fakes/fake_systimer.c

UNIT_TESTS :=
FUZZ_TARGETS :=
include $(sort $(wildcard tests/unit/*/*.mk))
include $(sort $(wildcard tests/fuzz/*.mk))

define unit_rule
$(HB)/unit/$(1): $$($(1)_SRCS) | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(call say,HOSTCC,$$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) -lcmocka $$($(1)_LIBS)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $$($(1)_CFLAGS) -MM -MP -MT $$@ $$($(1)_SRCS) > $$@.d
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

define fuzz_rule
$(HB)/fuzz/$(1): $$($(1)_SRCS) | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(call say,FUZZCC,$$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) $$($(1)_LIBS)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$($(1)_CFLAGS) -MM -MP -MT $$@ $$($(1)_SRCS) > $$@.d
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

# Each program is built from all its sources in one command, where -MMD would keep only the last source's
# dependencies; -MM -MT names the program as the target of every source's headers.
-include $(addprefix $(HB)/unit/,$(addsuffix .d,$(UNIT_TESTS)))
-include $(addprefix $(HB)/fuzz/,$(addsuffix .d,$(FUZZ_TARGETS)))

.PHONY: test test-unit test-fuzz test-qemu test-tools test-integration
test-unit: $(addprefix $(HB)/unit/,$(UNIT_TESTS))
	tests/run-suite unit $^

test-fuzz: $(addprefix $(HB)/fuzz/,$(FUZZ_TARGETS))
	tests/run-suite fuzz $^

test-qemu: | $(SETUP_STAMP)
	$(MAKE) --no-print-directory all-boards
	tests/run-suite qemu tests/qemu/test_*.py

# Host tools and the scripts that drive them (each prints "N passed, M failed").
test-tools: | $(SETUP_STAMP)
	tests/run-suite tools $(sort $(wildcard tests/tools/test_*))

# The native board against servers the tests start on this machine's loopback (each prints "N passed, M failed").
test-integration: | $(SETUP_STAMP) $(DEPS_STAMP)
	$(MAKE) --no-print-directory BOARD=native all
	tests/run-suite integration $(sort $(wildcard tests/integration/test_*.py))

# Everything, from a fresh clone; the last line is the summary over all suites.
test: | $(SETUP_STAMP) $(DEPS_STAMP)
	@rm -f $(HB)/results.txt
	$(MAKE) --no-print-directory all-boards
	$(MAKE) --no-print-directory -k test-unit test-fuzz test-tools test-integration test-qemu; status=$$?; tests/summarize $(HB)/results.txt; exit $$status
