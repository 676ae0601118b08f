/* XSC: system calls through the thread's ring, for the arch sysdep.h.
   This file is part of the XSC changes to the GNU C Library 2.36
   (libc/glibc/ in the XSC tree), under the GNU LGPL 2.1 or later.

   The arch's sysdep.h (C, not assembler) defines, before including this:
     XSC_ARG (X)                   the value the trap's register would hold
                                   for argument X (e.g. x32's ARGIFY);
     XSC_TRAP_SYSCALL (nr, n, ...) the trap with n arguments;
   and then defines INTERNAL_SYSCALL and INTERNAL_SYSCALL_NCS with
   XSC_INTERNAL_SYSCALL (number, n, args...).

   Inside libc every call goes to __xsc_syscall (xsc-ring.c) once
   __xsc_active is set, which decides, per thread, between the ring and the
   trap; before that (static start-up before TLS), in ld.so and in other
   libraries it traps.  */

#ifndef _XSC_SYSCALL_H
#define _XSC_SYSCALL_H 1

#if IS_IN (libc)
extern int __xsc_active attribute_hidden;
extern long long int __xsc_syscall (long int, unsigned long long int,
				    unsigned long long int,
				    unsigned long long int,
				    unsigned long long int,
				    unsigned long long int,
				    unsigned long long int) attribute_hidden;
# define xsc_ring_syscall0(number, dummy...)				\
	__xsc_syscall (number, 0, 0, 0, 0, 0, 0)
# define xsc_ring_syscall1(number, a1)					\
	__xsc_syscall (number, XSC_ARG (a1), 0, 0, 0, 0, 0)
# define xsc_ring_syscall2(number, a1, a2)				\
	__xsc_syscall (number, XSC_ARG (a1), XSC_ARG (a2), 0, 0, 0, 0)
# define xsc_ring_syscall3(number, a1, a2, a3)				\
	__xsc_syscall (number, XSC_ARG (a1), XSC_ARG (a2), XSC_ARG (a3),	\
		       0, 0, 0)
# define xsc_ring_syscall4(number, a1, a2, a3, a4)			\
	__xsc_syscall (number, XSC_ARG (a1), XSC_ARG (a2), XSC_ARG (a3),	\
		       XSC_ARG (a4), 0, 0)
# define xsc_ring_syscall5(number, a1, a2, a3, a4, a5)			\
	__xsc_syscall (number, XSC_ARG (a1), XSC_ARG (a2), XSC_ARG (a3),	\
		       XSC_ARG (a4), XSC_ARG (a5), 0)
# define xsc_ring_syscall6(number, a1, a2, a3, a4, a5, a6)		\
	__xsc_syscall (number, XSC_ARG (a1), XSC_ARG (a2), XSC_ARG (a3),	\
		       XSC_ARG (a4), XSC_ARG (a5), XSC_ARG (a6))
/* The result type: long int, except where a caller needs the whole
   register (x32 times.c).  */
# ifndef XSC_SYSCALL_RESULT_T
#  define XSC_SYSCALL_RESULT_T long int
# endif
# define XSC_INTERNAL_SYSCALL(number, nr, args...)			\
  ({									\
    XSC_SYSCALL_RESULT_T __xsc_result;					\
    if (__xsc_active)							\
      __xsc_result = xsc_ring_syscall##nr (number, args);		\
    else								\
      __xsc_result = XSC_TRAP_SYSCALL (number, nr, args);		\
    __xsc_result;							\
  })
#else
# define XSC_INTERNAL_SYSCALL(number, nr, args...)			\
	XSC_TRAP_SYSCALL (number, nr, args)
#endif

#endif
