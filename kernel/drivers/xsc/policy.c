// SPDX-License-Identifier: GPL-2.0
/*
 * XSC syscall policy: an allowlist. Every system call number of the arch's
 * table is classified here (or, for calls only some arches have, in the
 * XSC_ARCH_POLICY list of <asm/xsc.h>), with the reason for its class:
 *
 *   R  the worker runs it: it acts on the process (shared mm, files, fs,
 *      signal handlers) or on what its arguments name, and the worker acts
 *      as its submitter (xsc.c checks that before each entry);
 *   T  it traps: it acts on the calling thread, its registers or its
 *      per-thread state, which the worker is not;
 *   W  it runs, but an argument that means "the calling thread" is
 *      rewritten to name the submitter, or the entry traps when one does.
 *
 * A number with no class traps (XSC_UNCLASSIFIED) and xsc_policy_check()
 * reports it at boot, so a kernel that adds a system call cannot have the
 * worker run it before someone has classified it.
 */
#include <linux/bug.h>
#include <linux/futex.h>
#include <linux/ioprio.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/posix-timers.h>
#include <linux/printk.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <uapi/linux/close_range.h>
#include <asm/unistd.h>
#include <asm/xsc.h>

#include "policy.h"

#define R(name)			[__NR_##name] = { XSC_RING }
#define T(name)			[__NR_##name] = { XSC_TRAP }
#define W(name, kind, arg, value) [__NR_##name] = { kind, arg, value }

#ifndef XSC_ARCH_POLICY
#define XSC_ARCH_POLICY
#endif

static const struct xsc_policy xsc_policy[NR_syscalls] = {
	/* ---- T: the calling thread ---- */
	/* thread creation, exec, exit */
	T(clone), T(clone3), T(execve), T(execveat), T(exit), T(exit_group),
	/* the calling thread's signal state and frame */
	T(rt_sigreturn), T(sigaltstack), T(rt_sigprocmask), T(rt_sigsuspend),
	T(rt_sigtimedwait), T(rt_sigpending), T(restart_syscall),
	/* refuse to queue "kernel" si_codes unless the target is the caller */
	T(rt_sigqueueinfo), T(rt_tgsigqueueinfo),
	/* per-thread registrations */
	T(set_tid_address), T(set_robust_list), T(get_robust_list), T(rseq),
	/* per-thread attributes and identity: they change (or read) the caller */
	T(getcpu), T(prctl), T(personality), T(sched_yield),
	T(setuid), T(setgid), T(setreuid), T(setregid), T(setresuid), T(setresgid),
	T(setfsuid), T(setfsgid), T(setgroups), T(capset),
	T(seccomp), T(landlock_restrict_self), T(unshare), T(setns), T(ptrace),
	T(set_mempolicy), T(get_mempolicy), T(perf_event_open),
	/* keyrings are per thread; joining one commits creds */
	T(keyctl), T(add_key), T(request_key),
	/* io_uring has its own workers and per-task context */
	T(io_uring_setup), T(io_uring_enter), T(io_uring_register),
	/* SEM_UNDO records undo on the calling thread's list: the worker has
	 * its own (io threads are not CLONE_SYSVSEM) */
	T(semop), T(semtimedop),
	/* sets the calling thread's PKRU rights for the new key */
	T(pkey_alloc),
	/* no such call in 6.1: the trap answers -ENOSYS */
	T(nfsservctl),

	/* ---- W: the calling thread named by an argument ---- */
	W(gettid, XSC_TID, 0, 0),
	W(sched_setaffinity, XSC_SELF_PID, 0, 0), W(sched_getaffinity, XSC_SELF_PID, 0, 0),
	W(sched_setparam, XSC_SELF_PID, 0, 0), W(sched_getparam, XSC_SELF_PID, 0, 0),
	W(sched_setscheduler, XSC_SELF_PID, 0, 0), W(sched_getscheduler, XSC_SELF_PID, 0, 0),
	W(sched_rr_get_interval, XSC_SELF_PID, 0, 0),
	W(sched_setattr, XSC_SELF_PID, 0, 0), W(sched_getattr, XSC_SELF_PID, 0, 0),
	W(getpriority, XSC_PRIO_WHO, 0, PRIO_PROCESS), W(setpriority, XSC_PRIO_WHO, 0, PRIO_PROCESS),
	W(ioprio_get, XSC_PRIO_WHO, 0, IOPRIO_WHO_PROCESS),
	W(ioprio_set, XSC_PRIO_WHO, 0, IOPRIO_WHO_PROCESS),
	W(clock_gettime, XSC_THREAD_CLOCK, 0, 0), W(clock_getres, XSC_THREAD_CLOCK, 0, 0),
	W(timer_create, XSC_THREAD_CLOCK, 0, 0),
	/* EINVAL for the calling thread's own clock, which a rewrite would hide */
	W(clock_nanosleep, XSC_TRAP_THREAD_CLOCK, 0, 0),
	W(getrusage, XSC_TRAP_IF_ONE, 0, 0),
	W(futex, XSC_FUTEX, 1, 0),
	/* a signal mask argument changes the calling thread's mask meanwhile */
	W(ppoll, XSC_TRAP_IF_SET, 3, 0), W(pselect6, XSC_TRAP_IF_SET, 5, 0),
	W(epoll_pwait, XSC_TRAP_IF_SET, 4, 0), W(epoll_pwait2, XSC_TRAP_IF_SET, 4, 0),
	W(io_pgetevents, XSC_TRAP_IF_SET, 5, 0),
	/* __WNOTHREAD: only the calling thread's children */
	W(wait4, XSC_TRAP_IF_BITS, 2, __WNOTHREAD), W(waitid, XSC_TRAP_IF_BITS, 3, __WNOTHREAD),
	/* CLOSE_RANGE_UNSHARE unshares the calling thread's file table */
	W(close_range, XSC_TRAP_IF_BITS, 2, CLOSE_RANGE_UNSHARE),

	/* ---- R: the process, or what the arguments name ---- */
	/* files and descriptors (the shared file table) */
	R(read), R(write), R(readv), R(writev), R(pread64), R(pwrite64), R(preadv),
	R(pwritev), R(preadv2), R(pwritev2), R(lseek), R(close), R(dup), R(dup3),
	R(fcntl), R(ioctl), R(flock), R(fsync), R(fdatasync), R(sync), R(syncfs),
	R(sync_file_range), R(fallocate), R(ftruncate), R(truncate), R(fadvise64),
	R(readahead), R(sendfile), R(splice), R(tee), R(vmsplice), R(copy_file_range),
	R(pipe2), R(openat), R(openat2), R(name_to_handle_at), R(open_by_handle_at),
	/* paths and metadata (the shared fs_struct: root, cwd, umask) */
	R(faccessat), R(faccessat2), R(fchmod), R(fchmodat), R(fchown), R(fchownat),
	R(newfstatat), R(fstat), R(statx), R(statfs), R(fstatfs), R(linkat),
	R(symlinkat), R(unlinkat), R(renameat), R(renameat2), R(mkdirat), R(mknodat),
	R(readlinkat), R(utimensat), R(getdents64), R(getcwd), R(chdir), R(fchdir),
	R(chroot), R(umask), R(setxattr), R(lsetxattr), R(fsetxattr), R(getxattr),
	R(lgetxattr), R(fgetxattr), R(listxattr), R(llistxattr), R(flistxattr),
	R(removexattr), R(lremovexattr), R(fremovexattr),
	/* mounts (the submitter's mount namespace) */
	R(mount), R(umount2), R(pivot_root), R(fsopen), R(fsconfig), R(fsmount),
	R(fspick), R(open_tree), R(move_mount), R(mount_setattr), R(quotactl),
	R(quotactl_fd), R(swapon), R(swapoff),
	/* polling and event files */
	R(epoll_create1), R(epoll_ctl), R(eventfd2), R(signalfd4), R(timerfd_create),
	R(timerfd_settime), R(timerfd_gettime), R(inotify_init1), R(inotify_add_watch),
	R(inotify_rm_watch), R(fanotify_init), R(fanotify_mark), R(userfaultfd),
	/* memory (the shared mm) */
	R(brk), R(mmap), R(munmap), R(mremap), R(mprotect), R(madvise), R(msync),
	R(mincore), R(mlock), R(mlock2), R(munlock), R(mlockall), R(munlockall),
	R(remap_file_pages), R(mbind), R(migrate_pages), R(move_pages),
	R(set_mempolicy_home_node), R(membarrier), R(memfd_create), R(memfd_secret),
	R(pkey_free), R(pkey_mprotect), R(process_madvise), R(process_mrelease),
	R(process_vm_readv), R(process_vm_writev),
	/* sockets (the submitter's network namespace) */
	R(socket), R(socketpair), R(bind), R(listen), R(accept), R(accept4), R(connect),
	R(getsockname), R(getpeername), R(sendto), R(recvfrom), R(sendmsg), R(recvmsg),
	R(sendmmsg), R(recvmmsg), R(setsockopt), R(getsockopt), R(shutdown),
	/* processes, groups, sessions, and signals to what the arguments name */
	R(kill), R(tkill), R(tgkill), R(pidfd_open), R(pidfd_getfd), R(pidfd_send_signal),
	R(rt_sigaction), R(getpid), R(getppid), R(getpgid), R(setpgid), R(getsid),
	R(setsid), R(kcmp), R(vhangup), R(acct), R(times), R(getrlimit), R(setrlimit),
	R(prlimit64),
	/* identity readers (the worker's credentials are the submitter's) */
	R(getuid), R(geteuid), R(getgid), R(getegid), R(getresuid), R(getresgid),
	R(getgroups), R(capget),
	/* time and process timers */
	R(nanosleep), R(gettimeofday), R(settimeofday), R(adjtimex), R(clock_settime),
	R(clock_adjtime), R(getitimer), R(setitimer), R(timer_settime), R(timer_gettime),
	R(timer_getoverrun), R(timer_delete), R(sched_get_priority_max),
	R(sched_get_priority_min),
	/* System V and POSIX IPC (the submitter's IPC namespace) */
	R(msgget), R(msgctl), R(msgsnd), R(msgrcv), R(semget), R(semctl), R(shmget),
	R(shmctl), R(shmat), R(shmdt), R(mq_open), R(mq_unlink), R(mq_timedsend),
	R(mq_timedreceive), R(mq_notify), R(mq_getsetattr),
	/* AIO contexts belong to the mm */
	R(io_setup), R(io_destroy), R(io_submit), R(io_cancel), R(io_getevents),
	/* the system (decided by the submitter's credentials) */
	R(uname), R(sysinfo), R(syslog), R(sethostname), R(setdomainname), R(reboot),
	R(kexec_load), R(kexec_file_load), R(init_module), R(finit_module),
	R(delete_module), R(lookup_dcookie), R(bpf), R(getrandom),
	R(landlock_create_ruleset), R(landlock_add_rule), R(futex_waitv),

	XSC_ARCH_POLICY
};
#undef R
#undef T
#undef W

static const struct xsc_policy xsc_unclassified = { XSC_UNCLASSIFIED };

const struct xsc_policy *xsc_policy_of(int native)
{
	if (native < 0 || native >= NR_syscalls)
		return &xsc_unclassified;
	return &xsc_policy[array_index_nospec(native, NR_syscalls)];
}

/* The arguments the policy reads are ints to the syscall: compare them so. */
static int xsc_int_arg(const u64 *a, unsigned int i)
{
	return (int)(u32)a[i];
}

bool xsc_apply_policy(const struct xsc_policy *p, struct task_struct *submitter, u64 *a)
{
	unsigned int arg = p->arg;
	pid_t tid;

	switch (p->kind) {
	case XSC_UNCLASSIFIED:
	case XSC_TRAP:
		return false;
	case XSC_SELF_PID:
		if (xsc_int_arg(a, arg) == 0)
			a[arg] = task_pid_vnr(submitter);
		return true;
	case XSC_PRIO_WHO:
		/* (which, who): who 0 of the "process" kind (value) is the caller */
		if (xsc_int_arg(a, 0) == (int)p->value && xsc_int_arg(a, 1) == 0)
			a[1] = task_pid_vnr(submitter);
		return true;
	case XSC_THREAD_CLOCK:
	case XSC_TRAP_THREAD_CLOCK: {
		clockid_t clk = (clockid_t)xsc_int_arg(a, arg);
		bool self;

		tid = task_pid_vnr(submitter);
		/* the caller's clock by pid 0 or by its own tid, as posix-cpu-timers sees it */
		self = clk == CLOCK_THREAD_CPUTIME_ID ||
		       (clk < 0 && CPUCLOCK_PERTHREAD(clk) &&
			(CPUCLOCK_PID(clk) == 0 || CPUCLOCK_PID(clk) == tid));
		if (!self)
			return true;
		if (p->kind == XSC_TRAP_THREAD_CLOCK)
			return false;
		/* the submitter's per-thread clock: (~tid << 3) | PERTHREAD | which */
		a[arg] = (u32)(clockid_t)((~(clockid_t)tid << 3) | CPUCLOCK_PERTHREAD_MASK |
					  (clk == CLOCK_THREAD_CPUTIME_ID ? CPUCLOCK_SCHED : CPUCLOCK_WHICH(clk)));
		return true;
	}
	case XSC_TRAP_IF_SET:
		return a[arg] == 0;
	case XSC_TRAP_IF_ONE:
		return xsc_int_arg(a, arg) != 1;
	case XSC_TRAP_IF_BITS:
		return !((u32)a[arg] & p->value);
	case XSC_FUTEX:
		switch (xsc_int_arg(a, arg) & FUTEX_CMD_MASK) {
		case FUTEX_LOCK_PI:
		case FUTEX_LOCK_PI2:
		case FUTEX_UNLOCK_PI:
		case FUTEX_TRYLOCK_PI:
		case FUTEX_WAIT_REQUEUE_PI:
		case FUTEX_CMP_REQUEUE_PI:
			return false;
		}
		return true;
	}
	return true;
}

int __init xsc_policy_check(void)
{
	int nr, missing = 0;

	/* the kinds fit their field; a table entry's kind is one of them */
	BUILD_BUG_ON(XSC_KIND_COUNT > U8_MAX);
	for (nr = 0; nr < NR_syscalls; nr++) {
		if (xsc_policy[nr].kind >= XSC_KIND_COUNT) {
			pr_err("xsc: syscall %d has an invalid class %u\n", nr, xsc_policy[nr].kind);
			missing++;
		} else if (xsc_policy[nr].kind == XSC_UNCLASSIFIED && xsc_arch_nr_implemented(nr)) {
			pr_err("xsc: syscall %d has no class in drivers/xsc/policy.c\n", nr);
			missing++;
		}
	}
	return missing;
}
