# BCM2835 GPIO driver.
UNIT_TESTS += test_gpio
test_gpio_SRCS := tests/unit/drivers/test_gpio.c drivers/gpio.c $(FAKE_HW_SRCS)
