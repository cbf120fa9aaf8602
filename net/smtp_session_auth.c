/*
 * smtp_session_auth - the SMTP engine's AUTH exchange, RFC 4954 (part of net/smtp, see smtp_engine.h).
 *
 * One mechanism per session (smtp_auth_choose): on a failure no other is tried with the same credentials. The
 * encoded secrets are written straight into the output buffer, so that no other copy exists, and the log shows
 * "AUTH PLAIN ********" and "********" for every client response.
 */
#include <stdio.h>
#include <string.h>

#include "net/smtp_engine.h"

enum auth_stage {
    AUTH_FINAL,        /* the next reply is the outcome */
    AUTH_LOGIN_USER,   /* 334: send the user name */
    AUTH_LOGIN_PASS,   /* 334: send the password */
    AUTH_CRAM,         /* 334: the challenge */
    AUTH_XOAUTH2,      /* 235, or 334 with the error JSON */
    AUTH_XOAUTH2_FAIL, /* after the empty response: the final 5xx */
    AUTH_CANCELLED,    /* sent "*" after an unexpected challenge */
};

void smtp_engine_start_auth(struct smtp_session *s)
{
    const struct smtp_options *o = &s->opt;
    bool have_token = o->auth_token != NULL && o->auth_token[0] != '\0';
    bool have_pass = o->auth_pass != NULL && o->auth_pass[0] != '\0';
    size_t room, pre;
    char *dst;
    int n = 0;
    unsigned mech;

    /* Every mechanism, CRAM-MD5 included: without TLS its response still gives away the user name and lets
	 * anyone who records it (or poses as the server) try passwords offline. */
    if (!s->stats.tls_active && !o->allow_cleartext_auth) {
        smtp_engine_fail_local(s, SMTP_STEP_AUTH, SMTP_ERR_CLEARTEXT_AUTH,
                               "refusing to send credentials without TLS: set UseSTARTTLS=YES (port 587) or "
                               "UseTLS=YES (port 465)");
        return;
    }
    mech =
        smtp_auth_choose(s->caps.auth, o->auth_forced, have_token, have_pass, s->stats.tls_active, o->hmac_md5 != NULL);
    if (mech == 0) {
        smtp_engine_fail_local(s, SMTP_STEP_AUTH, SMTP_ERR_NO_AUTH_MECH, "server offers%s%s%s%s%s, configured %s",
                               s->caps.auth == 0 ? " no AUTH" : "",
                               (s->caps.auth & SMTP_AUTH_PLAIN) != 0 ? " PLAIN" : "",
                               (s->caps.auth & SMTP_AUTH_LOGIN) != 0 ? " LOGIN" : "",
                               (s->caps.auth & SMTP_AUTH_CRAM_MD5) != 0 ? " CRAM-MD5" : "",
                               (s->caps.auth & SMTP_AUTH_XOAUTH2) != 0 ? " XOAUTH2" : "",
                               o->auth_forced != 0 ? smtp_auth_mech_name(o->auth_forced) : "credentials");
        return;
    }
    s->stats.auth_mech = mech;
    s->auth_detail[0] = '\0';
    smtp_engine_progress(s, SMTP_STEP_AUTH, smtp_auth_mech_name(mech));

    room = smtp_engine_out_room(s);
    dst = (char *)s->out + s->out_tail;
    switch (mech) {
    case SMTP_AUTH_PLAIN:
        pre = (size_t)snprintf(dst, room, "AUTH PLAIN ");
        n = pre < room ? smtp_auth_plain(dst + pre, room - pre, o->auth_user, o->auth_pass) : -1;
        s->auth_stage = AUTH_FINAL;
        break;
    case SMTP_AUTH_XOAUTH2:
        pre = (size_t)snprintf(dst, room, "AUTH XOAUTH2 ");
        n = pre < room ? smtp_auth_xoauth2(dst + pre, room - pre, o->auth_user, o->auth_token) : -1;
        s->auth_stage = AUTH_XOAUTH2;
        break;
    case SMTP_AUTH_LOGIN:
        if (o->use_old_auth) {
            pre = (size_t)snprintf(dst, room, "AUTH LOGIN ");
            n = pre < room ? smtp_auth_login(dst + pre, room - pre, o->auth_user) : -1;
            s->auth_stage = AUTH_LOGIN_PASS;
        } else {
            pre = (size_t)snprintf(dst, room, "AUTH LOGIN");
            s->auth_stage = AUTH_LOGIN_USER;
        }
        break;
    default: /* CRAM-MD5 */
        pre = (size_t)snprintf(dst, room, "AUTH CRAM-MD5");
        s->auth_stage = AUTH_CRAM;
        break;
    }
    if (n < 0 || pre + (size_t)n + 2 > room) {
        smtp_engine_fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_ARG, false, NULL, "AUTH command does not fit", false);
        return;
    }
    if (n > 0) {
        char shown[32];

        snprintf(shown, sizeof(shown), "%.*s" SMTP_ENGINE_SECRET_MASK, (int)pre, dst);
        smtp_engine_log_text(s, "> ", shown, strlen(shown));
    } else {
        smtp_engine_log_text(s, "> ", dst, pre);
    }
    dst[pre + (size_t)n] = '\r';
    dst[pre + (size_t)n + 1] = '\n';
    s->out_tail += pre + (size_t)n + 2;
    smtp_engine_expect_push(s, SMTP_EXP_AUTH, 0, 0);
}

/* Send one SASL response line of n octets already at the end of the output (base64 of a secret), made from the
 * server's challenge r. A challenge that is not base64 is the server's fault and its line is quoted; a response that
 * does not fit is the engine's own, as for a command. */
static void send_auth_response(struct smtp_session *s, int n, size_t room, const struct smtp_reply *r)
{
    char *dst = (char *)s->out + s->out_tail;

    if (n == SMTP_AUTH_ERR_BASE64) {
        smtp_engine_fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_PROTOCOL, false, r, smtp_auth_strerror(n), true);
        return;
    }
    if (n == SMTP_AUTH_ERR_HMAC) {
        smtp_engine_fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_PROTOCOL, false, NULL, smtp_auth_strerror(n), false);
        return;
    }
    if (n < 0 || (size_t)n + 2 > room) {
        smtp_engine_fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_ARG, false, NULL, "AUTH response does not fit", false);
        return;
    }
    smtp_engine_log_text(s, "> ", SMTP_ENGINE_SECRET_MASK, strlen(SMTP_ENGINE_SECRET_MASK));
    dst[n] = '\r';
    dst[n + 1] = '\n';
    s->out_tail += (size_t)n + 2;
    smtp_engine_expect_push(s, SMTP_EXP_AUTH, 0, 0);
}

static void note_xoauth2_error(struct smtp_session *s, const struct smtp_reply *r)
{
    uint8_t json[SMTP_DETAIL_MAX];
    int n = smtp_auth_b64_decode(r->text, strlen(r->text), json, sizeof(json) - 1);
    int i;

    if (n <= 0) {
        return;
    }
    for (i = 0; i < n; i++) {
        if (json[i] < 0x20 || json[i] >= 0x7f) {
            json[i] = ' ';
        }
    }
    json[n] = '\0';
    snprintf(s->auth_detail, sizeof(s->auth_detail), "server said: %.*s", (int)sizeof(s->auth_detail) - 14,
             (const char *)json);
}

void smtp_engine_on_auth(struct smtp_session *s, const struct smtp_reply *r)
{
    const struct smtp_options *o = &s->opt;
    size_t room;
    char *dst;

    if (SMTP_ENGINE_REPLY_CLASS(r->code) == 2u && s->auth_stage != AUTH_CANCELLED) {
        smtp_engine_start_messages(s);
        return;
    }
    if (r->code != 334 || s->auth_stage == AUTH_CANCELLED || s->auth_stage == AUTH_XOAUTH2_FAIL) {
        if (s->auth_stage == AUTH_CANCELLED) {
            smtp_engine_fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_PROTOCOL, false, &s->first_reject,
                                     "unexpected AUTH challenge", true);
        } else {
            smtp_engine_fail_session(s, SMTP_STEP_AUTH, SMTP_ERR_REPLY, smtp_engine_reply_temporary(r), r,
                                     s->auth_detail[0] != '\0' ? s->auth_detail : NULL, true);
        }
        return;
    }
    room = smtp_engine_out_room(s);
    dst = (char *)s->out + s->out_tail;
    switch (s->auth_stage) {
    case AUTH_LOGIN_USER:
        s->auth_stage = AUTH_LOGIN_PASS;
        send_auth_response(s, smtp_auth_login(dst, room, o->auth_user), room, r);
        break;
    case AUTH_LOGIN_PASS:
        s->auth_stage = AUTH_FINAL;
        send_auth_response(s, smtp_auth_login(dst, room, o->auth_pass), room, r);
        break;
    case AUTH_CRAM:
        s->auth_stage = AUTH_FINAL;
        send_auth_response(s,
                           smtp_auth_cram_md5(dst, room, r->text, strlen(r->text), o->auth_user, o->auth_pass,
                                              o->hmac_md5, o->hmac_ctx),
                           room, r);
        break;
    case AUTH_XOAUTH2:
        /* Google's error challenge: acknowledge with an empty line, the 5xx outcome follows. */
        note_xoauth2_error(s, r);
        s->auth_stage = AUTH_XOAUTH2_FAIL;
        if (smtp_engine_emit_or_fail(s, SMTP_STEP_AUTH, smtp_engine_emit(s, "(empty response)", "%s", ""))) {
            smtp_engine_expect_push(s, SMTP_EXP_AUTH, 0, 0);
        }
        break;
    default:
        /* A challenge where the mechanism has none left: cancel (RFC 4954 §4) and fail. */
        s->first_reject = *r;
        s->auth_stage = AUTH_CANCELLED;
        if (smtp_engine_emit_or_fail(s, SMTP_STEP_AUTH, smtp_engine_emit(s, NULL, "*"))) {
            smtp_engine_expect_push(s, SMTP_EXP_AUTH, 0, 0);
        }
        break;
    }
}
