# BCM2835 system timer driver.
UNIT_TESTS += test_systimer
test_systimer_SRCS := tests/unit/drivers/test_systimer.c drivers/systimer.c tests/unit/fakes/fake_mmio.c
