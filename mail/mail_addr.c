/*
 * mail_addr - RFC 5322 address-list parsing and addr-spec checks (see mail_addr.h).
 */
#include "mail/mail_addr.h"

#include <string.h>

#include "mail/mail.h"

/* One growing address: the text outside <> (a bare addr-spec, or a display name we throw away) or inside. */
struct part {
    char s[MAIL_ADDR_MAX + 1];
    size_t n;
    bool overflow;
};

struct scan {
    struct part plain;
    struct part angle;
    bool in_angle;
    bool angle_done;
    bool in_group;
    bool blank;    /* CFWS seen since the last character of `plain` */
    bool word_gap; /* two words in `plain` separated by a blank: a display name, not an addr-spec */
    unsigned count;
    mail_addr_fn fn;
    void *ctx;
};

static void part_add(struct part *p, char c)
{
    if (p->n >= MAIL_ADDR_MAX) {
        p->overflow = true;
        return;
    }
    p->s[p->n++] = c;
}

static void plain_add(struct scan *sc, char c)
{
    struct part *p = &sc->plain;

    /* Obsolete syntax allows blanks around '.' and '@' (RFC 5322 4.4); anywhere else they separate words. */
    if (sc->blank && p->n > 0 && p->s[p->n - 1] != '.' && p->s[p->n - 1] != '@' && c != '.' && c != '@') {
        sc->word_gap = true;
    }
    sc->blank = false;
    part_add(p, c);
}

static void reset_mailbox(struct scan *sc)
{
    sc->plain.n = 0;
    sc->plain.overflow = false;
    sc->angle.n = 0;
    sc->angle.overflow = false;
    sc->angle_done = false;
    sc->blank = false;
    sc->word_gap = false;
}

/* End of one list element: hand its address to the callback. Returns <0 error, >0 stop, 0 go on. */
static int finish_mailbox(struct scan *sc)
{
    const struct part *p;
    int rc;

    if (sc->angle_done) {
        p = &sc->angle;
        if (p->n == 0 || p->overflow) {
            return MAIL_ERR_ADDRESS;
        }
    } else if (sc->plain.n > 0) {
        p = &sc->plain;
        if (p->overflow || sc->word_gap) {
            return MAIL_ERR_ADDRESS;
        }
    } else {
        reset_mailbox(sc);
        return 0;
    }
    {
        char addr[MAIL_ADDR_MAX + 1];

        memcpy(addr, p->s, p->n);
        addr[p->n] = '\0';
        reset_mailbox(sc);
        sc->count++;
        rc = sc->fn(sc->ctx, addr);
    }
    return rc;
}

/* Skip a comment starting at text[i] == '('; returns the index after it, or len + 1 when unterminated. */
static size_t skip_comment(const char *text, size_t len, size_t i)
{
    unsigned depth = 0;

    for (; i < len; i++) {
        if (text[i] == '\\') {
            i++;
        } else if (text[i] == '(') {
            depth++;
        } else if (text[i] == ')' && --depth == 0) {
            return i + 1;
        }
    }
    return len + 1;
}

/* Copy a quoted string starting at text[i] == '"' verbatim; returns the index after it, or len + 1. */
static size_t copy_quoted(struct scan *sc, const char *text, size_t len, size_t i)
{
    struct part *p = sc->in_angle ? &sc->angle : &sc->plain;
    bool first = true;

    for (; i < len; i++) {
        char c = text[i];

        if (first) {
            if (sc->in_angle) {
                part_add(p, c);
            } else {
                plain_add(sc, c);
            }
            first = false;
            continue;
        }
        if (c == '\r' || c == '\n') {
            continue; /* unfold */
        }
        part_add(p, c);
        if (c == '\\' && i + 1 < len) {
            part_add(p, text[++i]);
        } else if (c == '"') {
            return i + 1;
        }
    }
    return len + 1;
}

static int scan_char(struct scan *sc, char c)
{
    if (sc->in_angle) {
        if (c == '>') {
            sc->in_angle = false;
            sc->angle_done = true;
        } else if (c == '<') {
            return MAIL_ERR_ADDRESS;
        } else if (c == ':' && sc->angle.n > 0 && sc->angle.s[0] == '@') {
            sc->angle.n = 0; /* obsolete source route "@a,@b:" */
        } else {
            part_add(&sc->angle, c);
        }
        return 0;
    }
    switch (c) {
    case '<':
        if (sc->angle_done) {
            return MAIL_ERR_ADDRESS;
        }
        sc->in_angle = true;
        return 0;
    case '>': return MAIL_ERR_ADDRESS;
    case ',': return finish_mailbox(sc);
    case ':':
        if (sc->in_group || sc->angle_done) {
            return MAIL_ERR_ADDRESS;
        }
        sc->in_group = true; /* what came before was the group's display name */
        reset_mailbox(sc);
        return 0;
    case ';': sc->in_group = false; return finish_mailbox(sc);
    default:
        /* Text after <addr> ("<a@x> Alice") is a misplaced display name; ignore it as mail readers do. */
        if (!sc->angle_done) {
            plain_add(sc, c);
        }
        return 0;
    }
}

int mail_addr_parse_list(const char *text, size_t len, mail_addr_fn fn, void *ctx)
{
    struct scan sc;
    size_t i = 0;
    int rc;

    if ((text == NULL && len > 0) || fn == NULL) {
        return MAIL_ERR_ARG;
    }
    memset(&sc, 0, sizeof(sc));
    sc.fn = fn;
    sc.ctx = ctx;
    while (i < len) {
        char c = text[i];

        if (c == '(') {
            i = skip_comment(text, len, i);
            sc.blank = true;
        } else if (c == '"') {
            i = copy_quoted(&sc, text, len, i);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            sc.blank = true;
            i++;
        } else {
            rc = scan_char(&sc, c);
            if (rc != 0) {
                return rc < 0 ? rc : (int)sc.count;
            }
            i++;
        }
        if (i > len) {
            return MAIL_ERR_ADDRESS;
        }
    }
    if (sc.in_angle) {
        return MAIL_ERR_ADDRESS;
    }
    rc = finish_mailbox(&sc);
    return rc < 0 ? rc : (int)sc.count;
}

static bool is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool is_label_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c >= 0x80;
}

/* Local part [s, e): dot-atom or quoted-string. */
static bool valid_local(const char *s, const char *e)
{
    const char *p;

    if (e == s || e - s > 64) {
        return false;
    }
    if (*s == '"') {
        if (e - s < 2 || e[-1] != '"') {
            return false;
        }
        for (p = s + 1; p < e - 1; p++) {
            unsigned char c = (unsigned char)*p;
            if (c == '\\') {
                if (++p >= e - 1) {
                    return false;
                }
            } else if (c == '"' || c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
    if (*s == '.' || e[-1] == '.') {
        return false;
    }
    for (p = s; p < e; p++) {
        if (*p == '.') {
            if (p[1] == '.') {
                return false;
            }
        } else if (!is_atext((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}

static bool valid_domain(const char *d)
{
    size_t label = 0;
    const char *p;

    if (*d == '[') {
        size_t n = strlen(d);
        if (n < 3 || d[n - 1] != ']') {
            return false;
        }
        for (p = d + 1; p < d + n - 1; p++) {
            if ((unsigned char)*p <= 0x20 || *p == '[' || *p == ']' || *p == '\\' || (unsigned char)*p >= 0x7f) {
                return false;
            }
        }
        return true;
    }
    if (*d == '\0' || strlen(d) > 253) {
        return false;
    }
    for (p = d; *p != '\0'; p++) {
        if (*p == '.') {
            if (label == 0 || p[-1] == '-') {
                return false;
            }
            label = 0;
        } else if (!is_label_char((unsigned char)*p) || (label == 0 && *p == '-') || ++label > 63) {
            return false;
        }
    }
    return label > 0 && p[-1] != '-';
}

bool mail_addr_is_valid(const char *addr)
{
    const char *at;

    if (addr == NULL || strlen(addr) > MAIL_ADDR_MAX) {
        return false;
    }
    if (addr[0] == '"') {
        /* The '@' that ends a quoted local part is the first one after the closing quote. */
        const char *p = addr + 1;
        while (*p != '\0' && *p != '"') {
            p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
        }
        if (*p != '"' || p[1] != '@') {
            return false;
        }
        at = p + 1;
    } else {
        at = strrchr(addr, '@');
    }
    return at != NULL && valid_local(addr, at) && valid_domain(at + 1);
}

const char *mail_addr_domain(const char *addr)
{
    const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

    return at != NULL ? at + 1 : NULL;
}
