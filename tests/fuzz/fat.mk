# Partition table parser and FAT reader on arbitrary disk images. Seeds: tests/fuzz/gen_fat_seeds.py.
FUZZ_TARGETS += fuzz_fat
fuzz_fat_SRCS := tests/fuzz/fuzz_fat.c $(STORAGE_SRCS) $(LIB_SRCS)
