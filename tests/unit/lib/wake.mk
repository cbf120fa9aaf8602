# lib/wake: the earliest wake-up asked for by polled code, for the main loop's sleep.
UNIT_TESTS += test_wake
test_wake_SRCS := tests/unit/lib/test_wake.c lib/wake.c
