/* SPDX-License-Identifier: GPL-2.0 */
/* x86_64 and x32 hooks for drivers/xsc (contract: HAVE_ARCH_XSC help). */
#ifndef _ASM_X86_XSC_H
#define _ASM_X86_XSC_H

#include <linux/audit.h>
#include <linux/nospec.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <uapi/linux/xsc.h>

#define XSC_AUDIT_ARCH		AUDIT_ARCH_X86_64	/* x32 too: seccomp sees the x32 bit in nr */
#define XSC_ARCH_FEATURES	(IS_ENABLED(CONFIG_X86_X32_ABI) ? XSC_FEAT_X32 : 0)

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

/*
 * Execute @nr as the trap entry would: orig_ax carries the number with the
 * x32 bit, so in_x32_syscall() and in_compat_syscall() answer for the
 * submitter's ABI inside the call; ax starts as -ENOSYS.
 */
static inline long xsc_arch_execute(struct pt_regs *regs, u32 nr, const u64 *a)
{
	regs->orig_ax = nr;
	regs->ax = -ENOSYS;
	regs->di = a[0];
	regs->si = a[1];
	regs->dx = a[2];
	regs->r10 = a[3];
	regs->r8 = a[4];
	regs->r9 = a[5];
	if (nr < NR_syscalls)
		return x64_sys_call(regs, array_index_nospec(nr, NR_syscalls));
#ifdef CONFIG_X86_X32_ABI
	if (x32_enabled && nr - __X32_SYSCALL_BIT < X32_NR_syscalls)
		return x32_sys_call(regs, array_index_nospec(nr - __X32_SYSCALL_BIT,
							     X32_NR_syscalls));
#endif
	return -ENOSYS;
}

/* The submitter's user instruction pointer, for seccomp_data */
static inline u64 xsc_arch_user_ip(struct task_struct *task)
{
	return task_pt_regs(task)->ip;
}

#endif /* _ASM_X86_XSC_H */
