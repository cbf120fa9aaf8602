/*
 * smtp_caps - EHLO capability parsing (see smtp_caps.h for the contract).
 */
#include "net/smtp_caps.h"

#include <string.h>

#include "net/smtp_auth.h"

static bool word_is(const char *s, size_t len, const char *word)
{
    size_t i;

    if (strlen(word) != len) {
        return false;
    }
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        }
        if (c != word[i]) {
            return false;
        }
    }
    return true;
}

static void parse_auth_list(struct smtp_caps *caps, const char *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t start;

        while (i < len && p[i] == ' ') {
            i++;
        }
        start = i;
        while (i < len && p[i] != ' ') {
            i++;
        }
        caps->auth |= smtp_auth_mech_from_name(p + start, i - start);
    }
}

static uint32_t parse_size(const char *p, size_t len)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        v = v * 10u + (uint64_t)(p[i] - '0');
        if (v > UINT32_MAX) {
            v = UINT32_MAX;
        }
    }
    return (uint32_t)v;
}

void smtp_caps_parse_line(struct smtp_caps *caps, const char *line, size_t len)
{
    size_t kw = 0;

    while (kw < len && line[kw] != ' ' && line[kw] != '=') {
        kw++;
    }
    if (word_is(line, kw, "PIPELINING")) {
        caps->pipelining = true;
    } else if (word_is(line, kw, "CHUNKING")) {
        caps->chunking = true;
    } else if (word_is(line, kw, "8BITMIME")) {
        caps->eightbitmime = true;
    } else if (word_is(line, kw, "SMTPUTF8")) {
        caps->smtputf8 = true;
    } else if (word_is(line, kw, "STARTTLS")) {
        caps->starttls = true;
    } else if (word_is(line, kw, "ENHANCEDSTATUSCODES")) {
        caps->enhanced = true;
    } else if (word_is(line, kw, "AUTH") && kw < len) {
        parse_auth_list(caps, line + kw + 1, len - kw - 1);
    } else if (word_is(line, kw, "SIZE")) {
        caps->size = true;
        caps->size_limit = kw < len ? parse_size(line + kw + 1, len - kw - 1) : 0;
    }
}
