#!/usr/bin/env python3
"""Write one cell's toolchain directory.

  DIR/bin/<tuple>-gcc, <tuple>-cc   compiler wrappers: the Debian compiler
                                   with the cell's variant flags
  DIR/cross.ini                    a meson cross file for the cell
  DIR/toolchain.json               what the wrappers add, for metadata

Without --sysroot this is the builder's toolchain (toolchains/<cell>/):
the Debian compiler on Debian's libc, for the driver tests and the boot
init, which exercise the ring by hand. With --sysroot it is the emitted
XSC toolchain (xsc-toolchains/<cell>/), on the cell's XSC glibc:

  DIR/bin/<tuple>-gcc, -cc, -cpp    the compiler on the sysroot, flags first
  DIR/bin/<tuple>-ar, -as, -ld, -nm, -objcopy, -objdump, -ranlib, -readelf,
          -strip, -strings          Debian's binutils for the ABI
  DIR/bin/<tuple>-pkg-config        pkg-config that looks only in the sysroot
  DIR/cross.ini, DIR/toolchain.cmake  meson cross file, CMake toolchain file

The wrappers are the one place cell flags are applied, so every program the
matrix builds for a cell goes through them.
"""
import argparse
import hashlib
import json
import os
import shlex
import shutil


def write_if_changed(path, text, mode=0o644):
    try:
        with open(path) as f:
            if f.read() == text:
                os.chmod(path, mode)
                return
    except FileNotFoundError:
        pass
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


BINUTILS = ('ar', 'as', 'ld', 'nm', 'objcopy', 'objdump', 'ranlib', 'readelf', 'strip', 'strings')
QEMU_USER = {'x86_64': 'qemu-x86_64', 'aarch64': 'qemu-aarch64'}


def write_sysroot_tools(args, bindir, cc_path):
    """The rest of the emitted toolchain: binutils, cpp, pkg-config, a QEMU
    user-mode runner and a CMake toolchain file."""
    debian = os.path.basename(args.cc)[:-len('-gcc')]      # e.g. x86_64-linux-gnux32
    sysroot = os.path.abspath(args.sysroot)
    for tool in BINUTILS:
        real = shutil.which(f'{debian}-{tool}')
        if not real:
            raise SystemExit(f'make-toolchain: {debian}-{tool} not found (Debian binutils for {debian})')
        link = os.path.join(bindir, f'{args.tuple}-{tool}')
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(real, link)
    write_if_changed(os.path.join(bindir, args.tuple + '-cpp'),
                     f'#!/bin/sh\nexec {shlex.quote(os.path.abspath(cc_path))} -E "$@"\n', 0o755)
    pc_dirs = ':'.join(f'{sysroot}{d}' for d in (f'/usr/lib/{args.triplet}/pkgconfig',
                                                 '/usr/lib/pkgconfig', '/usr/share/pkgconfig'))
    write_if_changed(os.path.join(bindir, args.tuple + '-pkg-config'), f'''#!/bin/sh
# pkg-config for {args.tuple}: only the sysroot's .pc files, paths inside it
PKG_CONFIG_LIBDIR={shlex.quote(pc_dirs)}
PKG_CONFIG_SYSROOT_DIR={shlex.quote(sysroot)}
export PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
unset PKG_CONFIG_PATH
exec pkg-config "$@"
''', 0o755)
    cpu = dict(kv.split('=', 1) for kv in args.machine).get('cpu_family', '')
    qemu = QEMU_USER.get(cpu, '')
    write_if_changed(os.path.join(bindir, args.tuple + '-run'), f'''#!/bin/sh
# Run a program of this toolchain in QEMU user mode with the sysroot's loader
# and libraries (system calls there are QEMU's, not a ring: /dev/xsc is the
# guest kernel's). Needs Debian's qemu-user.
command -v {qemu or 'qemu-user-missing'} >/dev/null 2>&1 || {{ echo "{args.tuple}-run: {qemu or 'no qemu-user for ' + cpu} not installed (Debian package qemu-user)" >&2; exit 127; }}
exec {qemu} -L {shlex.quote(sysroot)} "$@"
''', 0o755)
    processor = {'x86_64': 'x86_64', 'aarch64': 'aarch64'}.get(cpu, cpu)
    write_if_changed(os.path.join(args.dir, 'toolchain.cmake'), f'''# CMake toolchain file for {args.tuple} (XSC cell {args.cell})
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR {processor})
set(CMAKE_SYSROOT "{sysroot}")
set(CMAKE_C_COMPILER "{os.path.abspath(cc_path)}")
set(CMAKE_AR "{os.path.abspath(os.path.join(bindir, args.tuple + '-ar'))}")
set(CMAKE_RANLIB "{os.path.abspath(os.path.join(bindir, args.tuple + '-ranlib'))}")
set(CMAKE_STRIP "{os.path.abspath(os.path.join(bindir, args.tuple + '-strip'))}")
set(PKG_CONFIG_EXECUTABLE "{os.path.abspath(os.path.join(bindir, args.tuple + '-pkg-config'))}")
set(CMAKE_CROSSCOMPILING_EMULATOR "{os.path.abspath(os.path.join(bindir, args.tuple + '-run'))}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
''')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--dir', required=True)
    ap.add_argument('--cell', required=True)
    ap.add_argument('--tuple', required=True)
    ap.add_argument('--cc', required=True, help='the Debian compiler to wrap')
    ap.add_argument('--cflag', action='append', default=[])
    ap.add_argument('--ldflag', action='append', default=[])
    ap.add_argument('--machine', action='append', default=[],
                    help='KEY=VALUE for the cross file [host_machine] section')
    ap.add_argument('--sysroot', help='the XSC glibc sysroot (the emitted toolchain)')
    ap.add_argument('--triplet', help="Debian's multiarch triplet of the ABI (with --sysroot)")
    ap.add_argument('--stamp', required=True)
    args = ap.parse_args()
    if args.sysroot and not args.triplet:
        ap.error('--sysroot needs --triplet')

    bindir = os.path.join(args.dir, 'bin')
    os.makedirs(bindir, exist_ok=True)
    cflags = list(args.cflag)
    ldflags_l = list(args.ldflag)
    if args.sysroot:
        # --sysroot alone is not enough with Debian's compilers: they search
        # their own multiarch directories (/usr/lib/<triplet>, outside the
        # sysroot) before the sysroot's, and would link Debian's libc. -B
        # puts the sysroot's start files first, -L its libraries.
        root = os.path.abspath(args.sysroot)
        cflags[:0] = ['--sysroot=' + root, f'-B{root}/usr/lib/{args.triplet}/']
        ldflags_l[:0] = [f'-L{root}/usr/lib/{args.triplet}', f'-L{root}/lib/{args.triplet}']
    flags = ' '.join(shlex.quote(f) for f in cflags)
    ldflags = ' '.join(shlex.quote(f) for f in ldflags_l)
    wrapper = f'''#!/bin/sh
# {args.tuple}-gcc for XSC cell {args.cell} (generated by libc/make-toolchain.py).
# Variant flags come before the caller's, so the caller can still override
# them (-static-pie after -pie wins); link flags are left out when the call
# only compiles, preprocesses or assembles.
case " $* " in
*" -c "*|*" -E "*|*" -S "*|*" -M "*|*" -MM "*) exec {shlex.quote(args.cc)} {flags} "$@" ;;
*) exec {shlex.quote(args.cc)} {flags} {ldflags} "$@" ;;
esac
'''
    cc_path = os.path.join(bindir, args.tuple + '-gcc')
    write_if_changed(cc_path, wrapper, 0o755)
    link = os.path.join(bindir, args.tuple + '-cc')
    if not os.path.islink(link):
        os.symlink(args.tuple + '-gcc', link)

    if args.sysroot:
        write_sysroot_tools(args, bindir, cc_path)
    machine = dict(kv.split('=', 1) for kv in args.machine)
    cross = '[binaries]\n'
    cross += f"c = '{os.path.abspath(cc_path)}'\n"
    if args.sysroot:
        for tool in ('ar', 'strip', 'objcopy', 'nm', 'ranlib', 'readelf', 'pkg-config'):
            cross += f"{tool.replace('-', '')} = '{os.path.abspath(os.path.join(bindir, args.tuple + '-' + tool))}'\n"
        cross += f"exe_wrapper = ['{os.path.abspath(os.path.join(bindir, args.tuple + '-run'))}']\n"
        cross += '\n[properties]\n'
        cross += f"sys_root = '{os.path.abspath(args.sysroot)}'\n"
        cross += f"pkg_config_libdir = '{os.path.abspath(args.sysroot)}/usr/lib/{args.triplet}/pkgconfig'\n"
    cross += '\n[host_machine]\n'
    cross += ''.join(f"{k} = '{v}'\n" for k, v in machine.items())
    write_if_changed(os.path.join(args.dir, 'cross.ini'), cross)

    info = {'cell': args.cell, 'tuple': args.tuple, 'cc': args.cc,
            'wrapper': os.path.abspath(cc_path), 'cflags': args.cflag,
            'ldflags': args.ldflag, 'cross_file': os.path.abspath(os.path.join(args.dir, 'cross.ini')),
            'sysroot': os.path.abspath(args.sysroot) if args.sysroot else "Debian's libc (the builder's toolchain)"}
    write_if_changed(os.path.join(args.dir, 'toolchain.json'), json.dumps(info, indent=2) + '\n')
    # The stamp is always rewritten (docs/BUILD-GRAPH.md, "What rebuilds
    # when"). What depends on it is rebuilt when this runs, i.e. when the
    # cell's flags changed.
    info['wrapper_sha256'] = hashlib.sha256(wrapper.encode()).hexdigest()
    with open(args.stamp, 'w') as f:
        f.write(json.dumps(info) + '\n')


if __name__ == '__main__':
    main()
