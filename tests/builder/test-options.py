#!/usr/bin/env python3
"""Bad option values fail `meson setup` with a message naming the valid ones."""
import os
import shutil
import subprocess
import sys

source, scratch = sys.argv[1:3]
cases = [
    (['-Darches=mips'], ['unknown value "mips"', 'x86_64', 'x32', 'aarch64']),
    (['-Dvariants=base,fast'], ['unknown value "fast"', 'base', 'hardened']),
    (['-Darches='], ['selects nothing', 'x86_64']),
    (['-Dlinux_source=/nonexistent.tar.xz'], ['does not exist', 'linux-source-6.1']),
]
print(f'1..{len(cases)}')
failed = 0
for n, (opts, expect) in enumerate(cases, 1):
    shutil.rmtree(scratch, ignore_errors=True)
    # cwd: meson 1.0.1's setup runs `ninja -t restat` and `-t cleandead` in
    # its working directory, which meson test makes the matrix build's own
    r = subprocess.run(['meson', 'setup', scratch, source] + opts, capture_output=True, text=True,
                       cwd=os.path.dirname(scratch))
    out = r.stdout + r.stderr
    missing = [e for e in expect if e not in out]
    ok = r.returncode != 0 and not missing
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} - meson setup {' '.join(opts)} fails naming {expect}")
    if not ok:
        print('# exit %d, not found: %s' % (r.returncode, missing))
        print('# ' + out.strip()[-2000:].replace('\n', '\n# '))
shutil.rmtree(scratch, ignore_errors=True)
sys.exit(1 if failed else 0)
