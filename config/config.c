/*
 * config - smtp.conf and revaliases parser (see config.h for the contract, docs/config.md for the keys).
 *
 * ssmtp 2.64 split each line with strtok-like calls on "= \t\n" after cutting it at the first '#'. That is why
 * "key = value" gave an empty value, a value was cut at its first space or '=', a password could not contain
 * '#', and the last line was lost without a newline. This parser reads a line as: optional blanks, a key, optional
 * blanks, '=', optional blanks, then a value that is either a double-quoted string or everything up to an
 * inline comment (a '#' preceded by a blank) with trailing blanks removed. The meaning of each key stays ssmtp's.
 */
#include "config/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MS_PER_S 1000u
#define S_PER_MIN 60u
#define S_PER_HOUR 3600u
#define S_PER_DAY 86400u

#define PORT_MAX 65535u
/* The BCM283x's GPIOs are numbered 0-53 (BCM2835 ARM Peripherals, section 6.1). Which of them an alert may watch is
 * the board's fact (its header, its console pins): config_check_alert_gpios() asks it. */
#define GPIO_BCM_MAX 53u
#define DEBOUNCE_MAX_MS 60000u
#define TIMEOUT_MIN_MS 1000u
#define TIMEOUT_MAX_MS (10u * S_PER_MIN * MS_PER_S)
#define HEARTBEAT_MIN_S S_PER_MIN
#define HEARTBEAT_MAX_S (30u * S_PER_DAY)
#define DNS_LABEL_MAX 63
#define IPV6_TEXT_MAX 45

/* Defaults that are not ssmtp's (ssmtp has no such keys); docs/config.md explains each. */
#define DEFAULT_CONNECT_TIMEOUT_MS (30u * MS_PER_S)
#define DEFAULT_SMTP_TIMEOUT_MS (60u * MS_PER_S)
#define DEFAULT_DEBOUNCE_MS 50u
#define DEFAULT_RATE_COUNT 20u
#define DEFAULT_RATE_PERIOD_S S_PER_HOUR
#define DEFAULT_HEARTBEAT_S S_PER_DAY
#define DEFAULT_SUBJECT "[{host}] {name} {state}"
#define DEFAULT_BODY "{name} (GPIO {gpio}) {state} at {time}."

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

#define KEY_FIRST_WINS 0x2u /* ssmtp kept the first AuthUser/AuthPass/AuthMethod, ignoring later ones */
#define KEY_REPEAT 0x4u     /* may appear on several lines, each adds */

struct key_def {
	const char *name;
	int (*set)(struct parser *p, const char *v);
	unsigned flags;
};

/* ---- diagnostics ---- */

static void vreport(struct parser *p, enum config_severity sev, unsigned line, const char *key, const char *fmt,
		    va_list ap)
{
	char msg[CONFIG_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (sev == CONFIG_SEVERITY_ERROR) {
		p->errors++;
		p->cfg->error_count++;
	} else {
		p->cfg->warning_count++;
	}
	if (p->fn != NULL) {
		struct config_diag d = { sev, p->file, line, key, msg };
		p->fn(p->ctx, &d);
	}
}

/* A diagnostic about another line or key than the one being parsed (used by the checks across keys). */
__attribute__((format(printf, 5, 6))) static void report(struct parser *p, enum config_severity sev, unsigned line,
							 const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, sev, line, key, fmt, ap);
	va_end(ap);
}

/* An error on the current line and key; returns -1 so that handlers can `return fail(...)`. */
__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, CONFIG_SEVERITY_ERROR, p->line, p->key, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 2, 3))) static void warn(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, CONFIG_SEVERITY_WARNING, p->line, p->key, fmt, ap);
	va_end(ap);
}

/* ---- character and string helpers ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static unsigned hex_value(char c)
{
	if (is_digit(c))
		return (unsigned)(c - '0');
	return (unsigned)(to_lower(c) - 'a' + 10);
}

static bool ci_equal(const char *a, const char *b)
{
	while (*a != '\0' && to_lower(*a) == to_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

static bool ci_equal_n(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] == '\0' || to_lower(a[i]) != to_lower(b[i]))
			return false;
	return b[n] == '\0';
}

static size_t skip_blanks(const char *s, size_t n, size_t i)
{
	while (i < n && is_blank(s[i]))
		i++;
	return i;
}

static bool has_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (is_blank(*s))
			return true;
	return false;
}

/* Copy `v` into a field of `size` bytes, or report that it is too long. */
static int store(struct parser *p, char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	if (n >= size)
		return fail(p, "value too long (%lu characters; at most %lu)", (unsigned long)n,
			   (unsigned long)(size - 1));
	memcpy(dst, v, n + 1);
	return 0;
}

/* Case-insensitive edit distance, for "did you mean"; long strings are simply "far". */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[KEY_NAME_MAX + 1];
	size_t la = strlen(a), lb = strlen(b);
	size_t i, j;

	if (la > KEY_NAME_MAX || lb > KEY_NAME_MAX)
		return KEY_NAME_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (to_lower(a[i - 1]) == to_lower(b[j - 1]) ? 0u : 1u);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The closest of `names` to `word`, if close enough to be a plausible typo. */
static const char *closest(const char *word, const char *const *names, size_t count)
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

static int parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10u + (uint64_t)(s[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int parse_bool(struct parser *p, const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (ci_equal(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (ci_equal(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return fail(p, "expected YES or NO (or yes/no, true/false, 1/0), got '%s'", v);
}

static int parse_port(struct parser *p, const char *v, uint16_t *out)
{
	uint64_t n;
	size_t len = strlen(v);

	if (len == 0 || strspn(v, "0123456789") != len)
		return fail(p, "expected a port number 1-65535, got '%s'", v);
	if (parse_uint(v, len, PORT_MAX, &n) != 0 || n == 0)
		return fail(p, "port out of range: expected 1-65535, got %s", v);
	*out = (uint16_t)n;
	return 0;
}

static bool valid_hostname(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len == 0 || len > CONFIG_HOST_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum(c) || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (++label > DNS_LABEL_MAX)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[len - 1] != '-';
}

static bool valid_ipv6(const char *s, size_t n)
{
	size_t colons = 0, i;

	if (n < 2 || n > IPV6_TEXT_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == ':')
			colons++;
		else if (!is_hex(s[i]) && s[i] != '.')
			return false;
	}
	return colons >= 2;
}

static int parse_ipv4_n(const char *s, size_t n, uint32_t *out)
{
	uint32_t addr = 0;
	unsigned part;
	size_t i = 0;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		uint64_t v;
		while (i < n && is_digit(s[i]))
			i++;
		if (i - start > 3 || parse_uint(s + start, i - start, 255, &v) != 0)
			return -1;
		addr = (addr << 8) | (uint32_t)v;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
	}
	if (i != n)
		return -1;
	*out = addr;
	return 0;
}

static int parse_ipv4(struct parser *p, const char *v, uint32_t *out)
{
	if (parse_ipv4_n(v, strlen(v), out) != 0)
		return fail(p, "expected an IPv4 address a.b.c.d, got '%s'", v);
	return 0;
}

/* host[:port] or [IPv6]:port. *port is written only when the value names one. */
static int parse_hostport(struct parser *p, const char *v, char *host, bool *ipv6, uint16_t *port, bool *has_port)
{
	const char *colon;
	size_t hlen;

	*has_port = false;
	*ipv6 = false;
	if (v[0] == '\0')
		return fail(p, "expected host[:port], e.g. smtp.example.com:587, got an empty value");
	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (close == NULL || !valid_ipv6(v + 1, (size_t)(close - v - 1)))
			return fail(p, "expected [IPv6-address]:port, e.g. [2001:db8::25]:587, got '%s'", v);
		if (close[1] != '\0' && close[1] != ':')
			return fail(p, "expected ':port' after ']', got '%s'", close + 1);
		hlen = (size_t)(close - v - 1);
		memcpy(host, v + 1, hlen);
		host[hlen] = '\0';
		*ipv6 = true;
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strchr(v, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return fail(p, "an IPv6 address must be written in brackets, e.g. [2001:db8::25]:587; got '%s'",
				   v);
		hlen = colon != NULL ? (size_t)(colon - v) : strlen(v);
		if (hlen == 0 || hlen > CONFIG_HOST_MAX)
			return fail(p, "expected a host name before ':port', got '%s'", v);
		memcpy(host, v, hlen);
		host[hlen] = '\0';
		if (!valid_hostname(host))
			return fail(p, "'%s' is not a valid host name or IPv4 address", host);
	}
	if (colon != NULL) {
		if (parse_port(p, colon + 1, port) != 0)
			return -1;
		*has_port = true;
	}
	return 0;
}

static bool address_chars_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= ' ' || strchr("<>,;\"()", *v) != NULL)
			return false;
	return true;
}

/* A whole user@domain address (no local name), without reporting anything. */
static bool is_address(const char *v)
{
	const char *at = strrchr(v, '@');

	return address_chars_ok(v) && strlen(v) <= CONFIG_ADDR_MAX && at != NULL && at != v && valid_hostname(at + 1);
}

/* user@domain, or (allow_local) a bare local name that gets a domain appended as ssmtp did. */
static int check_address(struct parser *p, const char *v, bool allow_local)
{
	const char *at = strrchr(v, '@');

	if (!address_chars_ok(v))
		return fail(p, "expected a mail address like user@example.com, got '%s'", v);
	if (strlen(v) > CONFIG_ADDR_MAX)
		return fail(p, "address too long (at most %d characters)", CONFIG_ADDR_MAX);
	if (at == NULL) {
		if (!allow_local || v[0] == '\0')
			return fail(p, "expected a mail address like user@example.com, got '%s'", v);
		return 0;
	}
	if (at == v || !valid_hostname(at + 1))
		return fail(p, "expected a mail address like user@example.com, got '%s'", v);
	return 0;
}

/* Comma-separated addresses, appended to `list`. */
static int parse_recipients(struct parser *p, const char *v, struct config_recipients *list)
{
	const char *s = v;

	while (*s != '\0') {
		char one[CONFIG_ADDR_MAX + 2];
		const char *end = strchr(s, ',');
		size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
		size_t a = 0, b = n;

		while (a < b && is_blank(s[a]))
			a++;
		while (b > a && is_blank(s[b - 1]))
			b--;
		if (b == a)
			return fail(p, "empty address in the list '%s'", v);
		if (b - a > CONFIG_ADDR_MAX)
			return fail(p, "address too long (at most %d characters)", CONFIG_ADDR_MAX);
		memcpy(one, s + a, b - a);
		one[b - a] = '\0';
		if (check_address(p, one, true) != 0)
			return -1;
		if (list->count >= CONFIG_RECIPIENTS_MAX)
			return fail(p, "too many recipients (at most %d)", CONFIG_RECIPIENTS_MAX);
		memcpy(list->addr[list->count++], one, b - a + 1);
		s += n;
		if (*s == ',')
			s++;
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

	if (digits == 0 || parse_uint(v, digits, UINT32_MAX, &n) != 0)
		return fail(p, "expected a duration like 500ms, 30s, 5m, 24h or 1d, got '%s'", v);
	if (v[digits] != '\0') {
		const char *u = v + digits;
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (ci_equal(u, units[i].name))
				break;
		if (i == ARRAY_SIZE(units))
			return fail(p, "unknown unit '%s' in '%s': expected ms, s, m, h or d", u, v);
		unit = units[i].ms;
	}
	*out = n * unit;
	return 0;
}

static int parse_duration_range(struct parser *p, const char *v, uint64_t bare_unit_ms, uint64_t min_ms,
				uint64_t max_ms, uint64_t *out)
{
	if (parse_duration_ms(p, v, bare_unit_ms, out) != 0)
		return -1;
	if (*out < min_ms || *out > max_ms)
		return fail(p, "'%s' is out of range: expected %lu ms to %lu ms", v, (unsigned long)min_ms,
			   (unsigned long)max_ms);
	return 0;
}

/* N/period: 20/hour, 5/min, 100/day, 3/10m; "none" for no limit. */
static int parse_rate(struct parser *p, const char *v, struct config_rate *out)
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

	if (ci_equal(v, "none")) {
		out->count = 0;
		out->period_s = 0;
		return 0;
	}
	if (slash == NULL || parse_uint(v, (size_t)(slash - v), UINT32_MAX, &n) != 0 || n == 0)
		return fail(p, "expected N/period like 20/hour, 5/minute, 100/day or 3/10m (or none), got '%s'", v);
	for (i = 0; i < ARRAY_SIZE(periods); i++) {
		if (ci_equal(slash + 1, periods[i].name)) {
			out->count = (uint32_t)n;
			out->period_s = periods[i].s;
			return 0;
		}
	}
	if (!is_digit(slash[1]))
		return fail(p, "unknown period '%s': expected minute, hour, day or a duration like 10m", slash + 1);
	if (parse_duration_range(p, slash + 1, MS_PER_S, MS_PER_S, (uint64_t)HEARTBEAT_MAX_S * MS_PER_S, &ms) != 0)
		return -1;
	out->count = (uint32_t)n;
	out->period_s = (uint32_t)(ms / MS_PER_S);
	return 0;
}

static const char *const placeholders[CONFIG_PH_COUNT] = { "name", "state", "gpio", "time", "host" };

int config_template_expand(const char *tmpl, const char *const *values, char *out, size_t size, size_t *bad)
{
	const char *s = tmpl;
	size_t len = 0;
	bool overflow = false;

	if (tmpl == NULL || (out == NULL && size > 0))
		return CONFIG_ERR_ARG;
	while (*s != '\0') {
		const char *piece = s;
		size_t n = 1;

		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			s += 2; /* a doubled brace is one literal brace */
		} else if (s[0] == '{') {
			const char *close = strchr(s, '}');
			size_t i, name_len = close != NULL ? (size_t)(close - s - 1) : 0;

			for (i = 0; close != NULL && i < CONFIG_PH_COUNT; i++)
				if (strlen(placeholders[i]) == name_len && strncmp(s + 1, placeholders[i], name_len) == 0)
					break;
			if (close == NULL || i == CONFIG_PH_COUNT) {
				if (bad != NULL)
					*bad = (size_t)(s - tmpl);
				return CONFIG_ERR_INVALID;
			}
			piece = values != NULL && values[i] != NULL ? values[i] : "";
			n = strlen(piece);
			s = close + 1;
		} else {
			s++;
		}
		if (out != NULL && !overflow && n < size - len)
			memcpy(out + len, piece, n);
		else
			overflow = true;
		len += n;
	}
	if (out == NULL)
		return (int)len;
	if (overflow) {
		if (size > 0)
			out[0] = '\0'; /* nothing half-expanded is left for a careless caller to send */
		return CONFIG_ERR_OVERFLOW;
	}
	out[len] = '\0';
	return (int)len;
}

static int check_template(struct parser *p, const char *field, const char *t)
{
	size_t bad = 0;

	if (config_template_expand(t, NULL, NULL, 0, &bad) >= 0)
		return 0;
	return fail(p, "%s: unknown placeholder near '%.20s': expected {name}, {state}, {gpio}, {time} or {host} (write "
		      "{{ for a literal brace)",
		   field, t + bad);
}

/* ---- quoting ---- */

/*
 * s[0] is '"'. Unescape into out (size CONFIG_LINE_MAX + 1 is always enough) and return the index just after
 * the closing quote, or 0 after reporting an error. Escapes: \" \\ \n \t.
 */
static size_t unquote(struct parser *p, const char *s, size_t n, char *out)
{
	size_t i = 1, o = 0;

	while (i < n && s[i] != '"') {
		char c = s[i++];
		if (c == '\\') {
			if (i == n)
				break;
			c = s[i++];
			switch (c) {
			case '"':
			case '\\':
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			default:
				fail(p, "unknown escape '\\%c' in quotes: only \\\" \\\\ \\n and \\t are allowed", c);
				return 0;
			}
		}
		out[o++] = c;
	}
	if (i >= n) {
		fail(p, "missing closing '\"'");
		return 0;
	}
	out[o] = '\0';
	return i + 1;
}

/* Where an unquoted value ends: before a '#' that follows a blank (or starts the value after blanks). */
static size_t comment_start(const char *s, size_t n, bool blank_before, bool quote_aware)
{
	bool in_quotes = false;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (in_quotes) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '"')
				in_quotes = false;
		} else if (quote_aware && c == '"') {
			in_quotes = true;
		} else if (c == '#' && (i == 0 ? blank_before : is_blank(s[i - 1]))) {
			return i;
		}
	}
	return n;
}

/* ---- key handlers (ssmtp keys first, in ssmtp's order) ---- */

static int set_root(struct parser *p, const char *v)
{
	/* ssmtp: empty Root disables rewriting of system users' mail. */
	if (v[0] != '\0' && check_address(p, v, true) != 0)
		return -1;
	return store(p, p->cfg->root, sizeof(p->cfg->root), v);
}

static int set_mailhub(struct parser *p, const char *v)
{
	struct config *cfg = p->cfg;
	char host[CONFIG_HOST_MAX + 1];
	uint16_t port = cfg->port;
	bool ipv6, has_port;

	if (parse_hostport(p, v, host, &ipv6, &port, &has_port) != 0)
		return -1;
	/* ssmtp: MailHub's :port and RemotePort set the same variable; the later line wins. */
	if (has_port && cfg->key_line[KEY_REMOTEPORT] != 0 && port != cfg->port)
		warn(p, "port %u overrides RemotePort=%u (line %u)", (unsigned)port, (unsigned)cfg->port,
		     cfg->key_line[KEY_REMOTEPORT]);
	if (has_port) {
		p->mailhub_port_line = p->line;
		cfg->port_set = true;
	}
	memcpy(cfg->mailhub, host, strlen(host) + 1);
	cfg->mailhub_ipv6 = ipv6;
	cfg->port = port;
	return 0;
}

static int set_remote_port(struct parser *p, const char *v)
{
	uint16_t port;

	if (parse_port(p, v, &port) != 0)
		return -1;
	if (p->mailhub_port_line != 0 && port != p->cfg->port)
		warn(p, "RemotePort=%u overrides the port %u given in MailHub (line %u)", (unsigned)port,
		     (unsigned)p->cfg->port, p->mailhub_port_line);
	p->cfg->port = port;
	p->cfg->port_set = true;
	return 0;
}

/* The EHLO name for a HostName as written: ssmtp sent only the first word; other bad characters become '-'. */
static void derive_ehlo(const char *hostname, char *out)
{
	size_t o = 0, i;

	for (i = 0; hostname[i] != '\0' && !is_blank(hostname[i]) && o < CONFIG_HOST_MAX; i++) {
		char c = hostname[i];
		out[o++] = (is_alnum(c) || c == '.') ? c : '-';
	}
	while (o > 0 && (out[o - 1] == '-' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	i = strspn(out, "-.");
	memmove(out, out + i, o - i + 1);
	if (!valid_hostname(out))
		memcpy(out, CONFIG_DEFAULT_EHLO_NAME, sizeof(CONFIG_DEFAULT_EHLO_NAME));
}

static int set_hostname(struct parser *p, const char *v)
{
	char ehlo[CONFIG_HOST_MAX + 1];

	if (store(p, p->cfg->hostname, sizeof(p->cfg->hostname), v) != 0)
		return -1;
	if (v[0] == '\0' || valid_hostname(v))
		return 0;
	derive_ehlo(v, ehlo);
	if (has_blank(v))
		warn(p, "'%s' contains spaces, which a host name cannot; ssmtp sent only the first word, and so does "
			"baremail: EHLO %s",
		     v, ehlo);
	else
		warn(p, "'%s' is not a valid host name (letters, digits, '-' and '.'); EHLO %s", v, ehlo);
	return 0;
}

static int set_rewrite_domain(struct parser *p, const char *v)
{
	const char *at = strrchr(v, '@');

	/* ssmtp logged "RewriteDomain ... is invalid" and used the part after '@'; keep that, but say so. */
	if (at != NULL) {
		warn(p, "'%s' is an address, not a domain; using '%s' as ssmtp did", v, at + 1);
		v = at + 1;
	}
	if (v[0] != '\0' && !valid_hostname(v))
		return fail(p, "expected a domain like example.com, got '%s'", v);
	return store(p, p->cfg->rewrite_domain, sizeof(p->cfg->rewrite_domain), v);
}

static int set_from_line_override(struct parser *p, const char *v)
{
	return parse_bool(p, v, &p->cfg->from_line_override);
}

static int set_use_tls(struct parser *p, const char *v)
{
	if (parse_bool(p, v, &p->cfg->use_tls) != 0)
		return -1;
	/* ssmtp: UseTLS=NO also turns STARTTLS off. */
	if (!p->cfg->use_tls)
		p->cfg->use_starttls = false;
	return 0;
}

static int set_use_starttls(struct parser *p, const char *v)
{
	if (parse_bool(p, v, &p->cfg->use_starttls) != 0)
		return -1;
	/* ssmtp: STARTTLS implies TLS. */
	if (p->cfg->use_starttls)
		p->cfg->use_tls = true;
	return 0;
}

static int set_use_tls_cert(struct parser *p, const char *v)
{
	return parse_bool(p, v, &p->cfg->use_tls_cert);
}

static int set_path(struct parser *p, char *dst, size_t size, const char *v)
{
	return store(p, dst, size, v);
}

static int set_tls_cert(struct parser *p, const char *v)
{
	return set_path(p, p->cfg->tls_cert, sizeof(p->cfg->tls_cert), v);
}

static int set_tls_key(struct parser *p, const char *v)
{
	return set_path(p, p->cfg->tls_key, sizeof(p->cfg->tls_key), v);
}

static int set_tls_ca_file(struct parser *p, const char *v)
{
	return set_path(p, p->cfg->tls_ca_file, sizeof(p->cfg->tls_ca_file), v);
}

static int set_tls_ca_dir(struct parser *p, const char *v)
{
	(void)v;
	warn(p, "not supported on the device (no certificate directory to scan); ignored: put a PEM bundle on the "
		"card and name it with TLS_CA_File");
	return 0;
}

static int set_auth_user(struct parser *p, const char *v)
{
	return store(p, p->cfg->auth_user, sizeof(p->cfg->auth_user), v);
}

static int set_auth_pass(struct parser *p, const char *v)
{
	return store(p, p->cfg->auth_pass, sizeof(p->cfg->auth_pass), v);
}

static int set_auth_method(struct parser *p, const char *v)
{
	static const struct {
		const char *name;
		enum config_auth_method method;
	} methods[] = {
		{ "LOGIN", CONFIG_AUTH_LOGIN },
		{ "PLAIN", CONFIG_AUTH_PLAIN },
		{ "CRAM-MD5", CONFIG_AUTH_CRAM_MD5 },
		{ "XOAUTH2", CONFIG_AUTH_XOAUTH2 },
	};
	size_t i;

	if (v[0] == '\0') {
		p->cfg->auth_method_set = false;
		p->cfg->auth_method = CONFIG_AUTH_LOGIN;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		if (ci_equal(v, methods[i].name)) {
			p->cfg->auth_method = methods[i].method;
			p->cfg->auth_method_set = true;
			return 0;
		}
	}
	return fail(p, "expected LOGIN, PLAIN, CRAM-MD5 or XOAUTH2, got '%s'", v);
}

static int set_use_old_auth(struct parser *p, const char *v)
{
	return parse_bool(p, v, &p->cfg->use_old_auth);
}

static int set_add_header(struct parser *p, const char *v)
{
	struct config *cfg = p->cfg;
	const char *colon = strchr(v, ':');
	const char *c;

	if (colon == NULL || colon == v)
		return fail(p, "expected 'Name: value', e.g. AddHeader=X-Sender: baremail; got '%s'", v);
	for (c = v; c < colon; c++)
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 127)
			return fail(p, "header name '%.*s' may contain only printable ASCII without spaces",
				   (int)(colon - v), v);
	if (cfg->header_count >= CONFIG_HEADERS_MAX)
		return fail(p, "too many AddHeader lines (at most %d)", CONFIG_HEADERS_MAX);
	if (store(p, cfg->headers[cfg->header_count], sizeof(cfg->headers[0]), v) != 0)
		return -1;
	cfg->header_count++;
	return 0;
}

static int set_debug(struct parser *p, const char *v)
{
	return parse_bool(p, v, &p->cfg->debug);
}

static int set_ip(struct parser *p, const char *v)
{
	const char *slash = strchr(v, '/');
	uint32_t ip;
	uint64_t prefix;

	if (ci_equal(v, "dhcp")) {
		p->cfg->dhcp = true;
		return 0;
	}
	if (slash == NULL || parse_ipv4_n(v, (size_t)(slash - v), &ip) != 0 ||
	    parse_uint(slash + 1, strlen(slash + 1), 32, &prefix) != 0 || prefix == 0)
		return fail(p, "expected dhcp or a.b.c.d/nn (address and prefix length, e.g. 192.168.1.50/24), "
			      "got '%s'",
			   v);
	p->cfg->dhcp = false;
	p->cfg->ip = ip;
	p->cfg->prefix_len = (unsigned)prefix;
	return 0;
}

static int set_gateway(struct parser *p, const char *v)
{
	if (v[0] == '\0') {
		p->cfg->gateway = 0;
		return 0;
	}
	return parse_ipv4(p, v, &p->cfg->gateway);
}

static int set_dns(struct parser *p, const char *v)
{
	struct config *cfg = p->cfg;
	const char *s = v;

	if (v[0] == '\0') {
		cfg->dns_count = 0;
		return 0;
	}
	while (*s != '\0') {
		size_t n = strcspn(s, ", \t");
		uint32_t addr;
		if (n > 0) {
			if (parse_ipv4_n(s, n, &addr) != 0)
				return fail(p, "expected IPv4 addresses separated by commas, e.g. 1.1.1.1, 9.9.9.9; "
					      "got '%.*s'",
					   (int)n, s);
			if (cfg->dns_count >= CONFIG_DNS_MAX)
				return fail(p, "too many DNS servers (at most %d)", CONFIG_DNS_MAX);
			cfg->dns[cfg->dns_count++] = addr;
		}
		s += n;
		s += strspn(s, ", \t");
	}
	return 0;
}

static int set_ntp_server(struct parser *p, const char *v)
{
	if (!valid_hostname(v))
		return fail(p, "expected a host name or IPv4 address, got '%s'", v);
	return store(p, p->cfg->ntp_server, sizeof(p->cfg->ntp_server), v);
}

static int set_tls_min_version(struct parser *p, const char *v)
{
	const char *n = v;

	if (ci_equal_n(n, 4, "TLSv"))
		n += 4;
	else if (ci_equal_n(n, 3, "TLS"))
		n += 3;
	if (strcmp(n, "1.2") == 0)
		p->cfg->tls_min_version = CONFIG_TLS_1_2;
	else if (strcmp(n, "1.3") == 0)
		p->cfg->tls_min_version = CONFIG_TLS_1_3;
	else
		return fail(p, "expected 1.2 or 1.3, got '%s' (older TLS versions are not supported)", v);
	return 0;
}

static int set_tls_fingerprint(struct parser *p, const char *v)
{
	struct config *cfg = p->cfg;
	size_t len = strlen(v), i, o = 0;

	if (len == 0) {
		cfg->has_fingerprint = false;
		return 0;
	}
	/* msmtp's format: hex byte pairs separated by colons; plain hex is accepted too. */
	for (i = 0; i < len;) {
		if (o == CONFIG_SHA256_LEN || i + 1 >= len || !is_hex(v[i]) || !is_hex(v[i + 1]))
			break;
		cfg->fingerprint[o++] = (uint8_t)(hex_value(v[i]) << 4 | hex_value(v[i + 1]));
		i += 2;
		if (i < len && v[i] == ':' && i + 1 < len)
			i++;
	}
	if (i != len || o != CONFIG_SHA256_LEN) {
		if (i == len && (o == 20 || o == 16))
			return fail(p, "this is a %s fingerprint; only SHA-256 (32 bytes) is accepted, e.g. from "
				      "'msmtp --serverinfo --tls'",
				   o == 20 ? "SHA-1" : "MD5");
		return fail(p, "expected a SHA-256 fingerprint: 32 hex byte pairs separated by colons "
			      "(AB:CD:...), got '%s'",
			   v);
	}
	cfg->has_fingerprint = true;
	return 0;
}

static int set_connect_timeout(struct parser *p, const char *v)
{
	uint64_t ms;

	if (parse_duration_range(p, v, MS_PER_S, TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, &ms) != 0)
		return -1;
	p->cfg->connect_timeout_ms = (uint32_t)ms;
	return 0;
}

static int set_smtp_timeout(struct parser *p, const char *v)
{
	uint64_t ms;

	if (parse_duration_range(p, v, MS_PER_S, TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, &ms) != 0)
		return -1;
	p->cfg->smtp_timeout_ms = (uint32_t)ms;
	return 0;
}

static int set_auth_token(struct parser *p, const char *v)
{
	if (has_blank(v))
		return fail(p, "a bearer token has no spaces; write only the token, without 'Bearer'");
	return store(p, p->cfg->auth_token, sizeof(p->cfg->auth_token), v);
}

static int set_allow_auth_without_tls(struct parser *p, const char *v)
{
	return parse_bool(p, v, &p->cfg->allow_auth_without_tls);
}

static int set_alert_to(struct parser *p, const char *v)
{
	if (v[0] == '\0') {
		p->cfg->alert_to.count = 0;
		return 0;
	}
	return parse_recipients(p, v, &p->cfg->alert_to);
}

static int set_rate_limit(struct parser *p, const char *v)
{
	return parse_rate(p, v, &p->cfg->rate_limit);
}

static int set_boot_mail(struct parser *p, const char *v)
{
	return parse_bool(p, v, &p->cfg->boot_mail);
}

static int set_heartbeat_mail(struct parser *p, const char *v)
{
	return parse_bool(p, v, &p->cfg->heartbeat_mail);
}

static int set_heartbeat_period(struct parser *p, const char *v)
{
	uint64_t ms;

	if (parse_duration_range(p, v, MS_PER_S, (uint64_t)HEARTBEAT_MIN_S * MS_PER_S,
				 (uint64_t)HEARTBEAT_MAX_S * MS_PER_S, &ms) != 0)
		return -1;
	p->cfg->heartbeat_period_s = (uint32_t)(ms / MS_PER_S);
	return 0;
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

static const char *const alert_fields[AF_COUNT] = { "gpio",     "edge",    "pull", "debounce", "recovery",
						    "subject",  "body",    "to",   "limit" };

static const char *const edge_names[] = { [CONFIG_EDGE_FALLING] = "falling", [CONFIG_EDGE_RISING] = "rising",
					    [CONFIG_EDGE_BOTH] = "both" };
static const char *const pull_names[] = { [CONFIG_PULL_UP] = "up", [CONFIG_PULL_DOWN] = "down",
					  [CONFIG_PULL_NONE] = "none" };

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

	if (n == 0 || n > CONFIG_NAME_MAX || !is_alpha(name[0]))
		return fail(p, "expected 'NAME: gpio=N ...' where NAME starts with a letter and has at most %d "
			      "letters, digits, '-' or '_'; got '%s'",
			   CONFIG_NAME_MAX, name);
	for (i = 0; i < n; i++)
		if (!is_alnum(name[i]) && name[i] != '-' && name[i] != '_')
			return fail(p, "alert name '%s' may contain only letters, digits, '-' and '_'", name);
	if (ci_equal(name, "root"))
		return fail(p, "'root' is the system account (console and boot mail); choose another alert name");
	return 0;
}

static int set_alert_field(struct parser *p, struct config_alert *a, enum alert_field f, const char *v)
{
	uint64_t n;
	unsigned i;

	switch (f) {
	case AF_GPIO:
		if (parse_uint(v, strlen(v), GPIO_BCM_MAX, &n) != 0)
			return fail(p, "%s: gpio: expected a BCM GPIO number 0-%u, got '%s'", a->name, GPIO_BCM_MAX, v);
		a->gpio = (unsigned)n;
		return 0;
	case AF_EDGE:
		for (i = 0; i < ARRAY_SIZE(edge_names); i++)
			if (ci_equal(v, edge_names[i])) {
				a->edge = (enum config_edge)i;
				return 0;
			}
		return fail(p, "%s: edge: expected falling, rising or both, got '%s'", a->name, v);
	case AF_PULL:
		for (i = 0; i < ARRAY_SIZE(pull_names); i++)
			if (ci_equal(v, pull_names[i])) {
				a->pull = (enum config_pull)i;
				return 0;
			}
		return fail(p, "%s: pull: expected up, down or none, got '%s'", a->name, v);
	case AF_DEBOUNCE:
		if (parse_duration_range(p, v, 1, 0, DEBOUNCE_MAX_MS, &n) != 0)
			return -1;
		a->debounce_ms = (uint32_t)n;
		return 0;
	case AF_RECOVERY:
		return parse_bool(p, v, &a->recovery);
	case AF_SUBJECT:
		if (check_template(p, "subject", v) != 0)
			return -1;
		return store(p, a->subject, sizeof(a->subject), v);
	case AF_BODY:
		if (check_template(p, "body", v) != 0)
			return -1;
		return store(p, a->body, sizeof(a->body), v);
	case AF_TO:
		return parse_recipients(p, v, &a->to);
	case AF_LIMIT:
		return parse_rate(p, v, &a->limit);
	case AF_COUNT:
		break;
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
static int parse_alert(struct parser *p, const char *s, size_t n, char *value)
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
	while (name_len > 0 && is_blank(s[name_len - 1]))
		name_len--;
	if (colon == NULL || name_len > CONFIG_NAME_MAX) {
		return fail(p, "expected 'NAME: gpio=N edge=falling|rising|both pull=up|down|none ...', e.g. "
			      "Alert = door: gpio=17 subject=\"Door opened\"");
	}
	memcpy(a.name, s, name_len);
	a.name[name_len] = '\0';
	if (check_alert_name(p, a.name) != 0)
		return -1;
	for (k = 0; k < cfg->alert_count; k++)
		if (ci_equal(cfg->alerts[k].name, a.name))
			return fail(p, "duplicate alert name '%s' (already defined on line %u)", a.name,
				   cfg->alerts[k].line);

	i = (size_t)(colon - s) + 1;
	for (;;) {
		char field[KEY_NAME_MAX + 1];
		size_t f0, flen;
		enum alert_field f;

		i = skip_blanks(s, n, i);
		if (i == n)
			break;
		f0 = i;
		while (i < n && (is_alnum(s[i]) || s[i] == '_'))
			i++;
		flen = i - f0;
		if (flen == 0 || flen > KEY_NAME_MAX || i == n || s[i] != '=') {
			rc = fail(p, "%s: expected field=value at '%.*s'", a.name, (int)(n - f0 < 20 ? n - f0 : 20), s + f0);
			break;
		}
		memcpy(field, s + f0, flen);
		field[flen] = '\0';
		i++;
		if (i < n && s[i] == '"') {
			size_t used = unquote(p, s + i, n - i, value);
			if (used == 0) {
				rc = -1;
				break;
			}
			i += used;
			if (i < n && !is_blank(s[i])) {
				rc = fail(p, "%s: %s: expected a blank after the closing quote", a.name, field);
				break;
			}
		} else {
			size_t v0 = i;
			while (i < n && !is_blank(s[i]))
				i++;
			memcpy(value, s + v0, i - v0);
			value[i - v0] = '\0';
		}
		for (f = AF_GPIO; f < AF_COUNT; f++)
			if (ci_equal(field, alert_fields[f]))
				break;
		if (f == AF_COUNT) {
			const char *hint = closest(field, alert_fields, AF_COUNT);
			rc = fail(p, "%s: unknown field '%s'%s%s%s; fields are gpio, edge, pull, debounce, recovery, "
				    "subject, body, to, limit",
				 a.name, field, hint ? " (did you mean " : "", hint ? hint : "", hint ? "?)" : "");
			continue;
		}
		if (seen[f]) {
			rc = fail(p, "%s: field '%s' given twice", a.name, alert_fields[f]);
			continue;
		}
		seen[f] = true;
		if (f != AF_BODY && strchr(value, '\n') != NULL)
			rc = fail(p, "%s: %s: a line break (\\n) is allowed only in body", a.name, field);
		else if (set_alert_field(p, &a, f, value) != 0)
			rc = -1;
	}
	if (!seen[AF_GPIO] && rc == 0)
		return fail(p, "%s: missing gpio=N (the BCM GPIO number of the watched input)", a.name);
	if (rc != 0)
		return -1;
	if (a.edge == CONFIG_EDGE_BOTH && a.recovery)
		warn(p, "%s: recovery=yes has no effect with edge=both: every change already sends an alert", a.name);
	for (k = 0; k < cfg->alert_count; k++)
		if (cfg->alerts[k].gpio == a.gpio)
			return fail(p, "%s: duplicate pin: GPIO %u is already watched by '%s' (line %u)", a.name, a.gpio,
				   cfg->alerts[k].name, cfg->alerts[k].line);
	if (cfg->alert_count >= CONFIG_ALERTS_MAX)
		return fail(p, "too many Alert lines (at most %d)", CONFIG_ALERTS_MAX);
	cfg->alerts[cfg->alert_count++] = a;
	return 0;
}

/* ---- the key table ----
 * The handlers of the secret keys (AuthPass, AuthToken) never put the value into a message. */

static const struct key_def keys[KEY_COUNT] = {
	[KEY_ROOT] = { "Root", set_root, 0 },
	[KEY_MAILHUB] = { "MailHub", set_mailhub, 0 },
	[KEY_REMOTEPORT] = { "RemotePort", set_remote_port, 0 },
	[KEY_HOSTNAME] = { "HostName", set_hostname, 0 },
	[KEY_REWRITEDOMAIN] = { "RewriteDomain", set_rewrite_domain, 0 },
	[KEY_FROMLINEOVERRIDE] = { "FromLineOverride", set_from_line_override, 0 },
	[KEY_USETLS] = { "UseTLS", set_use_tls, 0 },
	[KEY_USESTARTTLS] = { "UseSTARTTLS", set_use_starttls, 0 },
	[KEY_USETLSCERT] = { "UseTLSCert", set_use_tls_cert, 0 },
	[KEY_TLSCERT] = { "TLSCert", set_tls_cert, 0 },
	[KEY_TLSKEY] = { "TLSKey", set_tls_key, 0 },
	[KEY_TLS_CA_FILE] = { "TLS_CA_File", set_tls_ca_file, 0 },
	[KEY_TLS_CA_DIR] = { "TLS_CA_Dir", set_tls_ca_dir, 0 },
	[KEY_AUTHUSER] = { "AuthUser", set_auth_user, KEY_FIRST_WINS },
	[KEY_AUTHPASS] = { "AuthPass", set_auth_pass, KEY_FIRST_WINS },
	[KEY_AUTHMETHOD] = { "AuthMethod", set_auth_method, KEY_FIRST_WINS },
	[KEY_USEOLDAUTH] = { "UseOldAUTH", set_use_old_auth, 0 },
	[KEY_ADDHEADER] = { "AddHeader", set_add_header, KEY_REPEAT },
	[KEY_DEBUG] = { "Debug", set_debug, 0 },
	[KEY_IP] = { "IP", set_ip, 0 },
	[KEY_GATEWAY] = { "Gateway", set_gateway, 0 },
	[KEY_DNS] = { "DNS", set_dns, KEY_REPEAT },
	[KEY_NTPSERVER] = { "NTPServer", set_ntp_server, 0 },
	[KEY_TLS_MINVERSION] = { "TLS_MinVersion", set_tls_min_version, 0 },
	[KEY_TLS_FINGERPRINT] = { "TLS_Fingerprint", set_tls_fingerprint, 0 },
	[KEY_CONNECTTIMEOUT] = { "ConnectTimeout", set_connect_timeout, 0 },
	[KEY_SMTPTIMEOUT] = { "SMTPTimeout", set_smtp_timeout, 0 },
	[KEY_AUTHTOKEN] = { "AuthToken", set_auth_token, 0 },
	[KEY_ALLOWAUTHWITHOUTTLS] = { "AllowAuthWithoutTLS", set_allow_auth_without_tls, 0 },
	[KEY_ALERTTO] = { "AlertTo", set_alert_to, KEY_REPEAT },
	[KEY_ALERT] = { "Alert", NULL, KEY_REPEAT },
	[KEY_RATELIMIT] = { "RateLimit", set_rate_limit, 0 },
	[KEY_BOOTMAIL] = { "BootMail", set_boot_mail, 0 },
	[KEY_HEARTBEATMAIL] = { "HeartbeatMail", set_heartbeat_mail, 0 },
	[KEY_HEARTBEATPERIOD] = { "HeartbeatPeriod", set_heartbeat_period, 0 },
};

static int find_key(const char *name)
{
	int i;

	for (i = 0; i < KEY_COUNT; i++)
		if (ci_equal(name, keys[i].name))
			return i;
	return -1;
}

static void report_unknown_key(struct parser *p, const char *name)
{
	const char *names[KEY_COUNT];
	const char *hint;
	int i;

	for (i = 0; i < KEY_COUNT; i++)
		names[i] = keys[i].name;
	hint = closest(name, names, KEY_COUNT);
	p->key = name;
	/* A near miss is a typo that would silently change what the device does: refuse it. Anything else is a key
	 * of some other program (real ssmtp.conf files carry them), which ssmtp skipped without a word. */
	if (hint != NULL)
		fail(p, "unknown key; did you mean %s?", hint);
	else
		warn(p, "unknown key, ignored, as ssmtp does (docs/config.md lists the keys)");
}

/* ---- lines ---- */

typedef void (*line_fn)(struct parser *p, const char *s, size_t n);

/* The key at the start of a line, for naming it in a diagnostic about the whole line. */
static const char *leading_key(const char *s, size_t n)
{
	char name[KEY_NAME_MAX + 1];
	size_t i = skip_blanks(s, n, 0), k = 0;
	int id;

	while (i < n && k < KEY_NAME_MAX && (is_alnum(s[i]) || s[i] == '_'))
		name[k++] = s[i++];
	name[k] = '\0';
	id = find_key(name);
	return id >= 0 ? keys[id].name : NULL;
}

static void for_each_line(struct parser *p, const char *text, size_t len, line_fn fn)
{
	size_t pos = 0;

	p->line = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* UTF-8 byte-order mark written by Windows editors */
	if (len >= 2 && ((unsigned char)text[0] == 0xFF || (unsigned char)text[0] == 0xFE) &&
	    ((unsigned char)text[1] == 0xFF || (unsigned char)text[1] == 0xFE)) {
		p->line = 1;
		p->key = NULL;
		p->not_text = true;
		fail(p, "the file is UTF-16; save it as UTF-8 or plain ASCII");
		return;
	}
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

		pos += n + (nl != NULL ? 1 : 0);
		p->line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		p->key = NULL;
		if (n > CONFIG_LINE_MAX) {
			p->key = leading_key(s, n);
			fail(p, "line too long (%lu characters; at most %d)", (unsigned long)n, CONFIG_LINE_MAX);
			continue;
		}
		if (memchr(s, '\0', n) != NULL) {
			p->key = leading_key(s, n);
			fail(p, "NUL byte in the line: is this a text file?");
			continue;
		}
		fn(p, s, n);
	}
}

static void conf_line(struct parser *p, const char *s, size_t n)
{
	struct config *cfg = p->cfg;
	char name[KEY_NAME_MAX + 1];
	char value[CONFIG_LINE_MAX + 1];
	size_t i = skip_blanks(s, n, 0), k0, eq, end, comment;
	int id;
	const struct key_def *def;

	if (i == n || s[i] == '#')
		return;
	k0 = i;
	while (i < n && (is_alnum(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i == k0) {
		fail(p, "expected Key=Value, e.g. MailHub=smtp.example.com:587");
		return;
	}
	memcpy(name, s + k0, i - k0 < KEY_NAME_MAX ? i - k0 : KEY_NAME_MAX);
	name[i - k0 < KEY_NAME_MAX ? i - k0 : KEY_NAME_MAX] = '\0';
	if (i - k0 > KEY_NAME_MAX) {
		warn(p, "unknown key '%s...', ignored, as ssmtp does", name);
		return;
	}
	eq = skip_blanks(s, n, i);
	if (eq == n || s[eq] != '=') {
		p->key = name;
		fail(p, "expected '=' after the key name (Key=Value)");
		return;
	}
	id = find_key(name);
	if (id < 0) {
		report_unknown_key(p, name);
		return;
	}
	def = &keys[id];
	p->key = def->name;

	for (i = eq + 1; i < n; i++)
		if ((unsigned char)s[i] < ' ' && s[i] != '\t') {
			fail(p, "control character (code %u) in the line", (unsigned)(unsigned char)s[i]);
			return;
		}
	i = skip_blanks(s, n, eq + 1);
	/* In a quoted value a '#' is data; Alert lines hold quoted fields anywhere. */
	comment = i + comment_start(s + i, n - i, i > eq + 1, id == KEY_ALERT || (i < n && s[i] == '"'));
	end = comment;
	while (end > i && is_blank(s[end - 1]))
		end--;

	if (cfg->key_line[id] != 0 && (def->flags & KEY_REPEAT) == 0) {
		if (def->flags & KEY_FIRST_WINS) {
			warn(p, "set again (first on line %u); as in ssmtp, the first %s is used and this line is "
				"ignored",
			     cfg->key_line[id], def->name);
			return;
		}
		warn(p, "set again (first on line %u); the last value is used", cfg->key_line[id]);
	}
	if (cfg->key_line[id] == 0)
		cfg->key_line[id] = p->line;

	if (id == KEY_ALERT) {
		parse_alert(p, s + i, end - i, value);
		return;
	}
	/* The password is masked everywhere, so a cut the user cannot see must at least be named. */
	if (id == KEY_AUTHPASS && comment < n && !(i < n && s[i] == '"'))
		warn(p, "the password ends before column %u: a '#' after a blank starts a comment (as in ssmtp); if "
			"the '#' and what follows belong to the password, put it in double quotes: AuthPass=\"...\"",
		     (unsigned)(comment + 1));
	if (i < end && s[i] == '"') {
		size_t used = unquote(p, s + i, end - i, value);
		if (used == 0)
			return;
		if (i + used != end) {
			fail(p, "unexpected text after the closing quote (a comment needs a blank before '#')");
			return;
		}
		if (strchr(value, '\n') != NULL) {
			fail(p, "a line break (\\n) is allowed only in an alert body");
			return;
		}
	} else {
		memcpy(value, s + i, end - i);
		value[end - i] = '\0';
		/* Shell habit: ssmtp kept the quotes, and so does baremail, but say so. */
		if (end - i >= 2 && value[0] == '\'' && value[end - i - 1] == '\'')
			warn(p, "the single quotes are part of the value (as in ssmtp); only double quotes quote a "
				"value: %s=\"...\"",
			     def->name);
	}
	def->set(p, value);
}

static int begin(struct parser *p, struct config *cfg, const char *filename, config_diag_fn fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->file = filename != NULL ? filename : "smtp.conf";
	p->fn = fn;
	p->ctx = ctx;
	return 0;
}

int config_parse(struct config *cfg, const char *filename, const char *text, size_t len, config_diag_fn diag,
		 void *diag_ctx)
{
	struct parser p;
	size_t n;

	if (cfg == NULL || (text == NULL && len > 0) || cfg->finished)
		return CONFIG_ERR_ARG;
	begin(&p, cfg, filename, diag, diag_ctx);
	n = strlen(p.file);
	if (n >= sizeof(cfg->conf_file))
		n = sizeof(cfg->conf_file) - 1;
	memcpy(cfg->conf_file, p.file, n);
	cfg->conf_file[n] = '\0';
	if (text != NULL)
		for_each_line(&p, text, len, conf_line);
	cfg->conf_not_text = p.not_text;
	return p.errors == 0 ? CONFIG_OK : CONFIG_ERR_INVALID;
}

/* ---- revaliases ---- */

static void alias_line(struct parser *p, const char *s, size_t n)
{
	struct config *cfg = p->cfg;
	struct config_alias a;
	char line[CONFIG_LINE_MAX + 1];
	char *account, *address, *hub, *c1, *c2;
	size_t i = skip_blanks(s, n, 0), end;
	unsigned k;

	if (i == n || s[i] == '#')
		return;
	end = i + comment_start(s + i, n - i, true, false);
	while (end > i && is_blank(s[end - 1]))
		end--;
	memcpy(line, s + i, end - i);
	line[end - i] = '\0';
	memset(&a, 0, sizeof(a));
	a.line = p->line;

	c1 = strchr(line, ':');
	if (c1 == NULL) {
		fail(p, "expected local_account:outgoing_address[:mailhub[:port]], e.g. "
		       "root:alerts@example.com:smtp.example.com:587");
		return;
	}
	*c1 = '\0';
	account = line;
	address = c1 + 1;
	c2 = strchr(address, ':');
	hub = NULL;
	if (c2 != NULL) {
		*c2 = '\0';
		hub = c2 + 1;
	}
	while (*account != '\0' && is_blank(account[strlen(account) - 1]))
		account[strlen(account) - 1] = '\0';
	address += strspn(address, " \t");
	while (*address != '\0' && is_blank(address[strlen(address) - 1]))
		address[strlen(address) - 1] = '\0';
	p->key = NULL;
	if (account[0] == '\0' || strlen(account) > CONFIG_NAME_MAX || has_blank(account)) {
		fail(p, "expected a local account name (root or an alert name) before ':', got '%s'", account);
		return;
	}
	memcpy(a.account, account, strlen(account) + 1);
	p->key = a.account;
	if (check_address(p, address, false) != 0)
		return;
	memcpy(a.address, address, strlen(address) + 1);
	if (hub != NULL) {
		bool has_port;
		hub += strspn(hub, " \t");
		a.port = CONFIG_DEFAULT_PORT; /* ssmtp: "[:port] ... defaults to 25" */
		if (parse_hostport(p, hub, a.mailhub, &a.mailhub_ipv6, &a.port, &has_port) != 0)
			return;
	}
	for (k = 0; k < cfg->alias_count; k++) {
		if (strcmp(cfg->aliases[k].account, a.account) == 0) {
			warn(p, "'%s' already has an entry on line %u; the last one is used, as in ssmtp", a.account,
			     cfg->aliases[k].line);
			cfg->aliases[k] = a;
			return;
		}
	}
	if (cfg->alias_count >= CONFIG_ALIASES_MAX) {
		fail(p, "too many entries (at most %d)", CONFIG_ALIASES_MAX);
		return;
	}
	cfg->aliases[cfg->alias_count++] = a;
}

int config_parse_revaliases(struct config *cfg, const char *filename, const char *text, size_t len,
			    config_diag_fn diag, void *diag_ctx)
{
	struct parser p;
	size_t n;

	if (cfg == NULL || (text == NULL && len > 0) || cfg->finished)
		return CONFIG_ERR_ARG;
	begin(&p, cfg, filename != NULL ? filename : "revaliases", diag, diag_ctx);
	n = strlen(p.file);
	if (n >= sizeof(cfg->aliases_file))
		n = sizeof(cfg->aliases_file) - 1;
	memcpy(cfg->aliases_file, p.file, n);
	cfg->aliases_file[n] = '\0';
	if (text != NULL)
		for_each_line(&p, text, len, alias_line);
	return p.errors == 0 ? CONFIG_OK : CONFIG_ERR_INVALID;
}

/* ---- checks across keys ---- */

/* ssmtp's append_domain: a bare local name gets @RewriteDomain, or @hostname without one. */
static void qualify_recipients(struct parser *p, struct config_recipients *list, const char *domain, unsigned line,
			       const char *key)
{
	unsigned i;

	for (i = 0; i < list->count; i++) {
		char *addr = list->addr[i];
		size_t a = strlen(addr), d = strlen(domain);
		if (strchr(addr, '@') != NULL)
			continue;
		if (a + 1 + d > CONFIG_ADDR_MAX) {
			report(p, CONFIG_SEVERITY_ERROR, line, key, "'%s@%s' is too long for an address", addr,
			       domain);
			continue;
		}
		addr[a] = '@';
		memcpy(addr + a + 1, domain, d + 1);
	}
}

/*
 * Alert and boot mail go to AlertTo; without it, where system mail goes: Root as ssmtp did, else the address
 * revaliases gives root, else AuthUser when it is an address (the account the mail is sent from, which is all a
 * real ssmtp.conf with Root commented out names).
 */
static void default_recipient(struct config *cfg)
{
	const struct config_alias *root = config_find_alias(cfg, "root");
	const char *to = NULL;

	if (cfg->alert_to.count > 0)
		return;
	if (cfg->root[0] != '\0')
		to = cfg->root;
	else if (root != NULL)
		to = root->address;
	else if (is_address(cfg->auth_user))
		to = cfg->auth_user;
	if (to == NULL)
		return;
	cfg->alert_to.count = 1;
	memcpy(cfg->alert_to.addr[0], to, strlen(to) + 1);
}

static void finish_auth(struct parser *p, struct config *cfg)
{
	const unsigned *kl = cfg->key_line;
	bool oauth = cfg->auth_method == CONFIG_AUTH_XOAUTH2 || (!cfg->auth_method_set && cfg->auth_token[0] != '\0');

	if (oauth && !cfg->auth_method_set)
		cfg->auth_method = CONFIG_AUTH_XOAUTH2;
	if (cfg->auth_pass[0] != '\0' && cfg->auth_user[0] == '\0')
		report(p, CONFIG_SEVERITY_WARNING, kl[KEY_AUTHPASS], "AuthPass",
		       "AuthPass is set but AuthUser is not: no login is attempted (as in ssmtp)");
	if (cfg->auth_user[0] == '\0') {
		if (cfg->auth_token[0] != '\0')
			report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHTOKEN], "AuthToken",
			       "XOAUTH2 needs the account name too: set AuthUser");
		return;
	}
	if (oauth) {
		if (cfg->auth_token[0] == '\0')
			report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHMETHOD], "AuthMethod",
			       "AuthMethod=XOAUTH2 needs AuthToken (an OAuth2 access token)");
		if (cfg->auth_pass[0] != '\0')
			report(p, CONFIG_SEVERITY_WARNING, kl[KEY_AUTHPASS], "AuthPass",
			       "ignored: XOAUTH2 logs in with AuthToken");
	} else {
		if (cfg->auth_pass[0] == '\0')
			report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHPASS] ? kl[KEY_AUTHPASS] : kl[KEY_AUTHUSER],
			       "AuthPass", "AuthUser is set but AuthPass is empty: expected the password of %s",
			       cfg->auth_user);
		if (cfg->auth_token[0] != '\0')
			report(p, CONFIG_SEVERITY_WARNING, kl[KEY_AUTHTOKEN], "AuthToken",
			       "ignored: AuthMethod is not XOAUTH2");
	}
	/* net/smtp.c refuses to send a credential without TLS unless AllowAuthWithoutTLS=YES: such a file cannot
	 * send, so it is an error here, with the fix, before it reaches a card. */
	if (!cfg->use_tls && !cfg->allow_auth_without_tls)
		report(p, CONFIG_SEVERITY_ERROR, kl[KEY_AUTHUSER], "AuthUser",
		       "TLS is off (UseTLS=NO), so the %s would go in clear text, which baremail refuses: set "
		       "UseSTARTTLS=YES (port 587) or UseTLS=YES (port 465); only for a relay on a network you trust, "
		       "AllowAuthWithoutTLS=YES",
		       oauth ? "token" : "password");
}

static void finish_tls(struct parser *p, struct config *cfg)
{
	const unsigned *kl = cfg->key_line;

	if (cfg->use_tls_cert) {
		if (cfg->tls_cert[0] == '\0')
			report(p, CONFIG_SEVERITY_ERROR, kl[KEY_USETLSCERT], "UseTLSCert",
			       "UseTLSCert=YES needs TLSCert (a PEM client certificate on the card)");
		else if (cfg->tls_key[0] == '\0')
			memcpy(cfg->tls_key, cfg->tls_cert, sizeof(cfg->tls_key)); /* key in the cert file */
	} else if (cfg->tls_cert[0] != '\0' || cfg->tls_key[0] != '\0') {
		unsigned line = kl[KEY_TLSCERT] ? kl[KEY_TLSCERT] : kl[KEY_TLSKEY];
		report(p, CONFIG_SEVERITY_WARNING, line, kl[KEY_TLSCERT] ? "TLSCert" : "TLSKey",
		       "ignored unless UseTLSCert=YES");
	}
	if (!cfg->use_tls) {
		if (cfg->tls_ca_file[0] != '\0' || cfg->has_fingerprint)
			report(p, CONFIG_SEVERITY_WARNING,
			       kl[KEY_TLS_CA_FILE] ? kl[KEY_TLS_CA_FILE] : kl[KEY_TLS_FINGERPRINT],
			       kl[KEY_TLS_CA_FILE] ? "TLS_CA_File" : "TLS_Fingerprint", "ignored: UseTLS=NO");
		return;
	}
	/* A port and a TLS mode both written are the user's choice and are not second-guessed (docs/providers.md
	 * says what `test` prints when they do not match); TLS from the first byte on the port nobody wrote is. */
	if (!cfg->use_starttls && !cfg->port_set)
		report(p, CONFIG_SEVERITY_WARNING, kl[KEY_USETLS], "UseTLS",
		       "no port given, so TLS from the first byte goes to port %u; that is normally port 465 "
		       "(MailHub=host:465), and port 587 takes UseSTARTTLS=YES",
		       (unsigned)cfg->port);
	/* Without TLS_CA_File or TLS_Fingerprint the firmware verifies against the CA bundle built into the image
	 * (Debian's ca-certificates): nothing to warn about. */
}

static void finish_network(struct parser *p, struct config *cfg)
{
	const unsigned *kl = cfg->key_line;
	uint32_t mask = cfg->prefix_len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> cfg->prefix_len);

	if (cfg->dhcp) {
		if (cfg->gateway != 0)
			report(p, CONFIG_SEVERITY_WARNING, kl[KEY_GATEWAY], "Gateway",
			       "ignored with IP=dhcp: the DHCP server gives the gateway");
		return;
	}
	if (cfg->gateway == 0)
		report(p, CONFIG_SEVERITY_WARNING, kl[KEY_IP], "IP",
		       "static address without Gateway: only the local network is reachable");
	else if ((cfg->gateway & mask) != (cfg->ip & mask))
		report(p, CONFIG_SEVERITY_WARNING, kl[KEY_GATEWAY], "Gateway", "not in the network of IP=%u.%u.%u.%u/%u",
		       (unsigned)(cfg->ip >> 24), (unsigned)(cfg->ip >> 16 & 0xFF), (unsigned)(cfg->ip >> 8 & 0xFF),
		       (unsigned)(cfg->ip & 0xFF), cfg->prefix_len);
	if (cfg->dns_count == 0) {
		uint32_t dummy;
		bool literal = cfg->mailhub_ipv6 || parse_ipv4_n(cfg->mailhub, strlen(cfg->mailhub), &dummy) == 0;
		if (!literal && cfg->mailhub[0] != '\0')
			report(p, CONFIG_SEVERITY_ERROR, kl[KEY_IP], "DNS",
			       "a static IP needs DNS servers to resolve MailHub %s: add DNS = a.b.c.d", cfg->mailhub);
	}
}

int config_finish(struct config *cfg, config_diag_fn diag, void *diag_ctx)
{
	struct parser p;
	const unsigned *kl;
	const char *domain;
	unsigned i;

	if (cfg == NULL || cfg->finished)
		return CONFIG_ERR_ARG;
	begin(&p, cfg, cfg->conf_file[0] != '\0' ? cfg->conf_file : "smtp.conf", diag, diag_ctx);
	kl = cfg->key_line;
	cfg->finished = true;

	/* A file that is not text has reported that already: its keys are unread, not missing. */
	if (cfg->mailhub[0] == '\0' && kl[KEY_MAILHUB] == 0 && !cfg->conf_not_text)
		report(&p, CONFIG_SEVERITY_ERROR, 0, "MailHub",
		       "not set: expected MailHub=host[:port], e.g. MailHub=smtp.example.com:587");

	if (cfg->hostname[0] != '\0')
		derive_ehlo(cfg->hostname, cfg->ehlo_name);
	else
		memcpy(cfg->ehlo_name, CONFIG_DEFAULT_EHLO_NAME, sizeof(CONFIG_DEFAULT_EHLO_NAME));

	finish_auth(&p, cfg);
	finish_tls(&p, cfg);
	finish_network(&p, cfg);

	domain = cfg->rewrite_domain[0] != '\0' ? cfg->rewrite_domain : cfg->ehlo_name;
	default_recipient(cfg);
	qualify_recipients(&p, &cfg->alert_to, domain, kl[KEY_ALERTTO] ? kl[KEY_ALERTTO] : kl[KEY_ROOT],
			   kl[KEY_ALERTTO] ? "AlertTo" : "Root");
	for (i = 0; i < cfg->alert_count; i++)
		qualify_recipients(&p, &cfg->alerts[i].to, domain, cfg->alerts[i].line, "Alert");
	if (cfg->alert_to.count == 0 && !cfg->conf_not_text) {
		bool needed = cfg->heartbeat_mail || (cfg->boot_mail && kl[KEY_BOOTMAIL] != 0);
		for (i = 0; i < cfg->alert_count; i++)
			needed = needed || cfg->alerts[i].to.count == 0;
		if (needed) {
			report(&p, CONFIG_SEVERITY_ERROR, 0, "AlertTo",
			       "no recipient for alert, boot or heartbeat mail: set AlertTo (or Root)");
		} else if (cfg->boot_mail) {
			/* Only the default boot mail wanted one: a file that sends with `sendmail` alone is usable. */
			cfg->boot_mail = false;
			report(&p, CONFIG_SEVERITY_WARNING, 0, "AlertTo",
			       "no recipient (no AlertTo, Root, root in revaliases, nor an address in AuthUser), so no "
			       "boot mail: set AlertTo to get it");
		}
	}
	if (kl[KEY_HEARTBEATPERIOD] != 0 && !cfg->heartbeat_mail)
		report(&p, CONFIG_SEVERITY_WARNING, kl[KEY_HEARTBEATPERIOD], "HeartbeatPeriod",
		       "ignored: HeartbeatMail=NO");

	/* revaliases: the local accounts are root and the alert names. */
	if (cfg->alias_count > 0)
		p.file = cfg->aliases_file;
	for (i = 0; i < cfg->alias_count; i++) {
		const struct config_alias *a = &cfg->aliases[i];
		if (strcmp(a->account, "root") != 0 && config_find_alert(cfg, a->account) == NULL)
			report(&p, CONFIG_SEVERITY_WARNING, a->line, a->account,
			       "not used: baremail's local accounts are root and the Alert names");
	}
	return cfg->error_count == 0 ? CONFIG_OK : CONFIG_ERR_INVALID;
}

int config_check_alert_gpios(struct config *cfg, config_gpio_check_fn check, void *check_ctx,
			     enum config_severity severity, config_diag_fn diag, void *diag_ctx)
{
	struct parser p;
	unsigned errors;
	unsigned i;

	if (cfg == NULL || check == NULL)
		return CONFIG_ERR_ARG;
	begin(&p, cfg, cfg->conf_file[0] != '\0' ? cfg->conf_file : "smtp.conf", diag, diag_ctx);
	errors = cfg->error_count;
	for (i = 0; i < cfg->alert_count; i++) {
		const struct config_alert *a = &cfg->alerts[i];
		const char *why = check(check_ctx, a->gpio);
		if (why == NULL)
			continue;
		if (severity == CONFIG_SEVERITY_ERROR)
			report(&p, severity, a->line, "Alert", "%s: gpio: GPIO %u cannot be watched: %s; choose another pin",
			       a->name, a->gpio, why);
		else
			report(&p, severity, a->line, "Alert", "%s: gpio: GPIO %u: %s", a->name, a->gpio, why);
	}
	return cfg->error_count == errors ? CONFIG_OK : CONFIG_ERR_INVALID;
}

/* ---- lookups, init, formatting ---- */

unsigned config_key_line(const struct config *cfg, const char *key)
{
	int id = key != NULL ? find_key(key) : -1;

	return (cfg != NULL && id >= 0) ? cfg->key_line[id] : 0;
}

const struct config_alert *config_find_alert(const struct config *cfg, const char *name)
{
	unsigned i;

	for (i = 0; cfg != NULL && name != NULL && i < cfg->alert_count; i++)
		if (strcmp(cfg->alerts[i].name, name) == 0)
			return &cfg->alerts[i];
	return NULL;
}

const struct config_alias *config_find_alias(const struct config *cfg, const char *account)
{
	unsigned i;

	for (i = 0; cfg != NULL && account != NULL && i < cfg->alias_count; i++)
		if (strcmp(cfg->aliases[i].account, account) == 0)
			return &cfg->aliases[i];
	return NULL;
}

void config_init(struct config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = CONFIG_DEFAULT_PORT;
	cfg->auth_method = CONFIG_AUTH_LOGIN;
	cfg->dhcp = true;
	memcpy(cfg->ntp_server, CONFIG_DEFAULT_NTP_SERVER, sizeof(CONFIG_DEFAULT_NTP_SERVER));
	cfg->tls_min_version = CONFIG_TLS_1_2;
	cfg->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	cfg->smtp_timeout_ms = DEFAULT_SMTP_TIMEOUT_MS;
	cfg->rate_limit.count = DEFAULT_RATE_COUNT;
	cfg->rate_limit.period_s = DEFAULT_RATE_PERIOD_S;
	cfg->boot_mail = true;
	cfg->heartbeat_period_s = DEFAULT_HEARTBEAT_S;
}

int config_diag_format(const struct config_diag *d, char *buf, size_t size)
{
	const char *sev = d->severity == CONFIG_SEVERITY_ERROR ? "error" : "warning";
	const char *file = d->file != NULL ? d->file : "";

	if (d->line != 0 && d->key != NULL)
		return snprintf(buf, size, "%s:%u: %s: %s: %s", file, d->line, d->key, sev, d->message);
	if (d->line != 0)
		return snprintf(buf, size, "%s:%u: %s: %s", file, d->line, sev, d->message);
	if (d->key != NULL)
		return snprintf(buf, size, "%s: %s: %s: %s", file, d->key, sev, d->message);
	return snprintf(buf, size, "%s: %s: %s", file, sev, d->message);
}

/* Output buffer for config_format: one line, appended to piece by piece. */
struct out {
	char buf[CONFIG_LINE_MAX + 1];
	size_t len;
	void (*emit)(void *ctx, const char *line);
	void *ctx;
};

__attribute__((format(printf, 2, 3))) static void out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= sizeof(o->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < sizeof(o->buf) - o->len ? (size_t)n : sizeof(o->buf) - 1 - o->len;
}

static void out_line(struct out *o)
{
	while (o->len > 0 && o->buf[o->len - 1] == ' ')
		o->buf[--o->len] = '\0';
	o->emit(o->ctx, o->buf);
	o->len = 0;
	o->buf[0] = '\0';
}

/* A string value, quoted when reading it back unquoted would change it. */
static void out_string(struct out *o, const char *v)
{
	bool quote = v[0] == '"' || strpbrk(v, " \t#\\\n") != NULL;
	const char *c;

	if (!quote) {
		out_add(o, "%s", v);
		return;
	}
	out_add(o, "\"");
	for (c = v; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			out_add(o, "\\%c", *c);
		else if (*c == '\n')
			out_add(o, "\\n");
		else if (*c == '\t')
			out_add(o, "\\t");
		else
			out_add(o, "%c", *c);
	}
	out_add(o, "\"");
}

static void out_kv(struct out *o, const char *key, const char *v)
{
	out_add(o, "%s = ", key);
	out_string(o, v);
	out_line(o);
}

static void out_bool(struct out *o, const char *key, bool v)
{
	out_add(o, "%s = %s", key, v ? "YES" : "NO");
	out_line(o);
}

static void out_secret(struct out *o, const char *key, const char *v)
{
	out_add(o, "%s = %s", key, v[0] != '\0' ? CONFIG_SECRET_MASK : "");
	out_line(o);
}

static void out_ipv4(struct out *o, uint32_t a)
{
	out_add(o, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16 & 0xFF), (unsigned)(a >> 8 & 0xFF),
		(unsigned)(a & 0xFF));
}

static void out_duration_ms(struct out *o, uint64_t ms)
{
	if (ms == 0 || ms % MS_PER_S != 0)
		out_add(o, "%lums", (unsigned long)ms);
	else if (ms % ((uint64_t)S_PER_DAY * MS_PER_S) == 0)
		out_add(o, "%lud", (unsigned long)(ms / ((uint64_t)S_PER_DAY * MS_PER_S)));
	else if (ms % ((uint64_t)S_PER_HOUR * MS_PER_S) == 0)
		out_add(o, "%luh", (unsigned long)(ms / ((uint64_t)S_PER_HOUR * MS_PER_S)));
	else if (ms % ((uint64_t)S_PER_MIN * MS_PER_S) == 0)
		out_add(o, "%lum", (unsigned long)(ms / ((uint64_t)S_PER_MIN * MS_PER_S)));
	else
		out_add(o, "%lus", (unsigned long)(ms / MS_PER_S));
}

static void out_rate(struct out *o, const struct config_rate *r)
{
	if (r->count == 0)
		out_add(o, "none");
	else if (r->period_s == S_PER_MIN || r->period_s == S_PER_HOUR || r->period_s == S_PER_DAY)
		out_add(o, "%lu/%s", (unsigned long)r->count,
			r->period_s == S_PER_MIN ? "minute" : (r->period_s == S_PER_HOUR ? "hour" : "day"));
	else {
		out_add(o, "%lu/", (unsigned long)r->count);
		out_duration_ms(o, (uint64_t)r->period_s * MS_PER_S);
	}
}

static void out_recipients(struct out *o, const struct config_recipients *r)
{
	unsigned i;

	for (i = 0; i < r->count; i++)
		out_add(o, "%s%s", i > 0 ? ", " : "", r->addr[i]);
}

static void out_hostport(struct out *o, const char *host, bool ipv6, uint16_t port)
{
	out_add(o, ipv6 ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
}

static void out_alert(struct out *o, const struct config_alert *a)
{
	out_add(o, "Alert = %s: gpio=%u edge=%s pull=%s debounce=", a->name, a->gpio, config_edge_name(a->edge),
		config_pull_name(a->pull));
	out_duration_ms(o, a->debounce_ms);
	out_add(o, " recovery=%s", a->recovery ? "yes" : "no");
	if (a->to.count > 0) {
		out_add(o, " to=\"");
		out_recipients(o, &a->to);
		out_add(o, "\"");
	}
	if (a->limit.count > 0) {
		out_add(o, " limit=");
		out_rate(o, &a->limit);
	}
	out_add(o, " subject=");
	out_add(o, "%s", a->subject[0] == '\0' ? "\"\"" : "");
	out_string(o, a->subject);
	out_add(o, " body=");
	out_add(o, "%s", a->body[0] == '\0' ? "\"\"" : "");
	out_string(o, a->body);
	out_line(o);
}

void config_format(const struct config *cfg, void (*emit)(void *ctx, const char *line), void *ctx)
{
	static const char *const methods[] = { "LOGIN", "PLAIN", "CRAM-MD5", "XOAUTH2" };
	static struct out o; /* too big for a small stack; config_format is not reentrant */
	unsigned i;

	if (cfg == NULL || emit == NULL)
		return;
	o.len = 0;
	o.buf[0] = '\0';
	o.emit = emit;
	o.ctx = ctx;

	out_add(&o, "# effective configuration from %s (secrets shown as %s)",
		cfg->conf_file[0] != '\0' ? cfg->conf_file : "defaults", CONFIG_SECRET_MASK);
	out_line(&o);
	out_kv(&o, "Root", cfg->root);
	out_add(&o, "MailHub = ");
	out_hostport(&o, cfg->mailhub, cfg->mailhub_ipv6, cfg->port);
	out_line(&o);
	out_add(&o, "HostName = ");
	out_string(&o, cfg->hostname);
	if (cfg->ehlo_name[0] != '\0' && strcmp(cfg->ehlo_name, cfg->hostname) != 0)
		out_add(&o, "%s# EHLO %s", cfg->hostname[0] != '\0' ? "  " : "", cfg->ehlo_name);
	out_line(&o);
	out_kv(&o, "RewriteDomain", cfg->rewrite_domain);
	out_bool(&o, "FromLineOverride", cfg->from_line_override);
	out_bool(&o, "UseTLS", cfg->use_tls);
	out_bool(&o, "UseSTARTTLS", cfg->use_starttls);
	out_bool(&o, "UseTLSCert", cfg->use_tls_cert);
	out_kv(&o, "TLSCert", cfg->tls_cert);
	/* The key's path is not secret; its contents are, and this module never reads them. */
	out_kv(&o, "TLSKey", cfg->tls_key);
	out_kv(&o, "TLS_CA_File", cfg->tls_ca_file);
	out_kv(&o, "AuthUser", cfg->auth_user);
	out_secret(&o, "AuthPass", cfg->auth_pass);
	/* Not set, the engine chooses among what the server offers (net/smtp_auth.c, smtp_auth_choose): show that
	 * rather than a method that may not be the one used. */
	if (cfg->auth_method_set)
		out_add(&o, "AuthMethod = %s", methods[cfg->auth_method]);
	else if (cfg->auth_user[0] == '\0')
		out_add(&o, "AuthMethod =  # not set: no AuthUser, no AUTH");
	else if (cfg->auth_token[0] != '\0')
		out_add(&o, "AuthMethod =  # not set: XOAUTH2, as AuthToken is set");
	else
		out_add(&o, "AuthMethod =  # not set: the first of %s the server offers",
			cfg->use_tls ? "PLAIN, LOGIN, CRAM-MD5" : "CRAM-MD5, PLAIN, LOGIN");
	out_line(&o);
	out_bool(&o, "UseOldAUTH", cfg->use_old_auth);
	for (i = 0; i < cfg->header_count; i++) {
		out_add(&o, "AddHeader = %s", cfg->headers[i]);
		out_line(&o);
	}
	out_bool(&o, "Debug", cfg->debug);

	out_add(&o, "IP = ");
	if (cfg->dhcp) {
		out_add(&o, "dhcp");
	} else {
		out_ipv4(&o, cfg->ip);
		out_add(&o, "/%u", cfg->prefix_len);
	}
	out_line(&o);
	out_add(&o, "Gateway = ");
	if (cfg->gateway != 0)
		out_ipv4(&o, cfg->gateway);
	out_line(&o);
	out_add(&o, "DNS = ");
	for (i = 0; i < cfg->dns_count; i++) {
		if (i > 0)
			out_add(&o, ", ");
		out_ipv4(&o, cfg->dns[i]);
	}
	out_line(&o);
	out_kv(&o, "NTPServer", cfg->ntp_server);
	out_add(&o, "TLS_MinVersion = %s", cfg->tls_min_version == CONFIG_TLS_1_3 ? "1.3" : "1.2");
	out_line(&o);
	out_add(&o, "TLS_Fingerprint = ");
	for (i = 0; cfg->has_fingerprint && i < CONFIG_SHA256_LEN; i++)
		out_add(&o, "%s%02X", i > 0 ? ":" : "", (unsigned)cfg->fingerprint[i]);
	out_line(&o);
	out_add(&o, "ConnectTimeout = ");
	out_duration_ms(&o, cfg->connect_timeout_ms);
	out_line(&o);
	out_add(&o, "SMTPTimeout = ");
	out_duration_ms(&o, cfg->smtp_timeout_ms);
	out_line(&o);
	out_secret(&o, "AuthToken", cfg->auth_token);
	out_bool(&o, "AllowAuthWithoutTLS", cfg->allow_auth_without_tls);

	out_add(&o, "AlertTo = ");
	out_recipients(&o, &cfg->alert_to);
	out_line(&o);
	out_add(&o, "RateLimit = ");
	out_rate(&o, &cfg->rate_limit);
	out_line(&o);
	out_bool(&o, "BootMail", cfg->boot_mail);
	out_bool(&o, "HeartbeatMail", cfg->heartbeat_mail);
	out_add(&o, "HeartbeatPeriod = ");
	out_duration_ms(&o, (uint64_t)cfg->heartbeat_period_s * MS_PER_S);
	out_line(&o);
	for (i = 0; i < cfg->alert_count; i++)
		out_alert(&o, &cfg->alerts[i]);

	if (cfg->alias_count > 0) {
		out_add(&o, "# revaliases from %s", cfg->aliases_file);
		out_line(&o);
	}
	for (i = 0; i < cfg->alias_count; i++) {
		const struct config_alias *a = &cfg->aliases[i];
		out_add(&o, "#   %s:%s", a->account, a->address);
		if (a->mailhub[0] != '\0') {
			out_add(&o, ":");
			out_hostport(&o, a->mailhub, a->mailhub_ipv6, a->port);
		}
		out_line(&o);
	}
}

const char *config_strerror(int err)
{
	switch (err) {
	case CONFIG_OK:
		return "ok";
	case CONFIG_ERR_ARG:
		return "bad argument or call out of order";
	case CONFIG_ERR_INVALID:
		return "configuration has errors";
	case CONFIG_ERR_OVERFLOW:
		return "output buffer too small";
	default:
		return "unknown config error";
	}
}
