# lib/: pure libc helpers below every layer (drivers/, config/, net/ and firmware/ may all use them). One line per
# source file. Tests name the one they link.
LIB_SRCS += lib/utf8.c
LIB_SRCS += lib/wake.c
