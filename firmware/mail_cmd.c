/*
 * The console's mail commands; see mail_cmd.h.
 *
 * A command waits for its submission through the main loop's pass (firmware/cmd_wait.h), so the console shows each
 * step as it happens and the prompt comes back only when the server has answered, the session timed out, or the user
 * pressed Ctrl-C; meanwhile the rest of the device runs as usual.
 */
#include "firmware/mail_cmd.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/board.h"
#include "config/config.h"
#include "firmware/cmd_wait.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "firmware/main_loop.h"
#include "firmware/net_settings.h"
#include "firmware/version.h"
#include "lib/units.h"
#include "lib/wake.h"
#include "lwip/ip4_addr.h"
#include "mail/mail_compose.h"
#include "mail/mail_header.h"
#include "mail/mail_input.h"
#include "mail/mail_mime.h"
#include "mail/mail_submit.h"
#include "net/clock.h"
#include "net/net.h"
#include "net/random.h"
#include "net/smtp_client.h"

/* The test message: a few header lines of ours, the AddHeader lines and a short body. */
#define TEST_MESSAGE_MAX 4096u
#define TEST_BODY_MAX    1024u
#define TEST_SUBJECT_MAX 160u
/* What mail_submit_prepare adds before the user's header: Received, From, Date, Message-ID and the AddHeader
 * lines (CONFIG_HEADERS_MAX of up to CONFIG_HEADER_MAX octets). */
#define SENDMAIL_ADDED_MAX (1024u + CONFIG_HEADERS_MAX * (CONFIG_HEADER_MAX + 2u))
#define DATE_TEXT_MAX      48u
/* The console's account, as ssmtp run by root: From and revaliases follow it. */
#define CONSOLE_ACCOUNT "root"

/* ---- one submission ---------------------------------------------------------------------------------------- */

static void print_progress(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

/* cmd_wait's condition: the main loop's pass drives the transport. */
static bool submission_over(void)
{
    return smtp_client_done();
}

/* One result line: smtp_result_format's text and, for a failure, whether trying again later may help. */
static void print_result(const char *prefix, const struct smtp_result *r)
{
    char line[SMTP_REPLY_TEXT_MAX + SMTP_DETAIL_MAX + 64];
    smtp_result_format(r, line, sizeof line);
    if (r->err == SMTP_OK) {
        printf("%s%s\n", prefix, line);
    } else {
        printf("%s%s; %s failure\n", prefix, line, r->temporary ? "temporary" : "permanent");
    }
}

/* The outcome, one line per refused recipient and one for the message. Returns 0 when every recipient has it. */
static int print_outcome(const struct smtp_message *m, const struct smtp_reply *replies)
{
    if (m->result.err == SMTP_OK) {
        for (unsigned i = 0; i < m->rcpt_count; i++) {
            if (replies[i].code >= 400) {
                char reply[SMTP_REPLY_TEXT_MAX + 32];
                smtp_reply_format(&replies[i], reply, sizeof reply);
                printf("RCPT <%s> refused: %s; %s failure\n", m->rcpt[i], reply,
                       replies[i].code < 500 ? "temporary" : "permanent");
            }
        }
    }
    print_result("", &m->result);
    /* The message may be accepted and the session still end badly (a lost QUIT): worth knowing, not a failure. */
    const struct smtp_result *session = smtp_client_result();
    if (m->result.err == SMTP_OK && session->err != SMTP_OK) {
        print_result("after the message: ", session);
    }
    return m->result.err == SMTP_OK && m->rcpt_accepted == m->rcpt_count ? 0 : CONSOLE_ERR_FAILED;
}

/* Submits one prepared message and prints what happens. Returns 0 when every recipient accepted it,
 * SMTP_ERR_8BITMIME when the server refused it for lack of 8BITMIME (nothing was sent), CONSOLE_ERR_FAILED
 * otherwise. */
static int submit(const struct config *cfg, const char *sender, const char *const *rcpt, unsigned rcpt_count,
                  const char *text, size_t len, bool needs_8bitmime, bool needs_smtputf8)
{
    static struct smtp_reply replies[MAIL_RCPT_MAX];
    struct smtp_text reader = { .text = text, .len = len, .pos = 0 };
    struct smtp_message msg = {
        .from = sender,
        .rcpt = rcpt,
        .rcpt_count = rcpt_count,
        .size = (uint32_t)len,
        .needs_8bitmime = needs_8bitmime,
        .needs_smtputf8 = needs_smtputf8,
        .read = smtp_text_read,
        .read_ctx = &reader,
        .rcpt_replies = replies,
    };
    memset(replies, 0, sizeof replies);
    uint64_t deadline = board_uptime_us() + (uint64_t)MAIL_CMD_SESSION_MAX_MS * US_PER_MS;
    /* The outbox may be delivering alerts: one session at a time, and theirs goes first. */
    if (!smtp_client_done()) {
        printf("waiting for the outbox's session to end (Ctrl-C cancels)\n");
        if (!cmd_wait_until(smtp_client_done, deadline)) {
            return CONSOLE_ERR_FAILED;
        }
    }
    struct smtp_client_settings settings;
    net_settings_submission(&settings, cfg, CONSOLE_ACCOUNT);
    int err = smtp_client_start(&settings, &msg, 1, print_progress, NULL);
    if (err != 0) {
        printf("not sent: %s\n", smtp_client_strerror(err));
        return CONSOLE_ERR_FAILED;
    }
    if (!cmd_wait_until(submission_over, deadline) || !smtp_client_done()) {
        smtp_client_cancel();
    }
    int rc = print_outcome(&msg, replies);
    if (cfg->debug) {
        const struct smtp_stats *st = smtp_client_stats();
        printf("session: %u round trips, %lu bytes sent, %lu received, %s, AUTH %s\n", st->round_trips,
               (unsigned long)st->bytes_sent, (unsigned long)st->bytes_received, st->tls_active ? "TLS" : "no TLS",
               smtp_auth_mech_name(st->auth_mech));
    }
    return msg.result.err == SMTP_ERR_8BITMIME ? SMTP_ERR_8BITMIME : rc;
}

/* ---- what the messages say --------------------------------------------------------------------------------- */

static const struct config *usable_config(const char *command)
{
    const struct config *cfg = config_load_current();
    if (cfg == NULL) {
        printf("%s: no usable configuration (%s; see `config errors`)\n", command,
               config_load_strerror(config_load_result()));
    } else if (!net_is_up()) {
        printf("%s: the network is not up (see `net`)\n", command);
        cfg = NULL;
    }
    return cfg;
}

/* Date and Message-ID inputs: the UTC clock, which wait_for_clock() made sure NTP has set, and 64 random bits so
 * that two messages in the same second never share an ID. */
static int64_t message_date(void)
{
    uint32_t sec, usec;
    net_clock_get_utc(&sec, &usec);
    return (int64_t)sec;
}

static bool clock_is_set(void)
{
    return net_clock_is_set();
}

/* The NTP servers the network asks, "a" or "a or b", in text; false when it knows none. */
static bool ntp_servers_text(char *text, size_t size)
{
    struct net_status st;
    net_get_status(&st);
    size_t n = 0;
    text[0] = '\0';
    for (unsigned i = 0; i < NET_NTP_SERVERS; i++) {
        char addr[IP4ADDR_STRLEN_MAX];
        const char *name = st.ntp[i].name;
        if (name == NULL && ip4_addr_isany_val(st.ntp[i].address)) {
            continue;
        }
        if (name == NULL) {
            name = ip4addr_ntoa_r(&st.ntp[i].address, addr, sizeof addr);
        }
        int w = snprintf(text + n, size - n, "%s%s", n > 0 ? " or " : "", name);
        if (w < 0 || (size_t)w >= size - n) {
            break;
        }
        n += (size_t)w;
    }
    return n > 0;
}

/* Every message needs a Date (RFC 5322 3.6), so a mail is composed only once NTP has set the clock: before that,
 * this waits for it through the main loop, at most ConnectTimeout. A pinned certificate (TLS_Fingerprint) spares
 * TLS the clock, not the message its Date, so it waits then too. Returns true when the clock is set, else false
 * after saying what to do. */
static bool wait_for_clock(const char *command, const struct config *cfg)
{
    if (net_clock_is_set()) {
        return true;
    }
    char servers[2 * CONFIG_HOST_MAX + 8];
    if (!ntp_servers_text(servers, sizeof servers)) {
        printf("%s: the clock is not set and there is no NTP server to set it: set NTPServer in smtp.conf "
               "(`net` shows the NTP state); nothing sent\n",
               command);
        return false;
    }
    printf("waiting for the clock (NTP server %s)\n", servers);
    uint64_t deadline = board_uptime_us() + (uint64_t)cfg->connect_timeout_ms * US_PER_MS;
    if (!cmd_wait_until(clock_is_set, deadline)) {
        printf("%s: cancelled, nothing sent\n", command);
        return false;
    }
    if (!net_clock_is_set()) {
        printf("%s: the clock is still not set after %lu ms (ConnectTimeout): no answer from NTP server %s; check "
               "NTPServer in smtp.conf, and `net` for the NTP state; nothing sent\n",
               command, (unsigned long)cfg->connect_timeout_ms, servers);
        return false;
    }
    return true;
}

static int message_unique(uint64_t *unique)
{
    int err = net_random_u64(unique);
    if (err != 0) {
        printf("no random number for the Message-ID (error -0x%04x)\n", (unsigned)-err);
        return CONSOLE_ERR_FAILED;
    }
    return 0;
}

static void format_date(int64_t date, char *buf, size_t size)
{
    time_t t = (time_t)date;
    struct tm *tm = gmtime(&t);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", tm);
}

static int cmd_test(int argc, char **argv)
{
    static char message[TEST_MESSAGE_MAX];
    if (argc > 2) {
        printf("usage: test [rcpt]\n");
        return CONSOLE_ERR_USAGE;
    }
    const struct config *cfg = usable_config("test");
    if (cfg == NULL || !wait_for_clock("test", cfg)) {
        return CONSOLE_ERR_FAILED;
    }
    /* Without Root (an ssmtp.conf with root commented out), where config sends alert and boot mail. */
    const char *given = argc == 2                                          ? argv[1]
                        : cfg->root[0] != '\0' || cfg->alert_to.count == 0 ? cfg->root
                                                                           : cfg->alert_to.addr[0];
    char rcpt[MAIL_ADDR_MAX + 1];
    if (mail_header_recipient(cfg, given, rcpt, sizeof rcpt) < 0) {
        printf("test: '%s' is not a usable address\n", given);
        return CONSOLE_ERR_FAILED;
    }
    uint64_t unique;
    if (message_unique(&unique) != 0) {
        return CONSOLE_ERR_FAILED;
    }
    const struct board_info *info = board_get_info();
    struct net_status st;
    net_get_status(&st);
    char ip[IP4ADDR_STRLEN_MAX], when[DATE_TEXT_MAX], serial[24];
    ip4addr_ntoa_r(&st.address, ip, sizeof ip);
    int64_t date = message_date();
    format_date(date, when, sizeof when);
    if (info->serial != 0) {
        snprintf(serial, sizeof serial, "%016llx", (unsigned long long)info->serial);
    } else {
        snprintf(serial, sizeof serial, "unknown");
    }

    char subject[TEST_SUBJECT_MAX], body[TEST_BODY_MAX], agent[64];
    snprintf(subject, sizeof subject, "baremail test from %s (serial %s)", info->model, serial);
    snprintf(body, sizeof body,
             "This is a test message from baremail.\n\n"
             "Device:   %s, serial %s\n"
             "Firmware: baremail %s (%s, built %s)\n"
             "Address:  %s\n"
             "Time:     %s\n"
             "Server:   %s:%u\n\n"
             "If you read this, alerts from this device will reach you the same way.\n",
             info->model, serial, baremail_version, baremail_board, baremail_build_date, ip, when, cfg->mailhub,
             (unsigned)cfg->port);
    snprintf(agent, sizeof agent, "baremail/%s (%s)", baremail_version, baremail_board);
    const char *to[] = { rcpt };
    struct mail_compose_msg msg = {
        .account = CONSOLE_ACCOUNT,
        .to = to,
        .to_count = 1,
        .subject = subject,
        .body = body,
        .body_len = strlen(body),
        .date = date,
        .unique = unique,
        .user_agent = agent,
        /* Marked like the alerts it stands in for, so that it tests the recipient's filters for them too. */
        .auto_submitted = true,
        .allow_8bit = false,
    };
    struct mail_compose_result res;
    int err = mail_compose(cfg, &msg, message, sizeof message, &res);
    if (err != 0) {
        printf("test: cannot build the message: %s\n", mail_strerror(err));
        return CONSOLE_ERR_FAILED;
    }
    printf("sending a test message to %s (Ctrl-C cancels)\n", rcpt);
    int rc = submit(cfg, res.sender, to, 1, message, res.len, res.needs_8bitmime, res.needs_smtputf8);
    return rc == 0 ? 0 : CONSOLE_ERR_FAILED;
}

/* ---- sendmail's input -------------------------------------------------------------------------------------- */

enum input_end { INPUT_DONE, INPUT_CANCELLED, INPUT_IDLE };

/* Reads the message through the main loop's pass, echoing it as it comes, until its end, Ctrl-C, or
 * MAIL_CMD_INPUT_IDLE_MS without a byte. */
static enum input_end read_message(struct mail_input *in)
{
    uint64_t idle_deadline = board_uptime_us() + (uint64_t)MAIL_CMD_INPUT_IDLE_MS * US_PER_MS;
    for (;;) {
        int c = board_console_getc();
        if (c < 0) {
            if (board_uptime_us() >= idle_deadline) {
                return INPUT_IDLE;
            }
            wake_at(idle_deadline); /* a byte wakes the pass's sleep; the end of the wait must too */
            main_loop_pass();
            continue;
        }
        idle_deadline = board_uptime_us() + (uint64_t)MAIL_CMD_INPUT_IDLE_MS * US_PER_MS;
        char ch = (char)c;
        switch (mail_input_feed(in, ch)) {
        case MAIL_INPUT_CANCELLED: printf("^C\n"); return INPUT_CANCELLED;
        case MAIL_INPUT_END: printf("\n"); return INPUT_DONE;
        case MAIL_INPUT_LINE: printf("\n"); break;
        case MAIL_INPUT_DATA: board_console_write(&ch, 1); break;
        case MAIL_INPUT_NONE: break;
        }
    }
}

/* The message re-encoded as quoted-printable (mail_mime_downgrade) in a new buffer the caller frees, or NULL after
 * saying why not. The buffer is sized for the encoding's worst case, so only memory can refuse a message. */
static char *downgrade(const char *text, size_t len, size_t *out_len)
{
    size_t size = mail_mime_downgrade_max(len);
    char *out = size > 0 ? malloc(size) : NULL;
    if (out == NULL) {
        printf("sendmail: not enough memory to re-encode the message\n");
        return NULL;
    }
    int err = mail_mime_downgrade(text, len, out, size, out_len);
    if (err != 0) {
        printf("sendmail: cannot re-encode the message as quoted-printable: %s\n", mail_strerror(err));
        free(out);
        return NULL;
    }
    return out;
}

/* Sends what mail_submit_prepare made. A line over 998 octets, which servers refuse, is re-encoded first; a body
 * with 8-bit text is sent again re-encoded when the server turns out to lack 8BITMIME. Returns 0 or
 * CONSOLE_ERR_FAILED. */
static int sendmail_submit(const struct config *cfg, const struct mail_submit_result *res, const char *text)
{
    const char *rcpt[MAIL_RCPT_MAX];
    for (unsigned i = 0; i < res->rcpt_count; i++) {
        rcpt[i] = res->rcpt[i];
    }
    size_t len = res->len;
    bool eight_bit = res->needs_8bitmime;
    char *qp = NULL;
    if (res->long_lines) {
        printf("sendmail: a line is longer than %u octets: sending the body as quoted-printable\n", MAIL_LINE_MAX);
        qp = downgrade(text, len, &len);
        if (qp == NULL) {
            return CONSOLE_ERR_FAILED;
        }
        text = qp;
        eight_bit = false;
    }
    printf("sendmail: %lu bytes to %u recipient%s\n", (unsigned long)len, res->rcpt_count,
           res->rcpt_count == 1 ? "" : "s");
    int rc = submit(cfg, res->sender, rcpt, res->rcpt_count, text, len, eight_bit, res->needs_smtputf8);
    if (rc == SMTP_ERR_8BITMIME && qp == NULL) {
        printf("sendmail: sending again with the body as quoted-printable\n");
        qp = downgrade(text, len, &len);
        rc = qp != NULL ? submit(cfg, res->sender, rcpt, res->rcpt_count, qp, len, false, res->needs_smtputf8)
                        : CONSOLE_ERR_FAILED;
    }
    free(qp);
    return rc == 0 ? 0 : CONSOLE_ERR_FAILED;
}

static void print_sendmail_usage(void)
{
    printf("usage: sendmail [-t] [rcpt...]   (the message follows; a line holding only \".\" ends it)\n");
}

static int cmd_sendmail(int argc, char **argv)
{
    bool read_recipients = false;
    int first_arg = 1;
    if (argc > 1 && strcmp(argv[1], "-t") == 0) {
        read_recipients = true;
        first_arg = 2;
    }
    if ((read_recipients && argc > 2) || (!read_recipients && argc < 2)) {
        print_sendmail_usage();
        return CONSOLE_ERR_USAGE;
    }
    for (int i = first_arg; i < argc; i++) {
        if (argv[i][0] == '-') {
            print_sendmail_usage();
            return CONSOLE_ERR_USAGE;
        }
    }
    const struct config *cfg = usable_config("sendmail");
    if (cfg == NULL) {
        return CONSOLE_ERR_FAILED;
    }
    /* Twice the input: room for what mail_submit_prepare adds (bare LFs made CRLF, header text as encoded-words). */
    size_t out_size = 2u * MAIL_CMD_INPUT_MAX + SENDMAIL_ADDED_MAX;
    char *in_buf = malloc(MAIL_CMD_INPUT_MAX);
    char *out = malloc(out_size);
    struct mail_submit_result *res = malloc(sizeof *res);
    struct mail_input in;
    mail_input_init(&in, in_buf, MAIL_CMD_INPUT_MAX);
    int rc = CONSOLE_ERR_FAILED;
    if (in_buf == NULL || out == NULL || res == NULL) {
        printf("sendmail: not enough memory for a message of up to %u bytes\n", MAIL_CMD_INPUT_MAX);
        goto done;
    }
    printf("sendmail: type or paste the message, then a line holding only \".\" (at most %u bytes)\n",
           MAIL_CMD_INPUT_MAX);
    switch (read_message(&in)) {
    case INPUT_CANCELLED: printf("sendmail: cancelled, nothing sent\n"); goto done;
    case INPUT_IDLE:
        printf("sendmail: no input for %u s, nothing sent\n", MAIL_CMD_INPUT_IDLE_MS / MS_PER_S);
        goto done;
    case INPUT_DONE: break;
    }
    if (mail_input_overflowed(&in)) {
        printf("sendmail: the message is larger than %u bytes, nothing sent\n", MAIL_CMD_INPUT_MAX);
        goto done;
    }
    /* After the input, so that the message is dated when it is composed, and a message typed before the clock
     * came needs no wait at all. */
    if (!wait_for_clock("sendmail", cfg)) {
        goto done;
    }
    size_t in_len;
    const char *text = mail_input_text(&in, &in_len);
    uint64_t unique;
    if (message_unique(&unique) != 0) {
        goto done;
    }
    struct mail_submit_opts opts = {
        .account = CONSOLE_ACCOUNT,
        .read_recipients = read_recipients,
        .args = (const char *const *)&argv[first_arg],
        .arg_count = (unsigned)(argc - first_arg),
        .date = message_date(),
        .unique = unique,
    };
    int err = mail_submit_prepare(cfg, &opts, text, in_len, out, out_size, res);
    if (err == MAIL_ERR_HEADER) {
        printf("sendmail: %s, nothing sent\n", res->problem);
        goto done;
    }
    if (err != 0) {
        printf("sendmail: %s, nothing sent\n", mail_strerror(err));
        goto done;
    }
    rc = sendmail_submit(cfg, res, out);
done:
    free(res);
    free(out);
    free(in_buf);
    return rc;
}

/* clang-format off */
static const struct console_cmd mail_cmds[] = {
    { "test", "[rcpt]", "send a test message to rcpt, or to Root (else to AlertTo's first)", cmd_test },
    { "sendmail", "[-t] [rcpt...]", "read a message from the console (end: a line \".\") and send it", cmd_sendmail },
};
/* clang-format on */

int mail_cmd_register(void)
{
    return console_register(mail_cmds, ARRAY_SIZE(mail_cmds));
}
