/*
 * smtp_auth - SASL client messages for SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN
 * (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195) and XOAUTH2 (Google's format), plus the base64 they use and
 * the choice of a mechanism.
 *
 * The engine (net/smtp.h) calls these to build each client response; they never log or keep anything. CRAM-MD5
 * needs HMAC-MD5, which comes from the caller through smtp_hmac_md5_fn so that this code stays free of any
 * crypto library (the firmware wires mbedTLS's, the tests a reference implementation).
 *
 * Rules:
 *  - Output goes into caller buffers and is NUL-terminated; a response that does not fit is an error
 *    (SMTP_AUTH_ERR_SPACE), never cut. Secrets are read from the caller's strings and not copied anywhere else.
 *  - Return codes: length written (>= 0) or a negative SMTP_AUTH_ERR_*, named by smtp_auth_strerror.
 */
#ifndef NET_SMTP_AUTH_H
#define NET_SMTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Mechanisms as bits, so that an EHLO AUTH line becomes a set. */
#define SMTP_AUTH_PLAIN    (1u << 0)
#define SMTP_AUTH_LOGIN    (1u << 1)
#define SMTP_AUTH_CRAM_MD5 (1u << 2)
#define SMTP_AUTH_XOAUTH2  (1u << 3)

#define SMTP_AUTH_MD5_LEN 16

#define SMTP_AUTH_ERR_SPACE  (-ERR_BASE_SMTP_AUTH - 1) /* output buffer too small */
#define SMTP_AUTH_ERR_BASE64 (-ERR_BASE_SMTP_AUTH - 2) /* malformed base64 from the server */
#define SMTP_AUTH_ERR_HMAC   (-ERR_BASE_SMTP_AUTH - 3) /* the HMAC-MD5 callback failed or is missing */
#define SMTP_AUTH_ERR_NONE   (-ERR_BASE_SMTP_AUTH - 4) /* no usable mechanism */

/* HMAC-MD5 (RFC 2104) of `msg` under `key` into `mac`; 0 on success, negative on failure. */
typedef int (*smtp_hmac_md5_fn)(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                                uint8_t mac[SMTP_AUTH_MD5_LEN]);

/* Streaming base64 encoder (RFC 4648, with padding): feed pieces, then finish. */
struct smtp_auth_b64 {
    char *out;
    size_t cap;
    size_t len;
    uint8_t carry[2];
    unsigned carried;
    bool overflow;
};

void smtp_auth_b64_begin(struct smtp_auth_b64 *b, char *out, size_t cap);
void smtp_auth_b64_add(struct smtp_auth_b64 *b, const void *data, size_t len);
/* NUL-terminates; returns the length or SMTP_AUTH_ERR_SPACE. */
int smtp_auth_b64_finish(struct smtp_auth_b64 *b);

/* Decode base64 text (padding required when the length is not a multiple of 4; no blanks). Returns the
 * number of octets written or SMTP_AUTH_ERR_BASE64 / SMTP_AUTH_ERR_SPACE. */
int smtp_auth_b64_decode(const char *text, size_t len, uint8_t *out, size_t cap);

/* Mechanism bit for a name from an EHLO AUTH line (case-insensitive), 0 for one we do not implement. */
unsigned smtp_auth_mech_from_name(const char *name, size_t len);
/* "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2" or "none". */
const char *smtp_auth_mech_name(unsigned mech);

/*
 * The mechanism to use among `offered`: `forced` (one bit) when the configuration names one, which must be
 * offered; otherwise XOAUTH2 when a token is set, then over TLS PLAIN (one round trip; TLS already protects the
 * password), LOGIN, CRAM-MD5; without TLS (only when the configuration allows credentials in clear,
 * AllowAuthWithoutTLS=YES) CRAM-MD5 first, because it is the only one that does not send the password. CRAM-MD5
 * counts only when `have_hmac`. Returns the bit, or 0 when nothing fits.
 */
unsigned smtp_auth_choose(unsigned offered, unsigned forced, bool have_token, bool have_password, bool tls,
                          bool have_hmac);

/* base64("\0user\0pass"), the PLAIN initial response. */
int smtp_auth_plain(char *out, size_t cap, const char *user, const char *pass);
/* base64(text), one LOGIN response (the user name, then the password). */
int smtp_auth_login(char *out, size_t cap, const char *text);
/* base64("user=U\x01auth=Bearer T\x01\x01"), the XOAUTH2 initial response. */
int smtp_auth_xoauth2(char *out, size_t cap, const char *user, const char *token);
/* base64("user " + lowercase hex HMAC-MD5(pass, decoded challenge)), the CRAM-MD5 response. */
int smtp_auth_cram_md5(char *out, size_t cap, const char *challenge_b64, size_t challenge_len, const char *user,
                       const char *pass, smtp_hmac_md5_fn hmac, void *hmac_ctx);

const char *smtp_auth_strerror(int err);

#endif /* NET_SMTP_AUTH_H */
