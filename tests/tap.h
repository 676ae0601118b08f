/*
 * TAP for the guest programs that link against a cell's C library (the
 * glibc suite, the package runner, the runtime hardening test): one
 * "ok N - ..." / "not ok N - ..." line per check, flushed at once so that
 * a crash loses nothing already decided. The boot init relays the lines
 * (tests/boot/boot_protocol.h). Include once per program.
 */
#ifndef XSC_TESTS_TAP_H
#define XSC_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;		/* checks so far: the number of the last line */
static int tap_failed;		/* how many of them failed */

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tap_failed += !ok;
}

#endif
