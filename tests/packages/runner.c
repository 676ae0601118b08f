/*
 * Runs the test suites of real Debian packages in a cell's guest (TAP).
 *
 * /pkg/<build>/<package>/tests.list (tests/packages/build-package.py): one
 * line per test of the package's own suite,
 *   name TAB expected-stdout-file-or-"-" TAB program TAB arg...
 * paths relative to the package's directory, where each test runs. A test
 * passes when it exits 0 (and its output equals the expected file where
 * there is one); a program that could not be built ("-") fails.
 *
 * Builds: "xsc" (the cell's emitted toolchain and XSC glibc, dynamically
 * linked) is run twice, in the default mode (the ring) and with
 * glibc.xsc.mode=trap; "debian" (the same sources built with Debian's
 * glibc, statically linked) once. Checks per package: the pass counts of
 * all three runs are equal, the ring carried the XSC build's calls (its
 * counters, read before each test is reaped, show ring calls and at least
 * 90 % of the calls offered to a ring), and neither trap run used a ring.
 * Wall and CPU time of each suite are printed (emulated).
 *
 * Built with the cell's image toolchain; with the XSC glibc it runs with
 * glibc.xsc.mode=trap (tests/boot/meson.build), so that its own calls,
 * and a child's calls between fork and exec, which its counters include,
 * use no ring. Each test gets exactly the tunables of its run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32

#include "../tap.h"

struct suite {
	int tests, passed;
	long long ring_calls, trap_calls;
	double wall, cpu;
};

static long long counter(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? atoll(p + strlen(key)) : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* Whether the files a and b hold the same bytes. */
static int same_file(int fd, const char *b)
{
	char x[4096], y[4096];
	int g = open(b, O_RDONLY);
	ssize_t n, m;
	int same = g >= 0;

	lseek(fd, 0, SEEK_SET);
	while (same) {
		n = read(fd, x, sizeof(x));
		m = read(g, y, sizeof(y));
		if (n != m || n < 0 || memcmp(x, y, n))
			same = 0;
		if (n <= 0)
			break;
	}
	if (g >= 0)
		close(g);
	return same;
}

/* One test: 1 if it passed; its counters added to s. */
static int run_test(const char *dir, char *line, const char *tunables, struct suite *s)
{
	char *f[MAX_ARGS + 3], *save, proc[64], text[1024];
	int n = 0, out, status, fd;
	siginfo_t si;
	pid_t pid;

	for (char *t = strtok_r(line, "\t", &save); t && n < MAX_ARGS + 2; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	f[n] = NULL;
	if (n < 3 || !strcmp(f[2], "-")) {
		printf("# %s: not built\n", n ? f[0] : "?");
		return 0;
	}
	out = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	pid = fork();
	if (pid == 0) {
		if (chdir(dir))
			_exit(126);
		if (out >= 0)
			dup2(out, 1);
		if (tunables ? setenv("GLIBC_TUNABLES", tunables, 1) : unsetenv("GLIBC_TUNABLES"))
			_exit(125);
		execv(f[2], f + 2);
		_exit(127);
	}
	if (pid < 0 || waitid(P_PID, pid, &si, WEXITED | WNOWAIT))
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%d/xsc", pid);
	fd = open(proc, O_RDONLY);
	n = fd >= 0 ? (int)read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = 0;
	s->ring_calls += counter(text, "ring_calls: ");
	s->trap_calls += counter(text, "trap_calls: ");
	waitpid(pid, &status, 0);
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (ok && strcmp(f[1], "-")) {
		char ref[512];
		snprintf(ref, sizeof(ref), "%s/%s", dir, f[1]);
		ok = out >= 0 && same_file(out, ref);
	}
	if (out >= 0)
		close(out);
	if (!ok)
		printf("# %s: %s (status %#x)\n", f[0], WIFEXITED(status) ? "failed" : "killed", status);
	return ok;
}

static struct suite run_suite(const char *dir, const char *tunables)
{
	struct suite s = { 0 };
	char path[512], line[4096];
	double w0 = now(), c0 = children_cpu();
	FILE *list;

	snprintf(path, sizeof(path), "%s/tests.list", dir);
	list = fopen(path, "r");
	while (list && fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		s.tests++;
		s.passed += run_test(dir, line, tunables, &s);
	}
	if (list)
		fclose(list);
	s.wall = now() - w0;
	s.cpu = children_cpu() - c0;
	return s;
}

static double share(const struct suite *s)
{
	long long all = s->ring_calls + s->trap_calls;
	return all ? 100.0 * s->ring_calls / all : 0;
}

int main(void)
{
	DIR *d = opendir("/pkg/xsc");
	struct dirent *e;

	if (!d) {
		printf("1..0 # SKIP no /pkg/xsc\n");
		return 0;
	}
	while ((e = readdir(d))) {
		char xsc[300], deb[300];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(xsc, sizeof(xsc), "/pkg/xsc/%s", e->d_name);
		snprintf(deb, sizeof(deb), "/pkg/debian/%s", e->d_name);
		if (stat(deb, &st)) {
			tap(0, "%s: no Debian-glibc build to compare with", e->d_name);
			continue;
		}
		struct suite ring = run_suite(xsc, NULL);
		struct suite trap = run_suite(xsc, "glibc.xsc.mode=trap");
		struct suite base = run_suite(deb, NULL);

		printf("# %s: XSC glibc, ring: %d of %d passed, %.2f s wall, %.2f s CPU (emulated)\n",
		       e->d_name, ring.passed, ring.tests, ring.wall, ring.cpu);
		printf("# %s: XSC glibc, trap mode: %d of %d passed, %.2f s wall, %.2f s CPU\n",
		       e->d_name, trap.passed, trap.tests, trap.wall, trap.cpu);
		printf("# %s: Debian glibc: %d of %d passed, %.2f s wall, %.2f s CPU\n",
		       e->d_name, base.passed, base.tests, base.wall, base.cpu);
		tap(ring.tests > 0 && ring.passed == base.passed && trap.passed == base.passed &&
		      ring.tests == base.tests,
		      "%s: pass counts with the XSC glibc (ring %d, trap mode %d) equal Debian glibc's (%d) of %d",
		      e->d_name, ring.passed, trap.passed, base.passed, ring.tests);
		tap(ring.ring_calls > 0 && share(&ring) >= 90.0,
		      "%s: the ring carried the XSC build's calls: %.1f %% (ring_calls %lld, trap_calls %lld)",
		      e->d_name, share(&ring), ring.ring_calls, ring.trap_calls);
		tap(trap.ring_calls == 0 && base.ring_calls == 0,
		      "%s: no ring calls in trap mode (%lld) or with Debian's glibc (%lld)",
		      e->d_name, trap.ring_calls, base.ring_calls);
		printf("# %s: ring/trap wall %.2f, CPU %.2f (same binaries)\n", e->d_name,
		       trap.wall > 0 ? ring.wall / trap.wall : 0, trap.cpu > 0 ? ring.cpu / trap.cpu : 0);
	}
	closedir(d);
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
