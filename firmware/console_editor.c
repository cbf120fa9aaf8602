#include "firmware/console_editor.h"

#include <stdio.h>

#define KEY_CTRL_C    0x03
#define KEY_BACKSPACE 0x08
#define KEY_LF        0x0A
#define KEY_CR        0x0D
#define KEY_CTRL_U    0x15
#define KEY_ESC       0x1B
#define KEY_DEL       0x7F

/* ECMA-48 byte classes of a control sequence: ESC [ {parameter/intermediate bytes} final byte. */
#define CSI_BODY_MIN  0x20
#define CSI_BODY_MAX  0x3F
#define CSI_FINAL_MIN 0x40
#define CSI_FINAL_MAX 0x7E

#define IS_CONTROL(c)           ((c) < 0x20 || (c) == KEY_DEL)
#define IS_UTF8_CONTINUATION(c) (((c)&0xC0) == 0x80)
/* Continuation bytes that follow a lead byte (RFC 3629 section 3): 110xxxxx one, 1110xxxx two, 11110xxx three. */
#define UTF8_LEAD2_MIN 0xC0
#define UTF8_LEAD3_MIN 0xE0
#define UTF8_LEAD4_MIN 0xF0
#define UTF8_LEAD_END  0xF8
#define BITS_PER_BYTE  8u

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
    ed->utf8_pending = 0;
}

static unsigned utf8_continuations(unsigned char c)
{
    return c >= UTF8_LEAD_END ? 0 : c >= UTF8_LEAD4_MIN ? 3 : c >= UTF8_LEAD3_MIN ? 2 : c >= UTF8_LEAD2_MIN ? 1 : 0;
}

static bool is_char_start(const struct console_editor *ed, size_t i)
{
    return (ed->char_start[i / BITS_PER_BYTE] >> (i % BITS_PER_BYTE)) & 1u;
}

/* Stores c at the end of the line, noting whether the terminal shows it as a character of its own: anything but a
 * continuation byte the last lead byte still waits for. */
static void store_byte(struct console_editor *ed, char c)
{
    unsigned char u = (unsigned char)c;
    size_t i = ed->len++;
    unsigned char bit = (unsigned char)(1u << (i % BITS_PER_BYTE));
    ed->line[i] = c;
    if (IS_UTF8_CONTINUATION(u) && ed->utf8_pending > 0) {
        ed->utf8_pending--;
        ed->char_start[i / BITS_PER_BYTE] &= (unsigned char)~bit;
    } else {
        ed->utf8_pending = utf8_continuations(u);
        ed->char_start[i / BITS_PER_BYTE] |= bit;
    }
}

/* Removes the last character from the buffer (all the bytes the terminal shows as one) and from the screen. The
 * line is not empty. */
static void erase_last_char(struct console_editor *ed)
{
    do {
        ed->len--;
    } while (ed->len > 0 && !is_char_start(ed, ed->len));
    /* The space ends any sequence on the terminal too: a continuation byte typed next stands alone. */
    ed->utf8_pending = 0;
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
    store_byte(ed, c);
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
    default: ed->escape = CONSOLE_EDITOR_ESC_NONE; break;
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
    case KEY_CR: ed->after_cr = true; return end_line(ed);
    case KEY_LF: return after_cr ? CONSOLE_EDITOR_NONE : end_line(ed);
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
    case KEY_ESC: ed->escape = CONSOLE_EDITOR_ESC_START; return CONSOLE_EDITOR_NONE;
    default:
        if (!IS_CONTROL(c)) {
            insert_byte(ed, ch);
        }
        return CONSOLE_EDITOR_NONE;
    }
}
