# Network stack: our lwIP and mbedTLS ports (NET_SRCS) and the third-party sources they build on, fetched into
# third_party/ by tools/deps. Included from the top Makefile, which compiles NET_SRCS with the project's strict
# flags and THIRD_PARTY_SRCS with THIRD_PARTY_CFLAGS (no -Werror) into build/<board>/third_party/...
#
# The third-party lists are spelled out rather than globbed: they are read before tools/deps has run on a fresh
# clone, and they say exactly what goes into the image. Enabling an lwIP module in net/lwipopts.h or an mbedTLS
# one in net/mbedtls_config.h may need its file added here; the link names the missing symbols.

LWIP_DIR := third_party/lwip/src
MBEDTLS_DIR := third_party/mbedtls
LIBFDT_DIR := third_party/dtc/libfdt

# Our own code. What host tests and fuzz targets link apart is listed once in its own variable: lwIP's system
# interface (NET_SYS_SRCS: sys_now on the board's clock), the UTC clock (NET_CLOCK_SRCS, which tests of the
# firmware's commands fake instead), the hardware entropy and the DRBG over it (NET_RANDOM_SRCS).
NET_CLOCK_SRCS += net/clock.c
NET_SRCS += $(NET_CLOCK_SRCS)
NET_RANDOM_SRCS += net/entropy.c
NET_RANDOM_SRCS += net/random.c
NET_SRCS += $(NET_RANDOM_SRCS)
NET_SRCS += net/net_stack.c
NET_SYS_SRCS += net/sys_arch.c
NET_SRCS += $(NET_SYS_SRCS)
# The interface (DHCP, DNS, NTP) over the netdev glue, and lwIP's error names: NET_IF_SRCS, also what the host
# test and the received-frames fuzz target link.
NET_IF_SRCS += net/netif_glue.c
NET_IF_SRCS += net/net.c
NET_IF_SRCS += net/net_strerror.c
NET_SRCS += $(NET_IF_SRCS)
# The SMTP transport: the engine of net/smtp.mk on altcp and net/tls.
NET_SRCS += net/smtp_client.c

# lwIP 2.2: core, IPv4, Ethernet, SNTP and altcp, raw.c for the console's ping. Not here: sys.c (empty with NO_SYS=1),
# the IPv6 files, api/ (sockets and netconn need threads), altcp_alloc.c (its altcp_tls_alloc() wants an
# altcp_tls_new() from our TLS layer, which adds the file when it exists), and apps/altcp_tls/ (lwIP's port is
# for mbedTLS 2 and does not build with 3.6).
LWIP_SRCS := $(addprefix $(LWIP_DIR)/core/, \
	init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c netif.c pbuf.c raw.c stats.c \
	tcp.c tcp_in.c tcp_out.c timeouts.c udp.c altcp.c altcp_tcp.c \
	ipv4/acd.c ipv4/dhcp.c ipv4/etharp.c ipv4/icmp.c ipv4/ip4.c ipv4/ip4_addr.c ipv4/ip4_frag.c)
LWIP_SRCS += $(LWIP_DIR)/netif/ethernet.c
LWIP_SRCS += $(LWIP_DIR)/apps/sntp/sntp.c

# Mbed TLS 3.6: what a TLS 1.2/1.3 client with X.509 verification links against under net/mbedtls_config.h.
# hkdf.c is not needed: MBEDTLS_HKDF_C only switches PSA's own HKDF on, which lives in psa_crypto.c.
MBEDTLS_SRCS := $(addprefix $(MBEDTLS_DIR)/library/, \
	aes.c gcm.c chacha20.c poly1305.c chachapoly.c cipher.c cipher_wrap.c \
	md.c md5.c sha1.c sha256.c sha512.c \
	bignum.c bignum_core.c constant_time.c ecp.c ecp_curves.c ecdh.c ecdsa.c rsa.c rsa_alt_helpers.c \
	asn1parse.c asn1write.c base64.c oid.c pem.c pk.c pk_ecc.c pk_wrap.c pkparse.c \
	entropy.c ctr_drbg.c \
	psa_crypto.c psa_crypto_aead.c psa_crypto_cipher.c psa_crypto_client.c \
	psa_crypto_ecp.c psa_crypto_hash.c psa_crypto_mac.c \
	psa_crypto_random.c psa_crypto_rsa.c psa_crypto_slot_management.c psa_util.c \
	x509.c x509_crt.c \
	ssl_ciphersuites.c ssl_client.c ssl_msg.c ssl_tls.c ssl_tls12_client.c \
	ssl_tls13_client.c ssl_tls13_generic.c ssl_tls13_keys.c \
	platform.c platform_util.c error.c version.c)
# X25519 from Project Everest (HACL*), shipped with Mbed TLS under 3rdparty/ (net/mbedtls_config.h says why). Its
# files include Mbed TLS's private common.h and their own headers by bare name; everything that includes
# mbedtls/ecdh.h needs everest/everest.h (MBEDTLS_INCLUDES).
EVEREST_DIR := $(MBEDTLS_DIR)/3rdparty/everest
MBEDTLS_SRCS += $(addprefix $(EVEREST_DIR)/library/, everest.c x25519.c Hacl_Curve25519_joined.c)
# net/tls_x25519.c calls HACL* itself, whose headers include each other from include/everest.
MBEDTLS_INCLUDES := -I$(MBEDTLS_DIR)/include -I$(EVEREST_DIR)/include -I$(EVEREST_DIR)/include/everest
EVEREST_CFLAGS := -I$(MBEDTLS_DIR)/library -I$(EVEREST_DIR)/include/everest -I$(EVEREST_DIR)/include/everest/kremlib
# Whichever build compiles them (the firmware's THIRD_PARTY_CFLAGS, the host tests' and fuzzers' TLS_TEST_DEFS),
# these patterns match its output folder.
EVEREST_OBJ_PATTERNS := $(addprefix %/everest/library/,everest.o x25519.o Hacl_Curve25519_joined.o)
$(EVEREST_OBJ_PATTERNS): THIRD_PARTY_CFLAGS += $(EVEREST_CFLAGS)
$(EVEREST_OBJ_PATTERNS): TLS_TEST_DEFS += $(EVEREST_CFLAGS)
# PSA's dispatch to drivers for the entry points Mbed TLS generates from driver descriptions
# (docs/psa-driver-example-and-guide.md), made by its own scripts/generate_driver_wrappers.py from net/driverlist.json:
# net/tls_x25519.json, X25519 public keys through Everest (net/tls_x25519.h). It takes the place of
# library/psa_crypto_driver_wrappers_no_static.c, generated upstream for its test drivers and p256-m. The generator
# also writes psa_crypto_driver_wrappers.h (the other entry points, static inline), which nothing compiles: the
# library's files include their own copy by bare name. So a driver entry point dispatched from there would never
# be called, and the recipe refuses one. The text does not depend on the board or the build (its conditions are #if
# lines), so one copy serves all; it is generated into a fresh folder and moved into place so that two builds at
# once never read half a file. A new Mbed TLS (the deps stamp) brings new templates.
PSA_DRIVER_WRAPPERS := build/psa_drivers/psa_crypto_driver_wrappers_no_static.c
MBEDTLS_SRCS += $(PSA_DRIVER_WRAPPERS)
$(PSA_DRIVER_WRAPPERS): net/driverlist.json net/tls_x25519.json net/net.mk $(DEPS_STAMP) | $(SETUP_STAMP)
	$(call say,GEN,$@)
	$(Q)mkdir -p $(@D) && tmp=$$(mktemp -d $(@D)/gen.XXXXXX) && \
	/usr/bin/python3 $(MBEDTLS_DIR)/scripts/generate_driver_wrappers.py --json-dir net $$tmp && \
	if grep -q 'tls_x25519_transparent_' $$tmp/psa_crypto_driver_wrappers.h; then \
		echo "net/tls_x25519.json: an entry point dispatched from psa_crypto_driver_wrappers.h, which this build" \
			"does not compile (net/net.mk); only those of $(@F) are" >&2; rm -rf $$tmp; exit 1; fi && \
	mv $$tmp/psa_crypto_driver_wrappers.h $$tmp/$(@F) $(@D)/ && rmdir $$tmp
# It includes the library's private headers by bare name, as the file it replaces did from its own folder.
PSA_DRIVER_WRAPPERS_OBJ_PATTERN := %/$(PSA_DRIVER_WRAPPERS:.c=.o)
$(PSA_DRIVER_WRAPPERS_OBJ_PATTERN): THIRD_PARTY_CFLAGS += -I$(MBEDTLS_DIR)/library
$(PSA_DRIVER_WRAPPERS_OBJ_PATTERN): TLS_TEST_DEFS += -I$(MBEDTLS_DIR)/library
# The big-number and elliptic-curve arithmetic at -O3, where a full handshake spends four fifths of its
# instructions: 1.0 M fewer per submission on the native board (bench/submit), 2 ms less guest time for an alert's
# full handshake on the Cortex-A7 (QEMU -icount, bench/alert-latency), for 8-12 KB of image; -funroll-loops on top
# cost 0.9 M more. A change of flags here rebuilds them (net.mk is a prerequisite).
MBEDTLS_O3_OBJS := $(addprefix $(O)/$(MBEDTLS_DIR)/library/, bignum.o bignum_core.o ecp.o ecp_curves.o)
$(MBEDTLS_O3_OBJS): CFLAGS_COMMON += -O3
$(MBEDTLS_O3_OBJS): net/net.mk

# libfdt (from dtc) for the device tree the loader may hand over (board/common/bootinfo.c): read-only access and
# the full structure check. fdt_addresses.c also holds fdt_appendprop_addrrange(), which needs fdt_rw.c; the image
# links with --gc-sections, which drops it. A host build of these files needs -ffunction-sections
# -Wl,--gc-sections too, or fdt_rw.c.
LIBFDT_SRCS := $(addprefix $(LIBFDT_DIR)/,fdt.c fdt_ro.c fdt_addresses.c fdt_check.c)

THIRD_PARTY_SRCS += $(LWIP_SRCS) $(MBEDTLS_SRCS) $(LIBFDT_SRCS)

# Upstream code builds warning-free with these on GCC 12 for both CPUs; warnings stay visible but never fail the
# build, since the fix would be a patch to code we do not own.
THIRD_PARTY_CFLAGS := -Wall -Wextra

# -Inet: lwIP finds lwipopts.h and arch/cc.h there. The mbedTLS configuration is named relative to the repository
# root (-I. is in the top Makefile's INCLUDES); the quotes survive make and the shell as written.
NET_INCLUDES := -I$(LWIP_DIR)/include -Inet $(MBEDTLS_INCLUDES) \
	-DMBEDTLS_CONFIG_FILE='"net/mbedtls_config.h"' -I$(LIBFDT_DIR)
include net/smtp.mk
include net/tls.mk
