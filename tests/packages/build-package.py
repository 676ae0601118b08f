#!/usr/bin/env python3
"""Cross-build a Debian source package, unchanged, and its tests.

  build-package.py --package P --version V --system autotools|meson
                   --cc WRAPPER --tuple T --binutils DEBIAN_TRIPLET
                   --cpu-family F --label L --out DIR [--ldflag F ...]
                   [--configure-arg A ...] [--meson-option O ...]
                   [--tests-from make:SUBDIR | --tests-from meson]
                   --elf-class C --elf-machine M --stamp S

The source comes from the Debian archive (`apt-get source P=V`, which
needs the deb-src line ci/install-deps.sh adds; apt checks the archive's
signatures and hashes) into OUT/../src-cache, and is unpacked afresh
(`dpkg-source -x`) into OUT/src. OUT/tools/ holds T-gcc (WRAPPER: an
emitted XSC toolchain's, or the builder's on Debian's libc for the
comparison build) and Debian's binutils for the ABI under T's names, and
OUT/cross.ini for meson. autotools packages are set up the way Debian's
own build does (autoreconf, since the tarballs ship no configure),
configured with --host=T and OUT/tools first on PATH, and built, with
their check programs; meson packages with OUT/cross.ini. Every program kept must be an ELF of the ABI
(class C, e_machine M): a --host that silently fell back to the build
machine's compiler fails here.

OUT/payload gets what the guest needs: the test programs and their data
under tests/, and tests.list: one line per test of the package's own suite,
  name<TAB>expected-stdout-file or -<TAB>program<TAB>arg...
with paths relative to OUT/payload, run by tests/packages/runner.c in the
guest.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time


def fail(msg):
    sys.exit('build-package: ' + msg)


def run(cmd, log, **kw):
    with open(log, 'a') as f:
        f.write('$ ' + ' '.join(cmd) + '\n')
        f.flush()
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw)
    if r.returncode:
        with open(log) as f:
            sys.stderr.write(''.join(f.readlines()[-20:]))
        fail(f'{" ".join(cmd[:3])} ... failed (exit {r.returncode}); log: {log}')


def elf_of(path):
    with open(path, 'rb') as f:
        h = f.read(20)
    if h[:4] != b'\x7fELF':
        return None
    return h[4], int.from_bytes(h[18:20], 'little' if h[5] == 1 else 'big')


def fetch(a, log):
    cache = os.path.join(os.path.dirname(os.path.abspath(a.out)), 'src-cache')
    os.makedirs(cache, exist_ok=True)
    dsc = os.path.join(cache, f'{a.package}_{re.sub(r"^[0-9]+:", "", a.version)}.dsc')
    if not os.path.exists(dsc):
        r = subprocess.run(['apt-get', 'source', '--download-only', '-q', f'{a.package}={a.version}'],
                           cwd=cache, capture_output=True, text=True)
        if r.returncode or not os.path.exists(dsc):
            fail(f'apt-get source {a.package}={a.version} failed: {r.stderr.strip()[-400:]} '
                 '(ci/install-deps.sh adds the deb-src line apt needs)')
    src = os.path.join(a.out, 'src')
    shutil.rmtree(src, ignore_errors=True)
    run(['dpkg-source', '--no-check', '-x', dsc, src], log)
    return src


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for o in ('package', 'version', 'system', 'cc', 'tuple', 'binutils', 'cpu-family', 'label', 'out',
              'stamp', 'elf-class', 'elf-machine'):
        ap.add_argument('--' + o, required=True)
    ap.add_argument('--ldflag', action='append', default=[])
    ap.add_argument('--configure-arg', action='append', default=[])
    ap.add_argument('--meson-option', action='append', default=[])
    ap.add_argument('--tests-from', required=True)
    ap.add_argument('--subdir', default='', help='the build system\'s directory inside the source')
    a = ap.parse_args()

    t0 = time.monotonic()
    os.makedirs(a.out, exist_ok=True)
    log = os.path.join(a.out, 'build.log')
    open(log, 'w').close()
    src = fetch(a, log)
    top = os.path.join(src, a.subdir)
    build = os.path.join(a.out, 'build')
    shutil.rmtree(build, ignore_errors=True)
    os.makedirs(build)
    bindir = os.path.join(os.path.abspath(a.out), 'tools')
    shutil.rmtree(bindir, ignore_errors=True)
    os.makedirs(bindir)
    cc = os.path.join(bindir, a.tuple + '-gcc')
    with open(cc, 'w') as f:
        f.write('#!/bin/sh\n'
                'case " $* " in\n'
                f'*" -c "*|*" -E "*|*" -S "*|*" -M "*) exec {os.path.abspath(a.cc)} "$@" ;;\n'
                f'*) exec {os.path.abspath(a.cc)} "$@" {" ".join(a.ldflag)} ;;\n'
                'esac\n')
    os.chmod(cc, 0o755)
    for tool in ('ar', 'as', 'ld', 'nm', 'objcopy', 'objdump', 'ranlib', 'readelf', 'strip'):
        real = shutil.which(f'{a.binutils}-{tool}')
        if not real:
            fail(f'{a.binutils}-{tool} not found (Debian binutils for {a.binutils})')
        os.symlink(real, os.path.join(bindir, f'{a.tuple}-{tool}'))
    cross = os.path.join(os.path.abspath(a.out), 'cross.ini')
    with open(cross, 'w') as f:
        f.write('[binaries]\n' + ''.join(
            f"{k} = '{os.path.join(bindir, a.tuple + '-' + t)}'\n"
            for k, t in (('c', 'gcc'), ('ar', 'ar'), ('strip', 'strip'), ('nm', 'nm'), ('ranlib', 'ranlib'))))
        f.write(f"\n[host_machine]\nsystem = 'linux'\ncpu_family = '{a.cpu_family}'\n"
                f"cpu = '{a.cpu_family}'\nendian = 'little'\n")
    env = dict(os.environ, PATH=bindir + ':' + os.environ['PATH'])

    tests = []          # (name, expected stdout or None, program, args)
    if a.system == 'autotools':
        run(['autoreconf', '-fi'], log, cwd=top, env=env)
        # CXX=false: the toolchain has no C++; a C++ test is reported as
        # not built rather than built by the build machine's g++
        run([os.path.join(top, 'configure'), f'--host={a.tuple}', '--build=x86_64-linux-gnu',
             '--prefix=/usr', f'CC={cc}', 'CXX=false'] + a.configure_arg, log, cwd=build, env=env)
        run(['make', f'-j{os.cpu_count()}'], log, cwd=build, env=env)
        kind, sub = a.tests_from.split(':', 1)
        # the suite's own list: TESTS of the tests directory's Makefile
        with open(os.path.join(build, sub, 'Makefile')) as f:
            mk = f.read().replace('\\\n', ' ')
        names = re.search(r'^TESTS\s*=\s*(.*)$', mk, re.M).group(1).replace('$(EXEEXT)', '').split()
        built = []
        for n in names:
            # a program the toolchain cannot build (C++ with no C++ in the
            # toolchain) is reported, not hidden
            r = subprocess.run(['make', n], cwd=os.path.join(build, sub), env=env,
                               capture_output=True, text=True)
            if r.returncode == 0:
                built.append(n)
            else:
                tests.append((n, None, None, []))
        for n in built:
            tests.append((n, None, os.path.join(build, sub, n), []))
    elif a.system == 'meson':
        # cwd: meson 1.0.1's setup runs `ninja -t restat` and `-t cleandead`
        # in its working directory, which would otherwise be this build's
        # own (rewriting its .ninja_log under the running ninja)
        # buildtype plain, as Debian builds meson packages: the toolchain's
        # flags decide (meson's default, debug, adds -O0, under which
        # _FORTIFY_SOURCE does nothing: xsc-elfcheck found the calls unfortified)
        run(['meson', 'setup', '--cross-file', cross, '--buildtype=plain', build, top]
            + [f'-D{o}' for o in a.meson_option], log, cwd=build, env=env)
        run(['ninja', '-C', build], log, env=env)
        r = subprocess.run(['meson', 'introspect', '--tests', build], capture_output=True, text=True)
        for t in json.loads(r.stdout):
            # paths meson gives relative to the build directory
            cmd = [os.path.join(build, c) if not os.path.isabs(c) and os.path.exists(os.path.join(build, c))
                   else c for c in t['cmd']]
            # fribidi's runner script: run the program, compare with the
            # reference (what test-runner.py does, without python in the guest)
            if cmd[0].endswith('test-runner.py') or (len(cmd) > 1 and cmd[1].endswith('test-runner.py')):
                c = cmd[1:] if cmd[0].endswith('test-runner.py') else cmd[2:]
                exe, charset, inp, ref = c
                tests.append((t['name'], ref, exe, ['--test', '--charset', charset, inp]))
            else:
                tests.append((t['name'], None, cmd[0], cmd[1:]))
    else:
        fail(f'unknown build system {a.system}')

    # the programs and their data into OUT/tests, paths relative to OUT
    payload = os.path.join(a.out, 'payload')
    shutil.rmtree(payload, ignore_errors=True)
    os.makedirs(os.path.join(payload, 'tests'))
    copied = {}

    def place(path, program=False):
        if path in copied:
            return copied[path]
        if program:
            elf = elf_of(path)
            if elf != (int(a.elf_class), int(a.elf_machine)):
                fail(f'{path}: ELF {elf}, not the ABI\'s ({a.elf_class}, {a.elf_machine}): '
                     'the cross build fell back to another compiler')
        rel = os.path.join('tests', f'{len(copied)}-' + os.path.basename(path))
        shutil.copy2(path, os.path.join(payload, rel))
        copied[path] = rel
        return rel

    lines = []
    for name, ref, exe, args in tests:
        if exe is None:
            lines.append(f'{name}\t-\t-')          # not built: the runner counts it failed
            continue
        args = [place(x) if os.path.isfile(x) and os.path.isabs(x) else x for x in args]
        lines.append('\t'.join([name, place(ref) if ref else '-', place(exe, program=True)] + args))
    with open(os.path.join(payload, 'tests.list'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    info = {'package': a.package, 'version': a.version, 'label': a.label, 'system': a.system,
            'tests': len(tests), 'not_built': [t[0] for t in tests if t[2] is None],
            'seconds': round(time.monotonic() - t0, 1)}
    with open(a.stamp, 'w') as f:
        json.dump(info, f)
    print(f'build-package: {a.package} {a.version} ({a.label}): {len(tests)} tests, '
          f'{len(info["not_built"])} not built, {info["seconds"]} s')


if __name__ == '__main__':
    main()
