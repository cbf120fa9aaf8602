/*
 * The event log on the journal's ring; see event_log.h.
 */
#include "firmware/event_log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drivers/byteorder.h"
#include "firmware/persist_layout.h"
#include "lib/units.h"

/* The record's payload: arg, UTC seconds, then the detail text without its NUL. */
#define EV_ARG    0u
#define EV_UTC_LO 4u
#define EV_UTC_HI 8u
#define EV_DETAIL 12u

_Static_assert(EV_DETAIL + EVENT_LOG_DETAIL_MAX <= JOURNAL_PAYLOAD_MAX, "an event fits one record");

int event_log_open(struct event_log *log, const struct blockdev *dev, uint32_t first, uint32_t count)
{
    if (log == NULL) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    return journal_open(&log->ring, dev, first, count, PERSIST_LOG_MAGIC, JOURNAL_OVERWRITE_OLDEST);
}

int event_log_add(struct event_log *log, const struct event_log_entry *e)
{
    if (log == NULL || e == NULL) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    uint8_t payload[EV_DETAIL + EVENT_LOG_DETAIL_MAX];
    size_t text = 0;
    while (text < EVENT_LOG_DETAIL_MAX - 1 && e->detail[text] != '\0') {
        text++;
    }
    byteorder_put_le32(payload + EV_ARG, e->arg);
    byteorder_put_le32(payload + EV_UTC_LO, (uint32_t)e->utc_s);
    byteorder_put_le32(payload + EV_UTC_HI, (uint32_t)(e->utc_s >> 32));
    memcpy(payload + EV_DETAIL, e->detail, text);
    return journal_append(&log->ring, (uint16_t)e->type, e->uptime_us, payload, EV_DETAIL + text, NULL);
}

struct read_ctx {
    void (*fn)(void *ctx, const struct event_log_entry *e);
    void *ctx;
};

static void read_one(void *ctx, const struct journal_record *rec)
{
    const struct read_ctx *r = ctx;
    static struct event_log_entry e; /* off the main loop's stack, like the journal's own record */
    memset(&e, 0, sizeof e);
    e.seq = rec->seq;
    e.type = (enum event_log_type)rec->kind;
    e.uptime_us = rec->time;
    if (rec->len >= EV_DETAIL) {
        e.arg = byteorder_get_le32(rec->payload + EV_ARG);
        e.utc_s = byteorder_get_le32(rec->payload + EV_UTC_LO) |
                  ((uint64_t)byteorder_get_le32(rec->payload + EV_UTC_HI) << 32);
        size_t text = rec->len - EV_DETAIL;
        if (text > EVENT_LOG_DETAIL_MAX - 1) {
            text = EVENT_LOG_DETAIL_MAX - 1;
        }
        memcpy(e.detail, rec->payload + EV_DETAIL, text);
    }
    r->fn(r->ctx, &e);
}

int event_log_read(struct event_log *log, void (*fn)(void *ctx, const struct event_log_entry *e), void *ctx)
{
    if (log == NULL || fn == NULL) {
        return JOURNAL_ERR_INVALID_ARG;
    }
    struct read_ctx r = { fn, ctx };
    return journal_replay(&log->ring, read_one, &r);
}

uint32_t event_log_count(const struct event_log *log)
{
    return log != NULL ? journal_count(&log->ring) : 0;
}

uint32_t event_log_capacity(const struct event_log *log)
{
    return log != NULL ? journal_capacity(&log->ring) : 0;
}

const char *event_log_type_name(enum event_log_type type)
{
    switch (type) {
    case EVENT_LOG_BOOT: return "boot";
    case EVENT_LOG_ALERT: return "alert";
    case EVENT_LOG_DELIVERED: return "delivered";
    case EVENT_LOG_FAILED: return "failed";
    case EVENT_LOG_NOTE: return "note";
    default: return "unknown";
    }
}

void event_log_format(const struct event_log_entry *e, char *buf, size_t size)
{
    char when[32] = "clock not set          ";
    if (e->utc_s != 0) {
        time_t t = (time_t)e->utc_s;
        struct tm tm;
        if (gmtime_r(&t, &tm) != NULL) {
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
        }
    }
    snprintf(buf, size, "#%-5llu %s  up %7llu.%03u s  %-9s %s", (unsigned long long)e->seq, when,
             (unsigned long long)(e->uptime_us / US_PER_S), (unsigned)(e->uptime_us / US_PER_MS % MS_PER_S),
             event_log_type_name(e->type), e->detail);
}
