#include "fake_board.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blockdev.h"

#define FAKE_BOARD_INPUT_MAX  (64 * 1024)
#define FAKE_BOARD_OUTPUT_MAX (256 * 1024)
#define FAKE_BOARD_DETAIL_MAX 128

static const struct board_info default_info = {
    .model = "Raspberry Pi 2 Model B",
    .soc = "BCM2836",
    .revision = 0xa21041,
    .serial = 0x00000000f00dcafeull,
    .mac = { 0xb8, 0x27, 0xeb, 0x12, 0x34, 0x56 },
    .mem_base = 0,
    .mem_size = 1024ul * 1024ul * 1024ul,
    .emulated = true,
    .boot_source = "ATAGs",
    .cmdline = "",
};

struct fake_input {
    const char *refused;
    int watch_error;
    unsigned header_pin;
    int level;
    bool watched;
    enum board_pull pull;
    struct board_input_change changes[FAKE_BOARD_CHANGES_MAX];
    size_t head, count;
    uint32_t merged;
};

struct fake_file {
    char *name;
    unsigned char *data;
    size_t len;
};

static struct {
    struct board_info info;
    enum board_reset_cause reset_cause;
    char reset_detail[FAKE_BOARD_DETAIL_MAX];
    uint64_t uptime_us;
    uint64_t idle_step_us;
    size_t heap_in_use, heap_peak, heap_total;
    char input[FAKE_BOARD_INPUT_MAX];
    size_t input_head, input_tail;
    char output[FAKE_BOARD_OUTPUT_MAX + 1];
    size_t output_len;
    jmp_buf *exit_jump;
    unsigned init_calls, idle_calls, reboot_calls, poweroff_calls, net_poll_calls;
    uint64_t output_count;
    void (*idle_hook)(void);
    uint64_t idle_deadline_us; /* the last board_idle_until()'s */
    bool idle_to_deadline;
    unsigned idle_sleeps;
    enum board_reset_cause reboot_cause;
    char reboot_detail[FAKE_BOARD_DETAIL_MAX];
    struct fake_file files[FAKE_BOARD_FILES_MAX];
    size_t file_count;
    int media_error;
    unsigned file_reads;
    size_t largest_read;
    enum board_led_status led_status;
    unsigned led_calls;
    struct fake_input inputs[FAKE_BOARD_GPIOS];
    const struct blockdev *journal;
    int journal_area_error;
} fake;

static void copy_detail(char *dst, const char *src)
{
    snprintf(dst, FAKE_BOARD_DETAIL_MAX, "%s", src != NULL ? src : "");
}

static void free_files(void)
{
    for (size_t i = 0; i < fake.file_count; i++) {
        free(fake.files[i].name);
        free(fake.files[i].data);
    }
    fake.file_count = 0;
}

void fake_board_reset(void)
{
    free_files();
    memset(&fake, 0, sizeof fake);
    fake.led_status = BOARD_LED_OFF;
    fake.info = default_info;
    fake.reset_cause = BOARD_RESET_POWER_ON;
    fake.idle_step_us = 1000;
    fake.heap_total = 512u * 1024u * 1024u;
    for (size_t i = 0; i < FAKE_BOARD_GPIOS; i++) {
        fake.inputs[i].level = 1;
    }
}

struct board_info *fake_board_info(void)
{
    return &fake.info;
}

void fake_board_set_reset_cause(enum board_reset_cause cause, const char *detail)
{
    fake.reset_cause = cause;
    copy_detail(fake.reset_detail, detail);
}

void fake_board_set_uptime_us(uint64_t us)
{
    fake.uptime_us = us;
}

void fake_board_set_idle_step_us(uint64_t us)
{
    fake.idle_step_us = us;
}

void fake_board_set_heap(size_t in_use, size_t peak, size_t total)
{
    fake.heap_in_use = in_use;
    fake.heap_peak = peak;
    fake.heap_total = total;
}

void fake_board_queue_input(const char *bytes, size_t len)
{
    if (len > FAKE_BOARD_INPUT_MAX - fake.input_tail) {
        fprintf(stderr, "fake_board: console input queue full\n");
        abort();
    }
    memcpy(&fake.input[fake.input_tail], bytes, len);
    fake.input_tail += len;
}

size_t fake_board_input_pending(void)
{
    return fake.input_tail - fake.input_head;
}

const char *fake_board_output(size_t *len)
{
    if (len != NULL) {
        *len = fake.output_len;
    }
    fake.output[fake.output_len] = '\0';
    return fake.output;
}

void fake_board_clear_output(void)
{
    fake.output_len = 0;
}

void fake_board_set_exit_jump(jmp_buf *jump)
{
    fake.exit_jump = jump;
}

static bool same_name(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return false;
        }
    }
    return *a == *b;
}

static struct fake_file *find_file(const char *name)
{
    for (size_t i = 0; i < fake.file_count; i++) {
        if (same_name(fake.files[i].name, name)) {
            return &fake.files[i];
        }
    }
    return NULL;
}

static void *copy_or_abort(const void *src, size_t len)
{
    void *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        fprintf(stderr, "fake_board: out of memory\n");
        abort();
    }
    memcpy(copy, src, len);
    return copy;
}

void fake_board_add_file(const char *name, const void *data, size_t len)
{
    struct fake_file *file = find_file(name);

    if (file == NULL) {
        if (fake.file_count == FAKE_BOARD_FILES_MAX) {
            fprintf(stderr, "fake_board: more than %d files\n", FAKE_BOARD_FILES_MAX);
            abort();
        }
        file = &fake.files[fake.file_count++];
        file->name = copy_or_abort(name, strlen(name) + 1);
    } else {
        free(file->data);
    }
    file->data = copy_or_abort(data, len);
    file->len = len;
}

void fake_board_set_media_error(int err)
{
    fake.media_error = err;
}

unsigned fake_board_file_reads(void)
{
    return fake.file_reads;
}

size_t fake_board_largest_read(void)
{
    return fake.largest_read;
}

enum board_led_status fake_board_led_status(void)
{
    return fake.led_status;
}

unsigned fake_board_led_calls(void)
{
    return fake.led_calls;
}

unsigned fake_board_init_calls(void)
{
    return fake.init_calls;
}

unsigned fake_board_idle_calls(void)
{
    return fake.idle_calls;
}

uint64_t fake_board_idle_deadline(void)
{
    return fake.idle_deadline_us;
}

void fake_board_set_idle_to_deadline(bool on)
{
    fake.idle_to_deadline = on;
}

void board_idle_stats(uint32_t *passes, uint32_t *sleeps)
{
    *passes = fake.idle_calls;
    *sleeps = fake.idle_sleeps;
}

unsigned fake_board_net_poll_calls(void)
{
    return fake.net_poll_calls;
}

void fake_board_set_idle_hook(void (*hook)(void))
{
    fake.idle_hook = hook;
}

unsigned fake_board_reboot_calls(void)
{
    return fake.reboot_calls;
}

enum board_reset_cause fake_board_last_reboot_cause(void)
{
    return fake.reboot_cause;
}

const char *fake_board_last_reboot_detail(void)
{
    return fake.reboot_detail;
}

unsigned fake_board_poweroff_calls(void)
{
    return fake.poweroff_calls;
}

static struct fake_input *input_or_abort(unsigned gpio)
{
    if (gpio >= FAKE_BOARD_GPIOS) {
        fprintf(stderr, "fake_board: no GPIO %u\n", gpio);
        abort();
    }
    return &fake.inputs[gpio];
}

void fake_board_input_refuse(unsigned gpio, const char *why)
{
    input_or_abort(gpio)->refused = why;
}

void fake_board_input_fail_watch(unsigned gpio, int err)
{
    input_or_abort(gpio)->watch_error = err;
}

void fake_board_input_set_header_pin(unsigned gpio, unsigned pin)
{
    input_or_abort(gpio)->header_pin = pin;
}

void fake_board_input_set_level(unsigned gpio, int level)
{
    input_or_abort(gpio)->level = level < 0 ? level : level != 0;
}

void fake_board_input_record(unsigned gpio, uint64_t at_us, int level)
{
    struct fake_input *in = input_or_abort(gpio);

    if (in->count == FAKE_BOARD_CHANGES_MAX) {
        fprintf(stderr, "fake_board: more than %d changes queued on GPIO %u\n", FAKE_BOARD_CHANGES_MAX, gpio);
        abort();
    }
    in->level = level != 0;
    in->changes[(in->head + in->count) % FAKE_BOARD_CHANGES_MAX] = (struct board_input_change){ at_us, in->level };
    in->count++;
}

void fake_board_input_merge(unsigned gpio, uint32_t changes)
{
    input_or_abort(gpio)->merged += changes;
}

bool fake_board_input_watched(unsigned gpio, enum board_pull *pull)
{
    struct fake_input *in = input_or_abort(gpio);

    if (pull != NULL) {
        *pull = in->pull;
    }
    return in->watched;
}

unsigned fake_board_input_queued(unsigned gpio)
{
    return (unsigned)input_or_abort(gpio)->count;
}

/* board.h */

void board_init(void)
{
    fake.init_calls++;
}

const struct board_info *board_get_info(void)
{
    return &fake.info;
}

enum board_reset_cause board_reset_cause(void)
{
    return fake.reset_cause;
}

const char *board_reset_detail(void)
{
    return fake.reset_detail;
}

uint64_t board_uptime_us(void)
{
    return fake.uptime_us;
}

int board_read_boot_file(const char *name, void *buf, size_t size, size_t *len)
{
    *len = 0;
    fake.file_reads++;
    if (size > fake.largest_read) {
        fake.largest_read = size;
    }
    if (fake.media_error != 0) {
        return fake.media_error;
    }
    const struct fake_file *file = find_file(name);
    if (file == NULL) {
        return BOARD_ERR_NOT_FOUND;
    }
    *len = file->len;
    if (file->len > size) {
        return BOARD_ERR_TOO_BIG;
    }
    if (file->len > 0) {
        memcpy(buf, file->data, file->len);
    }
    return 0;
}

void board_set_led_status(enum board_led_status status)
{
    fake.led_status = status;
    fake.led_calls++;
}

int board_console_getc(void)
{
    if (fake.input_head == fake.input_tail) {
        return -1;
    }
    return (unsigned char)fake.input[fake.input_head++];
}

void board_console_write(const char *buf, size_t len)
{
    if (len > FAKE_BOARD_OUTPUT_MAX - fake.output_len) {
        fprintf(stderr, "fake_board: console output buffer full\n");
        abort();
    }
    memcpy(&fake.output[fake.output_len], buf, len);
    fake.output_len += len;
    fake.output_count += len;
}

uint64_t board_console_output_count(void)
{
    return fake.output_count;
}

void board_net_poll(void)
{
    fake.net_poll_calls++;
}

void board_idle_until(uint64_t deadline_us)
{
    fake.idle_calls++;
    fake.idle_deadline_us = deadline_us;
    if (!fake.idle_to_deadline) {
        fake.uptime_us += fake.idle_step_us;
    } else if (deadline_us > fake.uptime_us) {
        /* A board that nothing interrupts: the sleep lasts until the deadline (WAKE_NEVER would be forever). */
        assert(deadline_us != UINT64_MAX && "the main loop slept with no deadline and nothing to wake it");
        fake.uptime_us = deadline_us;
        fake.idle_sleeps++;
    }
    if (fake.idle_hook != NULL) {
        fake.idle_hook();
    }
}

/* The board_input_* fakes are weak: a test that links the real input layer (board/input_pins.c) gets it. */
__attribute__((weak)) const char *board_input_check(unsigned gpio)
{
    if (gpio >= FAKE_BOARD_GPIOS) {
        return "no such GPIO";
    }
    return fake.inputs[gpio].refused;
}

__attribute__((weak)) unsigned board_input_header_pin(unsigned gpio)
{
    return gpio < FAKE_BOARD_GPIOS ? fake.inputs[gpio].header_pin : 0;
}

__attribute__((weak)) int board_input_watch(unsigned gpio, enum board_pull pull)
{
    if (board_input_check(gpio) != NULL) {
        return -1;
    }
    if (fake.inputs[gpio].watch_error != 0) {
        return fake.inputs[gpio].watch_error;
    }
    fake.inputs[gpio].watched = true;
    fake.inputs[gpio].pull = pull;
    return 0;
}

__attribute__((weak)) uint32_t board_input_merged(unsigned gpio)
{
    return gpio < FAKE_BOARD_GPIOS && fake.inputs[gpio].watched ? fake.inputs[gpio].merged : 0;
}

__attribute__((weak)) int board_input_level(unsigned gpio)
{
    return gpio < FAKE_BOARD_GPIOS ? fake.inputs[gpio].level : -1;
}

__attribute__((weak)) bool board_input_next_change(unsigned gpio, struct board_input_change *c)
{
    struct fake_input *in;

    if (gpio >= FAKE_BOARD_GPIOS || fake.inputs[gpio].count == 0) {
        return false;
    }
    in = &fake.inputs[gpio];
    *c = in->changes[in->head];
    in->head = (in->head + 1) % FAKE_BOARD_CHANGES_MAX;
    in->count--;
    return true;
}

__attribute__((weak)) int board_input_simulate(unsigned gpio, int level)
{
    if (board_input_check(gpio) != NULL) {
        return -1;
    }
    fake_board_input_record(gpio, fake.uptime_us, level);
    return 0;
}

void board_heap_stats(size_t *in_use, size_t *peak, size_t *total)
{
    *in_use = fake.heap_in_use;
    *peak = fake.heap_peak;
    *total = fake.heap_total;
}

static void __attribute__((noreturn)) leave(void)
{
    if (fake.exit_jump == NULL) {
        fprintf(stderr, "fake_board: board_reboot/board_poweroff called without fake_board_set_exit_jump()\n");
        abort();
    }
    longjmp(*fake.exit_jump, 1);
}

void board_reboot(enum board_reset_cause why, const char *detail)
{
    fake.reboot_calls++;
    fake.reboot_cause = why;
    copy_detail(fake.reboot_detail, detail);
    leave();
}

void board_poweroff(void)
{
    fake.poweroff_calls++;
    leave();
}

void fake_board_set_journal(const struct blockdev *dev, int area_error)
{
    fake.journal = dev;
    fake.journal_area_error = area_error;
}

int board_journal_area(uint32_t *blocks)
{
    *blocks = 0;
    if (fake.journal_area_error != 0) {
        return fake.journal_area_error;
    }
    if (fake.journal == NULL) {
        return BOARD_ERR_NO_JOURNAL;
    }
    *blocks = fake.journal->block_count;
    return 0;
}

/* As board/journal_area.c does: the range checked against the partition, the device's errors as board codes. The
 * device's functions are called directly, so tests that do not use the journal need not link drivers/blockdev.c. */
static int journal_transfer(uint32_t block, uint32_t count, void *rbuf, const void *wbuf)
{
    if (fake.journal == NULL) {
        return BOARD_ERR_NO_JOURNAL;
    }
    if (count == 0 || block >= fake.journal->block_count || count > fake.journal->block_count - block) {
        return BOARD_ERR_IO;
    }
    if (wbuf != NULL && fake.journal->write == NULL) {
        return BOARD_ERR_READ_ONLY;
    }
    int err = wbuf != NULL ? fake.journal->write(fake.journal->ctx, block, count, wbuf)
                           : fake.journal->read(fake.journal->ctx, block, count, rbuf);
    return err == 0 ? 0 : BOARD_ERR_IO;
}

int board_journal_read(uint32_t block, uint32_t count, void *buf)
{
    return journal_transfer(block, count, buf, NULL);
}

int board_journal_write(uint32_t block, uint32_t count, const void *buf)
{
    return journal_transfer(block, count, NULL, buf);
}
