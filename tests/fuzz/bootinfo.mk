# Boot information parser (ATAGs and device trees) under libFuzzer. fdt_rw.c, fdt_wip.c: see tests/unit/board/bootinfo.mk.
FUZZ_TARGETS += fuzz_bootinfo
fuzz_bootinfo_SRCS := tests/fuzz/fuzz_bootinfo.c board/common/bootinfo.c \
	$(addprefix third_party/dtc/libfdt/,fdt.c fdt_ro.c fdt_addresses.c fdt_check.c fdt_rw.c fdt_wip.c)
fuzz_bootinfo_CFLAGS := -Ithird_party/dtc/libfdt
