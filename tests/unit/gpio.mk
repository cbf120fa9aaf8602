# BCM2835 GPIO driver.
UNIT_TESTS += test_gpio
test_gpio_SRCS := tests/unit/test_gpio.c drivers/gpio.c tests/unit/fake_mmio.c tests/unit/fake_systimer.c
