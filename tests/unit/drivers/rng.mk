# BCM2835 hardware random number generator driver.
UNIT_TESTS += test_rng
test_rng_SRCS := tests/unit/drivers/test_rng.c drivers/rng.c $(FAKE_HW_SRCS)
