/* SPDX-License-Identifier: GPL-2.0 */
/* arm64 hooks for drivers/xsc (contract: HAVE_ARCH_XSC help). */
#ifndef _ASM_ARM64_XSC_H
#define _ASM_ARM64_XSC_H

#include <linux/audit.h>
#include <linux/compat.h>
#include <linux/nospec.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <uapi/linux/xsc.h>

#define XSC_AUDIT_ARCH		AUDIT_ARCH_AARCH64
#define XSC_ARCH_FEATURES	0

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

/* Execute @nr as el0_svc would: x0..x5, syscallno and orig_x0 as on entry. */
static inline long xsc_arch_execute(struct pt_regs *regs, u32 nr, const u64 *a)
{
	int i;

	regs->syscallno = nr;
	regs->orig_x0 = a[0];
	for (i = 0; i < 6; i++)
		regs->regs[i] = a[i];
	if (nr < NR_syscalls)
		return sys_call_table[array_index_nospec(nr, NR_syscalls)](regs);
	return -ENOSYS;
}

/* The submitter's user instruction pointer, for seccomp_data */
static inline u64 xsc_arch_user_ip(struct task_struct *task)
{
	return task_pt_regs(task)->pc;
}

#endif /* _ASM_ARM64_XSC_H */
