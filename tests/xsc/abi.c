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
	p.flags = 1;
	xt_check(ioctl(fd, XSC_IOC_SETUP, &p) < 0 && errno == EINVAL, "setup with flags: EINVAL");
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
	int i, ret = xsc_ring_init(&r, 4, 0);

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

	/* full ring: 4 entries taken (not published), the fifth is refused */
	for (i = 0; i < 4 && xsc_get_sqe(&r); i++)
		;
	xt_check(i == 4 && xsc_get_sqe(&r) == NULL, "a full submission queue gives no fifth entry");
	r.sq_tail_local -= i;
	xsc_ring_exit(&r);
}

static void test_overflow(void)
{
	struct xsc_ring r;

	if (xsc_ring_init(&r, 4, 0))
		return;
	/* publish more than the ring holds, behind the library's back */
	__atomic_store_n(r.sq_tail, *r.sq_tail + 100, __ATOMIC_RELEASE);
	r.transport->enter(&r, XSC_ENTER_WAKE, 0);
	for (int i = 0; i < 200 && !(__atomic_load_n(r.flags, __ATOMIC_ACQUIRE) & XSC_RING_OVERFLOW); i++)
		usleep(10000);
	xt_check(__atomic_load_n(r.flags, __ATOMIC_ACQUIRE) & XSC_RING_OVERFLOW,
		 "sq_tail 100 ahead: XSC_RING_OVERFLOW set, dropped %u", *r.dropped);
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
	char line[128];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Threads:", 8))
			n = atoi(line + 8);
	if (f)
		fclose(f);
	return n;
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

int main(void)
{
	if (access("/dev/xsc", F_OK))
		xt_skip_all("no /dev/xsc");
	test_device();
	test_setup_errors();
	test_calls();
	test_overflow();
	test_fork();
	test_teardown();
	test_switch();
	return xt_done();
}
