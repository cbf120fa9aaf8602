/*
 * net_stack.h - brings up the network stack's libraries: lwIP, mbedTLS's PSA crypto core and the random generator.
 *
 * What later network code (NIC driver, DHCP, SMTP, TLS) builds on. Network interfaces are not part of this: they
 * are added by their drivers once the stack is up.
 *
 * Rules: net_stack_init() once, from main(), after board_init() (the hardware RNG must be running). Main loop only.
 */
#ifndef NET_NET_STACK_H
#define NET_NET_STACK_H

#include <stddef.h>

#include "lib/err.h"

/* Errors of net_stack_init(), negative as everywhere in baremail. */
enum net_stack_err {
    NET_STACK_ERR_CRYPTO = -ERR_BASE_NET_STACK - 1, /* psa_crypto_init() failed: no TLS 1.3 */
    /* the TLS random generator could not be seeded from the hardware RNG */
    NET_STACK_ERR_RANDOM = -ERR_BASE_NET_STACK - 2,
};

/* Initialises lwIP (lwip_init()), starts PSA crypto and seeds the random generator (net/random.h); all three
 * draw on the hardware RNG. Returns 0 or a net_stack_err. On an error lwIP
 * is usable, TLS is not. */
int net_stack_init(void);

/* Text for a net_stack_err, naming the mbedTLS or PSA error behind it. The text is valid until the next call. */
const char *net_stack_strerror(int err);

/* Writes "lwIP 2.2.1, Mbed TLS 3.6.6" (the versions linked in) into buf, truncated to len - 1 characters and
 * always terminated when len > 0. The caller owns buf. */
void net_stack_versions(char *buf, size_t len);

#endif /* NET_NET_STACK_H */
