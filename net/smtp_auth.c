/*
 * smtp_auth - SASL client messages for SMTP AUTH (see smtp_auth.h for the contract).
 */
#include "net/smtp_auth.h"

#include <string.h>

#include "lib/units.h"

/* A CRAM-MD5 challenge is a msg-id ("<1896.697170952@host>"); any reply line's worth of base64 decodes to less. */
#define CRAM_CHALLENGE_MAX 768
#define HEX_DIGITS         "0123456789abcdef"

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_put(struct smtp_auth_b64 *b, const uint8_t in[3], unsigned n)
{
    char quad[4];
    unsigned v = ((unsigned)in[0] << 16) | ((n > 1 ? (unsigned)in[1] : 0u) << 8) | (n > 2 ? in[2] : 0u);

    quad[0] = b64_alphabet[(v >> 18) & 0x3fu];
    quad[1] = b64_alphabet[(v >> 12) & 0x3fu];
    quad[2] = n > 1 ? b64_alphabet[(v >> 6) & 0x3fu] : '=';
    quad[3] = n > 2 ? b64_alphabet[v & 0x3fu] : '=';
    /* Keep one octet for the NUL that finish writes. */
    if (b->overflow || b->cap - b->len < sizeof(quad) + 1) {
        b->overflow = true;
        return;
    }
    memcpy(b->out + b->len, quad, sizeof(quad));
    b->len += sizeof(quad);
}

void smtp_auth_b64_begin(struct smtp_auth_b64 *b, char *out, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->out = out;
    b->cap = cap;
    b->overflow = cap == 0;
}

void smtp_auth_b64_add(struct smtp_auth_b64 *b, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint8_t triple[3];

    while (len > 0) {
        if (b->carried < 2) {
            b->carry[b->carried++] = *p++;
            len--;
            continue;
        }
        triple[0] = b->carry[0];
        triple[1] = b->carry[1];
        triple[2] = *p++;
        len--;
        b->carried = 0;
        b64_put(b, triple, 3);
    }
}

int smtp_auth_b64_finish(struct smtp_auth_b64 *b)
{
    uint8_t rest[3] = { b->carry[0], b->carry[1], 0 };

    if (b->carried > 0) {
        b64_put(b, rest, b->carried);
    }
    b->carried = 0;
    if (b->overflow) {
        if (b->cap > 0) {
            b->out[0] = '\0';
        }
        return SMTP_AUTH_ERR_SPACE;
    }
    b->out[b->len] = '\0';
    return (int)b->len;
}

static int b64_value(char c)
{
    const char *hit;

    if (c == '\0') {
        return -1;
    }
    hit = strchr(b64_alphabet, c);
    return hit != NULL ? (int)(hit - b64_alphabet) : -1;
}

int smtp_auth_b64_decode(const char *text, size_t len, uint8_t *out, size_t cap)
{
    size_t i, n = 0;

    if (len % 4 != 0) {
        return SMTP_AUTH_ERR_BASE64;
    }
    for (i = 0; i < len; i += 4) {
        int v[4];
        unsigned k, pad = 0;
        unsigned word;

        for (k = 0; k < 4; k++) {
            if (text[i + k] == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            v[k] = b64_value(text[i + k]);
            if (v[k] < 0 || pad > 0) {
                return SMTP_AUTH_ERR_BASE64;
            }
        }
        word = ((unsigned)v[0] << 18) | ((unsigned)v[1] << 12) | ((unsigned)v[2] << 6) | (unsigned)v[3];
        if (cap - n < 3 - pad) {
            return SMTP_AUTH_ERR_SPACE;
        }
        out[n++] = (uint8_t)(word >> 16);
        if (pad < 2) {
            out[n++] = (uint8_t)(word >> 8);
        }
        if (pad < 1) {
            out[n++] = (uint8_t)word;
        }
    }
    return (int)n;
}

static const struct {
    unsigned bit;
    const char *name;
} mechs[] = {
    { SMTP_AUTH_PLAIN, "PLAIN" },
    { SMTP_AUTH_LOGIN, "LOGIN" },
    { SMTP_AUTH_CRAM_MD5, "CRAM-MD5" },
    { SMTP_AUTH_XOAUTH2, "XOAUTH2" },
};

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

unsigned smtp_auth_mech_from_name(const char *name, size_t len)
{
    size_t m, i;

    for (m = 0; m < ARRAY_SIZE(mechs); m++) {
        if (strlen(mechs[m].name) != len) {
            continue;
        }
        for (i = 0; i < len && upper(name[i]) == mechs[m].name[i]; i++)
            ;
        if (i == len) {
            return mechs[m].bit;
        }
    }
    return 0;
}

const char *smtp_auth_mech_name(unsigned mech)
{
    size_t m;

    for (m = 0; m < ARRAY_SIZE(mechs); m++) {
        if (mechs[m].bit == mech) {
            return mechs[m].name;
        }
    }
    return "none";
}

unsigned smtp_auth_choose(unsigned offered, unsigned forced, bool have_token, bool have_password, bool tls,
                          bool have_hmac)
{
    static const unsigned tls_order[] = { SMTP_AUTH_PLAIN, SMTP_AUTH_LOGIN, SMTP_AUTH_CRAM_MD5 };
    static const unsigned clear_order[] = { SMTP_AUTH_CRAM_MD5, SMTP_AUTH_PLAIN, SMTP_AUTH_LOGIN };
    const unsigned *order = tls ? tls_order : clear_order;
    size_t i;

    if (!have_hmac) {
        offered &= ~SMTP_AUTH_CRAM_MD5;
    }
    if (!have_token) {
        offered &= ~SMTP_AUTH_XOAUTH2;
    }
    if (forced != 0) {
        return (offered & forced) != 0 ? forced : 0;
    }
    if ((offered & SMTP_AUTH_XOAUTH2) != 0) {
        return SMTP_AUTH_XOAUTH2;
    }
    if (!have_password) {
        return 0;
    }
    for (i = 0; i < ARRAY_SIZE(tls_order); i++) {
        if ((offered & order[i]) != 0) {
            return order[i];
        }
    }
    return 0;
}

int smtp_auth_plain(char *out, size_t cap, const char *user, const char *pass)
{
    struct smtp_auth_b64 b;
    const uint8_t nul = 0;

    smtp_auth_b64_begin(&b, out, cap);
    smtp_auth_b64_add(&b, &nul, 1);
    smtp_auth_b64_add(&b, user, strlen(user));
    smtp_auth_b64_add(&b, &nul, 1);
    smtp_auth_b64_add(&b, pass, strlen(pass));
    return smtp_auth_b64_finish(&b);
}

int smtp_auth_login(char *out, size_t cap, const char *text)
{
    struct smtp_auth_b64 b;

    smtp_auth_b64_begin(&b, out, cap);
    smtp_auth_b64_add(&b, text, strlen(text));
    return smtp_auth_b64_finish(&b);
}

int smtp_auth_xoauth2(char *out, size_t cap, const char *user, const char *token)
{
    static const char ctrl_a = '\x01';
    struct smtp_auth_b64 b;

    smtp_auth_b64_begin(&b, out, cap);
    smtp_auth_b64_add(&b, "user=", 5);
    smtp_auth_b64_add(&b, user, strlen(user));
    smtp_auth_b64_add(&b, &ctrl_a, 1);
    smtp_auth_b64_add(&b, "auth=Bearer ", 12);
    smtp_auth_b64_add(&b, token, strlen(token));
    smtp_auth_b64_add(&b, &ctrl_a, 1);
    smtp_auth_b64_add(&b, &ctrl_a, 1);
    return smtp_auth_b64_finish(&b);
}

int smtp_auth_cram_md5(char *out, size_t cap, const char *challenge_b64, size_t challenge_len, const char *user,
                       const char *pass, smtp_hmac_md5_fn hmac, void *hmac_ctx)
{
    uint8_t challenge[CRAM_CHALLENGE_MAX];
    uint8_t mac[SMTP_AUTH_MD5_LEN];
    char hex[2 * SMTP_AUTH_MD5_LEN];
    struct smtp_auth_b64 b;
    int n;
    size_t i;

    if (hmac == NULL) {
        return SMTP_AUTH_ERR_HMAC;
    }
    n = smtp_auth_b64_decode(challenge_b64, challenge_len, challenge, sizeof(challenge));
    if (n < 0) {
        return n == SMTP_AUTH_ERR_SPACE ? SMTP_AUTH_ERR_BASE64 : n;
    }
    if (hmac(hmac_ctx, (const uint8_t *)pass, strlen(pass), challenge, (size_t)n, mac) != 0) {
        return SMTP_AUTH_ERR_HMAC;
    }
    for (i = 0; i < SMTP_AUTH_MD5_LEN; i++) {
        hex[2 * i] = HEX_DIGITS[mac[i] >> 4];
        hex[2 * i + 1] = HEX_DIGITS[mac[i] & 0x0fu];
    }
    smtp_auth_b64_begin(&b, out, cap);
    smtp_auth_b64_add(&b, user, strlen(user));
    smtp_auth_b64_add(&b, " ", 1);
    smtp_auth_b64_add(&b, hex, sizeof(hex));
    memset(mac, 0, sizeof(mac));
    memset(hex, 0, sizeof(hex));
    return smtp_auth_b64_finish(&b);
}

const char *smtp_auth_strerror(int err)
{
    if (err >= 0) {
        return "ok";
    }
    switch (err) {
    case SMTP_AUTH_ERR_SPACE: return "response does not fit its buffer";
    case SMTP_AUTH_ERR_BASE64: return "malformed base64 challenge";
    case SMTP_AUTH_ERR_HMAC: return "HMAC-MD5 unavailable or failed";
    case SMTP_AUTH_ERR_NONE: return "no usable AUTH mechanism";
    default: return "unknown auth error";
    }
}
