/*
 * What an SMTP outcome means for an outbox mail; see outbox_classify.h.
 */
#include "firmware/outbox_classify.h"

#include <stdbool.h>
#include <stdio.h>

#include "net/smtp_reply.h"

#define REPLY_CLASS_OK        2
#define REPLY_CLASS_TEMPORARY 4
#define REPLY_CLASS_PERMANENT 5
#define REPLY_CLASS_DIVISOR   100

static int reply_class(const struct smtp_reply *r)
{
    return r->code / REPLY_CLASS_DIVISOR;
}

/* Steps that come before any mail is offered: failing there is not the mail's fault. */
static bool before_mail(enum smtp_step step)
{
    switch (step) {
    case SMTP_STEP_CONNECT:
    case SMTP_STEP_GREETING:
    case SMTP_STEP_EHLO:
    case SMTP_STEP_STARTTLS:
    case SMTP_STEP_TLS:
    case SMTP_STEP_AUTH: return true;
    default: return false;
    }
}

enum outbox_outcome outbox_classify(const struct smtp_message *m, const struct smtp_reply *rcpt_replies,
                                    uint32_t *accepted, char *reply, size_t size)
{
    *accepted = 0;
    if (m->result.err != SMTP_OK) {
        smtp_result_format(&m->result, reply, size);
        if (m->result.temporary || m->result.err == SMTP_ERR_NOT_SENT) {
            return OUTBOX_TEMPORARY;
        }
        return before_mail(m->result.step) ? OUTBOX_CONFIG_FAULT : OUTBOX_PERMANENT;
    }
    /* The server took the message: it holds it for every recipient that accepted. */
    bool any_temporary = false, any_permanent = false;
    const struct smtp_reply *worst = NULL;
    for (unsigned i = 0; i < m->rcpt_count && rcpt_replies != NULL; i++) {
        int cls = reply_class(&rcpt_replies[i]);
        if (cls == REPLY_CLASS_OK) {
            *accepted |= 1u << i;
        } else if (cls == REPLY_CLASS_TEMPORARY) {
            any_temporary = true;
            worst = worst != NULL ? worst : &rcpt_replies[i];
        } else {
            any_permanent = true;
            worst = &rcpt_replies[i];
        }
    }
    if (rcpt_replies == NULL) {
        *accepted = m->rcpt_count >= 32 ? UINT32_MAX : (1u << m->rcpt_count) - 1u;
    }
    if (worst == NULL) {
        /* The server's own reply ("250 2.0.0 Ok: queued as ..."): the console line already says "delivered". */
        if (m->result.reply.code != 0) {
            smtp_reply_format(&m->result.reply, reply, size);
        } else {
            smtp_result_format(&m->result, reply, size);
        }
        return OUTBOX_DELIVERED;
    }
    char text[SMTP_REPLY_TEXT_MAX + 16];
    smtp_reply_format(worst, text, sizeof text);
    snprintf(reply, size, "RCPT <%s> refused: %s", m->rcpt[worst - rcpt_replies], text);
    /* A recipient that may still take it is worth the wait; one that refused for good is reported. */
    return any_temporary ? OUTBOX_TEMPORARY : (any_permanent ? OUTBOX_PERMANENT : OUTBOX_DELIVERED);
}
