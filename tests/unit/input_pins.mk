# The board-independent input layer (board/input_pins) as the native board uses it: simulated pins, no hardware.
UNIT_TESTS += test_input_pins
test_input_pins_SRCS := tests/unit/test_input_pins.c lib/wake.c board/input_pins.c board/pi_header.c
