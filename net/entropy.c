/*
 * entropy.c - hardware RNG for lwIP and mbedTLS; see entropy.h.
 */
#include "net/entropy.h"

#include <stdio.h>

#include "board/board.h"
#include "drivers/rng.h"
#include "mbedtls/entropy.h"

uint32_t net_entropy_rand32(void)
{
    uint32_t value;
    int err = rng_read(&value, sizeof value);
    if (err != 0) {
        printf("net: hardware RNG failed (%s); lwIP cannot run without it\n", rng_strerror(err));
        board_reboot(BOARD_RESET_CRASH, "hardware RNG failed");
    }
    return value;
}

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    *olen = 0;
    if (rng_read(output, len) != 0) {
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    }
    *olen = len;
    return 0;
}
