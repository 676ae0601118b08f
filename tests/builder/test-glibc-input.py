#!/usr/bin/env python3
"""Bad input to the XSC glibc build gets a clear message and loses nothing.

usage: test-glibc-input.py BUILD_GLIBC TARBALL PATCHES FILES LIBXSC SCRATCH

  - a missing tarball: the message names it and the Debian package;
  - a tarball of another glibc version: the message names the version;
  - a patch that does not apply: the message names the patch, and a source
    tree from an earlier good run is left exactly as it was;
  - a cell build that fails (here at its first step: no kernel tree to take
    the uapi headers from): exit status 1,
    and the cell's existing sysroot is left as it was, with no half-made
    one beside it.
TAP.
"""
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile

from tap import check, done

build_glibc, tarball, patches, files, libxsc, scratch = sys.argv[1:7]
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)


def source(tar, pdir, tree):
    return subprocess.run([sys.executable, build_glibc, 'source', '--tarball', tar, '--patches', pdir,
                           '--files', files, '--libxsc', libxsc,
                           '--tree', tree, '--stamp', tree + '.json'], capture_output=True, text=True)


def tree_digest(tree):
    h = hashlib.sha256()
    for root, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names):
            p = os.path.join(root, name)
            h.update(p.encode())
            if not os.path.islink(p):
                with open(p, 'rb') as f:
                    h.update(f.read())
    return h.hexdigest()


print('1..7')
r = source(os.path.join(scratch, 'no-such.tar.xz'), patches, os.path.join(scratch, 't0'))
check(r.returncode == 1 and 'no-such.tar.xz is missing' in r.stderr and 'glibc-source' in r.stderr,
      f'missing tarball: {r.stderr.strip()}')

fake = os.path.join(scratch, 'glibc-2.35.tar.xz')
with tarfile.open(fake, 'w:xz') as t:
    data = b'#define VERSION "2.35"\n'
    ti = tarfile.TarInfo('glibc-2.35/version.h')
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
r = source(fake, patches, os.path.join(scratch, 't1'))
check(r.returncode == 1 and 'is not glibc 2.36' in r.stderr and 'glibc-2.35' in r.stderr,
      f'another version: {r.stderr.strip()}')

# a good tree first, then a series with a patch that does not apply
tree = os.path.join(scratch, 'tree')
r = source(tarball, patches, tree)
check(r.returncode == 0, 'the real tarball and series make a tree' + ('' if r.returncode == 0 else ': ' + r.stderr))
before = tree_digest(tree)
bad = os.path.join(scratch, 'patches')
shutil.copytree(patches, bad)
with open(os.path.join(bad, '9999-does-not-apply.patch'), 'w') as f:
    f.write('--- a/version.h\n+++ b/version.h\n@@ -1,3 +1,3 @@\n-no such line\n+another\n context\n')
with open(os.path.join(bad, 'series'), 'a') as f:
    f.write('9999-does-not-apply.patch\n')
r = source(tarball, bad, tree)
check(r.returncode == 1 and '9999-does-not-apply.patch does not apply' in r.stderr,
      'a patch that does not apply is named: ' + r.stderr.strip().splitlines()[0] if r.stderr.strip() else 'no message')
check(tree_digest(tree) == before, 'the earlier tree is left exactly as it was')

# a failing cell build leaves the sysroot as it was
sysroot = os.path.join(scratch, 'sysroot')
os.makedirs(sysroot)
with open(os.path.join(sysroot, 'marker'), 'w') as f:
    f.write('the sysroot of an earlier build\n')
ktree = os.path.join(scratch, 'ktree.json')
with open(ktree, 'w') as f:
    f.write('{"tree": "%s"}\n' % os.path.join(scratch, 'no-kernel-tree'))
r = subprocess.run([sys.executable, build_glibc, 'cell', '--tree', tree, '--kernel-tree', ktree,
                    '--make-arch', 'x86_64', '--cell', 'test', '--triplet', 'x86_64-linux-gnu',
                    '--cc', '/bin/false', '--rtlddir', '/lib64', '--obj', os.path.join(scratch, 'obj'),
                    '--sysroot', sysroot, '--stamp', os.path.join(scratch, 'cell.json')],
                   capture_output=True, text=True)
check(r.returncode == 1 and r.stderr.strip().splitlines()[-1].startswith('build-glibc: '),
      'a failing cell build exits 1 with one line naming the step: '
      + (r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'no message'))
check(os.listdir(sysroot) == ['marker'] and not os.path.exists(sysroot + '.new'),
      'the existing sysroot is untouched and nothing half-made is beside it')
done()
