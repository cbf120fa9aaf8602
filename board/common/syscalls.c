/*
 * The few system calls newlib needs on a board without an operating system. Only stdout and stderr exist; other
 * descriptors fail with EBADF, and there is no file system behind open().
 */
#include "board/common/syscalls.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board/board.h"

extern char __heap_start[];

static uintptr_t heap_limit;
static uintptr_t heap_break;
static uintptr_t heap_peak;

void syscalls_set_heap_limit(uintptr_t limit)
{
    heap_limit = limit;
}

size_t syscalls_heap_reserved(void)
{
    return heap_break ? heap_break - (uintptr_t)__heap_start : 0;
}

size_t syscalls_heap_peak(void)
{
    return heap_peak ? heap_peak - (uintptr_t)__heap_start : 0;
}

size_t syscalls_heap_total(void)
{
    return heap_limit > (uintptr_t)__heap_start ? heap_limit - (uintptr_t)__heap_start : 0;
}

void *_sbrk(ptrdiff_t increment)
{
    if (heap_break == 0) {
        heap_break = (uintptr_t)__heap_start;
        heap_peak = heap_break;
    }
    uintptr_t old = heap_break;
    uintptr_t limit = heap_limit ? heap_limit : (uintptr_t)__heap_start;
    if ((increment > 0 && (uintptr_t)increment > limit - old) ||
        (increment < 0 && (uintptr_t)(-increment) > old - (uintptr_t)__heap_start)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_break = old + (uintptr_t)increment;
    if (heap_break > heap_peak) {
        heap_peak = heap_break;
    }
    return (void *)old;
}

/* The console wants CRLF; C code writes "\n". Translating here keeps printf portable to the native board. */
int _write(int fd, const char *buf, int len)
{
    if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
        errno = EBADF;
        return -1;
    }
    int start = 0;
    for (int i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            board_console_write(buf + start, (size_t)(i - start));
            board_console_write("\r\n", 2);
            start = i + 1;
        }
    }
    board_console_write(buf + start, (size_t)(len - start));
    return len;
}

int _read(int fd, char *buf, int len)
{
    (void)fd;
    (void)buf;
    (void)len;
    errno = EAGAIN; /* console input goes through board_console_getc(), never stdio */
    return -1;
}

int _close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    if (fd < 0 || fd > STDERR_FILENO) {
        errno = EBADF;
        return -1;
    }
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    return fd >= 0 && fd <= STDERR_FILENO;
}

int _lseek(int fd, int offset, int whence)
{
    (void)fd;
    (void)offset;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

int _open(const char *path, int flags, int mode)
{
    (void)path;
    (void)flags;
    (void)mode;
    errno = ENOENT;
    return -1;
}

int _getpid(void)
{
    return 1;
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

void _exit(int status)
{
    (void)status;
    board_poweroff();
}

/* newlib's __libc_init_array() calls these; the C runtime's crti/crtn that would define them are not linked. */
void _init(void)
{
}

void _fini(void)
{
}
