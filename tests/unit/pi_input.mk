# The Pi's GPIO inputs (board/common/pi_input + board/input_pins) over the real GPIO and interrupt controller
# drivers, against a model of the GPIO block's edge detectors in the fake register file.
UNIT_TESTS += test_pi_input
test_pi_input_SRCS := tests/unit/test_pi_input.c lib/wake.c board/common/pi_input.c board/input_pins.c \
	board/pi_header.c \
	board/common/pi_models.c drivers/gpio.c drivers/intc.c tests/unit/fake_mmio.c tests/unit/fake_systimer.c
