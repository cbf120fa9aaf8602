# VideoCore mailbox property channel driver. -no-pie keeps the messages below 1 GiB, where a 32-bit VideoCore
# bus address can reach them, as on the Pi.
UNIT_TESTS += test_mbox
test_mbox_SRCS := tests/unit/test_mbox.c drivers/mbox.c tests/unit/fake_mmio.c tests/unit/fake_systimer.c \
	tests/unit/fake_dma.c
test_mbox_CFLAGS := -fno-pie -no-pie
