# BCM2835 hardware random number generator driver.
UNIT_TESTS += test_rng
test_rng_SRCS := tests/unit/drivers/test_rng.c drivers/rng.c tests/unit/fakes/fake_mmio.c tests/unit/fakes/fake_systimer.c
