/*
 * mail_header - Date, Message-ID, sender and recipient addresses as ssmtp computes them (see mail_header.h).
 */
#include "mail/mail_header.h"

#include <stdio.h>
#include <string.h>

#include "lib/units.h"
#include "mail/mail.h"

/* 10000-01-01T00:00:00Z: RFC 5322 years have four digits. */
#define UTC_LIMIT INT64_C(253402300800)

struct civil {
    int year;
    unsigned month;   /* 1-12 */
    unsigned day;     /* 1-31 */
    unsigned weekday; /* 0 = Sunday */
    unsigned hour, minute, second;
};

/* Proleptic Gregorian date of a day count since 1970-01-01, by 400-year eras (H. Hinnant's civil_from_days),
 * so no table, no time zone database and no dependence on newlib's gmtime. */
static void civil_from_utc(int64_t utc, struct civil *c)
{
    int64_t days = utc / S_PER_DAY, secs = utc % S_PER_DAY;
    int64_t z = days + 719468; /* days from 0000-03-01 */
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    c->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    c->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    c->year = (int)(yoe + era * 400 + (c->month <= 2 ? 1 : 0));
    c->weekday = (unsigned)((days + 4) % 7); /* 1970-01-01 was a Thursday */
    c->hour = (unsigned)(secs / S_PER_HOUR);
    c->minute = (unsigned)(secs / S_PER_MIN % S_PER_MIN);
    c->second = (unsigned)(secs % S_PER_MIN);
}

static int fit(int n, size_t size)
{
    if (n < 0) {
        return MAIL_ERR_ARG;
    }
    return (size_t)n < size ? n : MAIL_ERR_OVERFLOW;
}

const char *mail_header_host(const struct config *cfg)
{
    return cfg->ehlo_name[0] != '\0' ? cfg->ehlo_name : CONFIG_DEFAULT_EHLO_NAME;
}

const char *mail_header_domain(const struct config *cfg)
{
    return cfg->rewrite_domain[0] != '\0' ? cfg->rewrite_domain : mail_header_host(cfg);
}

int mail_header_date(int64_t utc, char *buf, size_t size)
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct civil c;

    if (buf == NULL || utc < 0 || utc >= UTC_LIMIT) {
        return MAIL_ERR_ARG;
    }
    civil_from_utc(utc, &c);
    return fit(snprintf(buf, size, "%s, %u %s %04d %02u:%02u:%02u +0000", days[c.weekday], c.day, months[c.month - 1],
                        c.year, c.hour, c.minute, c.second),
               size);
}

int mail_header_iso8601(int64_t utc, char *buf, size_t size)
{
    struct civil c;

    if (buf == NULL || utc < 0 || utc >= UTC_LIMIT) {
        return MAIL_ERR_ARG;
    }
    civil_from_utc(utc, &c);
    return fit(
        snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02uZ", c.year, c.month, c.day, c.hour, c.minute, c.second),
        size);
}

int mail_header_message_id(int64_t utc, uint64_t unique, const char *host, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    char id[17];
    struct civil c;
    unsigned i;

    if (buf == NULL || host == NULL || host[0] == '\0') {
        return MAIL_ERR_ARG;
    }
    /* By hand: newlib's small printf and its <inttypes.h> do not all know 64-bit conversions. */
    for (i = 0; i < 16; i++) {
        id[i] = hex[(unique >> (60 - 4 * i)) & 15];
    }
    id[16] = '\0';
    if (utc < 0 || utc >= UTC_LIMIT) {
        return fit(snprintf(buf, size, "<%s@%s>", id, host), size);
    }
    civil_from_utc(utc, &c);
    return fit(snprintf(buf, size, "<%04d%02u%02u%02u%02u%02u.%s@%s>", c.year, c.month, c.day, c.hour, c.minute,
                        c.second, id, host),
               size);
}

static int qualify(const struct config *cfg, const char *addr, char *buf, size_t size)
{
    int rc;

    if (strchr(addr, '@') != NULL) {
        rc = fit(snprintf(buf, size, "%s", addr), size);
    } else {
        rc = fit(snprintf(buf, size, "%s@%s", addr, mail_header_domain(cfg)), size);
    }
    return rc < 0 ? rc : MAIL_OK;
}

int mail_header_qualify(const struct config *cfg, const char *addr, char *buf, size_t size)
{
    if (cfg == NULL || addr == NULL || addr[0] == '\0' || buf == NULL) {
        return MAIL_ERR_ARG;
    }
    return qualify(cfg, addr, buf, size);
}

int mail_header_sender(const struct config *cfg, const char *account, char *buf, size_t size)
{
    const struct config_alias *alias;

    if (cfg == NULL || account == NULL || account[0] == '\0' || buf == NULL) {
        return MAIL_ERR_ARG;
    }
    alias = config_find_alias(cfg, account);
    if (alias == NULL && strcmp(account, "root") != 0 && config_find_alert(cfg, account) != NULL) {
        alias = config_find_alias(cfg, "root");
        account = "root";
    }
    return qualify(cfg, alias != NULL && alias->address[0] != '\0' ? alias->address : account, buf, size);
}

int mail_header_recipient(const struct config *cfg, const char *addr, char *buf, size_t size)
{
    if (cfg == NULL || addr == NULL || addr[0] == '\0' || buf == NULL) {
        return MAIL_ERR_ARG;
    }
    if (strcmp(addr, "root") == 0 && cfg->root[0] != '\0') {
        addr = cfg->root;
    }
    return qualify(cfg, addr, buf, size);
}
