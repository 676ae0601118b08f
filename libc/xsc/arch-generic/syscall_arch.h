/* Any arch: the trap through the C library's syscall(2). A new arch runs
 * libxsc and the ring tests with this before it has hooks of its own in
 * arch-<karch>/; those only make the trap cheaper (no errno round trip). */
#ifndef XSC_SYSCALL_ARCH_H
#define XSC_SYSCALL_ARCH_H

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

/* Returns -errno on error, like the raw trap. syscall(2) sets errno, so
 * the caller's errno is saved and put back. Its arguments are longs: an
 * ABI whose long is narrower than a register (x32) needs hooks of its own.
 * No xsc_arch_relax here: xsc_arch.h supplies the default. */
static inline int64_t xsc_arch_trap(uint64_t nr, const uint64_t a[6])
{
	int saved = errno;
	long ret = syscall((long)nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	if (ret == -1) {
		ret = -errno;
		errno = saved;
	}
	return (int64_t)ret;
}

#endif
