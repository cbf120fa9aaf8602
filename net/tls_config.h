/*
 * tls_config.h - private to net/tls: what the I/O side (net/tls.c: connections, records, reads and writes) asks
 * of the settings side (net/tls_config.c: CA certificates, client certificate, pin, session cache). The public
 * half of the settings side, tls_config_new() and friends, is declared in net/tls.h with the rest of the layer.
 *
 * Rules: net/tls.c only; main loop only, like the layer. The tls_config outlives every connection made with it
 * (net/tls.h), so the pointers these functions hand out stay valid for a connection's life.
 */
#ifndef NET_TLS_CONFIG_H
#define NET_TLS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "mbedtls/ssl.h"
#include "net/tls.h"

/*
 * Makes the settings ready for a new connection: refuses it with TLS_ERR_CLOCK while net/clock is not set and the
 * chain's dates count (no pin), and parses the built-in CA bundle the first time one needs it (TLS_ERR_NO_CA when
 * none of it is usable). Returns 0 or that error.
 */
int tls_config_prepare(struct tls_config *tc);

/* The Mbed TLS configuration every connection is set up from. */
const mbedtls_ssl_config *tls_config_ssl(const struct tls_config *tc);

/* The pinned SHA-256 of the server certificate's DER (TLS_PIN_LEN bytes), or NULL without a pin. */
const uint8_t *tls_config_pin(const struct tls_config *tc);

/* Offers the saved session of `host`, if any, to a connection not yet started (a ticket Mbed TLS will no longer
 * offer just means a full handshake). */
void tls_config_resume(struct tls_config *tc, mbedtls_ssl_context *ssl, const char *host);

/* Keeps the session of a finished handshake (or of a TLS 1.3 ticket just received) for the next connection to
 * `host`, in its slot or the least recently used one. */
void tls_config_save_session(struct tls_config *tc, const mbedtls_ssl_context *ssl, const char *host);

#endif /* NET_TLS_CONFIG_H */
