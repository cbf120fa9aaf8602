/*
 * random.c - CTR_DRBG over the hardware entropy; see random.h.
 */
#include "net/random.h"

#include <stdbool.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"

/* Personalisation string: separates this generator's output from any other instance seeded from the same source
 * (NIST SP 800-90A's recommendation), here PSA's internal one. */
static const unsigned char personalisation[] = "baremail net_random";

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static bool seeded;

int net_random_init(void)
{
    if (seeded) {
        return 0;
    }
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    int err = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, personalisation, sizeof personalisation - 1);
    if (err != 0) {
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
        return err;
    }
    seeded = true;
    return 0;
}

int net_random_bytes(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    if (!seeded) {
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    }
    return mbedtls_ctr_drbg_random(&drbg, out, len);
}

int net_random_u64(uint64_t *out)
{
    unsigned char bytes[sizeof *out];
    *out = 0;
    int err = net_random_bytes(NULL, bytes, sizeof bytes);
    if (err != 0) {
        return err;
    }
    for (size_t i = 0; i < sizeof bytes; i++) {
        *out = *out << 8 | bytes[i];
    }
    return 0;
}
