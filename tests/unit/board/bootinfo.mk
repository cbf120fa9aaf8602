# Boot information: ATAG list and device-tree parsing (board/common/bootinfo.c over libfdt).
# fdt_sw.c builds the test trees. fdt_rw.c and fdt_wip.c only satisfy fdt_addresses.c's
# fdt_appendprop_addrrange(), which nothing calls: the firmware's --gc-sections drops it, but a sanitizer build
# keeps every function and must link them.
UNIT_TESTS += test_bootinfo
test_bootinfo_SRCS := tests/unit/board/test_bootinfo.c board/common/bootinfo.c $(LIBFDT_SRCS) \
	$(addprefix $(LIBFDT_DIR)/,fdt_rw.c fdt_wip.c fdt_sw.c)
test_bootinfo_CFLAGS := -I$(LIBFDT_DIR)
