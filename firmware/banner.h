/*
 * banner.h - the lines that say which firmware runs on which board, and why it (re)started.
 *
 * banner_print() is the boot banner; the console's `version` and `status` commands reuse its pieces so that the
 * same fact always reads the same way. Output goes to stdout. Call after board_init(), from the main loop.
 */
#ifndef FIRMWARE_BANNER_H
#define FIRMWARE_BANNER_H

/* The full boot banner: firmware line, then model, SoC, revision, serial number, memory, reset cause and
 * whether the board is emulated, one per line. */
void banner_print(void);

/* "baremail <version> (built <date>, board <board>)". */
void banner_print_firmware(void);

/* "reset:    <cause>" plus " (<detail>)" when the board recorded one. */
void banner_print_reset_cause(void);

#endif /* FIRMWARE_BANNER_H */
