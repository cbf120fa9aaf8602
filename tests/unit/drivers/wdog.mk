# BCM2835 PM watchdog driver.
UNIT_TESTS += test_wdog
test_wdog_SRCS := tests/unit/drivers/test_wdog.c drivers/wdog.c tests/unit/fakes/fake_mmio.c
