# net/tls on the host: a real handshake in-process between the TLS layer (over an in-memory altcp pipe) and an
# Mbed TLS server driven by the test. lwIP and Mbed TLS are built once into an archive with upstream's warnings
# (not -Werror, as for the firmware: see net/net.mk), under the test's Mbed TLS configuration, which adds the
# server side to the firmware's. The CA bundle is the build machine's, generated as for the firmware.
TLS_TEST_O := $(HB)/tls
# MEM_STATS: lwIP counts its heap (pbufs) even on malloc, which it does not by default; the test checks it.
TLS_TEST_DEFS := -I$(LWIP_DIR)/include -Inet $(MBEDTLS_INCLUDES) -DMEM_STATS=1 \
	-DMBEDTLS_CONFIG_FILE='"tests/unit/net/tls_mbedtls_config.h"'
TLS_TEST_TP_SRCS := $(LWIP_SRCS) $(MBEDTLS_SRCS) $(addprefix $(MBEDTLS_DIR)/library/, \
	ssl_tls12_server.c ssl_tls13_server.c ssl_ticket.c x509_create.c x509write.c x509write_crt.c pkwrite.c)
TLS_TEST_TP_OBJS := $(patsubst %.c,$(TLS_TEST_O)/%.o,$(TLS_TEST_TP_SRCS))
TLS_TEST_LIB := $(TLS_TEST_O)/libtls_deps.a

$(TLS_TEST_TP_OBJS): $(TLS_TEST_O)/%.o: %.c | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOST_CC) $(filter-out -Werror,$(HOST_CFLAGS)) $(TLS_TEST_DEFS) -c $< -o $@

$(TLS_TEST_TP_OBJS): tests/unit/net/tls.mk tests/unit/net/tls_mbedtls_config.h net/mbedtls_config.h net/lwipopts.h

$(TLS_TEST_LIB): $(TLS_TEST_TP_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(TLS_TEST_O)/ca_bundle.c: tools/gen-ca-bundle $(CA_BUNDLE_PEM) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)tools/gen-ca-bundle --source $(CA_BUNDLE_PEM) $@

# Handshakes and verification (test_tls); groups, resumption, client certificates, closing, memory and the bundle
# (test_tls_session); both through tests/unit/net/tls_harness.c.
TLS_TEST_SRCS := tests/unit/net/tls_harness.c $(TLS_SRCS) $(NET_CLOCK_SRCS) $(NET_RANDOM_SRCS) $(NET_SYS_SRCS) \
	board/native/native_rng.c $(FAKE_BOARD_SRCS) $(TLS_TEST_O)/ca_bundle.c
UNIT_TESTS += test_tls
test_tls_SRCS := tests/unit/net/test_tls.c $(TLS_TEST_SRCS)
test_tls_CFLAGS := $(TLS_TEST_DEFS)
test_tls_LIBS := $(TLS_TEST_LIB)
$(HB)/unit/test_tls: $(TLS_TEST_LIB)
UNIT_TESTS += test_tls_session
test_tls_session_SRCS := tests/unit/net/test_tls_session.c $(TLS_TEST_SRCS)
test_tls_session_CFLAGS := $(TLS_TEST_DEFS)
test_tls_session_LIBS := $(TLS_TEST_LIB)
$(HB)/unit/test_tls_session: $(TLS_TEST_LIB)
# The PSA driver for X25519 public keys (net/tls_x25519.c) through the PSA API and the generated driver wrappers of
# the same archive. --wrap counts the generic scalar multiplications PSA makes, which the driver avoids. The archive's
# ecp.c calls the P-256 hooks of net/tls_p256.c.
UNIT_TESTS += test_tls_x25519
test_tls_x25519_SRCS := tests/unit/net/test_tls_x25519.c net/tls_x25519.c net/tls_p256.c $(NET_RANDOM_SRCS) $(NET_CLOCK_SRCS) \
	board/native/native_rng.c $(FAKE_BOARD_SRCS)
test_tls_x25519_CFLAGS := $(TLS_TEST_DEFS)
test_tls_x25519_LIBS := -Wl,--wrap=mbedtls_ecp_mul $(TLS_TEST_LIB)
$(HB)/unit/test_tls_x25519: $(TLS_TEST_LIB)
