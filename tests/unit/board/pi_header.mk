# Raspberry Pi expansion headers: GPIO to header pin, and which pins alerts may watch (board/pi_header).
UNIT_TESTS += test_pi_header
test_pi_header_SRCS := tests/unit/board/test_pi_header.c $(BOARD_PINS_SRCS)
