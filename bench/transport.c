/*
 * Host transport benchmark: what a ring call costs against the trap, with
 * libxsc driving the user-space executor (tests/libxsc/executor.h) on the
 * other CPU. Prints a plain-text table, then one JSON line (-j: only that).
 *
 *   gcc -O2 -Wall -Wextra -Werror -I libc/xsc -I libc/xsc/arch-x86 \
 *       -I kernel/include/uapi bench/transport.c tests/libxsc/executor.c \
 *       libc/xsc/xsc.c -lpthread
 *
 * Latencies are per call (median, p10, p90) timed with the TSC on x86
 * (CLOCK_MONOTONIC elsewhere), minus the timer's own median overhead.
 * Throughputs are wall time over a whole run. The executor's CPU cost is
 * its CLOCK_THREAD_CPUTIME_ID, read by the executor thread itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "xsc.h"
#include "xsc_arch.h"
#include "executor.h"

#define RING_ENTRIES	64
#define SPIN_FOREVER_US	100000		/* the executor's longest spin: never sleeps mid-run */
#define THREAD_RUN_MS	300		/* each multi-thread run */
#define ASLEEP_GAP_US	30		/* idle before a call that must wake the executor */

static long iters = 100000;
static int json_only;
static int ncpus;
static int main_cpu = -1, exec_cpu = -1;	/* -1: one CPU, nothing pinned */
static double ns_per_tick = 1.0;
static double timer_overhead_ns, timer_resolution_ns;
/* medians this run, for the ratios of (g) */
static double pingpong_p50, trap_getppid_p50, ring_getppid_p50;

/* ------------------------------------------------------------ output */

static char json[16384];
static size_t json_len;

/* Append to the JSON line. */
static void js(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	json_len += (size_t)vsnprintf(json + json_len, sizeof(json) - json_len, fmt, ap);
	va_end(ap);
	if (json_len >= sizeof(json))
		json_len = sizeof(json) - 1;
}

/* A line of the plain-text table (suppressed by -j). */
static void out(const char *fmt, ...)
{
	va_list ap;

	if (json_only)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void die(const char *what, long got, long want)
{
	fprintf(stderr, "transport: %s returned %ld, expected %ld\n", what, got, want);
	exit(1);
}

/* ------------------------------------------------------------ time */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A timestamp in ticks; rdtscp waits for earlier instructions to finish. */
static inline uint64_t tick(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
	return ((uint64_t)hi << 32) | lo;
#else
	return now_ns();
#endif
}


static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct dist {
	double p10, p50, p90;
};

/* Percentiles of @n tick samples in ns, less the timer overhead. */
static struct dist dist_of(uint64_t *s, long n)
{
	struct dist d;
	double o = timer_overhead_ns;

	qsort(s, (size_t)n, sizeof(*s), cmp_u64);
	d.p10 = s[n / 10] * ns_per_tick - o;
	d.p50 = s[n / 2] * ns_per_tick - o;
	d.p90 = s[n * 9 / 10] * ns_per_tick - o;
	if (d.p10 < 0)
		d.p10 = 0;
	if (d.p50 < 0)
		d.p50 = 0;
	if (d.p90 < 0)
		d.p90 = 0;
	return d;
}

/* The smallest step the timer takes (a virtual TSC may count coarsely). */
static uint64_t timer_step(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 1000; i++) {
		uint64_t a = tick(), b;

		while ((b = tick()) == a)
			;
		if (b - a < best)
			best = b - a;
	}
	return best;
}

/* Ticks to ns against CLOCK_MONOTONIC over 50 ms; the timer's own cost. */
static void calibrate(void)
{
	uint64_t t0 = now_ns(), c0 = tick(), s[1000];
	struct timespec ts = { 0, 50000000 };

	nanosleep(&ts, NULL);
	ns_per_tick = (double)(now_ns() - t0) / (double)(tick() - c0);
	for (int i = 0; i < 1000; i++) {
		uint64_t a = tick();

		s[i] = tick() - a;
	}
	qsort(s, 1000, sizeof(s[0]), cmp_u64);
	timer_overhead_ns = s[500] * ns_per_tick;
	timer_resolution_ns = timer_step() * ns_per_tick;
}

/* ------------------------------------------------------------ CPUs */

static void pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Let the calling thread run on every CPU again. */
static void unpin_self(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int i = 0; i < ncpus && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Choose the two CPUs: the first two this process may use. */
static void choose_cpus(void)
{
	cpu_set_t set;

	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (main_cpu < 0)
			main_cpu = i;
		else if (exec_cpu < 0)
			exec_cpu = i;
	}
	if (exec_cpu < 0)
		main_cpu = -1;
}

/* Whether /proc/cpuinfo has the hypervisor flag; the model name into @model. */
static int cpu_info(char *model, size_t len)
{
	char line[4096];
	int vm = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(model, len, "unknown");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		if (!strncmp(line, "model name", 10) && !strcmp(model, "unknown"))
			snprintf(model, len, "%.*s", (int)strcspn(v + 2, "\n"), v + 2);
		if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor"))
			vm = 1;
	}
	fclose(f);
	return vm;
}

/* The 1-minute load average, or -1. */
static double loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

/* ------------------------------------------------------------ (a) cross-core round trip */

struct pingpong {
	_Alignas(64) uint32_t word;	/* odd: ping from the main thread, even: pong */
	long rounds;
};

static void *pong_thread(void *arg)
{
	struct pingpong *pp = arg;

	pin_self(exec_cpu);
	for (uint32_t i = 0; i < (uint32_t)pp->rounds; i++) {
		while (__atomic_load_n(&pp->word, __ATOMIC_ACQUIRE) != 2 * i + 1)
			xsc_arch_relax();
		__atomic_store_n(&pp->word, 2 * i + 2, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* One cache line bounced between the two CPUs, each round timed. */
static void bench_pingpong(void)
{
	long warm = iters / 10, n = iters * 2;
	struct pingpong *pp = aligned_alloc(64, sizeof(*pp));
	uint64_t *s = malloc(sizeof(*s) * (size_t)n);
	pthread_t th;
	struct dist d;

	pp->word = 0;
	pp->rounds = warm + n;
	pthread_create(&th, NULL, pong_thread, pp);
	for (long i = 0; i < warm + n; i++) {
		uint32_t ping = 2 * (uint32_t)i + 1;
		uint64_t t0 = tick();

		__atomic_store_n(&pp->word, ping, __ATOMIC_RELEASE);
		while (__atomic_load_n(&pp->word, __ATOMIC_ACQUIRE) != ping + 1)
			xsc_arch_relax();
		if (i >= warm)
			s[i - warm] = tick() - t0;
	}
	pthread_join(th, NULL);
	d = dist_of(s, n);
	pingpong_p50 = d.p50;
	out("\n(a) cross-core round trip (cache line ping-pong, CPU %d <-> %d), ns\n", main_cpu,
	    exec_cpu);
	out("    %-34s %9s %9s %9s\n", "", "p10", "median", "p90");
	out("    %-34s %9.0f %9.0f %9.0f\n", "round trip", d.p10, d.p50, d.p90);
	js(",\"pingpong_ns\":{\"rounds\":%ld,\"p10\":%.1f,\"p50\":%.1f,\"p90\":%.1f}", n, d.p10,
	   d.p50, d.p90);
	free(s);
	free(pp);
}

/* ------------------------------------------------------------ the operations */

struct op {
	const char *name, *label;
	long nr;
	uint64_t args[6];
	long want;
};

static char op_buf[4096];
static struct op ops[3];

/* getppid, a 1-byte write to /dev/null, a 4 KiB pread from /dev/shm. */
static void setup_ops(void)
{
	char path[64];
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC), shm_fd;

	snprintf(path, sizeof(path), "/dev/shm/xsc-transport-%d", (int)getpid());
	shm_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (null_fd < 0 || shm_fd < 0) {
		perror("transport: open /dev/null or /dev/shm");
		exit(1);
	}
	unlink(path);
	memset(op_buf, 'x', sizeof(op_buf));
	if (write(shm_fd, op_buf, sizeof(op_buf)) != (ssize_t)sizeof(op_buf))
		die("write to /dev/shm", -1, sizeof(op_buf));
	ops[0] = (struct op){ "getppid", "getppid", __NR_getppid, { 0 }, getppid() };
	ops[1] = (struct op){ "write_devnull_1", "write 1 B to /dev/null", __NR_write,
			      { (uint64_t)null_fd, (uint64_t)(uintptr_t)op_buf, 1 }, 1 };
	ops[2] = (struct op){ "pread_shm_4k", "pread 4 KiB from /dev/shm", __NR_pread64,
			      { (uint64_t)shm_fd, (uint64_t)(uintptr_t)op_buf, 4096, 0 }, 4096 };
}

/* ------------------------------------------------------------ (b) the trap */

/* Per-call latency of @o made with the trap. */
static struct dist trap_latency(const struct op *o, long n)
{
	uint64_t *s = malloc(sizeof(*s) * (size_t)n);
	long r = (long)xsc_trap(o->nr, o->args);
	struct dist d;

	if (r != o->want)
		die(o->name, r, o->want);
	for (long i = 0; i < n / 10; i++)
		xsc_trap(o->nr, o->args);
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tick();

		xsc_trap(o->nr, o->args);
		s[i] = tick() - t0;
	}
	d = dist_of(s, n);
	free(s);
	return d;
}

/* ------------------------------------------------------------ executor CPU accounting */

struct exec_cost {
	const char *name;
	long calls;
	double wall_ns, cpu_ns, sleeps, waits;
	double sub_cpu_ns;	/* the submitting thread's CPU time; < 0: not measured */
};

static struct exec_cost costs[32];
static int ncosts;

/* This thread's CPU time in ns. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Record the executor's CPU time between @a and @b over @calls in @wall_ns,
 * and the submitter's @sub_ns (< 0: not measured). */
static void note_cost(const char *name, const struct xsc_user_stats *a,
		      const struct xsc_user_stats *b, long calls, double wall_ns, double sub_ns)
{
	if (ncosts >= (int)(sizeof(costs) / sizeof(costs[0])))
		return;
	costs[ncosts++] = (struct exec_cost){ name, calls, wall_ns,
					      (double)(b->cpu_ns - a->cpu_ns),
					      (double)(b->sleeps - a->sleeps),
					      (double)(b->wait_sleeps - a->wait_sleeps), sub_ns };
}

/* A ring on the executor CPU; exits on failure. @publish_each: the
 * protocol before batching (XSC_SETUP_PUBLISH_EACH), for comparison. */
static void ring_open_opts(struct xsc_ring *r, unsigned int spin_us, int null_exec,
			   int publish_each)
{
	struct xsc_user_opts o = {
		.entries = RING_ENTRIES, .spin_us = spin_us, .null_exec = null_exec,
		.cpu = exec_cpu, .trap_nr = -1, .publish_each = publish_each,
	};
	int err = xsc_user_ring_create_opts(r, &o);

	if (err)
		die("xsc_user_ring_create", err, 0);
}

static void ring_open(struct xsc_ring *r, unsigned int spin_us, int null_exec)
{
	ring_open_opts(r, spin_us, null_exec, 0);
}

/* ------------------------------------------------------------ (c) synchronous ring calls */

/* Busy-wait @us microseconds. */
static void spin_for_us(unsigned int us)
{
	uint64_t end = now_ns() + us * 1000ull;

	while (now_ns() < end)
		xsc_arch_relax();
}

/*
 * Per-call latency of @o through xsc_call on @r, with @gap_us of idle
 * (untimed) before each call; the executor CPU time is noted as @cost.
 */
static struct dist ring_latency(struct xsc_ring *r, const struct op *o, long n,
				unsigned int gap_us, const char *cost)
{
	uint64_t *s = malloc(sizeof(*s) * (size_t)n);
	long ret = (long)xsc_call(r, o->nr, o->args);
	struct xsc_user_stats a, b;
	uint64_t t, idle = 0, cpu;
	struct dist d;

	if (ret != o->want)
		die(o->name, ret, o->want);
	for (long i = 0; i < n / 10; i++)
		xsc_call(r, o->nr, o->args);
	xsc_user_ring_stats(r, &a);
	cpu = thread_cpu_ns();
	t = now_ns();
	for (long i = 0; i < n; i++) {
		uint64_t t0;

		if (gap_us) {
			t0 = now_ns();
			spin_for_us(gap_us);
			idle += now_ns() - t0;
		}
		t0 = tick();
		xsc_call(r, o->nr, o->args);
		s[i] = tick() - t0;
	}
	t = now_ns() - t - idle;	/* the wall time of the calls alone */
	cpu = thread_cpu_ns() - cpu;
	xsc_user_ring_stats(r, &b);
	/* the submitter's CPU only where it did nothing else (no idle gap) */
	note_cost(cost, &a, &b, n, (double)t, gap_us ? -1 : (double)cpu);
	d = dist_of(s, n);
	free(s);
	return d;
}

static void print_dist(const char *label, struct dist d)
{
	out("    %-34s %9.0f %9.0f %9.0f\n", label, d.p10, d.p50, d.p90);
}

static void json_dist(const char *name, struct dist d, int first)
{
	js("%s\"%s\":{\"p10\":%.1f,\"p50\":%.1f,\"p90\":%.1f}", first ? "" : ",", name, d.p10,
	   d.p50, d.p90);
}

/* (b) and (c): each operation with the trap, then through the ring. */
static void bench_latency(void)
{
	static const char *cost_names[3] = { "sync getppid", "sync write /dev/null",
					     "sync pread 4 KiB" };
	struct dist trap[3], ring[3], handshake, asleep;
	struct xsc_ring r;
	long slow = iters / 10 > 1000 ? iters / 10 : 1000;

	for (int i = 0; i < 3; i++)
		trap[i] = trap_latency(&ops[i], iters);
	ring_open(&r, SPIN_FOREVER_US, 0);
	for (int i = 0; i < 3; i++)
		ring[i] = ring_latency(&r, &ops[i], iters, 0, cost_names[i]);
	xsc_user_ring_destroy(&r);
	/* spin 0: back to back, the executor sets NEED_WAKEUP after every call
	 * and each call pays a wake-up; with a gap, the executor is in the
	 * futex for real when the call comes */
	ring_open(&r, 0, 0);
	handshake = ring_latency(&r, &ops[0], slow, 0, "sync getppid, spin 0");
	asleep = ring_latency(&r, &ops[0], slow / 4, ASLEEP_GAP_US,
			      "sync getppid, executor asleep");
	xsc_user_ring_destroy(&r);
	trap_getppid_p50 = trap[0].p50;
	ring_getppid_p50 = ring[0].p50;

	out("\n(b) trap cost (syscall instruction), ns per call\n");
	out("    %-34s %9s %9s %9s\n", "", "p10", "median", "p90");
	for (int i = 0; i < 3; i++)
		print_dist(ops[i].label, trap[i]);
	out("\n(c) synchronous xsc_call, executor spinning on CPU %d, ns per call\n", exec_cpu);
	out("    %-34s %9s %9s %9s %9s\n", "", "p10", "median", "p90", "vs trap");
	for (int i = 0; i < 3; i++)
		out("    %-34s %9.0f %9.0f %9.0f %8.2fx\n", ops[i].label, ring[i].p10, ring[i].p50,
		    ring[i].p90, ring[i].p50 / trap[i].p50);
	out("    %-34s %9.0f %9.0f %9.0f %8.2fx\n", "getppid, spin 0, back to back",
	    handshake.p10, handshake.p50, handshake.p90, handshake.p50 / trap[0].p50);
	out("    %-34s %9.0f %9.0f %9.0f %8.2fx\n", "getppid, executor asleep",
	    asleep.p10, asleep.p50, asleep.p90, asleep.p50 / trap[0].p50);
	out("    (spin 0; asleep: %u us idle before each call, so it is in the futex)\n",
	    ASLEEP_GAP_US);

	js(",\"trap_ns\":{");
	for (int i = 0; i < 3; i++)
		json_dist(ops[i].name, trap[i], !i);
	js("},\"ring_sync_ns\":{");
	for (int i = 0; i < 3; i++)
		json_dist(ops[i].name, ring[i], !i);
	json_dist("getppid_spin0_back_to_back", handshake, 0);
	json_dist("getppid_executor_asleep", asleep, 0);
	js("}");
}

/* ------------------------------------------------------------ (d) batching */

/*
 * Submit @k, reap @k, until @calls are done; ns per call (wall). @batch_reap:
 * wait for the first completion, then take every one published with one
 * cq_head store (xsc_cq_advance); otherwise one xsc_cqe_seen() each, as a
 * client before batching did.
 */
static double batch_run(struct xsc_ring *r, long nr, uint32_t k, long calls, int batch_reap)
{
	uint64_t args[6] = { 0 };
	uint64_t t = now_ns();

	for (long done = 0; done < calls; done += k) {
		for (uint32_t i = 0; i < k; i++)
			xsc_prep(xsc_get_sqe(r), nr, args, i);
		xsc_submit(r);
		for (uint32_t got = 0; got < k;) {
			int err = 0;

			if (!xsc_wait_cqe(r, 1u << 20, &err))
				die("xsc_wait_cqe", err, 0);
			if (batch_reap) {
				uint32_t n = xsc_cq_ready(r);

				xsc_cq_advance(r, n);
				got += n;
			} else {
				xsc_cqe_seen(r);
				got++;
			}
		}
	}
	return (double)(now_ns() - t) / (double)calls;
}

static const uint32_t batch_ks[] = { 1, 2, 4, 8, 16, 32, 64 };
#define NK ((int)(sizeof(batch_ks) / sizeof(batch_ks[0])))
/* ns per call: [0] null, [1] getppid, [2] null with the per-entry protocol */
static double batch_ns[3][NK];

/* Throughput with 1..64 calls in flight: null entries and getppid with the
 * batched protocol, and null entries with the per-entry one (publication
 * per entry, one cq_head store per completion) beside it, same run. */
static void bench_batch(void)
{
	static char names[3][NK][48];

	for (int kind = 0; kind < 3; kind++) {
		long nr = kind == 1 ? __NR_getppid : 0;
		long calls = kind == 1 ? iters * 2 : iters * 4;
		int old = kind == 2;
		struct xsc_ring r;

		ring_open_opts(&r, SPIN_FOREVER_US, kind != 1, old);
		for (int j = 0; j < NK; j++) {
			struct xsc_user_stats a, b;
			long n = calls / batch_ks[j] * batch_ks[j];
			uint64_t cpu;

			batch_run(&r, nr, batch_ks[j], n / 10 / batch_ks[j] * batch_ks[j] + batch_ks[j], !old);
			xsc_user_ring_stats(&r, &a);
			cpu = thread_cpu_ns();
			batch_ns[kind][j] = batch_run(&r, nr, batch_ks[j], n, !old);
			cpu = thread_cpu_ns() - cpu;
			xsc_user_ring_stats(&r, &b);
			snprintf(names[kind][j], sizeof(names[kind][j]), "batch %s, %u in flight",
				 kind == 1 ? "getppid" : old ? "null, per-entry" : "null", batch_ks[j]);
			note_cost(names[kind][j], &a, &b, n, batch_ns[kind][j] * (double)n, (double)cpu);
		}
		xsc_user_ring_destroy(&r);
	}

	out("\n(d) one thread batching (submit k, reap k), executor spinning on CPU %d\n", exec_cpu);
	out("    batched: publication per pass / %d entries, reaped with one cq_head store;\n"
	    "    per-entry: sq_head, cq_tail published and cq_head stored per entry (before)\n",
	    XSC_PUBLISH_BATCH);
	out("    %-10s %14s %12s %16s %12s %16s\n", "in flight", "null ns/call", "null Mcall/s",
	    "null per-entry", "getppid ns", "getppid Mcall/s");
	for (int j = 0; j < NK; j++)
		out("    %-10u %14.1f %12.2f %16.1f %12.1f %16.2f\n", batch_ks[j], batch_ns[0][j],
		    1e3 / batch_ns[0][j], batch_ns[2][j], batch_ns[1][j], 1e3 / batch_ns[1][j]);
	js(",\"batch\":[");
	for (int j = 0; j < NK; j++)
		js("%s{\"in_flight\":%u,\"null_ns_per_call\":%.1f,\"getppid_ns_per_call\":%.1f,"
		   "\"null_per_entry_ns_per_call\":%.1f}",
		   j ? "," : "", batch_ks[j], batch_ns[0][j], batch_ns[1][j], batch_ns[2][j]);
	js("]");
}

/* ------------------------------------------------------------ (e) several submitters */

enum thread_mode { MODE_TRAP, MODE_RING_SYNC, MODE_RING_BATCH16 };

struct submitter {
	pthread_t th;
	enum thread_mode mode;
	const int *go, *stop;
	long calls;
	uint64_t exec_cpu_ns;
};

/* Calls in @s's mode until *stop; counts them. */
static void submit_loop(struct submitter *s, struct xsc_ring *r)
{
	uint64_t args[6] = { 0 };

	while (!__atomic_load_n(s->stop, __ATOMIC_ACQUIRE)) {
		if (s->mode == MODE_TRAP) {
			xsc_trap(__NR_getppid, args);
			s->calls++;
		} else if (s->mode == MODE_RING_SYNC) {
			xsc_call(r, __NR_getppid, args);
			s->calls++;
		} else {
			batch_run(r, __NR_getppid, 16, 16, 1);
			s->calls += 16;
		}
	}
}

static void *submitter_main(void *arg)
{
	struct submitter *s = arg;
	struct xsc_user_stats a = { 0 }, b = { 0 };
	struct xsc_ring r;

	unpin_self();
	if (s->mode != MODE_TRAP) {
		/* the kernel's default spin; executors run wherever the scheduler puts them */
		if (xsc_user_ring_create(&r, RING_ENTRIES, 50, 0))
			die("xsc_user_ring_create", -1, 0);
	}
	while (!__atomic_load_n(s->go, __ATOMIC_ACQUIRE))
		sched_yield();
	if (s->mode != MODE_TRAP)
		xsc_user_ring_stats(&r, &a);
	submit_loop(s, &r);
	if (s->mode != MODE_TRAP) {
		xsc_user_ring_stats(&r, &b);
		s->exec_cpu_ns = b.cpu_ns - a.cpu_ns;
		xsc_user_ring_destroy(&r);
	}
	return NULL;
}

/* @n threads in @mode for THREAD_RUN_MS; aggregate calls per second. */
static double threads_run(int n, enum thread_mode mode, double *exec_ns_per_call)
{
	struct submitter s[8];
	struct timespec ts = { THREAD_RUN_MS / 1000, (THREAD_RUN_MS % 1000) * 1000000L };
	int go = 0, stop = 0;
	long calls = 0;
	uint64_t cpu = 0, t;

	for (int i = 0; i < n; i++) {
		s[i] = (struct submitter){ .mode = mode, .go = &go, .stop = &stop };
		pthread_create(&s[i].th, NULL, submitter_main, &s[i]);
	}
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);	/* let the rings come up */
	t = now_ns();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	nanosleep(&ts, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	t = now_ns() - t;
	for (int i = 0; i < n; i++) {
		pthread_join(s[i].th, NULL);
		calls += s[i].calls;
		cpu += s[i].exec_cpu_ns;
	}
	*exec_ns_per_call = calls ? (double)cpu / (double)calls : 0;
	return (double)calls * 1e9 / (double)t;
}

static void bench_threads(void)
{
	static const char *mode_names[3] = { "trap", "ring_sync", "ring_batch16" };
	static const int counts[2] = { 2, 4 };
	double rate[2][3], cpu[2][3];

	for (int i = 0; i < 2; i++)
		for (int m = 0; m < 3; m++)
			rate[i][m] = threads_run(counts[i], (enum thread_mode)m, &cpu[i][m]);

	out("\n(e) several submitting threads, getppid, each ring with its own executor\n");
	out("    (unpinned, executor spin 50 us; %d CPUs shared by submitters and executors)\n",
	    ncpus);
	out("    %-10s %16s %16s %16s %16s\n", "threads", "trap Mcall/s", "ring sync Mc/s",
	    "ring batch16", "exec CPU ns/call");
	for (int i = 0; i < 2; i++)
		out("    %-10d %16.2f %16.2f %16.2f %7.0f / %-7.0f\n", counts[i], rate[i][0] / 1e6,
		    rate[i][1] / 1e6, rate[i][2] / 1e6, cpu[i][1], cpu[i][2]);
	out("    (exec CPU: sync / batch16, summed over the executors)\n");
	js(",\"threads\":[");
	for (int i = 0; i < 2; i++)
		for (int m = 0; m < 3; m++)
			js("%s{\"threads\":%d,\"mode\":\"%s\",\"calls_per_s\":%.0f,"
			   "\"exec_cpu_ns_per_call\":%.1f}",
			   i || m ? "," : "", counts[i], mode_names[m], rate[i][m], cpu[i][m]);
	js("]");
}

/* ------------------------------------------------------------ (f) executor CPU */

static void print_costs(void)
{
	out("\n(f) CPU time per call: the executor's (its CLOCK_THREAD_CPUTIME_ID), the submitter's,\n"
	    "    and both (system-wide; a trap costs its own latency); sleeps: the executor's futex\n"
	    "    sleeps, waits: the submitter's (enter XSC_ENTER_WAIT)\n");
	out("    %-32s %10s %10s %10s %10s %6s %9s %9s\n", "", "wall ns", "exec CPU", "subm CPU",
	    "total CPU", "busy", "sleeps", "waits");
	js(",\"exec_cpu_cost\":[");
	for (int i = 0; i < ncosts; i++) {
		const struct exec_cost *c = &costs[i];
		double sub = c->sub_cpu_ns < 0 ? -1 : c->sub_cpu_ns / c->calls;
		char subs[16] = "-", total[16] = "-";

		if (sub >= 0) {
			snprintf(subs, sizeof(subs), "%.1f", sub);
			snprintf(total, sizeof(total), "%.1f", sub + c->cpu_ns / c->calls);
		}
		out("    %-32s %10.1f %10.1f %10s %10s %5.0f%% %9.3f %9.3f\n", c->name,
		    c->wall_ns / c->calls, c->cpu_ns / c->calls, subs, total,
		    100.0 * c->cpu_ns / c->wall_ns, c->sleeps / c->calls, c->waits / c->calls);
		js("%s{\"phase\":\"%s\",\"calls\":%ld,\"wall_ns_per_call\":%.1f,"
		   "\"cpu_ns_per_call\":%.1f,\"submitter_cpu_ns_per_call\":%.1f,"
		   "\"sleeps_per_call\":%.3f,\"waits_per_call\":%.3f}",
		   i ? "," : "", c->name, c->calls, c->wall_ns / c->calls, c->cpu_ns / c->calls, sub,
		   c->sleeps / c->calls, c->waits / c->calls);
	}
	js("]");
}

/* ------------------------------------------------------------ (g) ratios */

/* The targets as ratios of figures measured above, this run. */
static void print_ratios(void)
{
	double null16 = batch_ns[0][4], null64 = batch_ns[0][6];
	double floor_sync = pingpong_p50 + trap_getppid_p50;

	out("\n(g) ratios, this run (medians for latencies, wall per call for batches)\n");
	out("    %-58s %8.2fx  (target <= 0.5)\n", "null entry, 16 in flight / trap getppid",
	    null16 / trap_getppid_p50);
	out("    %-58s %8.2fx\n", "null entry, 64 in flight / trap getppid", null64 / trap_getppid_p50);
	out("    %-58s %8.2fx\n", "null entry 16 in flight: batched / per-entry protocol",
	    null16 / batch_ns[2][4]);
	if (pingpong_p50 > 0) {
		out("    %-58s %8.2fx  (target <= 2)\n", "sync getppid / bare round trip",
		    ring_getppid_p50 / pingpong_p50);
		out("    %-58s %8.2fx\n", "floor: (round trip + the executor's own trap) / round trip",
		    floor_sync / pingpong_p50);
	}
	js(",\"ratios\":{\"null16_over_trap\":%.3f,\"null64_over_trap\":%.3f,"
	   "\"null16_batched_over_per_entry\":%.3f,\"sync_over_round_trip\":%.3f,"
	   "\"floor_over_round_trip\":%.3f}",
	   null16 / trap_getppid_p50, null64 / trap_getppid_p50, null16 / batch_ns[2][4],
	   pingpong_p50 > 0 ? ring_getppid_p50 / pingpong_p50 : 0,
	   pingpong_p50 > 0 ? floor_sync / pingpong_p50 : 0);
}

/* ------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr, "usage: transport [-n iterations] [-j]\n"
			"  -n  calls per latency measurement (default 100000)\n"
			"  -j  print only the JSON line\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char model[128];
	int opt, vm;
	double load = loadavg();
	uint64_t t0 = now_ns();

	while ((opt = getopt(argc, argv, "n:j")) != -1) {
		if (opt == 'n')
			iters = strtol(optarg, NULL, 0);
		else if (opt == 'j')
			json_only = 1;
		else
			usage();
	}
	if (iters < 100)
		usage();
	choose_cpus();
	vm = cpu_info(model, sizeof(model));
	pin_self(main_cpu);
	calibrate();
	setup_ops();

	out("xsc transport benchmark: %s, %d CPUs%s, n=%ld, load average %.2f%s\n", model, ncpus,
	    vm ? " (virtual machine: hypervisor flag set)" : "", iters, load,
	    load > 1.5 ? " (busy: figures are disturbed)" : "");
	out("submitter on CPU %d, executor on CPU %d; timer %s: resolution %.1f ns, "
	    "overhead %.1f ns (subtracted)\n", main_cpu, exec_cpu,
#if defined(__x86_64__)
	    "TSC (rdtscp)",
#else
	    "CLOCK_MONOTONIC",
#endif
	    timer_resolution_ns, timer_overhead_ns);
	js("{\"bench\":\"xsc-transport\",\"n\":%ld,\"cpus\":%d,\"vm\":%s,\"cpu_model\":\"%s\","
	   "\"loadavg\":%.2f,", iters, ncpus, vm ? "true" : "false", model, load);
	js("\"submit_cpu\":%d,\"executor_cpu\":%d,\"timer_resolution_ns\":%.1f,"
	   "\"timer_overhead_ns\":%.1f",
	   main_cpu, exec_cpu, timer_resolution_ns, timer_overhead_ns);

	if (exec_cpu >= 0)
		bench_pingpong();
	bench_latency();
	bench_batch();
	bench_threads();
	print_costs();
	print_ratios();
	js(",\"seconds\":%.1f}", (double)(now_ns() - t0) / 1e9);
	out("\ntotal %.1f s\n\n", (double)(now_ns() - t0) / 1e9);
	printf("%s\n", json);
	return 0;
}
