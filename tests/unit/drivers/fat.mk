UNIT_TESTS += test_fat
test_fat_SRCS := tests/unit/drivers/test_fat.c tests/unit/drivers/disk_image.c $(STORAGE_SRCS) $(LIB_SRCS)
