/* arm64 glue for the boot init (aarch64 cells). */
#ifndef XSC_BOOT_ARCH_H
#define XSC_BOOT_ARCH_H

#include <stdint.h>

#define BOOT_ABI "aarch64"

/* /proc/cpuinfo line that lists CPU features */
#define BOOT_CPUINFO_FEATURES "Features"

/* Semihosting SYS_EXIT (0x18) with an AArch64 parameter block
 * {ADP_Stopped_ApplicationExit, status}: QEMU exits with that status.
 * QEMU accepts it from EL0 only with -semihosting-config userspace=on
 * (matrix.meson); elsewhere HLT traps and the kernel sends SIGILL. */
static inline void boot_qemu_exit(int status)
{
	uint64_t block[2] = { 0x20026, (uint64_t)status };
	register uint64_t x0 __asm__("x0") = 0x18;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

#endif
