/*
 * random.h - the network stack's cryptographic random generator: an mbedTLS CTR_DRBG (AES-256) seeded, and
 * reseeded every 10000 requests, from the hardware RNG through mbedTLS's entropy collector (net/entropy.c).
 *
 * TLS sessions take their random numbers here (mbedtls_ssl_conf_rng(conf, net_random_bytes, NULL)). PSA crypto
 * keeps its own generator, seeded from the same hardware source by psa_crypto_init().
 *
 * Rules: net_random_init() once before use (net_stack_init() does it). Main loop only: the state is not locked.
 */
#ifndef NET_RANDOM_H
#define NET_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Seeds the generator from the hardware RNG. Returns 0, or a negative mbedTLS error code (for instance
 * MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED when the RNG gives nothing); the generator is unusable then. */
int net_random_init(void);

/* mbedTLS's f_rng callback: fills out with len random bytes. ctx is unused (pass NULL). Returns 0, or a negative
 * mbedTLS error code when the generator is not seeded or a reseed from the hardware fails; out is then unusable. */
int net_random_bytes(void *ctx, unsigned char *out, size_t len);

/* 64 random bits in *out (Message-ID parts, jitter). Returns 0, or net_random_bytes' error; *out is then 0. */
int net_random_u64(uint64_t *out);

#endif /* NET_RANDOM_H */
