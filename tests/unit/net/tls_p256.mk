# net/tls_p256: Mbed TLS's P-256 arithmetic through the module against its built-in arithmetic in the same binary
# (TLS_P256_TESTING gives the module a switch that makes P-256 "not capable"), on the Mbed TLS archive of the TLS
# test (tests/unit/net/tls.mk), whose configuration has the firmware's hooks.
UNIT_TESTS += test_tls_p256
test_tls_p256_SRCS := tests/unit/net/test_tls_p256.c net/tls_p256.c
test_tls_p256_CFLAGS := $(TLS_TEST_DEFS) -DTLS_P256_TESTING
test_tls_p256_LIBS := $(TLS_TEST_LIB)
$(HB)/unit/test_tls_p256: $(TLS_TEST_LIB)
