/*
 * Ring vs trap inside a cell's guest (meson test --benchmark). Under TCG
 * every figure is emulated: only ratios measured in the same run mean
 * anything, and even they are distorted (docs/PERFORMANCE.md).
 *
 * Prints one "name value unit" line per figure and a final JSON line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "xsc.h"
#include "xsc_test.h"

static int iters = 2000;
static char json[8192];
static size_t json_len;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(const char *name, double value, const char *unit)
{
	printf("%-36s %12.1f %s\n", name, value, unit);
	fflush(stdout);
	json_len += snprintf(json + json_len, sizeof(json) - json_len, "%s\"%s\": %.1f",
			     json_len ? ", " : "", name, value);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Every CPU: a worker takes its submitter's affinity at setup, so rings
 * are set up unpinned (a worker pinned to its submitter's CPU shares it). */
static void unpin(void)
{
	cpu_set_t all;

	CPU_ZERO(&all);
	for (int c = 0; c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

/* ---- the bare cross-core round trip: a cache line bounced between CPUs */

static volatile unsigned int ping __attribute__((aligned(64)));
static volatile unsigned int pong __attribute__((aligned(64)));

static void *ponger(void *arg)
{
	(void)arg;
	pin(1);
	for (unsigned int i = 1; i <= (unsigned int)iters; i++) {
		while (__atomic_load_n(&ping, __ATOMIC_ACQUIRE) != i)
			;
		__atomic_store_n(&pong, i, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double bare_round_trip(void)
{
	pthread_t t;
	double t0;

	ping = pong = 0;
	pin(0);
	pthread_create(&t, NULL, ponger, NULL);
	t0 = now_ns();
	for (unsigned int i = 1; i <= (unsigned int)iters; i++) {
		__atomic_store_n(&ping, i, __ATOMIC_RELEASE);
		while (__atomic_load_n(&pong, __ATOMIC_ACQUIRE) != i)
			;
	}
	double per = (now_ns() - t0) / iters;
	pthread_join(t, NULL);
	return per;
}

/* ---- the sleeping round trip: what a call costs when neither side may
 * spin (two threads pass a token through a futex, each sleeping until the
 * other wakes it): the floor of a ring call whose submitter and worker
 * both sleep, as they must when the CPUs are oversubscribed */

static unsigned int token __attribute__((aligned(64)));

static void futex_pass(unsigned int mine, unsigned int next)
{
	unsigned int v;

	/* sleep while the token still holds the value read */
	while ((v = __atomic_load_n(&token, __ATOMIC_ACQUIRE)) != mine)
		syscall(SYS_futex, &token, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
	__atomic_store_n(&token, next, __ATOMIC_RELEASE);
	syscall(SYS_futex, &token, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *futex_partner(void *arg)
{
	if (arg)
		pin(0);
	for (unsigned int i = 0; i < (unsigned int)iters; i++)
		futex_pass(2 * i + 1, 2 * i + 2);
	return NULL;
}

/* @same_cpu: both threads on CPU 0, the handoff a submitter and its
 * worker sharing a CPU can at best do; otherwise wherever they run */
static double sleeping_round_trip(int same_cpu)
{
	pthread_t t;
	double t0;

	token = 0;
	if (same_cpu)
		pin(0);
	pthread_create(&t, NULL, futex_partner, same_cpu ? &token : NULL);
	t0 = now_ns();
	for (unsigned int i = 0; i < (unsigned int)iters; i++)
		futex_pass(2 * i, 2 * i + 1);
	futex_pass(2 * (unsigned int)iters, 0);
	double per = (now_ns() - t0) / iters;
	pthread_join(t, NULL);
	unpin();
	return per;
}

/* ---- the three operations, by trap and by ring */

struct op {
	const char *name;
	long nr;
	uint64_t args[6];
};

static double by_trap(const struct op *op)
{
	double t0 = now_ns();

	for (int i = 0; i < iters; i++)
		xsc_trap(op->nr, op->args);
	return (now_ns() - t0) / iters;
}

static double by_ring(struct xsc_ring *r, const struct op *op)
{
	double t0 = now_ns();

	for (int i = 0; i < iters; i++)
		xsc_call(r, op->nr, op->args);
	return (now_ns() - t0) / iters;
}

/*
 * The protocol before XSC_FEAT_BATCH / _WORKER_STATE, on the same kernel
 * and binary, for side-by-side figures: the worker publishes per entry and
 * spins whoever runs, the client ignores the worker's state and stores
 * cq_head per completion.
 */
static int old_protocol(struct xsc_ring *r, unsigned int entries, unsigned int spin_us)
{
	int err = xsc_ring_init_flags(r, entries, spin_us, XSC_SETUP_PUBLISH_EACH | XSC_SETUP_SPIN_ALWAYS);

	r->features &= ~XSC_FEAT_WORKER_STATE;
	return err;
}

/* calls per second with k in flight: submit k, reap k (@batch_reap: every
 * published completion with one cq_head store) */
static double batched(struct xsc_ring *r, const struct op *op, int k, int batch_reap)
{
	int rounds = iters / k > 0 ? iters / k : 1, err;
	double t0 = now_ns();

	for (int n = 0; n < rounds; n++) {
		for (int i = 0; i < k; i++)
			xsc_prep(xsc_get_sqe(r), op->nr, op->args, i);
		xsc_submit(r);
		for (int got = 0; got < k;) {
			if (!xsc_wait_cqe(r, XSC_WAIT_SPIN, &err))
				return 0;
			if (batch_reap) {
				uint32_t ready = xsc_cq_ready(r);

				xsc_cq_advance(r, ready);
				got += (int)ready;
			} else {
				xsc_cqe_seen(r);
				got++;
			}
		}
	}
	return rounds * k / ((now_ns() - t0) / 1e9);
}

/* The process's CPU time (every thread, ring workers included), in ns. */
static double process_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double thread_cpu_ns(pid_t tid)
{
	/* a thread's CPU clock id: (~tid << 3) | CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED */
	clockid_t clk = (clockid_t)((~(unsigned int)tid << 3) | 4 | 2);
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return -1;
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ring: 0 trap, 1 ring, 2 ring with the old protocol */
struct mt {
	const struct op *op;
	int ring;
	pthread_barrier_t *ready;
	double start, end;
};

static void *mt_thread(void *arg)
{
	struct mt *m = arg;
	struct xsc_ring r;
	int err = 0;

	if (m->ring == 1)
		err = xsc_ring_init(&r, 8, 0);
	else if (m->ring == 2)
		err = old_protocol(&r, 8, 0);
	pthread_barrier_wait(m->ready);		/* every ring up before anyone calls */
	if (err)
		return NULL;
	m->start = now_ns();
	for (int i = 0; i < iters; i++) {
		if (m->ring)
			xsc_call(&r, m->op->nr, m->op->args);
		else
			xsc_trap(m->op->nr, m->op->args);
	}
	m->end = now_ns();
	if (m->ring)
		xsc_ring_exit(&r);
	return NULL;
}

/* Aggregate calls per second of @n threads, each making iters calls:
 * all calls over the time from the first start to the last end. */
static double threads_rate(const struct op *op, int n, int ring)
{
	pthread_barrier_t ready;
	pthread_t t[8];
	struct mt m[8];
	double first = 0, last = 0;

	pthread_barrier_init(&ready, NULL, (unsigned int)n);
	for (int i = 0; i < n; i++) {
		m[i] = (struct mt){ .op = op, .ring = ring, .ready = &ready };
		pthread_create(&t[i], NULL, mt_thread, &m[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (!m[i].start)
			return 0;
		if (!i || m[i].start < first)
			first = m[i].start;
		if (m[i].end > last)
			last = m[i].end;
	}
	pthread_barrier_destroy(&ready);
	return (double)n * iters / ((last - first) / 1e9);
}

/* ---- CPU while a thread waits in a blocking ring call */

struct blocked {
	int fd;
	int old;
	long ret;
};

static void *blocked_reader(void *arg)
{
	struct blocked *b = arg;
	struct xsc_ring r;
	char c;
	uint64_t a[6] = { (uint64_t)b->fd, (uint64_t)(uintptr_t)&c, 1 };

	if (b->old ? old_protocol(&r, 8, 0) : xsc_ring_init(&r, 8, 0)) {
		b->ret = -1;
		return NULL;
	}
	b->ret = (long)xsc_call(&r, SYS_read, a);
	xsc_ring_exit(&r);
	return NULL;
}

/*
 * Share of one CPU the process uses (submitter and worker) while a thread
 * is blocked in a ring read of an empty pipe: measured from 50 ms after
 * the call starts (past any spin window) for 200 ms; the main thread
 * sleeps meanwhile. -1 if the call did not complete as a read of 1 byte.
 */
static double blocked_cpu_share(int old)
{
	struct blocked b = { .old = old };
	struct timespec settle = { 0, 50000000 }, window = { 0, 200000000 };
	int p[2];
	pthread_t t;
	double cpu0, t0, share;

	if (pipe(p))
		return -1;
	b.fd = p[0];
	pthread_create(&t, NULL, blocked_reader, &b);
	nanosleep(&settle, NULL);
	cpu0 = process_cpu_ns();
	t0 = now_ns();
	nanosleep(&window, NULL);
	share = 100 * (process_cpu_ns() - cpu0) / (now_ns() - t0);
	if (write(p[1], "x", 1) != 1)
		share = -1;
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
	return b.ret == 1 ? share : -1;
}

int main(int argc, char **argv)
{
	static char buf[4096];
	struct xsc_ring r;
	char name[64];
	int err;
	int devnull = open("/dev/null", O_WRONLY);
	int file = open("/tmp/xsc-bench", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (argc > 1)
		iters = atoi(argv[1]);
	if (write(file, buf, sizeof(buf)) != sizeof(buf) || xsc_ring_init(&r, 64, 1000)) {
		printf("1..0 # SKIP no ring (or no /tmp)\n");
		return 77;
	}
	struct op ops[] = {
		{ "null (getppid)", SYS_getppid, { 0 } },
		{ "write 1 B /dev/null", SYS_write, { (uint64_t)devnull, (uint64_t)(uintptr_t)buf, 1 } },
		{ "pread 4 KiB tmpfs", SYS_pread64, { (uint64_t)file, (uint64_t)(uintptr_t)buf, 4096, 0 } },
	};

	printf("# iterations %d, cpus %ld\n", iters, sysconf(_SC_NPROCESSORS_ONLN));
	report("bare cross-core round trip", bare_round_trip(), "ns");
	pin(0);
	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(name, sizeof(name), "trap %s", ops[i].name);
		report(name, by_trap(&ops[i]), "ns");
		snprintf(name, sizeof(name), "ring sync %s", ops[i].name);
		report(name, by_ring(&r, &ops[i]), "ns");
	}
	report("trap null calls/s", 1e9 / by_trap(&ops[0]), "/s");
	for (int k = 1; k <= 64; k *= 2) {
		snprintf(name, sizeof(name), "ring null, %d in flight", k);
		report(name, batched(&r, &ops[0], k, 1), "/s");
	}

	/* the ring's worker (this is its only ring): its CPU clock, in ns */
	pid_t worker = xt_worker_tid(getpid(), (int)syscall(SYS_gettid));
	double cpu0 = thread_cpu_ns(worker), t0 = now_ns();
	double rate = batched(&r, &ops[0], 16, 1);
	double wall = now_ns() - t0, cpu = thread_cpu_ns(worker) - cpu0;
	report("worker CPU per call, 16 in flight", cpu / (rate * wall / 1e9), "ns");
	report("worker CPU share, 16 in flight", 100 * cpu / wall, "%");
	xsc_ring_exit(&r);

	/* the same with the protocol before batching, same kernel, same run */
	unpin();
	err = old_protocol(&r, 64, 1000);
	pin(0);
	if (err == 0) {
		report("ring sync null (getppid), old protocol", by_ring(&r, &ops[0]), "ns");
		for (int k = 1; k <= 64; k *= 4) {
			snprintf(name, sizeof(name), "ring null, %d in flight, old protocol", k);
			report(name, batched(&r, &ops[0], k, 0), "/s");
		}
		xsc_ring_exit(&r);
	}

	unpin();
	for (int n = 1; n <= 4; n *= 2) {
		snprintf(name, sizeof(name), "trap null, %d threads", n);
		report(name, threads_rate(&ops[0], n, 0), "/s");
		snprintf(name, sizeof(name), "ring sync null, %d threads", n);
		report(name, threads_rate(&ops[0], n, 1), "/s");
		snprintf(name, sizeof(name), "ring sync null, %d threads, old protocol", n);
		report(name, threads_rate(&ops[0], n, 2), "/s");
	}
	report("sleeping round trip (futex wake, both sides asleep)", sleeping_round_trip(0), "ns");
	report("sleeping round trip, both on one CPU", sleeping_round_trip(1), "ns");
	report("CPU while blocked in a ring read", blocked_cpu_share(0), "%");
	report("CPU while blocked in a ring read, old protocol", blocked_cpu_share(1), "%");
	printf("XSC-BENCH-JSON: {%s}\n", json);
	printf("ok 1 - benchmark ran\n1..1\n");
	return 0;
}
