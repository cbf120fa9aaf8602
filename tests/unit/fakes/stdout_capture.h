/*
 * stdout_capture.h - collects what code under test prints on stdout (printf, puts, ...).
 *
 * Redirects file descriptor 1 into a temporary file, so it works whatever stdio function the code uses. Make no
 * cmocka assertion between begin and end: a failure message would land in the capture and the redirection
 * would stay in place. Call stdout_capture_end() in teardown too; it does nothing when no capture is running.
 */
#ifndef TESTS_UNIT_FAKES_STDOUT_CAPTURE_H
#define TESTS_UNIT_FAKES_STDOUT_CAPTURE_H

void stdout_capture_begin(void);

/* Ends the capture and returns everything printed since begin, NUL-terminated. The buffer stays valid until
 * the next stdout_capture_begin(). Returns "" when no capture was running. */
const char *stdout_capture_end(void);

/* Occurrences of needle in haystack, counted without overlap. */
unsigned stdout_capture_count(const char *haystack, const char *needle);

#endif /* TESTS_UNIT_FAKES_STDOUT_CAPTURE_H */
