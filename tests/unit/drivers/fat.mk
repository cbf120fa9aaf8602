UNIT_TESTS += test_fat
test_fat_SRCS := tests/unit/drivers/test_fat.c tests/unit/drivers/disk_image.c drivers/storage/fat.c lib/utf8.c drivers/storage/mbr.c \
	drivers/blockdev.c
