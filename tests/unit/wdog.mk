# BCM2835 PM watchdog driver.
UNIT_TESTS += test_wdog
test_wdog_SRCS := tests/unit/test_wdog.c drivers/wdog.c tests/unit/fake_mmio.c
