/*
 * version.h - identity strings of this build.
 *
 * Defined in build/<board>/version.c, which the Makefile writes on every build (git describe, UTC build date,
 * board name), so that a new commit recompiles one tiny file and nothing else. Host tests link their own.
 */
#ifndef FIRMWARE_VERSION_H
#define FIRMWARE_VERSION_H

extern const char baremail_version[];    /* `git describe --tags --always --dirty`, "unknown" outside git */
extern const char baremail_build_date[]; /* YYYY-MM-DD, UTC */
extern const char baremail_board[];      /* the BOARD the image was built for: "rpi1", "rpi2" */

#endif /* FIRMWARE_VERSION_H */
