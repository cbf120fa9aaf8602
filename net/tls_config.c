/*
 * tls_config.c - the settings side of the TLS layer (see net/tls.h): the Mbed TLS client configuration, the CA
 * certificates (a CA file's, or the built-in bundle parsed in place on first use), the client certificate and key,
 * the pin, and the cache of the last session per server. net/tls.c, the I/O side, reaches it through
 * net/tls_config.h.
 */
#include "net/tls_config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/asn1.h"
#include "mbedtls/pk.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/x509_crt.h"
#include "net/ca_bundle.h"
#include "net/clock.h"
#include "net/random.h"

/* ECDHE groups offered, in order of preference (a TLS 1.3 ClientHello carries a key share for the first only).
 * X25519 first: its shared secret is Everest's (MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED), so a handshake's ECDHE costs
 * 8.6 M instructions against P-256's 11.2 M (key pair with precomputed tables, then the generic variable-point
 * multiplication) on the native board (bench/submit); it is also what most servers pick. P-256 stays for servers
 * that take nothing else. Nothing slower (P-384, P-521, FFDHE). */
/* clang-format off */
static const uint16_t tls_groups[] = {
    MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
};
/* clang-format on */

struct session_slot {
    char host[TLS_HOST_MAX + 1];
    mbedtls_ssl_session session;
    bool valid;
    unsigned last_use; /* for replacing the least recently used slot */
};

struct tls_config {
    mbedtls_ssl_config conf;
    /* CA certificates: parsed from TLS_CA_File, or the built-in bundle parsed in place on first use; left empty
     * with a pin (Mbed TLS wants a chain object to verify against; an empty one trusts nothing). */
    mbedtls_x509_crt ca;
    bool ca_pending_builtin;
    unsigned ca_loaded;
    unsigned ca_skipped;
    bool has_client_cert;
    mbedtls_x509_crt client_cert;
    mbedtls_pk_context client_key;
    bool pinned;
    uint8_t pin[TLS_PIN_LEN];
    struct session_slot sessions[TLS_SESSION_SLOTS];
    unsigned use_counter;
};

/* ---- certificates and keys ---------------------------------------------------------------------------------- */

/* Mbed TLS parses PEM only from a NUL-terminated buffer; the caller's file text need not be. The copy is wiped
 * because it may hold a private key. */
static int pem_copy(const struct tls_pem *pem, unsigned char **out)
{
    *out = malloc(pem->len + 1);
    if (*out == NULL) {
        return TLS_ERR_NO_MEM;
    }
    memcpy(*out, pem->text, pem->len);
    (*out)[pem->len] = '\0';
    return 0;
}

static void pem_copy_free(unsigned char *copy, size_t len)
{
    mbedtls_platform_zeroize(copy, len + 1);
    free(copy);
}

static unsigned chain_length(const mbedtls_x509_crt *crt)
{
    unsigned n = 0;
    for (; crt != NULL && crt->raw.len != 0; crt = crt->next) {
        n++;
    }
    return n;
}

/* PEM certificates from a file: mbedtls_x509_crt_parse skips the blocks it cannot use and returns how many. */
static int parse_pem_certs(mbedtls_x509_crt *chain, const struct tls_pem *pem, unsigned *loaded, unsigned *skipped)
{
    unsigned char *copy;
    int err = pem_copy(pem, &copy);
    if (err != 0) {
        return err;
    }
    err = mbedtls_x509_crt_parse(chain, copy, pem->len + 1);
    pem_copy_free(copy, pem->len);
    *loaded = chain_length(chain);
    *skipped = err > 0 ? (unsigned)err : 0;
    if (err < 0) {
        return err;
    }
    return *loaded > 0 ? 0 : TLS_ERR_NO_CA;
}

/* The built-in bundle, in place: its DER stays in the image and the chain points into it. */
static int load_builtin_ca(struct tls_config *tc)
{
    const unsigned char *p = tls_builtin_ca_der;
    const unsigned char *end = tls_builtin_ca_der + tls_builtin_ca_der_len;
    while (p < end) {
        unsigned char *q = (unsigned char *)p;
        size_t body;
        if (mbedtls_asn1_get_tag(&q, end, &body, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
            break; /* the generator writes whole certificates; nothing after a broken one can be found */
        }
        size_t total = (size_t)(q - p) + body;
        if (mbedtls_x509_crt_parse_der_nocopy(&tc->ca, p, total) == 0) {
            tc->ca_loaded++;
        } else {
            tc->ca_skipped++;
        }
        p += total;
    }
    tc->ca_pending_builtin = false;
    return tc->ca_loaded > 0 ? 0 : TLS_ERR_NO_CA;
}

static int load_client_cert(struct tls_config *tc, const struct tls_pem *cert, const struct tls_pem *key)
{
    unsigned loaded;
    unsigned skipped;
    int err = parse_pem_certs(&tc->client_cert, cert, &loaded, &skipped);
    if (err != 0) {
        return err == TLS_ERR_NO_CA ? MBEDTLS_ERR_X509_INVALID_FORMAT : err;
    }
    unsigned char *copy;
    err = pem_copy(key, &copy);
    if (err != 0) {
        return err;
    }
    err = mbedtls_pk_parse_key(&tc->client_key, copy, key->len + 1, NULL, 0, net_random_bytes, NULL);
    pem_copy_free(copy, key->len);
    if (err != 0) {
        return err;
    }
    if (mbedtls_pk_check_pair(&tc->client_cert.pk, &tc->client_key, net_random_bytes, NULL) != 0) {
        return TLS_ERR_CLIENT_KEY;
    }
    tc->has_client_cert = true;
    return mbedtls_ssl_conf_own_cert(&tc->conf, &tc->client_cert, &tc->client_key);
}

/* ---- the settings --------------------------------------------------------------------------------------------- */

int tls_config_new(struct tls_config **out, const struct tls_settings *settings, const struct tls_pem *ca,
                   const struct tls_pem *cert, const struct tls_pem *key)
{
    if (out == NULL || settings == NULL || (cert == NULL) != (key == NULL)) {
        return TLS_ERR_ARG;
    }
    *out = NULL;
    struct tls_config *tc = calloc(1, sizeof *tc);
    if (tc == NULL) {
        return TLS_ERR_NO_MEM;
    }
    mbedtls_ssl_config_init(&tc->conf);
    mbedtls_x509_crt_init(&tc->ca);
    mbedtls_x509_crt_init(&tc->client_cert);
    mbedtls_pk_init(&tc->client_key);
    for (size_t i = 0; i < TLS_SESSION_SLOTS; i++) {
        mbedtls_ssl_session_init(&tc->sessions[i].session);
    }

    int err = mbedtls_ssl_config_defaults(&tc->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT);
    if (err != 0) {
        goto fail;
    }
    mbedtls_ssl_conf_rng(&tc->conf, net_random_bytes, NULL);
    mbedtls_ssl_conf_authmode(&tc->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_min_tls_version(&tc->conf, settings->min_version == TLS_VERSION_1_3 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                                                         : MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&tc->conf, MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_groups(&tc->conf, tls_groups);
    /* Tickets (TLS 1.2 RFC 5077, TLS 1.3 NewSessionTicket) make a reconnect skip the certificate chain check, the
     * slowest part of a handshake on the Pi. Since 3.6.1 a TLS 1.3 client must ask to be told about them. */
    mbedtls_ssl_conf_session_tickets(&tc->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(&tc->conf,
                                                             MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);

    tc->pinned = settings->pinned;
    memcpy(tc->pin, settings->pin, sizeof tc->pin);
    /* With a pin the chain check against CA certificates could only be overruled (verify_cert): the CA file is not
     * even parsed, which spares a signature check per handshake (a third of a full handshake's instructions). */
    if (ca != NULL && !tc->pinned) {
        err = parse_pem_certs(&tc->ca, ca, &tc->ca_loaded, &tc->ca_skipped);
        if (err != 0) {
            goto fail;
        }
    } else if (ca == NULL) {
        tc->ca_pending_builtin = !tc->pinned;
    }
    mbedtls_ssl_conf_ca_chain(&tc->conf, &tc->ca, NULL);

    if (cert != NULL) {
        err = load_client_cert(tc, cert, key);
        if (err != 0) {
            goto fail;
        }
    }
    *out = tc;
    return 0;

fail:
    tls_config_free(tc);
    return err;
}

void tls_config_free(struct tls_config *tc)
{
    if (tc == NULL) {
        return;
    }
    for (size_t i = 0; i < TLS_SESSION_SLOTS; i++) {
        mbedtls_ssl_session_free(&tc->sessions[i].session);
    }
    mbedtls_pk_free(&tc->client_key);
    mbedtls_x509_crt_free(&tc->client_cert);
    mbedtls_x509_crt_free(&tc->ca);
    mbedtls_ssl_config_free(&tc->conf);
    free(tc);
}

void tls_config_ca_count(const struct tls_config *tc, unsigned *loaded, unsigned *skipped)
{
    *loaded = tc != NULL ? tc->ca_loaded : 0;
    *skipped = tc != NULL ? tc->ca_skipped : 0;
}

int tls_config_prepare(struct tls_config *tc)
{
    if (!tc->pinned && !net_clock_is_set()) {
        return TLS_ERR_CLOCK;
    }
    return tc->ca_pending_builtin ? load_builtin_ca(tc) : 0;
}

const mbedtls_ssl_config *tls_config_ssl(const struct tls_config *tc)
{
    return &tc->conf;
}

const uint8_t *tls_config_pin(const struct tls_config *tc)
{
    return tc->pinned ? tc->pin : NULL;
}

/* ---- the session cache ---------------------------------------------------------------------------------------- */

static struct session_slot *session_find(struct tls_config *tc, const char *host)
{
    for (size_t i = 0; i < TLS_SESSION_SLOTS; i++) {
        if (tc->sessions[i].valid && strcmp(tc->sessions[i].host, host) == 0) {
            return &tc->sessions[i];
        }
    }
    return NULL;
}

static void session_drop(struct session_slot *slot)
{
    mbedtls_ssl_session_free(&slot->session);
    mbedtls_ssl_session_init(&slot->session);
    slot->valid = false;
}

void tls_config_forget_sessions(struct tls_config *tc, const char *host)
{
    if (tc == NULL) {
        return;
    }
    for (size_t i = 0; i < TLS_SESSION_SLOTS; i++) {
        if (host == NULL || strcmp(tc->sessions[i].host, host) == 0) {
            session_drop(&tc->sessions[i]);
        }
    }
}

void tls_config_resume(struct tls_config *tc, mbedtls_ssl_context *ssl, const char *host)
{
    struct session_slot *slot = session_find(tc, host);
    if (slot != NULL) {
        slot->last_use = ++tc->use_counter;
        /* A session Mbed TLS will not offer (ticket expired) just means a full handshake. */
        (void)mbedtls_ssl_set_session(ssl, &slot->session);
    }
}

void tls_config_save_session(struct tls_config *tc, const mbedtls_ssl_context *ssl, const char *host)
{
    struct session_slot *slot = session_find(tc, host);
    for (size_t i = 0; slot == NULL && i < TLS_SESSION_SLOTS; i++) {
        if (!tc->sessions[i].valid) {
            slot = &tc->sessions[i];
        }
    }
    if (slot == NULL) {
        slot = &tc->sessions[0];
        for (size_t i = 1; i < TLS_SESSION_SLOTS; i++) {
            if (tc->sessions[i].last_use < slot->last_use) {
                slot = &tc->sessions[i];
            }
        }
    }
    session_drop(slot);
    if (mbedtls_ssl_get_session(ssl, &slot->session) == 0) {
        snprintf(slot->host, sizeof slot->host, "%s", host);
        slot->valid = true;
        slot->last_use = ++tc->use_counter;
    }
}
