# net/tls's record handling (tests/fuzz/fuzz_tls_records.c) against an in-process Mbed TLS server, or hostile
# bytes. lwIP and Mbed TLS are built once into an archive with the fuzzer's instrumentation and upstream's warnings
# (not -Werror: see net/net.mk), under the unit test's Mbed TLS configuration (tests/unit/net/tls.mk), which adds
# the server side. The server's key and certificate are made by openssl at build time: no key in the repository.
comma := ,
FUZZ_TLS_O := $(HB)/fuzz/tls
FUZZ_TLS_TP_CFLAGS := $(subst -fsanitize=fuzzer$(comma),-fsanitize=fuzzer-no-link$(comma),$(filter-out -Werror,$(FUZZ_CFLAGS)))
FUZZ_TLS_TP_OBJS := $(patsubst %.c,$(FUZZ_TLS_O)/%.o,$(TLS_TEST_TP_SRCS))
FUZZ_TLS_LIB := $(FUZZ_TLS_O)/libtls_deps.a
FUZZ_TLS_CERT := $(FUZZ_TLS_O)/cert.pem

$(FUZZ_TLS_TP_OBJS): $(FUZZ_TLS_O)/%.o: %.c | $(SETUP_STAMP) $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_TLS_TP_CFLAGS) $(TLS_TEST_DEFS) -c $< -o $@

$(FUZZ_TLS_TP_OBJS): tests/fuzz/tls_records.mk tests/unit/net/tls_mbedtls_config.h net/mbedtls_config.h net/lwipopts.h

$(FUZZ_TLS_LIB): $(FUZZ_TLS_TP_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_TLS_CERT): | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $(@D)/key.pem -out $@ \
		-subj /CN=mail.example.test -addext subjectAltName=DNS:mail.example.test -days 3650 2> /dev/null

FUZZ_TARGETS += fuzz_tls_records
fuzz_tls_records_SRCS := tests/fuzz/fuzz_tls_records.c $(TLS_SRCS) $(NET_CLOCK_SRCS) $(NET_RANDOM_SRCS) \
	$(NET_SYS_SRCS) $(FAKE_BOARD_SRCS) $(TLS_TEST_O)/ca_bundle.c
fuzz_tls_records_CFLAGS := -Itests/unit/fakes $(TLS_TEST_DEFS) -DFUZZ_TLS_DIR='"$(CURDIR)/$(FUZZ_TLS_O)"'
fuzz_tls_records_LIBS := $(FUZZ_TLS_LIB)
$(HB)/fuzz/fuzz_tls_records: $(FUZZ_TLS_LIB) $(FUZZ_TLS_CERT)
