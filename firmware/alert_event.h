/*
 * alert_event.h - one mail the alert side asks for: what the alert engine, the boot mail and the heartbeat hand to
 * the outbox (firmware/outbox.h), which turns it into a message when it is sent.
 *
 * It holds what rebuilds the message, not the message: the text is rendered at delivery time from the
 * configuration (templates) and these facts, so that a mail queued before the clock was set still gets a Date and
 * a {time} once it is known. Plain data, copied by value.
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

#endif /* FIRMWARE_ALERT_EVENT_H */
