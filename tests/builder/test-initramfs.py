#!/usr/bin/env python3
"""mkinitramfs.py writes an archive cpio(1) reads back, with the boot
layout, modes and data intact, and the same bytes for the same inputs."""
import os
import shutil
import subprocess
import sys

mkinitramfs, scratch = sys.argv[1:3]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
init = os.path.join(scratch, 'init-src')
with open(init, 'wb') as f:
    f.write(b'#!/bin/sh\necho odd-length payload\n\x00\x01')
os.chmod(init, 0o755)
extra = os.path.join(scratch, 'extra-src')
with open(extra, 'w') as f:
    f.write('x')

archives = []
for n in (1, 2):
    out = os.path.join(scratch, f'a{n}.cpio')
    subprocess.run([sys.executable, mkinitramfs, out, init, f'etc/sub/file={extra}'], check=True)
    with open(out, 'rb') as f:
        archives.append(f.read())
assert archives[0] == archives[1], 'two runs gave different archives'
assert len(archives[0]) % 512 == 0

listing = subprocess.run(['cpio', '-itv'], input=archives[0], capture_output=True, check=True).stdout.decode()
names = [line.split()[-1] for line in listing.splitlines()]
assert names == ['dev', 'proc', 'sys', 'tmp', 'etc', 'etc/sub', 'dev/console', 'init',
                 'etc/sub/file'], names
modes = {line.split()[-1]: line.split()[0] for line in listing.splitlines()}
assert modes['dev/console'].startswith('crw-------'), modes
assert modes['init'] == '-rwxr-xr-x', modes
assert modes['etc/sub/file'] == '-rw-r--r--', modes
assert modes['etc/sub'].startswith('d'), modes

out_dir = os.path.join(scratch, 'x')
os.makedirs(out_dir)
subprocess.run(['cpio', '-id', '--no-absolute-filenames', 'init', 'etc/sub/file'], input=archives[0],
               cwd=out_dir, capture_output=True, check=True)
with open(init, 'rb') as a, open(os.path.join(out_dir, 'init'), 'rb') as b:
    assert a.read() == b.read(), 'init content changed'
shutil.rmtree(scratch)
print('initramfs: layout, modes, content and reproducibility ok')
