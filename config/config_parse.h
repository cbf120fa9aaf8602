/*
 * config_parse - what the parts of the smtp.conf parser share. Private: only the .c files of config/ include it;
 * the public contract is config.h.
 *
 * The parser is one module in several files, cut at its seams:
 *   config.c          the key table, the key handlers and the line reader (config_parse, config_init)
 *   config_values.c   values: numbers, booleans, ports, hosts, addresses, durations, rates; string helpers
 *   config_alert.c    Alert lines and the subject/body templates
 *   config_aliases.c  the revaliases file
 *   config_finish.c   the checks across keys (config_finish, config_check_alert_gpios)
 *   config_format.c   text for people: diagnostics, the effective configuration, error names
 *
 * Rules: the value parsers that take a `struct parser` report their own error on the current line and key and
 * return -1 (0 on success), so that handlers can `return config_fail(...)`; those without one only answer.
 * The same rules as config.h hold for every part: libc only, no malloc, no secret in a message.
 */
#ifndef CONFIG_CONFIG_PARSE_H
#define CONFIG_CONFIG_PARSE_H

#include "config/config.h"
#include "lib/units.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORT_MAX 65535u
/* The BCM283x's GPIOs are numbered 0-53 (BCM2835 ARM Peripherals, section 6.1). Which of them an alert may watch is
 * the board's fact (its header, its console pins): config_check_alert_gpios() asks it. */
#define GPIO_BCM_MAX    53u
#define DEBOUNCE_MAX_MS 60000u
#define TIMEOUT_MIN_MS  1000u
#define TIMEOUT_MAX_MS  (10u * S_PER_MIN * MS_PER_S)
#define HEARTBEAT_MIN_S S_PER_MIN
#define HEARTBEAT_MAX_S (30u * S_PER_DAY)
#define DNS_LABEL_MAX   63
#define IPV6_TEXT_MAX   45

/* Defaults that are not ssmtp's (ssmtp has no such keys); docs/config.md explains each. */
#define DEFAULT_CONNECT_TIMEOUT_MS (30u * MS_PER_S)
#define DEFAULT_SMTP_TIMEOUT_MS    (60u * MS_PER_S)
#define DEFAULT_DEBOUNCE_MS        50u
#define DEFAULT_RATE_COUNT         20u
#define DEFAULT_RATE_PERIOD_S      S_PER_HOUR
#define DEFAULT_HEARTBEAT_S        S_PER_DAY
#define DEFAULT_SUBJECT            "[{host}] {name} {state}"
#define DEFAULT_BODY               "{name} (GPIO {gpio}) {state} at {time}."

/* Longest key name we look up; anything longer is unknown anyway. */
#define KEY_NAME_MAX 40

enum key_id {
    KEY_ROOT,
    KEY_MAILHUB,
    KEY_REMOTEPORT,
    KEY_HOSTNAME,
    KEY_REWRITEDOMAIN,
    KEY_FROMLINEOVERRIDE,
    KEY_USETLS,
    KEY_USESTARTTLS,
    KEY_USETLSCERT,
    KEY_TLSCERT,
    KEY_TLSKEY,
    KEY_TLS_CA_FILE,
    KEY_TLS_CA_DIR,
    KEY_AUTHUSER,
    KEY_AUTHPASS,
    KEY_AUTHMETHOD,
    KEY_USEOLDAUTH,
    KEY_ADDHEADER,
    KEY_DEBUG,
    KEY_IP,
    KEY_GATEWAY,
    KEY_DNS,
    KEY_NTPSERVER,
    KEY_TLS_MINVERSION,
    KEY_TLS_FINGERPRINT,
    KEY_CONNECTTIMEOUT,
    KEY_SMTPTIMEOUT,
    KEY_AUTHTOKEN,
    KEY_ALLOWAUTHWITHOUTTLS,
    KEY_ALERTTO,
    KEY_ALERT,
    KEY_RATELIMIT,
    KEY_BOOTMAIL,
    KEY_HEARTBEATMAIL,
    KEY_HEARTBEATPERIOD,
    KEY_COUNT
};

_Static_assert(KEY_COUNT <= CONFIG_KEYS_MAX, "raise CONFIG_KEYS_MAX");

struct parser {
    struct config *cfg;
    const char *file;
    unsigned line;
    const char *key; /* for diagnostics; NULL when the line has no known key */
    config_diag_fn fn;
    void *ctx;
    unsigned errors;
    unsigned mailhub_port_line; /* line of the last MailHub that carried a :port */
    bool not_text;              /* the file is not text we read (UTF-16): its keys are unknown, not missing */
};

/* The character tests, inline: the split must not turn each of them into a call to another file. */

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static inline bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline char to_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static inline unsigned hex_value(char c)
{
    if (is_digit(c)) {
        return (unsigned)(c - '0');
    }
    return (unsigned)(to_lower(c) - 'a' + 10);
}

/* ---- diagnostics (config.c) ---- */

/* A diagnostic about another line or key than the one being parsed (used by the checks across keys). */
__attribute__((format(printf, 5, 6))) void config_report(struct parser *p, enum config_severity sev, unsigned line,
                                                         const char *key, const char *fmt, ...);
/* An error on the current line and key; returns -1. */
__attribute__((format(printf, 2, 3))) int config_fail(struct parser *p, const char *fmt, ...);
/* A warning on the current line and key. */
__attribute__((format(printf, 2, 3))) void config_warn(struct parser *p, const char *fmt, ...);

/* ---- the line reader (config.c) ---- */

typedef void (*config_line_fn)(struct parser *p, const char *s, size_t n);

/* Start a parse or a check of `cfg`: diagnostics name `filename`. Returns 0. */
int config_parser_begin(struct parser *p, struct config *cfg, const char *filename, config_diag_fn fn, void *ctx);
/* Call `fn` for each line of `text` (line ending, byte-order mark removed); reports too long, NUL and UTF-16. */
void config_for_each_line(struct parser *p, const char *text, size_t len, config_line_fn fn);
/* s[0] is '"': unescape into out (CONFIG_LINE_MAX + 1 bytes); the index after the closing quote, 0 on error. */
size_t config_unquote(struct parser *p, const char *s, size_t n, char *out);
/* Where an unquoted value ends: before a '#' that follows a blank (or starts the value after blanks). */
size_t config_comment_start(const char *s, size_t n, bool blank_before, bool quote_aware);

/* ---- string helpers (config_values.c) ---- */

bool config_ci_equal(const char *a, const char *b);
/* The n characters at a equal b, a whole string, ignoring case. */
bool config_ci_equal_n(const char *a, size_t n, const char *b);
size_t config_skip_blanks(const char *s, size_t n, size_t i);
bool config_has_blank(const char *s);
/* Copy `v` into a field of `size` bytes, or report that it is too long. */
int config_store(struct parser *p, char *dst, size_t size, const char *v);
/* The closest of `names` to `word`, if close enough to be a plausible typo, else NULL. */
const char *config_closest(const char *word, const char *const *names, size_t count);

/* ---- values (config_values.c) ---- */

/* Decimal digits only, at most `max`; -1 without a report. */
int config_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out);
int config_parse_bool(struct parser *p, const char *v, bool *out);
int config_parse_port(struct parser *p, const char *v, uint16_t *out);
bool config_valid_hostname(const char *s);
/* a.b.c.d in exactly n characters; -1 without a report. */
int config_parse_ipv4_n(const char *s, size_t n, uint32_t *out);
int config_parse_ipv4(struct parser *p, const char *v, uint32_t *out);
/* host[:port] or [IPv6]:port into host (CONFIG_HOST_MAX + 1 bytes); *port is written only when one is named. */
int config_parse_hostport(struct parser *p, const char *v, char *host, bool *ipv6, uint16_t *port, bool *has_port);
/* A whole user@domain address, without reporting anything. */
bool config_is_address(const char *v);
/* user@domain, or (allow_local) a bare local name that gets a domain appended as ssmtp did. */
int config_check_address(struct parser *p, const char *v, bool allow_local);
/* Comma-separated addresses, appended to `list`. */
int config_parse_recipients(struct parser *p, const char *v, struct config_recipients *list);
/* A duration (a bare number is in `bare_unit_ms`) from min_ms to max_ms, in ms. */
int config_parse_duration_range(struct parser *p, const char *v, uint64_t bare_unit_ms, uint64_t min_ms,
                                uint64_t max_ms, uint64_t *out);
/* N/period, or "none" for no limit. */
int config_parse_rate(struct parser *p, const char *v, struct config_rate *out);
/* The EHLO name for a HostName as written (out: CONFIG_HOST_MAX + 1 bytes). */
void config_derive_ehlo(const char *hostname, char *out);

/* ---- Alert lines (config_alert.c) ---- */

/* The value region of an Alert line, quotes still in it; `value` is scratch of CONFIG_LINE_MAX + 1 bytes. */
int config_parse_alert(struct parser *p, const char *s, size_t n, char *value);

#endif /* CONFIG_CONFIG_PARSE_H */
