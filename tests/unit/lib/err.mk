# lib/err.h: each module's error codes in its own range, no two modules sharing one (headers only).
UNIT_TESTS += test_err
test_err_SRCS := tests/unit/lib/test_err.c
test_err_CFLAGS := $(NET_INCLUDES)
