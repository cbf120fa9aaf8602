/*
 * mail_header.h - the header values baremail makes up itself, computed from smtp.conf and revaliases the way
 * ssmtp 2.64 (Debian 2.64-11) computes them: envelope sender and From address, recipient qualification, Date,
 * Message-ID.
 *
 * ssmtp's rules, checked against Debian's binary:
 *  - an address without '@' gets "@" + RewriteDomain, or "@" + the host name when RewriteDomain is not set
 *    (ssmtp used HostName's first word: our cfg->ehlo_name);
 *  - the sender of an account is its revaliases address, else account@domain;
 *  - a recipient that is a local system account (baremail has one: root) goes to Root when Root is set.
 * baremail's local accounts are `root` and the Alert names; an Alert name without its own revaliases entry
 * sends as root does (ssmtp had no such accounts; mail from an unknown address would be refused by the hub).
 *
 * Time is passed in by the caller as UTC seconds since 1970 (the NTP clock); the conversion is done here without
 * libc time zone code. Pure functions; buffers are the caller's.
 */
#ifndef MAIL_MAIL_HEADER_H
#define MAIL_MAIL_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* "Sat, 28 Nov 2026 12:34:56 +0000" plus NUL. */
#define MAIL_HEADER_DATE_SIZE 32
/* "<" 14 digits "." 16 hex "@" host ">" NUL */
#define MAIL_HEADER_MSGID_SIZE (CONFIG_HOST_MAX + 36)

/* This host's name for Message-ID and Received: the EHLO name, CONFIG_DEFAULT_EHLO_NAME before config_finish. */
const char *mail_header_host(const struct config *cfg);

/* The domain that addresses without '@' get: RewriteDomain, else the host name. */
const char *mail_header_domain(const struct config *cfg);

/* RFC 5322 3.3 date-time of `utc` (seconds since 1970-01-01 UTC, up to year 9999), zone +0000, day of month
 * without leading zero. Returns the length, MAIL_ERR_ARG for a time out of range, MAIL_ERR_OVERFLOW. */
int mail_header_date(int64_t utc, char *buf, size_t size);

/* ISO 8601 UTC time of `utc` (seconds since 1970, up to year 9999): "2026-11-28T12:34:56Z", the {time} of alert
 * mails. Returns the length, MAIL_ERR_ARG for a time out of range, MAIL_ERR_OVERFLOW. */
#define MAIL_HEADER_ISO8601_SIZE 21
int mail_header_iso8601(int64_t utc, char *buf, size_t size);

/* "<YYYYMMDDhhmmss.<16 hex digits of unique>@host>", or "<<16 hex digits>@host>" without a clock (utc < 0).
 * `unique` comes from the caller and must differ between any two messages sent in the same second: 64 bits from
 * the hardware RNG, or a boot counter and a sequence number. `host` is the EHLO name. Returns the length, or
 * MAIL_ERR_OVERFLOW / MAIL_ERR_ARG. */
int mail_header_message_id(int64_t utc, uint64_t unique, const char *host, char *buf, size_t size);

/* The address mail from local `account` ("root" or an Alert name) is sent as: MAIL FROM and the From header. */
int mail_header_sender(const struct config *cfg, const char *account, char *buf, size_t size);

/* ssmtp's append_domain: addr unchanged when it has '@', else addr@domain. */
int mail_header_qualify(const struct config *cfg, const char *addr, char *buf, size_t size);

/* A recipient as ssmtp's rcpt_remap: "root" -> Root, a name without '@' qualified, others unchanged. */
int mail_header_recipient(const struct config *cfg, const char *addr, char *buf, size_t size);

#endif /* MAIL_MAIL_HEADER_H */
