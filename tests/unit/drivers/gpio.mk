# BCM2835 GPIO driver.
UNIT_TESTS += test_gpio
test_gpio_SRCS := tests/unit/drivers/test_gpio.c drivers/gpio.c tests/unit/fakes/fake_mmio.c tests/unit/fakes/fake_systimer.c
