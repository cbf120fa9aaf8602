/*
 * outbox_classify.h - what the outcome of one SMTP submission means for a mail in the outbox: delivered, try again
 * later, give up, or a fault of the configuration that no retry of this mail will cure by itself.
 *
 * The rule (firmware/outbox.h applies it):
 *  - every recipient accepted and the server took the message: delivered;
 *  - a 4xx reply, a timeout, a refused or lost connection, a failed lookup (the engine marks them temporary):
 *    temporary, and the recipients that did accept are not sent to again;
 *  - a permanent failure before the mail itself was offered (greeting, EHLO, STARTTLS, the TLS certificate check,
 *    AUTH, a credential that would go without TLS): a configuration fault, since every mail would meet it;
 *  - a permanent refusal of this mail (MAIL, RCPT, DATA, the message: 5xx, SIZE, 8BITMIME, SMTPUTF8): permanent;
 *    recipients refused with 5xx while others accepted make it permanent too, for them: it is reported and not
 *    sent again to those who have it.
 * Pure: reads the engine's result structs (net/smtp.h), any context.
 */
#ifndef FIRMWARE_OUTBOX_CLASSIFY_H
#define FIRMWARE_OUTBOX_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/outbox.h"
#include "net/smtp.h"

/*
 * Classifies message m, sent to the recipients m->rcpt, with rcpt_replies the engine filled (one per recipient;
 * NULL when not asked for). *accepted gets bit i for each m->rcpt[i] that accepted it (2xx) in a transaction the
 * server completed. reply (size > 0) gets one line for the console and the reports: the reply that decided it.
 */
enum outbox_outcome outbox_classify(const struct smtp_message *m, const struct smtp_reply *rcpt_replies,
                                    uint32_t *accepted, char *reply, size_t size);

#endif /* FIRMWARE_OUTBOX_CLASSIFY_H */
