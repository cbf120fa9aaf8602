/*
 * mail_compose - messages the device writes itself (see mail_compose.h).
 */
#include "mail/mail_compose.h"

#include <string.h>

#include "mail/mail_addr.h"
#include "mail/mail_header.h"

static void put_field(struct mail_out *o, const char *name, const char *value)
{
    mail_out_str(o, name);
    mail_out_str(o, ": ");
    mail_out_str(o, value);
    mail_out_crlf(o);
}

static void put_to(struct mail_out *o, const struct mail_compose_msg *msg)
{
    unsigned i;

    mail_out_str(o, "To: ");
    for (i = 0; i < msg->to_count; i++) {
        size_t n = strlen(msg->to[i]);

        if (i > 0) {
            mail_out_char(o, ',');
            if (o->col + 1 + n > MAIL_FOLD_AT) {
                mail_out_crlf(o);
            }
            mail_out_char(o, ' ');
        }
        mail_out_put(o, msg->to[i], n);
    }
    mail_out_crlf(o);
}

static int check_args(const struct config *cfg, const struct mail_compose_msg *msg, char *buf,
                      struct mail_compose_result *res)
{
    unsigned i;

    if (cfg == NULL || msg == NULL || buf == NULL || res == NULL || msg->account == NULL || msg->subject == NULL ||
        (msg->body == NULL && msg->body_len > 0) || (msg->to == NULL && msg->to_count > 0)) {
        return MAIL_ERR_ARG;
    }
    if (msg->to_count == 0) {
        return MAIL_ERR_NO_RCPT;
    }
    for (i = 0; i < msg->to_count; i++) {
        if (msg->to[i] == NULL || !mail_addr_is_valid(msg->to[i])) {
            return MAIL_ERR_ADDRESS;
        }
    }
    return MAIL_OK;
}

int mail_compose(const struct config *cfg, const struct mail_compose_msg *msg, char *buf, size_t size,
                 struct mail_compose_result *res)
{
    char line[MAIL_HEADER_MSGID_SIZE];
    struct mail_mime_scan scan;
    struct mail_out o;
    unsigned i;
    int rc = check_args(cfg, msg, buf, res);

    if (rc != MAIL_OK) {
        return rc;
    }
    memset(res, 0, sizeof(*res));
    rc = mail_header_sender(cfg, msg->account, res->sender, sizeof(res->sender));
    if (rc == MAIL_ERR_OVERFLOW || (rc == MAIL_OK && !mail_addr_is_valid(res->sender))) {
        return MAIL_ERR_ADDRESS;
    }
    if (rc != MAIL_OK) {
        return rc;
    }
    res->needs_smtputf8 = mail_has_8bit(res->sender, strlen(res->sender));
    for (i = 0; i < msg->to_count; i++) {
        res->needs_smtputf8 = res->needs_smtputf8 || mail_has_8bit(msg->to[i], strlen(msg->to[i]));
    }
    mail_mime_scan(msg->body, msg->body_len, &scan);
    res->encoding = mail_mime_choose_cte(&scan, msg->allow_8bit);
    res->needs_8bitmime = res->encoding == MAIL_CTE_8BIT;

    mail_out_init(&o, buf, size);
    if (mail_header_date(msg->date, line, sizeof(line)) > 0) {
        put_field(&o, "Date", line);
    }
    mail_out_str(&o, "From: ");
    if (msg->from_name != NULL && msg->from_name[0] != '\0') {
        mail_mime_put_words(&o, msg->from_name, strlen(msg->from_name), true);
        mail_out_str(&o, " <");
        mail_out_str(&o, res->sender);
        mail_out_char(&o, '>');
    } else {
        mail_out_str(&o, res->sender);
    }
    mail_out_crlf(&o);
    put_to(&o, msg);
    mail_out_str(&o, "Subject: ");
    mail_mime_put_words(&o, msg->subject, strlen(msg->subject), false);
    mail_out_crlf(&o);
    rc = mail_header_message_id(msg->date, msg->unique, mail_header_host(cfg), line, sizeof(line));
    if (rc < 0) {
        return rc;
    }
    put_field(&o, "Message-ID", line);
    mail_out_str(&o, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n");
    put_field(&o, "Content-Transfer-Encoding", mail_mime_cte_name(res->encoding));
    if (msg->auto_submitted) {
        mail_out_str(&o, "Auto-Submitted: auto-generated\r\n");
    }
    if (msg->user_agent != NULL && msg->user_agent[0] != '\0') {
        mail_out_str(&o, "User-Agent: ");
        mail_mime_put_words(&o, msg->user_agent, strlen(msg->user_agent), false);
        mail_out_crlf(&o);
    }
    for (i = 0; i < cfg->header_count && i < CONFIG_HEADERS_MAX; i++) {
        mail_mime_put_text(&o, cfg->headers[i], strlen(cfg->headers[i]));
    }
    mail_out_crlf(&o);
    if (res->encoding == MAIL_CTE_QP) {
        mail_mime_put_qp(&o, msg->body, msg->body_len);
    } else {
        mail_mime_put_text(&o, msg->body, msg->body_len);
    }
    return mail_out_finish(&o, &res->len);
}
