# Structural PEM check shared by tools/smtpconf-check and the firmware.
UNIT_TESTS += test_pem
test_pem_SRCS := tests/unit/config/test_pem.c config/pem.c
