#!/usr/bin/env python3
"""Unpack a kernel source tarball once and describe it.

usage: unpack-source.py TARBALL DESTDIR OUT_JSON

The tree lands in DESTDIR/<top directory of the tarball>. OUT_JSON records
the tree's path, its version (from the top Makefile), the tarball's sha256
and the Debian package that owns the tarball, if any: the identity every
cell's metadata.json quotes.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile


def debian_package(path):
    """(package, version) owning PATH, or (None, None)."""
    try:
        owner = subprocess.run(['dpkg-query', '-S', os.path.realpath(path)],
                               capture_output=True, text=True, check=True)
        pkg = owner.stdout.split(':', 1)[0].strip()
        ver = subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg],
                             capture_output=True, text=True, check=True)
        return pkg, ver.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None, None


def kernel_version(tree):
    fields = {}
    with open(os.path.join(tree, 'Makefile')) as f:
        for line in f:
            m = re.match(r'^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*=\s*(\S*)', line)
            if m:
                fields[m.group(1)] = m.group(2)
            if len(fields) == 4:
                break
    return '{VERSION}.{PATCHLEVEL}.{SUBLEVEL}{EXTRAVERSION}'.format(**fields)


def main():
    tarball, destdir, out_json = sys.argv[1:4]
    sha = hashlib.sha256()
    with open(tarball, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            sha.update(block)
    with tarfile.open(tarball) as tf:
        top = tf.next().name.split('/')[0]
    tree = os.path.join(destdir, top)
    # The marker is written last: a tree without it (an interrupted run) or
    # from another tarball is unpacked afresh; an intact one is kept.
    marker = os.path.join(destdir, top + '.sha256')
    if not (os.path.exists(marker) and open(marker).read() == sha.hexdigest()):
        if os.path.exists(tree):
            shutil.rmtree(tree)
        os.makedirs(destdir, exist_ok=True)
        subprocess.run(['tar', '-C', destdir, '-xf', tarball], check=True)
        with open(marker, 'w') as f:
            f.write(sha.hexdigest())
    pkg, ver = debian_package(tarball)
    info = {
        'tarball': os.path.realpath(tarball),
        'sha256': sha.hexdigest(),
        'debian_package': pkg,
        'debian_version': ver,
        'tree': os.path.realpath(tree),
        'version': kernel_version(tree),
    }
    with open(out_json, 'w') as f:
        json.dump(info, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    main()
