/*
 * libFuzzer target for firmware/console_editor: the input is what a user, a paste or line noise sends to the
 * console, fed byte by byte. Besides ASan/UBSan findings, these are bugs (abort): a completed line longer than
 * CONSOLE_LINE_MAX, or holding a control byte; a pending part longer than the limit; a control byte in the echo
 * other than the editor's own "\b", CR and LF; and, while everything typed since the last prompt is ASCII, an echo
 * that leaves a model terminal's cursor anywhere but after the prompt plus the pending line (what the user sees is
 * what is stored). Lines with bytes over 0x7F are left out of that check: the editor erases a UTF-8 sequence as
 * one character, which a terminal shows as one or more depending on how valid the sequence is.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/console_editor.h"

#define KEY_BACKSPACE 0x08
#define KEY_DEL 0x7f

/* The model terminal's column after the prompt (can go negative: a backspace over the prompt). */
static long column;

static void model_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\r' || c == '\n') {
            column = 0;
        } else if (c == KEY_BACKSPACE) {
            column--;
        } else if (c < 0x20 || c == KEY_DEL) {
            abort(); /* a control byte the user typed, echoed to the terminal */
        } else {
            column++;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct console_editor ed;
    console_editor_init(&ed, model_write);
    column = 0;
    bool ascii_line = true; /* every byte since the last prompt was ASCII */
    for (size_t i = 0; i < size; i++) {
        ascii_line = ascii_line && data[i] < 0x80;
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
            column = 0; /* the caller prints a new prompt */
            ascii_line = true;
        }
        size_t pending;
        console_editor_pending(&ed, &pending);
        if (pending > CONSOLE_LINE_MAX) {
            abort();
        }
        /* Past the limit the editor stops echoing on purpose; below it, an ASCII line is shown exactly. */
        if (!ed.overflowed && ascii_line && column != (long)pending) {
            abort();
        }
    }
    return 0;
}
