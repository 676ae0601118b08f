/* XSC: syscall () in C, replacing syscall.S (part of the XSC changes to
   the GNU C Library 2.36, under the GNU LGPL 2.1 or later).  */
#include <sysdeps/unix/sysv/linux/syscall-xsc.c>
