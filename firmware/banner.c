#include "firmware/banner.h"

#include <stdint.h>
#include <stdio.h>

#include "board/board.h"
#include "firmware/version.h"

#define BYTES_PER_MIB (1024ul * 1024ul)

void banner_print_firmware(void)
{
    printf("baremail %s (built %s, board %s)\n", baremail_version, baremail_build_date, baremail_board);
}

void banner_print_reset_cause(void)
{
    const char *detail = board_reset_detail();

    printf("reset:    %s", board_reset_cause_name(board_reset_cause()));
    if (detail[0] != '\0') {
        printf(" (%s)", detail);
    }
    printf("\n");
}

void banner_print(void)
{
    const struct board_info *info = board_get_info();

    banner_print_firmware();
    printf("model:    %s\n", info->model);
    printf("soc:      %s\n", info->soc);
    if (info->revision != 0) {
        printf("revision: 0x%08lx\n", (unsigned long)info->revision);
    } else {
        printf("revision: unknown\n");
    }
    /* Split in halves: the small printf of newlib-nano has no 64-bit conversions. */
    if (info->serial != 0) {
        printf("serial:   %08lx%08lx\n", (unsigned long)(info->serial >> 32),
               (unsigned long)(info->serial & UINT32_MAX));
    } else {
        printf("serial:   unknown\n");
    }
    printf("memory:   %lu MiB\n", (unsigned long)(info->mem_size / BYTES_PER_MIB));
    printf("boot:     %s", info->boot_source);
    if (info->cmdline[0] != '\0') {
        printf(", command line \"%s\"", info->cmdline);
    }
    printf("\n");
    banner_print_reset_cause();
    printf("emulated: %s\n", info->emulated ? "yes (QEMU)" : "no");
}
