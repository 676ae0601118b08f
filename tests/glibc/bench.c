/*
 * The XSC glibc benchmark, run in a cell's guest (meson test --benchmark):
 * the same dynamically linked binaries with the ring (glibc.xsc.mode=ring)
 * and with the trap (glibc.xsc.mode=trap), side by side in one boot:
 *
 *   start-exit   fork + exec of a dynamically linked hello world, to its exit
 *   thread-idle  pthread_create + pthread_join of a thread making no call
 *                (a ring is set up at a thread's first call: none here)
 *   thread       the same with a thread making one call (getppid), which
 *                sets up the thread's ring in ring mode
 *   pipe         write + read of one byte on a pipe, in one thread
 *
 * Per workload and mode: wall time per operation, CPU time (user + system
 * of the measured processes and their workers) per operation, and the
 * ring/trap ratio. Timings under TCG are emulated (docs/PERFORMANCE.md).
 * TAP; the figures are in the test lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORK "/tests/glibc-work"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_of(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static void *one_call(void *arg)
{
	(void)arg;
	return (void *)(long)getppid();
}

static void *no_call(void *arg)
{
	return arg;
}

/* In the measured process: n operations of a workload; prints
 * "wall cpu" in seconds per operation. */
static int inner(const char *what, int n)
{
	double t0 = now(), c0 = cpu_of(RUSAGE_SELF);
	int p[2];
	char c;

	if (!strcmp(what, "thread") || !strcmp(what, "thread-idle")) {
		void *(*fn)(void *) = !strcmp(what, "thread") ? one_call : no_call;

		for (int i = 0; i < n; i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, fn, NULL) || pthread_join(t, NULL))
				return 1;
		}
	} else if (!strcmp(what, "pipe")) {
		if (pipe(p))
			return 1;
		for (int i = 0; i < n; i++)
			if (write(p[1], "x", 1) != 1 || read(p[0], &c, 1) != 1)
				return 1;
	} else {
		return 2;
	}
	printf("%.9f %.9f\n", (now() - t0) / n, (cpu_of(RUSAGE_SELF) - c0) / n);
	return 0;
}

struct figure {
	double wall, cpu;
	int ok;
};

/* start-exit: n fork + exec of hello in this mode, from this process */
static struct figure start_exit(const char *mode, int n)
{
	struct figure f = { 0, 0, 1 };
	double t0 = now(), c0 = cpu_of(RUSAGE_CHILDREN);

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			setenv("GLIBC_TUNABLES", mode, 1);
			if (!freopen("/dev/null", "w", stdout))
				_exit(126);
			execl(WORK, WORK, "hello", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			f.ok = 0;
	}
	f.wall = (now() - t0) / n;
	f.cpu = (cpu_of(RUSAGE_CHILDREN) - c0) / n;
	return f;
}

/* a workload in a process of its own, in this mode (no shell in the guest) */
static struct figure measured(const char *self, const char *mode, const char *what, int n)
{
	struct figure f = { 0, 0, 0 };
	char count[16], line[128] = "";
	int p[2], st;
	ssize_t len;
	pid_t pid;

	snprintf(count, sizeof(count), "%d", n);
	if (pipe(p))
		return f;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		setenv("GLIBC_TUNABLES", mode, 1);
		execl(self, self, "inner", what, count, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	len = read(p[0], line, sizeof(line) - 1);
	close(p[0]);
	line[len > 0 ? len : 0] = 0;
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st) &&
	    sscanf(line, "%lf %lf", &f.wall, &f.cpu) == 2)
		f.ok = 1;
	return f;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int n; } loads[] = {
		{ "start-exit", 40 }, { "thread-idle", 400 }, { "thread", 400 }, { "pipe", 20000 },
	};
	int failed = 0, t = 0;

	if (argc == 4 && !strcmp(argv[1], "inner"))
		return inner(argv[2], atoi(argv[3]));
	/* the driver itself traps: it must not weigh on either side */
	if (!getenv("XSC_GLIBC_BENCH")) {
		setenv("XSC_GLIBC_BENCH", "1", 1);
		setenv("GLIBC_TUNABLES", "glibc.xsc.mode=trap", 1);
		execv(argv[0], argv);
		return 1;
	}
	printf("1..%zu\n", sizeof(loads) / sizeof(loads[0]));
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		struct figure ring, trap;
		const char *w = loads[i].name;

		if (!strcmp(w, "start-exit")) {
			trap = start_exit("glibc.xsc.mode=trap", loads[i].n);
			ring = start_exit("glibc.xsc.mode=ring", loads[i].n);
		} else {
			trap = measured(argv[0], "glibc.xsc.mode=trap", w, loads[i].n);
			ring = measured(argv[0], "glibc.xsc.mode=ring", w, loads[i].n);
		}
		int ok = ring.ok && trap.ok;
		failed += !ok;
		printf("%sok %d - %s (%d ops, emulated): ring %.1f us wall %.1f us cpu, "
		       "trap %.1f us wall %.1f us cpu, ring/trap wall %.2f cpu %.2f\n",
		       ok ? "" : "not ", ++t, w, loads[i].n, ring.wall * 1e6, ring.cpu * 1e6,
		       trap.wall * 1e6, trap.cpu * 1e6, trap.wall > 0 ? ring.wall / trap.wall : 0,
		       trap.cpu > 0 ? ring.cpu / trap.cpu : 0);
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
