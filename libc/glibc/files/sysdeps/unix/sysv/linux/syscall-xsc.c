/* XSC: syscall (), through the thread's ring like every other call of
   libc.  The arch's syscall.c includes this in place of its syscall.S.
   This file is part of the XSC changes to the GNU C Library 2.36
   (libc/glibc/ in the XSC tree), under the GNU LGPL 2.1 or later.

   The arguments are taken as unsigned long int and zero-extended: on x32
   a register's upper half is not part of a long, and pointers must reach
   the kernel zero-extended.  The ring's result is the whole register.  */

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
    r = XSC_TRAP_SYSCALL ((unsigned long int) number, 6,
			  a[0], a[1], a[2], a[3], a[4], a[5]);
  if ((unsigned long long int) r > -4096ULL)
    {
      __set_errno (-r);
      return -1;
    }
  return r;
}
