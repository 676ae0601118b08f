/*
 * Host unit tests of libxsc's ring logic against the user-space executor
 * (executor.h). TAP on stdout; exit 0 if every test passed, else 1.
 *
 * Each test runs in a forked child under a time limit, so a lost wake-up
 * shows up as "not ok ... timed out" instead of a hang.
 *
 *   gcc -O2 -Wall -Wextra -Werror -I libc/xsc -I libc/xsc/arch-x86 \
 *       -I kernel/include/uapi tests/libxsc/test-ring.c \
 *       tests/libxsc/executor.c libc/xsc/xsc.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsc.h"
#include "executor.h"
#include "xsc_test.h"

#define P(ptr)		((uint64_t)(uintptr_t)(ptr))

/* Fail the current test (return 1) with the condition and a note. */
#define CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			xt_note("%s:%d: failed: %s", __FILE__, __LINE__, #cond);	\
			xt_note(__VA_ARGS__);					\
			return 1;						\
		}								\
	} while (0)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait up to @ms for *@p == @want; whether it got there. */
static int wait_u32(const uint32_t *p, uint32_t want, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (now_ms() > end)
			return 0;
		sched_yield();
	}
	return 1;
}

/* xsc_call with up to three arguments. */
static int64_t call3(struct xsc_ring *r, long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };

	return xsc_call(r, nr, a);
}

/* Take one entry and fill it; NULL if the queue is full. */
static struct xsc_sqe *queue3(struct xsc_ring *r, long nr, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t user_data)
{
	uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };
	struct xsc_sqe *sqe = xsc_get_sqe(r);

	if (sqe)
		xsc_prep(sqe, nr, a, user_data);
	return sqe;
}

/* A distinct 64-bit value per sequence number (the null executor echoes it). */
static uint64_t value_of(uint64_t seq)
{
	return (seq + 1) * 0x9e3779b97f4a7c15ull;
}

/* Reap one completion (waiting with @spin); 0 if it is @user_data with
 * @result and status DONE, else 1 with a note. */
static int reap_one(struct xsc_ring *r, unsigned int spin, uint64_t user_data, int64_t result)
{
	int err = 0;
	struct xsc_cqe *cqe = xsc_wait_cqe(r, spin, &err);
	uint64_t ud;
	int64_t res;
	uint32_t status;

	CHECK(cqe, "xsc_wait_cqe: %d (expected user_data %" PRIu64 ")", err, user_data);
	ud = cqe->user_data;
	res = cqe->result;
	status = cqe->status;
	xsc_cqe_seen(r);
	CHECK(ud == user_data && res == result && status == XSC_STATUS_DONE,
	      "completion user_data %" PRIu64 " result %" PRId64 " status %u, expected %" PRIu64
	      " %" PRId64 " 0", ud, res, status, user_data, result);
	return 0;
}

/* Unread completions right now. */
static uint32_t cq_unread(struct xsc_ring *r)
{
	return __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - *r->cq_head;
}

/* ------------------------------------------------------------ single calls */

static int test_getpid(void)
{
	struct xsc_ring r;

	CHECK(xsc_user_ring_create(&r, 8, 50, 0) == 0, "create");
	CHECK(r.fd == -1, "a user-space ring has fd -1, not %d", r.fd);
	for (int i = 0; i < 100; i++) {
		int64_t pid = call3(&r, __NR_getpid, 0, 0, 0);
		int64_t ppid = call3(&r, __NR_getppid, 0, 0, 0);

		CHECK(pid == getpid() && ppid == getppid(), "getpid %" PRId64 " getppid %" PRId64
		      ", expected %d %d", pid, ppid, (int)getpid(), (int)getppid());
	}
	xsc_user_ring_destroy(&r);
	return 0;
}

static int test_pipe_write(void)
{
	struct xsc_ring r;
	char buf[32] = "";
	int p[2];
	int64_t n;

	CHECK(pipe(p) == 0, "pipe");
	CHECK(xsc_user_ring_create(&r, 8, 50, 0) == 0, "create");
	n = call3(&r, __NR_write, (uint64_t)p[1], P("xsc-ring"), 8);
	CHECK(n == 8, "write returned %" PRId64, n);
	CHECK(read(p[0], buf, sizeof(buf)) == 8 && !memcmp(buf, "xsc-ring", 8),
	      "the pipe holds \"%.8s\"", buf);
	/* and the other way: the executor reads into our buffer */
	CHECK(write(p[1], "abc", 3) == 3, "write");
	memset(buf, 0, sizeof(buf));
	n = call3(&r, __NR_read, (uint64_t)p[0], P(buf), sizeof(buf));
	CHECK(n == 3 && !memcmp(buf, "abc", 3), "read returned %" PRId64 " \"%s\"", n, buf);
	xsc_user_ring_destroy(&r);
	return 0;
}

static int test_ebadf(void)
{
	struct xsc_ring r;
	int fd = dup(1);
	int64_t n;

	CHECK(fd >= 0 && close(fd) == 0, "a free descriptor number");
	CHECK(xsc_user_ring_create(&r, 8, 50, 0) == 0, "create");
	n = call3(&r, __NR_write, (uint64_t)fd, P("x"), 1);
	CHECK(n == -EBADF, "write to a closed fd returned %" PRId64, n);
	n = call3(&r, __NR_close, (uint64_t)fd, 0, 0);
	CHECK(n == -EBADF, "close of a closed fd returned %" PRId64, n);
	/* a negative result is not mistaken for a failure of the ring */
	n = call3(&r, __NR_getpid, 0, 0, 0);
	CHECK(n == getpid(), "getpid afterwards returned %" PRId64, n);
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ fullness */

/*
 * Fill a ring of @n entries whose executor then blocks: entry 0 reads the
 * empty pipe @p, entries 1..n-1 are getppid. Checks that xsc_get_sqe hands
 * out exactly n consecutive slots, then NULL, and exactly one more once the
 * executor has taken the read; then unblocks it and reaps all n + 1.
 */
static int fill_and_block(struct xsc_ring *r, uint32_t n, const int p[2])
{
	uint32_t start = *r->sq_head;
	char c = 0;
	int64_t ppid = getppid();

	for (uint32_t i = 0; i < n; i++) {
		struct xsc_sqe *sqe = i ? queue3(r, __NR_getppid, 0, 0, 0, i)
					: queue3(r, __NR_read, (uint64_t)p[0], P(&c), 1, 0);

		CHECK(sqe == &r->sqes[(start + i) & (n - 1)], "entry %u: slot %p, expected %p",
		      i, (void *)sqe, (void *)&r->sqes[(start + i) & (n - 1)]);
	}
	CHECK(!xsc_get_sqe(r) && !xsc_get_sqe(r), "xsc_get_sqe beyond %u entries", n);
	CHECK(xsc_submit(r) == (int)n, "submit");
	CHECK(wait_u32(r->sq_head, start + 1, 2000), "the executor took the read: sq_head %u",
	      *r->sq_head);
	sleep_ms(20);
	CHECK(*r->sq_head == start + 1, "the blocked executor took more: sq_head %u",
	      *r->sq_head - start);
	CHECK(queue3(r, __NR_getppid, 0, 0, 0, n) == &r->sqes[(start + n) & (n - 1)],
	      "one slot is free again");
	CHECK(!xsc_get_sqe(r), "xsc_get_sqe with %u entries outstanding", n);
	CHECK(xsc_submit(r) == 1, "submit of the last one");
	CHECK(write(p[1], "!", 1) == 1, "unblock");
	CHECK(!reap_one(r, 1000, 0, 1) && c == '!', "the read");
	for (uint32_t i = 1; i <= n; i++)
		CHECK(!reap_one(r, 1000, i, ppid), "getppid %u", i);
	CHECK(xsc_get_sqe(r), "xsc_get_sqe once drained");
	r->sq_tail_local--;		/* give the entry back unused */
	return 0;
}

static int test_get_sqe_full(void)
{
	struct xsc_ring r;
	int p[2];

	CHECK(pipe(p) == 0, "pipe");
	CHECK(xsc_user_ring_create(&r, 8, 50, 0) == 0, "create");
	CHECK(!fill_and_block(&r, 8, p), "a ring of 8");
	xsc_user_ring_destroy(&r);
	CHECK(xsc_user_ring_create(&r, 1, 50, 0) == 0, "create");
	CHECK(!fill_and_block(&r, 1, p), "a ring of 1");
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ batching */

/*
 * Pass @total null entries through @r in batches of 1..max (submit k, then
 * reap k), each with a distinct argument and user_data, starting at @seq0.
 */
static int run_batches(struct xsc_ring *r, uint32_t max, uint32_t total, uint64_t seq0)
{
	uint64_t seq = seq0, end = seq0 + total;
	uint32_t k = 1;

	while (seq < end) {
		uint64_t first = seq;
		uint32_t got;

		if (k > end - seq)
			k = (uint32_t)(end - seq);
		for (uint32_t i = 0; i < k; i++, seq++)
			CHECK(queue3(r, 0, value_of(seq), 0, 0, seq), "entry %u of %u", i, k);
		got = (uint32_t)xsc_submit(r);
		CHECK(got == k, "submit published %u of %u", got, k);
		for (uint64_t s = first; s < seq; s++)
			CHECK(!reap_one(r, 1000, s, (int64_t)value_of(s)), "batch of %u", k);
		k = k % max + 1;
	}
	CHECK(cq_unread(r) == 0, "%u completions left over", cq_unread(r));
	return 0;
}

static int test_batch_null(void)
{
	struct xsc_ring r;

	CHECK(xsc_user_ring_create(&r, 64, 50, 1) == 0, "create");
	CHECK(!run_batches(&r, 64, 20000, 0), "batches");
	CHECK(*r.sq_head == 20000 && *r.cq_tail == 20000, "indices %u %u", *r.sq_head,
	      *r.cq_tail);
	xsc_user_ring_destroy(&r);
	return 0;
}

static int test_batch_real(void)
{
	enum { N = 16 };
	struct xsc_ring r;
	char buf[N * (N + 1) / 2 + 1], want[sizeof(buf)];
	int64_t ppid = getppid();
	size_t len = 0;
	int p[2];

	CHECK(pipe(p) == 0, "pipe");
	CHECK(xsc_user_ring_create(&r, N, 50, 0) == 0, "create");
	for (int round = 0; round < 50; round++) {
		/* entry i writes i + 1 copies of one letter; odd ones are getppid */
		len = 0;
		for (uint32_t i = 0; i < N; i++) {
			char *s = want + len;

			if (i & 1) {
				CHECK(queue3(&r, __NR_getppid, 0, 0, 0, 1000 + i), "entry");
				continue;
			}
			memset(s, 'a' + (int)((i + (uint32_t)round) % 26), i + 1);
			len += i + 1;
			CHECK(queue3(&r, __NR_write, (uint64_t)p[1], P(s), i + 1, 1000 + i), "entry");
		}
		CHECK(xsc_submit(&r) == N, "submit");
		for (uint32_t i = 0; i < N; i++)
			CHECK(!reap_one(&r, 1000, 1000 + i, i & 1 ? ppid : (int64_t)i + 1),
			      "round %d entry %u", round, i);
		CHECK(read(p[0], buf, sizeof(buf)) == (ssize_t)len && !memcmp(buf, want, len),
		      "round %d: the pipe holds the writes out of order", round);
	}
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ wraparound */

static int test_wraparound(void)
{
	struct xsc_user_opts o = {
		.entries = 8, .spin_us = 20, .null_exec = 1, .cpu = -1, .trap_nr = -1,
		.sq_start = 0xfffffff3u, .cq_start = 0xffffffe5u,
	};
	struct xsc_ring r;
	int p[2];

	CHECK(xsc_user_ring_create_opts(&r, &o) == 0, "create");
	CHECK(r.sq_tail_local == o.sq_start, "libxsc starts at sq_tail %#x", r.sq_tail_local);
	CHECK(!run_batches(&r, 8, 1000, 0), "batches across 2^32");
	CHECK(*r.sq_head == (uint32_t)(o.sq_start + 1000) && *r.sq_tail == *r.sq_head,
	      "sq indices %#x %#x", *r.sq_head, *r.sq_tail);
	CHECK(*r.cq_head == (uint32_t)(o.cq_start + 1000) && *r.cq_tail == *r.cq_head,
	      "cq indices %#x %#x", *r.cq_head, *r.cq_tail);
	xsc_user_ring_destroy(&r);

	/* fullness while the outstanding entries straddle the wrap */
	CHECK(pipe(p) == 0, "pipe");
	o.null_exec = 0;
	o.sq_start = 0xfffffffdu;
	o.cq_start = 0xfffffffau;
	CHECK(xsc_user_ring_create_opts(&r, &o) == 0, "create");
	CHECK(!fill_and_block(&r, 8, p), "full across the wrap");
	CHECK(*r.sq_head == 0xfffffffdu + 9 && *r.cq_head == 0xfffffffau + 9,
	      "indices %#x %#x", *r.sq_head, *r.cq_head);
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ CQ full */

/* Queue and publish null entries @from..@to-1 (user_data = sequence). */
static int submit_range(struct xsc_ring *r, uint64_t from, uint64_t to)
{
	for (uint64_t s = from; s < to; s++)
		CHECK(queue3(r, 0, value_of(s), 0, 0, s), "entry %" PRIu64, s);
	CHECK(xsc_submit(r) == (int)(to - from), "submit");
	return 0;
}

/* Wait up to 2 s until the executor has stopped on a full completion
 * queue and sleeps behind NEED_WAKEUP; 0, or 1 with a note. */
static int wait_asleep_on_full(struct xsc_ring *r)
{
	struct xsc_user_stats st = { 0 };
	uint64_t end = now_ms() + 2000;

	do {
		xsc_user_ring_stats(r, &st);	/* wakes it: it sees the queue again */
		sleep_ms(1);
	} while (!st.cq_full && now_ms() < end);
	CHECK(st.cq_full, "the executor never found the queue full");
	while (!(__atomic_load_n(r->flags, __ATOMIC_ACQUIRE) & XSC_RING_NEED_WAKEUP))
		CHECK(now_ms() < end, "the executor does not go to sleep on the full queue");
	return 0;
}

static int test_cq_backpressure(void)
{
	struct xsc_ring r;
	struct xsc_user_stats st;
	uint32_t sq0, cq0;

	/* spin 0: the executor sleeps while the queue is full, so only
	 * xsc_cqe_seen's wake-up gets it going again */
	CHECK(xsc_user_ring_create(&r, 4, 0, 1) == 0, "create");
	CHECK(r.cq_entries == 8, "cq_entries %u", r.cq_entries);
	sq0 = *r.sq_head;
	cq0 = *r.cq_tail;
	CHECK(!submit_range(&r, 0, 4), "first 4");
	CHECK(wait_u32(r.cq_tail, cq0 + 4, 2000), "4 completions");
	CHECK(!submit_range(&r, 4, 8), "next 4");
	CHECK(wait_u32(r.cq_tail, cq0 + 8, 2000), "8 completions: the queue is full");
	CHECK(!submit_range(&r, 8, 12), "4 more");
	CHECK(!wait_asleep_on_full(&r), "the executor saw the full queue");
	sleep_ms(20);
	CHECK(*r.sq_head == sq0 + 8 && *r.cq_tail == cq0 + 8,
	      "the executor took entries into a full queue: sq_head +%u cq_tail +%u",
	      *r.sq_head - sq0, *r.cq_tail - cq0);
	CHECK(!xsc_get_sqe(&r), "the submission queue is full too");
	CHECK(__atomic_load_n(r.flags, __ATOMIC_ACQUIRE) & XSC_RING_NEED_WAKEUP,
	      "the executor is not asleep behind NEED_WAKEUP on the full queue");
	for (uint32_t i = 0; i < 8; i++)
		CHECK(r.cqes[(cq0 + i) & 7].user_data == i, "completion %u overwritten by %" PRIu64,
		      i, r.cqes[(cq0 + i) & 7].user_data);
	xsc_user_ring_stats(&r, &st);
	CHECK(st.taken == 8, "taken %" PRIu64, st.taken);

	/* one slot freed: exactly one more entry is taken */
	CHECK(!reap_one(&r, 0, 0, (int64_t)value_of(0)), "reap 0");
	CHECK(wait_u32(r.sq_head, sq0 + 9, 2000), "after one reap sq_head +%u", *r.sq_head - sq0);
	sleep_ms(20);
	CHECK(*r.sq_head == sq0 + 9 && cq_unread(&r) == 8, "sq_head +%u, %u unread",
	      *r.sq_head - sq0, cq_unread(&r));
	for (uint64_t s = 1; s < 12; s++)
		CHECK(!reap_one(&r, 0, s, (int64_t)value_of(s)), "reap %" PRIu64, s);
	CHECK(*r.sq_head == sq0 + 12 && cq_unread(&r) == 0, "all done");
	xsc_user_ring_stats(&r, &st);
	xt_note("executor: %" PRIu64 " sleeps, stopped on a full queue %" PRIu64 " times, %" PRIu64
	     " wake calls", st.sleeps, st.cq_full, st.wake_calls);
	xsc_user_ring_destroy(&r);
	return 0;
}

/*
 * Many rounds of: fill a ring of 1 (completion queue of 2) with three
 * entries, so the third waits for room while the executor sleeps, then
 * reap. Reaping the first must wake the executor (xsc_cqe_seen); a lost
 * wake-up leaves the third entry untaken and the last reap hangs.
 */
static int test_cq_full_stress(void)
{
	enum { ROUNDS = 60000 };
	struct xsc_user_stats st;
	struct xsc_ring r;
	uint64_t seq = 0;

	CHECK(xsc_user_ring_create(&r, 1, 0, 1) == 0, "create");
	for (uint32_t i = 0; i < ROUNDS; i++) {
		uint64_t first = seq;

		for (int j = 0; j < 3; j++, seq++) {
			struct xsc_sqe *sqe;

			/* no sleep: submit C while the executor still posts B */
			for (unsigned int n = 1; !(sqe = queue3(&r, 0, value_of(seq), 0, 0, seq)); n++)
				if (!(n % 1024))
					sched_yield();
			CHECK(xsc_submit(&r) == 1, "submit");
		}
		for (uint64_t s = first; s < seq; s++)
			CHECK(!reap_one(&r, 0, s, (int64_t)value_of(s)), "round %u", i);
	}
	xsc_user_ring_stats(&r, &st);
	xt_note("%u rounds: stopped on a full queue %" PRIu64 " times, %" PRIu64 " sleeps, %" PRIu64
	     " wake calls", ROUNDS, st.cq_full, st.sleeps, st.wake_calls);
	CHECK(st.cq_full > ROUNDS / 100, "the queue was rarely full");
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ NEED_WAKEUP */

static int test_wakeup_stress(void)
{
	enum { CYCLES = 30000, CALLS = 5000 };
	struct xsc_user_stats st;
	struct xsc_ring r;
	uint64_t seq = 0;
	int64_t ppid = getppid();

	/* spin 0: the executor goes to sleep after every batch */
	CHECK(xsc_user_ring_create(&r, 8, 0, 1) == 0, "create");
	for (uint32_t i = 0; i < CYCLES; i++) {
		uint32_t k = i % 3 == 2 ? 1 + i % 8 : 1;
		unsigned int spin = i % 3 == 0 ? 2000 : (i & 1) * 50;
		uint64_t first = seq;

		for (uint32_t j = 0; j < k; j++, seq++)
			CHECK(queue3(&r, 0, value_of(seq), 0, 0, seq), "entry");
		CHECK(xsc_submit(&r) == (int)k, "submit");
		for (uint64_t s = first; s < seq; s++)
			CHECK(!reap_one(&r, spin, s, (int64_t)value_of(s)), "cycle %u", i);
	}
	xsc_user_ring_stats(&r, &st);
	xt_note("null: %u cycles, executor slept %" PRIu64 " times (%" PRIu64 " aborted), %" PRIu64
	     " wake calls, %" PRIu64 " waits slept", CYCLES, st.sleeps, st.sleep_aborts,
	     st.wake_calls, st.wait_sleeps);
	CHECK(st.sleeps > 0 && st.sleeps + st.sleep_aborts > CYCLES / 10 &&
	      st.wake_calls > CYCLES / 10, "the sleep/wake-up path was not exercised");
	xsc_user_ring_destroy(&r);

	/* the same through xsc_call with real calls; now and then the
	 * executor is left time to fall asleep for real */
	CHECK(xsc_user_ring_create(&r, 8, 0, 0) == 0, "create");
	for (int i = 0; i < CALLS; i++) {
		if (!(i % 16))
			nanosleep(&(struct timespec){ 0, 50000 }, NULL);
		CHECK(call3(&r, __NR_getppid, 0, 0, 0) == ppid, "call %d", i);
	}
	xsc_user_ring_stats(&r, &st);
	xt_note("xsc_call: %d calls, executor slept %" PRIu64 " times (%" PRIu64 " aborted), %" PRIu64
	     " wake calls", CALLS, st.sleeps, st.sleep_aborts, st.wake_calls);
	CHECK(st.sleeps >= CALLS / 32, "the executor rarely slept");
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ threads */

struct thread_arg {
	int index;
	int failed;
	int exec_tid;
};

/* One thread's work on its own ring and pipe; sets failed. */
static int thread_body(struct thread_arg *t)
{
	struct xsc_ring r;
	char out[16], in[16];
	int64_t pid = getpid();
	int p[2];

	CHECK(pipe(p) == 0, "pipe");
	CHECK(xsc_user_ring_create(&r, 8, 20, 0) == 0, "create");
	t->exec_tid = xsc_user_ring_tid(&r);
	for (int i = 0; i < 2000; i++) {
		size_t len = (size_t)(i % 13) + 1;
		int64_t n;

		memset(out, 'A' + t->index, len);
		out[0] = (char)i;
		n = call3(&r, __NR_write, (uint64_t)p[1], P(out), len);
		CHECK(n == (int64_t)len, "thread %d write %d: %" PRId64, t->index, i, n);
		n = call3(&r, __NR_read, (uint64_t)p[0], P(in), sizeof(in));
		CHECK(n == (int64_t)len && !memcmp(in, out, len), "thread %d read %d: %" PRId64,
		      t->index, i, n);
		/* gettid runs as this ring's executor: a crossed ring shows up here */
		n = call3(&r, __NR_gettid, 0, 0, 0);
		CHECK(n == t->exec_tid, "thread %d gettid %" PRId64 ", its executor is %d",
		      t->index, n, t->exec_tid);
		CHECK(call3(&r, __NR_getpid, 0, 0, 0) == pid, "getpid");
	}
	xsc_user_ring_destroy(&r);
	close(p[0]);
	close(p[1]);
	return 0;
}

static void *thread_main(void *arg)
{
	struct thread_arg *t = arg;

	t->failed = thread_body(t);
	return NULL;
}

static int test_threads(void)
{
	enum { T = 4 };
	struct thread_arg args[T];
	pthread_t th[T];

	for (int i = 0; i < T; i++) {
		args[i] = (struct thread_arg){ .index = i };
		CHECK(pthread_create(&th[i], NULL, thread_main, &args[i]) == 0, "pthread_create");
	}
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < T; i++) {
		CHECK(!args[i].failed, "thread %d failed", i);
		for (int j = 0; j < i; j++)
			CHECK(args[i].exec_tid != args[j].exec_tid, "threads %d and %d share an executor",
			      i, j);
	}
	return 0;
}

/* ------------------------------------------------------------ TRAP status */

static int test_trap_status(void)
{
	struct xsc_user_opts o = {
		.entries = 8, .spin_us = 50, .null_exec = 0, .cpu = -1, .trap_nr = __NR_gettid,
	};
	int64_t self = syscall(SYS_gettid);
	struct xsc_user_stats st;
	struct xsc_ring r;
	struct xsc_cqe *cqe;
	int64_t tid;
	int err = 0;

	/* without the trap number gettid answers the executor's tid: that
	 * is what tells the two paths apart below */
	CHECK(xsc_user_ring_create(&r, 8, 50, 0) == 0, "create");
	tid = call3(&r, __NR_gettid, 0, 0, 0);
	CHECK(tid == xsc_user_ring_tid(&r) && tid != self, "gettid on the ring: %" PRId64, tid);
	xsc_user_ring_destroy(&r);

	CHECK(xsc_user_ring_create_opts(&r, &o) == 0, "create");
	/* the raw completion */
	CHECK(queue3(&r, __NR_gettid, 0, 0, 0, 77) && xsc_submit(&r) == 1, "submit");
	cqe = xsc_wait_cqe(&r, 1000, &err);
	CHECK(cqe, "wait: %d", err);
	CHECK(cqe->user_data == 77 && cqe->status == XSC_STATUS_TRAP &&
	      cqe->reason == XSC_REASON_POLICY && cqe->result == -ENOSYS,
	      "completion %" PRIu64 " status %u reason %u result %" PRId64, cqe->user_data,
	      cqe->status, cqe->reason, cqe->result);
	xsc_cqe_seen(&r);
	/* xsc_call makes it again with the trap, in this thread */
	tid = call3(&r, __NR_gettid, 0, 0, 0);
	CHECK(tid == self, "xsc_call(gettid) returned %" PRId64 ", this thread is %" PRId64
	      " (executor %d)", tid, self, xsc_user_ring_tid(&r));
	/* other numbers still run on the executor */
	CHECK(call3(&r, __NR_getpid, 0, 0, 0) == getpid(), "getpid");
	xsc_user_ring_stats(&r, &st);
	CHECK(st.trapped == 2 && st.taken == 3, "executor: trapped %" PRIu64 " taken %" PRIu64,
	      st.trapped, st.taken);
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ overflow */

static int test_overflow(void)
{
	struct xsc_ring r;
	struct xsc_cqe *cqe;
	int err = 0;

	CHECK(xsc_user_ring_create(&r, 4, 50, 1) == 0, "create");
	CHECK(!run_batches(&r, 4, 10, 0), "a working ring first");
	/* a client that publishes more than the ring holds */
	r.sq_tail_local = *r.sq_head + 5;
	xsc_submit(&r);
	cqe = xsc_wait_cqe(&r, 0, &err);
	CHECK(!cqe && err == -EOVERFLOW, "wait after an overflow: %p %d", (void *)cqe, err);
	CHECK(*r.flags & XSC_RING_OVERFLOW && *r.dropped == 5, "flags %#x dropped %u", *r.flags,
	      *r.dropped);
	CHECK(*r.sq_head == 10 && *r.cq_tail == 10, "nothing taken: %u %u", *r.sq_head,
	      *r.cq_tail);
	CHECK(r.transport->enter(&r, XSC_ENTER_WAKE, 0) == -EOVERFLOW, "enter on a broken ring");
	xsc_user_ring_destroy(&r);
	return 0;
}

/* ------------------------------------------------------------ runner */

struct test {
	const char *name;
	int (*fn)(void);
	unsigned int timeout_s;
};

static const struct test tests[] = {
	{ "single call: getpid, getppid", test_getpid, 10 },
	{ "single call: write(2) to a pipe and read(2) back", test_pipe_write, 10 },
	{ "single call: -EBADF comes back as the result", test_ebadf, 10 },
	{ "xsc_get_sqe returns NULL exactly when the queue is full", test_get_sqe_full, 10 },
	{ "batching: 20000 null entries in batches of 1..64, user_data matched", test_batch_null,
	  20 },
	{ "batching: 16 writes and getppid per submit, completed in order", test_batch_real, 10 },
	{ "wraparound of u32 indices started near 0xffffffff", test_wraparound, 10 },
	{ "CQ-full backpressure: no entry taken until a completion is reaped",
	  test_cq_backpressure, 10 },
	{ "CQ-full stress: reaping wakes an executor asleep on a full queue",
	  test_cq_full_stress, 30 },
	{ "NEED_WAKEUP sleep/wake stress with spin 0", test_wakeup_stress, 30 },
	{ "4 threads, each with its own ring and executor", test_threads, 30 },
	{ "XSC_STATUS_TRAP completion re-issued by xsc_call with the trap", test_trap_status,
	  10 },
	{ "sq_tail overflow breaks the ring: -EOVERFLOW, OVERFLOW flag, dropped", test_overflow,
	  10 },
};

/* Run @t in a child under its time limit; whether it passed. */
static int run_one(const struct test *t)
{
	uint64_t end = now_ms() + t->timeout_s * 1000u;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		int rc = t->fn();

		fflush(stdout);
		_exit(rc ? 1 : 0);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			xt_note("timed out after %u s", t->timeout_s);
			return 0;
		}
		sleep_ms(5);
	}
	if (WIFSIGNALED(status))
		xt_note("killed by signal %d", WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	size_t n = sizeof(tests) / sizeof(tests[0]);
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		int ok = run_one(&tests[i]);

		printf("%s %zu - %s\n", ok ? "ok" : "not ok", i + 1, tests[i].name);
		failed += !ok;
	}
	fflush(stdout);
	return failed ? 1 : 0;
}
