/*
 * fake_board.h - board/board.h for host unit tests, with every value under the test's control.
 *
 * fake_board_reset() puts back the defaults (a Raspberry Pi 2 Model B under QEMU, 1 GiB, power-on reset, uptime
 * 0, no files on the boot partition, LED off). Console input is a queue the test fills; console output
 * (board_console_write) is recorded and counted (board_console_output_count; fake_board_clear_output() keeps the
 * count, as a terminal keeps what it showed). board_reboot() and board_poweroff() record the call and then longjmp to the
 * buffer set with fake_board_set_exit_jump(), or abort() when none is set, since they must not return.
 * board_read_boot_file() serves a table of files the test adds; the board_journal_* functions reach a block device
 * the test gives (none by default). Link board/board_names.c for the names of the codes (board_reset_cause_name,
 * board_strerror).
 */
#ifndef TESTS_UNIT_FAKES_FAKE_BOARD_H
#define TESTS_UNIT_FAKES_FAKE_BOARD_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/board.h"

void fake_board_reset(void);

/* The struct board_get_info() returns; tests may change any field. */
struct board_info *fake_board_info(void);

void fake_board_set_reset_cause(enum board_reset_cause cause, const char *detail);
void fake_board_set_uptime_us(uint64_t us);
/* board_idle_until() advances the uptime by this much (default 1000 us), so polling loops with deadlines end. */
void fake_board_set_idle_step_us(uint64_t us);
void fake_board_set_heap(size_t in_use, size_t peak, size_t total);

/* Appends bytes that board_console_getc() will return in order. */
void fake_board_queue_input(const char *bytes, size_t len);
size_t fake_board_input_pending(void);

/* Everything written with board_console_write() since the last reset or clear, NUL-terminated. */
const char *fake_board_output(size_t *len);
void fake_board_clear_output(void);

/* Where board_reboot()/board_poweroff() jump (with value 1) instead of returning; NULL to abort() instead. */
void fake_board_set_exit_jump(jmp_buf *jump);

/* Puts a file on the fake boot partition (data is copied; a name added twice is replaced). Names compare without
 * regard to case, as on FAT. At most FAKE_BOARD_FILES_MAX files. */
#define FAKE_BOARD_FILES_MAX 16
void fake_board_add_file(const char *name, const void *data, size_t len);
/* Makes every board_read_boot_file() fail with err (a BOARD_ERR_* code); 0 serves the files again. */
void fake_board_set_media_error(int err);
/* Calls of board_read_boot_file() since the last reset, and the largest buffer size any of them passed. */
unsigned fake_board_file_reads(void);
size_t fake_board_largest_read(void);

/* The journal partition: board_journal_area() reports dev's size and the read/write functions reach dev (a device
 * error comes back as BOARD_ERR_IO, a missing write function as BOARD_ERR_READ_ONLY); dev NULL means the card has
 * none (BOARD_ERR_NO_JOURNAL). area_error != 0 makes board_journal_area() fail with it instead. */
struct blockdev;
void fake_board_set_journal(const struct blockdev *dev, int area_error);

/* The last status given to board_set_led_status() (BOARD_LED_OFF after reset), and how many calls there were. */
enum board_led_status fake_board_led_status(void);
unsigned fake_board_led_calls(void);

/* Inputs (board_input_*): every GPIO 0..FAKE_BOARD_GPIOS-1 is accepted, reads 1, is on no header pin and records
 * nothing until the test says otherwise. Each pin queues up to FAKE_BOARD_CHANGES_MAX changes (more abort()s). */
#define FAKE_BOARD_GPIOS       54
#define FAKE_BOARD_CHANGES_MAX 2048
/* board_input_check() returns why (NULL accepts the pin again); why must outlive its use. */
void fake_board_input_refuse(unsigned gpio, const char *why);
/* board_input_watch() fails with err (a negative code) for this pin; 0 lets it succeed again. */
void fake_board_input_fail_watch(unsigned gpio, int err);
void fake_board_input_set_header_pin(unsigned gpio, unsigned pin);
/* Sets the level board_input_level() reads, without recording a change; negative: the read fails with it. */
void fake_board_input_set_level(unsigned gpio, int level);
/* Records a change at at_us, as the GPIO interrupt would, and sets the level. Recorded even when not watched. */
void fake_board_input_record(unsigned gpio, uint64_t at_us, int level);
/* Counts `changes` (even: pairs) as merged away by a full record, as board_input_merged() reports them. */
void fake_board_input_merge(unsigned gpio, uint32_t changes);
/* Whether board_input_watch() succeeded for the pin, and with which pull. */
bool fake_board_input_watched(unsigned gpio, enum board_pull *pull);
/* Changes recorded and not yet taken with board_input_next_change(). */
unsigned fake_board_input_queued(unsigned gpio);

unsigned fake_board_init_calls(void);
unsigned fake_board_idle_calls(void);
unsigned fake_board_net_poll_calls(void);
/* The deadline the last board_idle_until() was given. */
uint64_t fake_board_idle_deadline(void);
/* On: board_idle_until() sleeps like a board that nothing interrupts, i.e. the uptime jumps to the deadline (and
 * a sleep without one fails the test), instead of advancing by the idle step. Off after fake_board_reset(). */
void fake_board_set_idle_to_deadline(bool on);
/* Called at the end of every board_idle_until() (NULL: none), so that a test can make things happen during a wait. */
void fake_board_set_idle_hook(void (*hook)(void));
unsigned fake_board_reboot_calls(void);
enum board_reset_cause fake_board_last_reboot_cause(void);
const char *fake_board_last_reboot_detail(void);
unsigned fake_board_poweroff_calls(void);

#endif /* TESTS_UNIT_FAKES_FAKE_BOARD_H */
