/*
 * mail_submit.h - the console's `sendmail [-t] [rcpt...]`: turn a message a user typed or pasted into what
 * `ssmtp rcpt < msg.txt` would submit, with its envelope.
 *
 * Behaviour of ssmtp 2.64 as Debian 2.64-11 ships it (checked against that binary), kept here:
 *  - the user's header fields are kept, in order and as folded; everything up to the first blank line is the
 *    header; lines end with CRLF whatever the input used (CRLF, LF or CR);
 *  - a Received line "by <host> (baremail sendmail emulation); <date>", then, when missing, From (the account's
 *    sender, mail_header_sender), Date, and the AddHeader lines, come before the user's fields;
 *  - envelope sender: with FromLineOverride=YES the address of the message's From (qualified when it has no
 *    '@'), otherwise the account's sender; the message's own From header is kept either way (Debian's
 *    keep-from-header-intact change); an empty "From:" is dropped and replaced;
 *  - recipients: the arguments (each may be a comma list; "root" goes to Root, names without '@' are
 *    qualified), or with -t those of To, Cc and Bcc; -t with arguments is refused, as ssmtp does.
 * Where ssmtp was wrong, baremail differs on purpose:
 *  - a Message-ID is added when missing (ssmtp added none; RFC 5322 3.6.4 says SHOULD);
 *  - Bcc is removed always (ssmtp only with -t, leaking Bcc otherwise);
 *  - groups give their members (ssmtp sent "Team: a@x" as one address and lost the rest); duplicates are sent
 *    once;
 *  - a line that is not a header field ends the header, and a blank line is inserted before it (ssmtp sent
 *    such lines as header fields); a leading mbox "From " line is dropped; a last header line without line
 *    ending is kept (ssmtp lost it);
 *  - Date and the Received line are left out without a valid clock (see mail_compose.h);
 *  - header fields are checked and, where needed, written again (see put_user_fields in mail_submit.c): a
 *    control octet or text that is not UTF-8 is refused (MAIL_ERR_HEADER); UTF-8 in Subject, Comments and X-
 *    fields becomes RFC 2047 encoded-words; a line over 998 octets (RFC 5322 2.1.1) is folded at its blanks, in
 *    those fields encoded when it has none, and refused elsewhere (ssmtp sent all of these as they were).
 * The body is copied as is: 8-bit text is reported (needs_8bitmime) and lines over 998 octets too
 * (long_lines); mail_mime_downgrade() re-encodes a single-part text body as quoted-printable when the server
 * lacks 8BITMIME. Output is not dot-stuffed.
 *
 * Pure; the input is read in place and never modified; output and result are the caller's.
 */
#ifndef MAIL_MAIL_SUBMIT_H
#define MAIL_MAIL_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "mail/mail.h"

struct mail_submit_opts {
    const char *account;     /* local account submitting: "root" from the console */
    const char *from_name;   /* display name for a generated From (ssmtp used the account's GECOS) or NULL */
    bool read_recipients;    /* -t: recipients from To, Cc and Bcc */
    const char *const *args; /* recipient arguments (without -t) */
    unsigned arg_count;
    int64_t date;    /* UTC seconds since 1970; negative: no valid clock */
    uint64_t unique; /* Message-ID uniqueness, see mail_header_message_id */
};

struct mail_submit_result {
    size_t len;                     /* octets of the prepared message */
    char sender[MAIL_ADDR_MAX + 1]; /* MAIL FROM */
    unsigned rcpt_count;            /* RCPT TO, in order, without duplicates */
    char rcpt[MAIL_RCPT_MAX][MAIL_ADDR_MAX + 1];
    bool needs_8bitmime; /* an octet >= 0x80: declare BODY=8BITMIME */
    bool needs_smtputf8; /* an envelope address, or a structured header field, is not
						     ASCII: declare SMTPUTF8 */
    bool long_lines;     /* a body line over 998 octets: re-encode or expect a refusal */
    char problem[96];    /* with MAIL_ERR_HEADER: which field and why, for the user */
};

/*
 * Prepare `len` bytes of message text into out[0..size) and fill *res. Returns 0, or MAIL_ERR_ARG (NULL or -t
 * with arguments), MAIL_ERR_INPUT (a NUL byte), MAIL_ERR_ADDRESS (a malformed recipient list or From with
 * FromLineOverride), MAIL_ERR_NO_RCPT, MAIL_ERR_RCPT_LIMIT, MAIL_ERR_HEADER (res->problem says which field and
 * why), MAIL_ERR_OVERFLOW. The output can be larger than the input: a bare LF becomes CRLF, and header text
 * written again as encoded-words grows (base64 words of whole UTF-8 characters carry 42 octets or more in 75,
 * plus the fold): give about twice the input plus the added fields.
 */
int mail_submit_prepare(const struct config *cfg, const struct mail_submit_opts *opts, const char *text, size_t len,
                        char *out, size_t size, struct mail_submit_result *res);

#endif /* MAIL_MAIL_SUBMIT_H */
