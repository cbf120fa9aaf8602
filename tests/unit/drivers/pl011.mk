# PL011 UART driver.
UNIT_TESTS += test_pl011
test_pl011_SRCS := tests/unit/drivers/test_pl011.c drivers/pl011.c $(FAKE_HW_SRCS)
