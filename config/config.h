/*
 * config - the smtp.conf and revaliases parser and the effective configuration.
 *
 * Users configure baremail the way they configure ssmtp: a Key=Value file (smtp.conf) and an optional
 * revaliases file, written on a PC and copied to the SD card's boot partition. This module turns the text of
 * those files into one `struct config` that the rest of the firmware receives, and reports every problem with
 * file, line and key. docs/config.md is the user-facing reference for every key.
 *
 * Rules:
 *  - Pure: no file I/O, no malloc, libc string functions and snprintf only. Callers read files (the firmware
 *    from the FAT partition, tools/smtpconf-check from disk) and hand over text buffers, which need not be
 *    NUL-terminated and are not kept after a call returns.
 *  - Fixed-size storage: every string and list in `struct config` has a documented bound (CONFIG_*_MAX below);
 *    a value that does not fit is an error, never truncated.
 *  - Call order: config_init, config_parse (smtp.conf), optionally config_parse_revaliases, then config_finish,
 *    which applies defaults that depend on other keys and checks the keys against each other. Not thread-safe;
 *    one parse at a time per struct. The parser uses about CONFIG_LINE_MAX + 1 KiB of stack.
 *  - Diagnostics go to a callback as they are found; the message never contains a secret (AuthPass, AuthToken).
 *  - config_format prints the effective configuration with secrets replaced by CONFIG_SECRET_MASK.
 *  - Return codes: 0 success, negative CONFIG_ERR_* on failure, named by config_strerror.
 */
#ifndef CONFIG_CONFIG_H
#define CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Longest line accepted (without its line ending). Large enough for an OAuth2 access token on one line. */
#ifndef CONFIG_LINE_MAX
#define CONFIG_LINE_MAX 4096
#endif
/* RFC 5321: 254 characters is the longest usable mail address, 253 the longest domain name. */
#define CONFIG_ADDR_MAX 254
#define CONFIG_HOST_MAX 253
/* Paths on the FAT boot partition; long file names are allowed but a deep tree is not expected. */
#ifndef CONFIG_PATH_MAX
#define CONFIG_PATH_MAX 128
#endif
/* AuthUser, AuthPass, HostName as written, and other short free text. */
#ifndef CONFIG_TEXT_MAX
#define CONFIG_TEXT_MAX 255
#endif
/* Google documents access tokens of up to 2048 bytes. */
#ifndef CONFIG_TOKEN_MAX
#define CONFIG_TOKEN_MAX 2048
#endif
/* AddHeader lines and the length of each (a header line should stay under the 998-character SMTP limit). */
#ifndef CONFIG_HEADERS_MAX
#define CONFIG_HEADERS_MAX 8
#endif
#ifndef CONFIG_HEADER_MAX
#define CONFIG_HEADER_MAX 255
#endif
/* Watched pins: the 40-pin header has 26 GPIOs alerts may use, and few alarm panels watch more than a handful. */
#ifndef CONFIG_ALERTS_MAX
#define CONFIG_ALERTS_MAX 16
#endif
#define CONFIG_NAME_MAX 31
#ifndef CONFIG_SUBJECT_MAX
#define CONFIG_SUBJECT_MAX 127
#endif
#ifndef CONFIG_BODY_MAX
#define CONFIG_BODY_MAX 511
#endif
/* Recipients in AlertTo, and in one alert's to= field. */
#ifndef CONFIG_RECIPIENTS_MAX
#define CONFIG_RECIPIENTS_MAX 8
#endif
/* lwIP's DNS_MAX_SERVERS default is 2; 3 leaves room for a fallback. */
#ifndef CONFIG_DNS_MAX
#define CONFIG_DNS_MAX 3
#endif
/* revaliases entries: root plus one per alert. */
#ifndef CONFIG_ALIASES_MAX
#define CONFIG_ALIASES_MAX (CONFIG_ALERTS_MAX + 1)
#endif
/* Room for the per-key bookkeeping (line where each key was last set). */
#define CONFIG_KEYS_MAX 48
/* Longest diagnostic message and longest line config_format emits. */
#define CONFIG_MSG_MAX    320
#define CONFIG_SHA256_LEN 32

/* What config_format prints instead of a secret. */
#define CONFIG_SECRET_MASK "********"

#define CONFIG_DEFAULT_PORT       25
#define CONFIG_DEFAULT_NTP_SERVER "pool.ntp.org"
/* EHLO name when HostName is not set or nothing usable can be derived from it. */
#define CONFIG_DEFAULT_EHLO_NAME "baremail"

#define CONFIG_OK           0
#define CONFIG_ERR_ARG      (-ERR_BASE_CONFIG - 1) /* NULL pointer or a call out of order */
#define CONFIG_ERR_INVALID  (-ERR_BASE_CONFIG - 2) /* the text had errors; they were reported through the callback */
#define CONFIG_ERR_OVERFLOW (-ERR_BASE_CONFIG - 3) /* config_template_expand: the output buffer is too small */

enum config_severity { CONFIG_SEVERITY_ERROR, CONFIG_SEVERITY_WARNING };

/* One diagnostic. `line` is 0 for a problem with the file as a whole (for example a missing key), and `key`
 * is NULL when the line has no recognisable key. The pointers are valid only during the callback. */
struct config_diag {
    enum config_severity severity;
    const char *file;
    unsigned line;
    const char *key;
    const char *message;
};

typedef void (*config_diag_fn)(void *ctx, const struct config_diag *diag);

/* Only meaningful when auth_method_set (or XOAUTH2 from AuthToken): otherwise net/smtp_auth.c chooses among what
 * the server offers, PLAIN first over TLS, where ssmtp always used LOGIN. */
enum config_auth_method {
    CONFIG_AUTH_LOGIN,
    CONFIG_AUTH_PLAIN,
    CONFIG_AUTH_CRAM_MD5,
    CONFIG_AUTH_XOAUTH2,
};

enum config_tls_version { CONFIG_TLS_1_2, CONFIG_TLS_1_3 };
enum config_edge { CONFIG_EDGE_FALLING, CONFIG_EDGE_RISING, CONFIG_EDGE_BOTH };
enum config_pull { CONFIG_PULL_UP, CONFIG_PULL_DOWN, CONFIG_PULL_NONE };

/* IPv4 addresses are host-order integers: a.b.c.d is (a << 24) | (b << 16) | (c << 8) | d. */

struct config_recipients {
    unsigned count;
    char addr[CONFIG_RECIPIENTS_MAX][CONFIG_ADDR_MAX + 1];
};

/* At most `count` mails per `period_s` seconds; count 0 means no limit. */
struct config_rate {
    uint32_t count;
    uint32_t period_s;
};

/* One watched input (an Alert line). Templates keep their {placeholders}; the alert module expands them. */
struct config_alert {
    char name[CONFIG_NAME_MAX + 1];
    unsigned gpio;
    enum config_edge edge;
    enum config_pull pull;
    uint32_t debounce_ms;
    bool recovery;
    char subject[CONFIG_SUBJECT_MAX + 1];
    char body[CONFIG_BODY_MAX + 1];
    struct config_recipients to; /* empty: the global AlertTo */
    struct config_rate limit;    /* count 0: only the global RateLimit applies */
    unsigned line;
};

/* One revaliases line: mail from `account` goes out as `address`, optionally through another mail hub. */
struct config_alias {
    char account[CONFIG_NAME_MAX + 1];
    char address[CONFIG_ADDR_MAX + 1];
    char mailhub[CONFIG_HOST_MAX + 1]; /* empty: the MailHub of smtp.conf */
    uint16_t port;                     /* 0 when mailhub is empty */
    bool mailhub_ipv6;
    unsigned line;
};

struct config {
    /* ssmtp keys */
    char root[CONFIG_ADDR_MAX + 1];
    char mailhub[CONFIG_HOST_MAX + 1];
    bool mailhub_ipv6; /* mailhub holds an IPv6 literal, written [addr] in the file */
    uint16_t port;
    bool port_set;                       /* a port was written (MailHub's :port or RemotePort), not the default 25 */
    char hostname[CONFIG_TEXT_MAX + 1];  /* as written */
    char ehlo_name[CONFIG_HOST_MAX + 1]; /* valid host name derived from hostname (config_finish) */
    char rewrite_domain[CONFIG_HOST_MAX + 1];
    bool from_line_override;
    bool use_tls;
    bool use_starttls;
    bool use_tls_cert;
    char tls_cert[CONFIG_PATH_MAX + 1];
    char tls_key[CONFIG_PATH_MAX + 1]; /* defaults to tls_cert, as in Debian's ssmtp */
    char tls_ca_file[CONFIG_PATH_MAX + 1];
    char auth_user[CONFIG_TEXT_MAX + 1];
    char auth_pass[CONFIG_TEXT_MAX + 1]; /* secret */
    enum config_auth_method auth_method;
    bool use_old_auth;
    unsigned header_count;
    char headers[CONFIG_HEADERS_MAX][CONFIG_HEADER_MAX + 1];
    bool debug;

    /* network */
    bool dhcp;
    uint32_t ip;
    unsigned prefix_len;
    uint32_t gateway; /* 0: none */
    unsigned dns_count;
    uint32_t dns[CONFIG_DNS_MAX];
    char ntp_server[CONFIG_HOST_MAX + 1];

    /* TLS and SMTP session */
    enum config_tls_version tls_min_version;
    bool has_fingerprint;
    uint8_t fingerprint[CONFIG_SHA256_LEN];
    uint32_t connect_timeout_ms;
    uint32_t smtp_timeout_ms;
    char auth_token[CONFIG_TOKEN_MAX + 1]; /* secret */
    bool allow_auth_without_tls;           /* AllowAuthWithoutTLS: credentials may go in clear (LAN relay) */

    /* alerts */
    /* after config_finish: AlertTo, else Root, else revaliases' root address, else AuthUser when an address */
    struct config_recipients alert_to;
    unsigned alert_count;
    struct config_alert alerts[CONFIG_ALERTS_MAX];
    struct config_rate rate_limit;
    bool boot_mail;
    bool heartbeat_mail;
    uint32_t heartbeat_period_s;

    /* revaliases */
    unsigned alias_count;
    struct config_alias aliases[CONFIG_ALIASES_MAX];

    /* bookkeeping: where things came from, so later checks can cite a line */
    char conf_file[CONFIG_PATH_MAX + 1];
    char aliases_file[CONFIG_PATH_MAX + 1];
    unsigned key_line[CONFIG_KEYS_MAX]; /* 0: key not set */
    unsigned error_count;
    unsigned warning_count;
    bool auth_method_set;
    bool conf_not_text; /* smtp.conf was refused whole (UTF-16): config_finish reports no key as missing */
    bool finished;
};

/* Fill `cfg` with the defaults (docs/config.md lists them). */
void config_init(struct config *cfg);

/*
 * Parse the text of smtp.conf. `filename` is the name used in diagnostics (and remembered for config_finish).
 * `text` is `len` bytes, UTF-8 or ASCII, LF or CRLF line endings, an optional byte-order mark; the last line
 * needs no newline. Every problem is passed to `diag` (may be NULL) and counted in cfg->error_count and
 * cfg->warning_count; parsing continues after an error so that all of them are reported.
 * Returns 0 when this file had no error, CONFIG_ERR_INVALID when it had, CONFIG_ERR_ARG on bad arguments.
 */
int config_parse(struct config *cfg, const char *filename, const char *text, size_t len, config_diag_fn diag,
                 void *diag_ctx);

/* Parse the text of a revaliases file (ssmtp's format: local_account:outgoing_address[:mailhub[:port]]).
 * Same conventions and return values as config_parse. */
int config_parse_revaliases(struct config *cfg, const char *filename, const char *text, size_t len, config_diag_fn diag,
                            void *diag_ctx);

/*
 * Check the keys against each other and derive what depends on several keys (EHLO name, recipients, TLS key
 * path). Call once, after the parse calls. Returns 0 when the configuration is usable (warnings allowed),
 * CONFIG_ERR_INVALID when any error was reported by this or an earlier call.
 */
int config_finish(struct config *cfg, config_diag_fn diag, void *diag_ctx);

/* Whether an alert may watch BCM GPIO `gpio`: NULL when it may, else why not, as a phrase completing "GPIO 14
 * cannot be watched: ...". The answer is the board's, not the parser's (which only checks that gpio is 0-53): the
 * firmware passes board_input_check(), tools/smtpconf-check the 40-pin header's rule from board/pi_header.h. */
typedef const char *(*config_gpio_check_fn)(void *ctx, unsigned gpio);

/*
 * Ask `check` about the pin of every Alert line and report each refusal on that line with the check's reason: as an
 * error "NAME: gpio: GPIO 14 cannot be watched: REASON; choose another pin", or as a warning "NAME: gpio: GPIO 5:
 * REASON" (the checker warns about pins some older boards lack). Call after config_finish. Returns 0 when
 * nothing was refused as an error, CONFIG_ERR_INVALID when something was, CONFIG_ERR_ARG on NULL arguments.
 */
int config_check_alert_gpios(struct config *cfg, config_gpio_check_fn check, void *check_ctx,
                             enum config_severity severity, config_diag_fn diag, void *diag_ctx);

/* Write one diagnostic as "file:line: key: error: message" (parts omitted when absent) into buf (always
 * NUL-terminated when size > 0). Returns the length snprintf would have produced. */
int config_diag_format(const struct config_diag *diag, char *buf, size_t size);

/* Emit the effective configuration, one line per call of `emit` (without newline), in smtp.conf syntax so
 * that it can be pasted back. Secrets are printed as CONFIG_SECRET_MASK. Safe on an unfinished config. */
void config_format(const struct config *cfg, void (*emit)(void *ctx, const char *line), void *ctx);

/* The line of smtp.conf where `key` (case-insensitive, e.g. "TLS_CA_File") was first set, 0 when it was not set
 * or is not a key. Lets callers that check a named file cite file:line. */
unsigned config_key_line(const struct config *cfg, const char *key);

/* The alert or revaliases entry with that name, or NULL. */
const struct config_alert *config_find_alert(const struct config *cfg, const char *name);
const struct config_alias *config_find_alias(const struct config *cfg, const char *account);

/* The words smtp.conf uses for an Alert's edge= and pull=: "falling", "up", ... */
const char *config_edge_name(enum config_edge edge);
const char *config_pull_name(enum config_pull pull);

/* The placeholders of Alert subject and body templates, in the order of config_template_expand's values. */
enum config_placeholder {
    CONFIG_PH_NAME,  /* {name}: the alert's name */
    CONFIG_PH_STATE, /* {state}: triggered or recovered */
    CONFIG_PH_GPIO,  /* {gpio}: the BCM GPIO number */
    CONFIG_PH_TIME,  /* {time}: UTC time of the event, ISO 8601 */
    CONFIG_PH_HOST,  /* {host}: the EHLO name */
    CONFIG_PH_COUNT
};

/*
 * The one reader of the template syntax: the parser checks templates with it and the alert mails expand them
 * with it, so what smtp.conf accepts is exactly what the firmware can expand. "{{" and "}}" are one literal
 * brace; each {placeholder} becomes values[CONFIG_PH_*] (NULL values, or values NULL: empty); a lone '}' is an
 * ordinary character; any other '{' is an error.
 * Writes the expansion and a NUL into out[0..size). out NULL with size 0 only checks and measures.
 * Returns the length of the expansion (without the NUL); CONFIG_ERR_INVALID at an unknown or unclosed
 * placeholder, with *bad (when not NULL) the offset of its '{'; CONFIG_ERR_OVERFLOW when the expansion and its
 * NUL do not fit (out then holds ""; never a truncated text); CONFIG_ERR_ARG for a NULL template.
 */
int config_template_expand(const char *tmpl, const char *const *values, char *out, size_t size, size_t *bad);

const char *config_strerror(int err);

#endif /* CONFIG_CONFIG_H */
