/*
 * config - the values of keys and fields: numbers, booleans, ports, host names, IPv4 addresses, mail addresses,
 * durations and rates, and the string helpers every part uses. Part of the parser (config.h is the contract,
 * config_parse.h what the parts share).
 */
#include "config/config_parse.h"

#include <stdio.h>
#include <string.h>

bool config_ci_equal(const char *a, const char *b)
{
    while (*a != '\0' && to_lower(*a) == to_lower(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

bool config_ci_equal_n(const char *a, size_t n, const char *b)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (b[i] == '\0' || to_lower(a[i]) != to_lower(b[i])) {
            return false;
        }
    }
    return b[n] == '\0';
}

size_t config_skip_blanks(const char *s, size_t n, size_t i)
{
    while (i < n && is_blank(s[i])) {
        i++;
    }
    return i;
}

bool config_has_blank(const char *s)
{
    for (; *s != '\0'; s++) {
        if (is_blank(*s)) {
            return true;
        }
    }
    return false;
}

/* Copy `v` into a field of `size` bytes, or report that it is too long. */
int config_store(struct parser *p, char *dst, size_t size, const char *v)
{
    size_t n = strlen(v);

    if (n >= size) {
        return config_fail(p, "value too long (%lu characters; at most %lu)", (unsigned long)n,
                           (unsigned long)(size - 1));
    }
    memcpy(dst, v, n + 1);
    return 0;
}

/* Case-insensitive edit distance, for "did you mean"; long strings are simply "far". */
static unsigned edit_distance(const char *a, const char *b)
{
    unsigned row[KEY_NAME_MAX + 1];
    size_t la = strlen(a), lb = strlen(b);
    size_t i, j;

    if (la > KEY_NAME_MAX || lb > KEY_NAME_MAX) {
        return KEY_NAME_MAX;
    }
    for (j = 0; j <= lb; j++) {
        row[j] = (unsigned)j;
    }
    for (i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + (to_lower(a[i - 1]) == to_lower(b[j - 1]) ? 0u : 1u);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest of `names` to `word`, if close enough to be a plausible typo. */
const char *config_closest(const char *word, const char *const *names, size_t count)
{
    size_t len = strlen(word);
    unsigned limit = len <= 4 ? 1u : (len <= 9 ? 2u : 3u);
    const char *best = NULL;
    unsigned best_d = limit + 1;
    size_t i;

    for (i = 0; i < count; i++) {
        unsigned d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

/* ---- value parsers: each reports its own error and returns -1, or returns 0 ---- */

int config_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            return -1;
        }
        v = v * 10u + (uint64_t)(s[i] - '0');
        if (v > max) {
            return -1;
        }
    }
    *out = v;
    return 0;
}

int config_parse_bool(struct parser *p, const char *v, bool *out)
{
    static const char *const yes[] = { "yes", "true", "1", "on" };
    static const char *const no[] = { "no", "false", "0", "off" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (config_ci_equal(v, yes[i])) {
            *out = true;
            return 0;
        }
        if (config_ci_equal(v, no[i])) {
            *out = false;
            return 0;
        }
    }
    return config_fail(p, "expected YES or NO (or yes/no, true/false, 1/0), got '%s'", v);
}

int config_parse_port(struct parser *p, const char *v, uint16_t *out)
{
    uint64_t n;
    size_t len = strlen(v);

    if (len == 0 || strspn(v, "0123456789") != len) {
        return config_fail(p, "expected a port number 1-65535, got '%s'", v);
    }
    if (config_parse_uint(v, len, PORT_MAX, &n) != 0 || n == 0) {
        return config_fail(p, "port out of range: expected 1-65535, got %s", v);
    }
    *out = (uint16_t)n;
    return 0;
}

bool config_valid_hostname(const char *s)
{
    size_t len = strlen(s), label = 0, i;

    if (len == 0 || len > CONFIG_HOST_MAX) {
        return false;
    }
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-') {
                return false;
            }
            label = 0;
        } else if (is_alnum(c) || c == '-') {
            if (label == 0 && c == '-') {
                return false;
            }
            if (++label > DNS_LABEL_MAX) {
                return false;
            }
        } else {
            return false;
        }
    }
    return label > 0 && s[len - 1] != '-';
}

static bool valid_ipv6(const char *s, size_t n)
{
    size_t colons = 0, i;

    if (n < 2 || n > IPV6_TEXT_MAX) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (s[i] == ':') {
            colons++;
        } else if (!is_hex(s[i]) && s[i] != '.') {
            return false;
        }
    }
    return colons >= 2;
}

int config_parse_ipv4_n(const char *s, size_t n, uint32_t *out)
{
    uint32_t addr = 0;
    unsigned part;
    size_t i = 0;

    for (part = 0; part < 4; part++) {
        size_t start = i;
        uint64_t v;
        while (i < n && is_digit(s[i])) {
            i++;
        }
        if (i - start > 3 || config_parse_uint(s + start, i - start, 255, &v) != 0) {
            return -1;
        }
        addr = (addr << 8) | (uint32_t)v;
        if (part < 3) {
            if (i >= n || s[i] != '.') {
                return -1;
            }
            i++;
        }
    }
    if (i != n) {
        return -1;
    }
    *out = addr;
    return 0;
}

int config_parse_ipv4(struct parser *p, const char *v, uint32_t *out)
{
    if (config_parse_ipv4_n(v, strlen(v), out) != 0) {
        return config_fail(p, "expected an IPv4 address a.b.c.d, got '%s'", v);
    }
    return 0;
}

/* host[:port] or [IPv6]:port. *port is written only when the value names one. */
int config_parse_hostport(struct parser *p, const char *v, char *host, bool *ipv6, uint16_t *port, bool *has_port)
{
    const char *colon;
    size_t hlen;

    *has_port = false;
    *ipv6 = false;
    if (v[0] == '\0') {
        return config_fail(p, "expected host[:port], e.g. smtp.example.com:587, got an empty value");
    }
    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || !valid_ipv6(v + 1, (size_t)(close - v - 1))) {
            return config_fail(p, "expected [IPv6-address]:port, e.g. [2001:db8::25]:587, got '%s'", v);
        }
        if (close[1] != '\0' && close[1] != ':') {
            return config_fail(p, "expected ':port' after ']', got '%s'", close + 1);
        }
        hlen = (size_t)(close - v - 1);
        memcpy(host, v + 1, hlen);
        host[hlen] = '\0';
        *ipv6 = true;
        colon = close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = strchr(v, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL) {
            return config_fail(p, "an IPv6 address must be written in brackets, e.g. [2001:db8::25]:587; got '%s'", v);
        }
        hlen = colon != NULL ? (size_t)(colon - v) : strlen(v);
        if (hlen == 0 || hlen > CONFIG_HOST_MAX) {
            return config_fail(p, "expected a host name before ':port', got '%s'", v);
        }
        memcpy(host, v, hlen);
        host[hlen] = '\0';
        if (!config_valid_hostname(host)) {
            return config_fail(p, "'%s' is not a valid host name or IPv4 address", host);
        }
    }
    if (colon != NULL) {
        if (config_parse_port(p, colon + 1, port) != 0) {
            return -1;
        }
        *has_port = true;
    }
    return 0;
}

static bool address_chars_ok(const char *v)
{
    for (; *v != '\0'; v++) {
        if ((unsigned char)*v <= ' ' || strchr("<>,;\"()", *v) != NULL) {
            return false;
        }
    }
    return true;
}

/* A whole user@domain address (no local name), without reporting anything. */
bool config_is_address(const char *v)
{
    const char *at = strrchr(v, '@');

    return address_chars_ok(v) && strlen(v) <= CONFIG_ADDR_MAX && at != NULL && at != v &&
           config_valid_hostname(at + 1);
}

/* user@domain, or (allow_local) a bare local name that gets a domain appended as ssmtp did. */
int config_check_address(struct parser *p, const char *v, bool allow_local)
{
    const char *at = strrchr(v, '@');

    if (!address_chars_ok(v)) {
        return config_fail(p, "expected a mail address like user@example.com, got '%s'", v);
    }
    if (strlen(v) > CONFIG_ADDR_MAX) {
        return config_fail(p, "address too long (at most %d characters)", CONFIG_ADDR_MAX);
    }
    if (at == NULL) {
        if (!allow_local || v[0] == '\0') {
            return config_fail(p, "expected a mail address like user@example.com, got '%s'", v);
        }
        return 0;
    }
    if (at == v || !config_valid_hostname(at + 1)) {
        return config_fail(p, "expected a mail address like user@example.com, got '%s'", v);
    }
    return 0;
}

/* Comma-separated addresses, appended to `list`. */
int config_parse_recipients(struct parser *p, const char *v, struct config_recipients *list)
{
    const char *s = v;

    while (*s != '\0') {
        char one[CONFIG_ADDR_MAX + 2];
        const char *end = strchr(s, ',');
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        size_t a = 0, b = n;

        while (a < b && is_blank(s[a])) {
            a++;
        }
        while (b > a && is_blank(s[b - 1])) {
            b--;
        }
        if (b == a) {
            return config_fail(p, "empty address in the list '%s'", v);
        }
        if (b - a > CONFIG_ADDR_MAX) {
            return config_fail(p, "address too long (at most %d characters)", CONFIG_ADDR_MAX);
        }
        memcpy(one, s + a, b - a);
        one[b - a] = '\0';
        if (config_check_address(p, one, true) != 0) {
            return -1;
        }
        if (list->count >= CONFIG_RECIPIENTS_MAX) {
            return config_fail(p, "too many recipients (at most %d)", CONFIG_RECIPIENTS_MAX);
        }
        memcpy(list->addr[list->count++], one, b - a + 1);
        s += n;
        if (*s == ',') {
            s++;
        }
    }
    return 0;
}

/* A number with an optional unit (ms, s, m/min, h, d); a bare number is in `bare_unit_ms`. */
static int parse_duration_ms(struct parser *p, const char *v, uint64_t bare_unit_ms, uint64_t *out)
{
    static const struct {
        const char *name;
        uint64_t ms;
    } units[] = {
        { "ms", 1 },
        { "s", MS_PER_S },
        { "sec", MS_PER_S },
        { "m", (uint64_t)S_PER_MIN * MS_PER_S },
        { "min", (uint64_t)S_PER_MIN * MS_PER_S },
        { "h", (uint64_t)S_PER_HOUR * MS_PER_S },
        { "d", (uint64_t)S_PER_DAY * MS_PER_S },
    };
    size_t digits = strspn(v, "0123456789");
    uint64_t n, unit = bare_unit_ms;
    size_t i;

    if (digits == 0 || config_parse_uint(v, digits, UINT32_MAX, &n) != 0) {
        return config_fail(p, "expected a duration like 500ms, 30s, 5m, 24h or 1d, got '%s'", v);
    }
    if (v[digits] != '\0') {
        const char *u = v + digits;
        for (i = 0; i < ARRAY_SIZE(units); i++) {
            if (config_ci_equal(u, units[i].name)) {
                break;
            }
        }
        if (i == ARRAY_SIZE(units)) {
            return config_fail(p, "unknown unit '%s' in '%s': expected ms, s, m, h or d", u, v);
        }
        unit = units[i].ms;
    }
    *out = n * unit;
    return 0;
}

int config_parse_duration_range(struct parser *p, const char *v, uint64_t bare_unit_ms, uint64_t min_ms,
                                uint64_t max_ms, uint64_t *out)
{
    if (parse_duration_ms(p, v, bare_unit_ms, out) != 0) {
        return -1;
    }
    if (*out < min_ms || *out > max_ms) {
        return config_fail(p, "'%s' is out of range: expected %lu ms to %lu ms", v, (unsigned long)min_ms,
                           (unsigned long)max_ms);
    }
    return 0;
}

/* N/period: 20/hour, 5/min, 100/day, 3/10m; "none" for no limit. */
int config_parse_rate(struct parser *p, const char *v, struct config_rate *out)
{
    static const struct {
        const char *name;
        uint32_t s;
    } periods[] = {
        { "minute", S_PER_MIN }, { "min", S_PER_MIN }, { "m", S_PER_MIN }, { "hour", S_PER_HOUR },
        { "h", S_PER_HOUR },     { "day", S_PER_DAY }, { "d", S_PER_DAY },
    };
    const char *slash = strchr(v, '/');
    uint64_t n, ms;
    size_t i;

    if (config_ci_equal(v, "none")) {
        out->count = 0;
        out->period_s = 0;
        return 0;
    }
    if (slash == NULL || config_parse_uint(v, (size_t)(slash - v), UINT32_MAX, &n) != 0 || n == 0) {
        return config_fail(p, "expected N/period like 20/hour, 5/minute, 100/day or 3/10m (or none), got '%s'", v);
    }
    for (i = 0; i < ARRAY_SIZE(periods); i++) {
        if (config_ci_equal(slash + 1, periods[i].name)) {
            out->count = (uint32_t)n;
            out->period_s = periods[i].s;
            return 0;
        }
    }
    if (!is_digit(slash[1])) {
        return config_fail(p, "unknown period '%s': expected minute, hour, day or a duration like 10m", slash + 1);
    }
    if (config_parse_duration_range(p, slash + 1, MS_PER_S, MS_PER_S, (uint64_t)HEARTBEAT_MAX_S * MS_PER_S, &ms) != 0) {
        return -1;
    }
    out->count = (uint32_t)n;
    out->period_s = (uint32_t)(ms / MS_PER_S);
    return 0;
}

/* The EHLO name for a HostName as written: ssmtp sent only the first word; other bad characters become '-'. */
void config_derive_ehlo(const char *hostname, char *out)
{
    size_t o = 0, i;

    for (i = 0; hostname[i] != '\0' && !is_blank(hostname[i]) && o < CONFIG_HOST_MAX; i++) {
        char c = hostname[i];
        out[o++] = (is_alnum(c) || c == '.') ? c : '-';
    }
    while (o > 0 && (out[o - 1] == '-' || out[o - 1] == '.')) {
        o--;
    }
    out[o] = '\0';
    i = strspn(out, "-.");
    memmove(out, out + i, o - i + 1);
    if (!config_valid_hostname(out)) {
        memcpy(out, CONFIG_DEFAULT_EHLO_NAME, sizeof(CONFIG_DEFAULT_EHLO_NAME));
    }
}
