/*
 * board.h - what the application asks of the board it runs on.
 *
 * Each board folder (board/rpi1, board/rpi2, later board/native) implements this interface; firmware/ uses only
 * this header and never a register or a driver of its own choosing. Everything here is called from the main loop
 * (thread context), never from an interrupt handler, unless the function says otherwise.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why the previous run ended, as far as the board can tell. */
enum board_reset_cause {
    BOARD_RESET_POWER_ON,     /* no record of a previous run: power-on, or a reset nobody announced */
    BOARD_RESET_CONSOLE,      /* the console's `reboot` command */
    BOARD_RESET_CRASH,        /* an exception handler printed a crash report and rebooted */
    BOARD_RESET_WATCHDOG,     /* the watchdog expired: the main loop stopped feeding it */
    BOARD_RESET_REQUESTED,    /* the firmware rebooted itself for another reason (e.g. after a config change) */
};

struct board_info {
    const char *model;        /* "Raspberry Pi 2 Model B", from the board revision; never NULL */
    const char *soc;          /* "BCM2836", ...; never NULL */
    uint32_t revision;        /* board revision code from the firmware, 0 when unknown */
    uint64_t serial;          /* board serial number, 0 when unknown */
    uint8_t mac[6];           /* MAC address the firmware assigns to the on-board NIC; all zero when unknown */
    uintptr_t mem_base;       /* ARM-visible RAM: base and size in bytes */
    size_t mem_size;
    bool emulated;            /* running under QEMU (tells tests and the watchdog policy apart from hardware) */
    const char *boot_source;  /* where boot facts came from: "ATAGs", "device tree", "none"; never NULL */
    const char *cmdline;      /* kernel command line from ATAGs or the device tree; "" when none */
};

/* Brings up everything the console and the application need. Called once, first thing in main(). */
void board_init(void);

/* Facts about this board, valid after board_init(); the struct is owned by the board and never changes. */
const struct board_info *board_get_info(void);

/* Cause of the last reset, and a human-readable detail for it ("" when there is none). */
enum board_reset_cause board_reset_cause(void);
const char *board_reset_cause_name(enum board_reset_cause cause);
const char *board_reset_detail(void);

/* Errors of the board functions that can fail (negative, as everywhere in baremail). */
enum board_err {
    BOARD_ERR_NO_MEDIA = -1,  /* no SD card, or no FAT boot partition on it */
    BOARD_ERR_NOT_FOUND = -2, /* no such file on the boot partition */
    BOARD_ERR_TOO_BIG = -3,   /* the file does not fit the caller's buffer */
    BOARD_ERR_IO = -4,        /* the card or file system failed; the console got the details */
    BOARD_ERR_CORRUPT = -5,   /* the partition table or file system is damaged */
};
const char *board_strerror(int err);

/* Reads a whole file from the boot partition (the FAT partition of the SD card on a Pi; a directory or an image on
 * the native board). name is relative to the partition's root, '/' separates folders, case is ignored.
 * On success returns 0 and sets *len. With BOARD_ERR_TOO_BIG, *len is the file's size (buf NULL and size 0 ask
 * for the size alone). The caller owns buf. Main-loop context; may take a few hundred milliseconds at first use. */
int board_read_boot_file(const char *name, void *buf, size_t size, size_t *len);

/* Monotonic time since boot in microseconds; never wraps in the device's lifetime. */
uint64_t board_uptime_us(void);

/* Console byte stream. getc returns the next received byte or -1 when none is waiting; never blocks.
 * write blocks until the bytes are queued for output and translates nothing: callers send "\r\n". */
int board_console_getc(void);
void board_console_write(const char *buf, size_t len);

/* Bytes written to the console since boot, by board_console_write() and by stdio (printf) alike. The console
 * compares two readings to notice output that was not its own, such as a line printed while the prompt shows. */
uint64_t board_console_output_count(void);

/* What the ACT LED shows; board_idle() animates it. */
enum board_led_status {
    BOARD_LED_RUNNING,        /* slow heartbeat: all is well */
    BOARD_LED_CONFIG_ERROR,   /* a distinct blink pattern: the configuration on the card is unusable */
    BOARD_LED_OFF,
};
void board_set_led_status(enum board_led_status status);

/* Sleeps until something may have happened (an interrupt, or at most a few milliseconds). The main loop calls
 * it on every pass, which is also what feeds the watchdog on real boards: a stuck main loop resets the board. */
void board_idle(void);

/* Heap figures in bytes: currently allocated, the most ever reserved from the system, and what is available. */
void board_heap_stats(size_t *in_use, size_t *peak, size_t *total);

/* Records why and resets the board through the watchdog. Never returns. */
void board_reboot(enum board_reset_cause why, const char *detail) __attribute__((noreturn));

/* Halts the board for good (QEMU exits with status 0; a real Pi stops until power is cycled). */
void board_poweroff(void) __attribute__((noreturn));

/* ---- USB host and network device (board/common/board_usb.c) ---------------------------------------------- */

struct netdev;

/* Powers the USB controller, enumerates the bus (hubs, the on-board or plugged-in NIC) and starts the first network
 * device a driver bound. Idempotent: later calls return the first result, or restart a device that was replaced.
 * Returns 0 or a negative code for board_net_strerror(). Takes a few hundred milliseconds (USB reset timing). */
int board_net_start(void);
const char *board_net_strerror(int err);

/* The started network device (drivers/netdev.h), or NULL before board_net_start() succeeded or after unplugging. */
struct netdev *board_net_device(void);

/* Hub status changes (hot-plug); call on every pass of the main loop. Returns at once when nothing changed. */
void board_usb_poll(void);

/* Prints the USB device tree and the network devices (the console's `usb` command). */
void board_usb_print_tree(void);

#endif /* BOARD_H */
