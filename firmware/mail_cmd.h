/*
 * mail_cmd.h - the console's mail commands:
 *   test [rcpt]               sends a test message (which device, firmware, address, time) to rcpt, or to Root
 *                             (without Root, to the first recipient of alert mail, config.h's alert_to);
 *   sendmail [-t] [rcpt...]   reads a message from the console and submits it as `ssmtp rcpt... < msg.txt` would
 *                             (mail/mail_submit.h: headers kept, Received/From/Date/Message-ID added, -t takes
 *                             the recipients from To, Cc and Bcc, Bcc never sent).
 * Every message needs a Date (RFC 5322), so before NTP has set the clock both wait for it through the main loop
 * ("waiting for the clock (NTP server ...)"), at most ConnectTimeout, and compose the message only then (sendmail
 * after reading it); a clock that never comes sends nothing and names NTPServer and `net`. Ctrl-C cancels any wait.
 * Both print each step as it happens (net/smtp_client.h) and end with the server's final reply ("sent: 250 2.0.0
 * Ok: queued as 3F2A1") or one line naming the failed step and quoting the server ("AUTH failed: 535 5.7.8 ...;
 * permanent failure"). They return 0 when the message was accepted for every recipient, -1 otherwise.
 *
 * sendmail's input, as typed, pasted, or sent by tools/pi-sendmail:
 *  - the message text line by line; a line ends with CR, LF or CRLF (stored as CRLF);
 *  - a line holding only "." ends the message;
 *  - a line made only of dots loses one dot, so a message line "." is sent as "..", ".." as "...", and so on;
 *    every other line, one beginning with a dot included, is taken as it is (unlike SMTP's dot-stuffing, text
 *    pasted by hand is never changed);
 *  - each byte is echoed; Ctrl-C abandons the message; MAIL_CMD_INPUT_MAX octets at most (the rest up to the
 *    "." line is read and dropped, then the command says the message is too large and sends nothing);
 *  - MAIL_CMD_INPUT_IDLE_MS without a byte abandons the message.
 * The end of the input is echoed; "sendmail: " lines report what happens next.
 *
 * Register once at start-up, from the main loop, after net_init(). Main loop only.
 */
#ifndef FIRMWARE_MAIL_CMD_H
#define FIRMWARE_MAIL_CMD_H

#include "lib/units.h"

/* Largest message sendmail accepts, counted with CRLF line ends: alert and report mail is a few KiB, and a log
 * excerpt fits; the buffer is allocated only while the command runs. */
#ifndef MAIL_CMD_INPUT_MAX
#define MAIL_CMD_INPUT_MAX (128u * 1024u)
#endif
/* How long sendmail waits for the next byte: long enough for a person typing, short enough that a stalled
 * transfer gives the console back. */
#ifndef MAIL_CMD_INPUT_IDLE_MS
#define MAIL_CMD_INPUT_IDLE_MS (5u * MS_PER_MIN)
#endif
/* Upper bound of one submission, far above what the engine's own step timeouts allow in a normal session
 * (SMTPTimeout per reply, 10 minutes for the final reply): a safety net, not a policy. */
#ifndef MAIL_CMD_SESSION_MAX_MS
#define MAIL_CMD_SESSION_MAX_MS (30u * MS_PER_MIN)
#endif

/* Adds `test` and `sendmail` to the console; returns console_register()'s result. */
int mail_cmd_register(void);

#endif /* FIRMWARE_MAIL_CMD_H */
