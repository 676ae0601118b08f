/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * XSC: system calls through a shared-memory ring on /dev/xsc.
 *
 * This header is the whole ABI, shared by the kernel and user space, with
 * one layout on x86_64, x32 and arm64 (fixed-width types, explicit padding,
 * sizes asserted on both sides). docs/XSC-ABI-SPEC.md is its specification.
 *
 * One ring per thread: open /dev/xsc, XSC_IOC_SETUP, mmap the ring at
 * XSC_OFF_RING. The thread writes struct xsc_sqe entries and publishes them
 * by advancing sq_tail; a kernel worker of the same process executes them
 * and posts struct xsc_cqe completions by advancing cq_tail.
 */
#ifndef _UAPI_LINUX_XSC_H
#define _UAPI_LINUX_XSC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define XSC_DEVICE_MAJOR	248
#define XSC_DEVICE_MINOR	0
#define XSC_ABI_VERSION		1

/* Submission entry, 64 bytes. */
struct xsc_sqe {
	__u32 nr;		/* syscall number as the trap takes it (x32: with __X32_SYSCALL_BIT) */
	__u32 flags;		/* must be 0 */
	__u64 args[6];		/* as the trap's argument registers; x32 pointers zero-extended */
	__u64 user_data;	/* copied to the completion */
};

/* Completion entry, 32 bytes. */
struct xsc_cqe {
	__u64 user_data;	/* from the entry */
	__s64 result;		/* XSC_STATUS_DONE: the syscall's return (-errno on error) */
	__u32 status;		/* enum xsc_status */
	__u32 reason;		/* enum xsc_reason: why the call was not executed */
	__u64 resv;
};

enum xsc_status {
	XSC_STATUS_DONE = 0,	/* executed (or refused exactly as the trap would refuse it) */
	XSC_STATUS_TRAP = 1,	/* not executed: make this call with the trap instruction */
	XSC_STATUS_INVALID = 2,	/* malformed entry, not executed; result is -EINVAL */
};

enum xsc_reason {
	XSC_REASON_NONE = 0,
	XSC_REASON_POLICY = 1,	 /* the call acts on the calling thread: it must trap */
	XSC_REASON_SECCOMP = 2,	 /* a seccomp action other than allow / errno: trap for it */
	XSC_REASON_PTRACE = 3,	 /* the submitting thread is ptraced */
	XSC_REASON_DISABLED = 4, /* the system-wide switch is off */
	XSC_REASON_FLAGS = 5,	 /* INVALID: unknown bits in xsc_sqe.flags */
	XSC_REASON_STALE = 6,	 /* the submitting thread changed its credentials, namespaces, fs,
				  * file table, personality or per-thread state since setup: the
				  * worker no longer acts as it; trap, and set up a new ring */
	XSC_REASON_COUNT	 /* number of reasons (for counters) */
};

/* Bits in the shared ring word at xsc_ring_offsets.flags. */
#define XSC_RING_NEED_WAKEUP	(1U << 0)	/* the worker sleeps: XSC_IOC_ENTER with XSC_ENTER_WAKE */
#define XSC_RING_DEAD		(1U << 1)	/* the worker has exited; nothing more completes */
#define XSC_RING_OVERFLOW	(1U << 2)	/* sq_tail ran more than sq_entries ahead of sq_head */
#define XSC_RING_WORKER_RUNNING	(1U << 3)	/* the worker is on a CPU or runnable (polling
						 * or executing), not asleep or blocked in a
						 * call: a waiting submitter may spin; clear:
						 * wait with XSC_ENTER_WAIT (XSC_FEAT_WORKER_STATE) */

/* Byte offsets of the shared words and arrays inside the ring mapping. */
struct xsc_ring_offsets {
	__u32 sq_head;		/* u32, written by the kernel: next entry it will take */
	__u32 sq_tail;		/* u32, written by user space: one past the last entry published */
	__u32 cq_head;		/* u32, written by user space: next completion it will read */
	__u32 cq_tail;		/* u32, written by the kernel: one past the last completion posted */
	__u32 flags;		/* u32, written by the kernel: XSC_RING_* */
	__u32 dropped;		/* u32, written by the kernel: entries discarded by an overflow */
	__u32 sqes;		/* struct xsc_sqe[sq_entries] */
	__u32 cqes;		/* struct xsc_cqe[cq_entries] */
};

/* Features reported by XSC_IOC_SETUP. */
#define XSC_FEAT_X32		(1U << 0)	/* entries with __X32_SYSCALL_BIT run as x32 calls */
#define XSC_FEAT_SECCOMP	(1U << 1)	/* the submitter's seccomp filter decides each entry */
#define XSC_FEAT_COUNTERS	(1U << 2)	/* /proc/<pid>/xsc counts ring and trap-back calls */
#define XSC_FEAT_IDENTITY	(1U << 3)	/* each entry checks that the worker acts as its
						 * submitter (XSC_REASON_STALE otherwise) */
#define XSC_FEAT_BATCH		(1U << 4)	/* sq_head and cq_tail are published once per
						 * pass of the worker over the queue (at most
						 * XSC_PUBLISH_BATCH entries) and before it
						 * blocks, not per entry */
#define XSC_FEAT_WORKER_STATE	(1U << 5)	/* the worker keeps XSC_RING_WORKER_RUNNING, and
						 * spins only while its submitter runs and
						 * nothing else wants its CPU */

#define XSC_PUBLISH_BATCH	16	/* completions a worker posts before it publishes them */

/* xsc_setup.flags: the behaviour before XSC_FEAT_BATCH / _WORKER_STATE, per
 * ring, for side-by-side measurements (bench/) */
#define XSC_SETUP_PUBLISH_EACH	(1U << 0)	/* publish sq_head and cq_tail per entry */
#define XSC_SETUP_SPIN_ALWAYS	(1U << 1)	/* spin all of spin_us, whoever runs */
#define XSC_SETUP_FLAGS		(XSC_SETUP_PUBLISH_EACH | XSC_SETUP_SPIN_ALWAYS)

#define XSC_MAX_ENTRIES		4096

/* XSC_IOC_SETUP argument. Fields marked "in" are read, "out" written. */
struct xsc_setup {
	__u32 sq_entries;	/* in: power of two, 1..XSC_MAX_ENTRIES; out: as set */
	__u32 cq_entries;	/* out: 2 * sq_entries */
	__u32 flags;		/* in: XSC_SETUP_* */
	__u32 spin_us;		/* in: worker busy-polls this long before sleeping; 0: default */
	__u32 abi_version;	/* out: XSC_ABI_VERSION */
	__u32 features;		/* out: XSC_FEAT_* */
	__u64 ring_size;	/* out: bytes to mmap at XSC_OFF_RING */
	struct xsc_ring_offsets off;	/* out */
	__u32 resv[4];		/* in: must be 0 */
};

/* XSC_IOC_ENTER argument. */
struct xsc_enter {
	__u32 flags;		/* XSC_ENTER_* */
	__u32 min_complete;	/* with XSC_ENTER_WAIT: wait until this many completions are unread */
	__u32 resv[2];		/* must be 0 */
};
#define XSC_ENTER_WAKE		(1U << 0)	/* wake the worker */
#define XSC_ENTER_WAIT		(1U << 1)	/* sleep until min_complete completions are unread */

#define XSC_OFF_RING		0ULL	/* mmap offset of the ring */

#define XSC_IOC_MAGIC		0xE5
#define XSC_IOC_SETUP		_IOWR(XSC_IOC_MAGIC, 0x00, struct xsc_setup)
#define XSC_IOC_ENTER		_IOW(XSC_IOC_MAGIC, 0x01, struct xsc_enter)

#endif /* _UAPI_LINUX_XSC_H */
