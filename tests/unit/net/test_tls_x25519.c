/*
 * Host tests of net/tls_x25519, the PSA driver that makes X25519 public keys with Everest: through the PSA API as
 * TLS 1.3 uses it (psa_import_key or psa_generate_key, then psa_export_public_key), so the generated driver
 * wrappers are under test too. RFC 7748's vectors, agreement with Mbed TLS's own ECP code on random keys, the
 * fallback to the built-in code for keys the driver does not take, and its errors.
 *
 * That the driver ran, not the built-in code: the test is linked with -Wl,--wrap=mbedtls_ecp_mul (tls.mk), and
 * counts PSA's calls of the generic scalar multiplication, which the driver exists to avoid. The fallback case
 * shows that the count sees those calls when PSA does make them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mbedtls/ecp.h"
#include "net/random.h"
#include "net/tls_x25519.h"
#include "psa/crypto.h"

#define X25519_BYTES 32
/* Random keys compared with the built-in code, per way of making them. */
#define RANDOM_KEYS 8

static unsigned ecp_mul_calls;

int __real_mbedtls_ecp_mul(mbedtls_ecp_group *grp, mbedtls_ecp_point *R, const mbedtls_mpi *m,
                           const mbedtls_ecp_point *P, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);
int __wrap_mbedtls_ecp_mul(mbedtls_ecp_group *grp, mbedtls_ecp_point *R, const mbedtls_mpi *m,
                           const mbedtls_ecp_point *P, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);

int __wrap_mbedtls_ecp_mul(mbedtls_ecp_group *grp, mbedtls_ecp_point *R, const mbedtls_mpi *m,
                           const mbedtls_ecp_point *P, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    ecp_mul_calls++;
    return __real_mbedtls_ecp_mul(grp, R, m, P, f_rng, p_rng);
}

/* An ECDH key as TLS 1.3 makes it, exportable so that the test can read the private key back. */
static psa_key_attributes_t ecdh_key_attributes(psa_key_type_t type, size_t bits)
{
    psa_key_attributes_t attr = PSA_KEY_ATTRIBUTES_INIT;
    psa_set_key_type(&attr, type);
    psa_set_key_bits(&attr, bits);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE | PSA_KEY_USAGE_EXPORT);
    psa_set_key_algorithm(&attr, PSA_ALG_ECDH);
    return attr;
}

static psa_key_id_t import_key(psa_key_type_t type, size_t bits, const uint8_t *key, size_t len)
{
    psa_key_attributes_t attr = ecdh_key_attributes(type, bits);
    psa_key_id_t id = PSA_KEY_ID_NULL;
    assert_int_equal(psa_import_key(&attr, key, len, &id), PSA_SUCCESS);
    return id;
}

static psa_key_id_t import_x25519(const uint8_t key[X25519_BYTES])
{
    return import_key(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 255, key, X25519_BYTES);
}

/* The public key of `key` as TLS 1.3 gets it, through PSA; checks that the generic multiplication did not run. */
static void export_public_by_driver(psa_key_id_t key, uint8_t pub[X25519_BYTES])
{
    size_t len = 0;
    ecp_mul_calls = 0;
    assert_int_equal(psa_export_public_key(key, pub, X25519_BYTES, &len), PSA_SUCCESS);
    assert_int_equal(len, X25519_BYTES);
    assert_int_equal(ecp_mul_calls, 0);
}

/* The public key of the private key `priv` by Mbed TLS's generic ECP code (its Montgomery ladder on bignums). */
static void public_by_builtin(const uint8_t priv[X25519_BYTES], uint8_t pub[X25519_BYTES])
{
    mbedtls_ecp_keypair kp;
    mbedtls_ecp_keypair_init(&kp);
    assert_int_equal(mbedtls_ecp_read_key(MBEDTLS_ECP_DP_CURVE25519, &kp, priv, X25519_BYTES), 0);
    assert_int_equal(mbedtls_ecp_keypair_calc_public(&kp, net_random_bytes, NULL), 0);
    size_t len = 0;
    assert_int_equal(mbedtls_ecp_write_public_key(&kp, MBEDTLS_ECP_PF_UNCOMPRESSED, &len, pub, X25519_BYTES), 0);
    assert_int_equal(len, X25519_BYTES);
    mbedtls_ecp_keypair_free(&kp);
}

/* The driver's public key of `key`, whose private key is `priv`, is the built-in code's; the key is destroyed. */
static void assert_public_matches_builtin(psa_key_id_t key, const uint8_t priv[X25519_BYTES])
{
    uint8_t pub[X25519_BYTES], expected[X25519_BYTES];
    export_public_by_driver(key, pub);
    public_by_builtin(priv, expected);
    assert_memory_equal(pub, expected, X25519_BYTES);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

/* ---- RFC 7748 ------------------------------------------------------------------------------------------------ */

/* RFC 7748 section 6.1: Alice's and Bob's private keys and X25519(k, 9). The private keys are not clamped. */
static const struct {
    const char *who;
    uint8_t priv[X25519_BYTES];
    uint8_t pub[X25519_BYTES];
} rfc7748[] = {
    { "Alice",
      { 0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
        0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a },
      { 0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
        0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a } },
    { "Bob",
      { 0x5d, 0xab, 0x08, 0x7e, 0x62, 0x4a, 0x8a, 0x4b, 0x79, 0xe1, 0x7f, 0x8b, 0x83, 0x80, 0x0e, 0xe6,
        0x6f, 0x3b, 0xb1, 0x29, 0x26, 0x18, 0xb6, 0xfd, 0x1c, 0x2f, 0x8b, 0x27, 0xff, 0x88, 0xe0, 0xeb },
      { 0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61, 0xc2, 0xec, 0xe4, 0x35, 0x37,
        0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78, 0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f } },
};

static void test_rfc7748_public_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc7748 / sizeof rfc7748[0]; i++) {
        print_message("%s\n", rfc7748[i].who);
        psa_key_id_t key = import_x25519(rfc7748[i].priv);
        uint8_t pub[X25519_BYTES];
        export_public_by_driver(key, pub);
        assert_memory_equal(pub, rfc7748[i].pub, X25519_BYTES);
        assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
    }
}

/* ---- against the built-in code ------------------------------------------------------------------------------- */

/* Any 32 bytes are an X25519 private key (RFC 7748 section 5): random ones, unclamped, imported. */
static void test_random_imported_keys_match_builtin(void **state)
{
    (void)state;
    for (int i = 0; i < RANDOM_KEYS; i++) {
        uint8_t priv[X25519_BYTES];
        assert_int_equal(net_random_bytes(NULL, priv, sizeof priv), 0);
        assert_public_matches_builtin(import_x25519(priv), priv);
    }
}

/* What a TLS 1.3 key share does (library/ssl_tls13_generic.c): psa_generate_key, then psa_export_public_key. */
static void test_generated_keys_match_builtin(void **state)
{
    (void)state;
    psa_key_attributes_t attr = ecdh_key_attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 255);
    for (int i = 0; i < RANDOM_KEYS; i++) {
        psa_key_id_t key = PSA_KEY_ID_NULL;
        ecp_mul_calls = 0;
        assert_int_equal(psa_generate_key(&attr, &key), PSA_SUCCESS);
        assert_int_equal(ecp_mul_calls, 0);
        uint8_t priv[X25519_BYTES];
        size_t len = 0;
        assert_int_equal(psa_export_key(key, priv, sizeof priv, &len), PSA_SUCCESS);
        assert_int_equal(len, X25519_BYTES);
        assert_public_matches_builtin(key, priv);
    }
}

/* ---- what the driver leaves to PSA, and its errors ----------------------------------------------------------- */

/* A P-256 key pair is not the driver's: PSA's built-in code makes its public key, and the count sees it. */
static void test_p256_falls_back_to_builtin(void **state)
{
    (void)state;
    psa_key_attributes_t attr = ecdh_key_attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1), 256);
    psa_key_id_t key = PSA_KEY_ID_NULL;
    assert_int_equal(psa_generate_key(&attr, &key), PSA_SUCCESS);
    uint8_t pub[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
    size_t len = 0;
    ecp_mul_calls = 0;
    assert_int_equal(psa_export_public_key(key, pub, sizeof pub, &len), PSA_SUCCESS);
    assert_int_equal(len, 65);
    assert_int_equal(pub[0], 0x04); /* SEC 1 uncompressed point */
    assert_int_equal(ecp_mul_calls, 1);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

/* An X25519 public key is exported as it was imported, by PSA's copy: nothing to compute. */
static void test_x25519_public_key_exported_as_is(void **state)
{
    (void)state;
    psa_key_id_t key =
        import_key(PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_MONTGOMERY), 255, rfc7748[1].pub, X25519_BYTES);
    uint8_t pub[X25519_BYTES];
    size_t len = 0;
    ecp_mul_calls = 0;
    assert_int_equal(psa_export_public_key(key, pub, sizeof pub, &len), PSA_SUCCESS);
    assert_int_equal(len, X25519_BYTES);
    assert_memory_equal(pub, rfc7748[1].pub, X25519_BYTES);
    assert_int_equal(ecp_mul_calls, 0);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

static void test_buffer_too_small(void **state)
{
    (void)state;
    psa_key_id_t key = import_x25519(rfc7748[0].priv);
    uint8_t pub[X25519_BYTES];
    memset(pub, 0xa5, sizeof pub);
    size_t len = 1;
    ecp_mul_calls = 0;
    assert_int_equal(psa_export_public_key(key, pub, X25519_BYTES - 1, &len), PSA_ERROR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 0);
    assert_int_equal(ecp_mul_calls, 0);
    assert_int_equal(psa_destroy_key(key), PSA_SUCCESS);
}

/* The entry point itself, for what PSA never hands it through the API: a key buffer of the wrong length. */
static void test_entry_point_refuses_other_lengths(void **state)
{
    (void)state;
    psa_key_attributes_t attr = ecdh_key_attributes(PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_MONTGOMERY), 255);
    uint8_t key[X25519_BYTES + 1] = { 0 };
    uint8_t pub[X25519_BYTES];
    size_t len = 0;
    assert_int_equal(tls_x25519_transparent_export_public_key(&attr, key, X25519_BYTES + 1, pub, sizeof pub, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(tls_x25519_transparent_export_public_key(&attr, key, X25519_BYTES - 1, pub, sizeof pub, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    psa_set_key_bits(&attr, 448);
    assert_int_equal(tls_x25519_transparent_export_public_key(&attr, key, X25519_BYTES, pub, sizeof pub, &len),
                     PSA_ERROR_NOT_SUPPORTED);
    assert_int_equal(len, 0);
}

static int group_setup(void **state)
{
    (void)state;
    return psa_crypto_init() == PSA_SUCCESS && net_random_init() == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    mbedtls_psa_crypto_free();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7748_public_keys),
        cmocka_unit_test(test_random_imported_keys_match_builtin),
        cmocka_unit_test(test_generated_keys_match_builtin),
        cmocka_unit_test(test_p256_falls_back_to_builtin),
        cmocka_unit_test(test_x25519_public_key_exported_as_is),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_entry_point_refuses_other_lengths),
    };
    return cmocka_run_group_tests_name("tls_x25519", tests, group_setup, group_teardown);
}
