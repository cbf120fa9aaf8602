#include "firmware/console_editor.h"

#include <stdio.h>

#define KEY_CTRL_C 0x03
#define KEY_BACKSPACE 0x08
#define KEY_LF 0x0A
#define KEY_CR 0x0D
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1B
#define KEY_DEL 0x7F

/* ECMA-48 byte classes of a control sequence: ESC [ {parameter/intermediate bytes} final byte. */
#define CSI_BODY_MIN 0x20
#define CSI_BODY_MAX 0x3F
#define CSI_FINAL_MIN 0x40
#define CSI_FINAL_MAX 0x7E

#define IS_CONTROL(c) ((c) < 0x20 || (c) == KEY_DEL)
#define IS_UTF8_CONTINUATION(c) (((c) & 0xC0) == 0x80)

static const char erase_one[] = "\b \b";
static const char crlf[] = "\r\n";

void console_editor_init(struct console_editor *ed, void (*write)(const char *buf, size_t len))
{
    *ed = (struct console_editor){ .write = write, .escape = CONSOLE_EDITOR_ESC_NONE };
}

const char *console_editor_line(const struct console_editor *ed)
{
    return ed->line;
}

const char *console_editor_pending(const struct console_editor *ed, size_t *len)
{
    *len = ed->len;
    return ed->line;
}

static void start_new_line(struct console_editor *ed)
{
    ed->len = 0;
    ed->overflowed = false;
}

/* Removes the last character from the buffer (all bytes of a UTF-8 sequence) and from the screen. */
static void erase_last_char(struct console_editor *ed)
{
    while (ed->len > 0) {
        unsigned char c = (unsigned char)ed->line[--ed->len];
        if (!IS_UTF8_CONTINUATION(c)) {
            break;
        }
    }
    ed->write(erase_one, sizeof erase_one - 1);
}

static void erase_line(struct console_editor *ed)
{
    while (ed->len > 0) {
        erase_last_char(ed);
    }
    ed->overflowed = false;
}

static enum console_editor_event end_line(struct console_editor *ed)
{
    ed->write(crlf, sizeof crlf - 1);
    if (ed->overflowed) {
        char msg[80];
        int n = snprintf(msg, sizeof msg, "error: line too long (max %u characters), ignored\r\n",
                         (unsigned)CONSOLE_LINE_MAX);
        ed->write(msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
        start_new_line(ed);
        return CONSOLE_EDITOR_OVERFLOW;
    }
    ed->line[ed->len] = '\0';
    start_new_line(ed);
    return CONSOLE_EDITOR_LINE;
}

static void insert_byte(struct console_editor *ed, char c)
{
    if (ed->overflowed) {
        return;
    }
    if (ed->len == CONSOLE_LINE_MAX) {
        /* Stop echoing too: a runaway paste must not scroll the terminal with text that will be refused. */
        ed->overflowed = true;
        return;
    }
    ed->line[ed->len++] = c;
    ed->write(&c, 1);
}

/* Returns true when c was consumed as part of an escape sequence. A control byte inside a sequence ends it and
 * is processed normally, so a stray ESC cannot eat the user's Enter or Ctrl-C. */
static bool consume_escape(struct console_editor *ed, unsigned char c)
{
    if (ed->escape == CONSOLE_EDITOR_ESC_NONE) {
        return false;
    }
    if (IS_CONTROL(c)) {
        ed->escape = CONSOLE_EDITOR_ESC_NONE;
        return false;
    }
    switch (ed->escape) {
    case CONSOLE_EDITOR_ESC_START:
        ed->escape = c == '[' ? CONSOLE_EDITOR_ESC_CSI : c == 'O' ? CONSOLE_EDITOR_ESC_SS3 : CONSOLE_EDITOR_ESC_NONE;
        break;
    case CONSOLE_EDITOR_ESC_CSI:
        if (c >= CSI_BODY_MIN && c <= CSI_BODY_MAX) {
            break;
        }
        ed->escape = CONSOLE_EDITOR_ESC_NONE;
        /* Anything but a final byte (e.g. UTF-8) means the sequence was broken: keep the byte as data. */
        return c >= CSI_FINAL_MIN && c <= CSI_FINAL_MAX;
    default:
        ed->escape = CONSOLE_EDITOR_ESC_NONE;
        break;
    }
    return true;
}

enum console_editor_event console_editor_feed(struct console_editor *ed, char ch)
{
    unsigned char c = (unsigned char)ch;
    bool after_cr = ed->after_cr;

    ed->after_cr = false;
    if (consume_escape(ed, c)) {
        return CONSOLE_EDITOR_NONE;
    }
    switch (c) {
    case KEY_CR:
        ed->after_cr = true;
        return end_line(ed);
    case KEY_LF:
        return after_cr ? CONSOLE_EDITOR_NONE : end_line(ed);
    case KEY_CTRL_C:
        ed->write("^C\r\n", 4);
        start_new_line(ed);
        return CONSOLE_EDITOR_CANCELLED;
    case KEY_BACKSPACE:
    case KEY_DEL:
        /* Once over the limit the line is lost anyway; erasing the stored part would only hide that. */
        if (ed->len > 0 && !ed->overflowed) {
            erase_last_char(ed);
        }
        return CONSOLE_EDITOR_NONE;
    case KEY_CTRL_U:
        /* Lets the user start over even after an over-long line, without pressing Enter for an error. */
        erase_line(ed);
        return CONSOLE_EDITOR_NONE;
    case KEY_ESC:
        ed->escape = CONSOLE_EDITOR_ESC_START;
        return CONSOLE_EDITOR_NONE;
    default:
        if (!IS_CONTROL(c)) {
            insert_byte(ed, ch);
        }
        return CONSOLE_EDITOR_NONE;
    }
}
