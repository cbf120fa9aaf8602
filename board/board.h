/*
 * board.h - what the application asks of the board it runs on.
 *
 * Each board folder (board/rpi1, board/rpi2, later board/native) implements this interface; firmware/ uses only
 * this header and never a register or a driver of its own choosing. Everything here is called from the main loop
 * (thread context), never from an interrupt handler, unless the function says otherwise.
 */
#ifndef BOARD_BOARD_H
#define BOARD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Why the previous run ended, as far as the board can tell. */
enum board_reset_cause {
    BOARD_RESET_POWER_ON,  /* no record of a previous run: power-on, or a reset nobody announced */
    BOARD_RESET_CONSOLE,   /* the console's `reboot` command */
    BOARD_RESET_CRASH,     /* an exception handler printed a crash report and rebooted */
    BOARD_RESET_WATCHDOG,  /* the watchdog expired: the main loop stopped feeding it */
    BOARD_RESET_REQUESTED, /* the firmware rebooted itself for another reason (e.g. after a config change) */
};

struct board_info {
    const char *model;  /* "Raspberry Pi 2 Model B", from the board revision; never NULL */
    const char *soc;    /* "BCM2836", ...; never NULL */
    uint32_t revision;  /* board revision code from the firmware, 0 when unknown */
    uint64_t serial;    /* board serial number, 0 when unknown */
    uint8_t mac[6];     /* MAC address the firmware assigns to the on-board NIC; all zero when unknown */
    uintptr_t mem_base; /* ARM-visible RAM: base and size in bytes */
    size_t mem_size;
    bool emulated;           /* running under QEMU (tells tests and the watchdog policy apart from hardware) */
    const char *boot_source; /* where boot facts came from: "ATAGs", "device tree", "none"; never NULL */
    const char *cmdline;     /* kernel command line from ATAGs or the device tree; "" when none */
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
    BOARD_ERR_NO_MEDIA = -ERR_BASE_BOARD - 1,  /* no SD card, or no FAT boot partition on it */
    BOARD_ERR_NOT_FOUND = -ERR_BASE_BOARD - 2, /* no such file on the boot partition */
    BOARD_ERR_TOO_BIG = -ERR_BASE_BOARD - 3,   /* the file does not fit the caller's buffer */
    BOARD_ERR_IO = -ERR_BASE_BOARD - 4,        /* the card or file system failed; the console got the details */
    BOARD_ERR_CORRUPT = -ERR_BASE_BOARD - 5,   /* the partition table or file system is damaged */
    BOARD_ERR_INPUT_PIN = -ERR_BASE_BOARD - 6, /* an input function was given a GPIO board_input_check() refuses */
    /* board_input_simulate() on real hardware: its pins follow their wires */
    BOARD_ERR_NOT_SIMULATED = -ERR_BASE_BOARD - 7,
    /* the card has no journal partition (an older or hand-made card, a directory) */
    BOARD_ERR_NO_JOURNAL = -ERR_BASE_BOARD - 8,
    BOARD_ERR_READ_ONLY = -ERR_BASE_BOARD - 9, /* the card (or the native board's image file) cannot be written */
};
const char *board_strerror(int err);

/* Reads a whole file from the boot partition (the FAT partition of the SD card on a Pi; a directory or an image on
 * the native board). name is relative to the partition's root, '/' separates folders, case is ignored.
 * On success returns 0 and sets *len. With BOARD_ERR_TOO_BIG, *len is the file's size (buf NULL and size 0 ask
 * for the size alone). The caller owns buf. Main-loop context; may take a few hundred milliseconds at first use. */
int board_read_boot_file(const char *name, void *buf, size_t size, size_t *len);

/* The journal partition: a raw partition of the SD card (MBR type 0xDA after the FAT boot partition, made by
 * `make sdcard`; docs/storage.md) where the outbox's journal and the event log live. It is the only place the
 * firmware writes: the boot partition stays read-only. Block numbers count 512-byte blocks from the partition's
 * start; a request reaching past its end is refused. On the native board it is the same partition of the --sd
 * image file (opened for writing); a directory as --sd has none.
 * board_journal_area() finds it (bringing the card up if needed) and returns 0 with its size in *blocks, or
 * BOARD_ERR_NO_MEDIA (no card), BOARD_ERR_NO_JOURNAL (no such partition), BOARD_ERR_IO, BOARD_ERR_CORRUPT.
 * read/write return 0 or a BOARD_ERR_* code; a write that returned 0 is on the card (it survives a power cut), a
 * write cut short may leave any mix of old and new bytes in its blocks. Main-loop context; a write takes from
 * about a millisecond to, rarely, a few hundred while the card programs. The console got the details of a failure. */
int board_journal_area(uint32_t *blocks);
int board_journal_read(uint32_t block, uint32_t count, void *buf);
int board_journal_write(uint32_t block, uint32_t count, const void *buf);

/* Monotonic time since boot in microseconds; never wraps in the device's lifetime. */
uint64_t board_uptime_us(void);

/* Console byte stream. getc returns the next received byte or -1 when none is waiting; never blocks.
 * write blocks until the bytes are queued for output and translates nothing: callers send "\r\n". */
int board_console_getc(void);
void board_console_write(const char *buf, size_t len);

/* Bytes written to the console since boot, by board_console_write() and by stdio (printf) alike. The console
 * compares two readings to notice output that was not its own, such as a line printed while the prompt shows. */
uint64_t board_console_output_count(void);

/* What the ACT LED shows; board_idle_until() animates it. */
enum board_led_status {
    BOARD_LED_RUNNING,      /* slow heartbeat: all is well */
    BOARD_LED_CONFIG_ERROR, /* a distinct blink pattern: the configuration on the card is unusable */
    BOARD_LED_MAIL_WAITING, /* mostly lit: mail is waiting to be delivered */
    BOARD_LED_OFF,
};
void board_set_led_status(enum board_led_status status);

/* Sleeps until deadline_us (board_uptime_us(); a time already past returns at once, UINT64_MAX asks for none) or
 * until an interrupt brings work: a received frame, a console byte, an input's edge. An interrupt taken during the
 * pass before (after its work was looked for) ends the sleep at once. The board wakes earlier for its own duties
 * (the ACT LED's pattern, the watchdog). The main loop calls it on every pass, which is also what feeds the
 * watchdog on real boards: a stuck main loop resets the board. */
void board_idle_until(uint64_t deadline_us);

/* Since boot: board_idle_until() calls (the main loop's passes), and how many of them slept (waited for the
 * deadline or an interrupt) rather than returning at once. `status` prints them; bench/net-boot reads how often an
 * idle board wakes. */
void board_idle_stats(uint32_t *passes, uint32_t *sleeps);

/* Heap figures in bytes: currently allocated, the most ever reserved from the system, and what is available. */
void board_heap_stats(size_t *in_use, size_t *peak, size_t *total);

/* Records why and resets the board through the watchdog. Never returns. */
void board_reboot(enum board_reset_cause why, const char *detail) __attribute__((noreturn));

/* Halts the board for good (QEMU exits with status 0; a real Pi stops until power is cycled). */
void board_poweroff(void) __attribute__((noreturn));

/* ---- Inputs: GPIO pins that alerts watch (board/input_pins.c; the Pi's hardware in board/common/pi_input.c) --- */

enum board_pull { BOARD_PULL_NONE, BOARD_PULL_UP, BOARD_PULL_DOWN };

/* One change of a watched input: when it happened (board_uptime_us()) and the level it went to (0 or 1). */
struct board_input_change {
    uint64_t at_us;
    int level;
};

/* Changes each watched pin keeps until the main loop takes them (16 bytes each). A pass of the main loop takes
 * milliseconds, so 16 hold a button's press and release with room to spare; the edges of a longer bounce or a
 * storm are merged (see board_input_next_change()), which costs the debounce nothing: it needs the last level and
 * when it began. */
#ifndef BOARD_INPUT_CHANGES_MAX
#define BOARD_INPUT_CHANGES_MAX 16
#endif

/* NULL when alerts may watch this BCM GPIO on this board, else why not, as a phrase completing "GPIO 14 cannot be
 * watched: ..." (not on this model's header; the serial console's pin; not a GPIO). The rule is the board's
 * (board/pi_header.h: the model's header minus the console's GPIO 14 and 15); tools/smtpconf-check applies the
 * 40-pin header's. Any context. */
const char *board_input_check(unsigned gpio);

/* The physical header pin (1..40, or 1..26 on the Pi 1 Model A/B) that carries gpio; 0 when it is on no header
 * (a compute module, or not a header GPIO). Any context. */
unsigned board_input_header_pin(unsigned gpio);

/* Makes gpio an input with the given pull and records its changes from now on: both edges, each timestamped when
 * it happens (on a Pi by the GPIO interrupt, so a pulse shorter than a main loop pass is kept). Forgets the pin's
 * earlier changes. Returns 0 or BOARD_ERR_INPUT_PIN. Main loop; waits a few tens of microseconds for the pull to
 * settle. */
int board_input_watch(unsigned gpio, enum board_pull pull);

/* The pin's level now: 0 or 1 (the simulated level on the native board and under QEMU), or BOARD_ERR_INPUT_PIN.
 * Any legal pin, watched or not. Main loop. */
int board_input_level(unsigned gpio);

/* Takes the oldest recorded change of a watched pin into *c; false when there is none (or the pin is not
 * watched). Levels alternate, starting from the opposite of the level at board_input_watch(). When changes come
 * faster than the main loop takes them and the pin's BOARD_INPUT_CHANGES_MAX are full, the newest recorded change
 * and the new one are merged away: the change before them (same level as the new one) takes the new one's time.
 * The first BOARD_INPUT_CHANGES_MAX - 2 changes of a storm, its last level and that level's time are thus always
 * right, and the count of merged changes (always even) is in board_input_merged(). A pulse too short for the
 * interrupt handler to see its level is recorded as its two changes at the same time. Main loop (it masks the GPIO
 * interrupt while it takes). */
bool board_input_next_change(unsigned gpio, struct board_input_change *c);

/* Changes of gpio merged away since board_input_watch() because its record was full (see above); 0 for a pin
 * that is not watched. Main loop. */
uint32_t board_input_merged(unsigned gpio);

/* The console's `pin N low|high`: sets the simulated level of gpio (0 or 1; any non-zero is 1), which is recorded
 * as a change of a watched pin like an edge of a real one. Only where nothing outside drives the pins: the native
 * board and a Pi under QEMU (whose GPIO model has no inputs). Returns 0, BOARD_ERR_INPUT_PIN, or
 * BOARD_ERR_NOT_SIMULATED on real hardware. Main loop. */
int board_input_simulate(unsigned gpio, int level);

/* ---- Network devices (board/common/board_net.c on a Pi, libslirp on the native board) ---------------------- */

/* The board brings up whatever carries its network devices (a Pi's USB host and the drivers its model's NIC needs,
 * libslirp on the native board, an on-chip MAC on a board that has one) and registers the devices with
 * drivers/netdev.h, where net/ finds them. Nothing here names a bus: a board without USB implements it as well. */

/* Why no network device is started (negative, a range of their own apart from enum board_err). The console got
 * the details when they happened. None is final: board_net_poll() keeps trying. */
enum board_net_err {
    BOARD_NET_ERR_CONTROLLER = -ERR_BASE_BOARD_NET - 1,  /* the bus or network controller did not start */
    BOARD_NET_ERR_NO_DEVICE = -ERR_BASE_BOARD_NET - 2,   /* nothing is connected where a network device would be */
    BOARD_NET_ERR_BUS = -ERR_BASE_BOARD_NET - 3,         /* a connected device did not answer its enumeration */
    BOARD_NET_ERR_NO_NIC = -ERR_BASE_BOARD_NET - 4,      /* devices are there, but no driver took one as a NIC */
    BOARD_NET_ERR_NOT_STARTED = -ERR_BASE_BOARD_NET - 5, /* a network device is there but did not start */
};
const char *board_net_strerror(int err);

/* Brings up the network devices: the first call does the boot-time bring-up (on a Pi up to a few seconds: USB
 * reset timing, and a second's wait for a device on the root port); later calls only report. Returns 0 when a
 * network device is started, else a board_net_err. */
int board_net_start(void);

/* The first started network device (drivers/netdev.h), or NULL before one started or after it was unplugged. */
struct netdev *board_net_device(void);

/* Call on every pass of the main loop, after board_net_start(): devices that come and go (hot plug), retries (with
 * backoff) of a failed bring-up, and a start for every network device that is present but not started, whenever
 * it appeared. Returns at once when nothing is due; a due step blocks for a bounded time. */
void board_net_poll(void);

/* Prints what carries the network devices (on a Pi the USB controller and device tree), then one line per network
 * device (the console's `usb` command). */
void board_net_list(void);

#endif /* BOARD_BOARD_H */
