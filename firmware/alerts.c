/*
 * alerts - board inputs into the alert engine (see alerts.h).
 */
#include "firmware/alerts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "board/board.h"

static struct {
    const struct config *cfg;
    alert_event_fn emit;
    void *ctx;
    uint64_t start_us;
    struct alert_engine engine;
    const char *problem[CONFIG_ALERTS_MAX]; /* NULL: watched */
    bool has_next[CONFIG_ALERTS_MAX];       /* next[i] holds pin i's oldest change not yet fed */
    struct board_input_change next[CONFIG_ALERTS_MAX];
    uint32_t merged_fed[CONFIG_ALERTS_MAX]; /* of board_input_merged(): the changes fed as pulses */
} st;

static enum board_pull board_pull_of(enum config_pull pull)
{
    switch (pull) {
    case CONFIG_PULL_UP: return BOARD_PULL_UP;
    case CONFIG_PULL_DOWN: return BOARD_PULL_DOWN;
    case CONFIG_PULL_NONE: break;
    }
    return BOARD_PULL_NONE;
}

static void refuse(unsigned i, const char *why)
{
    const struct config_alert *a = &st.cfg->alerts[i];

    st.problem[i] = why;
    printf("%s:%u: Alert: error: %s: GPIO %u cannot be watched: %s; this alert is off\n", st.cfg->conf_file, a->line,
           a->name, a->gpio, why);
}

int alerts_init(const struct config *cfg, alert_event_fn emit, void *ctx)
{
    int levels[CONFIG_ALERTS_MAX];
    int rc = ALERTS_OK;
    unsigned i;

    if (cfg == NULL || emit == NULL || cfg->alert_count > CONFIG_ALERTS_MAX) {
        return ALERTS_ERR_ARG;
    }
    memset(&st, 0, sizeof(st));
    st.cfg = cfg;
    st.emit = emit;
    st.ctx = ctx;
    for (i = 0; i < cfg->alert_count; i++) {
        const struct config_alert *a = &cfg->alerts[i];
        const char *why = board_input_check(a->gpio);

        if (why == NULL && board_input_watch(a->gpio, board_pull_of(a->pull)) < 0) {
            why = "the board could not make it an input";
        }
        if (why != NULL) {
            refuse(i, why);
        }
    }
    /* Every pin records its changes from here on. A change before this moment is in the level read below, and
	 * alerts_poll skips it; one after it is fed, and the engine ignores it when the level read already had it. */
    st.start_us = board_uptime_us();
    for (i = 0; i < cfg->alert_count; i++) {
        levels[i] = st.problem[i] == NULL ? board_input_level(cfg->alerts[i].gpio) : -1;
        if (st.problem[i] == NULL && levels[i] < 0) {
            refuse(i, "the board cannot read its level");
        }
        if (levels[i] < 0) {
            rc = ALERTS_ERR_PINS;
        }
    }
    if (alert_engine_init(&st.engine, cfg, levels, st.start_us) != ALERT_ENGINE_OK) {
        st.cfg = NULL;
        return ALERTS_ERR_ARG;
    }
    return rc;
}

/* Make next[i] pin i's oldest change since alerts_init, if the board has one. */
static void refill(unsigned i)
{
    unsigned gpio = st.cfg->alerts[i].gpio;

    while (!st.has_next[i] && board_input_next_change(gpio, &st.next[i])) {
        st.has_next[i] = st.next[i].at_us >= st.start_us;
    }
}

/* Feeds next[i] to the engine. Changes the board merged away because its record was full (board.h) were pulses to
 * the other level and back before some change still queued: each pair goes in as a pulse of no length at this
 * change's time, before it, so that every edge counts as an event (edge=both, debounce=0: "events are never
 * dropped") while no debounce can pass during it. */
static void feed(unsigned i)
{
    const struct board_input_change *c = &st.next[i];
    uint32_t merged = board_input_merged(st.cfg->alerts[i].gpio);

    for (; merged - st.merged_fed[i] >= 2; st.merged_fed[i] += 2) {
        alert_engine_change(&st.engine, i, c->at_us, c->level);
        alert_engine_change(&st.engine, i, c->at_us, !c->level);
    }
    alert_engine_change(&st.engine, i, c->at_us, c->level);
    st.has_next[i] = false;
}

void alerts_poll(void)
{
    uint64_t now;
    unsigned i;

    if (st.cfg == NULL) {
        return;
    }
    /* Read the clock first: a change recorded after this reading is left for the next pass, so that none is fed
	 * with a time the engine has already passed. */
    now = board_uptime_us();
    for (;;) {
        unsigned oldest = CONFIG_ALERTS_MAX;

        for (i = 0; i < st.cfg->alert_count; i++) {
            if (st.problem[i] != NULL) {
                continue;
            }
            refill(i);
            if (st.has_next[i] && st.next[i].at_us <= now &&
                (oldest == CONFIG_ALERTS_MAX || st.next[i].at_us < st.next[oldest].at_us)) {
                oldest = i;
            }
        }
        if (oldest == CONFIG_ALERTS_MAX) {
            break;
        }
        feed(oldest);
    }
    alert_engine_poll(&st.engine, now, st.emit, st.ctx);
}

uint64_t alerts_next_deadline_us(void)
{
    unsigned i;

    if (st.cfg == NULL) {
        return UINT64_MAX;
    }
    /* A change taken from the board after the poll read its clock waits in next[]: its interrupt is spent. */
    for (i = 0; i < st.cfg->alert_count; i++) {
        if (st.has_next[i]) {
            return 0;
        }
    }
    return alert_engine_next_due(&st.engine);
}

const struct config *alerts_config(void)
{
    return st.cfg;
}

unsigned alerts_facts(struct alert_mail_input *inputs, unsigned max)
{
    unsigned i, n;

    if (st.cfg == NULL || inputs == NULL) {
        return 0;
    }
    n = st.cfg->alert_count < max ? st.cfg->alert_count : max;
    for (i = 0; i < n; i++) {
        inputs[i].problem = st.problem[i];
        inputs[i].header_pin = board_input_header_pin(st.cfg->alerts[i].gpio);
        inputs[i].stats = *alert_engine_stats(&st.engine, i);
    }
    return n;
}

const char *alerts_strerror(int err)
{
    switch (err) {
    case ALERTS_OK: return "ok";
    case ALERTS_ERR_ARG: return "no configuration";
    case ALERTS_ERR_PINS: return "some alert pins cannot be watched";
    default: return "unknown alerts error";
    }
}
