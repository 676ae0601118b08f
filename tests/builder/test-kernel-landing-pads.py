#!/usr/bin/env python3
"""A hardened kernel shows its instrumentation; a base kernel does not.

usage: test-kernel-landing-pads.py ELFCHECK VMLINUX pads|none

Runs xsc-elfcheck's kernel mode on the built vmlinux: the share of its
.text functions that start with a landing pad (endbr64 on x86_64;
paciasp / bti c on arm64). 'pads' (a profile that promises the
instrumentation: X86_KERNEL_IBT, ARM64_PTR_AUTH_KERNEL) needs the tool's
verdict pass; 'none' (the negative control) needs it to fail with almost
no function instrumented (under 5 %: arm64's hand-written assembly has a
few pads of its own). TAP.
"""
import json
import subprocess
import sys

elfcheck, vmlinux, expect = sys.argv[1:4]
r = subprocess.run([elfcheck, '--kernel', vmlinux, '--json', '-'], capture_output=True, text=True)
print('1..1')
try:
    k = json.loads(r.stdout)['kernels'][0]
except (ValueError, KeyError, IndexError):
    print(f'not ok 1 - xsc-elfcheck --kernel {vmlinux}: no report (exit {r.returncode}): {r.stderr.strip()[:300]}')
    sys.exit(1)
share = f"{k['with_pad']} of {k['functions']} functions ({100 * k['fraction']:.1f} %)"
if expect == 'pads':
    ok = r.returncode == 0 and k['result'] == 'pass'
    what = f'{vmlinux}: landing pads at function entries: {share}'
else:
    ok = r.returncode == 1 and k['result'] == 'fail' and k['fraction'] < 0.05
    what = f'{vmlinux} (negative control): no instrumentation: {share}'
print(f'{"ok" if ok else "not ok"} 1 - {what}' + ('' if ok else f' (exit {r.returncode}: {k.get("detail")})'))
sys.exit(0 if ok else 1)
