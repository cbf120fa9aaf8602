/*
 * The board interface (board/board.h) for the native board: the firmware's application as a Linux program.
 *
 *   build/native/baremail [--sd PATH]
 *
 * The console is stdin/stdout. A terminal is put in raw mode (no echo, no line editing, Ctrl-C reaches the console
 * as on a serial line) and restored at exit; Ctrl-D on a terminal, or the end of a pipe, ends the program with
 * status 0 so that scripted sessions finish. Time since boot is CLOCK_MONOTONIC, entropy is getrandom()
 * (native_rng.c), the boot partition is an SD card image or a directory (native_storage.c), and the network
 * device is libslirp (slirp_netdev.c). The inputs are those of a Pi with the 40-pin header, simulated: nothing
 * drives them but the console's `pin N low|high` (board/input_pins.c).
 *
 * Resets: `reboot` and a crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE) start the program again in place (execv of
 * /proc/self/exe with the same arguments) with the cause handed over in the environment, so the banner reports
 * it as on a Pi; `poweroff` exits with status 0. There is no watchdog and no LED: the LED status is kept as
 * state only.
 */
/* fopencookie(), to route stdout through board_console_write(). */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "board/board.h"
#include "board/input_pins.h"
#include "board/native/native_storage.h"
#include "board/native/slirp_netdev.h"
#include "drivers/netdev.h"
#include "lib/units.h"

/* How the cause of a reset travels across execv(): "<cause number>" and the detail text. */
#define RESET_ENV_CAUSE  "BAREMAIL_RESET_CAUSE"
#define RESET_ENV_DETAIL "BAREMAIL_RESET_DETAIL"
#define RESET_DETAIL_MAX 96
/* The longest board_idle_until() sleep. Everything that waits for time asks for its own deadline and input or a
 * frame from slirp wakes the sleep at once, so this is only a backstop (there is no watchdog to feed here). */
#define BOARD_IDLE_MAX_MS 1000
#define CONSOLE_IN_BUF    256
#define CMDLINE_MAX       256
/* Ctrl-D: the end of input on a terminal in raw mode, as it is in cooked mode. */
#define KEY_CTRL_D   0x04
#define EXIT_USAGE   2
#define SD_OPTION_EQ "--sd="

/* A locally administered address in QEMU's range (52:54:00), as a QEMU guest NIC would have. */
static const uint8_t native_mac[NETDEV_MAC_LEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static int saved_argc;
static char **saved_argv;
static struct board_info info;
/* Every field of struct utsname has this size (glibc: 65). */
#define UTS_FIELD_SIZE sizeof(((struct utsname *)0)->sysname)
static char model_text[sizeof "native ( )" + 2 * UTS_FIELD_SIZE];
static char soc_text[UTS_FIELD_SIZE];
static char cmdline[CMDLINE_MAX];
static enum board_reset_cause reset_cause = BOARD_RESET_POWER_ON;
static char reset_detail[RESET_DETAIL_MAX];
/* State only: there is no LED (a debugger can read it). */
static enum board_led_status led_status = BOARD_LED_RUNNING;
static struct timespec boot_time;
/* No hardware and no interrupt: levels and their changes come from board_input_simulate() alone. */
static const struct input_pins_port native_inputs = { .header = PI_HEADER_40, .simulated = true };
static size_t heap_peak;

static bool console_is_tty;
static bool console_raw;
static struct termios console_saved;
static unsigned char console_buf[CONSOLE_IN_BUF];
static size_t console_len;
static size_t console_pos;

/* glibc passes argc and argv to the functions in .init_array; main() is the firmware's own main(void). */
static void native_save_args(int argc, char **argv, char **envp)
{
    (void)envp;
    saved_argc = argc;
    saved_argv = argv;
}
__attribute__((section(".init_array"), used)) static void (*const native_args_hook)(int, char **,
                                                                                    char **) = native_save_args;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [--sd PATH]\n"
            "  --sd PATH   the card: an SD card image (MBR + FAT + journal partition, as tools/mksdcard makes;\n"
            "              the journal partition is written) or a directory holding smtp.conf and the other\n"
            "              files (names case-insensitive; no journal partition: the outbox stays in RAM)\n"
            "The console is stdin/stdout; `poweroff`, Ctrl-D or the end of input quits.\n",
            saved_argv != NULL && saved_argv[0] != NULL ? saved_argv[0] : "baremail");
}

static void parse_args(void)
{
    size_t used = 0;
    for (int i = 1; i < saved_argc; i++) {
        const char *arg = saved_argv[i];
        if (strcmp(arg, "--sd") == 0 && i + 1 < saved_argc) {
            native_storage_set_path(saved_argv[++i]);
        } else if (strncmp(arg, SD_OPTION_EQ, sizeof SD_OPTION_EQ - 1) == 0) {
            native_storage_set_path(arg + sizeof SD_OPTION_EQ - 1);
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "baremail: unknown argument '%s'\n", arg);
            usage(stderr);
            exit(EXIT_USAGE);
        }
    }
    /* The command line as the banner shows it, like the kernel command line on a Pi. */
    for (int i = 1; i < saved_argc && used < sizeof cmdline; i++) {
        int n = snprintf(cmdline + used, sizeof cmdline - used, "%s%s", used ? " " : "", saved_argv[i]);
        used += n > 0 ? (size_t)n : 0;
    }
}

static void console_restore(void)
{
    if (console_raw) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &console_saved);
        console_raw = false;
    }
}

static uint64_t console_output_count;

static ssize_t stdout_write(void *cookie, const char *buf, size_t len)
{
    (void)cookie;
    board_console_write(buf, len);
    return (ssize_t)len;
}

/* Input like a serial line: byte by byte, no echo, no signals from Ctrl-C, CR as sent. Output processing stays on,
 * so the application's "\n" still starts a new line on the terminal. */
static void terminal_raw_and_stdout_hook(void)
{
    console_is_tty = isatty(STDIN_FILENO) == 1;
    if (console_is_tty && tcgetattr(STDIN_FILENO, &console_saved) == 0) {
        struct termios raw = console_saved;
        raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR | ISTRIP);
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0) {
            console_raw = true;
            atexit(console_restore);
        }
    }
    /* stdio goes through board_console_write() as on the Pi (where _write calls it), so that
     * board_console_output_count() sees printf's bytes too. */
    FILE *out = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = stdout_write });
    if (out != NULL) {
        stdout = out;
    }
    /* As on the Pi's UART: text goes out as it is printed, a prompt without a newline included. */
    setvbuf(stdout, NULL, _IONBF, 0);
}

static void read_reset_cause(void)
{
    const char *cause = getenv(RESET_ENV_CAUSE);
    const char *detail = getenv(RESET_ENV_DETAIL);
    if (cause != NULL) {
        long value = strtol(cause, NULL, 10);
        if (value >= BOARD_RESET_POWER_ON && value <= BOARD_RESET_REQUESTED) {
            reset_cause = (enum board_reset_cause)value;
        }
        snprintf(reset_detail, sizeof reset_detail, "%s", detail != NULL ? detail : "");
    }
    /* A later run started from this one by hand must not inherit the cause. */
    unsetenv(RESET_ENV_CAUSE);
    unsetenv(RESET_ENV_DETAIL);
}

/* Starts the program again in place, like a board reset: same arguments, the cause in the environment. The crash
 * handler comes here too; setenv() is not async-signal-safe, which is acceptable for a process about to be
 * replaced. */
static void native_restart(enum board_reset_cause cause, const char *detail) __attribute__((noreturn));
static void native_restart(enum board_reset_cause cause, const char *detail)
{
    char value[16];
    snprintf(value, sizeof value, "%d", (int)cause);
    setenv(RESET_ENV_CAUSE, value, 1);
    setenv(RESET_ENV_DETAIL, detail != NULL ? detail : "", 1);
    console_restore();
    execv("/proc/self/exe", saved_argv);
    static const char failed[] = "restart failed: cannot execute /proc/self/exe\n";
    ssize_t ignored = write(STDERR_FILENO, failed, sizeof failed - 1);
    (void)ignored;
    _exit(EXIT_FAILURE);
}

/* The crash report of the native board: which signal and where, then a restart recorded as a crash. */
static void crash_handler(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    char detail[RESET_DETAIL_MAX];
    snprintf(detail, sizeof detail, "%s at address %p", strsignal(sig), si->si_addr);
    char line[RESET_DETAIL_MAX + 32];
    int n = snprintf(line, sizeof line, "\r\ncrash: %s; restarting\r\n", detail);
    ssize_t ignored = write(STDOUT_FILENO, line, (size_t)n);
    (void)ignored;
    native_restart(BOARD_RESET_CRASH, detail);
}

/* SIGTERM, SIGHUP and SIGINT (from kill; a raw terminal sends Ctrl-C as a byte) end the program with the terminal
 * restored. */
static void quit_handler(int sig)
{
    (void)sig;
    console_restore();
    _exit(EXIT_SUCCESS);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = crash_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = quit_handler;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* A peer of slirp closing a connection must not kill the program; the write fails instead. */
    signal(SIGPIPE, SIG_IGN);
}

static void read_board_facts(void)
{
    struct utsname uts;
    if (uname(&uts) == 0) {
        snprintf(model_text, sizeof model_text, "native (%s %s)", uts.sysname, uts.release);
        snprintf(soc_text, sizeof soc_text, "%s", uts.machine);
    } else {
        snprintf(model_text, sizeof model_text, "native");
        snprintf(soc_text, sizeof soc_text, "host CPU");
    }
    info.model = model_text;
    info.soc = soc_text;
    info.revision = 0;
    info.serial = 0;
    memcpy(info.mac, native_mac, sizeof info.mac);
    long pages = sysconf(_SC_PHYS_PAGES);
    long page_size = sysconf(_SC_PAGESIZE);
    info.mem_base = 0;
    info.mem_size = pages > 0 && page_size > 0 ? (size_t)pages * (size_t)page_size : 0;
    info.emulated = false;
    info.boot_source = "program arguments";
    info.cmdline = cmdline;
}

void board_init(void)
{
    clock_gettime(CLOCK_MONOTONIC, &boot_time);
    parse_args();
    terminal_raw_and_stdout_hook();
    install_signal_handlers();
    read_reset_cause();
    read_board_facts();
    input_pins_init(&native_inputs);
    netdev_set_board_mac(info.mac);
}

const struct board_info *board_get_info(void)
{
    return &info;
}

enum board_reset_cause board_reset_cause(void)
{
    return reset_cause;
}

const char *board_reset_detail(void)
{
    return reset_detail;
}

uint64_t board_uptime_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t sec = (int64_t)(now.tv_sec - boot_time.tv_sec);
    int64_t nsec = (int64_t)now.tv_nsec - (int64_t)boot_time.tv_nsec;
    return (uint64_t)(sec * (int64_t)US_PER_S + nsec / (int64_t)NS_PER_US);
}

static void console_end_of_input(void) __attribute__((noreturn));
static void console_end_of_input(void)
{
    exit(EXIT_SUCCESS);
}

int board_console_getc(void)
{
    if (console_pos == console_len) {
        struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
        if (poll(&pfd, 1, 0) <= 0 || (pfd.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
            return -1;
        }
        ssize_t n = read(STDIN_FILENO, console_buf, sizeof console_buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            return -1;
        }
        if (n <= 0) {
            console_end_of_input();
        }
        console_len = (size_t)n;
        console_pos = 0;
    }
    int c = console_buf[console_pos++];
    if (console_is_tty && c == KEY_CTRL_D) {
        console_end_of_input();
    }
    return c;
}

void board_console_write(const char *buf, size_t len)
{
    console_output_count += len;
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            /* The reader went away: nobody is left to talk to. */
            console_end_of_input();
        }
        buf += n;
        len -= (size_t)n;
    }
}

uint64_t board_console_output_count(void)
{
    return console_output_count;
}

void board_set_led_status(enum board_led_status status)
{
    led_status = status;
}

static void sample_heap_peak(void)
{
    struct mallinfo2 mi = mallinfo2();
    size_t reserved = mi.arena + mi.hblkhd;
    if (reserved > heap_peak) {
        heap_peak = reserved;
    }
}

static uint32_t idle_passes, idle_sleeps;

void board_idle_until(uint64_t deadline_us)
{
    idle_passes++;
    sample_heap_peak();
    /* Wakes on console input or on slirp's sockets, else after slirp's timers, the deadline (rounded up to poll()'s
     * milliseconds: a sleep that ended a little early would only spin until it) or BOARD_IDLE_MAX_MS. */
    uint64_t now = board_uptime_us();
    int ms = BOARD_IDLE_MAX_MS;
    if (console_pos < console_len || deadline_us <= now) {
        ms = 0;
    } else if (deadline_us - now < (uint64_t)BOARD_IDLE_MAX_MS * US_PER_MS) {
        ms = (int)((deadline_us - now + US_PER_MS - 1u) / US_PER_MS);
    }
    if (ms > 0) {
        idle_sleeps++;
    }
    slirp_netdev_wait(STDIN_FILENO, ms);
}

void board_idle_stats(uint32_t *passes, uint32_t *sleeps)
{
    *passes = idle_passes;
    *sleeps = idle_sleeps;
}

void board_heap_stats(size_t *in_use, size_t *peak, size_t *total)
{
    struct mallinfo2 mi = mallinfo2();
    sample_heap_peak();
    *in_use = mi.uordblks + mi.hblkhd;
    *peak = heap_peak;
    *total = info.mem_size;
}

void board_reboot(enum board_reset_cause why, const char *detail)
{
    fflush(stdout);
    native_restart(why, detail);
}

void board_poweroff(void)
{
    fflush(stdout);
    exit(EXIT_SUCCESS);
}

/* ---- Network device: libslirp instead of USB ------------------------------------------------------------- */

static int net_start_err = 1; /* 1: not tried yet */

int board_net_start(void)
{
    if (net_start_err == 1) {
        int err = slirp_netdev_start();
        if (err != 0) {
            printf("slirp: %s\n", slirp_netdev_strerror(err));
        }
        net_start_err = err == 0 ? 0 : BOARD_NET_ERR_CONTROLLER;
    }
    return net_start_err;
}

struct netdev *board_net_device(void)
{
    struct netdev *nd = slirp_netdev_device();
    return nd != NULL && nd->present ? nd : NULL;
}

/* slirp's sockets and timers run in board_idle_until(); its device never comes or goes. */
void board_net_poll(void)
{
}

void board_net_list(void)
{
    printf("network: libslirp (user-mode network, no USB on the native board)\n");
    netdev_print_all();
}
