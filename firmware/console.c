#include "firmware/console.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "firmware/console_editor.h"

static const struct console_cmd *commands[CONSOLE_MAX_COMMANDS];
static size_t command_count;
static struct console_editor editor;
/* console_execute() splits in place, and the editor's buffer is only valid until the next byte. */
static char exec_line[CONSOLE_LINE_MAX + 1];
/* board_console_output_count() when the console last left the prompt on the screen: anything written since was
 * printed by someone else (the main loop's pass) and scrolled the prompt away. */
static uint64_t output_at_prompt;
static bool prompt_shown;
/* A command runs inside console_poll(); a nested console_poll() would run a second command inside the first. */
static bool polling;

/* The echo bypasses stdio; flush first so that it never overtakes text a module printed earlier. */
static void console_echo(const char *buf, size_t len)
{
    fflush(stdout);
    board_console_write(buf, len);
}

void console_init(void)
{
    command_count = 0;
    prompt_shown = false;
    polling = false;
    console_editor_init(&editor, console_echo);
}

static bool is_word_separator(char c)
{
    return c == ' ' || c == '\t';
}

static bool name_is_valid(const char *name)
{
    if (name == NULL || name[0] == '\0') {
        return false;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (is_word_separator(*p) || *p == '"') {
            return false;
        }
    }
    return true;
}

static const struct console_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < command_count; i++) {
        if (strcmp(commands[i]->name, name) == 0) {
            return commands[i];
        }
    }
    return NULL;
}

int console_register(const struct console_cmd *cmds, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!name_is_valid(cmds[i].name) || cmds[i].run == NULL) {
            return CONSOLE_ERR_INVALID;
        }
        if (find_command(cmds[i].name) != NULL) {
            return CONSOLE_ERR_DUPLICATE;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cmds[j].name, cmds[i].name) == 0) {
                return CONSOLE_ERR_DUPLICATE;
            }
        }
    }
    if (count > CONSOLE_MAX_COMMANDS - command_count) {
        return CONSOLE_ERR_FULL;
    }
    for (size_t i = 0; i < count; i++) {
        commands[command_count++] = &cmds[i];
    }
    return CONSOLE_OK;
}

const struct console_cmd *console_command_at(size_t index)
{
    return index < command_count ? commands[index] : NULL;
}

/* Splits line in place: quotes are removed and the words closed up, so argv points into line. */
static int split_words(char *line, char **argv, int *argc_out)
{
    int argc = 0;
    char *src = line;

    for (;;) {
        while (is_word_separator(*src)) {
            src++;
        }
        if (*src == '\0') {
            break;
        }
        if (argc == CONSOLE_MAX_ARGS) {
            return CONSOLE_ERR_TOO_MANY_ARGS;
        }
        char *dst = src;
        bool quoted = false;
        argv[argc++] = dst;
        while (*src != '\0' && (quoted || !is_word_separator(*src))) {
            if (*src == '"') {
                quoted = !quoted;
            } else {
                *dst++ = *src;
            }
            src++;
        }
        if (quoted) {
            return CONSOLE_ERR_UNCLOSED_QUOTE;
        }
        bool last = *src == '\0';
        *dst = '\0';
        if (last) {
            break;
        }
        src++;
    }
    argv[argc] = NULL;
    *argc_out = argc;
    return CONSOLE_OK;
}

int console_execute(char *line)
{
    char *argv[CONSOLE_MAX_ARGS + 1];
    int argc = 0;
    int err = split_words(line, argv, &argc);

    if (err == CONSOLE_ERR_TOO_MANY_ARGS) {
        printf("error: too many arguments (max %d words)\n", CONSOLE_MAX_ARGS);
        return err;
    }
    if (err == CONSOLE_ERR_UNCLOSED_QUOTE) {
        printf("error: missing closing quote\n");
        return err;
    }
    if (argc == 0) {
        return CONSOLE_OK;
    }
    const struct console_cmd *cmd = find_command(argv[0]);
    if (cmd == NULL) {
        printf("unknown command '%s' (type 'help')\n", argv[0]);
        return CONSOLE_ERR_UNKNOWN_COMMAND;
    }
    return cmd->run(argc, argv);
}

static void print_prompt(void)
{
    printf("%s", CONSOLE_PROMPT);
    fflush(stdout);
}

/* The prompt and the line typed so far, again, after output that was not the console's own. */
static void redraw_prompt(void)
{
    size_t len;
    const char *typed = console_editor_pending(&editor, &len);
    print_prompt();
    console_echo(typed, len);
}

void console_start(void)
{
    print_prompt();
    prompt_shown = true;
    output_at_prompt = board_console_output_count();
}

void console_poll(void)
{
    int c;

    if (polling) {
        return;
    }
    polling = true;
    if (prompt_shown && board_console_output_count() != output_at_prompt) {
        redraw_prompt();
    }
    while ((c = board_console_getc()) >= 0) {
        switch (console_editor_feed(&editor, (char)c)) {
        case CONSOLE_EDITOR_LINE:
            strcpy(exec_line, console_editor_line(&editor));
            console_execute(exec_line);
            print_prompt();
            break;
        case CONSOLE_EDITOR_CANCELLED:
        case CONSOLE_EDITOR_OVERFLOW: print_prompt(); break;
        case CONSOLE_EDITOR_NONE: break;
        }
    }
    output_at_prompt = board_console_output_count();
    polling = false;
}

bool console_parse_number(const char *text, unsigned max, unsigned *value)
{
    /* strtoul() alone would take " 5", "+5" and "-1" (as a huge number). */
    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long parsed = strtoul(text, &end, 10);
    if (*end != '\0' || errno != 0 || parsed > max) {
        return false;
    }
    *value = (unsigned)parsed;
    return true;
}

bool console_parse_count(const char *text, unsigned max, unsigned *value)
{
    unsigned parsed;
    if (!console_parse_number(text, max, &parsed) || parsed == 0) {
        return false;
    }
    *value = parsed;
    return true;
}

const char *console_strerror(int err)
{
    switch (err) {
    case CONSOLE_OK: return "ok";
    case CONSOLE_ERR_INVALID: return "invalid command entry";
    case CONSOLE_ERR_DUPLICATE: return "command name already registered";
    case CONSOLE_ERR_FULL: return "command table full";
    case CONSOLE_ERR_TOO_MANY_ARGS: return "too many arguments";
    case CONSOLE_ERR_UNCLOSED_QUOTE: return "missing closing quote";
    case CONSOLE_ERR_UNKNOWN_COMMAND: return "unknown command";
    case CONSOLE_ERR_USAGE: return "wrong arguments";
    case CONSOLE_ERR_FAILED: return "command failed";
    default: return "unknown console error";
    }
}
