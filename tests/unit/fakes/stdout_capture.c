#include "stdout_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *capture_file;
static int saved_stdout = -1;
static char *captured;

static void fail(const char *what)
{
    perror(what);
    abort();
}

void stdout_capture_begin(void)
{
    free(captured);
    captured = NULL;
    fflush(stdout);
    capture_file = tmpfile();
    if (capture_file == NULL) {
        fail("stdout_capture: tmpfile");
    }
    saved_stdout = dup(STDOUT_FILENO);
    if (saved_stdout < 0 || dup2(fileno(capture_file), STDOUT_FILENO) < 0) {
        fail("stdout_capture: dup");
    }
}

const char *stdout_capture_end(void)
{
    if (saved_stdout < 0) {
        return captured != NULL ? captured : "";
    }
    fflush(stdout);
    if (dup2(saved_stdout, STDOUT_FILENO) < 0) {
        fail("stdout_capture: dup2");
    }
    close(saved_stdout);
    saved_stdout = -1;

    int fd = fileno(capture_file);
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        fail("stdout_capture: lseek");
    }
    captured = malloc((size_t)size + 1);
    if (captured == NULL) {
        fail("stdout_capture: malloc");
    }
    size_t got = 0;
    while (got < (size_t)size) {
        ssize_t n = read(fd, captured + got, (size_t)size - got);
        if (n <= 0) {
            fail("stdout_capture: read");
        }
        got += (size_t)n;
    }
    captured[got] = '\0';
    fclose(capture_file);
    capture_file = NULL;
    return captured;
}

unsigned stdout_capture_count(const char *haystack, const char *needle)
{
    unsigned count = 0;
    size_t step = strlen(needle);

    if (step == 0) {
        return 0;
    }
    for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + step, needle)) {
        count++;
    }
    return count;
}
