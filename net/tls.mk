# net/tls: the TLS altcp layer on Mbed TLS 3.6 (the I/O side tls.c, the settings side tls_config.c) and the CA
# bundle built into the image. Included from net/net.mk.
#
# The bundle is generated at build time from the build machine's Debian ca-certificates (tools/gen-ca-bundle), so
# the image trusts what Debian trusts on the day it is built; tools/setup installs the package. It is rebuilt when
# the package updates the PEM file or the generator changes.
CA_BUNDLE_PEM ?= /etc/ssl/certs/ca-certificates.crt

# TLS_SRCS: the layer, for the firmware and its host test and fuzz target (which add the CA bundle they generate).
TLS_SRCS += net/tls.c net/tls_config.c
# P-256 point arithmetic for Mbed TLS (net/tls_p256.h), which ecp.c calls under net/mbedtls_config.h: wherever Mbed
# TLS is linked, this is too.
TLS_SRCS += net/tls_p256.c
# The PSA driver that makes TLS 1.3's X25519 key shares through Everest, called by the driver wrappers net/net.mk
# generates: whatever links Mbed TLS links it.
TLS_SRCS += net/tls_x25519.c
NET_SRCS += $(TLS_SRCS)
NET_SRCS += $(O)/ca_bundle.c

$(O)/ca_bundle.c: tools/gen-ca-bundle $(CA_BUNDLE_PEM) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)tools/gen-ca-bundle --source $(CA_BUNDLE_PEM) $@

# Before tools/setup has installed ca-certificates the file is missing; setup (an order-only prerequisite above)
# brings it, so a missing file is not an error here.
$(CA_BUNDLE_PEM): | $(SETUP_STAMP)
