/*
 * pem - checks that a buffer holds well-formed PEM (RFC 7468 textual encoding), without decoding it.
 *
 * The files a configuration names (CA bundle, client certificate and key) are checked before they are used, by
 * tools/smtpconf-check on the PC and by the firmware at boot, so that a wrong file is reported with the key that
 * names it instead of failing later inside the TLS library. This is a structural check only: BEGIN/END lines with
 * matching labels and a base64 body of whole quanta; whether the DER inside is a valid certificate is mbedTLS's
 * business.
 *
 * Rules: pure (no I/O, no malloc, libc string functions only); the buffer need not be NUL-terminated and is not
 * kept. Return codes: 0 well-formed, negative PEM_ERR_* otherwise, named by pem_strerror.
 */
#ifndef CONFIG_PEM_H
#define CONFIG_PEM_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* Longest label accepted between "-----BEGIN " and "-----"; real ones ("ENCRYPTED PRIVATE KEY") are under 30. */
#define PEM_LABEL_MAX 64

#define PEM_OK             0
#define PEM_ERR_NO_BLOCK   (-ERR_BASE_PEM - 1) /* no -----BEGIN ...----- line at all */
#define PEM_ERR_BEGIN_EOL  (-ERR_BASE_PEM - 2) /* a BEGIN line that ends the buffer without a line break */
#define PEM_ERR_BEGIN_LINE (-ERR_BASE_PEM - 3) /* a BEGIN line without a label or the closing dashes */
#define PEM_ERR_ENCRYPTED  (-ERR_BASE_PEM - 4) /* an "ENCRYPTED PRIVATE KEY" block */
#define PEM_ERR_HEADERS    (-ERR_BASE_PEM - 5) /* RFC 1421 headers (Proc-Type, DEK-Info): a legacy encrypted key */
#define PEM_ERR_NO_END     (-ERR_BASE_PEM - 6) /* a block without its END line */
#define PEM_ERR_END_LABEL  (-ERR_BASE_PEM - 7) /* the END line's label differs from the BEGIN line's */
#define PEM_ERR_BASE64     (-ERR_BASE_PEM - 8) /* a character that is not base64, or data after '=' padding */
/* an empty body, a length that is not a multiple of 4, or too much padding */
#define PEM_ERR_BASE64_LENGTH (-ERR_BASE_PEM - 9)

/* What pem_check found in a well-formed buffer. */
struct pem_summary {
    unsigned blocks;   /* number of BEGIN/END blocks, at least 1 */
    bool labels_match; /* every block's label ends with the `want` passed to pem_check */
};

/*
 * Check `len` bytes of `text`. `want` is the label suffix every block is expected to have ("CERTIFICATE",
 * "PRIVATE KEY" to accept "RSA PRIVATE KEY" and "EC PRIVATE KEY" too; "" accepts any); a block with another
 * label is not an error, only reported in summary->labels_match, since the caller decides whether it matters.
 * Text outside blocks is ignored, as OpenSSL and mbedTLS do (bundles often carry a comment per certificate).
 * Returns 0 and fills *summary (may be NULL) when the text holds at least one block and every block is
 * well-formed; otherwise the first problem found as a PEM_ERR_* code.
 */
int pem_check(const char *text, size_t len, const char *want, struct pem_summary *summary);

const char *pem_strerror(int err);

#endif /* CONFIG_PEM_H */
