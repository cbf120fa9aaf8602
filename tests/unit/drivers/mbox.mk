# VideoCore mailbox property channel driver. -no-pie keeps the messages below 1 GiB, where a 32-bit VideoCore
# bus address can reach them, as on the Pi.
UNIT_TESTS += test_mbox
test_mbox_SRCS := tests/unit/drivers/test_mbox.c drivers/mbox.c $(FAKE_HW_SRCS) tests/unit/fakes/fake_dma.c
test_mbox_CFLAGS := -fno-pie -no-pie
