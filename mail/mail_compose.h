/*
 * mail_compose.h - complete RFC 5322 messages for the mail the device writes itself: the console's test mail,
 * alerts, boot and heartbeat mail.
 *
 * The message is: Date, From, To, Subject, Message-ID, MIME-Version, Content-Type: text/plain; charset=utf-8,
 * Content-Transfer-Encoding, Auto-Submitted (machine-made mail), User-Agent, the AddHeader lines of smtp.conf,
 * a blank line and the body; every line ends with CRLF and nothing is dot-stuffed (the SMTP layer does that).
 *  - From is the account's sender (mail_header_sender: revaliases, else account@RewriteDomain/host), with an
 *    optional display name; the same address is the envelope sender returned in the result.
 *  - Subject and display name: RFC 2047 encoded-words when not ASCII (mail_mime_put_words).
 *  - Body: 7bit when ASCII, 8bit when UTF-8 and the server offers 8BITMIME (result.needs_8bitmime tells the SMTP
 *    layer to send BODY=8BITMIME), quoted-printable when it does not, or when a line passes 998 octets.
 *    The SMTP layer composes before it knows the server's extensions; when the server lacks 8BITMIME it calls
 *    mail_compose() again with allow_8bit false (same inputs give the same Message-ID), or mail_mime_downgrade().
 *  - Date: from the caller's UTC clock. Without a valid clock (date < 0) the Date header is left out rather than
 *    dated 1970: RFC 6409 8.3 lets the submission server add it, which Gmail and a Postfix with
 *    local_header_rewrite_clients covering authenticated clients do.
 *
 * Output goes into a caller-owned buffer; on MAIL_ERR_OVERFLOW its content is unspecified and must not be sent.
 */
#ifndef MAIL_MAIL_COMPOSE_H
#define MAIL_MAIL_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "mail/mail.h"
#include "mail/mail_mime.h"

struct mail_compose_msg {
    const char *account;   /* local account: "root" (test, boot, heartbeat) or an Alert name */
    const char *from_name; /* display name for From (UTF-8), NULL or "" for none */
    const char *const *to; /* to_count recipient addresses, already qualified (config's AlertTo is) */
    unsigned to_count;
    const char *subject; /* UTF-8, one line (control characters become spaces) */
    const char *body;    /* UTF-8 text, any line endings; may be NULL when body_len is 0 */
    size_t body_len;
    int64_t date;           /* UTC seconds since 1970; negative: no valid clock */
    uint64_t unique;        /* Message-ID uniqueness, see mail_header_message_id */
    const char *user_agent; /* e.g. "baremail/1.2 (rpi2)"; NULL for none */
    bool auto_submitted;    /* machine-made: adds Auto-Submitted: auto-generated (RFC 3834) */
    bool allow_8bit;        /* the server offers 8BITMIME */
};

struct mail_compose_result {
    size_t len;                     /* octets written (a NUL follows when there was room) */
    char sender[MAIL_ADDR_MAX + 1]; /* envelope sender, for MAIL FROM */
    enum mail_cte encoding;         /* the body's Content-Transfer-Encoding */
    bool needs_8bitmime;            /* declare BODY=8BITMIME */
    bool needs_smtputf8;            /* an envelope address is not ASCII: declare SMTPUTF8 */
};

/*
 * Build the message into buf[0..size). Returns 0, MAIL_ERR_ARG (missing account/subject, no recipient is
 * MAIL_ERR_NO_RCPT), MAIL_ERR_ADDRESS (a recipient or the sender is not a valid addr-spec) or
 * MAIL_ERR_OVERFLOW. `res` is filled on success.
 */
int mail_compose(const struct config *cfg, const struct mail_compose_msg *msg, char *buf, size_t size,
                 struct mail_compose_result *res);

#endif /* MAIL_MAIL_COMPOSE_H */
