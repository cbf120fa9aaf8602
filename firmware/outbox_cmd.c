/*
 * The console's `outbox`; see outbox_cmd.h.
 */
#include "firmware/outbox_cmd.h"

#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "config/config.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "firmware/outbox_delivery.h"
#include "firmware/persist.h"
#include "lib/units.h"
#include "net/clock.h"
#include "net/net.h"

static const char *entry_name(const struct config *cfg, const struct alert_event *ev)
{
    switch (ev->kind) {
    case ALERT_EVENT_ALERT: return cfg->alerts[ev->alert].name;
    case ALERT_EVENT_BOOT: return "(boot mail)";
    case ALERT_EVENT_HEARTBEAT:
    default: return "(heartbeat)";
    }
}

/* When the entry goes next, as a person reads it. */
static void next_try(const struct outbox_entry *e, uint64_t now, char *buf, size_t size)
{
    if (e->sending) {
        snprintf(buf, size, "sending");
    } else if (e->date < 0 || !net_clock_is_set()) {
        snprintf(buf, size, "waiting for the clock");
    } else if (!net_is_up()) {
        snprintf(buf, size, "waiting for the network");
    } else if (e->next_try_us <= now) {
        snprintf(buf, size, "now");
    } else {
        snprintf(buf, size, "in %llu s", (unsigned long long)((e->next_try_us - now + US_PER_S - 1) / US_PER_S));
    }
}

static void print_queue(const struct config *cfg, const struct outbox *ob)
{
    const struct outbox_stats *st = outbox_stats(ob);
    uint64_t now = board_uptime_us();
    char where[128];
    persist_describe(where, sizeof where);
    printf("outbox: %u of %u queued; %lu delivered, %lu undeliverable, %lu events merged into summaries\n",
           outbox_count(ob), OUTBOX_CAPACITY, (unsigned long)st->delivered, (unsigned long)st->undeliverable,
           (unsigned long)st->merged);
    printf("outbox: kept in %s\n", where);
    const struct outbox_journal_stats *js = outbox_delivery_store_stats();
    if (js != NULL) {
        printf("outbox: since boot %lu records written, %lu failed attempts kept in RAM only, %lu journal errors\n",
               (unsigned long)js->saved, (unsigned long)js->skipped, (unsigned long)js->errors);
    }
    if (st->lost > 0) {
        printf("outbox: %lu events found no room\n", (unsigned long)st->lost);
    }
    if (outbox_config_fault(ob)) {
        printf("outbox: the last attempt failed because of the configuration: fix smtp.conf and restart, or fix the "
               "server and `outbox retry`\n");
    }
    for (unsigned i = 0; i < outbox_count(ob); i++) {
        const struct outbox_entry *e = outbox_entry_at(ob, i);
        char when[40];
        next_try(e, now, when, sizeof when);
        const char *state = e->ev.kind != ALERT_EVENT_ALERT ? "" : e->ev.recovered ? " recovered" : " triggered";
        printf("  mail %lu: %s%s, %lu event%s, age %llu s, %u attempt%s, next: %s\n", (unsigned long)e->id,
               entry_name(cfg, &e->ev), state, (unsigned long)e->ev.events, e->ev.events == 1 ? "" : "s",
               (unsigned long long)((now - e->added_us) / US_PER_S), e->attempts, e->attempts == 1 ? "" : "s", when);
        if (e->last_reply[0] != '\0') {
            printf("    last reply: %s\n", e->last_reply);
        }
    }
    unsigned failed;
    uint32_t more;
    const struct outbox_failure *f = outbox_failures(ob, &failed, &more);
    if (failed > 0) {
        printf("undeliverable (named in the next heartbeat or boot mail):\n");
    }
    for (unsigned i = 0; i < failed; i++) {
        printf("  mail %lu: %s: %s\n", (unsigned long)f[i].id, entry_name(cfg, &f[i].ev), f[i].reply);
    }
    if (more > 0) {
        printf("  and %lu more\n", (unsigned long)more);
    }
}

static int cmd_outbox(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "retry") != 0)) {
        printf("usage: outbox [retry]\n");
        return CONSOLE_ERR_USAGE;
    }
    const struct config *cfg = config_load_current();
    if (cfg == NULL) {
        printf("outbox: no usable configuration, so no mail is queued (see `config errors`)\n");
        return CONSOLE_ERR_FAILED;
    }
    if (argc == 2) {
        outbox_delivery_retry();
        printf("outbox: every waiting mail is due now\n");
        return 0;
    }
    print_queue(cfg, outbox_delivery_queue());
    return 0;
}

/* clang-format off */
static const struct console_cmd outbox_cmds[] = {
    { "outbox", "[retry]", "mail waiting to be delivered and mail that could not be; retry: try now", cmd_outbox },
};
/* clang-format on */

int outbox_cmd_register(void)
{
    return console_register(outbox_cmds, ARRAY_SIZE(outbox_cmds));
}
