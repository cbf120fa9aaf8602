/*
 * tls_x25519.h - a PSA transparent driver that makes X25519 public keys with Project Everest's HACL* Curve25519
 * (third_party/mbedtls/3rdparty/everest, already in the image for the shared secret) instead of Mbed TLS's generic
 * Montgomery ladder on its bignums.
 *
 * Who calls it: nobody of ours. Every TLS 1.3 handshake offering X25519 makes its key share with psa_generate_key()
 * (which only draws the private key) and psa_export_public_key(), and PSA's driver wrappers call the entry point
 * below before the built-in code. Those wrappers are generated at build time by Mbed TLS's
 * scripts/generate_driver_wrappers.py from the driver description net/tls_x25519.json (net/net.mk), the documented
 * way of adding a driver for this entry point (docs/psa-driver-example-and-guide.md in Mbed TLS).
 *
 * Rules: whatever the entry point does not handle it answers PSA_ERROR_NOT_SUPPORTED, and PSA falls back to its
 * built-in code, which then also reports the errors of such keys the way it always does. Same context as the PSA
 * call (main loop); no state, nothing allocated.
 */
#ifndef NET_TLS_X25519_H
#define NET_TLS_X25519_H

#include <stddef.h>
#include <stdint.h>

#include "psa/crypto.h"

/* The generated wrappers call transparent drivers only when one is present; this is how a driver says so (the
 * Mbed TLS guide above). Of Mbed TLS's files only the generated psa_crypto_driver_wrappers_no_static.c includes this
 * header, and no public header of Mbed TLS reads the macro, so it changes the dispatch and nothing else. */
#if defined(MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED)
#ifndef PSA_CRYPTO_ACCELERATOR_DRIVER_PRESENT
#define PSA_CRYPTO_ACCELERATOR_DRIVER_PRESENT
#endif
#endif

/* The export_public_key entry point. For a Curve25519 key pair (PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY),
 * 255 bits), whose key_buffer is the 32-byte private scalar k as RFC 7748 encodes it (little-endian; clamped or
 * not, X25519 clamps), writes the 32-byte public key X25519(k, 9) to data, sets *data_length to 32 and returns
 * PSA_SUCCESS; PSA_ERROR_BUFFER_TOO_SMALL when data_size is under 32. Anything else (other key types or sizes, a
 * key_buffer not 32 bytes long): PSA_ERROR_NOT_SUPPORTED. data is untouched on every error. */
psa_status_t tls_x25519_transparent_export_public_key(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                                      size_t key_buffer_size, uint8_t *data, size_t data_size,
                                                      size_t *data_length);

#endif /* NET_TLS_X25519_H */
