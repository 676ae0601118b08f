/*
 * Helpers for the in-guest XSC tests. Each test is one program that prints
 * TAP to stdout ("ok N - what", "not ok N - what", "# note", a final
 * "1..N") and exits 0 (all passed), 1 (a failure) or 77 (skipped: the
 * feature it proves is not there, with the reason printed first).
 * tests/boot/init.c runs it inside the cell's QEMU and relays the lines.
 */
#ifndef XSC_TEST_H
#define XSC_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsc.h"

static int xt_n, xt_failed;

static inline int xt_check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++xt_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		xt_failed++;
	return ok;
}

static inline void xt_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A check that cannot be made here, reported as a TAP SKIP with why. */
static inline void xt_skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++xt_n, what, why);
	fflush(stdout);
}

/* Print the plan and exit with the TAP-runner status. */
static inline int xt_done(void)
{
	printf("1..%d\n", xt_n);
	fflush(stdout);
	return xt_failed ? 1 : 0;
}

/* Skip the whole program: the feature it tests is not available. */
static inline void xt_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	exit(77);
}

/*
 * One raw entry through @r (xsc_call() without its trap fallback), waited
 * for; the completion is copied to @out (status 0xdead if none came).
 * user_data is 0x5a5a0000 + nr.
 */
static inline void xt_raw_call(struct xsc_ring *r, uint32_t nr, uint32_t flags,
			       const uint64_t a[6], struct xsc_cqe *out)
{
	struct xsc_sqe *sqe = xsc_get_sqe(r);
	struct xsc_cqe *cqe;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->status = 0xdead;
	if (!sqe)
		return;
	xsc_prep(sqe, nr, a, 0x5a5a0000u + nr);
	sqe->flags = flags;
	xsc_submit(r);
	cqe = xsc_wait_cqe(r, 1000, &err);
	if (cqe) {
		*out = *cqe;
		xsc_cqe_seen(r);
	} else {
		out->result = err;
	}
}

/* A value of /proc/self/xsc ("name: value" lines), or -1. */
static inline long long xt_counter(const char *name)
{
	char line[128];
	size_t n = strlen(name);
	long long v = -1;
	FILE *f = fopen("/proc/self/xsc", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = atoll(line + n + 1);
	fclose(f);
	return v;
}

#endif
