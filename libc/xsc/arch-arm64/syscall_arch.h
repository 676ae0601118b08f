/* aarch64: the trap and the spin-wait hint. */
#ifndef XSC_SYSCALL_ARCH_H
#define XSC_SYSCALL_ARCH_H

#include <stdint.h>

/* svc 0 with the number in x8 and arguments in x0..x5; result in x0. */
static inline int64_t xsc_arch_trap(uint64_t nr, const uint64_t a[6])
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = a[0];
	register uint64_t x1 __asm__("x1") = a[1];
	register uint64_t x2 __asm__("x2") = a[2];
	register uint64_t x3 __asm__("x3") = a[3];
	register uint64_t x4 __asm__("x4") = a[4];
	register uint64_t x5 __asm__("x5") = a[5];

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return (int64_t)x0;
}

/* A spin-wait hint to the CPU. */
#define xsc_arch_relax xsc_arch_relax
static inline void xsc_arch_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

#endif
