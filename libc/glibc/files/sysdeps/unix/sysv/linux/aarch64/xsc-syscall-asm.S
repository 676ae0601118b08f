/* XSC: __xsc_syscall with svc's convention, for the assembly stubs
   (DO_CALL in sysdep.h).  This file is part of the XSC changes to the GNU
   C Library 2.36 (libc/glibc/ in the XSC tree), under the GNU LGPL 2.1 or
   later.

   In: the number in x8, arguments in x0..x5.  Out: the result in x0; every
   other general register is kept, as by svc (x16 and x17 excepted, which
   the procedure call standard gives to any call).  */

#include <sysdep.h>

	.text
ENTRY (__xsc_syscall_asm)
	stp	x29, x30, [sp, #-160]!
	cfi_adjust_cfa_offset (160)
	cfi_rel_offset (x29, 0)
	cfi_rel_offset (x30, 8)
	mov	x29, sp
	stp	x1, x2, [sp, #16]
	stp	x3, x4, [sp, #32]
	stp	x5, x6, [sp, #48]
	stp	x7, x8, [sp, #64]
	stp	x9, x10, [sp, #80]
	stp	x11, x12, [sp, #96]
	stp	x13, x14, [sp, #112]
	stp	x15, x18, [sp, #128]
	/* __xsc_syscall (nr, a1, ..., a6) */
	mov	x6, x5
	mov	x5, x4
	mov	x4, x3
	mov	x3, x2
	mov	x2, x1
	mov	x1, x0
	mov	x0, x8
	bl	__xsc_syscall
	ldp	x1, x2, [sp, #16]
	ldp	x3, x4, [sp, #32]
	ldp	x5, x6, [sp, #48]
	ldp	x7, x8, [sp, #64]
	ldp	x9, x10, [sp, #80]
	ldp	x11, x12, [sp, #96]
	ldp	x13, x14, [sp, #112]
	ldp	x15, x18, [sp, #128]
	ldp	x29, x30, [sp], #160
	cfi_adjust_cfa_offset (-160)
	cfi_restore (x29)
	cfi_restore (x30)
	ret
END (__xsc_syscall_asm)
