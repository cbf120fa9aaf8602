/*
 * ca_bundle.h - the CA certificates built into the image: Debian's ca-certificates bundle
 * (/etc/ssl/certs/ca-certificates.crt of the build machine), turned into build/<board>/ca_bundle.c by
 * tools/gen-ca-bundle at build time (net/tls.mk). Used by net/tls when smtp.conf names no TLS_CA_File.
 *
 * The certificates are stored as DER, one after the other, not as PEM: a third smaller in the image, no base64
 * decoding at run time, and Mbed TLS parses them in place (mbedtls_x509_crt_parse_der_nocopy), so RAM holds only
 * the parsed structures, not a second copy of the ~150 KiB. net/tls parses them at the first connection that
 * needs them (none with a TLS_Fingerprint pin), not at boot. Measured by tests/unit/net/test_tls.c on a 64-bit host,
 * Debian 12's 144 roots: 2.5 ms (under ASan) and 233 KiB of heap, about 1.6 KiB per certificate (names,
 * extensions and the public key as bignums); a 32-bit Pi needs less (half-size pointers and limbs), and the
 * ARM1176 takes tens of milliseconds, once.
 *
 * Rules: read-only data, any context.
 */
#ifndef NET_CA_BUNDLE_H
#define NET_CA_BUNDLE_H

#include <stddef.h>

/* tls_builtin_ca_der_len bytes: tls_builtin_ca_count DER certificates back to back. */
extern const unsigned char tls_builtin_ca_der[];
extern const size_t tls_builtin_ca_der_len;
extern const unsigned tls_builtin_ca_count;

#endif /* NET_CA_BUNDLE_H */
