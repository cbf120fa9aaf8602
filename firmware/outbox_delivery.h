/*
 * outbox_delivery.h - delivers the outbox (firmware/outbox.h): the one caller of the SMTP client for alert, boot and
 * heartbeat mail.
 *
 * Events arrive through outbox_delivery_add() (the alert engine's emit callback, the boot and heartbeat mail). On
 * every pass of the main loop outbox_delivery_poll() dates what waits once the clock is set, and when the link,
 * an address and the clock are there, the SMTP client is free (a console `test` may be using it) and a mail is
 * due, it writes the due mails (firmware/alert_mail.h renders their text, mail/mail_compose.h the message) and
 * submits them in one session; when the session ends each mail's outcome goes back to the queue
 * (firmware/outbox_classify.h), one line per mail on the console says what happened (with Debug=YES also how long
 * after its event the server's reply came: the edge-to-250 figure of bench/alert-latency), and the ACT LED shows
 * "mail waiting" while anything is queued, or the configuration pattern after a configuration fault.
 *
 * Every mail queued (alerts), delivered and failed goes into the event log with the server's reply (persist_event).
 *
 * Rules: main loop only. outbox_delivery_init() once the configuration is loaded (it is kept by reference and must
 * stay unchanged); with no usable configuration nothing is queued and the add calls say so on the console.
 */
#ifndef FIRMWARE_OUTBOX_DELIVERY_H
#define FIRMWARE_OUTBOX_DELIVERY_H

#include <stdbool.h>

#include "config/config.h"
#include "firmware/alert_event.h"
#include "firmware/journal.h"
#include "firmware/outbox.h"
#include "firmware/outbox_journal.h"

/* cfg may be NULL (no usable configuration): then nothing is ever sent (and the journal is not read: its mails wait
 * on the card for a configuration). journal may be NULL (a RAM outbox, persist_journal()'s NULL); else the queue
 * sits on it (firmware/outbox_journal.h) and its undelivered mails are put back now: call before the network. */
void outbox_delivery_init(const struct config *cfg, struct journal *journal);

/* Queues the mail for ev with a new Message-ID. The signature fits the alert engine's emit callback. */
void outbox_delivery_add(void *ctx, const struct alert_event *ev);

/* The main loop's outbox work; returns at once when there is none. */
void outbox_delivery_poll(void);

/* When outbox_delivery_poll() next has work (board_uptime_us()): the earliest waiting mail's next try once the
 * network, the clock and the transport are free for it, at once for a session to take in; UINT64_MAX otherwise
 * (what frees a gate is network or transport work, with deadlines of its own). */
uint64_t outbox_delivery_next_deadline_us(void);

/* `outbox retry`: every waiting mail is due now. */
void outbox_delivery_retry(void);

/* The queue, for the console and the heartbeat mail. */
const struct outbox *outbox_delivery_queue(void);

/* The journal store's counters, NULL with a RAM outbox. */
const struct outbox_journal_stats *outbox_delivery_store_stats(void);

#endif /* FIRMWARE_OUTBOX_DELIVERY_H */
