#include "board/common/resetinfo.h"

#include <stdint.h>
#include <string.h>

#include "drivers/dma.h"

#define RESETINFO_MAGIC 0x6D52534Eu /* "NSRm" */

struct resetinfo_record {
    uint32_t magic;
    uint32_t cause;
    char detail[RESETINFO_DETAIL_MAX];
    uint32_t checksum;
};

static struct resetinfo_record record __attribute__((section(".noinit"), aligned(DMA_CACHE_LINE)));

/* FNV-1a over everything but the checksum: cheap, and any power-on pattern matches with negligible odds. */
static uint32_t record_checksum(const struct resetinfo_record *r)
{
    const uint8_t *p = (const uint8_t *)r;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < offsetof(struct resetinfo_record, checksum); i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

bool resetinfo_take(enum board_reset_cause *cause, char detail[RESETINFO_DETAIL_MAX])
{
    bool valid = record.magic == RESETINFO_MAGIC && record.checksum == record_checksum(&record) &&
                 record.cause <= BOARD_RESET_REQUESTED;
    if (valid) {
        *cause = (enum board_reset_cause)record.cause;
        memcpy(detail, record.detail, RESETINFO_DETAIL_MAX);
        detail[RESETINFO_DETAIL_MAX - 1] = '\0';
    }
    memset(&record, 0, sizeof record);
    /* A reset discards the data cache: what is not in RAM by then is lost, or left stale. */
    dma_cache_clean(&record, sizeof record);
    return valid;
}

void resetinfo_store(enum board_reset_cause cause, const char *detail)
{
    memset(&record, 0, sizeof record);
    record.magic = RESETINFO_MAGIC;
    record.cause = (uint32_t)cause;
    strncpy(record.detail, detail ? detail : "", RESETINFO_DETAIL_MAX - 1);
    record.checksum = record_checksum(&record);
    dma_cache_clean(&record, sizeof record);
}
