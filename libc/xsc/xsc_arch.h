/*
 * The arch hooks of libxsc: arch-<karch>/syscall_arch.h (or arch-generic/)
 * chosen by the include path, plus defaults for the optional ones. A hook
 * an arch provides defines its own name (musl's convention), e.g.
 *   #define xsc_arch_relax xsc_arch_relax
 *
 * Required: int64_t xsc_arch_trap(uint64_t nr, const uint64_t a[6])
 *           (the trap; -errno on error)
 * Optional: void xsc_arch_relax(void)   (spin-wait hint; default: a
 *           compiler barrier)
 */
#ifndef XSC_ARCH_H
#define XSC_ARCH_H

#include "syscall_arch.h"

#ifndef xsc_arch_relax
static inline void xsc_arch_relax(void)
{
	__asm__ volatile("" ::: "memory");
}
#endif

#endif
