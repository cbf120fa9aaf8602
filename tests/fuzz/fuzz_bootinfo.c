/*
 * fuzz_bootinfo.c - libFuzzer target for bootinfo_parse(): any bytes, read as what a loader left in r2.
 *
 * The input sits in its own heap block of exactly size bytes and max_len is that size, so AddressSanitizer flags
 * any read past the bound the board would pass. Beyond not crashing, the parser's contract is checked: a failure
 * leaves the defaults, a success leaves a terminated command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board/common/bootinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libFuzzer's own buffer is already exact-sized, but copying gives the blob malloc's 8-byte alignment that a
     * device tree needs, so the tree paths are reached rather than refused as misaligned. */
    uint8_t *blob = malloc(size ? size : 1);
    if (blob == NULL) {
        return 0;
    }
    memcpy(blob, data, size);

    struct bootinfo bi;
    int rc = bootinfo_parse(blob, size, &bi);
    if (rc < 0) {
        if (bi.source != BOOTINFO_SOURCE_NONE || bi.has_mem || bi.has_cmdline || bi.has_initrd || bi.problem == NULL) {
            abort();
        }
    } else if (bi.source == BOOTINFO_SOURCE_NONE || memchr(bi.cmdline, '\0', sizeof bi.cmdline) == NULL) {
        abort();
    }
    (void)bootinfo_strerror(rc);
    (void)bootinfo_source_name(bi.source);
    free(blob);
    return 0;
}
