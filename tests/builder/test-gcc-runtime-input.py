#!/usr/bin/env python3
"""Bad input to the builds from GCC's source (libc/libgcc/build-libgcc.py,
build-cxx-runtime.py) gets one clear line and loses nothing.

usage: test-gcc-runtime-input.py LIBGCC_SCRIPT CXX_SCRIPT CC CXX TARGET SCRATCH

CC and CXX are Debian's cross compilers for TARGET (GCC 12). For each script, each
case must exit 1 with one line on stderr, prefixed with the script's name
and naming the bad input; the --out directory given (holding a file from
an "earlier run") must be left as it was and no stamp written:
  - a missing tarball (names it and Debian's gcc-12-source);
  - a compiler that is not there; one of another GCC version;
  - a target without Debian binutils;
  - a tarball that is not GCC 12.2.0's; one without a file the build
    needs (libgcc/crtstuff.c, the configure scripts it runs; for the C++
    runtime also libstdc++-v3/configure);
  - (C++ runtime) a sysroot that is not a built XSC sysroot, and a
    --libgcc directory without build-libgcc.py's objects.
Shown failing: with the version check taken out of gcc_source.check_inputs,
the 'another GCC' case runs on into the build and fails there (for
build-libgcc with a Python traceback, before the configure scripts were
among the files checked after unpacking).
TAP.
"""
import io
import os
import shutil
import subprocess
import sys
import tarfile

from tap import check, done

libgcc_script, cxx_script, cc, cxx, target, scratch = sys.argv[1:7]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)


def tarball(name, members):
    path = os.path.join(scratch, name)
    with tarfile.open(path, 'w:xz') as t:
        for m in members:
            data = b'x\n'
            ti = tarfile.TarInfo(m)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return path


old_gcc = os.path.join(scratch, 'gcc-11')
with open(old_gcc, 'w') as f:
    f.write('#!/bin/sh\necho 11.3.0\n')
os.chmod(old_gcc, 0o755)
# GCC 12.2.0's files the scripts look for before they run configure
good_ish = tarball('gcc-12-source.tar.xz', ['gcc-12.2.0/' + p for p in (
    'gcc/BASE-VER', 'gcc/configure', 'libgcc/crtstuff.c', 'libgcc/configure', 'libiberty/configure')])
other = tarball('gcc-11.tar.xz', ['gcc-11.3.0/gcc/BASE-VER', 'gcc-11.3.0/libgcc/crtstuff.c'])
no_crtstuff = tarball('gcc-12-partial.tar.xz', ['gcc-12.2.0/gcc/BASE-VER'])
no_configure = tarball('gcc-12-sources-only.tar.xz', ['gcc-12.2.0/gcc/BASE-VER', 'gcc-12.2.0/libgcc/crtstuff.c'])
# a sysroot with what build-cxx-runtime.py looks for (names only)
sysroot = os.path.join(scratch, 'sysroot')
os.makedirs(os.path.join(sysroot, 'usr', 'lib', target))
for f in ('crti.o', 'crtn.o', 'libc.so', 'libm.so'):
    open(os.path.join(sysroot, 'usr', 'lib', target, f), 'w').close()
empty = os.path.join(scratch, 'empty')
os.makedirs(empty)

# (what, arguments over the defaults, words the message must hold)
common = [
    ('missing tarball', {'--tarball': os.path.join(scratch, 'no-such.tar.xz')},
     ['no-such.tar.xz does not exist', 'gcc-12-source']),
    ('compiler not there', {'--cc': 'no-such-gcc'}, ['--cc no-such-gcc not found', target]),
    ('compiler of another GCC', {'--cc': old_gcc}, ['is GCC 11.3.0', 'gcc-12.2.0']),
    ('target without binutils', {'--target': 'sh4-xsc-linux-gnu'},
     ['sh4-xsc-linux-gnu-ar not found', 'binutils']),
    ('tarball of another GCC', {'--tarball': other}, ['holds no gcc-12.2.0/ tree']),
    ('tarball without crtstuff.c', {'--tarball': no_crtstuff},
     ['no gcc-12.2.0/libgcc/crtstuff.c after unpacking']),
    ('tarball without configure scripts', {'--tarball': no_configure},
     ['no gcc-12.2.0/libiberty/configure after unpacking']),
]
cases = [(libgcc_script, 'build-libgcc', common),
         (cxx_script, 'build-cxx-runtime', common + [
             ('tarball without libstdc++-v3', {'--tarball': good_ish},
              ['no gcc-12.2.0/libstdc++-v3/configure after unpacking']),
             ('C++ compiler not there', {'--cxx': 'no-such-g++'}, ['--cxx no-such-g++ not found']),
             ('not a built sysroot', {'--sysroot': empty}, ['not a built XSC sysroot', 'crti.o']),
             ('--libgcc without objects', {'--libgcc': empty}, ['no crtbeginS.o', 'build-libgcc.py']),
         ])]
print(f'1..{sum(len(c[2]) for c in cases)}')
for script, name, script_cases in cases:
    for i, (what, over, words) in enumerate(script_cases):
        case = os.path.join(scratch, f'{name}-{i}')
        out = os.path.join(case, 'out')
        os.makedirs(out)
        with open(os.path.join(out, 'earlier.o'), 'w') as f:
            f.write('from an earlier run\n')
        args = {'--tarball': good_ish, '--target': target, '--cc': cc,
                '--work': os.path.join(case, 'work'), '--out': out,
                '--stamp': os.path.join(case, 'stamp.json')}
        if name == 'build-cxx-runtime':
            args.update({'--cxx': cxx, '--sysroot': sysroot})
        args.update(over)
        argv = [a for kv in args.items() for a in kv]
        r = subprocess.run([sys.executable, script] + argv, capture_output=True, text=True,
                           timeout=120)
        lines = r.stderr.strip().splitlines()
        kept = (os.listdir(out) == ['earlier.o']
                and open(os.path.join(out, 'earlier.o')).read() == 'from an earlier run\n'
                and not os.path.exists(args['--stamp']))
        ok = (r.returncode == 1 and len(lines) == 1 and lines[0].startswith(name + ': ')
              and all(w in lines[0] for w in words) and kept)
        check(ok, f'{name}: {what}: {lines[-1] if lines else "(no message)"}'
              + ('' if kept else ' [output dir or stamp touched]')
              + ('' if r.returncode == 1 else f' [exit {r.returncode}]'))
done()
