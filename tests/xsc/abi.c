/*
 * The /dev/xsc ABI: the device, setup and its outputs, calls through the
 * ring, and every bad input with its documented error
 * (docs/XSC-ABI-SPEC.md, "Errors").
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsc_test.h"

static int setup(int fd, struct xsc_setup *p, unsigned int entries)
{
	memset(p, 0, sizeof(*p));
	p->sq_entries = entries;
	return ioctl(fd, XSC_IOC_SETUP, p) ? -errno : 0;
}

static int enter(int fd, uint32_t flags, uint32_t min)
{
	struct xsc_enter e = { .flags = flags, .min_complete = min };

	return ioctl(fd, XSC_IOC_ENTER, &e) ? -errno : 0;
}

static void test_device(void)
{
	struct stat st;

	xt_check(stat("/dev/xsc", &st) == 0 && S_ISCHR(st.st_mode) &&
		 major(st.st_rdev) == XSC_DEVICE_MAJOR && minor(st.st_rdev) == XSC_DEVICE_MINOR,
		 "/dev/xsc is character device %d:%d", XSC_DEVICE_MAJOR, XSC_DEVICE_MINOR);
	xt_check((st.st_mode & 0666) == 0666, "/dev/xsc is open to every user (mode %o)",
		 st.st_mode & 0777);
}

static void test_setup_errors(void)
{
	struct xsc_setup p, q;
	void *m;
	int fd = open("/dev/xsc", O_RDWR | O_CLOEXEC);

	xt_check(fd >= 0, "open /dev/xsc");
	xt_check(setup(fd, &p, 0) == -EINVAL, "setup with 0 entries: EINVAL");
	xt_check(setup(fd, &p, 3) == -EINVAL, "setup with 3 entries (not a power of two): EINVAL");
	xt_check(setup(fd, &p, 2 * XSC_MAX_ENTRIES) == -EINVAL, "setup above XSC_MAX_ENTRIES: EINVAL");
	memset(&p, 0, sizeof(p));
	p.sq_entries = 4;
	p.flags = XSC_SETUP_FLAGS + 1;	/* the lowest bit that is not a flag */
	xt_check(ioctl(fd, XSC_IOC_SETUP, &p) < 0 && errno == EINVAL, "setup with an unknown flag: EINVAL");
	memset(&p, 0, sizeof(p));
	p.sq_entries = 4;
	p.resv[3] = 1;
	xt_check(ioctl(fd, XSC_IOC_SETUP, &p) < 0 && errno == EINVAL, "setup with reserved bits: EINVAL");
	memset(&p, 0, sizeof(p));
	p.sq_entries = 4;
	p.spin_us = 10000000;
	xt_check(ioctl(fd, XSC_IOC_SETUP, &p) < 0 && errno == EINVAL, "setup with spin_us too long: EINVAL");
	xt_check(ioctl(fd, XSC_IOC_SETUP, (void *)16) < 0 && errno == EFAULT, "setup with a bad pointer: EFAULT");
	xt_check(ioctl(fd, _IO(XSC_IOC_MAGIC, 0x7f)) < 0 && errno == ENOTTY, "unknown ioctl: ENOTTY");
	xt_check(enter(fd, XSC_ENTER_WAKE, 0) == -ENXIO, "enter before setup: ENXIO");
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	xt_check(m == MAP_FAILED && errno == ENXIO, "mmap before setup: ENXIO");

	xt_check(setup(fd, &p, 8) == 0, "setup with 8 entries");
	xt_check(p.abi_version == XSC_ABI_VERSION, "reports ABI version %u", p.abi_version);
	xt_check(p.cq_entries == 16, "completion queue is twice the submission queue (%u)", p.cq_entries);
	xt_check(p.features & XSC_FEAT_SECCOMP, "reports XSC_FEAT_SECCOMP");
	xt_check(p.features & XSC_FEAT_COUNTERS, "reports XSC_FEAT_COUNTERS");
#if defined(__x86_64__)
	xt_check(p.features & XSC_FEAT_X32, "x86 kernel reports XSC_FEAT_X32");
#endif
	xt_check(p.ring_size % 4096 == 0 && p.off.cqes + 16 * sizeof(struct xsc_cqe) <= p.ring_size,
		 "ring_size %llu holds the queues", (unsigned long long)p.ring_size);
	xt_check(setup(fd, &q, 8) == -EBUSY, "setting up twice: EBUSY");
	xt_check(enter(fd, 1u << 7, 0) == -EINVAL, "enter with unknown flags: EINVAL");
	xt_check(enter(fd, XSC_ENTER_WAIT, 17) == -EINVAL, "enter waiting for more than the CQ holds: EINVAL");
	m = mmap(NULL, p.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
	xt_check(m == MAP_FAILED && errno == EINVAL, "mmap at a wrong offset: EINVAL");
	if (m != MAP_FAILED)
		munmap(m, p.ring_size);
	m = mmap(NULL, p.ring_size + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	xt_check(m == MAP_FAILED && errno == EINVAL, "mmap of a wrong size: EINVAL");
	if (m != MAP_FAILED)
		munmap(m, p.ring_size + 4096);
	m = mmap(NULL, p.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	xt_check(m != MAP_FAILED, "mmap of the ring");
	if (m != MAP_FAILED)
		munmap(m, p.ring_size);
	close(fd);
}

static void test_calls(void)
{
	struct xsc_ring r;
	struct xsc_cqe c;
	uint64_t a[6] = { 0 };
	long long before = xt_counter("ring_calls"), policy = xt_counter("trap_policy");
	int ret = xsc_ring_init(&r, 4, 0);

	if (!xt_check(ret == 0, "xsc_ring_init: %s", strerror(-ret)))
		return;
	xt_check(xsc_call(&r, SYS_getpid, a) == getpid(), "getpid through the ring");
	xt_check(xsc_call(&r, SYS_gettid, a) == syscall(SYS_gettid),
		 "gettid through the ring is the submitter's tid, not the worker's");
	a[0] = (uint64_t)-1;
	xt_check(xsc_call(&r, SYS_close, a) == -EBADF, "close(-1) through the ring: -EBADF");
	a[0] = 0;
	xt_check(xt_counter("ring_calls") - before == 3, "/proc/self/xsc counts 3 ring calls (%lld)",
		 xt_counter("ring_calls") - before);

	/* the policy is an allowlist: a number no table has traps (the trap
	 * then answers -ENOSYS) */
	xt_raw_call(&r, 100000, 0, a, &c);
	xt_check(c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_POLICY,
		 "unknown number: sent back to the trap, reason POLICY (status %u reason %u)",
		 c.status, c.reason);
	xt_raw_call(&r, SYS_getpid, 4, a, &c);
	xt_check(c.status == XSC_STATUS_INVALID && c.reason == XSC_REASON_FLAGS && c.result == -EINVAL,
		 "unknown entry flags: invalid, -EINVAL (status %u reason %u)", c.status, c.reason);
	xt_check(c.user_data == 0x5a5a0000u + SYS_getpid, "user_data comes back");
	xt_raw_call(&r, SYS_rt_sigprocmask, 0, a, &c);
	xt_check(c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_POLICY,
		 "rt_sigprocmask acts on the calling thread: sent back to the trap");
	xt_check(xt_counter("trap_policy") - policy == 2,
		 "/proc/self/xsc counts both under trap_policy");
	a[0] = (uint64_t)(uintptr_t)16;
	a[1] = 0;
	xt_raw_call(&r, SYS_uname, 0, a, &c);
	xt_check(c.status == XSC_STATUS_DONE && c.result == -EFAULT, "uname(bad pointer): -EFAULT");
	a[0] = 0;
	xsc_ring_exit(&r);
}

/* Wait up to 2 s for the kernel to publish @n completions in all. */
static uint32_t cq_tail_reaches(struct xsc_ring *r, uint32_t n)
{
	for (int i = 0; i < 200 && __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) != n; i++)
		usleep(10000);
	return __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
}

/* Publish @n getpid entries, user_data @first.. */
static void publish_getpids(struct xsc_ring *r, int first, int n)
{
	uint64_t a[6] = { 0 };

	for (int i = 0; i < n; i++)
		xsc_prep(xsc_get_sqe(r), SYS_getpid, a, first + i);
	xsc_submit(r);
}

/*
 * Full queues, with the kernel as the party that must stop: a 4-entry ring
 * (8 completions) is given 12 calls and nothing is reaped. The worker
 * fills the completion queue, then must take no entry (it would have to
 * overwrite an unread completion), so the submission queue stays full;
 * reaping one completion lets exactly one more entry through; in the end
 * every call completes once, in order.
 */
static void test_full_queues(void)
{
	struct xsc_ring r;
	long long calls = xt_counter("ring_calls");
	uint32_t tail;
	int in_order = 1;

	if (xsc_ring_init(&r, 4, 0))
		return;
	publish_getpids(&r, 0, 4);
	cq_tail_reaches(&r, 4);
	publish_getpids(&r, 4, 4);
	cq_tail_reaches(&r, 8);
	publish_getpids(&r, 8, 4);
	usleep(300000);		/* time for a worker that ignores the full queue */
	tail = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
	xt_check(tail == 8 && *r.sq_head == 8,
		 "completion queue full (8 unread): the worker takes no entry and overwrites no "
		 "completion (cq_tail %u, sq_head %u)", tail, *r.sq_head);
	xt_check(xsc_get_sqe(&r) == NULL,
		 "so the submission queue stays full: no fifth entry (sq_head %u, sq_tail %u)",
		 *r.sq_head, *r.sq_tail);
	for (uint32_t i = 0; i < 8; i++)
		in_order &= r.cqes[i].user_data == i && r.cqes[i].result == getpid();
	xt_check(in_order, "the 8 completions are the first 8 calls, in order");

	xsc_cqe_seen(&r);	/* frees one slot and wakes the sleeping worker */
	cq_tail_reaches(&r, 9);
	usleep(100000);
	tail = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
	xt_check(tail == 9 && *r.sq_head == 9 && r.cqes[0].user_data == 8,
		 "reaping one completion lets exactly one more entry through (cq_tail %u, sq_head %u, "
		 "user_data %llu)", tail, *r.sq_head, (unsigned long long)r.cqes[0].user_data);
	for (uint32_t i = 1; i < 12; i++) {
		struct xsc_cqe *c;
		int err = 0;

		c = xsc_wait_cqe(&r, 1000, &err);
		in_order &= c && c->user_data == i && c->result == getpid();
		if (c)
			xsc_cqe_seen(&r);
	}
	xt_check(in_order && xt_counter("ring_calls") - calls == 12,
		 "reaping the rest completes all 12 calls once, in order (%lld ring calls)",
		 xt_counter("ring_calls") - calls);
	xsc_ring_exit(&r);
}

static void test_overflow(void)
{
	struct xsc_ring r;
	long long calls = xt_counter("ring_calls");

	if (xsc_ring_init(&r, 4, 0))
		return;
	/* publish more than the ring holds, behind the library's back (the
	 * slots hold zeroes: number 0 is a real call on every ABI) */
	__atomic_store_n(r.sq_tail, *r.sq_tail + 100, __ATOMIC_RELEASE);
	r.transport->enter(&r, XSC_ENTER_WAKE, 0);
	for (int i = 0; i < 200 && !(__atomic_load_n(r.flags, __ATOMIC_ACQUIRE) & XSC_RING_OVERFLOW); i++)
		usleep(10000);
	xt_check(__atomic_load_n(r.flags, __ATOMIC_ACQUIRE) & XSC_RING_OVERFLOW,
		 "sq_tail 100 ahead: XSC_RING_OVERFLOW set");
	xt_check(*r.dropped == 100, "dropped is the distance, 100 (%u)", *r.dropped);
	xt_check(*r.sq_head == 0 && *r.cq_tail == 0 && xt_counter("ring_calls") == calls,
		 "no entry was taken or executed (sq_head %u, cq_tail %u, %lld ring calls)",
		 *r.sq_head, *r.cq_tail, xt_counter("ring_calls") - calls);
	xt_check(enter(r.fd, XSC_ENTER_WAKE, 0) == -EOVERFLOW, "enter on an overflowed ring: EOVERFLOW");
	xsc_ring_exit(&r);
}

static void test_fork(void)
{
	struct xsc_ring r;
	int status;
	pid_t pid;

	if (xsc_ring_init(&r, 4, 0))
		return;
	pid = fork();
	if (pid == 0) {
		/* the child has the fd but not the mapping (VM_DONTCOPY) */
		void *m = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
		int merr = errno;
		int e = enter(r.fd, XSC_ENTER_WAKE, 0);
		unsigned char vec;
		int mapped = mincore(r.mem, 4096, &vec) == 0;

		_exit((e == -EBADFD ? 0 : 1) | (m == MAP_FAILED && merr == EBADFD ? 0 : 2) |
		      (mapped ? 4 : 0));
	}
	waitpid(pid, &status, 0);
	xt_check(WIFEXITED(status) && !(WEXITSTATUS(status) & 1), "forked child: enter on the parent's ring: EBADFD");
	xt_check(WIFEXITED(status) && !(WEXITSTATUS(status) & 2), "forked child: mmap of the parent's ring: EBADFD");
	xt_check(WIFEXITED(status) && !(WEXITSTATUS(status) & 4), "forked child: the ring is not mapped");
	uint64_t a[6] = { 0 };
	xt_check(xsc_call(&r, SYS_getpid, a) == getpid(), "the parent's ring still works after fork");
	xsc_ring_exit(&r);
}

/* Threads: in /proc/self/status, workers included */
static int task_count(void)
{
	return (int)xt_field("/proc/self/status", "Threads");
}

/* Workers exit asynchronously after their ring is closed: wait for it. */
static int settle(void)
{
	for (int i = 0; i < 500 && (xt_counter("rings") != 0 || task_count() != 1); i++)
		usleep(10000);
	return task_count();
}

static void test_teardown(void)
{
	struct xsc_ring r;
	int before = settle();

	xt_check(before == 1 && xt_counter("rings") == 0,
		 "closed rings leave no worker and no live ring (%d threads)", before);
	if (xsc_ring_init(&r, 4, 0))
		return;
	xt_check(task_count() == before + 1, "a ring adds one worker thread (%d -> %d)", before, task_count());
	xt_check(xt_counter("rings") == 1, "/proc/self/xsc: one live ring");
	xsc_ring_exit(&r);
	xt_check(settle() == before, "closing the ring ends its worker (%d threads)", task_count());
	xt_check(xt_counter("rings") == 0, "/proc/self/xsc: no live rings");
}

static void test_switch(void)
{
	struct xsc_ring r;
	struct xsc_cqe c;
	uint64_t a[6] = { 0 };
	int fd = open("/proc/sys/kernel/xsc_enabled", O_WRONLY);

	if (!xt_check(fd >= 0, "kernel.xsc_enabled exists"))
		return;
	if (xsc_ring_init(&r, 4, 0) == 0) {
		xt_check(write(fd, "0", 1) == 1, "switch the ring off");
		xt_raw_call(&r, SYS_getpid, 0, a, &c);
		xt_check(c.status == XSC_STATUS_TRAP && c.reason == XSC_REASON_DISABLED,
			 "switched off: a live ring sends calls back to the trap");
		xt_check(xsc_call(&r, SYS_getpid, a) == getpid(), "and xsc_call still answers (by the trap)");
		struct xsc_ring r2;
		xt_check(xsc_ring_init(&r2, 4, 0) == -EPERM, "switched off: setup fails with EPERM");
		xt_check(write(fd, "1", 1) == 1, "switch the ring on");
		xt_check(xsc_call(&r, SYS_getpid, a) == getpid(), "switched on again: the ring answers");
		xsc_ring_exit(&r);
	}
	close(fd);
}

/*
 * Batched publication (XSC_FEAT_BATCH): a completion is published at the
 * latest when the worker blocks. Two entries in one submission: getppid,
 * then a read of an empty pipe. The getppid completion must become
 * visible while the read blocks (without the scheduler hook it would
 * wait for the pass to end, i.e. for the read), and the worker, blocked,
 * must not say it runs (XSC_RING_WORKER_RUNNING). Then the pipe is
 * written and the read completes.
 */
static void test_publish_before_block(void)
{
	struct xsc_ring r;
	uint64_t a[6] = { 0 };
	int p[2], running = 1;
	char c;
	uint32_t tail;

	if (xsc_ring_init(&r, 8, 0) || pipe(p))
		return;
	xt_check((r.features & (XSC_FEAT_BATCH | XSC_FEAT_WORKER_STATE)) ==
		 (XSC_FEAT_BATCH | XSC_FEAT_WORKER_STATE),
		 "reports XSC_FEAT_BATCH and XSC_FEAT_WORKER_STATE (features %#x)", r.features);
	xsc_prep(xsc_get_sqe(&r), SYS_getppid, a, 1);
	a[0] = (uint64_t)p[0];
	a[1] = (uint64_t)(uintptr_t)&c;
	a[2] = 1;
	xsc_prep(xsc_get_sqe(&r), SYS_read, a, 2);
	xsc_submit(&r);
	tail = cq_tail_reaches(&r, 1);
	xt_check(tail == 1 && r.cqes[0].user_data == 1 && r.cqes[0].result == getppid(),
		 "getppid's completion is published while the read after it blocks "
		 "(cq_tail %u, user_data %llu)", tail, (unsigned long long)r.cqes[0].user_data);
	for (int i = 0; i < 100 && running; i++) {
		running = !!(__atomic_load_n(r.flags, __ATOMIC_ACQUIRE) & XSC_RING_WORKER_RUNNING);
		if (running)
			usleep(10000);
	}
	xt_check(!running, "the worker blocked in the read does not say it runs "
		 "(XSC_RING_WORKER_RUNNING clear; flags %#x)", *r.flags);
	xt_check(write(p[1], "x", 1) == 1, "write the pipe");
	tail = cq_tail_reaches(&r, 2);
	xt_check(tail == 2 && r.cqes[1].user_data == 2 && r.cqes[1].result == 1,
		 "then the read completes with 1 byte (cq_tail %u, result %lld)", tail,
		 (long long)r.cqes[1].result);
	xsc_cq_advance(&r, 2);
	xsc_ring_exit(&r);
	close(p[0]);
	close(p[1]);
}

/* The ring worker's CPU time while its submitter sleeps @ms after a call,
 * as a share of the sleep; -1 if the worker cannot be found. */
static double idle_worker_share(uint32_t flags, int ms)
{
	struct xsc_ring r;
	uint64_t a[6] = { 0 };
	struct timespec nap = { 0, ms * 1000000L };
	double cpu, share;
	int worker;

	/* the worker of the ring before has the same name until it is gone */
	settle();
	if (xsc_ring_init_flags(&r, 8, 100000, flags))	/* the longest spin_us */
		return -1;
	worker = xt_worker_tid(getpid(), (int)syscall(SYS_gettid));
	xsc_call(&r, SYS_getppid, a);
	cpu = xt_thread_cpu_ns(worker);
	nanosleep(&nap, NULL);
	share = worker < 0 || cpu < 0 ? -1 : 100 * (xt_thread_cpu_ns(worker) - cpu) / (ms * 1e6);
	xsc_ring_exit(&r);
	return share;
}

/*
 * Spinning only where it can help (XSC_FEAT_WORKER_STATE): with spin_us at
 * its maximum (100 ms), a worker whose submitter sleeps stops spinning at
 * once. The control, a ring set up with XSC_SETUP_SPIN_ALWAYS, spins
 * through the same sleep: without it this test could not tell a worker
 * that sleeps from a CPU clock that does not count.
 */
static void test_spin_policy(void)
{
	/* 150 ms: the control spins its 100 ms (two thirds); what the worker
	 * does after the call (its bookkeeping, a 200 us grace for a woken
	 * waiter) stays a few ms even on the debug kernels */
	double share = idle_worker_share(0, 150), always = idle_worker_share(XSC_SETUP_SPIN_ALWAYS, 150);

	xt_check(share >= 0 && share < 20,
		 "submitter asleep for 150 ms (spin_us 100000): its worker used %.1f %% of a CPU (< 20)",
		 share);
	xt_check(always > 40,
		 "control, XSC_SETUP_SPIN_ALWAYS: the worker spins 100 ms of the sleep (%.1f %% > 40)",
		 always);
}

int main(void)
{
	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	test_device();
	test_setup_errors();
	test_calls();
	test_full_queues();
	test_overflow();
	test_publish_before_block();
	test_spin_policy();
	test_fork();
	test_teardown();
	test_switch();
	return xt_done();
}
