/*
 * console_builtin.h - the commands every build has: help, version, status, reboot, poweroff.
 *
 * The application passes what only it knows (the versions of the libraries it links) through
 * struct console_builtin_info, so the console does not depend on the network stack. Other modules can add a
 * line to `status` with console_builtin_add_status(). Main-loop context only.
 */
#ifndef FIRMWARE_CONSOLE_BUILTIN_H
#define FIRMWARE_CONSOLE_BUILTIN_H

/* Room for one line per subsystem that has a state worth showing (network, mail queue, ...). */
#ifndef CONSOLE_BUILTIN_MAX_STATUS
#define CONSOLE_BUILTIN_MAX_STATUS 8
#endif

struct console_builtin_info {
    /* Prints one line per library linked into the firmware ("lwIP 2.2.1"); NULL when there is nothing to add. */
    void (*print_extra_version)(void);
};

/* Registers the built-in commands (after console_init()). info is copied; NULL means no extras. Empties the
 * list of status providers, so call it before the modules that add some. Returns console_register()'s code. */
int console_builtin_register(const struct console_builtin_info *info);

/* Adds a provider that `status` calls after its own lines; it prints its own line(s) ending in "\n".
 * Returns 0, CONSOLE_ERR_INVALID for NULL or CONSOLE_ERR_FULL past CONSOLE_BUILTIN_MAX_STATUS. */
int console_builtin_add_status(void (*print_status)(void));

#endif /* FIRMWARE_CONSOLE_BUILTIN_H */
