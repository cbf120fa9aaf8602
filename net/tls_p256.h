/*
 * tls_p256.h - P-256 point arithmetic for Mbed TLS on fiat-crypto's formally verified field code.
 *
 * What it is for: every ECDSA P-256 verification of a handshake (the server's CertificateVerify, a CA's signature on
 * the server's certificate) and every P-256 key exchange or signature goes through Mbed TLS's generic ECP code,
 * which does its field arithmetic on heap-allocated bignums and inverts with a constant-time GCD. This module plugs
 * fiat-crypto's Montgomery field arithmetic for the P-256 prime (third_party/fiat, unpacked by tools/deps) into
 * Mbed TLS's documented hooks for accelerated curve arithmetic (MBEDTLS_ECP_INTERNAL_ALT, library/ecp_internal_alt.h):
 * Jacobian doubling, mixed affine-Jacobian addition and the normalizations to affine coordinates. Mbed TLS keeps its
 * scalar multiplication (the comb method, its side-channel countermeasures and checks) and its other curves; only
 * the steps it asks for are done here.
 *
 * Rules:
 * - Nothing here is called by baremail's code: Mbed TLS's ecp.c calls the functions of ecp_internal_alt.h, whose
 *   names Mbed TLS fixes (hence no tls_p256_ prefix on them), when net/mbedtls_config.h defines
 *   MBEDTLS_ECP_INTERNAL_ALT and the hooks it lists.
 * - mbedtls_internal_ecp_grp_capable() is true for SECP256R1 only; other curves (P-384, Curve25519) keep the
 *   built-in code, since MBEDTLS_ECP_NO_FALLBACK is off.
 * - Every hook returns exactly the coordinates ecp.c's own function would (same formulas, same special cases,
 *   the same errors), so Mbed TLS behaves the same with or without this module, only faster. One exception, which
 *   ecp.c never reaches: a point at infinity given to the normalization of many points is refused
 *   (MBEDTLS_ERR_MPI_NOT_ACCEPTABLE), as ecp_internal_alt.h specifies, where ecp.c leaves an indeterminate value.
 * - Intermediate field elements are left on the stack when a hook returns, as the other curve code in the image
 *   (Everest's HACL*) leaves its own; wiping each would cost every doubling. The coordinates a hook writes back are
 *   bignums, which Mbed TLS wipes when it frees them, and the kept last point is wiped around each multiplication.
 * - Field elements live on the stack (the normalization of many points borrows one array from mbedtls_calloc, as
 *   ecp.c does). The one state kept between calls is the last point written, in both forms, matched by value and
 *   cleared by mbedtls_internal_ecp_init() and _free() around each of Mbed TLS's multiplications: single-threaded
 *   Mbed TLS only (the file refuses MBEDTLS_THREADING_C), which is how baremail runs it, from the main loop.
 */
#ifndef NET_TLS_P256_H
#define NET_TLS_P256_H

#if defined(TLS_P256_TESTING)
/* Test builds only (tests/unit/net/test_tls_p256.c): with on == 0 the module reports P-256 as not capable, so the
 * same binary computes with Mbed TLS's built-in arithmetic and the results can be compared. */
void tls_p256_test_set_capable(int on);
#endif

#endif /* NET_TLS_P256_H */
