/*
 * libxsc's per-thread ring for programs that link libxsc: set up on a
 * thread's first xsc_syscall(), torn down by a pthread key destructor,
 * forgotten in a fork child. (The XSC glibc keeps its own per-thread ring
 * in the thread descriptor instead: libc/glibc/.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "xsc.h"

static __thread struct xsc_ring tls_ring = { .fd = -1 };
static __thread int tls_state;		/* 0: untried, 1: ring, -1: trap */

static void tls_destroy(void *unused)
{
	(void)unused;
	if (tls_state == 1)
		xsc_ring_exit(&tls_ring);
	tls_state = -1;
}

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void fork_child(void)
{
	/* the child's copy of the parent's ring is not mapped (VM_DONTCOPY)
	 * and its fd belongs to the parent's ring: forget both */
	xsc_thread_forget();
}

static void tls_init_once(void)
{
	pthread_key_create(&tls_key, tls_destroy);
	pthread_atfork(NULL, NULL, fork_child);
}

void xsc_thread_forget(void)
{
	if (tls_state == 1)
		close(tls_ring.fd);
	tls_ring.fd = -1;
	tls_ring.mem = NULL;
	tls_state = 0;
}

struct xsc_ring *xsc_thread_ring(void)
{
	if (tls_state == 0) {
		/* calls made while setting up (libc's open, ioctl, mmap, perhaps
		 * routed back here) use the trap */
		tls_state = -1;
		pthread_once(&tls_once, tls_init_once);
		if (xsc_ring_init(&tls_ring, 8, 0) == 0) {
			pthread_setspecific(tls_key, &tls_ring);
			tls_state = 1;
		}
	}
	return tls_state == 1 ? &tls_ring : NULL;
}

long xsc_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	uint64_t a[6] = {
		(unsigned long)a1, (unsigned long)a2, (unsigned long)a3,
		(unsigned long)a4, (unsigned long)a5, (unsigned long)a6,
	};
	struct xsc_ring *r = xsc_thread_ring();
	int64_t ret = r ? xsc_call(r, nr, a) : xsc_trap(nr, a);

	/* the thread changed its credentials, namespaces, ... since setup: the
	 * next call sets up a ring whose worker is a copy of it as it is now */
	if (r && r->stale && !r->in_call) {
		xsc_ring_exit(r);
		tls_state = 0;
	}

	if (ret < 0 && ret >= -4095) {
		errno = (int)-ret;
		return -1;
	}
	return (long)ret;
}
