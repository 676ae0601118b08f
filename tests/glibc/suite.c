/*
 * The XSC glibc suite, run in a cell's QEMU guest (tests/boot init, TAP).
 * Every case of work.c (an ordinary program built with the cell's emitted
 * toolchain, dynamically linked against the XSC glibc) runs three times:
 *
 *   ring    GLIBC_TUNABLES=glibc.xsc.mode=ring: it passes, and the kernel's
 *           per-process counters (/proc/<pid>/xsc, read before the child is
 *           reaped) show the ring carried at least 90 % of the calls glibc
 *           offered it (ring_calls / (ring_calls + trap_calls));
 *   trap    glibc.xsc.mode=trap: it passes with zero ring calls;
 *   off     the kernel's switch off (kernel.xsc_enabled=0), default mode:
 *           it passes with zero ring calls (what a stock kernel gives).
 *
 * Plus: the static build of hello in ring mode, a C++ program (cxx.cpp,
 * libstdc++ on the XSC glibc) in ring and trap mode, and a bad tunable value
 * (a message naming it, then the default mode). The figure of each run is
 * in its TAP line, which the JUnit / JSON results keep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORK "/tests/glibc-work"
#define WORK_STATIC "/tests/glibc-work-static"
#define CXX "/tests/glibc-cxx"
#define SWITCH "/proc/sys/kernel/xsc_enabled"

#include "../tap.h"

struct run {
	int status;
	long long ring_calls, trap_calls;
	size_t out_bytes;
	char last[160];		/* the last line the program printed (stdout) */
	char err[400];		/* the start of what it printed on stderr */
};

static long long counter(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? atoll(p + strlen(key)) : -1;
}

/* Run path with argv and GLIBC_TUNABLES=tunables (NULL: none); keep its
 * output, its exit status and its counters from before it is reaped. */
static void run(const char *path, const char *arg, const char *tunables, struct run *r)
{
	int out[2], err[2];
	char buf[4096], proc[64], text[1024];
	pid_t pid;
	siginfo_t si;
	ssize_t n;
	size_t errlen = 0;

	memset(r, 0, sizeof(*r));
	if (pipe(out) || pipe(err)) {
		r->status = -1;
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (tunables)
			setenv("GLIBC_TUNABLES", tunables, 1);
		else
			unsetenv("GLIBC_TUNABLES");
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* stdout to its end (the last line kept), then stderr */
	char line[sizeof(r->last)] = "";
	size_t ll = 0;
	while ((n = read(out[0], buf, sizeof(buf))) > 0) {
		r->out_bytes += n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				line[ll] = 0;
				if (ll)
					memcpy(r->last, line, ll + 1);
				ll = 0;
			} else if (ll < sizeof(line) - 1) {
				line[ll++] = buf[i];
			}
		}
	}
	while ((n = read(err[0], buf, sizeof(buf))) > 0)
		if (errlen < sizeof(r->err) - 1) {
			size_t k = (size_t)n < sizeof(r->err) - 1 - errlen ? (size_t)n : sizeof(r->err) - 1 - errlen;
			memcpy(r->err + errlen, buf, k);
			errlen += k;
		}
	r->err[errlen] = 0;
	for (char *p = r->err; *p; p++)
		if (*p == '\n')
			*p = ' ';
	close(out[0]);
	close(err[0]);
	/* exited, not yet reaped: its counters are still there */
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT)) {
		r->status = -1;
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/%d/xsc", pid);
	int fd = open(proc, O_RDONLY);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = 0;
	r->ring_calls = counter(text, "ring_calls: ");
	r->trap_calls = counter(text, "trap_calls: ");
	waitpid(pid, &r->status, 0);
}

static int set_switch(int on)
{
	int fd = open(SWITCH, O_WRONLY);
	int ok = fd >= 0 && write(fd, on ? "1" : "0", 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok;
}

static double share(const struct run *r)
{
	long long all = r->ring_calls + r->trap_calls;
	return all > 0 ? 100.0 * r->ring_calls / all : 0.0;
}

static int exited_ok(const struct run *r)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

static void ring_case(const char *path, const char *c, const char *label)
{
	struct run r;

	run(path, c, "glibc.xsc.mode=ring", &r);
	tap(exited_ok(&r) && r.ring_calls > 0 && share(&r) >= 90.0,
	    "%s ring: status %#x, ring %.1f %% (ring_calls %lld, trap_calls %lld): %s%s",
	    label, r.status, share(&r), r.ring_calls, r.trap_calls, r.last, r.err);
}

int main(int argc, char **argv)
{
	static const char *cases[] = { "hello", "threads", "fork-exec", "spawn", "signals",
				       "cancel", "stdio", "libcalls", "setxid" };
	const size_t n = sizeof(cases) / sizeof(cases[0]);
	struct run r;

	(void)argc;
	/* The suite's own calls trap, so that what a child does between fork
	 * and exec (dup2, close) is not counted as the program's: the counters
	 * are the process's and survive exec. */
	if (!getenv("XSC_GLIBC_SUITE")) {
		setenv("XSC_GLIBC_SUITE", "1", 1);
		setenv("GLIBC_TUNABLES", "glibc.xsc.mode=trap", 1);
		execv(argv[0], argv);
		printf("1..0 # SKIP cannot re-execute %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	printf("1..%zu\n", 3 * n + 5);
	for (size_t i = 0; i < n; i++) {
		ring_case(WORK, cases[i], cases[i]);
		run(WORK, cases[i], "glibc.xsc.mode=trap", &r);
		tap(exited_ok(&r) && r.ring_calls == 0,
		    "%s trap mode: status %#x, ring_calls %lld, trap_calls %lld: %s%s",
		    cases[i], r.status, r.ring_calls, r.trap_calls, r.last, r.err);
		if (!set_switch(0)) {
			tap(0, "%s switch off: cannot write %s: %s", cases[i], SWITCH, strerror(errno));
			continue;
		}
		run(WORK, cases[i], NULL, &r);
		set_switch(1);
		tap(exited_ok(&r) && r.ring_calls == 0,
		    "%s switch off: status %#x, ring_calls %lld, trap_calls %lld: %s%s",
		    cases[i], r.status, r.ring_calls, r.trap_calls, r.last, r.err);
	}
	/* static linking works too, on the ring */
	ring_case(WORK_STATIC, "hello", "static hello");
	/* C++: libstdc++ (Debian's, in the sysroot) on the XSC glibc */
	ring_case(CXX, "cxx", "C++ (threads, exceptions, iostreams)");
	run(CXX, "cxx", "glibc.xsc.mode=trap", &r);
	tap(exited_ok(&r) && r.ring_calls == 0,
	    "C++ trap mode: status %#x, ring_calls %lld, trap_calls %lld: %s%s",
	    r.status, r.ring_calls, r.trap_calls, r.last, r.err);
	/* the default mode is automatic: the ring where /dev/xsc works */
	run(WORK, "stdio", NULL, &r);
	tap(exited_ok(&r) && r.ring_calls > 0 && share(&r) >= 90.0,
	    "default mode (auto): ring %.1f %% (ring_calls %lld, trap_calls %lld)",
	    share(&r), r.ring_calls, r.trap_calls);
	/* a bad tunable value: named on stderr, then the default mode */
	run(WORK, "hello", "glibc.xsc.mode=sometimes", &r);
	tap(exited_ok(&r) && strstr(r.err, "glibc.xsc.mode=sometimes") && r.ring_calls > 0,
	    "bad tunable value: status %#x, stderr '%s', ring_calls %lld", r.status, r.err, r.ring_calls);
	return tap_failed ? 1 : 0;
}
