/*
 * libxsc: the user side of the XSC ring. Barriers are named [U1]..[U6]
 * after their partners [K1]..[K5] in drivers/xsc/xsc.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xsc.h"
#include "xsc_arch.h"

/* One layout on every ABI; drivers/xsc/xsc.c asserts the same sizes. */
_Static_assert(sizeof(struct xsc_sqe) == 64, "xsc_sqe layout");
_Static_assert(sizeof(struct xsc_cqe) == 32, "xsc_cqe layout");
_Static_assert(sizeof(struct xsc_ring_offsets) == 32, "xsc_ring_offsets layout");
_Static_assert(sizeof(struct xsc_setup) == 80, "xsc_setup layout");
_Static_assert(sizeof(struct xsc_enter) == 16, "xsc_enter layout");

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define load_relaxed(p)		__atomic_load_n((p), __ATOMIC_RELAXED)


int64_t xsc_trap(long nr, const uint64_t args[6])
{
	return xsc_arch_trap((uint64_t)(unsigned long)nr, args);
}

static int kernel_enter(struct xsc_ring *r, uint32_t flags, uint32_t min_complete)
{
	struct xsc_enter e = { .flags = flags, .min_complete = min_complete };
	uint64_t a[6] = { (uint64_t)r->fd, XSC_IOC_ENTER, (uint64_t)(uintptr_t)&e };

	/* the ioctl itself must trap: it is how the ring is driven */
	return (int)xsc_trap(__NR_ioctl, a);
}

static const struct xsc_transport kernel_transport = { .enter = kernel_enter };

void xsc_ring_init_mem(struct xsc_ring *r, void *mem, const struct xsc_setup *p,
		       const struct xsc_transport *t)
{
	char *m = mem;

	r->mem = mem;
	r->size = p->ring_size;
	r->sq_entries = p->sq_entries;
	r->cq_entries = p->cq_entries;
	r->sq_head = (uint32_t *)(m + p->off.sq_head);
	r->sq_tail = (uint32_t *)(m + p->off.sq_tail);
	r->cq_head = (uint32_t *)(m + p->off.cq_head);
	r->cq_tail = (uint32_t *)(m + p->off.cq_tail);
	r->flags = (uint32_t *)(m + p->off.flags);
	r->dropped = (uint32_t *)(m + p->off.dropped);
	r->sqes = (struct xsc_sqe *)(m + p->off.sqes);
	r->cqes = (struct xsc_cqe *)(m + p->off.cqes);
	r->sq_tail_local = load_relaxed(r->sq_tail);
	r->features = p->features;
	r->abi_version = p->abi_version;
	r->transport = t;
	r->fd = -1;
	r->in_call = 0;
	r->stale = 0;
}

int xsc_ring_init(struct xsc_ring *r, unsigned int entries, unsigned int spin_us)
{
	struct xsc_setup p = { .sq_entries = entries, .spin_us = spin_us };
	void *mem;
	int fd, ret;

	fd = open("/dev/xsc", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, XSC_IOC_SETUP, &p) < 0) {
		ret = -errno;
		goto out_close;
	}
	if (p.abi_version != XSC_ABI_VERSION) {
		ret = -EPROTO;
		goto out_close;
	}
	mem = mmap(NULL, p.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, XSC_OFF_RING);
	if (mem == MAP_FAILED) {
		ret = -errno;
		goto out_close;
	}
	xsc_ring_init_mem(r, mem, &p, &kernel_transport);
	r->fd = fd;
	return 0;

out_close:
	close(fd);		/* undo open; the kernel tears down a set-up ring */
	return ret;
}

void xsc_ring_exit(struct xsc_ring *r)
{
	if (r->fd >= 0) {
		munmap(r->mem, r->size);
		close(r->fd);
	}
	r->fd = -1;
	r->mem = NULL;
}

struct xsc_sqe *xsc_get_sqe(struct xsc_ring *r)
{
	uint32_t head = load_acquire(r->sq_head);		/* [U2] */

	if (r->sq_tail_local - head >= r->sq_entries)
		return NULL;
	return &r->sqes[r->sq_tail_local++ & (r->sq_entries - 1)];
}

int xsc_submit(struct xsc_ring *r)
{
	uint32_t old = load_relaxed(r->sq_tail);
	uint32_t n = r->sq_tail_local - old;

	if (!n)
		return 0;
	store_release(r->sq_tail, r->sq_tail_local);		/* [U1] */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);		/* [U5] */
	if (load_relaxed(r->flags) & XSC_RING_NEED_WAKEUP) {
		int ret = r->transport->enter(r, XSC_ENTER_WAKE, 0);
		if (ret < 0)
			return ret;
	}
	return (int)n;
}

struct xsc_cqe *xsc_peek_cqe(struct xsc_ring *r)
{
	uint32_t head = load_relaxed(r->cq_head);

	if (head == load_acquire(r->cq_tail))			/* [U3] */
		return NULL;
	return &r->cqes[head & (r->cq_entries - 1)];
}

void xsc_cqe_seen(struct xsc_ring *r)
{
	store_release(r->cq_head, load_relaxed(r->cq_head) + 1);	/* [U4] */
	/* the worker stops taking entries while the completion queue is full
	 * and may sleep on it: [U6] pairs with [K5]'s re-check of cq_head */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);			/* [U6] */
	if (load_relaxed(r->flags) & XSC_RING_NEED_WAKEUP &&
	    load_relaxed(r->sq_tail) != load_relaxed(r->sq_head))
		r->transport->enter(r, XSC_ENTER_WAKE, 0);
}

struct xsc_cqe *xsc_wait_cqe(struct xsc_ring *r, unsigned int spin, int *err)
{
	struct xsc_cqe *cqe;

	for (;;) {
		for (unsigned int i = 0; i <= spin; i++) {
			cqe = xsc_peek_cqe(r);
			if (cqe)
				return cqe;
			xsc_arch_relax();
		}
		int ret = r->transport->enter(r, XSC_ENTER_WAIT, 1);
		/* a handled signal interrupts the wait, not the call: wait again */
		if (ret < 0 && ret != -EINTR) {
			cqe = xsc_peek_cqe(r);
			if (cqe)
				return cqe;
			*err = ret;
			return NULL;
		}
	}
}

/* Spin iterations before a synchronous call sleeps in XSC_IOC_ENTER. */
#define XSC_SYNC_SPIN 2000

int64_t xsc_call(struct xsc_ring *r, long nr, const uint64_t args[6])
{
	struct xsc_sqe *sqe;
	struct xsc_cqe *cqe;
	int64_t ret;
	uint32_t status;
	int err;

	/* A signal handler calling in while this thread is mid-call would take
	 * or publish the interrupted call's slots: nested calls trap instead. */
	if (r->in_call)
		return xsc_trap(nr, args);
	r->in_call = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	sqe = xsc_get_sqe(r);
	if (!sqe) {
		ret = -EBUSY;
		goto out;
	}
	xsc_prep(sqe, nr, args, 0);
	ret = xsc_submit(r);
	if (ret < 0)
		goto out;
	cqe = xsc_wait_cqe(r, XSC_SYNC_SPIN, &err);
	if (!cqe) {
		ret = err;
		goto out;
	}
	ret = cqe->result;
	status = cqe->status;
	if (cqe->reason == XSC_REASON_STALE)
		r->stale = 1;
	xsc_cqe_seen(r);
	if (status == XSC_STATUS_TRAP)
		ret = xsc_trap(nr, args);
out:
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	r->in_call = 0;
	return ret;
}

/* ------------------------------------------------------------ per thread */

static __thread struct xsc_ring tls_ring = { .fd = -1 };
static __thread int tls_state;		/* 0: untried, 1: ring, -1: trap */

static void tls_destroy(void *unused)
{
	(void)unused;
	if (tls_state == 1)
		xsc_ring_exit(&tls_ring);
	tls_state = -1;
}

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void fork_child(void)
{
	/* the child's copy of the parent's ring is not mapped (VM_DONTCOPY)
	 * and its fd belongs to the parent's ring: forget both */
	xsc_thread_forget();
}

static void tls_init_once(void)
{
	pthread_key_create(&tls_key, tls_destroy);
	pthread_atfork(NULL, NULL, fork_child);
}

void xsc_thread_forget(void)
{
	if (tls_state == 1)
		close(tls_ring.fd);
	tls_ring.fd = -1;
	tls_ring.mem = NULL;
	tls_state = 0;
}

struct xsc_ring *xsc_thread_ring(void)
{
	if (tls_state == 0) {
		/* calls made while setting up (libc's open, ioctl, mmap, perhaps
		 * routed back here) use the trap */
		tls_state = -1;
		pthread_once(&tls_once, tls_init_once);
		if (xsc_ring_init(&tls_ring, 8, 0) == 0) {
			pthread_setspecific(tls_key, &tls_ring);
			tls_state = 1;
		}
	}
	return tls_state == 1 ? &tls_ring : NULL;
}

long xsc_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	uint64_t a[6] = {
		(unsigned long)a1, (unsigned long)a2, (unsigned long)a3,
		(unsigned long)a4, (unsigned long)a5, (unsigned long)a6,
	};
	struct xsc_ring *r = xsc_thread_ring();
	int64_t ret = r ? xsc_call(r, nr, a) : xsc_trap(nr, a);

	/* the thread changed its credentials, namespaces, ... since setup: the
	 * next call sets up a ring whose worker is a copy of it as it is now */
	if (r && r->stale && !r->in_call) {
		xsc_ring_exit(r);
		tls_state = 0;
	}

	if (ret < 0 && ret >= -4095) {
		errno = (int)-ret;
		return -1;
	}
	return (long)ret;
}
