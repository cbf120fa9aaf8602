/*
 * hmac_md5_ref - a plain reference MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) for host tests of CRAM-MD5, so that
 * the SMTP tests need no crypto library. Test code only: slow and not constant-time.
 */
#ifndef TESTS_UNIT_FAKES_HMAC_MD5_REF_H
#define TESTS_UNIT_FAKES_HMAC_MD5_REF_H

#include <stddef.h>
#include <stdint.h>

void md5_ref(const uint8_t *msg, size_t len, uint8_t digest[16]);

/* Matches smtp_hmac_md5_fn; ctx is unused. Returns 0, or -1 for a message over 1 KiB. */
int hmac_md5_ref(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len, uint8_t mac[16]);

#endif /* TESTS_UNIT_FAKES_HMAC_MD5_REF_H */
