/*
 * entropy.h - the network stack's access to the hardware random number generator.
 *
 * The only place in net/ that reads the RNG driver, so lwIP and mbedTLS do not include driver headers. Entropy is
 * never made up: a failed read is an error for mbedTLS, and for lwIP (which cannot take an error) it reboots the
 * board with the reason recorded, because TCP sequence numbers, DNS ids and ports would otherwise be guessable.
 *
 * Rules: main loop only (the RNG driver busy-waits, with a deadline). The board has called rng_init() before.
 */
#ifndef NET_ENTROPY_H
#define NET_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* A 32-bit random number for lwIP (LWIP_RAND in net/arch/cc.h). Reboots the board if the hardware fails. */
uint32_t net_entropy_rand32(void);

/* mbedTLS's hardware entropy source (MBEDTLS_ENTROPY_HARDWARE_ALT): fills output with len bytes and sets *olen,
 * returns 0; on a hardware failure returns MBEDTLS_ERR_ENTROPY_SOURCE_FAILED with *olen = 0. data is unused.
 * mbedTLS declares it only in a private header (library/entropy_poll.h), so it is declared here again. */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);

#endif /* NET_ENTROPY_H */
