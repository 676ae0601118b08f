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
  DIR/bin/<tuple>-g++, -c++         the same for C++ (Debian's g++ and its
                                    libstdc++ headers; libstdc++.so.6 and
                                    libgcc_s.so.1 are copied into the sysroot:
                                    Debian's, or --cxx-runtime DIR's, built
                                    from GCC's source for the cell)
  (--libgcc DIR)                    GCC's runtime rebuilt for the cell, in the
                                    sysroot, taken before the compiler's own
  DIR/bin/<tuple>-ar, -as, -ld, -nm, -objcopy, -objdump, -ranlib, -readelf,
          -strip, -strings          Debian's binutils for the ABI
  DIR/bin/<tuple>-pkg-config        pkg-config that looks only in the sysroot
  DIR/bin/<tuple>-run               runs a program in QEMU user mode
  DIR/bin/xsc-elfcheck              the hardening validator (--elfcheck, a
                                    build-machine binary: tools/elfcheck)
  DIR/bin/<tuple>-elfcheck          it, with the cell's policy and sysroot
  DIR/sysroot                       the sysroot (a link here; a copy in the
                                    tarball)
  DIR/cross.ini, DIR/toolchain.cmake  meson cross file, CMake toolchain file
  DIR/../xsc-toolchain-<cell>.tar.gz  the same, relocatable: every tool
                                    finds the sysroot from its own place

The wrappers are the one place cell flags are applied, so every program the
matrix builds for a cell goes through them. The emitted toolchain needs
Debian's compiler and binutils for the ABI on the machine that uses it.
"""
import argparse
import gzip
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tarfile

from buildstep import install_if_changed


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
# where the sysroot holds GCC's runtime when it is rebuilt (--libgcc)
LIBGCC_DIR = 'usr/lib/gcc/{}'
# every tool of the emitted toolchain finds the sysroot from its own place
FIND_ROOT = 'root=$(cd "$(dirname "$0")/../sysroot" && pwd) || exit 1\n'


def include_dirs(driver, sysroot, lang):
    """The compiler's own header search list on the sysroot, split into what
    the emitted toolchain keeps (the compiler's own headers, libstdc++'s,
    the sysroot's as "$root/...") and what it drops: Debian's cross
    compilers search their own copy of Debian's libc headers
    (/usr/<triplet>/include) before the sysroot's."""
    r = subprocess.run([driver, '--sysroot=' + sysroot, '-E', '-v', '-x', lang, '/dev/null'],
                       capture_output=True, text=True, check=True)
    text = r.stderr
    listed = text[text.index('#include <...> search starts here:'):text.index('End of search list.')]
    libgcc = subprocess.run([driver, '-print-libgcc-file-name'], capture_output=True,
                            text=True, check=True).stdout.strip()
    own = os.path.dirname(os.path.realpath(libgcc))
    root = os.path.realpath(sysroot)
    keep, drop = [], []
    for d in listed.splitlines()[1:]:
        d = os.path.realpath(d.strip())
        if d == root or d.startswith(root + '/'):
            keep.append('$root' + d[len(root):])
        elif d.startswith(own + '/') or '/c++/' in d:
            keep.append(d)
        else:
            drop.append(d)
    return keep, drop


def wrapper_text(args, flags, ldflags, driver=None, name='gcc', includes=()):
    cc = shlex.quote(driver or args.cc)
    if args.sysroot:
        # --sysroot alone is not enough with Debian's compilers: they search
        # their own multiarch directories (/usr/lib/<triplet>, outside the
        # sysroot) before the sysroot's, and would link Debian's libc. -B
        # puts the sysroot's start files first, -L its libraries, and
        # -nostdinc with the kept list (include_dirs) its headers.
        t = args.triplet
        head = FIND_ROOT
        sys_flags = f'--sysroot="$root" -B"$root/usr/lib/{t}/"'
        if args.libgcc:
            # GCC's runtime rebuilt for the cell, before the compiler's own
            sys_flags = f'-B"$root/{LIBGCC_DIR.format(t)}/" ' + sys_flags
        if includes:
            sys_flags += ' -nostdinc' + ''.join(f' -isystem "{d}"' for d in includes)
        lib_flags = f'-L"$root/usr/lib/{t}" -L"$root/lib/{t}"'
        compile_cmd = f'exec {cc} {sys_flags} {flags} "$@"'
        link_cmd = f'exec {cc} {sys_flags} {flags} {lib_flags} {ldflags} "$@"'
    else:
        head = ''
        compile_cmd = f'exec {cc} {flags} "$@"'
        link_cmd = f'exec {cc} {flags} {ldflags} "$@"'
    return f'''#!/bin/sh
# {args.tuple}-{name} for XSC cell {args.cell} (generated by libc/make-toolchain.py).
# Variant flags come before the caller's, so the caller can still override
# them (-static-pie after -pie wins); link flags are left out when the call
# only compiles, preprocesses or assembles.
{head}case " $* " in
*" -c "*|*" -E "*|*" -S "*|*" -M "*|*" -MM "*) {compile_cmd} ;;
*) {link_cmd} ;;
esac
'''


def write_cxx(args, bindir, flags, ldflags):
    """<tuple>-g++ / -c++ on Debian's g++ for the ABI, and gcc's runtime
    libraries in the sysroot where Debian keeps them, so that C++ programs
    (and C programs that unwind: pthread_cancel) run where the sysroot is.
    libstdc++ is Debian's, built against Debian's glibc 2.36: the same
    version as the XSC glibc, whose ABI it keeps; or, with --cxx-runtime,
    both rebuilt for the cell (libc/libgcc/build-cxx-runtime.py: the same
    exported symbols and versions). Returns what it did, for
    toolchain.json."""
    cxx = args.cc[:-len('gcc')] + 'g++'
    if not shutil.which(cxx):
        raise SystemExit(f'make-toolchain: {cxx} not found (Debian package g++ for '
                         f'{os.path.basename(args.cc)[:-len("-gcc")]}: ci/install-deps.sh)')
    t = args.triplet
    runtime = {}
    for driver, lib, where in ((args.cc, 'libgcc_s.so.1', f'lib/{t}'),
                               (cxx, 'libstdc++.so.6', f'usr/lib/{t}')):
        if args.cxx_runtime:
            src = os.path.join(args.cxx_runtime, lib)
            if not os.path.isfile(src):
                raise SystemExit(f'make-toolchain: --cxx-runtime {args.cxx_runtime} has no {lib}')
        else:
            src = subprocess.run([driver, '-print-file-name=' + lib], capture_output=True,
                                 text=True, check=True).stdout.strip()
            if not os.path.isabs(src):
                raise SystemExit(f'make-toolchain: {driver} does not know {lib}')
        install_if_changed(os.path.realpath(src), os.path.join(args.sysroot, where, lib), 0o755)
        runtime[lib] = os.path.realpath(src)
    rebuilt = []
    if args.libgcc:
        for name in sorted(os.listdir(args.libgcc)):
            install_if_changed(os.path.join(args.libgcc, name),
                               os.path.join(args.sysroot, LIBGCC_DIR.format(t), name), 0o755)
            rebuilt.append(name)
        if 'libgcc.a' not in rebuilt:
            raise SystemExit(f'make-toolchain: {args.libgcc} has no libgcc.a')
    c_keep, c_drop = include_dirs(args.cc, args.sysroot, 'c')
    cxx_keep, cxx_drop = include_dirs(cxx, args.sysroot, 'c++')
    path = os.path.join(bindir, args.tuple + '-g++')
    write_if_changed(path, wrapper_text(args, flags, ldflags, cxx, 'g++', cxx_keep), 0o755)
    link = os.path.join(bindir, args.tuple + '-c++')
    if not os.path.islink(link):
        os.symlink(args.tuple + '-g++', link)
    return {'cxx': cxx, 'runtime_libraries': runtime,
            'gcc_runtime': {'from': os.path.abspath(args.libgcc), 'objects': rebuilt,
                            'in_sysroot': LIBGCC_DIR.format(t)} if args.libgcc else "Debian's",
            'include_dirs': {'c': c_keep, 'c++': cxx_keep},
            'dropped_include_dirs': sorted(set(c_drop + cxx_drop))}


def write_sysroot_tools(args, bindir, cc_path):
    """The rest of the emitted toolchain: the sysroot link, binutils, cpp,
    pkg-config, a QEMU user-mode runner and a CMake toolchain file."""
    link = os.path.join(args.dir, 'sysroot')
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(args.sysroot), link)
    debian = os.path.basename(args.cc)[:-len('-gcc')]      # e.g. x86_64-linux-gnux32
    for tool in BINUTILS:
        real = shutil.which(f'{debian}-{tool}')
        if not real:
            raise SystemExit(f'make-toolchain: {debian}-{tool} not found (Debian binutils for {debian})')
        link = os.path.join(bindir, f'{args.tuple}-{tool}')
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(real, link)
    write_if_changed(os.path.join(bindir, args.tuple + '-cpp'),
                     f'#!/bin/sh\nexec "$(dirname "$0")/{args.tuple}-gcc" -E "$@"\n', 0o755)
    t = args.triplet
    write_if_changed(os.path.join(bindir, args.tuple + '-pkg-config'), f'''#!/bin/sh
# pkg-config for {args.tuple}: only the sysroot's .pc files, paths inside it
{FIND_ROOT}PKG_CONFIG_LIBDIR="$root/usr/lib/{t}/pkgconfig:$root/usr/lib/pkgconfig:$root/usr/share/pkgconfig"
PKG_CONFIG_SYSROOT_DIR="$root"
export PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
unset PKG_CONFIG_PATH
exec pkg-config "$@"
''', 0o755)
    cpu = dict(kv.split('=', 1) for kv in args.machine).get('cpu_family', '')
    qemu = QEMU_USER.get(cpu, 'qemu-user-for-' + cpu)
    write_if_changed(os.path.join(bindir, args.tuple + '-run'), f'''#!/bin/sh
# Run a program of this toolchain in QEMU user mode with the sysroot's loader
# and libraries (its system calls are QEMU's traps, not a ring: /dev/xsc is
# an XSC kernel's). Needs Debian's qemu-user.
{FIND_ROOT}command -v {qemu} >/dev/null 2>&1 || {{ echo "{args.tuple}-run: {qemu} not installed (Debian package qemu-user)" >&2; exit 127; }}
exec {qemu} -L "$root" "$@"
''', 0o755)
    write_if_changed(os.path.join(args.dir, 'toolchain.cmake'), f'''# CMake toolchain file for {args.tuple} (XSC cell {args.cell}); paths are
# relative to this file, so the toolchain can be moved
get_filename_component(XSC_TOOLCHAIN "${{CMAKE_CURRENT_LIST_DIR}}" ABSOLUTE)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR {cpu})
set(CMAKE_SYSROOT "${{XSC_TOOLCHAIN}}/sysroot")
set(CMAKE_C_COMPILER "${{XSC_TOOLCHAIN}}/bin/{args.tuple}-gcc")
set(CMAKE_CXX_COMPILER "${{XSC_TOOLCHAIN}}/bin/{args.tuple}-g++")
set(CMAKE_AR "${{XSC_TOOLCHAIN}}/bin/{args.tuple}-ar")
set(CMAKE_RANLIB "${{XSC_TOOLCHAIN}}/bin/{args.tuple}-ranlib")
set(CMAKE_STRIP "${{XSC_TOOLCHAIN}}/bin/{args.tuple}-strip")
set(PKG_CONFIG_EXECUTABLE "${{XSC_TOOLCHAIN}}/bin/{args.tuple}-pkg-config")
set(CMAKE_CROSSCOMPILING_EMULATOR "${{XSC_TOOLCHAIN}}/bin/{args.tuple}-run")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
''')


def cross_text(args, cc_path):
    machine = dict(kv.split('=', 1) for kv in args.machine)
    if args.sysroot:
        # meson has no path relative to the cross file: one constant to
        # change after moving the toolchain
        cross = ('# after moving this toolchain, set toolchain to its new directory\n'
                 f"[constants]\ntoolchain = '{os.path.abspath(args.dir)}'\n\n[binaries]\n")
        for tool in ('gcc', 'g++', 'ar', 'strip', 'objcopy', 'nm', 'ranlib', 'readelf', 'pkg-config'):
            key = {'gcc': 'c', 'g++': 'cpp', 'pkg-config': 'pkgconfig'}.get(tool, tool)
            cross += f"{key} = toolchain / 'bin/{args.tuple}-{tool}'\n"
        cross += f"exe_wrapper = [toolchain / 'bin/{args.tuple}-run']\n"
        cross += '\n[properties]\n'
        cross += "sys_root = toolchain / 'sysroot'\n"
        cross += f"pkg_config_libdir = toolchain / 'sysroot/usr/lib/{args.triplet}/pkgconfig'\n"
    else:
        cross = f"[binaries]\nc = '{os.path.abspath(cc_path)}'\n"
    cross += '\n[host_machine]\n'
    cross += ''.join(f"{k} = '{v}'\n" for k, v in machine.items())
    return cross


def write_tarball(args):
    """DIR/../xsc-toolchain-<cell>.tar.gz: the toolchain with its sysroot
    copied in (the link followed), reproducible: owners root, times 0,
    names sorted."""
    name = 'xsc-toolchain-' + args.cell
    top = os.path.abspath(args.dir)
    out = os.path.join(os.path.dirname(top), name + '.tar.gz')
    entries = []
    for root, dirs, files in os.walk(top, followlinks=False):
        dirs.sort()
        # the sysroot link: walk what it points at, under its own name
        if root == top and 'sysroot' in dirs:
            dirs.remove('sysroot')
            entries.append((os.path.realpath(os.path.join(top, 'sysroot')), 'sysroot'))
            for sroot, sdirs, sfiles in os.walk(os.path.realpath(os.path.join(top, 'sysroot'))):
                sdirs.sort()
                base = os.path.realpath(os.path.join(top, 'sysroot'))
                for n in sorted(sdirs + sfiles):
                    p = os.path.join(sroot, n)
                    entries.append((p, os.path.join('sysroot', os.path.relpath(p, base))))
        for n in sorted(dirs + files):
            p = os.path.join(root, n)
            entries.append((p, os.path.relpath(p, top)))
    entries.sort(key=lambda e: e[1])
    tmp = out + '.tmp'
    with open(tmp, 'wb') as raw, \
            gzip.GzipFile(fileobj=raw, mode='wb', mtime=0, filename='', compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode='w', format=tarfile.PAX_FORMAT) as tar:
        for path, rel in entries:
            ti = tar.gettarinfo(path, arcname=name + '/' + rel)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = 'root'
            ti.mtime = 0
            if ti.isreg():
                with open(path, 'rb') as f:
                    tar.addfile(ti, f)
            else:
                tar.addfile(ti)
    os.replace(tmp, out)
    return out


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
    ap.add_argument('--libgcc', help="GCC's runtime rebuilt for the cell (with --sysroot): copied "
                    'into the sysroot and linked before the compiler\'s own')
    ap.add_argument('--cxx-runtime', help='libgcc_s.so.1 and libstdc++.so.6 rebuilt for the cell '
                    '(with --sysroot): copied into the sysroot in place of Debian\'s')
    ap.add_argument('--elfcheck', help='xsc-elfcheck to install (with --sysroot)')
    ap.add_argument('--elf-policy', help="the cell's xsc-elfcheck policy (with --elfcheck)")
    ap.add_argument('--stamp', required=True)
    args = ap.parse_args()
    if args.sysroot and not args.triplet:
        ap.error('--sysroot needs --triplet')
    if args.libgcc and not args.sysroot:
        ap.error('--libgcc needs --sysroot')
    if args.cxx_runtime and not args.sysroot:
        ap.error('--cxx-runtime needs --sysroot')
    if args.elfcheck and not (args.sysroot and args.elf_policy):
        ap.error('--elfcheck needs --sysroot and --elf-policy')

    bindir = os.path.join(args.dir, 'bin')
    os.makedirs(bindir, exist_ok=True)
    flags = ' '.join(shlex.quote(f) for f in args.cflag)
    ldflags = ' '.join(shlex.quote(f) for f in args.ldflag)
    extra = write_cxx(args, bindir, flags, ldflags) if args.sysroot else {}
    wrapper = wrapper_text(args, flags, ldflags, includes=extra.get('include_dirs', {}).get('c', ()))
    cc_path = os.path.join(bindir, args.tuple + '-gcc')
    write_if_changed(cc_path, wrapper, 0o755)
    link = os.path.join(bindir, args.tuple + '-cc')
    if not os.path.islink(link):
        os.symlink(args.tuple + '-gcc', link)
    if args.sysroot:
        write_sysroot_tools(args, bindir, cc_path)
    if args.elfcheck:
        install_if_changed(args.elfcheck, os.path.join(bindir, 'xsc-elfcheck'), 0o755)
        write_if_changed(os.path.join(bindir, args.tuple + '-elfcheck'), f'''#!/bin/sh
# xsc-elfcheck with cell {args.cell}'s policy ({args.elf_policy}) and sysroot
# (DT_NEEDED closures); further options and the files or directories follow
{FIND_ROOT}exec "$(dirname "$0")/xsc-elfcheck" --policy {args.elf_policy} --sysroot "$root" "$@"
''', 0o755)
    write_if_changed(os.path.join(args.dir, 'cross.ini'), cross_text(args, cc_path))

    info = {'cell': args.cell, 'tuple': args.tuple, 'cc': args.cc,
            'wrapper': os.path.abspath(cc_path), 'cflags': args.cflag,
            'ldflags': args.ldflag, 'cross_file': os.path.abspath(os.path.join(args.dir, 'cross.ini')),
            'sysroot': os.path.abspath(args.sysroot) if args.sysroot else "Debian's libc (the builder's toolchain)"}
    if args.elfcheck:
        info['elfcheck'] = os.path.abspath(os.path.join(bindir, args.tuple + '-elfcheck'))
        info['elf_policy'] = args.elf_policy
    if args.sysroot:
        info['cmake_toolchain_file'] = os.path.abspath(os.path.join(args.dir, 'toolchain.cmake'))
        info.update(extra)
    write_if_changed(os.path.join(args.dir, 'toolchain.json'), json.dumps(info, indent=2) + '\n')
    if args.sysroot:
        info['tarball'] = write_tarball(args)
    # The stamp is always rewritten (docs/BUILD-GRAPH.md, "What rebuilds
    # when"). What depends on it is rebuilt when this runs, i.e. when the
    # cell's flags changed.
    info['wrapper_sha256'] = hashlib.sha256(wrapper.encode()).hexdigest()
    with open(args.stamp, 'w') as f:
        f.write(json.dumps(info) + '\n')


if __name__ == '__main__':
    main()
