# PL011 UART driver.
UNIT_TESTS += test_pl011
test_pl011_SRCS := tests/unit/drivers/test_pl011.c drivers/pl011.c tests/unit/fakes/fake_mmio.c tests/unit/fakes/fake_systimer.c
