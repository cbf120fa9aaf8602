# The board-independent input layer (board/input_pins) as the native board uses it: simulated pins, no hardware.
UNIT_TESTS += test_input_pins
test_input_pins_SRCS := tests/unit/board/test_input_pins.c $(LIB_SRCS) $(BOARD_INPUTS_SRCS)
