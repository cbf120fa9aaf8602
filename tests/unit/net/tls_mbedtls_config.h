/*
 * tls_mbedtls_config.h - Mbed TLS configuration of the host test of net/tls (tests/unit/net/test_tls.c): the
 * firmware's net/mbedtls_config.h unchanged, plus what the test's in-process server needs. Never used for the
 * firmware, which has no server side.
 */
#ifndef TESTS_UNIT_NET_TLS_MBEDTLS_CONFIG_H
#define TESTS_UNIT_NET_TLS_MBEDTLS_CONFIG_H

#include "net/mbedtls_config.h"

/* The TLS 1.2 and 1.3 server the client under test talks to, with tickets for the resumption cases. */
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_TICKET_C
/* Test CA, server and client certificates made at test time (no key material in the repository). */
#define MBEDTLS_X509_CREATE_C
#define MBEDTLS_X509_CRT_WRITE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_PEM_WRITE_C
/* Counting allocator: the test checks that Mbed TLS's heap does not grow with the amount of data. */
#define MBEDTLS_PLATFORM_MEMORY

#endif /* TESTS_UNIT_NET_TLS_MBEDTLS_CONFIG_H */
