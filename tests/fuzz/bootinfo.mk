# Boot information parser (ATAGs and device trees) under libFuzzer. fdt_rw.c, fdt_wip.c: see
# tests/unit/board/bootinfo.mk.
FUZZ_TARGETS += fuzz_bootinfo
fuzz_bootinfo_SRCS := tests/fuzz/fuzz_bootinfo.c board/common/bootinfo.c $(LIBFDT_SRCS) \
	$(addprefix $(LIBFDT_DIR)/,fdt_rw.c fdt_wip.c)
fuzz_bootinfo_CFLAGS := -I$(LIBFDT_DIR)
