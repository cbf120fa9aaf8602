/*
 * Short-descriptor translation tables (ARMv6 with XP=1 and ARMv7 share the format): 1 MiB sections everywhere,
 * except the first MiBs holding the image, which get 4 KiB pages so code and data can have different rights
 * without padding the image to a MiB boundary.
 */
#include "board/common/mmu.h"

#include <stdbool.h>

#include "board/common/arm_cpu.h"
#include "board/common/cache.h"
#include "drivers/dma.h"

#define MMU_SECTION_SIZE 0x100000u
#define MMU_PAGE_SIZE    0x1000u
#define MMU_L1_ENTRIES   4096u
#define MMU_L2_ENTRIES   256u
/* The image's read-only part must end below this; linker/pi.ld asserts it. */
#define MMU_PAGED_SECTIONS 4u

/* L1 descriptor fields. */
#define L1_TYPE_FAULT       0x0u
#define L1_TYPE_COARSE      0x1u
#define L1_TYPE_SECTION     0x2u
#define L1_SECT_B           (1u << 2)
#define L1_SECT_C           (1u << 3)
#define L1_SECT_XN          (1u << 4)
#define L1_SECT_AP_LSB      10
#define L1_SECT_TEX_LSB     12
#define L1_SECT_APX         (1u << 15)
#define L1_COARSE_BASE_MASK 0xFFFFFC00u

/* L2 small page descriptor fields. */
#define L2_TYPE_FAULT    0x0u
#define L2_SMALL_XN      (1u << 0)
#define L2_TYPE_SMALL    (1u << 1)
#define L2_SMALL_B       (1u << 2)
#define L2_SMALL_C       (1u << 3)
#define L2_SMALL_AP_LSB  4
#define L2_SMALL_TEX_LSB 6
#define L2_SMALL_APX     (1u << 9)

/* AP[1:0] = 01: privileged access only; with APX (AP[2]) set it is read-only. */
#define AP_PRIV 0x1u

/* Memory types (TEX, C, B): normal write-back write-allocate for RAM; Strongly-ordered (TEX 000, C 0, B 0) for
 * peripherals. The ARM ARM (ARMv7-A/R, A3.5.5 "Device and Strongly-ordered memory"; the same encoding on ARMv6
 * with XP set) lets a write to Device memory complete before it reaches the peripheral, from a write buffer, and
 * a write to Strongly-ordered memory complete only when it has. So a write to a BCM283x peripheral (a GPIO pull
 * clock, a watchdog arm, a USB channel enable) has taken effect when the next instruction runs, and a barrier after
 * it (drivers/mmio.h) waits for the peripheral, not for a buffer: what the BCM2835 ARM Peripherals manual's
 * section 1.3 ordering rule needs. */
#define TEX_NORMAL_WBWA      0x1u
#define TEX_STRONGLY_ORDERED 0x0u

/* Domain 0 as "client": the descriptors' access permissions are checked. */
#define DACR_DOMAIN0_CLIENT 0x1u

/* TTBR0 walk attributes: the tables are read through the caches (inner and outer write-back write-allocate). */
#if __ARM_ARCH >= 7
#define TTBR_WALK_ATTRS ((1u << 6) | (1u << 3)) /* IRGN = 01 (IRGN[0] is bit 6 with the MP extensions), RGN = 01 */
#else
#define TTBR_WALK_ATTRS ((1u << 0) | (1u << 3)) /* C = inner cacheable, RGN = 01 */
#endif

extern char __image_start[], __ro_end[];

static uint32_t l1_table[MMU_L1_ENTRIES] __attribute__((aligned(16384)));
static uint32_t l2_tables[MMU_PAGED_SECTIONS][MMU_L2_ENTRIES] __attribute__((aligned(1024)));

enum mmu_kind { MMU_FAULT, MMU_CODE, MMU_DATA, MMU_DEVICE };

static uint32_t section_descriptor(uintptr_t base, enum mmu_kind kind)
{
    switch (kind) {
    case MMU_CODE:
        return base | L1_TYPE_SECTION | (TEX_NORMAL_WBWA << L1_SECT_TEX_LSB) | L1_SECT_C | L1_SECT_B | L1_SECT_APX |
               (AP_PRIV << L1_SECT_AP_LSB);
    case MMU_DATA:
        return base | L1_TYPE_SECTION | (TEX_NORMAL_WBWA << L1_SECT_TEX_LSB) | L1_SECT_C | L1_SECT_B | L1_SECT_XN |
               (AP_PRIV << L1_SECT_AP_LSB);
    case MMU_DEVICE:
        return base | L1_TYPE_SECTION | (TEX_STRONGLY_ORDERED << L1_SECT_TEX_LSB) | L1_SECT_XN |
               (AP_PRIV << L1_SECT_AP_LSB);
    case MMU_FAULT:
    default: return L1_TYPE_FAULT;
    }
}

static uint32_t page_descriptor(uintptr_t base, enum mmu_kind kind)
{
    switch (kind) {
    case MMU_CODE:
        return base | L2_TYPE_SMALL | (TEX_NORMAL_WBWA << L2_SMALL_TEX_LSB) | L2_SMALL_C | L2_SMALL_B | L2_SMALL_APX |
               (AP_PRIV << L2_SMALL_AP_LSB);
    case MMU_DATA:
        return base | L2_TYPE_SMALL | (TEX_NORMAL_WBWA << L2_SMALL_TEX_LSB) | L2_SMALL_C | L2_SMALL_B | L2_SMALL_XN |
               (AP_PRIV << L2_SMALL_AP_LSB);
    case MMU_FAULT:
    case MMU_DEVICE:
    default: return L2_TYPE_FAULT;
    }
}

static bool in_region(uintptr_t addr, uintptr_t base, size_t size)
{
    return addr >= base && addr - base < size;
}

static uint32_t read_sctlr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
    return v;
}

static void write_sctlr(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0" ::"r"(v) : "memory");
    cache_isb();
}

void mmu_init(size_t ram_size, const struct mmu_region *devices, size_t device_count)
{
    const uintptr_t ro_start = (uintptr_t)__image_start;
    const uintptr_t ro_end = (uintptr_t)__ro_end;

    for (uint32_t i = 0; i < MMU_L1_ENTRIES; i++) {
        uintptr_t base = (uintptr_t)i * MMU_SECTION_SIZE;
        enum mmu_kind kind = in_region(base, 0, ram_size) ? MMU_DATA : MMU_FAULT;
        for (size_t d = 0; d < device_count; d++) {
            if (in_region(base, devices[d].base, devices[d].size)) {
                kind = MMU_DEVICE;
            }
        }
        l1_table[i] = section_descriptor(base, kind);
    }

    for (uint32_t s = 0; s < MMU_PAGED_SECTIONS; s++) {
        for (uint32_t p = 0; p < MMU_L2_ENTRIES; p++) {
            uintptr_t base = (uintptr_t)s * MMU_SECTION_SIZE + (uintptr_t)p * MMU_PAGE_SIZE;
            enum mmu_kind kind = in_region(base, ro_start, ro_end - ro_start) ? MMU_CODE : MMU_DATA;
            l2_tables[s][p] = page_descriptor(base, kind);
        }
        l1_table[s] = ((uintptr_t)l2_tables[s] & L1_COARSE_BASE_MASK) | L1_TYPE_COARSE;
    }

    cache_invalidate_all();

#if __ARM_ARCH >= 7
    uint32_t actlr;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 1" : "=r"(actlr));
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 1" ::"r"(actlr | ARM_ACTLR_SMP));
#endif
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(DACR_DOMAIN0_CLIENT));
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" ::"r"(0)); /* TTBCR: TTBR0 translates everything */
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"((uintptr_t)l1_table | TTBR_WALK_ATTRS));
    cache_dsb();
    cache_isb();

    uint32_t sctlr = read_sctlr();
    sctlr &= ~(uint32_t)(ARM_SCTLR_A | ARM_SCTLR_V);
    sctlr |= ARM_SCTLR_M | ARM_SCTLR_C | ARM_SCTLR_I | ARM_SCTLR_Z | ARM_SCTLR_U | ARM_SCTLR_XP;
    write_sctlr(sctlr);
}

void mmu_protect_null_page(void)
{
    l2_tables[0][0] = page_descriptor(0, MMU_FAULT);
    /* Not every supported core's table walker snoops the data cache: push the entry to memory first. */
    dma_cache_clean(&l2_tables[0][0], sizeof l2_tables[0][0]);
    cache_invalidate_tlb();
}
