/*
 * tls_p256_int32_config.h - Mbed TLS configuration of the 32-bit build of tests/unit/net/test_tls_p256.c: the host
 * test's configuration with Mbed TLS's bignums on 32-bit limbs, as on the ARM boards, so that net/tls_p256.c runs on
 * fiat's 32-bit field code (p256_32.h) on the host too. Mbed TLS allows forcing the limb size only without its
 * assembly.
 */
#ifndef TESTS_UNIT_NET_TLS_P256_INT32_CONFIG_H
#define TESTS_UNIT_NET_TLS_P256_INT32_CONFIG_H

#include "tests/unit/net/tls_mbedtls_config.h"

#undef MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_INT32

#endif /* TESTS_UNIT_NET_TLS_P256_INT32_CONFIG_H */
