#!/usr/bin/env python3
"""Build GCC's target runtime objects for one cell from GCC's own source.

  build-libgcc.py --tarball T --target TRIPLET --cc CC [--cflag F ...]
                  --work DIR --out DIR [--jobs N] --stamp S

The start-up objects GCC adds to every link (crtbegin.o, crtbeginS.o,
crtbeginT.o, crtend.o, crtendS.o, crtfastmath.o) and the static runtime
libraries (libgcc.a, libgcc_eh.a), compiled by Debian's cross compiler for
TRIPLET with the cell's flags (CFLAGS='-O2 -g0' + --cflag), from the GCC
12.2.0 source in Debian's gcc-12-source (Debian's patches to GCC do not
touch libgcc's crtstuff.c or its aarch64 files; built without extra flags,
these objects are byte-identical to the ones Debian ships). Used where
Debian's objects lack what the variant promises: Debian builds its arm64
runtime without branch protection, so its objects carry no BTI / PAC note
and one of them in a link clears the note of the whole output.

No compiler is built: GCC's gcc/ directory is configured for the target
(as Debian configures its cross compiler, as far as libgcc sees it) only to
generate the headers libgcc includes (tconfig.h, tm.h, options.h,
insn-modes.h, insn-constants.h: the last two by two small generator
programs linked with a build-machine libiberty) and libgcc.mvars; libgcc
is then configured as a target library with Debian's compiler as CC.

The result goes to OUT (the objects only, installed when they changed);
the work tree stays for the next run, which does what make finds to do.
Every input is checked first; a problem is one line naming it, exit 1.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import buildstep  # noqa: E402  (libc/buildstep.py)

GCC_TOP = 'gcc-12.2.0'
# what of the tarball the build reads (the rest, front ends and test
# suites, is most of its size)
NEEDED = ['gcc', 'libgcc', 'libiberty', 'include', 'libcpp/include', 'config', 'config.guess',
          'config.sub', 'install-sh', 'move-if-change', 'mkinstalldirs', 'config-ml.in',
          'config.rpath', 'ltmain.sh', 'missing', 'depcomp', 'compile']
SKIPPED = ['gcc/testsuite', 'gcc/ada', 'gcc/go', 'gcc/d', 'gcc/fortran', 'gcc/m2', 'gcc/po',
           'gcc/cp', 'gcc/rust', 'gcc/jit', 'gcc/objc', 'gcc/objcp', 'gcc/lto']
OBJECTS = ['crtbegin.o', 'crtbeginS.o', 'crtbeginT.o', 'crtend.o', 'crtendS.o', 'crtfastmath.o',
           'libgcc.a', 'libgcc_eh.a']
# gcc/configure as Debian configures its cross compilers, as far as the
# headers libgcc includes and libgcc.mvars depend on it
GCC_CONFIGURE = ['--prefix=/usr', '--enable-languages=c', '--disable-multilib', '--enable-shared',
                 '--enable-threads=posix', '--with-sysroot=/', '--enable-default-pie',
                 '--enable-multiarch', '--enable-gnu-unique-object', '--enable-linker-build-id',
                 '--enable-checking=release', '--disable-plugin', '--with-system-zlib']
GCC_CONFIGURE_ARCH = {'aarch64': ['--enable-fix-cortex-a53-843419']}
BUILD = 'x86_64-linux-gnu'      # the build machine (Debian amd64)


def fail(msg):
    sys.exit('build-libgcc: ' + msg)


def run(cmd, log, **kw):
    buildstep.run(cmd, log, 'build-libgcc', **kw)


def configure_once(configure, builddir, log, **kw):
    """Run configure in builddir unless it last ran with the same command."""
    key = os.path.join(builddir, 'xsc-configure.json')
    try:
        with open(key) as f:
            same = json.load(f) == configure
    except (FileNotFoundError, ValueError):
        same = False
    if same and os.path.exists(os.path.join(builddir, 'Makefile')):
        return
    shutil.rmtree(builddir, ignore_errors=True)
    os.makedirs(builddir)
    run(configure, log, cwd=builddir, **kw)
    with open(key, 'w') as f:
        json.dump(configure, f)


def unpack(tarball, src, log):
    """The needed part of the tarball into src, once per tarball."""
    top = os.path.join(src, GCC_TOP)
    mark = os.path.join(src, 'xsc-tarball')
    want = f'{os.path.realpath(tarball)} {os.path.getsize(tarball)}'
    if os.path.exists(mark) and open(mark).read() == want:
        return top
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    skipped = tuple(f'{GCC_TOP}/{p}/' for p in SKIPPED)
    needed = tuple(f'{GCC_TOP}/{p}' for p in NEEDED)
    n = 0
    with tarfile.open(tarball, 'r|*') as t:      # one pass over the stream
        for m in t:
            if m.name.startswith(needed) and not (m.name + '/').startswith(skipped):
                t.extract(m, src)
                n += 1
    if not n:
        fail(f'{tarball} holds no {GCC_TOP}/ tree (not the gcc-12-source tarball?)')
    if not os.path.exists(os.path.join(top, 'libgcc', 'crtstuff.c')):
        fail(f'{tarball}: no {GCC_TOP}/libgcc/crtstuff.c after unpacking')
    with open(log, 'a') as f:
        f.write(f'unpacked {n} entries of {tarball}\n')
    with open(mark, 'w') as f:
        f.write(want)
    return top


def gcc_headers(top, obj, target, tools, make, log):
    """GCC's gcc/ directory configured for target only for what libgcc
    includes: a build-machine libiberty for the two generator programs,
    then tconfig.h, tm.h, options.h, insn-modes.h, insn-constants.h and
    libgcc.mvars (whose rule would build the compiler driver first: -o
    skips that, the recipe only writes make variables)."""
    build = BUILD
    env = dict(os.environ, CFLAGS='-O1', CXXFLAGS='-O1')
    lib = os.path.join(obj, f'build-{build}', 'libiberty')
    configure_once([os.path.join(top, 'libiberty', 'configure'), f'--build={build}',
                    f'--host={build}', f'--target={target}'], lib, log, env=env)
    run(make + ['libiberty.a'], log, cwd=lib, env=env)
    gcc = os.path.join(obj, 'gcc')
    arch = target.split('-')[0]
    configure_once([os.path.join(top, 'gcc', 'configure'), f'--build={build}', f'--host={build}',
                    f'--target={target}', f'--includedir=/usr/{target}/include',
                    f'--with-as={tools["as"]}', f'--with-ld={tools["ld"]}']
                   + GCC_CONFIGURE + GCC_CONFIGURE_ARCH.get(arch, []), gcc, log, env=env)
    run(make + ['tconfig.h', 'tm.h', 'options.h', 'insn-modes.h', 'insn-constants.h'], log,
        cwd=gcc, env=env)
    run(make + ['-o', 'specs', '-o', 'xgcc', 'libgcc.mvars'], log, cwd=gcc, env=env)


def write_stamp(path, info):
    with open(path + '.tmp', 'w') as f:
        json.dump(info, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(path + '.tmp', path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tarball', required=True)
    ap.add_argument('--target', required=True, help="Debian's triplet of the ABI")
    ap.add_argument('--cc', required=True, help="Debian's cross compiler for it")
    ap.add_argument('--cflag', action='append', default=[])
    ap.add_argument('--work', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--jobs', type=int, default=os.cpu_count())
    ap.add_argument('--stamp', required=True)
    a = ap.parse_args()

    if not os.path.isfile(a.tarball):
        fail(f'{a.tarball} does not exist (Debian package gcc-12-source: ci/install-deps.sh)')
    cc = shutil.which(a.cc)
    if not cc:
        fail(f'{a.cc} not found (Debian cross compiler for {a.target})')
    version = subprocess.run([cc, '-dumpfullversion'], capture_output=True, text=True).stdout.strip()
    if version.split('.')[0] != GCC_TOP.split('-')[1].split('.')[0]:
        fail(f'{a.cc} is GCC {version}; the runtime source is {GCC_TOP}: their versions must match')
    tools = {}
    for t in ('ar', 'ranlib', 'nm', 'as', 'ld', 'readelf'):
        tools[t] = shutil.which(f'{a.target}-{t}')
        if not tools[t]:
            fail(f'{a.target}-{t} not found (Debian binutils for {a.target})')

    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, 'build.log')
    open(log, 'w').close()
    t0 = time.time()
    top = unpack(a.tarball, os.path.join(work, 'src'), log)
    t_unpack = time.time() - t0
    obj = os.path.join(work, 'obj')
    make = ['make', f'-j{a.jobs}']
    gcc_headers(top, obj, a.target, tools, make, log)

    # libgcc as a target library, compiled by Debian's compiler with the
    # cell's flags
    libgcc = os.path.join(obj, a.target, 'libgcc')
    cflags = ' '.join(['-O2', '-g0'] + a.cflag)
    tenv = dict(os.environ, CC=cc, CFLAGS=cflags, AR=tools['ar'], RANLIB=tools['ranlib'],
                NM=tools['nm'], AS=tools['as'], LD=tools['ld'])
    configure_once([os.path.join(top, 'libgcc', 'configure'), f'--build={BUILD}',
                    f'--host={a.target}', f'--target={a.target}', f'--with-target-subdir={a.target}',
                    '--prefix=/usr', '--enable-shared', f'CFLAGS={cflags}'],
                   libgcc, log, env=tenv)
    t1 = time.time()
    run(make + OBJECTS, log, cwd=libgcc, env=tenv)
    t_make = time.time() - t1

    os.makedirs(a.out, exist_ok=True)
    changed = [o for o in OBJECTS
               if buildstep.install_if_changed(os.path.join(libgcc, o), os.path.join(a.out, o))]
    info = {'target': a.target, 'cc': cc, 'gcc_version': version, 'cflags': cflags,
            'tarball': os.path.realpath(a.tarball), 'out': os.path.abspath(a.out),
            'objects': OBJECTS, 'changed': changed,
            'seconds': {'unpack': round(t_unpack, 1), 'make': round(t_make, 1),
                        'total': round(time.time() - t0, 1)}}
    write_stamp(a.stamp, info)
    print(f'build-libgcc: {a.target} ({cflags}): {len(OBJECTS)} objects in {a.out}, '
          f'{len(changed)} changed, {info["seconds"]["total"]} s')


if __name__ == '__main__':
    main()
