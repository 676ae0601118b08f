#!/usr/bin/env python3
"""Build GCC's shared runtime (libgcc_s.so.1, libstdc++.so.6) for one cell.

  build-cxx-runtime.py --tarball T --target TRIPLET --cc CC --cxx CXX
                       --sysroot DIR [--libgcc DIR] [--cflag F ...]
                       [--ldflag F ...] --work DIR --out DIR [--jobs N]
                       --stamp S

Debian's libgcc_s.so.1 and libstdc++.so.6 are built without the hardened
cells' flags: lazy binding, no stack protector, unfortified, and without
the x86 IBT/SHSTK or arm64 BTI/PAC property note (the linker keeps a
property only when every input object carries it). These two are compiled
here from the GCC 12.2.0 source in Debian's gcc-12-source (the version of
Debian's g++-12, whose headers programs are compiled with) by Debian's
cross compiler with CFLAGS/CXXFLAGS='-O2 -g0' + --cflag less -fPIE (their
objects are compiled -fPIC), and linked with --ldflag (-z now, -z relro,
...) against the cell's own sysroot: its glibc headers (-nostdinc and
the compiler's own header list with Debian's /usr/<triplet>/include left
out, as libc/make-toolchain.py does), its crt1/crti/crtn and libc, and
GCC's start files from --libgcc (build-libgcc.py's output) or, without it,
from the libgcc built here with the same flags. On x86 Debian's own
crtbeginS.o/crtendS.o carry IBT/SHSTK; on arm64 they carry no BTI/PAC.

libgcc is built as build-libgcc.py builds it (gcc/ configured only for the
headers libgcc includes, then libgcc as a target library), here with the
sysroot in CC so that its libgcc_s.so.1 links the sysroot's libc, and
with the cell's -fstack-protector* flags put after the -fno-stack-protector
libgcc's Makefile adds after CFLAGS (for libgcc.a's routines, which run
where no canary is set up: static start-up, ld.so; libgcc_s.so.1 is loaded
after ld.so set the canary and links libc, which has __stack_chk_fail).
libstdc++-v3 is configured standalone (as Linux From Scratch builds it
with an existing cross compiler) with the ABI-relevant options Debian's
g++-12 was configured with (--enable-threads=posix, --enable-clocale=gnu,
--enable-libstdcxx-time=yes, --with-default-libstdcxx-abi=new; libstdc++'s
own default --enable-cet=auto adds -fcf-protection on x86 as in Debian),
linked against the libgcc_s built here. Only the shared libraries are
built: no static archives, PCH, debug library, documentation or Python.
Their exported symbols and versions are Debian's (readelf --dyn-syms: the
same set on x86_64, x32 and arm64); libstdc++'s c++config.h differs from
Debian's only in _GLIBCXX_HAVE_SYS_SDT_H on x86_64 (systemtap's sys/sdt.h,
which the sysroot lacks: no SystemTap probes at throw and catch).

OUT gets libgcc_s.so.1 and libstdc++.so.6 (regular files, installed when
their bytes changed); the work tree stays for the next run, which does what
make finds to do. Every input is checked first; a problem is one line
naming it, exit 1.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..'))
import buildstep  # noqa: E402  (libc/buildstep.py)
import gcc_source  # noqa: E402  (beside this script)
# make-toolchain.py's include_dirs(): the compiler's header list
make_toolchain = __import__('make-toolchain')

NAME = 'build-cxx-runtime'
# what of the tarball this build reads besides libgcc's part
NEEDED = gcc_source.NEEDED + ['libstdc++-v3', 'libtool-ldflags', 'ltgcc.m4', 'libtool.m4',
                              'ltoptions.m4', 'ltsugar.m4', 'ltversion.m4', 'lt~obsolete.m4',
                              'test-driver']
# libstdc++ as Debian's g++-12 was configured, as far as libstdc++.so.6
# depends on it (g++-12 -v); the --disable-* of the second half only
# leave out other files than the shared library
LIBSTDCXX_CONFIGURE = ['--prefix=/usr', '--disable-multilib', '--enable-shared', '--disable-static',
                       '--enable-threads=posix', '--enable-clocale=gnu',
                       '--enable-libstdcxx-time=yes', '--with-default-libstdcxx-abi=new',
                       '--disable-vtable-verify', '--disable-libstdcxx-pch',
                       '--disable-libstdcxx-debug', '--disable-libstdcxx-backtrace']
LIBSTDCXX_SO = 'libstdc++.so.6.0.30'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tarball', required=True)
    ap.add_argument('--target', required=True, help="Debian's triplet of the ABI")
    ap.add_argument('--cc', required=True, help="Debian's cross compiler for it")
    ap.add_argument('--cxx', required=True, help="Debian's C++ cross compiler for it")
    ap.add_argument('--sysroot', required=True, help="the cell's XSC sysroot")
    ap.add_argument('--libgcc', help="build-libgcc.py's output for the cell (start files)")
    ap.add_argument('--cflag', action='append', default=[])
    ap.add_argument('--ldflag', action='append', default=[])
    ap.add_argument('--work', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--jobs', type=int, default=os.cpu_count())
    ap.add_argument('--stamp', required=True)
    a = ap.parse_args()

    drivers, _, tools = gcc_source.check_inputs(
        NAME, a.tarball, a.target, {'--cc': a.cc, '--cxx': a.cxx},
        ('ar', 'ranlib', 'nm', 'as', 'ld', 'readelf', 'objdump', 'strip'))
    cc, cxx = drivers['--cc'], drivers['--cxx']
    sysroot = os.path.realpath(a.sysroot)
    libdir = os.path.join(sysroot, 'usr', 'lib', a.target)
    for f in ('crti.o', 'crtn.o', 'libc.so', 'libm.so'):
        if not os.path.exists(os.path.join(libdir, f)):
            gcc_source.fail(NAME, f'{a.sysroot}: no usr/lib/{a.target}/{f} '
                            f'(not a built XSC sysroot for {a.target}?)')
    if a.libgcc:
        for f in ('crtbeginS.o', 'crtendS.o', 'libgcc.a'):
            if not os.path.isfile(os.path.join(a.libgcc, f)):
                gcc_source.fail(NAME, f'--libgcc {a.libgcc}: no {f} (build-libgcc.py output?)')

    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, 'build.log')
    open(log, 'w').close()
    t0 = time.time()
    top = gcc_source.unpack(NAME, a.tarball, os.path.join(work, 'src'), log, NEEDED,
                            gcc_source.CHECKED + ['libstdc++-v3/configure'])
    t_unpack = time.time() - t0
    obj = os.path.join(work, 'obj')
    make = ['make', f'-j{a.jobs}']
    build = gcc_source.BUILD
    libgcc = os.path.join(obj, a.target, 'libgcc')

    # the compilers on the sysroot: its headers (the compiler's C header
    # list there, without Debian's /usr/<triplet>/include and without
    # Debian's libstdc++ headers: libstdc++ is compiled with its own), its
    # start files (-B) and libraries (-L); GCC's start files and libgcc
    # first
    keep, _ = make_toolchain.include_dirs(cc, sysroot, 'c')
    includes = [d.replace('$root', sysroot, 1) for d in keep if '/c++/' not in d]
    runtime = os.path.abspath(a.libgcc) if a.libgcc else libgcc
    sysflags = ([f'-B{runtime}/', f'--sysroot={sysroot}', f'-B{libdir}/', '-nostdinc']
                + [f'-isystem{d}' for d in includes])
    libflags = [f'-L{libgcc}', f'-L{libdir}', f'-L{os.path.join(sysroot, "lib", a.target)}']
    # the cell's flags in CC too: configure links some tests without
    # CFLAGS (libstdc++'s "shared libgcc" test, whose failure would turn
    # symbol versioning off), and -z cet-report=error fails an unmarked one.
    # Less -fPIE: the libraries' objects are compiled -fPIC (libtool,
    # libgcc's PICFLAG), and configure's -shared link tests fail with
    # -fPIE objects on x32 (libstdc++'s TLS test: std::call_once without
    # TLS, other exported symbols than Debian's)
    pie = ('-fPIE', '-fpie', '-pie')
    cell_cflags = [f for f in a.cflag if f not in pie]
    cflags = ' '.join(['-O2', '-g0'] + cell_cflags)
    ldflags = ' '.join(libflags + [f for f in a.ldflag if f not in pie])
    tenv = dict(os.environ, AR=tools['ar'], RANLIB=tools['ranlib'], NM=tools['nm'],
                AS=tools['as'], LD=tools['ld'], OBJDUMP=tools['objdump'], STRIP=tools['strip'])
    # as configure arguments, so that configure_once reruns when one changes
    target_vars = [f'CC={" ".join([cc] + sysflags + cell_cflags)}',
                   f'CXX={" ".join([cxx] + sysflags + cell_cflags)}',
                   f'CFLAGS={cflags}', f'CXXFLAGS={cflags}', f'LDFLAGS={ldflags}']

    # gcc/ for the headers libgcc includes (as build-libgcc.py)
    gcc_source.gcc_headers(NAME, top, obj, a.target, tools, make, log)

    # libgcc with its shared library (its link: $(CC) ... -shared
    # -nodefaultlibs $(LDFLAGS) ... -lc)
    gcc_source.configure_once(NAME, [os.path.join(top, 'libgcc', 'configure'), f'--build={build}',
                                     f'--host={a.target}', f'--target={a.target}',
                                     f'--with-target-subdir={a.target}', '--prefix=/usr',
                                     '--enable-shared'] + target_vars, libgcc, log, env=tenv)
    # libgcc's Makefile puts -fno-stack-protector after CFLAGS (libgcc.a's
    # routines run in code without a canary: early static start-up, ld.so);
    # libgcc_s.so.1 is loaded by ld.so after the canary is set and links
    # libc, so the cell's stack protector flags go after GCC's
    ssp = [f for f in a.cflag if f.startswith(('-fstack-protector', '-fno-stack-protector'))]
    mk = os.path.join(libgcc, 'xsc-flags.mk')
    with open(mk + '.tmp', 'w') as f:
        f.write(f'# {NAME}: the cell\'s stack protector flags after libgcc\'s own\n'
                f'INTERNAL_CFLAGS += {" ".join(ssp)}\n')
    os.replace(mk + '.tmp', mk)
    t1 = time.time()
    buildstep.run(make + ['-f', 'Makefile', '-f', mk, 'libgcc_s.so', f'LDFLAGS={ldflags}'], log,
                  NAME, cwd=libgcc, env=tenv)
    t_libgcc = time.time() - t1

    # libstdc++-v3 standalone: its headers, libsupc++, then src/ (whose
    # libstdc++.la links libsupc++ in); -lgcc_s finds this build's first
    cxxdir = os.path.join(obj, a.target, 'libstdc++-v3')
    gcc_source.configure_once(NAME, [os.path.join(top, 'libstdc++-v3', 'configure'),
                                     f'--build={build}', f'--host={a.target}',
                                     f'--target={a.target}'] + LIBSTDCXX_CONFIGURE + target_vars,
                              cxxdir, log, env=tenv)
    t2 = time.time()
    for sub in ('include', 'libsupc++', 'src'):
        buildstep.run(make + ['-C', sub], log, NAME, cwd=cxxdir, env=tenv)
    t_libstdcxx = time.time() - t2

    built = {'libgcc_s.so.1': os.path.join(libgcc, 'libgcc_s.so.1'),
             'libstdc++.so.6': os.path.join(cxxdir, 'src', '.libs', LIBSTDCXX_SO)}
    for name, path in built.items():
        if not os.path.isfile(path):
            gcc_source.fail(NAME, f'make left no {path} ({name}); log: {log}')
    changed = [n for n, p in built.items()
               if buildstep.install_if_changed(p, os.path.join(a.out, n), 0o755)]
    info = {'target': a.target, 'cc': cc, 'cxx': cxx, 'sysroot': sysroot,
            'libgcc': os.path.abspath(a.libgcc) if a.libgcc else None,
            'start_files': runtime, 'include_dirs': includes,
            'cflags': cflags, 'ldflags': ldflags, 'libgcc_s_extra_cflags': ssp,
            'dropped_flags': [f for f in a.cflag + a.ldflag if f in pie],
            'target_vars': target_vars,
            'tarball': os.path.realpath(a.tarball), 'out': os.path.abspath(a.out),
            'libstdcxx_configure': LIBSTDCXX_CONFIGURE,
            'libraries': sorted(built), 'changed': changed,
            'seconds': {'unpack': round(t_unpack, 1), 'make_libgcc': round(t_libgcc, 1),
                        'make_libstdcxx': round(t_libstdcxx, 1),
                        'total': round(time.time() - t0, 1)}}
    buildstep.write_json(a.stamp, info)
    print(f'{NAME}: {a.target} ({cflags}): {len(built)} libraries in {a.out}, '
          f'{len(changed)} changed, {info["seconds"]["total"]} s')


if __name__ == '__main__':
    main()
