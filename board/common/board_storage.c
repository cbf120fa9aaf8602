/*
 * board_read_boot_file() and the board_journal_* functions on the Pi: the SD card on the Arasan controller, its MBR,
 * the FAT boot partition the GPU firmware booted from (read only) and the journal partition (board/journal_area.h).
 * The card is brought up on first use and stays up; a failure is reported once on the console with the driver's
 * own words and retried on the next call.
 */
#include <stdio.h>

#include "board/board.h"
#include "board/boot_volume.h"
#include "board/journal_area.h"
#include "board/common/bcm283x.h"
#include "board_config.h"
#include "drivers/blockdev.h"
#include "drivers/gpio.h"
#include "drivers/mbox.h"
#include "drivers/sdhci.h"
#include "drivers/storage/fat.h"

/* The SD card's pins on every 32-bit Pi: CLK, CMD, DAT0-3 on GPIO 48-53, ALT3 routes them to the Arasan host.
 * CMD and data lines need pull-ups; the clock does not. */
#define SD_PIN_CLK          48u
#define SD_PIN_FIRST_PULLED 49u
#define SD_PIN_LAST         53u

static struct sdhci sd;
static struct blockdev sd_blockdev;
static struct fat_volume boot_volume;
static struct journal_area journal_area;
static bool card_up;
static bool mounted;

static void sd_pins_init(void)
{
    for (unsigned pin = SD_PIN_CLK; pin <= SD_PIN_LAST; pin++) {
        gpio_set_function(pin, GPIO_FUNC_ALT3);
        gpio_set_pull(pin, pin >= SD_PIN_FIRST_PULLED ? GPIO_PULL_UP : GPIO_PULL_NONE);
    }
}

static int card_start(void)
{
    uint32_t clock_hz = 0;
    int err;

    if (card_up) {
        return 0;
    }
    sd_pins_init();
    err = mbox_set_power_state(MBOX_POWER_SD, true);
    if (err == 0) {
        err = mbox_get_clock_rate(MBOX_CLOCK_EMMC, &clock_hz);
    }
    if (err != 0) {
        printf("sd card: firmware did not power or clock the SD controller: %s\n", mbox_strerror(err));
        return BOARD_ERR_NO_MEDIA;
    }
    err = sdhci_init(&sd, (uintptr_t)BOARD_PERIPH_BASE + BCM283X_EMMC_OFFSET, clock_hz);
    if (err != 0) {
        printf("sd card: %s\n", sdhci_strerror(err));
        return err == SDHCI_ERR_CMD_TIMEOUT ? BOARD_ERR_NO_MEDIA : BOARD_ERR_IO;
    }
    sdhci_get_blockdev(&sd, &sd_blockdev);
    card_up = true;
    return 0;
}

static int mount_boot_partition(void)
{
    int err = card_start();
    if (err == 0) {
        err = boot_volume_mount(&boot_volume, &sd_blockdev);
    }
    mounted = err == 0;
    return err;
}

int board_read_boot_file(const char *name, void *buf, size_t size, size_t *len)
{
    *len = 0;
    if (!mounted) {
        int err = mount_boot_partition();
        if (err != 0) {
            return err;
        }
    }
    return boot_volume_read(&boot_volume, name, buf, size, len, sdhci_strerror);
}

int board_journal_area(uint32_t *blocks)
{
    *blocks = 0;
    if (!journal_area.found) {
        int err = card_start();
        if (err == 0) {
            err = journal_area_find(&journal_area, &sd_blockdev);
        }
        if (err != 0) {
            return err;
        }
    }
    *blocks = journal_area.blocks;
    return 0;
}

int board_journal_read(uint32_t block, uint32_t count, void *buf)
{
    return journal_area_transfer(&journal_area, block, count, buf, NULL, sdhci_strerror);
}

int board_journal_write(uint32_t block, uint32_t count, const void *buf)
{
    return journal_area_transfer(&journal_area, block, count, NULL, buf, sdhci_strerror);
}
