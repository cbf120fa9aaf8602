#include "drivers/wdog.h"

#include "drivers/mmio.h"
#include "lib/units.h"

/* Power manager registers. The layout has no public datasheet: Linux's bcm2835_wdt.c and the Broadcom register
 * descriptions quoted in raspberrypi/linux issue #932 are the sources. */
/* clang-format off */
#define PM_PASSWORD      0x5A000000u /* bits 31..24 of every write */
#define PM_PASSWORD_MASK 0xFF000000u

#define PM_RSTC 0x1C
#define   PM_RSTC_WRCFG_MASK      (3u << 4) /* what the watchdog does when it expires */
#define   PM_RSTC_WRCFG_FULL_RESET (2u << 4)
#define   PM_RSTC_WRCFG_NONE       (0u << 4)

#define PM_RSTS 0x20
#define   PM_RSTS_HADWRF (1u << 5)  /* the last reset was a watchdog full reset */
/* The GPU firmware reads its boot partition from bits 0, 2, 4, 6, 8 and 10; 63 means halt. */
#define   PM_RSTS_PARTITION_MASK 0x555u
#define   PM_RSTS_PARTITION_HALT 0x555u
/* The odd bits below bit 12 are reset-cause flags (HADDRF, HADWRF, HADSRF) and unused bits. */
#define   PM_RSTS_LOW_FLAGS_MASK 0xAAAu

#define PM_WDOG 0x24
#define   PM_WDOG_TIME_MASK 0x000FFFFFu
#define   PM_WDOG_TICKS_PER_SECOND 65536u

/* Countdown for an immediate reset: the 10 ticks (about 150 us) Linux uses, enough for the writes to land. */
#define WDOG_RESET_TICKS 10u
/* clang-format on */

static uintptr_t pm_base;
static uint32_t boot_rsts;
static uint32_t feed_ticks; /* 0 while stopped */

/* Replaces the bits of mask in register reg with value, keeping the rest, and adds the password. */
static void pm_write_field(uint32_t reg, uint32_t mask, uint32_t value)
{
    uintptr_t addr = pm_base + reg;
    uint32_t keep = mmio_read32(addr) & ~(PM_PASSWORD_MASK | mask);
    mmio_write32(addr, PM_PASSWORD | keep | (value & mask));
}

static uint32_t wdog_ms_to_ticks(uint32_t ms)
{
    return (uint32_t)((uint64_t)ms * PM_WDOG_TICKS_PER_SECOND / MS_PER_S);
}

/* Arms a full reset after ticks; the firmware then boots, or halts, as RSTS's partition says. */
static void wdog_arm(uint32_t ticks)
{
    pm_write_field(PM_WDOG, PM_WDOG_TIME_MASK, ticks);
    pm_write_field(PM_RSTC, PM_RSTC_WRCFG_MASK, PM_RSTC_WRCFG_FULL_RESET);
}

int wdog_init(uintptr_t base)
{
    if (base == 0) {
        return -WDOG_EINVAL;
    }
    pm_base = base;
    boot_rsts = mmio_read32(pm_base + PM_RSTS);
    feed_ticks = 0;
    return 0;
}

int wdog_start(uint32_t timeout_ms)
{
    if (pm_base == 0) {
        return -WDOG_ENOINIT;
    }
    if (timeout_ms == 0 || timeout_ms > WDOG_MAX_TIMEOUT_MS) {
        return -WDOG_EINVAL;
    }
    feed_ticks = wdog_ms_to_ticks(timeout_ms);
    wdog_arm(feed_ticks);
    return 0;
}

void wdog_feed(void)
{
    if (pm_base == 0 || feed_ticks == 0) {
        return;
    }
    pm_write_field(PM_WDOG, PM_WDOG_TIME_MASK, feed_ticks);
}

void wdog_stop(void)
{
    if (pm_base == 0) {
        return;
    }
    pm_write_field(PM_RSTC, PM_RSTC_WRCFG_MASK, PM_RSTC_WRCFG_NONE);
    feed_ticks = 0;
}

uint32_t wdog_remaining_ms(void)
{
    if (pm_base == 0) {
        return 0;
    }
    uint32_t ticks = mmio_read32(pm_base + PM_WDOG) & PM_WDOG_TIME_MASK;
    return (uint32_t)((uint64_t)ticks * MS_PER_S / PM_WDOG_TICKS_PER_SECOND);
}

void wdog_reset_now(void)
{
    if (pm_base == 0) {
        return;
    }
    /* A halt requested earlier must not turn this reboot into a halt. */
    pm_write_field(PM_RSTS, PM_RSTS_PARTITION_MASK, 0);
    wdog_arm(WDOG_RESET_TICKS);
}

void wdog_halt(void)
{
    if (pm_base == 0) {
        return;
    }
    /* The firmware decodes only the even bits, but QEMU halts only when all 12 low bits read 0x555, so the odd
     * reset-cause flags go too; wdog_init() has already recorded them. */
    pm_write_field(PM_RSTS, PM_RSTS_PARTITION_MASK | PM_RSTS_LOW_FLAGS_MASK, PM_RSTS_PARTITION_HALT);
    wdog_arm(WDOG_RESET_TICKS);
}

uint32_t wdog_reset_status(void)
{
    return boot_rsts;
}

bool wdog_last_reset_was_watchdog(void)
{
    return (boot_rsts & PM_RSTS_HADWRF) != 0;
}

const char *wdog_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case WDOG_EINVAL: return "watchdog timeout out of range, or no PM base";
    case WDOG_ENOINIT: return "watchdog driver not initialised";
    default: return "unknown watchdog error";
    }
}
