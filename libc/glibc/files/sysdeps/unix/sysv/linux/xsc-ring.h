/* XSC: the system call ring of each thread, inside glibc.
   This file is part of the XSC changes to the GNU C Library 2.36
   (libc/glibc/ in the XSC tree), under the GNU LGPL 2.1 or later.  */

#ifndef _XSC_RING_H
#define _XSC_RING_H 1

#include <stdint.h>

struct pthread;

/* Values of struct pthread's xsc_ring other than a ring's address.  */
#define XSC_THREAD_UNSET	0	/* set up a ring at the next call */
#define XSC_THREAD_TRAP		1	/* trap: no ring, or none allowed */

/* Non-zero once system calls may use a ring: after TLS exists, in a mode
   other than trap, and while /dev/xsc answers.  Read before anything
   thread-local, so it is safe before TLS.  */
extern int __xsc_active attribute_hidden;

/* A system call through the calling thread's ring, or the trap where the
   thread has none, the call must trap, or the ring sends it back.  Returns
   the kernel's value (-errno on error).  */
extern long long int __xsc_syscall (long int nr, unsigned long long int a1,
				    unsigned long long int a2,
				    unsigned long long int a3,
				    unsigned long long int a4,
				    unsigned long long int a5,
				    unsigned long long int a6)
  attribute_hidden;

/* __libc_early_init: read glibc.xsc.mode and allow rings.  */
extern void __xsc_init (void) attribute_hidden;
/* start_thread: the new thread sets up its own ring when it needs one.  */
extern void __xsc_thread_start (struct pthread *pd) attribute_hidden;
/* start_thread, after the thread's destructors: close its ring.  */
extern void __xsc_thread_exit (struct pthread *pd) attribute_hidden;
/* A fork child, for each thread descriptor it inherits: the ring's file
   is a copy, its memory is not mapped; close the one, forget the other.  */
extern void __xsc_fork_child (struct pthread *pd) attribute_hidden;
/* Around a CLONE_VM | CLONE_VFORK child that runs on this thread's
   descriptor (posix_spawn): the child traps; the parent gets its ring back.  */
extern uintptr_t __xsc_thread_suspend (void) attribute_hidden;
extern void __xsc_thread_resume (uintptr_t saved) attribute_hidden;

#endif
