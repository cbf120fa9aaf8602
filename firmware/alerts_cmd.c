/*
 * The `alerts` console command (see alerts_cmd.h). Reads everything through alerts_facts(), the same facts the
 * boot and heartbeat mails show, plus the level the board reads at this moment.
 */
#include "firmware/alerts_cmd.h"

#include <stdio.h>

#include "board/board.h"
#include "firmware/alerts.h"
#include "firmware/console.h"
#include "lib/units.h"

static void print_alert(const struct config_alert *a, const struct alert_mail_input *in, uint64_t now)
{
    const struct alert_engine_stats *s = &in->stats;
    char last[40] = "never";
    int level;

    printf("%-12s %4u ", a->name, a->gpio);
    if (in->header_pin != 0) {
        printf("%4u  ", in->header_pin);
    } else {
        printf("%4s  ", "-");
    }
    if (in->problem != NULL) {
        printf("not watched: %s\n", in->problem);
        return;
    }
    level = board_input_level(a->gpio);
    if (s->changed && now >= s->last_change_us) {
        int n = alert_mail_duration(now - s->last_change_us, last, sizeof(last) - 4);
        if (n > 0) {
            snprintf(last + n, sizeof(last) - (size_t)n, " ago");
        }
    }
    printf("%-4s  %-7s  %-5s  %-9s  %-18s  %6lu  %5lu  %6lu  %7lu\n", config_pull_name(a->pull),
           config_edge_name(a->edge),
           level < 0 ? "?"
           : level   ? "high"
                     : "low",
           s->alarm ? "TRIGGERED" : "normal", last, (unsigned long)s->events, (unsigned long)s->mails,
           (unsigned long)s->folded, (unsigned long)s->waiting);
}

static int alerts_run(int argc, char **argv)
{
    struct alert_mail_input inputs[CONFIG_ALERTS_MAX];
    const struct config *cfg = alerts_config();
    unsigned i, n;
    uint64_t now = board_uptime_us();

    (void)argv;
    if (argc != 1) {
        printf("usage: alerts\n");
        return CONSOLE_ERR_USAGE;
    }
    if (cfg == NULL) {
        printf("alerts are not running: no usable configuration (see `config errors`)\n");
        return 0;
    }
    if (cfg->alert_count == 0) {
        printf("no Alert lines in %s: no input is watched\n", cfg->conf_file);
        return 0;
    }
    n = alerts_facts(inputs, CONFIG_ALERTS_MAX);
    printf("%-12s %4s %4s  %-4s  %-7s  %-5s  %-9s  %-18s  %6s  %5s  %6s  %7s\n", "alert", "GPIO", "pin", "pull", "edge",
           "level", "state", "last change", "events", "mails", "folded", "waiting");
    for (i = 0; i < n; i++) {
        print_alert(&cfg->alerts[i], &inputs[i], now);
    }
    return 0;
}

/* clang-format off */
static const struct console_cmd alerts_cmds[] = {
	{ "alerts", "", "watched inputs: pins, pull, edge, level, state, last change, events, mails, summaries",
	  alerts_run },
};
/* clang-format on */

int alerts_cmd_register(void)
{
    return console_register(alerts_cmds, ARRAY_SIZE(alerts_cmds));
}
