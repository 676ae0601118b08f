/* SPDX-License-Identifier: GPL-2.0 */
/* x86_64 and x32 hooks for drivers/xsc (contract: HAVE_ARCH_XSC help). */
#ifndef _ASM_X86_XSC_H
#define _ASM_X86_XSC_H

#include <linux/audit.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <asm/syscall.h>
#include <asm/syscall_wrapper.h>
#include <asm/unistd.h>
#ifdef CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS
#include <asm/pkeys.h>
#endif
#include <uapi/linux/xsc.h>

#define XSC_AUDIT_ARCH		AUDIT_ARCH_X86_64	/* x32 too: seccomp sees the x32 bit in nr */
#define XSC_ARCH_FEATURES	(IS_ENABLED(CONFIG_X86_X32_ABI) ? XSC_FEAT_X32 : 0)

/*
 * The calls only x86_64 has (drivers/xsc/policy.c classifies the rest),
 * in policy.c's R() / T() notation.
 */
#define XSC_ARCH_POLICY							\
	/* T: the calling thread's registers, descriptors and I/O rights */ \
	T(arch_prctl), T(set_thread_area), T(get_thread_area),		\
	T(modify_ldt), T(iopl), T(ioperm), T(fork), T(vfork), T(pause), \
	/* T: no such call in 6.1; the trap answers -ENOSYS */		\
	T(_sysctl), T(afs_syscall), T(create_module), T(epoll_ctl_old),	\
	T(epoll_wait_old), T(get_kernel_syms), T(getpmsg), T(putpmsg),	\
	T(query_module), T(security), T(tuxcall), T(vserver),		\
	/* R: the legacy forms of calls policy.c runs */		\
	R(open), R(creat), R(access), R(stat), R(lstat), R(chmod), R(chown), \
	R(lchown), R(link), R(symlink), R(unlink), R(mkdir), R(rmdir),	\
	R(mknod), R(rename), R(readlink), R(utime), R(utimes), R(futimesat), \
	R(getdents), R(dup2), R(pipe), R(poll), R(select), R(epoll_create), \
	R(epoll_wait), R(eventfd), R(signalfd), R(inotify_init), R(alarm), \
	R(time), R(getpgrp), R(sysfs), R(ustat), R(uselib),

/* ia32 tasks would need their own table and layout: no ring for them. */
static inline bool xsc_arch_supported(void)
{
	return !in_ia32_syscall();
}

#ifdef CONFIG_X86_X32_ABI
/*
 * x32's own entries 512..547 (syscall_64.tbl), as the x86_64 call of the
 * same name, so one policy table serves both ABIs.
 */
static const u16 xsc_x32_as_x64[] = {
	__NR_rt_sigaction, __NR_rt_sigreturn, __NR_ioctl, __NR_readv, __NR_writev,
	__NR_recvfrom, __NR_sendmsg, __NR_recvmsg, __NR_execve, __NR_ptrace,
	__NR_rt_sigpending, __NR_rt_sigtimedwait, __NR_rt_sigqueueinfo, __NR_sigaltstack,
	__NR_timer_create, __NR_mq_notify, __NR_kexec_load, __NR_waitid,
	__NR_set_robust_list, __NR_get_robust_list, __NR_vmsplice, __NR_move_pages,
	__NR_preadv, __NR_pwritev, __NR_rt_tgsigqueueinfo, __NR_recvmmsg, __NR_sendmmsg,
	__NR_process_vm_readv, __NR_process_vm_writev, __NR_setsockopt, __NR_getsockopt,
	__NR_io_setup, __NR_io_submit, __NR_execveat, __NR_preadv2, __NR_pwritev2,
};
#endif

/*
 * The x86_64 number that names the same call as @nr, for the policy table,
 * or -1 for a number no table has.
 */
static inline int xsc_arch_native_nr(u32 nr)
{
	if (nr < NR_syscalls)
		return nr;
#ifdef CONFIG_X86_X32_ABI
	if (nr & __X32_SYSCALL_BIT) {
		u32 xnr = nr & ~__X32_SYSCALL_BIT;

		if (xnr < 512)
			return xnr < NR_syscalls ? xnr : -1;
		if (xnr - 512 < ARRAY_SIZE(xsc_x32_as_x64))
			return xsc_x32_as_x64[xnr - 512];
	}
#endif
	return -1;
}

/* Whether the x86_64 table has an entry point for @nr (policy boot check). */
static inline bool xsc_arch_nr_implemented(int nr)
{
	return sys_call_table[nr] != __x64_sys_ni_syscall;
}

/*
 * Load @nr and its arguments into the worker's pt_regs as the trap entry
 * would: orig_ax carries the number with the x32 bit, so in_x32_syscall()
 * and in_compat_syscall() answer for the submitter's ABI inside the call,
 * and the sys_enter tracepoint reads this call's number and arguments;
 * ax starts as -ENOSYS.
 */
static inline void xsc_arch_load(struct pt_regs *regs, u32 nr, const u64 *a)
{
	regs->orig_ax = nr;
	regs->ax = -ENOSYS;
	regs->di = a[0];
	regs->si = a[1];
	regs->dx = a[2];
	regs->r10 = a[3];
	regs->r8 = a[4];
	regs->r9 = a[5];
}

/* The number that continues @nr's interrupted call from its restart block. */
static inline u32 xsc_arch_restart_nr(u32 nr)
{
	return __NR_restart_syscall | (nr & __X32_SYSCALL_BIT);
}

/* Dispatch the call xsc_arch_load() put in @regs. */
static inline long xsc_arch_dispatch(struct pt_regs *regs, u32 nr)
{
	if (nr < NR_syscalls)
		return x64_sys_call(regs, array_index_nospec(nr, NR_syscalls));
#ifdef CONFIG_X86_X32_ABI
	if (x32_enabled && nr - __X32_SYSCALL_BIT < X32_NR_syscalls)
		return x32_sys_call(regs, array_index_nospec(nr - __X32_SYSCALL_BIT,
							     X32_NR_syscalls));
#endif
	return -ENOSYS;
}

/*
 * Whether the per-thread state the kernel consults inside a call is the
 * same in the worker (current) as in @submitter. PKRU: the worker keeps
 * the rights it was cloned with, and the submitter changes its own with
 * WRPKRU, which the kernel cannot see; so once the process has allocated a
 * protection key, no entry runs on the worker.
 */
static inline bool xsc_arch_same_thread_state(struct task_struct *submitter)
{
#ifdef CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS
	if (mm_pkey_allocation_map(current->mm) != 1 ||
	    current->mm->context.execute_only_pkey != -1)
		return false;
#endif
	return true;
}

#endif /* _ASM_X86_XSC_H */
