/*
 * libFuzzer target for firmware/console_editor: the input is what a user, a paste or line noise sends to the
 * console, fed byte by byte. The echo is played on a model terminal: a screen of cells, where a UTF-8 lead byte
 * opens a cell that the continuation bytes it announces join, any other byte (a stray continuation byte too) takes
 * a cell of its own, "\b" steps back and CR/LF start a new line. Besides ASan/UBSan findings, these are bugs
 * (abort): a completed line longer than CONSOLE_LINE_MAX, or holding a control byte; a pending part longer than the
 * limit; a control byte in the echo other than the editor's own "\b", CR and LF; a "\b" over the prompt; and, while
 * the line is within the limit, a screen left of the cursor that is not exactly the pending line (what the user
 * sees is what the editor holds).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/console_editor.h"

#define KEY_BACKSPACE 0x08
#define KEY_DEL       0x7f
#define CELL_BYTES    4
/* The overflow message is written on the line too: room for it beyond the longest line. */
#define SCREEN_CELLS (CONSOLE_LINE_MAX + 128)

static struct {
    unsigned char bytes[SCREEN_CELLS][CELL_BYTES];
    size_t len[SCREEN_CELLS];
    size_t cursor;
    unsigned need; /* continuation bytes the last lead byte still takes */
} screen;

static unsigned continuations(unsigned char c)
{
    return c >= 0xF8 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
}

static void new_cell(unsigned char c)
{
    if (screen.cursor == SCREEN_CELLS) {
        abort(); /* more on one line than the editor ever writes */
    }
    screen.bytes[screen.cursor][0] = c;
    screen.len[screen.cursor] = 1;
    screen.cursor++;
}

static void model_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\r' || c == '\n') {
            screen.cursor = 0;
            screen.need = 0;
        } else if (c == KEY_BACKSPACE) {
            if (screen.cursor == 0) {
                abort(); /* a backspace over the prompt */
            }
            screen.cursor--;
            screen.need = 0;
        } else if (c < 0x20 || c == KEY_DEL) {
            abort(); /* a control byte the user typed, echoed to the terminal */
        } else if ((c & 0xC0) == 0x80 && screen.need > 0 && screen.cursor > 0) {
            size_t cell = screen.cursor - 1;
            screen.bytes[cell][screen.len[cell]++] = c;
            screen.need--;
        } else {
            new_cell(c);
            screen.need = continuations(c);
        }
    }
}

/* The screen left of the cursor is exactly the pending line. */
static bool screen_shows(const char *p, size_t n)
{
    size_t at = 0;
    for (size_t cell = 0; cell < screen.cursor; cell++) {
        if (at + screen.len[cell] > n || memcmp(p + at, screen.bytes[cell], screen.len[cell]) != 0) {
            return false;
        }
        at += screen.len[cell];
    }
    return at == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct console_editor ed;
    console_editor_init(&ed, model_write);
    memset(&screen, 0, sizeof screen);
    for (size_t i = 0; i < size; i++) {
        enum console_editor_event ev = console_editor_feed(&ed, (char)data[i]);
        if (ev == CONSOLE_EDITOR_LINE) {
            const char *line = console_editor_line(&ed);
            size_t n = strnlen(line, CONSOLE_LINE_MAX + 1);
            if (n > CONSOLE_LINE_MAX) {
                abort();
            }
            for (size_t k = 0; k < n; k++) {
                unsigned char c = (unsigned char)line[k];
                if (c < 0x20 || c == KEY_DEL) {
                    abort();
                }
            }
        }
        if (ev != CONSOLE_EDITOR_NONE) {
            screen.cursor = 0; /* the caller prints a new prompt */
            screen.need = 0;
        }
        size_t pending;
        const char *p = console_editor_pending(&ed, &pending);
        if (pending > CONSOLE_LINE_MAX) {
            abort();
        }
        /* Past the limit the editor stops echoing on purpose (the line is refused at Enter). */
        if (!ed.overflowed && !screen_shows(p, pending)) {
            abort();
        }
    }
    return 0;
}
