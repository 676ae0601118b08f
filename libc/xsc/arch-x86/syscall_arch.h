/* x86_64 and x32: the trap and the spin-wait hint. */
#ifndef XSC_SYSCALL_ARCH_H
#define XSC_SYSCALL_ARCH_H

#include <stdint.h>

/* The trap with the x86_64 convention: rax, rdi, rsi, rdx, r10, r8, r9;
 * the instruction clobbers rcx and r11. Returns -errno on error. */
static inline int64_t xsc_arch_trap(uint64_t nr, const uint64_t a[6])
{
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	uint64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return (int64_t)ret;
}

/* A spin-wait hint to the CPU. */
#define xsc_arch_relax xsc_arch_relax
static inline void xsc_arch_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
