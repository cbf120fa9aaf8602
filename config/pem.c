/*
 * pem - structural check of PEM text (see pem.h). Every loop advances through the buffer and stops at its end,
 * so a truncated or hostile file costs at most one pass.
 */
#include "config/pem.h"

#include <string.h>

static const char pem_begin[] = "-----BEGIN ";
static const char pem_end[] = "-----END ";
static const char pem_dashes[] = "-----";

#define BEGIN_LEN  (sizeof(pem_begin) - 1)
#define END_LEN    (sizeof(pem_end) - 1)
#define DASHES_LEN (sizeof(pem_dashes) - 1)
/* A base64 quantum is 4 characters, of which at most the last 2 may be '=' padding. */
#define BASE64_QUANTUM 4u
#define BASE64_PAD_MAX 2u

static bool is_base64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static const char *find_begin(const char *p, const char *stop)
{
    for (; (size_t)(stop - p) >= BEGIN_LEN; p++) {
        if (memcmp(p, pem_begin, BEGIN_LEN) == 0) {
            return p;
        }
    }
    return NULL;
}

static const char *line_end(const char *line, const char *stop)
{
    const char *eol = memchr(line, '\n', (size_t)(stop - line));

    return eol != NULL ? eol : stop;
}

/* Check the body and END line of a block whose BEGIN line ended just before *pos; on success *pos is past END. */
static int check_body(const char **pos, const char *stop, const char *label, size_t label_len)
{
    const char *line = *pos;
    size_t count = 0, pad = 0;

    for (;;) {
        const char *eol = line_end(line, stop);

        if (line >= stop) {
            return PEM_ERR_NO_END;
        }
        if ((size_t)(eol - line) >= END_LEN && memcmp(line, pem_end, END_LEN) == 0) {
            const char *l = line + END_LEN;

            if ((size_t)(eol - l) < label_len + DASHES_LEN || memcmp(l, label, label_len) != 0 ||
                memcmp(l + label_len, pem_dashes, DASHES_LEN) != 0) {
                return PEM_ERR_END_LABEL;
            }
            *pos = eol < stop ? eol + 1 : stop;
            break;
        }
        /* RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") come before the base64 and only exist in encrypted keys. */
        if (memchr(line, ':', (size_t)(eol - line)) != NULL) {
            return PEM_ERR_HEADERS;
        }
        for (const char *q = line; q < eol; q++) {
            if (*q == ' ' || *q == '\t' || *q == '\r') {
                continue;
            }
            if (*q == '=') {
                pad++;
                count++;
                continue;
            }
            if (!is_base64(*q) || pad > 0) {
                return PEM_ERR_BASE64;
            }
            count++;
        }
        line = eol < stop ? eol + 1 : stop;
    }
    if (count == 0 || count % BASE64_QUANTUM != 0 || pad > BASE64_PAD_MAX) {
        return PEM_ERR_BASE64_LENGTH;
    }
    return PEM_OK;
}

int pem_check(const char *text, size_t len, const char *want, struct pem_summary *summary)
{
    const char *p = text, *stop = text + len;
    size_t want_len = strlen(want);
    struct pem_summary s = { 0, true };

    for (;;) {
        const char *b = find_begin(p, stop), *label, *eol;
        size_t n = 0;
        int err;

        if (b == NULL) {
            break;
        }
        label = b + BEGIN_LEN;
        eol = memchr(label, '\n', (size_t)(stop - label));
        if (eol == NULL) {
            return PEM_ERR_BEGIN_EOL;
        }
        while (label + n < eol && label[n] != '-') {
            n++;
        }
        if (n == 0 || n > PEM_LABEL_MAX || (size_t)(eol - label) < n + DASHES_LEN ||
            memcmp(label + n, pem_dashes, DASHES_LEN) != 0) {
            return PEM_ERR_BEGIN_LINE;
        }
        if (n < want_len || memcmp(label + n - want_len, want, want_len) != 0) {
            s.labels_match = false;
        }
        /* memmem is not in C11; the label is short and bounded by PEM_LABEL_MAX. */
        for (size_t i = 0; i + sizeof("ENCRYPTED") - 1 <= n; i++) {
            if (memcmp(label + i, "ENCRYPTED", sizeof("ENCRYPTED") - 1) == 0) {
                return PEM_ERR_ENCRYPTED;
            }
        }
        p = eol + 1;
        err = check_body(&p, stop, label, n);
        if (err != PEM_OK) {
            return err;
        }
        s.blocks++;
    }
    if (s.blocks == 0) {
        return PEM_ERR_NO_BLOCK;
    }
    if (summary != NULL) {
        *summary = s;
    }
    return PEM_OK;
}

const char *pem_strerror(int err)
{
    switch (err) {
    case PEM_OK: return "well-formed PEM";
    case PEM_ERR_NO_BLOCK: return "no -----BEGIN ...----- block: not a PEM file";
    case PEM_ERR_BEGIN_EOL: return "BEGIN line without an end of line";
    case PEM_ERR_BEGIN_LINE: return "malformed BEGIN line";
    case PEM_ERR_ENCRYPTED: return "encrypted private key: baremail has no key password; store it unencrypted";
    case PEM_ERR_HEADERS: return "PEM headers (Proc-Type/DEK-Info): an encrypted key is not supported";
    case PEM_ERR_NO_END: return "missing END line";
    case PEM_ERR_END_LABEL: return "END label does not match BEGIN label";
    case PEM_ERR_BASE64: return "invalid base64 in the body";
    case PEM_ERR_BASE64_LENGTH: return "base64 body has a wrong length or padding";
    default: return "unknown PEM error";
    }
}
