#!/usr/bin/env python3
"""Write a reproducible initramfs (cpio "newc") for a boot test.

usage: mkinitramfs.py OUTPUT INIT [DEST=SOURCE ...]

The archive holds /dev/console (so init has a console), /proc, /sys, /dev,
/tmp, /init from INIT, and further files copied to DEST (with their parent
directories). Owners are root,
times are 0: the same inputs give the same bytes.
"""
import os
import stat
import sys


def entry(ino, name, mode, data=b'', rdev=(0, 0), nlink=1):
    name_b = name.encode() + b'\0'
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    out = b'070701' + b''.join(b'%08X' % v for v in fields) + name_b
    out += b'\0' * (-len(out) % 4)
    out += data + b'\0' * (-len(data) % 4)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    output, init = sys.argv[1], sys.argv[2]
    files = [('init', init)] + [tuple(a.split('=', 1)) for a in sys.argv[3:]]
    parts = []
    ino = 1
    # the kernel creates no missing parents: every directory gets an entry
    dirs = ['dev', 'proc', 'sys', 'tmp']
    for dest, _ in files:
        names = dest.strip('/').split('/')[:-1]
        for i in range(1, len(names) + 1):
            d = '/'.join(names[:i])
            if d not in dirs:
                dirs.append(d)
    for d in dirs:
        parts.append(entry(ino, d, stat.S_IFDIR | 0o755, nlink=2))
        ino += 1
    parts.append(entry(ino, 'dev/console', stat.S_IFCHR | 0o600, rdev=(5, 1)))
    ino += 1
    for dest, src in files:
        with open(src, 'rb') as f:
            data = f.read()
        mode = 0o755 if os.stat(src).st_mode & 0o111 else 0o644
        parts.append(entry(ino, dest.lstrip('/'), stat.S_IFREG | mode, data))
        ino += 1
    parts.append(entry(0, 'TRAILER!!!', 0))
    blob = b''.join(parts)
    blob += b'\0' * (-len(blob) % 512)
    tmp = output + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(blob)
    os.replace(tmp, output)


if __name__ == '__main__':
    main()
