/* XSC: syscall (), through the thread's ring like every other call of
   libc.  Replaces x86_64/syscall.S.  This file is part of the XSC changes
   to the GNU C Library 2.36 (libc/glibc/ in the XSC tree), under the GNU
   LGPL 2.1 or later.

   The arguments are taken as unsigned long int and zero-extended: on x32
   a register's upper half is not part of a long, and pointers must reach
   the kernel zero-extended.  The result is the whole register (x32 has
   calls with 64-bit results).  */

#include <stdarg.h>
#include <sysdep.h>
#include <xsc-ring.h>

long int
syscall (long int number, ...)
{
  va_list ap;
  unsigned long int a[6];
  long long int r;

  va_start (ap, number);
  for (int i = 0; i < 6; i++)
    a[i] = va_arg (ap, unsigned long int);
  va_end (ap);

  if (__xsc_active)
    r = __xsc_syscall (number, a[0], a[1], a[2], a[3], a[4], a[5]);
  else
    {
      register unsigned long long int r10 asm ("r10") = a[3];
      register unsigned long long int r8 asm ("r8") = a[4];
      register unsigned long long int r9 asm ("r9") = a[5];
      asm volatile ("syscall"
		    : "=a" (r)
		    : "0" ((unsigned long long int) (unsigned long int) number),
		      "D" ((unsigned long long int) a[0]),
		      "S" ((unsigned long long int) a[1]),
		      "d" ((unsigned long long int) a[2]),
		      "r" (r10), "r" (r8), "r" (r9)
		    : "memory", "cc", "rcx", "r11");
    }
  if ((unsigned long long int) r > -4096ULL)
    {
      __set_errno (-r);
      return -1;
    }
  return r;
}
