/* SPDX-License-Identifier: GPL-2.0 */
/* arm64 hooks for drivers/xsc (contract: HAVE_ARCH_XSC help). */
#ifndef _ASM_ARM64_XSC_H
#define _ASM_ARM64_XSC_H

#include <linux/audit.h>
#include <linux/compat.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <uapi/linux/xsc.h>

#define XSC_AUDIT_ARCH		AUDIT_ARCH_AARCH64
#define XSC_ARCH_FEATURES	0

/* arm64's calls are the generic table's: drivers/xsc/policy.c has them all. */
#define XSC_ARCH_POLICY

/* AArch32 tasks would need the compat table: no ring for them. */
static inline bool xsc_arch_supported(void)
{
	return !is_compat_task();
}

/* arm64 has one table: the number is its own policy index. */
static inline int xsc_arch_native_nr(u32 nr)
{
	return nr < NR_syscalls ? nr : -1;
}

asmlinkage long __arm64_sys_ni_syscall(const struct pt_regs *__unused);

/* Whether the table has an entry point for @nr (policy boot check). */
static inline bool xsc_arch_nr_implemented(int nr)
{
	return sys_call_table[nr] != __arm64_sys_ni_syscall;
}

/*
 * Load @nr and its arguments as el0_svc would (x0..x5, syscallno, orig_x0),
 * so the sys_enter tracepoint reads this call's number and arguments.
 */
static inline void xsc_arch_load(struct pt_regs *regs, u32 nr, const u64 *a)
{
	int i;

	regs->syscallno = nr;
	regs->orig_x0 = a[0];
	for (i = 0; i < 6; i++)
		regs->regs[i] = a[i];
}

/* The number that continues @nr's interrupted call from its restart block. */
static inline u32 xsc_arch_restart_nr(u32 nr)
{
	return __NR_restart_syscall;
}

/* Dispatch the call xsc_arch_load() put in @regs. */
static inline long xsc_arch_dispatch(struct pt_regs *regs, u32 nr)
{
	if (nr < NR_syscalls)
		return sys_call_table[array_index_nospec(nr, NR_syscalls)](regs);
	return -ENOSYS;
}

/*
 * Whether the per-thread state the kernel consults inside a call is the
 * same in the worker (current) as in @submitter: the tagged-address ABI
 * (access_ok() of tagged pointers) and the MTE tag-check mode, both set by
 * the submitter's own prctl() after the worker was cloned.
 */
static inline bool xsc_arch_same_thread_state(struct task_struct *submitter)
{
#ifdef CONFIG_ARM64_TAGGED_ADDR_ABI
	if (test_tsk_thread_flag(submitter, TIF_TAGGED_ADDR) != test_thread_flag(TIF_TAGGED_ADDR))
		return false;
#endif
#ifdef CONFIG_ARM64_MTE
	if (READ_ONCE(submitter->thread.mte_ctrl) != READ_ONCE(current->thread.mte_ctrl))
		return false;
#endif
	return true;
}

#endif /* _ASM_ARM64_XSC_H */
