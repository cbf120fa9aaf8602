/*
 * console_editor.h - the console's line editor: turns received bytes into complete command lines.
 *
 * Fed one received byte at a time; echoes what the user types through the write function given at init and
 * reports when a line is complete. Knows nothing about commands or prompts (the caller prints those).
 *
 * Editing: printable ASCII and UTF-8 bytes (0x80-0xFF) are data and are echoed; backspace (0x08 or 0x7F) erases
 * the last character as the terminal shows it: a whole UTF-8 sequence, or one stray byte of broken UTF-8 (which a
 * terminal shows as one replacement character); Ctrl-U erases the line; Ctrl-C abandons it. CR, LF and CRLF each
 * end a line exactly once, so a pasted CRLF text gives one line per text line. Escape sequences (arrow keys,
 * function keys) and other control characters are dropped. Erasing uses "\b \b", so it only looks right while
 * the line has not wrapped on the terminal.
 *
 * A line longer than CONSOLE_LINE_MAX is never truncated into a command: the editor stops storing and echoing
 * at the limit, swallows the rest up to Enter, then refuses the whole line with a one-line message (Ctrl-U or
 * Ctrl-C start over instead).
 *
 * The struct is owned by the caller (no heap); one editor per byte stream, used from one context only.
 */
#ifndef FIRMWARE_CONSOLE_EDITOR_H
#define FIRMWARE_CONSOLE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

/* 255 like the canonical-mode limit of a Unix tty (MAX_CANON): ample for a command with a long quoted value
 * such as a password or a URL, and small enough to live in static RAM. */
#ifndef CONSOLE_LINE_MAX
#define CONSOLE_LINE_MAX 255
#endif

enum console_editor_event {
    CONSOLE_EDITOR_NONE,      /* byte consumed, nothing for the caller to do */
    CONSOLE_EDITOR_LINE,      /* a line is complete: read it with console_editor_line() */
    CONSOLE_EDITOR_CANCELLED, /* Ctrl-C: the line was discarded and "^C" echoed; print a new prompt */
    CONSOLE_EDITOR_OVERFLOW,  /* Enter ended an over-long line: it was refused with a message; print a new prompt */
};

enum console_editor_escape {
    CONSOLE_EDITOR_ESC_NONE,  /* not inside an escape sequence */
    CONSOLE_EDITOR_ESC_START, /* ESC seen */
    CONSOLE_EDITOR_ESC_CSI,   /* ESC [ seen: parameters until a final byte */
    CONSOLE_EDITOR_ESC_SS3,   /* ESC O seen: one more byte (arrow keys in application mode) */
};

/* Private to console_editor.c; public only so that callers can own the storage. */
struct console_editor {
    void (*write)(const char *buf, size_t len);
    char line[CONSOLE_LINE_MAX + 1];
    size_t len;
    bool overflowed; /* the current line went past CONSOLE_LINE_MAX */
    bool after_cr;   /* the previous byte was a CR: a LF now is the second half of CRLF */
    /* Which stored bytes begin a character on the terminal (bit i: line[i]), and how many continuation bytes the
     * terminal still takes into the last one: what backspace must erase. */
    unsigned char char_start[(CONSOLE_LINE_MAX + 7) / 8];
    unsigned utf8_pending;
    enum console_editor_escape escape;
};

/* Starts an empty line. write receives the echo and the editor's messages ("\r\n" line ends); it must not be
 * NULL and may block until the bytes are queued. */
void console_editor_init(struct console_editor *ed, void (*write)(const char *buf, size_t len));

/* Processes one received byte and says what the caller must do next (see enum console_editor_event). */
enum console_editor_event console_editor_feed(struct console_editor *ed, char c);

/* The line completed by the last CONSOLE_EDITOR_LINE event, NUL-terminated, at most CONSOLE_LINE_MAX bytes,
 * without the line end. Owned by the editor and valid until the next console_editor_feed(). */
const char *console_editor_line(const struct console_editor *ed);

/* The part of the current line typed so far (what the echo shows), *len bytes, not NUL-terminated: for redrawing
 * the line after other output. Owned by the editor and valid until the next console_editor_feed(). */
const char *console_editor_pending(const struct console_editor *ed, size_t *len);

#endif /* FIRMWARE_CONSOLE_EDITOR_H */
