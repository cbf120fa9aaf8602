/*
 * The next-deadline functions main_loop_next_deadline() asks, for tests that run the real main loop pass with the
 * modules faked and nothing timed in them: none of them has a deadline, so only the test's own (a command's wait,
 * the fake board's idle step) moves time.
 */
#include <stdint.h>

#include "firmware/alerts.h"
#include "firmware/outbox_delivery.h"
#include "net/net.h"
#include "net/smtp_client.h"

uint64_t net_next_deadline_us(void)
{
    return UINT64_MAX;
}

uint64_t smtp_client_next_deadline_us(void)
{
    return UINT64_MAX;
}

uint64_t alerts_next_deadline_us(void)
{
    return UINT64_MAX;
}

uint64_t outbox_delivery_next_deadline_us(void)
{
    return UINT64_MAX;
}
