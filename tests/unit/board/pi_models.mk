# Raspberry Pi model table (board/common).
UNIT_TESTS += test_pi_models
test_pi_models_SRCS := tests/unit/board/test_pi_models.c board/common/pi_models.c
