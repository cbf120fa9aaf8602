/*
 * mbedtls_config.h - baremail's Mbed TLS 3.6 configuration, given to every compile with
 * -DMBEDTLS_CONFIG_FILE='"net/mbedtls_config.h"' (net/net.mk).
 *
 * Written from scratch rather than trimmed from the upstream default: anything not defined here is off. What is on
 * is what a TLS client that submits mail needs: TLS 1.2 and 1.3 to a mail server (SMTPS or STARTTLS), checking the
 * server's certificate chain against CA certificates read from the SD card, with the clock set by SNTP.
 * Also a client certificate when smtp.conf has UseTLSCert, and session resumption by tickets (net/tls.c, net/tls_config.c).
 * No server side, no external PSK, no files, no threads.
 *
 * Rules: enabling a module here may need its source in MBEDTLS_SRCS (net/net.mk); the link tells which.
 * Upstream's check_config.h rejects inconsistent combinations at compile time.
 */
#ifndef NET_MBEDTLS_CONFIG_H
#define NET_MBEDTLS_CONFIG_H

/* --- Platform ------------------------------------------------------------------------------------------------- */

/* Bignum multiply-accumulate in ARM assembly: RSA and ECC are several times faster, which matters on a 700 MHz
 * ARM1176 where an RSA-4096 chain check is otherwise the slowest part of a mail. */
#define MBEDTLS_HAVE_ASM

/* Bare metal: none of the OS layers (sockets, timing, threads, files) exists and lwIP carries the bytes, so
 * MBEDTLS_NET_C, MBEDTLS_TIMING_C, MBEDTLS_THREADING_C and MBEDTLS_FS_IO stay off. MBEDTLS_PLATFORM_C is needed for
 * the time hooks below. */
#define MBEDTLS_PLATFORM_C

/* Wall-clock time for certificate validity checks: mbedtls_time() is net_clock_time() (net/clock.h), bound at
 * compile time so there is no window in which mbedTLS would read newlib's time(), which has no clock behind it.
 * Until SNTP has set the clock it returns -1, so every certificate looks not yet valid: verification fails closed
 * instead of trusting a 1970 clock. */
#include "net/clock.h"
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_TIME_MACRO net_clock_time
/* Monotonic milliseconds (TLS 1.3 timers): newlib has no CLOCK_MONOTONIC, net/clock.c provides mbedtls_ms_time()
 * from the board's uptime. */
#define MBEDTLS_PLATFORM_MS_TIME_ALT

/* mbedtls_strerror(): console messages name mbedTLS failures rather than print bare numbers. */
#define MBEDTLS_ERROR_C
/* mbedtls_version_get_string_full() for the console's `version`: the library actually linked, not a header. */
#define MBEDTLS_VERSION_C

/* --- Randomness ----------------------------------------------------------------------------------------------- */

/* The only entropy source is the SoC's hardware RNG: mbedtls_hardware_poll() in net/entropy.c reads it and
 * fails rather than invent data. There is no /dev/urandom to fall back on, so the platform source is off. */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_NO_PLATFORM_ENTROPY
/* CTR_DRBG (AES-256) stretches the hardware entropy for TLS (net/random.c) and for PSA's own generator:
 * the RNG makes a word per few microseconds, a handshake wants kilobytes. */
#define MBEDTLS_CTR_DRBG_C

/* --- PSA crypto ----------------------------------------------------------------------------------------------- */

/* TLS 1.3 in Mbed TLS 3.6 runs its key schedule (HKDF) and ECDHE through the PSA API, so the PSA core is needed;
 * TLS 1.2 keeps using the classic API (MBEDTLS_USE_PSA_CRYPTO stays off: fewer moving parts, same algorithms).
 * Without MBEDTLS_PSA_CRYPTO_CONFIG the PSA algorithms follow the classic options below. Only volatile keys:
 * no key storage (MBEDTLS_PSA_CRYPTO_STORAGE_C needs a file system). Key slots are allocated on demand
 * (MBEDTLS_PSA_KEY_STORE_DYNAMIC), so no fixed table of 32 slots sits in RAM. */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_KEY_STORE_DYNAMIC
/* HKDF is TLS 1.3's key schedule; PSA's HKDF-Extract/Expand follow this option. */
#define MBEDTLS_HKDF_C

/* --- Hashes --------------------------------------------------------------------------------------------------- */

/* SHA-256 and SHA-384 are the TLS 1.2/1.3 handshake and PRF hashes (SHA-384 is built on SHA-512); SHA-256,
 * SHA-384 and SHA-512 are what CA and server certificates are signed with today. */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
/* SHA-1 only so that CA bundles parse: several roots still in use are self-signed with SHA-1 (e.g. DigiCert
 * Global Root CA), and X.509 parsing rejects a certificate whose signature algorithm is unknown. The signature of
 * a trusted root is never checked, and the default verification profile refuses SHA-1 signatures anywhere else
 * in a chain, so this adds no trust in SHA-1. */
#define MBEDTLS_SHA1_C
/* MD5 only for SMTP AUTH CRAM-MD5 (RFC 2195 is HMAC-MD5 by definition; net/smtp_client.c). TLS never uses it: no
 * cipher suite in this configuration has an MD5 MAC, and the verification profile refuses MD5 signatures. */
#define MBEDTLS_MD5_C

/* --- Ciphers -------------------------------------------------------------------------------------------------- */

/* AES-GCM and ChaCha20-Poly1305: the AEAD suites every current mail server offers in TLS 1.2 and 1.3. No CBC,
 * no CCM, no legacy ciphers. ChaCha20 is the faster one on cores without AES instructions, like all of ours. */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C

/* --- Public keys ---------------------------------------------------------------------------------------------- */

#define MBEDTLS_BIGNUM_C
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
/* Needed by ECDSA (signatures are DER-encoded) and by PK with ECC keys. */
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* ECDHE key exchange on X25519 (preferred by most servers) and P-256 (the universal fallback). P-384 is there for
 * verification: Let's Encrypt's ECDSA chain (ISRG Root X2 and its intermediates) and other CAs' ECC roots sign
 * with P-384, and a chain cannot be checked without the curve. ECDSA signs only with a client key (UseTLSCert). */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
/* X25519 shared secrets (and TLS 1.2's X25519 key pairs) from Project Everest's HACL* code, which Mbed TLS ships in
 * 3rdparty/everest (Apache-2.0, as the rest of Mbed TLS): formally verified, constant time, and field arithmetic made
 * for the curve instead of Mbed TLS's generic bignums. TLS 1.3 makes its key pair through PSA, whose public key
 * net/tls_x25519.c, a PSA driver, makes with Everest too (no option switches drivers on: Mbed TLS 3.6 calls those
 * its generated wrappers name, net/net.mk). With X25519 offered first (net/tls_config.c) a TLS 1.3 key exchange
 * takes 2.2 M instructions on the native board (bench/submit) instead of 14.5 M on the generic ladder, full or
 * resumed, for 8 KB (rpi1) and 12 KB (rpi2) of image. The other curves keep the generic code. */
#define MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED
/* Faster modular reduction for the NIST curves: a handshake on the ARM1176 is noticeably shorter. */
#define MBEDTLS_ECP_NIST_OPTIM
/* P-256 doubling, mixed addition and normalization on fiat-crypto's formally verified field arithmetic
 * (net/tls_p256.c), through Mbed TLS's hooks for accelerated curve arithmetic: the same results as the generic
 * bignum code, which stays for P-384 and Curve25519 (no MBEDTLS_ECP_NO_FALLBACK). An ECDSA P-256 verification takes
 * 6.4 M instructions instead of 11.7 M on the native board (bench/submit), for 20 KB (rpi1) and 25 KB (rpi2) of
 * image. With the X25519 driver above, an alert's session with a full handshake takes 69 ms of Cortex-A7 guest time
 * instead of 79 (bench/alert-latency). Randomizing coordinates is left to Mbed TLS (once per multiplication). */
#define MBEDTLS_ECP_INTERNAL_ALT
#define MBEDTLS_ECP_DOUBLE_JAC_ALT
#define MBEDTLS_ECP_ADD_MIXED_ALT
#define MBEDTLS_ECP_NORMALIZE_JAC_ALT
#define MBEDTLS_ECP_NORMALIZE_JAC_MANY_ALT

/* RSA verification: most server and CA certificates are still RSA. PKCS#1 v1.5 signatures are on certificates
 * and in TLS 1.2; TLS 1.3 signs handshakes with RSA-PSS (PKCS#1 v2.1), and some CAs sign certificates with PSS. */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* --- X.509 ---------------------------------------------------------------------------------------------------- */

/* Parse and verify the server's chain against CA certificates; the CA file on the SD card is PEM (base64). */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

/* --- TLS ------------------------------------------------------------------------------------------------------ */

/* Client only, TLS 1.2 and 1.3. 1.2 stays because mail servers still exist that offer nothing newer. */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
/* TLS 1.2 key exchanges: forward-secret ECDHE only, with ECDSA or RSA server certificates. */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
/* TLS 1.3: the certificate-authenticated (EC)DHE mode for full handshakes. */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
/* Session resumption when reconnecting to the same mail server (net/tls_config.c keeps the last session per server):
 * tickets for TLS 1.2 (RFC 5077) and 1.3, and TLS 1.3's PSK-with-(EC)DHE mode that resumes from a ticket. A
 * resumed handshake skips the server's certificate chain and its signature checks, the slowest part on a Pi,
 * and keeps forward secrecy (fresh ECDHE). The PSK-only mode (no ECDHE) stays off. */
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED
/* TLS 1.3 handshakes that look like TLS 1.2 resumptions get through middleboxes that drop anything else. */
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
/* The TLS 1.3 implementation requires it (check_config.h); it keeps the server's certificate after the handshake. */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
/* SNI: shared mail hosts pick the certificate by the name the client asks for. */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
/* RFC 7627: binds the TLS 1.2 master secret to the handshake (triple-handshake attack). */
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET

/* Record buffers (per connection, on the heap). A server may send full 16 KiB records: max_fragment_length
 * (RFC 6066) and record_size_limit (RFC 8449) are extensions a server may ignore, and most do, so a smaller input
 * buffer would make some servers' handshakes (a long certificate chain in one record) or replies fail; the input
 * buffer keeps the maximum. What we send is a mail in pieces of our choosing; 4 KiB records cost 5 bytes header
 * and 16-17 bytes AEAD overhead each (under 1%) and save 12 KiB per connection. About 23 KiB per connection with
 * the headers and the AEAD expansion Mbed TLS adds to both. */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

#endif /* NET_MBEDTLS_CONFIG_H */
