UNIT_TESTS += test_mbr
test_mbr_SRCS := tests/unit/drivers/test_mbr.c tests/unit/drivers/disk_image.c $(DISK_SRCS)
