/* XSC: the system call ring of each thread, inside glibc.
   This file is part of the XSC changes to the GNU C Library 2.36
   (libc/glibc/ in the XSC tree), under the GNU LGPL 2.1 or later.

   Every system call libc makes (the INTERNAL_SYSCALL macros, the
   assembly stubs, syscall ()) comes here once __xsc_active is set.  Each
   thread keeps its ring in its descriptor (struct pthread, xsc_ring and
   xsc_ring_store), set up at the thread's first call that can use one and
   closed at thread exit.  The ring itself is libxsc's code (libc/xsc/xsc.c
   in the XSC tree), which the build copies into xsc/ beside this file and
   which calls nothing of libc: everything it does is a trap.  */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <pthreadP.h>
#include <sysdep.h>
#include <tls.h>
#include <xsc-ring.h>

#if HAVE_TUNABLES
# define TUNABLE_NAMESPACE xsc
# include <elf/dl-tunables.h>
#endif

/* libxsc, with the implementation's names, hidden.  */
#define xsc_trap __xsc_trap
#define xsc_ring_init __xsc_ring_init
#define xsc_ring_init_mem __xsc_ring_init_mem
#define xsc_ring_exit __xsc_ring_exit
#define xsc_get_sqe __xsc_get_sqe
#define xsc_submit __xsc_submit
#define xsc_peek_cqe __xsc_peek_cqe
#define xsc_cqe_seen __xsc_cqe_seen
#define xsc_cq_ready __xsc_cq_ready
#define xsc_cq_advance __xsc_cq_advance
#define xsc_ring_init_flags __xsc_ring_init_flags
#define xsc_wait_cqe __xsc_wait_cqe
#define xsc_call __xsc_call
#pragma GCC visibility push (hidden)
#include "xsc/xsc.c"
#pragma GCC visibility pop

_Static_assert (sizeof (struct xsc_ring)
		<= sizeof (((struct pthread *) 0)->xsc_ring_store),
		"struct pthread's xsc_ring_store holds a struct xsc_ring");

int __xsc_active;

enum { XSC_MODE_AUTO, XSC_MODE_RING, XSC_MODE_TRAP };
static int xsc_mode;

/* Entries of a thread's ring: each synchronous call uses one.  */
#define XSC_THREAD_ENTRIES 8

/* A message on standard error, by the trap.  */
static void
xsc_say (const char *s)
{
  size_t n = 0;
  while (s[n] != '\0')
    n++;
  xsc_trap (__NR_write, (uint64_t[6]) { 2, (uintptr_t) s, n });
}

static bool
xsc_streq (const char *a, const char *b)
{
  while (*a != '\0' && *a == *b)
    a++, b++;
  return *a == *b;
}

#if HAVE_TUNABLES
static void
TUNABLE_CALLBACK (set_mode) (tunable_val_t *valp)
{
  const char *v = valp->strval;

  if (xsc_streq (v, "auto"))
    xsc_mode = XSC_MODE_AUTO;
  else if (xsc_streq (v, "ring"))
    xsc_mode = XSC_MODE_RING;
  else if (xsc_streq (v, "trap"))
    xsc_mode = XSC_MODE_TRAP;
  else
    {
      xsc_say ("glibc: GLIBC_TUNABLES glibc.xsc.mode=");
      xsc_say (v);
      xsc_say (": not auto, ring or trap; using auto\n");
      xsc_mode = XSC_MODE_AUTO;
    }
}
#endif

void
__xsc_init (void)
{
#if HAVE_TUNABLES
  TUNABLE_GET (mode, tunable_val_t *, TUNABLE_CALLBACK (set_mode));
#endif
  atomic_store_relaxed (&__xsc_active, xsc_mode != XSC_MODE_TRAP);
}

/* Calls glibc always makes with the trap, without a ring: they create or
   end threads and processes, replace the program, or set up or act on the
   calling thread's own kernel state (signal mask and return, TLS and
   per-thread registrations).  The kernel's policy sends these back too
   (XSC_STATUS_TRAP); deciding here also keeps a thread that makes only
   these (start-up, exit) from setting up a ring.  */
static inline bool
xsc_must_trap (long int nr)
{
  switch (nr)
    {
    case __NR_clone:
#ifdef __NR_clone3
    case __NR_clone3:
#endif
#ifdef __NR_fork
    case __NR_fork:
#endif
#ifdef __NR_vfork
    case __NR_vfork:
#endif
    case __NR_execve:
    case __NR_execveat:
    case __NR_exit:
    case __NR_exit_group:
    case __NR_rt_sigreturn:
    case __NR_rt_sigprocmask:
    case __NR_sigaltstack:
    case __NR_set_tid_address:
    case __NR_set_robust_list:
#ifdef __NR_rseq
    case __NR_rseq:
#endif
#ifdef __NR_arch_prctl
    case __NR_arch_prctl:
#endif
      return true;
    }
  return false;
}

/* Set up the calling thread's ring; XSC_THREAD_TRAP where it cannot.  */
static uintptr_t
xsc_thread_setup (struct pthread *self)
{
  struct xsc_ring *r = (struct xsc_ring *) self->xsc_ring_store;
  int err;

  /* Calls made meanwhile (a signal handler's) trap.  */
  THREAD_SETMEM (self, xsc_ring, XSC_THREAD_TRAP);
  err = xsc_ring_init (r, XSC_THREAD_ENTRIES, 0);
  if (err == 0)
    {
      THREAD_SETMEM (self, xsc_ring, (uintptr_t) r);
      return (uintptr_t) r;
    }
  if (xsc_mode == XSC_MODE_RING)
    __libc_fatal ("Fatal glibc error: glibc.xsc.mode=ring, but this thread"
		  " cannot set up a ring on /dev/xsc\n");
  /* No ring for any thread: a kernel without XSC (no device), the switch
     kernel.xsc_enabled off, an ABI without rings.  Other failures (no
     file descriptor or memory left) leave this thread on the trap.  */
  if (err == -ENOENT || err == -ENXIO || err == -ENODEV || err == -EPERM
      || err == -EACCES || err == -EOPNOTSUPP || err == -EPROTO)
    atomic_store_relaxed (&__xsc_active, 0);
  return XSC_THREAD_TRAP;
}

long long int
__xsc_syscall (long int nr, unsigned long long int a1,
	       unsigned long long int a2, unsigned long long int a3,
	       unsigned long long int a4, unsigned long long int a5,
	       unsigned long long int a6)
{
  uint64_t a[6] = { a1, a2, a3, a4, a5, a6 };
  struct pthread *self = THREAD_SELF;
  uintptr_t w = THREAD_GETMEM (self, xsc_ring);

  if (w == XSC_THREAD_TRAP || xsc_must_trap (nr))
    return xsc_trap (nr, a);
  if (w == XSC_THREAD_UNSET)
    {
      w = xsc_thread_setup (self);
      if (w == XSC_THREAD_TRAP)
	return xsc_trap (nr, a);
    }

  struct xsc_ring *r = (struct xsc_ring *) w;
  int64_t ret = xsc_call (r, nr, a);

  if (__glibc_unlikely (r->broken != 0) && !r->in_call)
    {
      /* The ring could not carry the call, which was not made: the
	 program closed the ring's file (closefrom, close_range), or its
	 worker is gone.  Make this call with the trap and set up a new
	 ring at the next one.  The file is not closed again: its number
	 may already be someone else's.  */
      __xsc_trap (__NR_munmap, (uint64_t[6]) { (uintptr_t) r->mem, r->size });
      THREAD_SETMEM (self, xsc_ring, XSC_THREAD_UNSET);
      return xsc_trap (nr, a);
    }
  if (__glibc_unlikely (r->stale) && !r->in_call)
    {
      /* The thread changed its credentials, namespaces, ... since the
	 ring was set up: the next call sets up a ring whose worker is a
	 copy of the thread as it is now.  */
      xsc_ring_exit (r);
      THREAD_SETMEM (self, xsc_ring, XSC_THREAD_UNSET);
    }
  return ret;
}

void
__xsc_thread_start (struct pthread *pd)
{
  pd->xsc_ring = XSC_THREAD_UNSET;
}

void
__xsc_thread_exit (struct pthread *pd)
{
  uintptr_t w = pd->xsc_ring;

  pd->xsc_ring = XSC_THREAD_TRAP;
  if (w != XSC_THREAD_UNSET && w != XSC_THREAD_TRAP)
    xsc_ring_exit ((struct xsc_ring *) w);
}

void
__xsc_fork_child (struct pthread *pd)
{
  uintptr_t w = pd->xsc_ring;

  pd->xsc_ring = XSC_THREAD_UNSET;
  if (w != XSC_THREAD_UNSET && w != XSC_THREAD_TRAP)
    {
      struct xsc_ring *r = (struct xsc_ring *) w;
      xsc_trap (__NR_close, (uint64_t[6]) { (uint64_t) r->fd });
    }
}

uintptr_t
__xsc_thread_suspend (void)
{
  uintptr_t w = THREAD_GETMEM (THREAD_SELF, xsc_ring);

  THREAD_SETMEM (THREAD_SELF, xsc_ring, XSC_THREAD_TRAP);
  return w;
}

void
__xsc_thread_resume (uintptr_t saved)
{
  THREAD_SETMEM (THREAD_SELF, xsc_ring, saved);
}
