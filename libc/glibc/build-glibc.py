#!/usr/bin/env python3
"""Build the XSC glibc: the source tree once, then one build per cell.

  build-glibc.py source --tarball T --patches DIR --files DIR --libxsc DIR
                        --tree OUT --stamp S
      Unpack Debian's glibc-source tarball (already carrying Debian's own
      patches: their series is never applied again), apply XSC's series
      (DIR/series, in order), overlay DIR's new files and copy libxsc's ring
      (libc/xsc) into sysdeps/unix/sysv/linux/xsc/. The result is synced
      into OUT file by file: a file whose content did not change keeps its
      time, so make rebuilds only what a changed patch touches.

  build-glibc.py cell --tree OUT --kernel-tree JSON --make-arch A --cell C
                      --triplet T --cc CC [--cflag F ...] [--configure-flag F ...]
                      [--libgcc DIR]
                      --rtlddir D --obj DIR --sysroot DIR --jobs N --stamp S
      Install the XSC kernel's uapi headers (make headers_install from the
      prepared kernel tree), configure glibc out of tree for the cell (again
      only when the configuration changed), make, install into a new
      directory and put it in place of the cell's sysroot in one rename:
      a failure leaves the previous sysroot as it was.

Every input is checked first; a problem is one line naming it, exit 1.
"""
import argparse
import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import buildstep  # noqa: E402  (libc/buildstep.py)

GLIBC_VERSION = '2.36'


def fail(msg):
    sys.exit('build-glibc: ' + msg)


def run(cmd, log, **kw):
    buildstep.run(cmd, log, 'build-glibc', **kw)


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


# ------------------------------------------------------------------ source

def read_series(patches):
    series = os.path.join(patches, 'series')
    if not os.path.isfile(series):
        fail(f'no patch series: {series} is missing')
    names = [l.strip() for l in open(series) if l.strip() and not l.startswith('#')]
    for n in names:
        if not os.path.isfile(os.path.join(patches, n)):
            fail(f'{series} names {n}, which is not in {patches}')
    return names


def sync_tree(src, dst):
    """Make dst equal to src, rewriting only files whose content differs."""
    changed = 0
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        droot = os.path.normpath(os.path.join(dst, rel))
        os.makedirs(droot, exist_ok=True)
        for name in files:
            s, d = os.path.join(root, name), os.path.join(droot, name)
            if os.path.islink(s) or os.path.islink(d):
                same = os.path.islink(s) and os.path.islink(d) and os.readlink(s) == os.readlink(d)
            else:
                same = os.path.exists(d) and filecmp.cmp(s, d, shallow=False)
            if not same:
                existed = os.path.lexists(d)
                if existed:
                    os.remove(d)
                # a new file keeps the tarball's time (generated files such
                # as gperf output must stay newer than their sources); a
                # changed one is newer than anything built from it
                shutil.copy2(s, d, follow_symlinks=False)
                if existed:
                    os.utime(d, follow_symlinks=False)
                changed += 1
            elif not os.path.islink(s):
                shutil.copymode(s, d)
    # files a patch removed (or a new file that went away)
    for root, dirs, files in os.walk(dst):
        rel = os.path.relpath(root, dst)
        for name in files:
            if not os.path.lexists(os.path.join(src, rel, name)):
                os.remove(os.path.join(root, name))
                changed += 1
    return changed


def cmd_source(a):
    if not os.path.isfile(a.tarball):
        fail(f'glibc source tarball {a.tarball} is missing (Debian package glibc-source; '
             'ci/install-deps.sh installs it)')
    names = read_series(a.patches)
    work = a.tree + '.new'
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    top = f'glibc-{GLIBC_VERSION}'
    with tarfile.open(a.tarball) as t:
        members = t.getmembers()
        tops = {m.name.split('/')[0] for m in members}
        if tops != {top}:
            fail(f'{a.tarball} is not glibc {GLIBC_VERSION}: it holds {", ".join(sorted(tops))}')
        t.extractall(work, members=members)
    unpacked = os.path.join(work, top)
    with open(os.path.join(unpacked, 'version.h')) as f:
        v = f.read()
    if f'"{GLIBC_VERSION}"' not in v:
        fail(f'{a.tarball}: version.h is not glibc {GLIBC_VERSION}: {v.strip()}')
    log = a.tree + '.log'
    open(log, 'w').close()
    for n in names:
        p = os.path.abspath(os.path.join(a.patches, n))
        r = subprocess.run(['patch', '-p1', '--batch', '--forward', '--dry-run', '-i', p],
                           cwd=unpacked, capture_output=True, text=True)
        if r.returncode != 0:
            shutil.rmtree(work)
            fail(f'patch {n} does not apply to glibc {GLIBC_VERSION} from {a.tarball}:\n'
                 + r.stdout + r.stderr)
        run(['patch', '-p1', '--batch', '--forward', '--quiet', '-i', p], log, cwd=unpacked)
    # new files, mirrored by path
    for root, dirs, files in os.walk(a.files):
        for name in files:
            s = os.path.join(root, name)
            d = os.path.join(unpacked, os.path.relpath(s, a.files))
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(s, d)
    # libxsc's ring: the same file libxsc's own tests test, not a copy kept by hand
    xdir = os.path.join(unpacked, 'sysdeps/unix/sysv/linux/xsc')
    os.makedirs(xdir, exist_ok=True)
    for name in ('xsc.c', 'xsc.h', 'xsc_arch.h'):
        shutil.copy2(os.path.join(a.libxsc, name), xdir)
    # its arch hooks where glibc's sysdeps search finds them for the arch
    # being built (xsc_arch.h includes "syscall_arch.h")
    for spec in a.libxsc_arch:
        sysdir, d = spec.split('=', 1)
        shutil.copy2(os.path.join(a.libxsc, d, 'syscall_arch.h'), os.path.join(unpacked, sysdir))
    os.makedirs(a.tree, exist_ok=True)
    changed = sync_tree(unpacked, a.tree)
    shutil.rmtree(work)
    buildstep.write_json(a.stamp, {
        'glibc_version': GLIBC_VERSION, 'tarball': os.path.abspath(a.tarball),
        'tarball_sha256': sha256(a.tarball), 'tree': os.path.abspath(a.tree),
        'patches': {n: sha256(os.path.join(a.patches, n)) for n in names},
        'files_changed': changed,
    })
    print(f'build-glibc: source tree {a.tree}: {len(names)} patches, {changed} files changed')


# ------------------------------------------------------------------ cell

def cmd_cell(a):
    for path, what in ((a.tree, 'glibc source tree'), (a.kernel_tree, 'kernel tree record')):
        if not os.path.exists(path):
            fail(f'{what} {path} is missing')
    ktree = json.load(open(a.kernel_tree))['tree']
    os.makedirs(a.obj, exist_ok=True)
    log = os.path.join(a.obj, 'build.log')
    open(log, 'w').close()
    t0 = time.monotonic()

    # the kernel's uapi headers, <linux/xsc.h> included
    hdr = os.path.join(a.obj, 'kernel-headers')
    run(['make', '-s', '-C', ktree, 'O=' + os.path.join(a.obj, 'kernel-headers-obj'),
         'ARCH=' + a.make_arch, 'INSTALL_HDR_PATH=' + hdr, 'headers_install'], log)
    if not os.path.isfile(os.path.join(hdr, 'include/linux/xsc.h')):
        fail(f'{hdr}: headers_install gave no linux/xsc.h')
    t_headers = time.monotonic() - t0

    build = os.path.join(a.obj, 'build')
    os.makedirs(build, exist_ok=True)
    cc = 'ccache ' + a.cc if shutil.which('ccache') else a.cc
    if a.libgcc:
        # GCC's runtime rebuilt for the cell (libc/libgcc): -B makes the
        # driver take its start files and libgcc.a there first
        if not os.path.isfile(os.path.join(a.libgcc, 'libgcc.a')):
            fail(f'{a.libgcc} has no libgcc.a (libc/libgcc/build-libgcc.py)')
        cc += ' -B' + os.path.abspath(a.libgcc) + '/'
    configure = [os.path.join(os.path.abspath(a.tree), 'configure'),
                 '--prefix=/usr', f'--libdir=/usr/lib/{a.triplet}', f'--libexecdir=/usr/lib/{a.triplet}',
                 f'--host={a.triplet}', '--build=x86_64-linux-gnu',
                 # CXX=false: glibc's configure then skips its C++ parts (tests only)
                 # instead of taking the build machine's g++ for a cross build
                 'CC=' + cc, 'CXX=false', 'CFLAGS=' + ' '.join(['-O2', '-g0'] + a.cflag),
                 f'--with-headers={hdr}/include',
                 '--enable-stack-protector=strong', '--enable-bind-now',
                 '--disable-profile', '--disable-nscd', '--disable-timezone-tools',
                 '--disable-crypt', '--disable-werror'] + a.configure_flag
    key = os.path.join(build, 'xsc-configure.json')
    old = json.load(open(key)) if os.path.exists(key) else None
    if old != configure or not os.path.exists(os.path.join(build, 'config.status')):
        with open(os.path.join(build, 'configparms'), 'w') as f:
            # Debian's layout, which the cross compilers' --sysroot search expects
            f.write(f'slibdir=/lib/{a.triplet}\nrtlddir={a.rtlddir}\n')
        run(configure, log, cwd=build)
        buildstep.write_json(key, configure)
    t_conf = time.monotonic() - t0 - t_headers
    run(['make', '-j' + str(a.jobs)], log, cwd=build)
    t_make = time.monotonic() - t0 - t_headers - t_conf

    new = a.sysroot + '.new'
    shutil.rmtree(new, ignore_errors=True)
    run(['make', 'install', 'install_root=' + os.path.abspath(new), '-j' + str(a.jobs)], log, cwd=build)
    shutil.copytree(os.path.join(hdr, 'include'), os.path.join(new, 'usr/include'), dirs_exist_ok=True)
    if not os.path.isfile(os.path.join(new, 'usr/include/linux/xsc.h')):
        fail(f'{new}: the sysroot has no linux/xsc.h')
    old_root = a.sysroot + '.old'
    shutil.rmtree(old_root, ignore_errors=True)
    if os.path.exists(a.sysroot):
        os.rename(a.sysroot, old_root)
    os.rename(new, a.sysroot)
    shutil.rmtree(old_root, ignore_errors=True)
    t_total = time.monotonic() - t0
    buildstep.write_json(a.stamp, {
        'cell': a.cell, 'glibc_version': GLIBC_VERSION, 'sysroot': os.path.abspath(a.sysroot),
        'configure': configure, 'triplet': a.triplet, 'rtlddir': a.rtlddir,
        'seconds': {'headers': round(t_headers, 1), 'configure': round(t_conf, 1),
                    'make': round(t_make, 1), 'total': round(t_total, 1)},
    })
    print(f'build-glibc: {a.cell}: sysroot {a.sysroot} in {t_total:.0f} s')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('source')
    s.add_argument('--tarball', required=True)
    s.add_argument('--patches', required=True)
    s.add_argument('--files', required=True)
    s.add_argument('--libxsc', required=True)
    s.add_argument('--libxsc-arch', action='append', default=[],
                   help='SYSDIR=DIR: DIR/syscall_arch.h under --libxsc goes to SYSDIR of the glibc tree')
    s.add_argument('--tree', required=True)
    s.add_argument('--stamp', required=True)
    c = sub.add_parser('cell')
    for o in ('tree', 'kernel-tree', 'make-arch', 'cell', 'triplet', 'cc', 'rtlddir', 'obj',
              'sysroot', 'stamp'):
        c.add_argument('--' + o, required=True)
    c.add_argument('--cflag', action='append', default=[])
    c.add_argument('--configure-flag', action='append', default=[])
    c.add_argument('--libgcc', help="a directory of GCC's runtime objects to link with instead of Debian's")
    c.add_argument('--jobs', type=int, default=os.cpu_count())
    a = ap.parse_args()
    (cmd_source if a.cmd == 'source' else cmd_cell)(a)


if __name__ == '__main__':
    main()
