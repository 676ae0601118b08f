/* XSC: __xsc_syscall with the syscall instruction's convention, for the
   assembly stubs (DO_CALL in sysdep.h).  This file is part of the XSC
   changes to the GNU C Library 2.36 (libc/glibc/ in the XSC tree), under
   the GNU LGPL 2.1 or later.

   In: the number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9.
   Out: the result in RAX; RCX and R11 are clobbered, as by the
   instruction, every other general register is kept.  The stack is
   aligned here, so any caller may use it.  */

#include <sysdep.h>

	.text
ENTRY (__xsc_syscall_asm)
	pushq	%rbp
	cfi_adjust_cfa_offset (8)
	cfi_rel_offset (%rbp, 0)
	movq	%rsp, %rbp
	cfi_def_cfa_register (%rbp)
	andq	$-16, %rsp
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%r8
	pushq	%r9
	pushq	%r10
	subq	$8, %rsp
	/* __xsc_syscall (nr, a1, a2, a3, a4, a5, a6): a6 on the stack.  */
	pushq	%r9
	movq	%r8, %r9
	movq	%r10, %r8
	movq	%rdx, %rcx
	movq	%rsi, %rdx
	movq	%rdi, %rsi
	movq	%rax, %rdi
	call	__xsc_syscall
	addq	$16, %rsp
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdx
	popq	%rsi
	popq	%rdi
	movq	%rbp, %rsp
	popq	%rbp
	cfi_def_cfa (%rsp, 8)
	cfi_restore (%rbp)
	ret
END (__xsc_syscall_asm)
