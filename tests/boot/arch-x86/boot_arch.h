/* x86 glue for the boot init (x86_64 and x32 cells). */
#ifndef XSC_BOOT_ARCH_H
#define XSC_BOOT_ARCH_H

#include <sys/io.h>

#ifdef __ILP32__
#define BOOT_ABI "x32"
#else
#define BOOT_ABI "x86_64"
#endif

/* /proc/cpuinfo line that lists CPU features */
#define BOOT_CPUINFO_FEATURES "flags"

/* QEMU's isa-debug-exit at port 0xf4 (matrix.meson) makes QEMU exit with
 * status (value << 1) | 1, so value 16 gives 33 and 17 gives 35. */
static inline void boot_qemu_exit(int status)
{
	if (ioperm(0xf4, 1, 1) == 0)
		outb((unsigned char)((status - 1) >> 1), 0xf4);
}

#endif
