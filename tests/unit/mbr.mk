UNIT_TESTS += test_mbr
test_mbr_SRCS := tests/unit/test_mbr.c tests/unit/disk_image.c drivers/storage/mbr.c drivers/blockdev.c
