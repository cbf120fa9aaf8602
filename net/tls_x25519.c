/*
 * tls_x25519.c - X25519 public keys for PSA through Everest's HACL* Curve25519; see tls_x25519.h.
 */
#include "net/tls_x25519.h"

#include <string.h>

#include "mbedtls/platform_util.h"

#if defined(MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED)

/* Everest's headers declare a 128-bit type, native where the compiler has one and a struct elsewhere (the ARM
 * boards); its own x25519.c and Hacl_Curve25519_joined.c choose the same way before including them. */
#if !(defined(__SIZEOF_INT128__) && __SIZEOF_INT128__ == 16)
#define KRML_VERIFIED_UINT128
#endif
#include "everest/Hacl_Curve25519.h"

/* RFC 7748 section 5: scalars and u-coordinates of Curve25519 are 32 bytes. */
#define TLS_X25519_BYTES 32
/* RFC 7748 section 4.1: the base point has u = 9. */
#define TLS_X25519_BASE_U 9

psa_status_t tls_x25519_transparent_export_public_key(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                                      size_t key_buffer_size, uint8_t *data, size_t data_size,
                                                      size_t *data_length)
{
    if (psa_get_key_type(attributes) != PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY) ||
        psa_get_key_bits(attributes) != 255 || key_buffer_size != TLS_X25519_BYTES) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (data_size < TLS_X25519_BYTES) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    /* PSA keeps a Montgomery private key as psa_import_key() and psa_generate_key() wrote it with
     * mbedtls_ecp_write_key_ext(): RFC 7748's little-endian byte string, already clamped. That is what HACL* reads,
     * and it clamps its own copy anyway. It takes non-const pointers, hence the copies; the secret's is wiped. */
    uint8_t secret[TLS_X25519_BYTES];
    uint8_t base[TLS_X25519_BYTES] = { TLS_X25519_BASE_U };
    memcpy(secret, key_buffer, sizeof secret);
    Hacl_Curve25519_crypto_scalarmult(data, secret, base);
    mbedtls_platform_zeroize(secret, sizeof secret);
    *data_length = TLS_X25519_BYTES;
    return PSA_SUCCESS;
}

#endif /* MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED */
