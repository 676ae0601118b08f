/*
 * The kernel side of the XSC ring in a user-space thread (executor.h).
 * Each barrier carries the name of its kernel twin in drivers/xsc/xsc.c;
 * the partner named with it is libxsc's ([U1]..[U5], libc/xsc/xsc.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "executor.h"
#include "xsc_arch.h"

/* The layout XSC_IOC_SETUP reports (XSC_OFF_* in drivers/xsc/xsc.c). */
#define OFF_SQ_HEAD	0
#define OFF_SQ_TAIL	64
#define OFF_CQ_HEAD	128
#define OFF_CQ_TAIL	192
#define OFF_FLAGS	256
#define OFF_DROPPED	260
#define OFF_SQES	512
#define MAX_SPIN_US	100000

#define CACHELINE	64

struct xsc_user_exec {
	/* set up before the thread starts, read-only afterwards */
	struct xsc_transport transport;		/* .priv points back here */
	char *mem;
	size_t size;
	uint32_t sq_entries, cq_entries;
	uint32_t *sq_head, *sq_tail, *cq_head, *cq_tail, *flags, *dropped;
	struct xsc_sqe *sqes;
	struct xsc_cqe *cqes;
	uint64_t spin_ns;
	int null_exec;
	int publish_each;
	long trap_nr;
	pthread_t thread;

	/* written by the executor thread only */
	_Alignas(CACHELINE) uint32_t sq_head_k, cq_tail_k;	/* what it has taken, completed */
	uint32_t sq_head_pub, cq_tail_pub;			/* what it has published */
	uint64_t taken, trapped, sleeps, sleep_aborts, cq_full;

	/* the executor's futex word: bumped by every wake-up */
	_Alignas(CACHELINE) uint32_t wake_seq;
	int stop;
	uint64_t wake_calls;

	/* enter(XSC_ENTER_WAIT): its futex word, bumped when waiters must look */
	_Alignas(CACHELINE) uint32_t cq_seq;
	uint32_t cq_waiters;
	int broken, dead;
	int tid;
	uint64_t wait_sleeps;

	/* CPU-time requests: the executor answers by setting cpu_ack = cpu_req */
	_Alignas(CACHELINE) uint32_t cpu_req, cpu_ack;
	uint64_t cpu_ns;
};

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define load_relaxed(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define store_relaxed(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
/* counters: bump() for one writer (the executor), count() for several */
#define bump(p)			store_relaxed((p), load_relaxed(p) + 1)
#define count(p)		__atomic_fetch_add((p), 1, __ATOMIC_RELAXED)


/* CLOCK_MONOTONIC in ns. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleep while *@w == @val; 0, or -errno (EAGAIN: it had changed, EINTR). */
static int futex_wait(uint32_t *w, uint32_t val)
{
	if (syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0) < 0)
		return -errno;
	return 0;
}

/* Wake up to @n sleepers on @w. */
static void futex_wake(uint32_t *w, int n)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* The executor behind @r (its transport's priv). */
static struct xsc_user_exec *exec_of(struct xsc_ring *r)
{
	return r->transport->priv;
}

/* ------------------------------------------------------------ wake-ups */

/* Wake the executor thread, asleep or about to sleep. */
static void exec_wake(struct xsc_user_exec *x)
{
	/* a sleeper that read wake_seq before this sees it changed */
	__atomic_fetch_add(&x->wake_seq, 1, __ATOMIC_SEQ_CST);
	futex_wake(&x->wake_seq, 1);
}

/* Wake every enter(XSC_ENTER_WAIT) sleeper so it re-checks its condition. */
static void exec_wake_waiters(struct xsc_user_exec *x)
{
	__atomic_fetch_add(&x->cq_seq, 1, __ATOMIC_SEQ_CST);
	futex_wake(&x->cq_seq, INT_MAX);
}

/* ------------------------------------------------------------ executor thread */

/* Run one private copy of an entry into @cqe. */
static void exec_one(struct xsc_user_exec *x, const struct xsc_sqe *sqe, struct xsc_cqe *cqe)
{
	cqe->user_data = sqe->user_data;
	cqe->status = XSC_STATUS_DONE;
	cqe->reason = XSC_REASON_NONE;
	cqe->resv = 0;
	if (sqe->flags) {
		cqe->status = XSC_STATUS_INVALID;
		cqe->reason = XSC_REASON_FLAGS;
		cqe->result = -EINVAL;
	} else if (x->trap_nr >= 0 && sqe->nr == (uint32_t)x->trap_nr) {
		cqe->status = XSC_STATUS_TRAP;
		cqe->reason = XSC_REASON_POLICY;
		cqe->result = -ENOSYS;
		bump(&x->trapped);
	} else if (x->null_exec) {
		cqe->result = (int64_t)sqe->args[0];
	} else {
		uint64_t a[6];	/* __u64 is unsigned long long, uint64_t may be unsigned long */

		for (int i = 0; i < 6; i++)
			a[i] = sqe->args[i];
		cqe->result = xsc_arch_trap(sqe->nr, a);
	}
}

/* Store what was taken and completed to the shared words (xsc_publish);
 * wake enter(XSC_ENTER_WAIT) sleepers if there are any. */
static void exec_publish(struct xsc_user_exec *x)
{
	if (x->sq_head_pub != x->sq_head_k) {
		x->sq_head_pub = x->sq_head_k;
		store_release(x->sq_head, x->sq_head_k);	/* [K2] pairs with [U2] */
	}
	if (x->cq_tail_pub == x->cq_tail_k)
		return;
	x->cq_tail_pub = x->cq_tail_k;
	store_release(x->cq_tail, x->cq_tail_k);		/* [K3] pairs with [U3] */
	/* wq_has_sleeper()'s smp_mb: pairs with exec_wait's increment of
	 * cq_waiters before it reads cq_tail */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_relaxed(&x->cq_waiters))
		exec_wake_waiters(x);
}

/* Write @cqe into the next completion slot (published by exec_publish). */
static void exec_post(struct xsc_user_exec *x, const struct xsc_cqe *cqe)
{
	x->cqes[x->cq_tail_k & (x->cq_entries - 1)] = *cqe;
	x->cq_tail_k++;
}

/* sq_tail ran @ahead entries ahead of sq_head: mark the ring broken. */
static void exec_overflow(struct xsc_user_exec *x, uint32_t ahead)
{
	store_relaxed(x->dropped, ahead);
	__atomic_fetch_or(x->flags, XSC_RING_OVERFLOW, __ATOMIC_SEQ_CST);
	__atomic_store_n(&x->broken, 1, __ATOMIC_SEQ_CST);
	exec_wake_waiters(x);
}

/* Whether the completion queue has no free slot. */
static int exec_cq_full(struct xsc_user_exec *x)
{
	uint32_t cq_head = load_acquire(x->cq_head);		/* [K4] pairs with [U4] */

	return x->cq_tail_k - cq_head >= x->cq_entries;
}

/* Take and execute what is published (xsc_process); returns how many. */
static unsigned int exec_process(struct xsc_user_exec *x)
{
	uint32_t head = x->sq_head_k;
	uint32_t tail = load_acquire(x->sq_tail);		/* [K1] pairs with [U1] */
	unsigned int done = 0;

	if (tail - head > x->sq_entries) {
		exec_overflow(x, tail - head);
		return 0;
	}
	while (head != tail && !load_relaxed(&x->stop)) {
		struct xsc_sqe sqe;
		struct xsc_cqe cqe;

		if (exec_cq_full(x)) {
			bump(&x->cq_full);
			break;
		}
		/* copy once: the submitter may rewrite the slot once sq_head passes it */
		memcpy(&sqe, &x->sqes[head & (x->sq_entries - 1)], sizeof(sqe));
		head++;
		x->sq_head_k = head;
		bump(&x->taken);
		/* no scheduler hook tells a user thread that a call is about to
		 * block (the kernel worker's xsc_worker_sleeping()): publish
		 * before every real call instead */
		if (x->publish_each || !x->null_exec)
			exec_publish(x);

		exec_one(x, &sqe, &cqe);
		exec_post(x, &cqe);
		done++;
		if (x->publish_each || !(done % XSC_PUBLISH_BATCH))
			exec_publish(x);
	}
	exec_publish(x);
	return done;
}

/* Whether exec_process() would make progress now. */
static int exec_has_work(struct xsc_user_exec *x)
{
	uint32_t ahead = load_relaxed(x->sq_tail) - x->sq_head_k;

	if (load_relaxed(&x->broken) || !ahead)
		return 0;
	return ahead > x->sq_entries || !exec_cq_full(x);
}

/* Answer a pending CPU-time request; whether there was one. */
static int exec_cpu_request(struct xsc_user_exec *x)
{
	uint32_t req = load_acquire(&x->cpu_req);
	struct timespec ts;

	if (req == load_relaxed(&x->cpu_ack))
		return 0;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	store_relaxed(&x->cpu_ns, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	store_release(&x->cpu_ack, req);
	return 1;
}

/* Sleep behind NEED_WAKEUP until woken, unless work is already there. */
static void exec_sleep(struct xsc_user_exec *x)
{
	/* read before the checks: a wake-up after them changes it */
	uint32_t seq = load_acquire(&x->wake_seq);

	__atomic_fetch_or(x->flags, XSC_RING_NEED_WAKEUP, __ATOMIC_SEQ_CST);
	__atomic_fetch_and(x->flags, ~XSC_RING_WORKER_RUNNING, __ATOMIC_SEQ_CST);
	/* [K5] pairs with [U5] (sq_tail) and with xsc_cqe_seen()'s fence (cq_head) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (exec_has_work(x) || load_relaxed(&x->stop) ||
	    load_relaxed(&x->cpu_req) != load_relaxed(&x->cpu_ack) ||
	    futex_wait(&x->wake_seq, seq) == -EAGAIN)
		bump(&x->sleep_aborts);
	else
		bump(&x->sleeps);
	__atomic_fetch_or(x->flags, XSC_RING_WORKER_RUNNING, __ATOMIC_SEQ_CST);
	__atomic_fetch_and(x->flags, ~XSC_RING_NEED_WAKEUP, __ATOMIC_SEQ_CST);
}

/* The executor thread (xsc_worker): process, spin, sleep, until stopped. */
static void *exec_thread(void *arg)
{
	struct xsc_user_exec *x = arg;
	uint64_t spin_until = 0;

	__atomic_store_n(&x->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	__atomic_fetch_or(x->flags, XSC_RING_WORKER_RUNNING, __ATOMIC_SEQ_CST);
	while (!load_relaxed(&x->stop)) {
		if (!load_relaxed(&x->broken) && exec_process(x)) {
			spin_until = now_ns() + x->spin_ns;
			continue;
		}
		if (exec_cpu_request(x))
			continue;
		if (now_ns() < spin_until) {
			xsc_arch_relax();
			continue;
		}
		exec_sleep(x);
		/* a wake-up means work: spin again before the next sleep */
		spin_until = now_ns() + x->spin_ns;
	}
	__atomic_fetch_and(x->flags, ~XSC_RING_WORKER_RUNNING, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(x->flags, XSC_RING_DEAD, __ATOMIC_SEQ_CST);
	__atomic_store_n(&x->dead, 1, __ATOMIC_SEQ_CST);
	exec_wake_waiters(x);
	return NULL;
}

/* ------------------------------------------------------------ transport */

/* Whether an enter(WAIT, @min) may return: 0 yes, -errno, or 1 keep waiting. */
static int exec_wait_done(struct xsc_user_exec *x, uint32_t min)
{
	uint32_t unread = load_acquire(x->cq_tail) - load_relaxed(x->cq_head);

	if (unread >= min)
		return 0;
	if (__atomic_load_n(&x->broken, __ATOMIC_SEQ_CST))
		return -EOVERFLOW;
	if (__atomic_load_n(&x->dead, __ATOMIC_SEQ_CST))
		return -EPIPE;
	return 1;
}

/* Sleep until @min completions are unread, the ring breaks or dies. */
static int exec_wait(struct xsc_user_exec *x, uint32_t min)
{
	int ret;

	/* full barrier (the RMW): pairs with exec_post's fence */
	__atomic_fetch_add(&x->cq_waiters, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		uint32_t seq = load_acquire(&x->cq_seq);

		ret = exec_wait_done(x, min);
		if (ret <= 0)
			break;
		count(&x->wait_sleeps);
		ret = futex_wait(&x->cq_seq, seq);
		if (ret == -EINTR)
			break;
	}
	__atomic_fetch_sub(&x->cq_waiters, 1, __ATOMIC_RELAXED);
	return ret;
}

/* struct xsc_transport.enter: XSC_IOC_ENTER's checks and actions. */
static int exec_enter(struct xsc_ring *r, uint32_t flags, uint32_t min_complete)
{
	struct xsc_user_exec *x = exec_of(r);

	if (flags & ~(XSC_ENTER_WAKE | XSC_ENTER_WAIT))
		return -EINVAL;
	if (min_complete > x->cq_entries)
		return -EINVAL;
	if (__atomic_load_n(&x->broken, __ATOMIC_SEQ_CST))
		return -EOVERFLOW;
	if (flags & XSC_ENTER_WAKE) {
		count(&x->wake_calls);
		/* runnable from here, as the kernel's enter says */
		__atomic_fetch_or(x->flags, XSC_RING_WORKER_RUNNING, __ATOMIC_SEQ_CST);
		exec_wake(x);
	}
	if (!(flags & XSC_ENTER_WAIT))
		return 0;
	return exec_wait(x, min_complete);
}

/* ------------------------------------------------------------ set-up */

/* Fill @p as XSC_IOC_SETUP would for @entries and @spin_us. */
static void exec_layout(struct xsc_setup *p, unsigned int entries, unsigned int spin_us)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t sqes_size = (size_t)entries * sizeof(struct xsc_sqe);

	memset(p, 0, sizeof(*p));
	p->sq_entries = entries;
	p->cq_entries = 2 * entries;
	p->spin_us = spin_us;
	p->abi_version = XSC_ABI_VERSION;
	p->features = XSC_FEAT_BATCH | XSC_FEAT_WORKER_STATE;
	p->ring_size = (OFF_SQES + sqes_size + p->cq_entries * sizeof(struct xsc_cqe) + page - 1) &
		       ~(page - 1);
	p->off.sq_head = OFF_SQ_HEAD;
	p->off.sq_tail = OFF_SQ_TAIL;
	p->off.cq_head = OFF_CQ_HEAD;
	p->off.cq_tail = OFF_CQ_TAIL;
	p->off.flags = OFF_FLAGS;
	p->off.dropped = OFF_DROPPED;
	p->off.sqes = OFF_SQES;
	p->off.cqes = (uint32_t)(OFF_SQES + sqes_size);
}

/* Point @x at the ring in @mem laid out as @p says; indices from @o. */
static void exec_bind(struct xsc_user_exec *x, char *mem, const struct xsc_setup *p,
		      const struct xsc_user_opts *o)
{
	x->mem = mem;
	x->size = p->ring_size;
	x->sq_entries = p->sq_entries;
	x->cq_entries = p->cq_entries;
	x->sq_head = (uint32_t *)(mem + p->off.sq_head);
	x->sq_tail = (uint32_t *)(mem + p->off.sq_tail);
	x->cq_head = (uint32_t *)(mem + p->off.cq_head);
	x->cq_tail = (uint32_t *)(mem + p->off.cq_tail);
	x->flags = (uint32_t *)(mem + p->off.flags);
	x->dropped = (uint32_t *)(mem + p->off.dropped);
	x->sqes = (struct xsc_sqe *)(mem + p->off.sqes);
	x->cqes = (struct xsc_cqe *)(mem + p->off.cqes);
	*x->sq_head = *x->sq_tail = x->sq_head_k = x->sq_head_pub = o->sq_start;
	*x->cq_head = *x->cq_tail = x->cq_tail_k = x->cq_tail_pub = o->cq_start;
	x->publish_each = o->publish_each;
	x->spin_ns = (uint64_t)o->spin_us * 1000u;
	x->null_exec = o->null_exec;
	x->trap_nr = o->trap_nr;
	x->transport.enter = exec_enter;
	x->transport.priv = x;
}

/* Start the executor thread with every signal blocked (as an io thread
 * takes none), pinned if @cpu >= 0; 0 or -errno. */
static int exec_start(struct xsc_user_exec *x, int cpu)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int ret;

	pthread_attr_init(&attr);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&x->thread, &attr, exec_thread, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret)
		return -ret;
	while (!load_acquire(&x->tid))
		sched_yield();
	return 0;
}

int xsc_user_ring_create_opts(struct xsc_ring *r, const struct xsc_user_opts *o)
{
	struct xsc_user_exec *x;
	struct xsc_setup p;
	void *mem;
	int ret;

	if (!o->entries || o->entries > XSC_MAX_ENTRIES || (o->entries & (o->entries - 1)) ||
	    o->spin_us > MAX_SPIN_US)
		return -EINVAL;
	x = aligned_alloc(CACHELINE, (sizeof(*x) + CACHELINE - 1) & ~(size_t)(CACHELINE - 1));
	if (!x)
		return -ENOMEM;
	memset(x, 0, sizeof(*x));
	exec_layout(&p, o->entries, o->spin_us);
	mem = mmap(NULL, p.ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		goto out_free;
	}
	exec_bind(x, mem, &p, o);
	xsc_ring_init_mem(r, mem, &p, &x->transport);
	r->fd = -1;		/* xsc_ring_init_mem() leaves fd alone */
	ret = exec_start(x, o->cpu);
	if (ret)
		goto out_unmap;
	return 0;

out_unmap:
	munmap(mem, p.ring_size);	/* undo mmap */
out_free:
	free(x);			/* undo aligned_alloc */
	return ret;
}

int xsc_user_ring_create(struct xsc_ring *r, unsigned int entries, unsigned int spin_us,
			 int null_exec)
{
	struct xsc_user_opts o = {
		.entries = entries, .spin_us = spin_us, .null_exec = null_exec,
		.cpu = -1, .trap_nr = -1,
	};

	return xsc_user_ring_create_opts(r, &o);
}

void xsc_user_ring_destroy(struct xsc_ring *r)
{
	struct xsc_user_exec *x = exec_of(r);

	/* exec_sleep reads wake_seq before stop: the bump cannot be missed */
	__atomic_store_n(&x->stop, 1, __ATOMIC_SEQ_CST);
	exec_wake(x);
	pthread_join(x->thread, NULL);
	munmap(x->mem, x->size);
	free(x);
	xsc_ring_exit(r);
	r->transport = NULL;
}

void xsc_user_ring_stats(struct xsc_ring *r, struct xsc_user_stats *s)
{
	struct xsc_user_exec *x = exec_of(r);
	uint32_t req = __atomic_add_fetch(&x->cpu_req, 1, __ATOMIC_SEQ_CST);

	exec_wake(x);
	while ((int32_t)(load_acquire(&x->cpu_ack) - req) < 0 &&
	       !__atomic_load_n(&x->dead, __ATOMIC_SEQ_CST))
		sched_yield();
	s->cpu_ns = load_relaxed(&x->cpu_ns);
	s->taken = load_relaxed(&x->taken);
	s->trapped = load_relaxed(&x->trapped);
	s->sleeps = load_relaxed(&x->sleeps);
	s->sleep_aborts = load_relaxed(&x->sleep_aborts);
	s->cq_full = load_relaxed(&x->cq_full);
	s->wake_calls = load_relaxed(&x->wake_calls);
	s->wait_sleeps = load_relaxed(&x->wait_sleeps);
}

int xsc_user_ring_tid(struct xsc_ring *r)
{
	return load_acquire(&exec_of(r)->tid);
}
