/*
 * boot_start(): the C side of start-up, entered from start.S with the MMU off, on the SVC stack, .bss cleared and
 * interrupts masked. It learns how much RAM there is, turns on the MMU and caches, reads the loader's boot blob,
 * runs constructors and calls main().
 */
#include <stdint.h>
#include <stdlib.h>

#include "board/common/bcm283x.h"
#include "board/common/board_pi.h"
#include "board/common/mmu.h"
#include "board_config.h"
#include "drivers/mbox.h"
#include "drivers/systimer.h"
#include "lib/units.h"

/* Used when the firmware cannot tell: the smallest ARM share of RAM among the supported boards (256 MiB boards
 * with the default 64 MiB for the GPU). */
#define BOOT_FALLBACK_RAM_SIZE (192u * 1024u * 1024u)

/* The ATAG list or a device tree at the start of RAM is never larger than this. */
#define BOOT_BLOB_MAX_LEN (64u * 1024u)

struct board_pi_boot board_pi_boot;

extern char exception_vectors[];
extern void __libc_init_array(void);
int main(void);

void boot_start(uint32_t machine_type, uintptr_t blob) __attribute__((noreturn));

static size_t boot_ram_size(void)
{
    uint32_t base = 0, size = 0;
    int err = mbox_get_arm_memory(&base, &size);
    if (err == 0 && base == 0 && size != 0) {
        return size;
    }
    board_pi_boot.ram_size_err = err ? err : -1;
    return BOOT_FALLBACK_RAM_SIZE;
}

void boot_start(uint32_t machine_type, uintptr_t blob)
{
    board_pi_boot.machine_type = machine_type;
    board_pi_boot.blob = blob;

    systimer_init(BOARD_PERIPH_BASE + BCM283X_SYSTIMER_OFFSET);
    mbox_init(BOARD_PERIPH_BASE + BCM283X_MBOX_OFFSET, BOARD_BUS_ALIAS);
    board_pi_boot.ram_size = boot_ram_size();

    const struct mmu_region devices[] = {
        { BOARD_PERIPH_BASE, BCM283X_PERIPH_SIZE },
        { BOARD_LOCAL_PERIPH_BASE, BOARD_LOCAL_PERIPH_SIZE },
    };
    mmu_init(board_pi_boot.ram_size, devices, ARRAY_SIZE(devices));
    __asm__ volatile("mcr p15, 0, %0, c12, c0, 0" ::"r"(exception_vectors)); /* VBAR */

    /* The blob must lie in RAM; the bound keeps every read of a corrupt one inside it. */
    if (blob != 0 && blob < board_pi_boot.ram_size) {
        size_t max_len = board_pi_boot.ram_size - blob;
        if (max_len > BOOT_BLOB_MAX_LEN && blob < BOOT_BLOB_MAX_LEN) {
            max_len = BOOT_BLOB_MAX_LEN - blob;
        }
        board_pi_boot.bootinfo_err = bootinfo_parse((const void *)blob, max_len, &board_pi_boot.info);
    } else {
        board_pi_boot.bootinfo_err = bootinfo_parse(NULL, 0, &board_pi_boot.info);
    }
    mmu_protect_null_page();

    __libc_init_array();
    exit(main());
}
