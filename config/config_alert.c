/*
 * config - the Alert lines (Alert = NAME: gpio=N field=value ...) and the subject and body templates: the one
 * reader of the template syntax, used both to check a template and to expand it. Part of the parser (config.h is
 * the contract, config_parse.h what the parts share).
 */
#include "config/config_parse.h"

#include <string.h>

static const char *const placeholders[CONFIG_PH_COUNT] = { "name", "state", "gpio", "time", "host" };

int config_template_expand(const char *tmpl, const char *const *values, char *out, size_t size, size_t *bad)
{
    const char *s = tmpl;
    size_t len = 0;
    bool overflow = false;

    if (tmpl == NULL || (out == NULL && size > 0)) {
        return CONFIG_ERR_ARG;
    }
    while (*s != '\0') {
        const char *piece = s;
        size_t n = 1;

        if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
            s += 2; /* a doubled brace is one literal brace */
        } else if (s[0] == '{') {
            const char *close = strchr(s, '}');
            size_t i, name_len = close != NULL ? (size_t)(close - s - 1) : 0;

            for (i = 0; close != NULL && i < CONFIG_PH_COUNT; i++) {
                if (strlen(placeholders[i]) == name_len && strncmp(s + 1, placeholders[i], name_len) == 0) {
                    break;
                }
            }
            if (close == NULL || i == CONFIG_PH_COUNT) {
                if (bad != NULL) {
                    *bad = (size_t)(s - tmpl);
                }
                return CONFIG_ERR_INVALID;
            }
            piece = values != NULL && values[i] != NULL ? values[i] : "";
            n = strlen(piece);
            s = close + 1;
        } else {
            s++;
        }
        if (out != NULL && !overflow && n < size - len) {
            memcpy(out + len, piece, n);
        } else {
            overflow = true;
        }
        len += n;
    }
    if (out == NULL) {
        return (int)len;
    }
    /* Each piece copied leaves room for the NUL; only an empty expansion reaches here unchecked (size 0). */
    if (overflow || len >= size) {
        if (size > 0) {
            out[0] = '\0'; /* nothing half-expanded is left for a careless caller to send */
        }
        return CONFIG_ERR_OVERFLOW;
    }
    out[len] = '\0';
    return (int)len;
}

static int check_template(struct parser *p, const char *field, const char *t)
{
    size_t bad = 0;

    if (config_template_expand(t, NULL, NULL, 0, &bad) >= 0) {
        return 0;
    }
    return config_fail(
        p,
        "%s: unknown placeholder near '%.20s': expected {name}, {state}, {gpio}, {time} or {host} (write "
        "{{ for a literal brace)",
        field, t + bad);
}

/* ---- Alert lines: Alert = NAME: gpio=N edge=... pull=... debounce=... ---- */

enum alert_field {
    AF_GPIO,
    AF_EDGE,
    AF_PULL,
    AF_DEBOUNCE,
    AF_RECOVERY,
    AF_SUBJECT,
    AF_BODY,
    AF_TO,
    AF_LIMIT,
    AF_COUNT
};

static const char *const alert_fields[AF_COUNT] = { "gpio",    "edge", "pull", "debounce", "recovery",
                                                    "subject", "body", "to",   "limit" };

static const char *const edge_names[] = {
    [CONFIG_EDGE_FALLING] = "falling", [CONFIG_EDGE_RISING] = "rising", [CONFIG_EDGE_BOTH] = "both"
};
static const char *const pull_names[] = {
    [CONFIG_PULL_UP] = "up", [CONFIG_PULL_DOWN] = "down", [CONFIG_PULL_NONE] = "none"
};

const char *config_edge_name(enum config_edge edge)
{
    return (unsigned)edge < ARRAY_SIZE(edge_names) ? edge_names[edge] : "?";
}

const char *config_pull_name(enum config_pull pull)
{
    return (unsigned)pull < ARRAY_SIZE(pull_names) ? pull_names[pull] : "?";
}

static int check_alert_name(struct parser *p, const char *name)
{
    size_t i, n = strlen(name);

    if (n == 0 || n > CONFIG_NAME_MAX || !is_alpha(name[0])) {
        return config_fail(p,
                           "expected 'NAME: gpio=N ...' where NAME starts with a letter and has at most %d "
                           "letters, digits, '-' or '_'; got '%s'",
                           CONFIG_NAME_MAX, name);
    }
    for (i = 0; i < n; i++) {
        if (!is_alnum(name[i]) && name[i] != '-' && name[i] != '_') {
            return config_fail(p, "alert name '%s' may contain only letters, digits, '-' and '_'", name);
        }
    }
    if (config_ci_equal(name, "root")) {
        return config_fail(p, "'root' is the system account (console and boot mail); choose another alert name");
    }
    return 0;
}

static int set_alert_field(struct parser *p, struct config_alert *a, enum alert_field f, const char *v)
{
    uint64_t n;
    unsigned i;

    switch (f) {
    case AF_GPIO:
        if (config_parse_uint(v, strlen(v), GPIO_BCM_MAX, &n) != 0) {
            return config_fail(p, "%s: gpio: expected a BCM GPIO number 0-%u, got '%s'", a->name, GPIO_BCM_MAX, v);
        }
        a->gpio = (unsigned)n;
        return 0;
    case AF_EDGE:
        for (i = 0; i < ARRAY_SIZE(edge_names); i++) {
            if (config_ci_equal(v, edge_names[i])) {
                a->edge = (enum config_edge)i;
                return 0;
            }
        }
        return config_fail(p, "%s: edge: expected falling, rising or both, got '%s'", a->name, v);
    case AF_PULL:
        for (i = 0; i < ARRAY_SIZE(pull_names); i++) {
            if (config_ci_equal(v, pull_names[i])) {
                a->pull = (enum config_pull)i;
                return 0;
            }
        }
        return config_fail(p, "%s: pull: expected up, down or none, got '%s'", a->name, v);
    case AF_DEBOUNCE:
        if (config_parse_duration_range(p, v, 1, 0, DEBOUNCE_MAX_MS, &n) != 0) {
            return -1;
        }
        a->debounce_ms = (uint32_t)n;
        return 0;
    case AF_RECOVERY: return config_parse_bool(p, v, &a->recovery);
    case AF_SUBJECT:
        if (check_template(p, "subject", v) != 0) {
            return -1;
        }
        return config_store(p, a->subject, sizeof(a->subject), v);
    case AF_BODY:
        if (check_template(p, "body", v) != 0) {
            return -1;
        }
        return config_store(p, a->body, sizeof(a->body), v);
    case AF_TO: return config_parse_recipients(p, v, &a->to);
    case AF_LIMIT: return config_parse_rate(p, v, &a->limit);
    case AF_COUNT: break;
    }
    return -1;
}

static void alert_defaults(struct config_alert *a)
{
    memset(a, 0, sizeof(*a));
    a->edge = CONFIG_EDGE_FALLING;
    a->pull = CONFIG_PULL_UP;
    a->debounce_ms = DEFAULT_DEBOUNCE_MS;
    memcpy(a->subject, DEFAULT_SUBJECT, sizeof(DEFAULT_SUBJECT));
    memcpy(a->body, DEFAULT_BODY, sizeof(DEFAULT_BODY));
}

/* `s` is the value region of the line, up to an inline comment; quotes are still in it. `value` is scratch
 * space of CONFIG_LINE_MAX + 1 bytes. */
int config_parse_alert(struct parser *p, const char *s, size_t n, char *value)
{
    struct config *cfg = p->cfg;
    struct config_alert a;
    bool seen[AF_COUNT] = { false };
    const char *colon = memchr(s, ':', n);
    size_t i, name_len;
    unsigned k;
    int rc = 0;

    alert_defaults(&a);
    a.line = p->line;
    name_len = colon != NULL ? (size_t)(colon - s) : 0;
    while (name_len > 0 && is_blank(s[name_len - 1])) {
        name_len--;
    }
    if (colon == NULL || name_len > CONFIG_NAME_MAX) {
        return config_fail(p, "expected 'NAME: gpio=N edge=falling|rising|both pull=up|down|none ...', e.g. "
                              "Alert = door: gpio=17 subject=\"Door opened\"");
    }
    memcpy(a.name, s, name_len);
    a.name[name_len] = '\0';
    if (check_alert_name(p, a.name) != 0) {
        return -1;
    }
    for (k = 0; k < cfg->alert_count; k++) {
        if (config_ci_equal(cfg->alerts[k].name, a.name)) {
            return config_fail(p, "duplicate alert name '%s' (already defined on line %u)", a.name,
                               cfg->alerts[k].line);
        }
    }

    i = (size_t)(colon - s) + 1;
    for (;;) {
        char field[KEY_NAME_MAX + 1];
        size_t f0, flen;
        enum alert_field f;

        i = config_skip_blanks(s, n, i);
        if (i == n) {
            break;
        }
        f0 = i;
        while (i < n && (is_alnum(s[i]) || s[i] == '_')) {
            i++;
        }
        flen = i - f0;
        if (flen == 0 || flen > KEY_NAME_MAX || i == n || s[i] != '=') {
            rc = config_fail(p, "%s: expected field=value at '%.*s'", a.name, (int)(n - f0 < 20 ? n - f0 : 20), s + f0);
            break;
        }
        memcpy(field, s + f0, flen);
        field[flen] = '\0';
        i++;
        if (i < n && s[i] == '"') {
            size_t used = config_unquote(p, s + i, n - i, value);
            if (used == 0) {
                rc = -1;
                break;
            }
            i += used;
            if (i < n && !is_blank(s[i])) {
                rc = config_fail(p, "%s: %s: expected a blank after the closing quote", a.name, field);
                break;
            }
        } else {
            size_t v0 = i;
            while (i < n && !is_blank(s[i])) {
                i++;
            }
            memcpy(value, s + v0, i - v0);
            value[i - v0] = '\0';
        }
        for (f = AF_GPIO; f < AF_COUNT; f++) {
            if (config_ci_equal(field, alert_fields[f])) {
                break;
            }
        }
        if (f == AF_COUNT) {
            const char *hint = config_closest(field, alert_fields, AF_COUNT);
            rc = config_fail(p,
                             "%s: unknown field '%s'%s%s%s; fields are gpio, edge, pull, debounce, recovery, "
                             "subject, body, to, limit",
                             a.name, field, hint ? " (did you mean " : "", hint ? hint : "", hint ? "?)" : "");
            continue;
        }
        if (seen[f]) {
            rc = config_fail(p, "%s: field '%s' given twice", a.name, alert_fields[f]);
            continue;
        }
        seen[f] = true;
        if (f != AF_BODY && strchr(value, '\n') != NULL) {
            rc = config_fail(p, "%s: %s: a line break (\\n) is allowed only in body", a.name, field);
        } else if (set_alert_field(p, &a, f, value) != 0) {
            rc = -1;
        }
    }
    if (!seen[AF_GPIO] && rc == 0) {
        return config_fail(p, "%s: missing gpio=N (the BCM GPIO number of the watched input)", a.name);
    }
    if (rc != 0) {
        return -1;
    }
    if (a.edge == CONFIG_EDGE_BOTH && a.recovery) {
        config_warn(p, "%s: recovery=yes has no effect with edge=both: every change already sends an alert", a.name);
    }
    for (k = 0; k < cfg->alert_count; k++) {
        if (cfg->alerts[k].gpio == a.gpio) {
            return config_fail(p, "%s: duplicate pin: GPIO %u is already watched by '%s' (line %u)", a.name, a.gpio,
                               cfg->alerts[k].name, cfg->alerts[k].line);
        }
    }
    if (cfg->alert_count >= CONFIG_ALERTS_MAX) {
        return config_fail(p, "too many Alert lines (at most %d)", CONFIG_ALERTS_MAX);
    }
    cfg->alerts[cfg->alert_count++] = a;
    return 0;
}

const struct config_alert *config_find_alert(const struct config *cfg, const char *name)
{
    unsigned i;

    for (i = 0; cfg != NULL && name != NULL && i < cfg->alert_count; i++) {
        if (strcmp(cfg->alerts[i].name, name) == 0) {
            return &cfg->alerts[i];
        }
    }
    return NULL;
}
