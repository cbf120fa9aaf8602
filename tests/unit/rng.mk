# BCM2835 hardware random number generator driver.
UNIT_TESTS += test_rng
test_rng_SRCS := tests/unit/test_rng.c drivers/rng.c tests/unit/fake_mmio.c tests/unit/fake_systimer.c
