# The Pi's GPIO inputs (board/common/pi_input + board/input_pins) over the real GPIO and interrupt controller
# drivers, against a model of the GPIO block's edge detectors in the fake register file.
UNIT_TESTS += test_pi_input
test_pi_input_SRCS := tests/unit/board/test_pi_input.c $(LIB_SRCS) board/common/pi_input.c $(BOARD_INPUTS_SRCS) \
	board/common/pi_models.c drivers/gpio.c drivers/intc.c $(FAKE_HW_SRCS)
