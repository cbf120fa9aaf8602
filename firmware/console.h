/*
 * console.h - the serial console: command table, command-line parsing and the prompt loop.
 *
 * Modules add commands with console_register(); the console reads bytes from the board, edits lines with
 * console_editor, splits each line into argv and runs the matching command. Commands print with printf (stdout
 * is the console) and return 0 or a negative code of their own. Everything runs in the main loop; nothing here
 * may be called from an interrupt handler.
 *
 * Start-up order: console_init(), console_register() by each module, console_start(), then console_poll() after
 * every main_loop_pass() (firmware/main_loop.h).
 *
 * Output from elsewhere while the prompt shows (`net: lease ...`, an alert notice: whole lines, printed during the
 * main loop's pass) scrolls the prompt away; the next console_poll() notices it (board_console_output_count() moved
 * since the console last wrote) and prints the prompt and the line typed so far again, so the printers need not
 * know about the console. console_poll() called from inside a command (a wait) returns at once: commands never
 * nest.
 */
#ifndef FIRMWARE_CONSOLE_H
#define FIRMWARE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* Enough for the built-ins plus the commands later modules add (config, net, test, ...), with room to spare;
 * each entry is one pointer. */
#ifndef CONSOLE_MAX_COMMANDS
#define CONSOLE_MAX_COMMANDS 32
#endif

/* Including the command name. A `config set key "value"` needs 4; 16 leaves room without a large argv. */
#ifndef CONSOLE_MAX_ARGS
#define CONSOLE_MAX_ARGS 16
#endif

#define CONSOLE_PROMPT "baremail> "

enum {
    CONSOLE_OK = 0,
    /* console_register: NULL or empty name, name with spaces/quotes, NULL run */
    CONSOLE_ERR_INVALID = -ERR_BASE_CONSOLE - 1,
    CONSOLE_ERR_DUPLICATE = -ERR_BASE_CONSOLE - 2,       /* console_register: a command of that name already exists */
    CONSOLE_ERR_FULL = -ERR_BASE_CONSOLE - 3,            /* console_register: more than CONSOLE_MAX_COMMANDS */
    CONSOLE_ERR_TOO_MANY_ARGS = -ERR_BASE_CONSOLE - 4,   /* console_execute: more than CONSOLE_MAX_ARGS words */
    CONSOLE_ERR_UNCLOSED_QUOTE = -ERR_BASE_CONSOLE - 5,  /* console_execute: a double quote without its closing one */
    CONSOLE_ERR_UNKNOWN_COMMAND = -ERR_BASE_CONSOLE - 6, /* console_execute: no command of that name */
    /* for commands: wrong arguments (the command printed its usage) */
    CONSOLE_ERR_USAGE = -ERR_BASE_CONSOLE - 7,
    CONSOLE_ERR_FAILED = -ERR_BASE_CONSOLE - 8, /* for commands: the command failed (it printed why) */
};

struct console_cmd {
    const char *name; /* one word, no spaces or quotes */
    const char *args; /* argument synopsis for help ("<key> <value>"); NULL or "" when none */
    const char *help; /* one line for help; NULL or "" when none */
    /* argv[0] is the name, argv[argc] is NULL; returns 0, CONSOLE_ERR_USAGE, CONSOLE_ERR_FAILED or the failing
     * module's own code */
    int (*run)(int argc, char **argv);
};

/* Empties the command table and starts the line editor. Call once, before anything else here. */
void console_init(void);

/* Adds count commands. The array is kept by reference and must stay valid (static const). All or nothing: on
 * any error (invalid entry, a name already registered or repeated in cmds, table full) nothing is added.
 * Returns 0 or CONSOLE_ERR_INVALID / CONSOLE_ERR_DUPLICATE / CONSOLE_ERR_FULL. */
int console_register(const struct console_cmd *cmds, size_t count);

/* The index-th registered command in registration order, or NULL past the end (for help listings). */
const struct console_cmd *console_command_at(size_t index);

/* Splits line in place into words (separated by spaces or tabs; double quotes group words, "" is an empty
 * word) and runs the command named by the first. An empty or blank line does nothing and returns 0. Parse
 * errors and unknown commands print one line and return a CONSOLE_ERR_* code; otherwise returns the command's
 * result. line must be writable and NUL-terminated; it is modified. */
int console_execute(char *line);

/* Prints the first prompt. */
void console_start(void);

/* Redraws the prompt after output from elsewhere (see above), then processes every byte already received: echo,
 * editing, running complete lines, the next prompt. Never waits for input (it may take as long as the commands it
 * runs). Does nothing when called while a command runs. */
void console_poll(void);

/* Parses a plain decimal number from 0 to max (a GPIO number, say): digits only, no sign, space or trailing text.
 * False for anything else, with *value untouched. */
bool console_parse_number(const char *text, unsigned max, unsigned *value);

/* Parses a command's count argument: plain decimal digits for a number from 1 to max. False for anything else
 * (empty, signs, spaces, trailing text, 0, above max), with *value untouched. */
bool console_parse_count(const char *text, unsigned max, unsigned *value);

/* A short description of a CONSOLE_ERR_* code. */
const char *console_strerror(int err);

#endif /* FIRMWARE_CONSOLE_H */
