/*
 * libFuzzer target for config/pem: the firmware runs pem_check on whatever file the SD card holds under a name the
 * configuration gives. The input is checked against each expected label; ASan/UBSan findings, a summary written on
 * failure, or an OK without a block are bugs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const labels[] = { "", "CERTIFICATE", "PRIVATE KEY" };

    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        struct pem_summary summary = { 0, false };
        int err = pem_check((const char *)data, size, labels[i], &summary);

        if (err == PEM_OK ? summary.blocks == 0 : summary.blocks != 0) {
            abort();
        }
        if (pem_strerror(err) == NULL) {
            abort();
        }
    }
    return 0;
}
