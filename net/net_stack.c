/*
 * net_stack.c - library start-up and versions; see net_stack.h.
 */
#include "net/net_stack.h"

#include <stdio.h>

#include "lwip/init.h"
#include "mbedtls/error.h"
#include "mbedtls/version.h"
#include "net/random.h"
#include "psa/crypto.h"

/* mbedtls_version_get_string_full() writes at most this much ("Mbed TLS x.y.z" and its terminator). */
#define MBEDTLS_VERSION_FULL_LEN 18
#define ERROR_TEXT_LEN           160

/* The library error behind the last failure of net_stack_init(): a PSA status or an mbedTLS code. */
static psa_status_t failed_psa_status;
static int failed_mbedtls_err;

int net_stack_init(void)
{
    lwip_init();

    failed_psa_status = psa_crypto_init();
    if (failed_psa_status != PSA_SUCCESS) {
        return NET_STACK_ERR_CRYPTO;
    }
    failed_mbedtls_err = net_random_init();
    if (failed_mbedtls_err != 0) {
        return NET_STACK_ERR_RANDOM;
    }
    return 0;
}

/* psa_crypto_init()'s failures, by name: mbedTLS has no text for PSA status codes. */
static const char *psa_status_name(psa_status_t status)
{
    switch (status) {
    case PSA_ERROR_INSUFFICIENT_ENTROPY: return "PSA_ERROR_INSUFFICIENT_ENTROPY (the hardware RNG gave nothing)";
    case PSA_ERROR_INSUFFICIENT_MEMORY: return "PSA_ERROR_INSUFFICIENT_MEMORY";
    case PSA_ERROR_HARDWARE_FAILURE: return "PSA_ERROR_HARDWARE_FAILURE";
    case PSA_ERROR_CORRUPTION_DETECTED: return "PSA_ERROR_CORRUPTION_DETECTED";
    default: return "PSA error";
    }
}

const char *net_stack_strerror(int err)
{
    static char text[ERROR_TEXT_LEN];
    char cause[ERROR_TEXT_LEN / 2];

    switch (err) {
    case 0: return "no error";
    case NET_STACK_ERR_CRYPTO:
        snprintf(text, sizeof text, "PSA crypto did not start: %s (%d)", psa_status_name(failed_psa_status),
                 (int)failed_psa_status);
        return text;
    case NET_STACK_ERR_RANDOM:
        mbedtls_strerror(failed_mbedtls_err, cause, sizeof cause);
        snprintf(text, sizeof text, "cannot seed the random generator from the hardware RNG: %s (-0x%04x)", cause,
                 (unsigned)-failed_mbedtls_err);
        return text;
    default: return "unknown network stack error";
    }
}

void net_stack_versions(char *buf, size_t len)
{
    char mbedtls[MBEDTLS_VERSION_FULL_LEN];
    mbedtls_version_get_string_full(mbedtls);
    snprintf(buf, len, "lwIP %s, %s", LWIP_VERSION_STRING, mbedtls);
}
