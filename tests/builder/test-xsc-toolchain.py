#!/usr/bin/env python3
"""An emitted XSC toolchain builds against its sysroot, not Debian's libc.

usage: test-xsc-toolchain.py CC SYSROOT SCRATCH

Links a program dynamically and statically with the toolchain's
<tuple>-gcc, with the linker tracing every input: each C library input
(crt1, crti, libc) must come from SYSROOT, and the static program must
hold the XSC ring client (__xsc_syscall). Debian's compilers search their
own multiarch directories before the sysroot's, so --sysroot alone fails
this (make-toolchain.py adds -B and -L). TAP.
"""
import os
import subprocess
import sys

cc, sysroot, scratch = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
os.makedirs(scratch, exist_ok=True)
src = os.path.join(scratch, 'hello.c')
with open(src, 'w') as f:
    f.write('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
tools = os.path.dirname(cc)
tuple_ = os.path.basename(cc)[:-len('-gcc')]
cases = [('dynamic', []), ('static', ['-static-pie'])]
print(f'1..{len(cases) + 1}')
n = 0
failed = 0
for name, extra in cases:
    out = os.path.join(scratch, 'hello-' + name)
    r = subprocess.run(['sh', cc, '-o', out, src, '-Wl,--trace'] + extra, capture_output=True, text=True)
    libc_inputs = [l.strip() for l in r.stdout.splitlines()
                   if os.path.basename(l.strip()).split('.')[0] in ('crt1', 'Scrt1', 'rcrt1', 'crti', 'crtn', 'libc')]
    outside = [p for p in libc_inputs if not os.path.realpath(p).startswith(sysroot + '/')]
    ok = r.returncode == 0 and libc_inputs and not outside
    n += 1
    failed += not ok
    print(f'{"ok" if ok else "not ok"} {n} - {name}: C library inputs from the sysroot'
          + ('' if ok else f' (exit {r.returncode}; outside: {outside or libc_inputs}; {r.stderr.strip()[:300]})'))
nm = subprocess.run([os.path.join(tools, tuple_ + '-nm'), os.path.join(scratch, 'hello-static')],
                    capture_output=True, text=True)
ok = ' __xsc_syscall' in nm.stdout
n += 1
failed += not ok
print(f'{"ok" if ok else "not ok"} {n} - the static program holds the XSC ring client (__xsc_syscall)')
sys.exit(1 if failed else 0)
