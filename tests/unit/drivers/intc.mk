# BCM2835/BCM2836 interrupt controller driver.
UNIT_TESTS += test_intc
test_intc_SRCS := tests/unit/drivers/test_intc.c drivers/intc.c tests/unit/fakes/fake_mmio.c
