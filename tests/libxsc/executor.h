/*
 * A user-space executor for libxsc rings: one thread per ring that plays
 * the kernel worker of drivers/xsc/xsc.c over memory laid out exactly as
 * XSC_IOC_SETUP reports it, with the same barriers ([K1]..[K5]). Host unit
 * tests (tests/libxsc/test-ring.c) and the transport benchmark
 * (bench/transport.c) drive it through libxsc's struct xsc_transport.
 *
 * Differences from the kernel worker, all deliberate:
 *  - spin_us is the real spin time: 0 means "sleep as soon as idle"
 *    (the kernel turns 0 into its default).
 *  - it also sleeps (behind XSC_RING_NEED_WAKEUP) while the completion
 *    queue is full, so libxsc's wake in xsc_cqe_seen() is exercised; the
 *    kernel worker keeps polling instead.
 *  - no policy, seccomp or ptrace: an entry runs with the trap, as the
 *    executor thread (so gettid answers the executor's tid), unless it is
 *    the number set with trap_nr, which completes with XSC_STATUS_TRAP.
 *  - destroy waits for an entry being executed to return.
 *  - publication is batched as the kernel's (XSC_FEAT_BATCH), but with no
 *    scheduler hook to say that a call is about to block, it also
 *    publishes before every real (not null_exec) call.
 *  - XSC_RING_WORKER_RUNNING is cleared only when it sleeps idle (a call
 *    blocking in it is not seen), and its spin does not look at whether
 *    the submitter runs (user space cannot see that cheaply).
 */
#ifndef XSC_TEST_EXECUTOR_H
#define XSC_TEST_EXECUTOR_H

#include <stdint.h>

#include "xsc.h"

struct xsc_user_opts {
	unsigned int entries;	/* sq_entries: power of two, 1..XSC_MAX_ENTRIES */
	unsigned int spin_us;	/* busy-poll this long after the last entry; 0: none */
	int null_exec;		/* 1: do not trap; an entry's result is its args[0] */
	int publish_each;	/* 1: publish sq_head, cq_tail per entry (XSC_SETUP_PUBLISH_EACH) */
	int cpu;		/* pin the executor thread to this CPU; -1: no pinning */
	long trap_nr;		/* complete this number with XSC_STATUS_TRAP; -1: none */
	uint32_t sq_start;	/* initial sq_head == sq_tail (free-running index) */
	uint32_t cq_start;	/* initial cq_head == cq_tail */
};

/* Counters, each monotonic; read while the executor runs they are a
 * snapshot of independent values. */
struct xsc_user_stats {
	uint64_t taken;		/* entries copied out of the submission queue */
	uint64_t trapped;	/* of those, completed with XSC_STATUS_TRAP */
	uint64_t sleeps;	/* futex sleeps of the executor that ended in a wake-up */
	uint64_t sleep_aborts;	/* NEED_WAKEUP set, then work or a wake-up seen: no sleep */
	uint64_t cq_full;	/* passes over the queue stopped by a full completion queue */
	uint64_t wake_calls;	/* enter(XSC_ENTER_WAKE) */
	uint64_t wait_sleeps;	/* futex sleeps in enter(XSC_ENTER_WAIT) */
	uint64_t cpu_ns;	/* the executor thread's CLOCK_THREAD_CPUTIME_ID, read by it */
};

/* Set up @r over fresh memory and start its executor; 0 or -errno. */
int xsc_user_ring_create_opts(struct xsc_ring *r, const struct xsc_user_opts *o);
/* The same with indices starting at 0, no pinning and no trap number. */
int xsc_user_ring_create(struct xsc_ring *r, unsigned int entries, unsigned int spin_us,
			 int null_exec);
/* Stop the executor, free the memory and the executor; @r is unusable. */
void xsc_user_ring_destroy(struct xsc_ring *r);

/* The counters; cpu_ns is read by the executor thread on request, so this
 * waits for it to be between entries. */
void xsc_user_ring_stats(struct xsc_ring *r, struct xsc_user_stats *s);
/* The executor thread's tid (for tests: what gettid answers on the ring). */
int xsc_user_ring_tid(struct xsc_ring *r);

#endif
