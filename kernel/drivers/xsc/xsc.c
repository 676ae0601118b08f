// SPDX-License-Identifier: GPL-2.0
/*
 * XSC: system calls through a shared-memory ring on /dev/xsc.
 *
 * docs/XSC-ABI-SPEC.md is the contract; include/uapi/linux/xsc.h the layout.
 *
 * Each ring belongs to the thread that set it up (the submitter) and has
 * one worker: an io thread (create_io_thread) of the submitter's process,
 * so it shares the mm, files, fs and signal handlers and never returns to
 * user space. The worker is a copy of its submitter at setup; before each
 * entry it checks that it still acts as its submitter (credentials,
 * namespaces, fs, file table, personality, arch thread state: see
 * xsc_acts_as_submitter()) and otherwise sends the entry back to the trap
 * (XSC_REASON_STALE). It copies each entry once, decides it as the
 * submitter's trap would be decided (policy.c's allowlist, ptrace, the
 * submitter's seccomp filter), runs it through the arch's syscall table,
 * runs the task work the call left (deferred fput) and then posts the
 * completion.
 *
 * Memory ordering. Indices are free-running u32s, masked on use; the
 * kernel keeps private copies of the indices it owns and never trusts the
 * shared ones. Each barrier names its partner in user space (libxsc):
 *  [K1] smp_load_acquire(sq_tail) pairs with the submitter's
 *       store-release of sq_tail [U1] after writing the entries.
 *  [K2] smp_store_release(sq_head) after copying an entry pairs with the
 *       submitter's load-acquire of sq_head [U2] before reusing the slot.
 *  [K3] smp_store_release(cq_tail) after writing a completion pairs with
 *       the reaper's load-acquire of cq_tail [U3].
 *  [K4] smp_load_acquire(cq_head) pairs with the reaper's store-release of
 *       cq_head [U4] after reading completions: slots before it are free.
 *  [K5] set NEED_WAKEUP, smp_mb__after_atomic(), re-read sq_tail and
 *       cq_head, sleep; the submitter stores sq_tail, smp_mb() [U5], reads
 *       flags and wakes the worker if NEED_WAKEUP is set; the reaper does
 *       the same after freeing completions [U6]. Without both full barriers
 *       each side could miss the other's store and the entry would sit
 *       unseen.
 *
 * Publication is batched (XSC_FEAT_BATCH): the worker advances its private
 * sq_head_k and cq_tail_k per entry and stores them to the shared words
 * ([K2], [K3], xsc_publish()) once per pass over the queue, every
 * XSC_PUBLISH_BATCH completions, before it yields the CPU in the pass, and
 * before it blocks or stops inside a call (xsc_worker_sleeping(), from
 * the scheduler), so a completion is never hidden behind a call that
 * waits for something its submitter does after seeing it. A ring set up
 * with XSC_SETUP_PUBLISH_EACH publishes per entry, as before.
 *
 * Spinning (XSC_FEAT_WORKER_STATE): the worker polls for spin_ns after
 * its last entry only while its submitter is runnable and nothing else
 * waits for the worker's CPU (xsc_spin_helps()), then sleeps behind
 * NEED_WAKEUP. XSC_RING_WORKER_RUNNING in the shared flags says whether
 * the worker is awake: the scheduler hooks clear it when the worker
 * sleeps or blocks and set it when it runs again; a waiting submitter
 * spins only while it is set, and otherwise sleeps in XSC_IOC_ENTER.
 */
#include <linux/audit.h>
#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/ioprio.h>
#include <linux/resource.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/posix-timers.h>
#include <linux/ptrace.h>
#include <linux/randomize_kstack.h>
#include <linux/resume_user_mode.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/seccomp.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xsc.h>
#include <asm/xsc.h>
#include <trace/events/syscalls.h>

#include "policy.h"

/* One layout on every ABI: x86_64, x32 and arm64 user space assert the same. */
static_assert(sizeof(struct xsc_sqe) == 64);
static_assert(sizeof(struct xsc_cqe) == 32);
static_assert(sizeof(struct xsc_ring_offsets) == 32);
static_assert(sizeof(struct xsc_setup) == 80);
static_assert(sizeof(struct xsc_enter) == 16);

#define XSC_DEFAULT_SPIN_US	50
/* how long a worker polls for a submitter it has just woken (at most
 * spin_us): a wake-up under QEMU TCG takes up to about 40 us */
#define XSC_WAKE_GRACE_NS	(200 * NSEC_PER_USEC)
#define XSC_MAX_SPIN_US		100000

/* Shared header layout: producer and consumer words on separate lines. */
#define XSC_OFF_SQ_HEAD		0
#define XSC_OFF_SQ_TAIL		64
#define XSC_OFF_CQ_HEAD		128
#define XSC_OFF_CQ_TAIL		192
#define XSC_OFF_FLAGS		256
#define XSC_OFF_DROPPED		260
#define XSC_OFF_SQES		512

/* ------------------------------------------------------------ state */

struct xsc_counters {
	spinlock_t lock;			/* ring_list; taken inside siglock */
	struct list_head ring_list;		/* rings whose worker runs */
	atomic64_t ring;			/* executed by a worker */
	atomic64_t seccomp_errno;		/* of those, refused by a seccomp errno action */
	atomic64_t not_run[XSC_REASON_COUNT];	/* sent back to the trap or invalid, per reason */
	atomic_t rings;				/* rings whose worker runs */
};

struct xsc_ring {
	refcount_t refs;		/* the file's and, while it runs, the worker's */
	struct mutex setup_lock;
	bool ready;			/* set up; written once under setup_lock, read with acquire */

	void *mem;			/* vmalloc_user(): header, sqes, cqes */
	size_t size;
	u32 sq_entries, cq_entries;
	u32 *sq_head, *sq_tail, *cq_head, *cq_tail, *dropped;
	atomic_t *flags;
	struct xsc_sqe *sqes;
	struct xsc_cqe *cqes;
	u32 sq_head_k, cq_tail_k;	/* the kernel's own copies of what it publishes */
	u32 sq_head_pub;		/* what *sq_head holds (worker-only) */
	u32 cq_tail_pub;		/* what *cq_tail holds; XSC_IOC_ENTER waits on it */
	u64 woke_until;			/* a publication woke an XSC_IOC_ENTER waiter:
					 * poll for it until then (worker-only) */
	bool publish_each;		/* XSC_SETUP_PUBLISH_EACH */
	bool spin_always;		/* XSC_SETUP_SPIN_ALWAYS */

	struct mm_struct *mm;		/* the owner's mm (mmgrab), to refuse other processes */
	struct task_struct *submitter;
	struct task_struct *worker;
	struct xsc_counters *counters;
	struct list_head node;		/* in counters->ring_list while the worker runs */
	u64 spin_ns;

	wait_queue_head_t cq_wait;	/* XSC_IOC_ENTER waiters */
	bool stop;			/* the file was released */
	bool dead;			/* the worker has exited */
	bool broken;			/* sq_tail ran ahead: nothing more is taken */
	bool dying;			/* the worker saw a reason to stop (worker-only) */

	/*
	 * Signals for the submitter while one of its entries is pending or
	 * running (xsc_signal_delivered(), under counters->lock). busy is
	 * set before an entry is taken (smp_mb() pairs with the hook's reads
	 * of sq_head_k and then busy), so a signal is never lost between the
	 * take and the call; the worker clears all four when the entry is done.
	 */
	bool busy;			/* the worker is taking or executing an entry */
	bool interrupted;		/* a signal for the submitter arrived meanwhile */
	bool handler;			/* ... and a handler will run for it */
	bool sa_restart;		/* ... which has SA_RESTART */
};

static int xsc_enabled __read_mostly = 1;

static int __init xsc_param(char *s)
{
	bool on;

	if (kstrtobool(s, &on))
		return 0;
	xsc_enabled = on;
	return 1;
}
__setup("xsc=", xsc_param);

static struct ctl_table xsc_sysctls[] = {
	{
		.procname	= "xsc_enabled",
		.data		= &xsc_enabled,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{ }
};

/* ------------------------------------------------------------ counters */

static struct xsc_counters *xsc_get_counters(struct signal_struct *sig)
{
	struct xsc_counters *c = READ_ONCE(sig->xsc_counters);

	if (c)
		return c;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return NULL;
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->ring_list);
	if (cmpxchg(&sig->xsc_counters, NULL, c)) {
		kfree(c);
		c = READ_ONCE(sig->xsc_counters);
	}
	return c;
}

void xsc_free_counters(struct signal_struct *sig)
{
	kfree(sig->xsc_counters);
}

static const char *const xsc_reason_names[XSC_REASON_COUNT] = {
	[XSC_REASON_NONE] = "none",
	[XSC_REASON_POLICY] = "trap_policy",
	[XSC_REASON_SECCOMP] = "trap_seccomp",
	[XSC_REASON_PTRACE] = "trap_ptrace",
	[XSC_REASON_DISABLED] = "trap_disabled",
	[XSC_REASON_FLAGS] = "invalid_flags",
	[XSC_REASON_STALE] = "trap_stale",
};

int proc_xsc_show(struct seq_file *m, struct pid_namespace *ns,
		  struct pid *pid, struct task_struct *task)
{
	struct xsc_counters *c = READ_ONCE(task->signal->xsc_counters);
	u64 trap = 0;
	int i;

	/* per-call counters are a timing side channel: /proc/<pid>/io's rule */
	if (!ptrace_may_access(task, PTRACE_MODE_READ_FSCREDS))
		return -EACCES;

	if (!c) {
		seq_puts(m, "rings: 0\nring_calls: 0\ntrap_calls: 0\n");
		return 0;
	}
	for (i = XSC_REASON_POLICY; i < XSC_REASON_COUNT; i++)
		if (i != XSC_REASON_FLAGS)
			trap += atomic64_read(&c->not_run[i]);
	seq_printf(m, "rings: %d\nring_calls: %lld\ntrap_calls: %llu\n",
		   atomic_read(&c->rings), atomic64_read(&c->ring), trap);
	for (i = XSC_REASON_POLICY; i < XSC_REASON_COUNT; i++)
		seq_printf(m, "%s: %lld\n", xsc_reason_names[i], atomic64_read(&c->not_run[i]));
	seq_printf(m, "seccomp_errno: %lld\n", atomic64_read(&c->seccomp_errno));
	return 0;
}

/* ------------------------------------------------------------ ring lifetime */

static void xsc_ring_put(struct xsc_ring *ring)
{
	if (!refcount_dec_and_test(&ring->refs))
		return;
	if (ring->ready) {
		vfree(ring->mem);
		mmdrop(ring->mm);
		put_task_struct(ring->submitter);
		put_task_struct(ring->worker);
	}
	kfree(ring);
}

/* ------------------------------------------------------------ the worker */

/* Like io_run_task_work(): an io thread must run its own task work (fput). */
static bool xsc_run_task_work(void)
{
	if (test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_notify_signal();
	if (test_thread_flag(TIF_NOTIFY_RESUME)) {
		__set_current_state(TASK_RUNNING);
		resume_user_mode_work(NULL);
	}
	if (task_work_pending(current)) {
		__set_current_state(TASK_RUNNING);
		task_work_run();
		return true;
	}
	return false;
}

/*
 * Reasons to stop that need no signal handling: the file released, the
 * submitter exiting (xsc_task_exiting() wakes us), a group exit or exec.
 * Safe in any task state.
 */
static bool xsc_worker_stopping(struct xsc_ring *ring)
{
	return ring->dying || READ_ONCE(ring->stop) ||
	       (READ_ONCE(ring->submitter->flags) & PF_EXITING) ||
	       (READ_ONCE(current->signal->flags) & SIGNAL_GROUP_EXIT) ||
	       READ_ONCE(current->signal->group_exec_task);
}

/*
 * Take the worker's own signals: get_signal() joins a group stop or a
 * freeze (and returns after SIGCONT or the thaw), and hands io threads
 * their fatal signals back. Must run in TASK_RUNNING.
 */
static void xsc_worker_signals(struct xsc_ring *ring)
{
	struct ksignal ksig;

	if (signal_pending(current) && (get_signal(&ksig) || fatal_signal_pending(current)))
		ring->dying = true;
}

/*
 * Whether the worker must stop: file released, fatal signal, submitter gone.
 * get_signal() dequeues the fatal SIGKILL it reports, so the answer is made
 * sticky: an exit_group() that sent SIGKILL before setting the submitter's
 * PF_EXITING must not leave the worker to block in the next entry.
 */
static bool xsc_worker_should_stop(struct xsc_ring *ring)
{
	if (xsc_worker_stopping(ring))
		ring->dying = true;
	else
		xsc_worker_signals(ring);
	return ring->dying;
}

/*
 * Whether the credentials two tasks act with are the same: the same object,
 * or the same ids, capabilities, groups, user namespace and LSM blob.
 */
static bool xsc_same_cred(const struct cred *a, const struct cred *b)
{
	if (a == b)
		return true;
	return uid_eq(a->uid, b->uid) && gid_eq(a->gid, b->gid) &&
	       uid_eq(a->suid, b->suid) && gid_eq(a->sgid, b->sgid) &&
	       uid_eq(a->euid, b->euid) && gid_eq(a->egid, b->egid) &&
	       uid_eq(a->fsuid, b->fsuid) && gid_eq(a->fsgid, b->fsgid) &&
	       a->securebits == b->securebits &&
	       cap_issubset(a->cap_inheritable, b->cap_inheritable) &&
	       cap_issubset(b->cap_inheritable, a->cap_inheritable) &&
	       cap_issubset(a->cap_permitted, b->cap_permitted) &&
	       cap_issubset(b->cap_permitted, a->cap_permitted) &&
	       cap_issubset(a->cap_effective, b->cap_effective) &&
	       cap_issubset(b->cap_effective, a->cap_effective) &&
	       cap_issubset(a->cap_bset, b->cap_bset) &&
	       cap_issubset(b->cap_bset, a->cap_bset) &&
	       cap_issubset(a->cap_ambient, b->cap_ambient) &&
	       cap_issubset(b->cap_ambient, a->cap_ambient) &&
	       a->user_ns == b->user_ns && a->group_info == b->group_info
#ifdef CONFIG_SECURITY
	       && a->security == b->security
#endif
	       ;
}

/*
 * Whether the worker (current) still acts as @submitter would in its own
 * trap: the worker was cloned from the submitter at setup, so all of this
 * was equal then, and the submitter changes each only for itself (setuid,
 * unshare, setns, personality, prctl, PKRU...). The submitter's pointers
 * are only compared, never followed, except its credentials (RCU).
 */
static bool xsc_acts_as_submitter(struct task_struct *submitter)
{
	const unsigned int thread_flags = PF_MEMALLOC_NOIO | PF_LOCAL_THROTTLE;
	bool same;

	if (READ_ONCE(submitter->nsproxy) != current->nsproxy ||
	    READ_ONCE(submitter->fs) != current->fs ||
	    READ_ONCE(submitter->files) != current->files ||
	    READ_ONCE(submitter->personality) != current->personality ||
	    READ_ONCE(submitter->timer_slack_ns) != current->timer_slack_ns ||
	    ((READ_ONCE(submitter->flags) ^ current->flags) & thread_flags) ||
#ifdef CONFIG_AUDIT
	    !uid_eq(audit_get_loginuid(submitter), audit_get_loginuid(current)) ||
	    audit_get_sessionid(submitter) != audit_get_sessionid(current) ||
#endif
	    !xsc_arch_same_thread_state(submitter))
		return false;
	rcu_read_lock();
	same = xsc_same_cred(rcu_dereference(submitter->real_cred), current_cred());
	rcu_read_unlock();
	return same;
}

/* A completion for an entry that was not executed, for @reason. */
static void xsc_not_run(struct xsc_ring *ring, struct xsc_cqe *cqe, u32 reason)
{
	bool invalid = reason == XSC_REASON_FLAGS;

	cqe->status = invalid ? XSC_STATUS_INVALID : XSC_STATUS_TRAP;
	cqe->reason = reason;
	cqe->result = invalid ? -EINVAL : -ENOSYS;
	atomic64_inc(&ring->counters->not_run[reason]);
}

/*
 * Kernel-internal restart codes never reach user space; the worker decides
 * as the trap's signal delivery would (arch signal code, handle_signal()):
 * no handler runs for the submitter (the call was woken by a stop, a freeze,
 * or a signal without a handler): every code restarts; a handler runs:
 * -ERESTARTNOINTR restarts, -ERESTARTSYS restarts with SA_RESTART, the
 * others become -EINTR. -ERESTART_RESTARTBLOCK restarts through
 * restart_syscall, with the restart block the call left in the worker.
 */
static bool xsc_should_restart(struct xsc_ring *ring, long ret)
{
	bool handler = READ_ONCE(ring->interrupted) && READ_ONCE(ring->handler);

	switch (ret) {
	case -ERESTARTNOINTR:
		return true;
	case -ERESTARTSYS:
		return !handler || READ_ONCE(ring->sa_restart);
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return !handler;
	}
	return false;
}

static long xsc_run(struct xsc_ring *ring, u32 nr, const u64 *a)
{
	struct pt_regs *regs = task_pt_regs(current);
	long ret;

	/* as the trap entry does for every call (CONFIG_RANDOMIZE_KSTACK_OFFSET) */
	add_random_kstack_offset();
	xsc_arch_load(regs, nr, a);
	for (;;) {
		/* after the load: the tracepoints read the number and arguments from regs */
		audit_syscall_entry(nr, a[0], a[1], a[2], a[3]);
		trace_sys_enter(regs, nr);
		ret = xsc_arch_dispatch(regs, nr);
		if (ret >= -ERESTART_RESTARTBLOCK && ret <= -ERESTARTSYS) {
			bool again = xsc_should_restart(ring, ret);

			/* the trap's exit work sees the restart code too */
			syscall_set_return_value(current, regs, ret, 0);
			trace_sys_exit(regs, ret);
			audit_syscall_exit(regs);
			/* a stop or a freeze is joined here; SIGCONT or the thaw returns */
			xsc_run_task_work();
			xsc_worker_signals(ring);
			if (again && !ring->dying && !xsc_worker_stopping(ring)) {
				WRITE_ONCE(ring->interrupted, false);
				cond_resched();
				if (ret == -ERESTART_RESTARTBLOCK)
					nr = xsc_arch_restart_nr(nr);
				xsc_arch_load(regs, nr, a);
				continue;
			}
			ret = -EINTR;
			syscall_set_return_value(current, regs, ret, 0);
			break;
		}
		syscall_set_return_value(current, regs, ret < 0 ? ret : 0, ret);
		trace_sys_exit(regs, ret);
		audit_syscall_exit(regs);
		break;
	}
	return ret;
}

/*
 * A call may signal the thread that made it (SIGPIPE, SIGXFSZ): here that
 * is the worker, which blocks everything. Hand such thread-directed
 * signals to the submitter, as if its own trap had raised them. Only the
 * worker's private queue is emptied: process-wide signals stay shared.
 */
static void xsc_forward_signals(struct xsc_ring *ring)
{
	kernel_siginfo_t info;
	enum pid_type type;
	sigset_t keep, left;
	int sig;

	/* SIGKILL and SIGSTOP stay: they are how the worker itself is stopped */
	sigemptyset(&keep);
	sigaddset(&keep, SIGKILL);
	sigaddset(&keep, SIGSTOP);
	spin_lock_irq(&current->sighand->siglock);
	for (;;) {
		sigandnsets(&left, &current->pending.signal, &keep);
		if (sigisemptyset(&left))
			break;
		/* takes from the private queue first, which is not empty */
		sig = dequeue_signal(current, &keep, &info, &type);
		if (sig <= 0)
			break;
		spin_unlock_irq(&current->sighand->siglock);
		send_sig_info(sig, &info, ring->submitter);
		spin_lock_irq(&current->sighand->siglock);
	}
	spin_unlock_irq(&current->sighand->siglock);
}

/*
 * Decide and execute one entry (a private copy) into @cqe. Returns
 * XSC_REASON_NONE when it ran, or why it did not.
 */
static u32 xsc_execute(struct xsc_ring *ring, const struct xsc_sqe *sqe, struct xsc_cqe *cqe)
{
	struct task_struct *submitter = ring->submitter;
	const struct xsc_policy *policy;
	u64 a[6];
	int mode;

	memcpy(a, sqe->args, sizeof(a));
	cqe->user_data = sqe->user_data;
	cqe->status = XSC_STATUS_DONE;
	cqe->reason = XSC_REASON_NONE;
	cqe->resv = 0;

	if (sqe->flags)
		return XSC_REASON_FLAGS;
	if (!READ_ONCE(xsc_enabled))
		return XSC_REASON_DISABLED;
	/* a tracer must see (and may change) the call at the submitter's trap */
	if (READ_ONCE(submitter->ptrace))
		return XSC_REASON_PTRACE;

	policy = xsc_policy_of(xsc_arch_native_nr(sqe->nr));
	if (policy->kind == XSC_TRAP || policy->kind == XSC_UNCLASSIFIED)
		return XSC_REASON_POLICY;
	if (!xsc_acts_as_submitter(submitter))
		return XSC_REASON_STALE;

	/*
	 * seccomp sees what the submitter's trap would show it, original
	 * arguments, except the instruction pointer: no instruction made the
	 * call, so it is 0 (docs/XSC-ABI-SPEC.md, "Seccomp").
	 */
	mode = READ_ONCE(submitter->seccomp.mode);
	if (mode == SECCOMP_MODE_FILTER) {
		struct seccomp_data sd = {
			.nr = sqe->nr,
			.arch = XSC_AUDIT_ARCH,
			.instruction_pointer = 0,
		};
		u32 action;

		memcpy(sd.args, a, sizeof(sd.args));
		action = seccomp_run_task_filters(submitter, &sd);
		switch (action & SECCOMP_RET_ACTION_FULL) {
		case SECCOMP_RET_ALLOW:
			break;
		case SECCOMP_RET_ERRNO:
			cqe->result = -(long)min_t(u32, action & SECCOMP_RET_DATA, MAX_ERRNO);
			atomic64_inc(&ring->counters->ring);
			atomic64_inc(&ring->counters->seccomp_errno);
			return XSC_REASON_NONE;
		default:
			/* trap, trace, notify, log, kill: the real trap does them exactly */
			return XSC_REASON_SECCOMP;
		}
	} else if (mode != SECCOMP_MODE_DISABLED) {
		return XSC_REASON_SECCOMP;
	}

	if (!xsc_apply_policy(policy, submitter, a))
		return XSC_REASON_POLICY;
	atomic64_inc(&ring->counters->ring);
	if (policy->kind == XSC_TID) {
		cqe->result = task_pid_vnr(submitter);
	} else {
		cqe->result = xsc_run(ring, sqe->nr, a);
		if (unlikely(!sigisemptyset(&current->pending.signal)))
			xsc_forward_signals(ring);
	}
	return XSC_REASON_NONE;
}

/*
 * Store what the worker has taken and completed to the shared words: [K2]
 * and [K3]. The worker's own context only (its loop, or the scheduler
 * hook as it blocks), so never concurrent with itself.
 */
static void xsc_publish(struct xsc_ring *ring)
{
	if (ring->sq_head_pub != ring->sq_head_k) {
		ring->sq_head_pub = ring->sq_head_k;
		smp_store_release(ring->sq_head, ring->sq_head_k);	/* [K2] */
	}
	if (ring->cq_tail_pub != ring->cq_tail_k) {
		smp_store_release(ring->cq_tail, ring->cq_tail_k);	/* [K3] */
		smp_store_release(&ring->cq_tail_pub, ring->cq_tail_k);
		if (wq_has_sleeper(&ring->cq_wait)) {
			ring->woke_until = ktime_get_ns() + min_t(u64, ring->spin_ns, XSC_WAKE_GRACE_NS);
			wake_up(&ring->cq_wait);
		}
	}
}

/* Whether the completion queue has no free slot; [K4] pairs with [U4]. */
static bool xsc_cq_full(struct xsc_ring *ring)
{
	return ring->cq_tail_k - smp_load_acquire(ring->cq_head) >= ring->cq_entries;
}

/* Take and execute what is published; returns how many entries were done. */
static unsigned int xsc_process(struct xsc_ring *ring)
{
	u32 head = ring->sq_head_k;
	u32 tail = smp_load_acquire(ring->sq_tail);		/* [K1] */
	unsigned int done = 0;

	if (tail - head > ring->sq_entries) {
		/* user space published more than the ring holds: take nothing more */
		WRITE_ONCE(*ring->dropped, tail - head);
		atomic_or(XSC_RING_OVERFLOW, ring->flags);
		WRITE_ONCE(ring->broken, true);
		wake_up_all(&ring->cq_wait);
		return 0;
	}

	while (head != tail) {
		struct xsc_sqe sqe;
		struct xsc_cqe cqe;
		u32 reason;

		if (xsc_cq_full(ring))
			break;		/* wait for the reaper */
		/* busy before the take: pairs with xsc_signal_delivered() */
		WRITE_ONCE(ring->busy, true);
		smp_mb();
		/* copy once: user space may rewrite the slot meanwhile */
		memcpy(&sqe, &ring->sqes[head & (ring->sq_entries - 1)], sizeof(sqe));
		barrier();
		head++;
		WRITE_ONCE(ring->sq_head_k, head);
		if (ring->publish_each)
			xsc_publish(ring);			/* [K2] */
		/* a signal that came while the entry waited interrupts its call */
		if (READ_ONCE(ring->interrupted))
			set_notify_signal(current);

		reason = xsc_execute(ring, &sqe, &cqe);
		if (reason)
			xsc_not_run(ring, &cqe, reason);
		/* the call's deferred work (the fput of a close) before its completion */
		xsc_run_task_work();

		/*
		 * A signal meant for this entry must not interrupt the next one:
		 * forget it, before the completion is posted. Once user space
		 * sees the completion it may publish the next entry and signal
		 * for it; that signal finds busy clear and the entry pending,
		 * and must stay recorded for it.
		 */
		spin_lock_irq(&ring->counters->lock);
		clear_notify_signal();
		WRITE_ONCE(ring->interrupted, false);
		WRITE_ONCE(ring->handler, false);
		WRITE_ONCE(ring->sa_restart, false);
		WRITE_ONCE(ring->busy, false);
		spin_unlock_irq(&ring->counters->lock);

		ring->cqes[ring->cq_tail_k & (ring->cq_entries - 1)] = cqe;
		ring->cq_tail_k++;
		done++;
		if (ring->publish_each || !(done % XSC_PUBLISH_BATCH))
			xsc_publish(ring);			/* [K2], [K3] */

		if (xsc_worker_should_stop(ring))
			break;
		if (need_resched()) {
			/* preemption is not a sleep: the hook does not run */
			xsc_publish(ring);
			cond_resched();
		}
	}
	xsc_publish(ring);					/* [K2], [K3] */
	return done;
}

/* Whether there is an entry to take and room for its completion. */
static bool xsc_can_take(struct xsc_ring *ring)
{
	return READ_ONCE(*ring->sq_tail) != ring->sq_head_k && !xsc_cq_full(ring);
}

/*
 * Whether polling can bring the next entry sooner than sleeping would:
 * only while no other task waits for this CPU (the submitter itself may be
 * one of them: two threads and their workers on two CPUs take the CPUs
 * from each other), and while the submitter is runnable (asleep, it
 * submits nothing) or for XSC_WAKE_GRACE_NS after this worker woke it as
 * a waiter (the wake-up takes effect on the waiter's CPU a little later:
 * sleeping then would cost its next call a wake-up of its own). A bound in
 * time, not "until it is seen running": it may run and sleep again
 * between two polls, and the worker would then poll through that sleep.
 */
static bool xsc_spin_helps(struct xsc_ring *ring)
{
	if (ring->spin_always)
		return true;
	if (!single_task_running() || need_resched())
		return false;
	return task_is_running(ring->submitter) || ktime_get_ns() < ring->woke_until;
}

static int xsc_worker(void *data)
{
	struct xsc_ring *ring = data;
	u64 spin_until = 0;

	atomic_or(XSC_RING_WORKER_RUNNING, ring->flags);
	while (!xsc_worker_should_stop(ring)) {
		if (!READ_ONCE(ring->broken) && xsc_process(ring)) {
			spin_until = ktime_get_ns() + ring->spin_ns;
			continue;
		}
		if (xsc_run_task_work())
			continue;
		if (ktime_get_ns() < spin_until && xsc_spin_helps(ring)) {
			cpu_relax();
			cond_resched();
			continue;
		}

		set_current_state(TASK_INTERRUPTIBLE);
		atomic_or(XSC_RING_NEED_WAKEUP, ring->flags);
		smp_mb__after_atomic();					/* [K5] */
		/* a full completion queue sleeps too: the reaper wakes us (libxsc
		 * xsc_cqe_seen() checks NEED_WAKEUP after freeing a slot) */
		if ((!xsc_can_take(ring) || READ_ONCE(ring->broken)) &&
		    !task_work_pending(current) && !signal_pending(current) &&
		    !xsc_worker_stopping(ring))
			schedule();
		__set_current_state(TASK_RUNNING);
		atomic_andnot(XSC_RING_NEED_WAKEUP, ring->flags);
		/* a wake-up means work: spin again before the next sleep */
		spin_until = ktime_get_ns() + ring->spin_ns;
	}

	spin_lock_irq(&ring->counters->lock);
	list_del(&ring->node);
	spin_unlock_irq(&ring->counters->lock);
	atomic_andnot(XSC_RING_WORKER_RUNNING, ring->flags);
	atomic_or(XSC_RING_DEAD, ring->flags);
	atomic_dec(&ring->counters->rings);	/* "live" means served by a worker */
	WRITE_ONCE(ring->dead, true);
	wake_up_all(&ring->cq_wait);
	xsc_run_task_work();
	xsc_ring_put(ring);
	do_exit(0);
}

/* ------------------------------------------------------------ file ops */

static int xsc_open(struct inode *inode, struct file *file)
{
	struct xsc_ring *ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);

	if (!ring)
		return -ENOMEM;
	refcount_set(&ring->refs, 1);
	mutex_init(&ring->setup_lock);
	init_waitqueue_head(&ring->cq_wait);
	file->private_data = ring;
	return 0;
}

/* Stop the worker: interrupt a call it is blocked in, then let it see stop. */
static void xsc_stop(struct xsc_ring *ring)
{
	if (smp_load_acquire(&ring->ready) && !READ_ONCE(ring->dead)) {
		WRITE_ONCE(ring->stop, true);
		set_notify_signal(ring->worker);
		wake_up_process(ring->worker);
	}
}

/*
 * Every close() of a ring fd. A close in the submitter's thread group
 * stops the ring, so a copy of the fd elsewhere (a fork child before exec,
 * an SCM_RIGHTS receiver) keeps only the memory alive, never a worker.
 */
static int xsc_flush(struct file *file, fl_owner_t id)
{
	struct xsc_ring *ring = file->private_data;

	if (smp_load_acquire(&ring->ready) && same_thread_group(current, ring->submitter))
		xsc_stop(ring);
	return 0;
}

static int xsc_release(struct inode *inode, struct file *file)
{
	struct xsc_ring *ring = file->private_data;

	xsc_stop(ring);
	xsc_ring_put(ring);
	return 0;
}

/*
 * Who may drive a ring: the submitter's thread group (the threads that
 * share its mm, files and signal handlers). A fork or vfork child, a
 * CLONE_VM process, a process that received the fd, or the exec'd program
 * gets EBADFD.
 */
static int xsc_check_owner(struct xsc_ring *ring)
{
	if (!smp_load_acquire(&ring->ready))
		return -ENXIO;		/* no ring set up on this file */
	if (ring->mm != current->mm || !same_thread_group(current, ring->submitter))
		return -EBADFD;
	return 0;
}

static long xsc_setup(struct xsc_ring *ring, struct xsc_setup __user *uarg)
{
	struct xsc_setup p;
	struct task_struct *worker;
	struct xsc_counters *counters;
	char comm[TASK_COMM_LEN];
	size_t sqes_size, size;
	void *mem;
	int i, ret;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if ((p.flags & ~XSC_SETUP_FLAGS) || p.cq_entries || p.abi_version || p.features ||
	    p.ring_size)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(p.resv); i++)
		if (p.resv[i])
			return -EINVAL;
	if (!p.sq_entries || p.sq_entries > XSC_MAX_ENTRIES || !is_power_of_2(p.sq_entries))
		return -EINVAL;
	if (p.spin_us > XSC_MAX_SPIN_US)
		return -EINVAL;
	if (!READ_ONCE(xsc_enabled))
		return -EPERM;
	if (!xsc_arch_supported())
		return -EOPNOTSUPP;

	sqes_size = p.sq_entries * sizeof(struct xsc_sqe);
	p.cq_entries = 2 * p.sq_entries;
	size = PAGE_ALIGN(XSC_OFF_SQES + sqes_size + p.cq_entries * sizeof(struct xsc_cqe));
	p.abi_version = XSC_ABI_VERSION;
	p.features = XSC_FEAT_SECCOMP | XSC_FEAT_COUNTERS | XSC_FEAT_IDENTITY | XSC_FEAT_BATCH |
		     XSC_FEAT_WORKER_STATE | XSC_ARCH_FEATURES;
	p.ring_size = size;
	p.off = (struct xsc_ring_offsets) {
		.sq_head = XSC_OFF_SQ_HEAD, .sq_tail = XSC_OFF_SQ_TAIL,
		.cq_head = XSC_OFF_CQ_HEAD, .cq_tail = XSC_OFF_CQ_TAIL,
		.flags = XSC_OFF_FLAGS, .dropped = XSC_OFF_DROPPED,
		.sqes = XSC_OFF_SQES, .cqes = XSC_OFF_SQES + sqes_size,
	};
	if (!p.spin_us)
		p.spin_us = XSC_DEFAULT_SPIN_US;

	/* the answer first: a setup whose answer cannot be written makes no ring */
	if (copy_to_user(uarg, &p, sizeof(p)))
		return -EFAULT;
	counters = xsc_get_counters(current->signal);
	if (!counters)
		return -ENOMEM;

	mutex_lock(&ring->setup_lock);
	ret = -EBUSY;
	if (ring->ready)
		goto out_unlock;
	ret = -ENOMEM;
	/* vmalloc_user(), charged to the owner's memory cgroup */
	mem = __vmalloc_node_range(size, SHMLBA, VMALLOC_START, VMALLOC_END,
				   GFP_KERNEL_ACCOUNT | __GFP_ZERO, PAGE_KERNEL, VM_USERMAP,
				   NUMA_NO_NODE, __builtin_return_address(0));
	if (!mem)
		goto out_unlock;

	ring->mem = mem;
	ring->size = size;
	ring->sq_entries = p.sq_entries;
	ring->cq_entries = p.cq_entries;
	ring->sq_head = mem + p.off.sq_head;
	ring->sq_tail = mem + p.off.sq_tail;
	ring->cq_head = mem + p.off.cq_head;
	ring->cq_tail = mem + p.off.cq_tail;
	ring->flags = mem + p.off.flags;
	ring->dropped = mem + p.off.dropped;
	ring->sqes = mem + p.off.sqes;
	ring->cqes = mem + p.off.cqes;
	ring->spin_ns = (u64)p.spin_us * NSEC_PER_USEC;
	ring->publish_each = p.flags & XSC_SETUP_PUBLISH_EACH;
	ring->spin_always = p.flags & XSC_SETUP_SPIN_ALWAYS;
	ring->counters = counters;

	worker = create_io_thread(xsc_worker, ring, NUMA_NO_NODE);
	if (IS_ERR(worker)) {
		ret = PTR_ERR(worker);
		ring->mem = NULL;
		vfree(mem);
		goto out_unlock;
	}
	/*
	 * named before it can run: it is in /proc/PID/task from
	 * create_io_thread on, and a reader must never see it under the
	 * submitter's comm. The tid as the submitter's pid namespace sees it.
	 */
	snprintf(comm, sizeof(comm), "xsc-%d", task_pid_vnr(current));
	set_task_comm(worker, comm);
	ring->worker = get_task_struct(worker);
	ring->submitter = get_task_struct(current);
	mmgrab(current->mm);
	ring->mm = current->mm;
	atomic_inc(&counters->rings);
	spin_lock_irq(&counters->lock);
	list_add(&ring->node, &counters->ring_list);
	spin_unlock_irq(&counters->lock);
	refcount_inc(&ring->refs);		/* the worker's */
	smp_store_release(&ring->ready, true);
	wake_up_new_task(worker);
	ret = 0;
out_unlock:
	mutex_unlock(&ring->setup_lock);
	return ret;
}

/*
 * complete_signal() queued @sig for @t (siglock held): a ring call of @t's
 * that its worker is executing, or that waits to be taken, is interrupted
 * as @t's own blocked trap would be; xsc_should_restart() then decides as
 * the trap's signal delivery would, from what is recorded here.
 */
void xsc_signal_delivered(struct task_struct *t, int sig)
{
	struct xsc_counters *c = READ_ONCE(t->signal->xsc_counters);
	struct k_sigaction *ka = &t->sighand->action[sig - 1];
	bool handler = ka->sa.sa_handler != SIG_DFL && ka->sa.sa_handler != SIG_IGN;
	struct xsc_ring *ring;
	unsigned long flags;
	u32 head;

	if (!c || (t->flags & PF_IO_WORKER))
		return;
	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry(ring, &c->ring_list, node) {
		if (ring->submitter != t)
			continue;
		/*
		 * sq_head_k, then busy: the worker writes busy, then (smp_mb())
		 * sq_head_k when it takes an entry, so reads in the other order
		 * could see busy still clear and the entry already taken, and
		 * skip a call that then blocks uninterrupted. Read this way, an
		 * entry seen taken is seen busy, and one not yet taken is seen
		 * pending (sq_tail ahead of sq_head_k).
		 */
		head = READ_ONCE(ring->sq_head_k);
		smp_rmb();
		if (!READ_ONCE(ring->busy) && READ_ONCE(*ring->sq_tail) == head)
			continue;	/* nothing of t's is pending */
		WRITE_ONCE(ring->interrupted, true);
		if (handler) {
			WRITE_ONCE(ring->handler, true);
			WRITE_ONCE(ring->sa_restart, !!(ka->sa.sa_flags & SA_RESTART));
		}
		set_notify_signal(ring->worker);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/*
 * exit_signals(): @t is exiting (PF_EXITING is set, siglock held). The
 * workers of its rings end: an idle one is woken, a call one is blocked in
 * is interrupted.
 */
void xsc_task_exiting(struct task_struct *t)
{
	struct xsc_counters *c = READ_ONCE(t->signal->xsc_counters);
	struct xsc_ring *ring;
	unsigned long flags;

	if (!c || (t->flags & PF_IO_WORKER))
		return;
	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry(ring, &c->ring_list, node) {
		if (ring->submitter == t) {
			set_notify_signal(ring->worker);
			wake_up_process(ring->worker);
		}
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

/*
 * The ring whose worker is @t, or NULL: @t is an io thread of a process
 * with rings (the callers check c first). c->lock keeps the ring's entry.
 */
static struct xsc_ring *xsc_ring_of_worker(struct xsc_counters *c, struct task_struct *t)
{
	struct xsc_ring *ring;

	list_for_each_entry(ring, &c->ring_list, node)
		if (ring->worker == t)
			return ring;
	return NULL;
}

/*
 * The scheduler's hooks for io threads of a process with rings. @t is
 * current; if it is a ring's worker:
 * - sched_submit_work(): it is about to sleep, in its idle wait or
 *   blocked inside a call, stopped or frozen. Publish what it has taken
 *   and completed, so a completion is never hidden behind a blocked
 *   call, and clear WORKER_RUNNING, so its submitter stops spinning and
 *   sleeps in XSC_IOC_ENTER;
 * - sched_update_worker(): it runs again after schedule(): set it.
 */
static void xsc_worker_state(struct task_struct *t, bool running)
{
	struct xsc_counters *c = READ_ONCE(t->signal->xsc_counters);
	struct xsc_ring *ring;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	ring = xsc_ring_of_worker(c, t);
	if (ring && running) {
		atomic_or(XSC_RING_WORKER_RUNNING, ring->flags);
	} else if (ring) {
		atomic_andnot(XSC_RING_WORKER_RUNNING, ring->flags);
		xsc_publish(ring);
	}
	spin_unlock_irqrestore(&c->lock, flags);
}

void xsc_worker_sleeping(struct task_struct *t)
{
	xsc_worker_state(t, false);
}

void xsc_worker_running(struct task_struct *t)
{
	xsc_worker_state(t, true);
}

/* Completions published and not yet reaped: the kernel's published tail, user space's head. */
static u32 xsc_cq_unread(struct xsc_ring *ring)
{
	return smp_load_acquire(&ring->cq_tail_pub) - READ_ONCE(*ring->cq_head);
}

static long xsc_enter(struct xsc_ring *ring, struct xsc_enter __user *uarg)
{
	struct xsc_enter e;
	int ret;

	if (copy_from_user(&e, uarg, sizeof(e)))
		return -EFAULT;
	if ((e.flags & ~(XSC_ENTER_WAKE | XSC_ENTER_WAIT)) || e.resv[0] || e.resv[1])
		return -EINVAL;
	ret = xsc_check_owner(ring);
	if (ret)
		return ret;
	if (e.min_complete > ring->cq_entries)
		return -EINVAL;
	if (READ_ONCE(ring->broken))
		return -EOVERFLOW;

	if (e.flags & XSC_ENTER_WAKE) {
		/* runnable from here: a submitter that waits next may spin */
		atomic_or(XSC_RING_WORKER_RUNNING, ring->flags);
		wake_up_process(ring->worker);
	}
	if (!(e.flags & XSC_ENTER_WAIT))
		return 0;

	ret = wait_event_interruptible(ring->cq_wait,
				       xsc_cq_unread(ring) >= e.min_complete ||
				       READ_ONCE(ring->dead) || READ_ONCE(ring->broken));
	if (ret)
		return ret;	/* the signal interrupted the worker's call too */
	if (xsc_cq_unread(ring) >= e.min_complete)
		return 0;
	return READ_ONCE(ring->broken) ? -EOVERFLOW : -EPIPE;
}

static long xsc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct xsc_ring *ring = file->private_data;

	/* a ring is never driven from a ring: a worker is nobody's submitter */
	if (current->flags & PF_IO_WORKER)
		return -EPERM;
	switch (cmd) {
	case XSC_IOC_SETUP:
		return xsc_setup(ring, (struct xsc_setup __user *)arg);
	case XSC_IOC_ENTER:
		return xsc_enter(ring, (struct xsc_enter __user *)arg);
	}
	return -ENOTTY;
}

static int xsc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xsc_ring *ring = file->private_data;
	int ret;

	if (current->flags & PF_IO_WORKER)
		return -EPERM;
	ret = xsc_check_owner(ring);
	if (ret)
		return ret;
	if (vma->vm_pgoff != (XSC_OFF_RING >> PAGE_SHIFT) ||
	    vma->vm_end - vma->vm_start != ring->size)
		return -EINVAL;
	/*
	 * A forked child must never share the ring: VM_DONTCOPY, and VM_IO so
	 * that madvise(MADV_DOFORK) cannot take VM_DONTCOPY away. It may not grow.
	 */
	vma->vm_flags |= VM_DONTCOPY | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;
	return remap_vmalloc_range(vma, ring->mem, 0);
}

static const struct file_operations xsc_fops = {
	.owner		= THIS_MODULE,
	.open		= xsc_open,
	.flush		= xsc_flush,
	.release	= xsc_release,
	.unlocked_ioctl	= xsc_ioctl,
	/* x32 ioctls arrive here; the structs have one layout on every ABI */
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= xsc_mmap,
	.llseek		= noop_llseek,
};

/* ------------------------------------------------------------ device */

static struct cdev xsc_cdev;

static char *xsc_devnode(struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0666;	/* every process may use a ring, as every process may trap */
	return NULL;
}

static int __init xsc_init(void)
{
	dev_t devt = MKDEV(XSC_DEVICE_MAJOR, XSC_DEVICE_MINOR);
	struct class *cls;
	struct device *dev;
	int ret;

	ret = register_chrdev_region(devt, 1, "xsc");
	if (ret)
		return ret;
	cdev_init(&xsc_cdev, &xsc_fops);
	ret = cdev_add(&xsc_cdev, devt, 1);
	if (ret)
		goto out_region;
	cls = class_create(THIS_MODULE, "xsc");
	ret = PTR_ERR_OR_ZERO(cls);
	if (ret)
		goto out_cdev;
	cls->devnode = xsc_devnode;
	dev = device_create(cls, NULL, devt, NULL, "xsc");
	ret = PTR_ERR_OR_ZERO(dev);
	if (ret)
		goto out_class;
	ret = xsc_policy_check();
	if (ret) {
		/* fail closed and loudly: the boot tests read the log for this */
		WARN(1, "xsc: %d system call(s) have no class in drivers/xsc/policy.c; the ring is off\n",
		     ret);
		xsc_enabled = 0;
	}
	if (!register_sysctl("kernel", xsc_sysctls))
		pr_warn("xsc: kernel.xsc_enabled not registered\n");
	pr_info("xsc: /dev/xsc ready (%d:%d), ABI %d, %s\n", XSC_DEVICE_MAJOR, XSC_DEVICE_MINOR,
		XSC_ABI_VERSION, xsc_enabled ? "enabled" : "disabled (xsc=off)");
	return 0;

out_class:
	class_destroy(cls);		/* undo class_create */
out_cdev:
	cdev_del(&xsc_cdev);		/* undo cdev_add */
out_region:
	unregister_chrdev_region(devt, 1);	/* undo register_chrdev_region */
	return ret;
}
device_initcall(xsc_init);
