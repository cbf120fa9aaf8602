# net/tls_p256: Mbed TLS's P-256 arithmetic through the module against its built-in arithmetic in the same binary
# (TLS_P256_TESTING gives the module a switch that makes P-256 "not capable"), on the Mbed TLS archive of the TLS
# test (tests/unit/net/tls.mk), whose configuration has the firmware's hooks.
UNIT_TESTS += test_tls_p256
test_tls_p256_SRCS := tests/unit/net/test_tls_p256.c net/tls_p256.c
test_tls_p256_CFLAGS := $(TLS_TEST_DEFS) -DTLS_P256_TESTING
# --wrap counts the calls ecp.c makes of two hooks (the test's hook_calls).
TLS_P256_WRAP := -Wl,--wrap=mbedtls_internal_ecp_double_jac -Wl,--wrap=mbedtls_internal_ecp_add_mixed
test_tls_p256_LIBS := $(TLS_P256_WRAP) $(TLS_TEST_LIB)
$(HB)/unit/test_tls_p256: $(TLS_TEST_LIB)

# The same test on 32-bit limbs, as on the ARM boards, so that fiat's 32-bit field code (p256_32.h) runs on the host
# too: the Mbed TLS files it needs, built apart (upstream's warnings, as in tls.mk) under the host test's
# configuration with 32-bit limbs (tests/unit/net/tls_p256_int32_config.h).
TLS_P256_INT32_O := $(HB)/tls_p256_int32
TLS_P256_INT32_DEFS := $(subst tls_mbedtls_config.h,tls_p256_int32_config.h,$(TLS_TEST_DEFS))
TLS_P256_INT32_TP_OBJS := $(patsubst %.c,$(TLS_P256_INT32_O)/%.o,$(addprefix $(MBEDTLS_DIR)/library/, \
	bignum.c bignum_core.c constant_time.c ecp.c ecp_curves.c ecdsa.c asn1parse.c asn1write.c platform.c \
	platform_util.c))
TLS_P256_INT32_LIB := $(TLS_P256_INT32_O)/libp256_deps.a

$(TLS_P256_INT32_TP_OBJS): $(TLS_P256_INT32_O)/%.o: %.c | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOST_CC) $(filter-out -Werror,$(HOST_CFLAGS)) $(TLS_P256_INT32_DEFS) -c $< -o $@

$(TLS_P256_INT32_TP_OBJS): tests/unit/net/tls_p256.mk tests/unit/net/tls_p256_int32_config.h \
	tests/unit/net/tls_mbedtls_config.h net/mbedtls_config.h

$(TLS_P256_INT32_LIB): $(TLS_P256_INT32_TP_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

UNIT_TESTS += test_tls_p256_int32
test_tls_p256_int32_SRCS := $(test_tls_p256_SRCS)
test_tls_p256_int32_CFLAGS := $(TLS_P256_INT32_DEFS) -DTLS_P256_TESTING
test_tls_p256_int32_LIBS := $(TLS_P256_WRAP) $(TLS_P256_INT32_LIB)
$(HB)/unit/test_tls_p256_int32: $(TLS_P256_INT32_LIB)
