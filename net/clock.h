/*
 * clock.h - UTC wall-clock time for the network stack: set by SNTP, read for certificate validity checks and
 * mail headers.
 *
 * The board only knows time since boot (board_uptime_us()); this module keeps the offset from that to UTC. Until
 * the first net_clock_set_utc() there is no date at all, and the readers below say so rather than guess.
 *
 * Rules: main loop only (lwIP calls the setter from its timer/receive processing, which runs there too).
 */
#ifndef NET_CLOCK_H
#define NET_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Sets the clock: now is sec seconds plus usec microseconds after 1970-01-01 00:00:00 UTC. Called by lwIP's SNTP
 * client (SNTP_SET_SYSTEM_TIME_US in net/lwipopts.h) on each accepted reply. usec above 999999 is clamped. */
void net_clock_set_utc(uint32_t sec, uint32_t usec);

/* True once net_clock_set_utc() has been called since boot. */
bool net_clock_is_set(void);

/* The current UTC time in seconds and microseconds since 1970. Before the clock is set this is the time since boot
 * counted from 1970: it still moves forward (SNTP uses it to stamp requests), but it is no date; check
 * net_clock_is_set() before treating it as one. */
void net_clock_get_utc(uint32_t *sec, uint32_t *usec);

/* time(3)-style reader, mbedTLS's time source (MBEDTLS_PLATFORM_TIME_MACRO in net/mbedtls_config.h): seconds
 * since 1970, also stored in *t when t is not NULL. Returns (time_t)-1 while the clock is unset, so certificate
 * date checks fail. */
time_t net_clock_time(time_t *t);

#endif /* NET_CLOCK_H */
