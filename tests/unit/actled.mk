# ACT LED driver, over the real GPIO driver and a mailbox faked inside the test.
UNIT_TESTS += test_actled
test_actled_SRCS := tests/unit/test_actled.c drivers/actled.c drivers/gpio.c tests/unit/fake_mmio.c \
	tests/unit/fake_systimer.c
