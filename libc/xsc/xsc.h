/*
 * libxsc: the user side of the XSC ring (docs/XSC-ABI-SPEC.md).
 *
 * A ring belongs to one thread. Errors come back as -errno from every
 * function here except xsc_syscall(), which behaves like syscall(2):
 * -1 with errno set.
 */
#ifndef XSC_H
#define XSC_H

#include <stdint.h>
#include <linux/xsc.h>

struct xsc_ring;

/* How a ring reaches its executor: the kernel's ioctl, or (host tests and
 * the transport benchmark) a user-space executor thread. */
struct xsc_transport {
	/* XSC_IOC_ENTER: wake the executor and/or wait for min_complete */
	int (*enter)(struct xsc_ring *r, uint32_t flags, uint32_t min_complete);
	void *priv;
};

struct xsc_ring {
	int fd;				/* /dev/xsc, or -1 for a user-space executor */
	void *mem;
	size_t size;
	uint32_t sq_entries, cq_entries;
	uint32_t *sq_head, *sq_tail, *cq_head, *cq_tail, *flags, *dropped;
	struct xsc_sqe *sqes;
	struct xsc_cqe *cqes;
	uint32_t sq_tail_local;		/* entries handed out by xsc_get_sqe, not yet published */
	uint32_t sq_head_seen;		/* sq_head as last read: slots before it are free, so
					 * the shared word is read only when the ring looks full */
	uint32_t wait_spin;		/* xsc_call: polls of the completion queue before it
					 * sleeps in XSC_IOC_ENTER (XSC_WAIT_SPIN by default) */
	uint32_t features, abi_version;
	const struct xsc_transport *transport;
	volatile int in_call;		/* xsc_call() under way on this ring (signal handlers) */
	int stale;			/* a call came back XSC_REASON_STALE: the worker no
					 * longer acts as this thread; set up a new ring */
	int broken;			/* -errno: the ring could not carry the last xsc_call
					 * (no free entry, the worker gone, the file closed
					 * under it); that call was not made */
};

/* Polls of the completion queue before a synchronous call sleeps. Each
 * is a load and a pause; with XSC_FEAT_WORKER_STATE the polling also
 * stops as soon as the worker is not running. */
#define XSC_WAIT_SPIN 2000

/* Set up a ring of @entries (power of two) on /dev/xsc; @spin_us is how
 * long the worker polls before sleeping (0: the kernel's default). */
int xsc_ring_init(struct xsc_ring *r, unsigned int entries, unsigned int spin_us);
/* The same with XSC_SETUP_* @flags (the older per-entry publication or
 * unconditional spinning, for side-by-side measurements). */
int xsc_ring_init_flags(struct xsc_ring *r, unsigned int entries, unsigned int spin_us,
			uint32_t flags);
/* Set up a ring over @mem laid out as @p describes, driven by @t. */
void xsc_ring_init_mem(struct xsc_ring *r, void *mem, const struct xsc_setup *p,
		       const struct xsc_transport *t);
void xsc_ring_exit(struct xsc_ring *r);

/* A vacant entry, or NULL if the submission queue is full. */
struct xsc_sqe *xsc_get_sqe(struct xsc_ring *r);
static inline void xsc_prep(struct xsc_sqe *sqe, long nr, const uint64_t args[6], uint64_t user_data)
{
	int i;

	sqe->nr = (uint32_t)nr;
	sqe->flags = 0;
	for (i = 0; i < 6; i++)
		sqe->args[i] = args[i];
	sqe->user_data = user_data;
}
/* Publish the entries taken with xsc_get_sqe; wake the worker if it sleeps.
 * Returns how many were published, or -errno. */
int xsc_submit(struct xsc_ring *r);

/* The oldest unread completion, or NULL. */
struct xsc_cqe *xsc_peek_cqe(struct xsc_ring *r);
/* Mark the oldest completion read, freeing its slot. */
void xsc_cqe_seen(struct xsc_ring *r);
/* How many completions are unread (one load-acquire of cq_tail). */
uint32_t xsc_cq_ready(struct xsc_ring *r);
/* The @i-th unread completion (i < xsc_cq_ready()). */
static inline struct xsc_cqe *xsc_cqe_at(struct xsc_ring *r, uint32_t i)
{
	return &r->cqes[(*r->cq_head + i) & (r->cq_entries - 1)];
}
/* Mark the @n oldest completions read: one store of cq_head and one
 * barrier for the whole batch. */
void xsc_cq_advance(struct xsc_ring *r, uint32_t n);
/* Wait until a completion is unread, polling up to @spin times first
 * (while the worker runs, where the kernel says: XSC_FEAT_WORKER_STATE);
 * returns it, or NULL with -errno in *err (the worker died, the ring broke). */
struct xsc_cqe *xsc_wait_cqe(struct xsc_ring *r, unsigned int spin, int *err);

/* The trap, for calls the ring sends back. Returns -errno on error. */
int64_t xsc_trap(long nr, const uint64_t args[6]);

/* One synchronous call on @r: -errno on error. Calls the ring returns with
 * XSC_STATUS_TRAP are made with the trap; XSC_REASON_STALE also sets
 * r->stale. A failure of the ring itself is returned and kept in
 * r->broken (0 after a call the ring carried). */
int64_t xsc_call(struct xsc_ring *r, long nr, const uint64_t args[6]);

/*
 * syscall(2) through this thread's ring: set up on first use, the trap if
 * /dev/xsc is missing or refuses (stock kernel, xsc_enabled=0). Arguments
 * are passed as unsigned long, as glibc's syscall() passes them on x32.
 */
long xsc_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* This thread's ring, or NULL if the thread uses the trap. */
struct xsc_ring *xsc_thread_ring(void);
/* Forget this thread's ring without touching it (a fork child's copy). */
void xsc_thread_forget(void);

#endif
