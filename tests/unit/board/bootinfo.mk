# Boot information: ATAG list and device-tree parsing (board/common/bootinfo.c over libfdt).
# fdt_sw.c builds the test trees. fdt_rw.c and fdt_wip.c only satisfy fdt_addresses.c's
# fdt_appendprop_addrrange(), which nothing calls: the firmware's --gc-sections drops it, but a sanitizer build
# keeps every function and must link them.
BOOTINFO_LIBFDT := third_party/dtc/libfdt
UNIT_TESTS += test_bootinfo
test_bootinfo_SRCS := tests/unit/board/test_bootinfo.c board/common/bootinfo.c \
	$(addprefix $(BOOTINFO_LIBFDT)/,fdt.c fdt_ro.c fdt_addresses.c fdt_check.c fdt_rw.c fdt_wip.c fdt_sw.c)
test_bootinfo_CFLAGS := -I$(BOOTINFO_LIBFDT)
