/*
 * libxsc: the user side of the XSC ring. Barriers are named [U1]..[U6]
 * after their partners [K1]..[K5] in drivers/xsc/xsc.c.
 *
 * This file is the ring itself and calls nothing of the C library: every
 * system call it makes is a trap (xsc_arch_trap), and it keeps no global
 * state. That is what lets the XSC glibc build this same file into libc
 * (libc/glibc/), where the C library's own calls would come back here.
 * The per-thread ring of programs that link libxsc is xsc_thread.c.
 */
#include <errno.h>		/* the E* constants only: errno itself is never touched */
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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
	r->sq_head_seen = load_relaxed(r->sq_head);
	r->wait_spin = XSC_WAIT_SPIN;
	r->features = p->features;
	r->abi_version = p->abi_version;
	r->transport = t;
	r->fd = -1;
	r->in_call = 0;
	r->stale = 0;
	r->broken = 0;
}

int xsc_ring_init(struct xsc_ring *r, unsigned int entries, unsigned int spin_us)
{
	return xsc_ring_init_flags(r, entries, spin_us, 0);
}

int xsc_ring_init_flags(struct xsc_ring *r, unsigned int entries, unsigned int spin_us,
			uint32_t flags)
{
	struct xsc_setup p = { .sq_entries = entries, .spin_us = spin_us, .flags = flags };
	uint64_t open_args[6] = { (uint64_t)(int64_t)AT_FDCWD, (uint64_t)(uintptr_t)"/dev/xsc",
				  O_RDWR | O_CLOEXEC };
	uint64_t a[6] = { 0 };
	int64_t fd, ret;

	fd = xsc_arch_trap(__NR_openat, open_args);
	if (fd < 0)
		return (int)fd;
	a[0] = (uint64_t)fd;
	a[1] = XSC_IOC_SETUP;
	a[2] = (uint64_t)(uintptr_t)&p;
	ret = xsc_arch_trap(__NR_ioctl, a);
	if (ret < 0)
		goto out_close;
	ret = -EPROTO;
	if (p.abi_version != XSC_ABI_VERSION)
		goto out_close;
	/* mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, XSC_OFF_RING) */
	a[0] = 0;
	a[1] = p.ring_size;
	a[2] = PROT_READ | PROT_WRITE;
	a[3] = MAP_SHARED;
	a[4] = (uint64_t)fd;
	a[5] = XSC_OFF_RING;
	ret = xsc_arch_trap(__NR_mmap, a);
	if (ret < 0 && ret >= -4095)
		goto out_close;
	xsc_ring_init_mem(r, (void *)(uintptr_t)ret, &p, &kernel_transport);
	r->fd = (int)fd;
	return 0;

out_close:
	/* undo the open; the kernel tears down a set-up ring */
	xsc_arch_trap(__NR_close, (uint64_t[6]){ (uint64_t)fd });
	return (int)ret;
}

void xsc_ring_exit(struct xsc_ring *r)
{
	if (r->fd >= 0) {
		xsc_arch_trap(__NR_munmap, (uint64_t[6]){ (uint64_t)(uintptr_t)r->mem, r->size });
		xsc_arch_trap(__NR_close, (uint64_t[6]){ (uint64_t)r->fd });
	}
	r->fd = -1;
	r->mem = NULL;
}

struct xsc_sqe *xsc_get_sqe(struct xsc_ring *r)
{
	/* the shared word only when the last one read leaves no room: the
	 * worker's cache line is not pulled over for every entry */
	if (r->sq_tail_local - r->sq_head_seen >= r->sq_entries) {
		r->sq_head_seen = load_acquire(r->sq_head);	/* [U2] */
		if (r->sq_tail_local - r->sq_head_seen >= r->sq_entries)
			return NULL;
	}
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

uint32_t xsc_cq_ready(struct xsc_ring *r)
{
	return load_acquire(r->cq_tail) - load_relaxed(r->cq_head);	/* [U3] */
}

void xsc_cqe_seen(struct xsc_ring *r)
{
	xsc_cq_advance(r, 1);
}

void xsc_cq_advance(struct xsc_ring *r, uint32_t n)
{
	store_release(r->cq_head, load_relaxed(r->cq_head) + n);	/* [U4] */
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
			/* a worker asleep or blocked in a call posts nothing
			 * soon: sleep now, its publication wakes us */
			if ((r->features & XSC_FEAT_WORKER_STATE) &&
			    !(load_relaxed(r->flags) & XSC_RING_WORKER_RUNNING))
				break;
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
	r->broken = 0;
	sqe = xsc_get_sqe(r);
	if (!sqe) {
		ret = r->broken = -EBUSY;
		goto out;
	}
	xsc_prep(sqe, nr, args, 0);
	ret = xsc_submit(r);
	if (ret < 0) {
		r->broken = (int)ret;
		goto out;
	}
	cqe = xsc_wait_cqe(r, r->wait_spin, &err);
	if (!cqe) {
		ret = r->broken = err;
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
