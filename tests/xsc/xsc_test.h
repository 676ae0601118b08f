/*
 * Helpers for the in-guest XSC tests. Each test is one program that prints
 * TAP to stdout ("ok N - what", "not ok N - what", "# note", a final
 * "1..N") and exits 0 (all passed), 1 (a failure) or 77 (skipped: the
 * feature it proves is not there, with the reason printed first).
 * tests/boot/init.c runs it inside the cell's QEMU and relays the lines.
 */
#ifndef XSC_TEST_H
#define XSC_TEST_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xsc.h"

/* unused by programs that take only the helpers (bench/guest.c) */
static int xt_n __attribute__((unused)), xt_failed __attribute__((unused));

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

/* The number after "@key:" in a file of "key: value" lines (/proc/self/xsc,
 * /proc/<pid>/status, /proc/meminfo), or -1. */
static inline long long xt_field(const char *path, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atoll(line + n + 1);
	fclose(f);
	return v;
}

/* A value of /proc/self/xsc, or -1. */
static inline long long xt_counter(const char *name)
{
	return xt_field("/proc/self/xsc", name);
}

/* CPU time of thread @tid of this process in ns, or -1: its clock id is
 * (~tid << 3) | CPUCLOCK_PERTHREAD (4) | CPUCLOCK_SCHED (2). */
static inline double xt_thread_cpu_ns(int tid)
{
	clockid_t clk = (clockid_t)((~(unsigned int)tid << 3) | 4 | 2);
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return -1;
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The worker of the ring thread @submitter set up in process @pid: the io
 * thread named xsc-<submitter> in /proc/<pid>/task (@submitter 0: any
 * worker of @pid), or -1. */
static inline int xt_worker_tid(int pid, int submitter)
{
	char want[32], path[320], comm[32];
	struct dirent *de;
	int tid = -1;
	DIR *d;

	snprintf(want, sizeof(want), "xsc-%d\n", submitter);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", pid, de->d_name);
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f) &&
		    (submitter > 0 ? !strcmp(comm, want) : !strncmp(comm, "xsc-", 4)))
			tid = atoi(de->d_name);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return tid;
}

#endif
