/*
 * `log [N]`: the last N events of the event log (all by default), oldest first, one line each.
 */
#include "firmware/log_cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "firmware/console.h"
#include "firmware/persist.h"
#include "lib/units.h"

struct print_ctx {
    uint32_t skip;
};

static void print_event(void *ctx, const struct event_log_entry *e)
{
    struct print_ctx *p = ctx;
    if (p->skip > 0) {
        p->skip--;
        return;
    }
    char line[EVENT_LOG_DETAIL_MAX + 80];
    event_log_format(e, line, sizeof line);
    printf("%s\n", line);
}

static int log_run(int argc, char **argv)
{
    struct event_log *log = persist_log();
    if (log == NULL) {
        char where[96];
        persist_describe(where, sizeof where);
        printf("no event log: the card's journal partition is not in use; outbox: %s\n", where);
        return CONSOLE_ERR_FAILED;
    }
    uint32_t count = event_log_count(log);
    uint32_t want = count;
    if (argc > 2) {
        printf("usage: log [N]\n");
        return CONSOLE_ERR_USAGE;
    }
    if (argc == 2) {
        char *end;
        unsigned long n = strtoul(argv[1], &end, 10);
        if (*argv[1] == '\0' || *end != '\0' || n == 0) {
            printf("log: '%s' is not a number of events (1 or more)\n", argv[1]);
            return CONSOLE_ERR_USAGE;
        }
        want = n < count ? (uint32_t)n : count;
    }
    printf("event log: %lu of the last %lu events kept on the SD card\n", (unsigned long)count,
           (unsigned long)event_log_capacity(log));
    struct print_ctx p = { count - want };
    int n = event_log_read(log, print_event, &p);
    if (n < 0) {
        printf("log: %s\n", journal_strerror(n));
        return CONSOLE_ERR_FAILED;
    }
    return 0;
}

/* clang-format off */
static const struct console_cmd log_cmds[] = {
    { "log", "[N]", "the last N events kept on the card (boots, alerts, deliveries, failures)", log_run },
};
/* clang-format on */

int log_cmd_register(void)
{
    return console_register(log_cmds, ARRAY_SIZE(log_cmds));
}
