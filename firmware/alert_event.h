/*
 * alert_event - what the alert engine hands to the outbox: one mail to send, not yet written.
 *
 * Data flows one way: board inputs -> alert engine (firmware/alert_engine) -> outbox -> SMTP client. An event
 * carries no text and no wall-clock time: the outbox dates it (board uptime + the clock's offset, once the clock
 * is known) and renders it with firmware/alert_mail when it is about to send it, so a mail written before NTP
 * answered still gets a Date and the right {time}.
 *
 * Rules: the emitter owns the struct; the callback copies what it keeps and returns at once (main-loop context,
 * no waiting). Times are board_uptime_us() values.
 */
#ifndef FIRMWARE_ALERT_EVENT_H
#define FIRMWARE_ALERT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

enum alert_event_kind { ALERT_EVENT_ALERT, ALERT_EVENT_BOOT, ALERT_EVENT_HEARTBEAT };

struct alert_event {
    enum alert_event_kind kind;
    unsigned alert;    /* index into cfg->alerts (ALERT_EVENT_ALERT) */
    bool recovered;    /* {state}: false "triggered", true "recovered" (of the last event covered) */
    uint32_t events;   /* events this mail covers: 1, or more for a summary of events over a limit */
    uint64_t first_us; /* board uptime of the first and of the last event covered */
    uint64_t last_us;
};

/* Where the alert engine and firmware/alerts deliver events (main wires it to outbox_add()). */
typedef void (*alert_event_fn)(void *ctx, const struct alert_event *ev);

#endif /* FIRMWARE_ALERT_EVENT_H */
