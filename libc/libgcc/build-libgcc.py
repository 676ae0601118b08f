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
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import buildstep  # noqa: E402  (libc/buildstep.py)
import gcc_source  # noqa: E402  (beside this script)

NAME = 'build-libgcc'
OBJECTS = ['crtbegin.o', 'crtbeginS.o', 'crtbeginT.o', 'crtend.o', 'crtendS.o', 'crtfastmath.o',
           'libgcc.a', 'libgcc_eh.a']


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

    found, version, tools = gcc_source.check_inputs(
        NAME, a.tarball, a.target, {'--cc': a.cc}, ('ar', 'ranlib', 'nm', 'as', 'ld', 'readelf'))
    cc = found['--cc']

    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, 'build.log')
    open(log, 'w').close()
    t0 = time.time()
    top = gcc_source.unpack(NAME, a.tarball, os.path.join(work, 'src'), log, gcc_source.NEEDED,
                           gcc_source.CHECKED)
    t_unpack = time.time() - t0
    obj = os.path.join(work, 'obj')
    make = ['make', f'-j{a.jobs}']
    gcc_source.gcc_headers(NAME, top, obj, a.target, tools, make, log)

    # libgcc as a target library, compiled by Debian's compiler with the
    # cell's flags
    libgcc = os.path.join(obj, a.target, 'libgcc')
    cflags = ' '.join(['-O2', '-g0'] + a.cflag)
    tenv = dict(os.environ, CC=cc, CFLAGS=cflags, AR=tools['ar'], RANLIB=tools['ranlib'],
                NM=tools['nm'], AS=tools['as'], LD=tools['ld'])
    gcc_source.configure_once(NAME, [os.path.join(top, 'libgcc', 'configure'),
                                     f'--build={gcc_source.BUILD}', f'--host={a.target}',
                                     f'--target={a.target}', f'--with-target-subdir={a.target}',
                                     '--prefix=/usr', '--enable-shared', f'CFLAGS={cflags}'],
                              libgcc, log, env=tenv)
    t1 = time.time()
    buildstep.run(make + OBJECTS, log, NAME, cwd=libgcc, env=tenv)
    t_make = time.time() - t1

    os.makedirs(a.out, exist_ok=True)
    changed = [o for o in OBJECTS
               if buildstep.install_if_changed(os.path.join(libgcc, o), os.path.join(a.out, o))]
    info = {'target': a.target, 'cc': cc, 'gcc_version': version, 'cflags': cflags,
            'tarball': os.path.realpath(a.tarball), 'out': os.path.abspath(a.out),
            'objects': OBJECTS, 'changed': changed,
            'seconds': {'unpack': round(t_unpack, 1), 'make': round(t_make, 1),
                        'total': round(time.time() - t0, 1)}}
    buildstep.write_json(a.stamp, info)
    print(f'build-libgcc: {a.target} ({cflags}): {len(OBJECTS)} objects in {a.out}, '
          f'{len(changed)} changed, {info["seconds"]["total"]} s')


if __name__ == '__main__':
    main()
