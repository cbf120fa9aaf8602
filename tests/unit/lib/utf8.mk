# lib/utf8: the one UTF-8 decoder, on RFC 3629's edge cases and every code point.
UNIT_TESTS += test_utf8
test_utf8_SRCS := tests/unit/lib/test_utf8.c $(LIB_SRCS)
