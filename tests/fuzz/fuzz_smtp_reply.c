/*
 * libFuzzer target for net/smtp: the input plays a hostile server. Byte 0 picks the session's options (TLS mode,
 * credentials, pipelined or not is up to the server's EHLO); then each chunk is a length octet followed by that
 * many server bytes, fed to smtp_session_input. The client's output is drained after every call, STARTTLS is
 * granted whenever asked, and the clock advances. Besides ASan/UBSan findings, these are bugs (abort):
 * credentials or AUTH written on a session whose TLS is required but not up; pending output over the buffer
 * size; a result line that is not a bounded NUL-terminated string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/smtp.h"

#define CLOCK_STEP_MS 7000u

static int fuzz_read(void *ctx, uint8_t *buf, size_t cap)
{
    size_t *left = ctx;
    size_t n = *left < cap ? *left : cap;

    memset(buf, (int)(*left & 0x7f) | '.', n);
    if (n > 0) {
        buf[0] = '\n';
    }
    *left -= n;
    return (int)n;
}

static int fake_hmac(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                     uint8_t mac[SMTP_AUTH_MD5_LEN])
{
    (void)ctx;
    memset(mac, 0, SMTP_AUTH_MD5_LEN);
    mac[0] = (uint8_t)(key_len + msg_len);
    if (key_len > 0) {
        mac[1] = key[0];
    }
    if (msg_len > 0) {
        mac[2] = msg[0];
    }
    return 0;
}

static bool contains(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; i + k <= n; i++) {
        if (memcmp(p + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

static void drain(struct smtp_session *s, uint32_t now, bool tls_required)
{
    const uint8_t *p;
    size_t n;

    while ((n = smtp_session_output(s, &p)) > 0) {
        if (n > SMTP_OUT_MAX) {
            abort();
        }
        if (tls_required && !smtp_session_stats(s)->tls_active &&
            (contains(p, n, "AUTH") || contains(p, n, "c2VjcmV0"))) {
            abort();
        }
        smtp_session_output_done(s, n, now);
    }
}

static void check_result(const struct smtp_result *r)
{
    char line[SMTP_REPLY_TEXT_MAX + SMTP_DETAIL_MAX + 64];

    smtp_result_format(r, line, sizeof(line));
    if (strlen(line) >= sizeof(line) || strlen(r->reply.text) > SMTP_REPLY_TEXT_MAX) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct smtp_session s;
    static const char *const rcpt[] = { "a@example.com", "b@example.com" };
    struct smtp_message msgs[2];
    struct smtp_reply replies[2];
    struct smtp_options o;
    size_t body_left[2] = { 5000, 10 };
    uint32_t now = 0xfffff000u; /* wraps during the run */
    bool tls_required;
    size_t i = 1;

    if (size < 1) {
        return 0;
    }
    memset(&o, 0, sizeof(o));
    o.ehlo_name = "fuzz.example";
    o.tls = (enum smtp_tls_mode)(data[0] % 3);
    o.auth_user = (data[0] & 0x04) ? "user" : NULL;
    o.auth_pass = "secret";
    o.auth_token = (data[0] & 0x08) ? "token" : NULL;
    o.auth_forced = (data[0] >> 4) & 0x0f;
    o.use_old_auth = (data[0] & 0x10) != 0;
    o.hmac_md5 = fake_hmac;
    smtp_timeouts_default(&o.timeouts);
    tls_required = o.tls != SMTP_TLS_NONE;
    memset(msgs, 0, sizeof(msgs));
    for (unsigned k = 0; k < 2; k++) {
        msgs[k].from = "pi@example.com";
        msgs[k].rcpt = rcpt;
        msgs[k].rcpt_count = 2 - k;
        msgs[k].size = (uint32_t)body_left[k];
        msgs[k].read = fuzz_read;
        msgs[k].read_ctx = &body_left[k];
        msgs[k].needs_8bitmime = k == 1 && (data[0] & 0x20);
    }
    msgs[0].rcpt_replies = replies;

    smtp_session_init(&s, &o, msgs, 2, now);
    smtp_session_connected(&s, now);
    while (i < size && smtp_session_status(&s) != SMTP_STATUS_DONE) {
        size_t n = data[i++];

        if (n > size - i) {
            n = size - i;
        }
        smtp_session_input(&s, data + i, n, now);
        i += n;
        drain(&s, now, tls_required);
        if (smtp_session_status(&s) == SMTP_STATUS_START_TLS) {
            smtp_session_tls_started(&s, now);
        }
        drain(&s, now, tls_required);
        now += CLOCK_STEP_MS;
        smtp_session_poll(&s, now);
    }
    if (smtp_session_status(&s) != SMTP_STATUS_DONE) {
        smtp_session_closed(&s, now);
    }
    if (smtp_session_status(&s) != SMTP_STATUS_DONE) {
        abort();
    }
    check_result(smtp_session_result(&s));
    check_result(&msgs[0].result);
    check_result(&msgs[1].result);
    return 0;
}
