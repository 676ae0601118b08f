#!/usr/bin/env python3
"""An emitted XSC toolchain builds against its sysroot, not Debian's libc,
for its ABI, also after being moved, and from meson and CMake projects.

usage: test-xsc-toolchain.py CC SYSROOT TARBALL ELF_CLASS ELF_MACHINE SCRATCH

For the toolchain in place and for the one unpacked from TARBALL (in
SCRATCH, away from the build tree): a program linked dynamically and one
linked statically, with the linker tracing its inputs; every C library
input (crt1, crti, crtn, libc) must come from the toolchain's sysroot, the
program must be an ELF of ELF_CLASS (1: 32-bit, 2: 64-bit) and ELF_MACHINE,
and the static one must hold the XSC ring client (__xsc_syscall). Debian's
compilers search their own multiarch directories before the sysroot's, so
--sysroot alone fails this (make-toolchain.py adds -B and -L). Then a meson
project with the unpacked toolchain's cross.ini (its one constant set to
the new place) and a CMake project with its toolchain.cmake must build
programs of the same ABI. Headers too must come from the sysroot (or
the compiler's own and libstdc++'s directories): Debian's cross compilers
search their copy of Debian's libc headers (/usr/<triplet>/include) first,
so -nostdinc with a kept list is needed (make-toolchain.py). And
<tuple>-g++ builds a C++ program whose libstdc++.so.6 is in the sysroot.
A hardened toolchain does not let an object without the CET / BTI note
through unnoticed: its link fails (x86, -z cet-report=error) or the
installed validator fails the program (aarch64). TAP.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile

from tap import check, done

cc, sysroot, tarball, elf_class, elf_machine, scratch = sys.argv[1:7]
elf_class, elf_machine = int(elf_class), int(elf_machine)
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
src = os.path.join(scratch, 'hello.c')
with open(src, 'w') as f:
    f.write('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
headers_src = os.path.join(scratch, 'headers.c')
with open(headers_src, 'w') as f:
    f.write('#include <stdio.h>\n#include <pthread.h>\n#include <linux/xsc.h>\n')
cxx_src = os.path.join(scratch, 'hello.cpp')
with open(cxx_src, 'w') as f:
    f.write('#include <cstdio>\n#include <iostream>\n#include <stdexcept>\n#include <thread>\n'
            'int main() { int n = 0; std::thread t([&] { n = 1; }); t.join();\n'
            '  try { throw std::runtime_error("c++"); } catch (const std::exception &e) '
            '{ std::cout << e.what() << n << std::endl; } }\n')


def elf_of(path):
    """(class, machine) of an ELF file, or None."""
    with open(path, 'rb') as f:
        h = f.read(20)
    if h[:4] != b'\x7fELF':
        return None
    return h[4], int.from_bytes(h[18:20], 'little' if h[5] == 1 else 'big')


def toolchain_checks(label, cc, sysroot):
    sysroot = os.path.realpath(sysroot)
    tools = os.path.dirname(cc)
    tuple_ = os.path.basename(cc)[:-len('-gcc')]
    for name, extra in (('dynamic', []), ('static', ['-static-pie'])):
        out = os.path.join(scratch, f'hello-{label}-{name}')
        r = subprocess.run(['sh', cc, '-o', out, src, '-Wl,--trace'] + extra, capture_output=True, text=True)
        inputs = [l.strip() for l in r.stdout.splitlines()
                  if os.path.basename(l.strip()).split('.')[0] in ('crt1', 'Scrt1', 'rcrt1', 'crti', 'crtn', 'libc')]
        outside = [p for p in inputs if not os.path.realpath(p).startswith(sysroot + '/')]
        elf = elf_of(out) if r.returncode == 0 else None
        ok = r.returncode == 0 and inputs and not outside and elf == (elf_class, elf_machine)
        check(ok, f'{label}, {name}: C library inputs from the sysroot, ELF class/machine {elf}'
              + ('' if ok else f' (exit {r.returncode}; outside: {outside or inputs}; {r.stderr.strip()[:300]})'))
    # headers: each one the compiler read is the sysroot's, the compiler's
    # own (.../gcc...) or libstdc++'s (.../c++/...)
    for lang, driver, source in (('C', cc, headers_src), ('C++', cc[:-len('gcc')] + 'g++', cxx_src)):
        r = subprocess.run(['sh', driver, '-M', source], capture_output=True, text=True)
        deps = [os.path.realpath(p) for p in r.stdout.replace('\\\n', ' ').split()[1:]
                if p.startswith('/') and p != source]
        foreign = [p for p in deps if not p.startswith(sysroot + '/') and '/gcc' not in p and '/c++/' not in p]
        stdio = [p for p in deps if p.endswith('/stdio.h')]
        ok = r.returncode == 0 and stdio and not foreign and all(p.startswith(sysroot + '/') for p in stdio)
        check(ok, f'{label}: {lang} headers from the sysroot (stdio.h: {stdio})'
              + ('' if ok else f' (exit {r.returncode}; from elsewhere: {foreign[:4]}; {r.stderr.strip()[:200]})'))
    out = os.path.join(scratch, f'hello-{label}-cxx')
    r = subprocess.run(['sh', cc[:-len('gcc')] + 'g++', '-o', out, cxx_src], capture_output=True, text=True)
    elf = elf_of(out) if r.returncode == 0 else None
    runtime = glob.glob(os.path.join(sysroot, 'usr/lib/*/libstdc++.so.6'))
    ok = elf == (elf_class, elf_machine) and runtime
    check(ok, f'{label}: <tuple>-g++ builds a C++ program (ELF {elf}), libstdc++.so.6 in the sysroot'
          + ('' if ok else f' (exit {r.returncode}; {r.stderr.strip()[:300]})'))
    nm = subprocess.run([os.path.join(tools, tuple_ + '-nm'), os.path.join(scratch, f'hello-{label}-static')],
                        capture_output=True, text=True)
    check(' __xsc_syscall' in nm.stdout, f'{label}: the static program holds the XSC ring client (__xsc_syscall)')
    # the validator installed with the toolchain, on the cell's policy: the
    # hello passes; the same program with an executable stack must fail
    # (a program with a canary and a checked call: a hello has neither, and
    # the validator reads those from the symbols)
    elfcheck = os.path.join(tools, tuple_ + '-elfcheck')
    hard_src = os.path.join(scratch, 'hardened.c')
    with open(hard_src, 'w') as f:
        f.write('#include <stdio.h>\n#include <string.h>\nint main(int argc, char **argv)\n'
                '{\n\tchar buf[64];\n\tsize_t n = strlen(argv[0]) + 1;\n\n'
                '\tmemcpy(buf, argv[0], n);\n\tputs(buf);\n\treturn argc > 5;\n}\n')
    good_out, bad_out = (os.path.join(scratch, f'checked-{label}-{k}') for k in ('good', 'execstack'))
    subprocess.run(['sh', cc, '-o', good_out, hard_src], capture_output=True)
    subprocess.run(['sh', cc, '-o', bad_out, hard_src, '-Wl,-z,execstack'], capture_output=True)
    good = subprocess.run([elfcheck, '-q', good_out], capture_output=True, text=True)
    bad = subprocess.run([elfcheck, '-q', bad_out], capture_output=True, text=True)
    check(good.returncode == 0, f'{label}: {tuple_}-elfcheck passes a program it built (exit {good.returncode}'
          + ('' if good.returncode == 0 else f'; {(good.stdout + good.stderr).strip()[-300:]}') + ')')
    check(bad.returncode != 0 and 'nxstack' in bad.stdout + bad.stderr,
          f'{label}: and fails it linked with -z execstack (exit {bad.returncode})')
    unmarked_object_check(label, cc, elfcheck, hard_src)


def unmarked_object_check(label, cc, elfcheck, hard_src):
    """An object compiled without the variant's branch protection, linked
    by a hardened toolchain: its link fails where the toolchain links with
    -z cet-report=error (x86), else (aarch64: GNU ld has no report flag short
    of forcing the note) the program loses its BTI note and the validator
    fails it. The same source compiled by the toolchain as it is passes
    both (the check above)."""
    with open(os.path.join(os.path.dirname(os.path.dirname(cc)), 'toolchain.json')) as f:
        info = json.load(f)
    if info['elf_policy'] != 'hardened':
        check(True, f'{label}: unmarked object # SKIP policy {info["elf_policy"]} asks for no CET / BTI note')
        return
    off = '-fcf-protection=none' if elf_machine == 62 else '-mbranch-protection=none'
    obj = os.path.join(scratch, f'unmarked-{label}.o')
    out = os.path.join(scratch, f'unmarked-{label}')
    r = subprocess.run(['sh', cc, '-c', off, '-o', obj, hard_src], capture_output=True, text=True)
    if r.returncode != 0:
        check(False, f'{label}: compiling with {off} failed: {r.stderr.strip()[-300:]}')
        return
    link = subprocess.run(['sh', cc, '-o', out, obj], capture_output=True, text=True)
    if '-Wl,-z,cet-report=error' in info['ldflags']:
        ok = link.returncode != 0 and os.path.basename(obj) in link.stderr and 'IBT' in link.stderr
        check(ok, f'{label}: the link of an object built with {off} fails (-z cet-report=error), naming it'
              + ('' if ok else f' (exit {link.returncode}; {link.stderr.strip()[-300:]})'))
        return
    v = subprocess.run([elfcheck, '-q', out], capture_output=True, text=True) if link.returncode == 0 else None
    ok = v is not None and v.returncode == 1 and 'property' in v.stdout
    check(ok, f'{label}: a program linked with an object built with {off} fails {os.path.basename(elfcheck)} '
          f'(property note)' + ('' if ok else f' (link exit {link.returncode}; {link.stderr.strip()[-200:]}'
                                + (f'; elfcheck exit {v.returncode}: {v.stdout.strip()[-200:]}' if v else '') + ')'))


print('1..20')
toolchain_checks('in place', cc, sysroot)

# moved: the tarball unpacked elsewhere
with tarfile.open(tarball) as t:
    t.extractall(scratch)
moved = os.path.join(scratch, os.path.basename(tarball)[:-len('.tar.gz')])
moved_cc = os.path.join(moved, 'bin', os.path.basename(cc))
toolchain_checks('moved', moved_cc, os.path.join(moved, 'sysroot'))

# a meson project with the moved toolchain's cross file
proj = os.path.join(scratch, 'proj')
os.makedirs(proj)
shutil.copy(src, proj)
shutil.copy(cxx_src, proj)
with open(os.path.join(proj, 'meson.build'), 'w') as f:
    f.write("project('hello', 'c', 'cpp')\nexecutable('hello', 'hello.c')\n"
            "executable('hellocxx', 'hello.cpp', dependencies: dependency('threads'))\n")
with open(os.path.join(proj, 'CMakeLists.txt'), 'w') as f:
    f.write('cmake_minimum_required(VERSION 3.13)\nproject(hello C CXX)\nadd_executable(hello hello.c)\n'
            'add_executable(hellocxx hello.cpp)\n')
cross = os.path.join(moved, 'cross.ini')
with open(cross) as f:
    text = f.read()
lines = [f"toolchain = '{moved}'" if l.startswith('toolchain = ') else l for l in text.splitlines()]
with open(cross, 'w') as f:
    f.write('\n'.join(lines) + '\n')
def project_build(label, commands, out):
    """Run the commands in order; the program they build must be of the ABI."""
    for cmd in commands:
        # cwd: meson 1.0.1's setup runs `ninja -t restat` and `-t cleandead`
        # in its working directory (meson test's is the matrix build's)
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.dirname(scratch))
        if r.returncode != 0:
            check(False, f'{label}: {" ".join(cmd[:2])} failed: ' + (r.stdout + r.stderr).strip()[-300:])
            return
    elfs = [elf_of(o) if os.path.exists(o) else None for o in (out, out + 'cxx')]
    check(all(e == (elf_class, elf_machine) for e in elfs), f'{label}: C and C++ programs, ELF {elfs}')


mb, cb = os.path.join(scratch, 'meson-build'), os.path.join(scratch, 'cmake-build')
project_build('meson cross build with the moved cross.ini',
              [['meson', 'setup', '--cross-file', cross, mb, proj], ['ninja', '-C', mb]],
              os.path.join(mb, 'hello'))
project_build('CMake build with the moved toolchain.cmake',
              [['cmake', '-S', proj, '-B', cb, '-DCMAKE_TOOLCHAIN_FILE=' + os.path.join(moved, 'toolchain.cmake')],
               ['cmake', '--build', cb]],
              os.path.join(cb, 'hello'))
done()
