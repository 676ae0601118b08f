#!/usr/bin/env python3
"""Write a reproducible initramfs (cpio "newc") for a boot test.

usage: mkinitramfs.py [--sysroot DIR] OUTPUT INIT [DEST=SOURCE ...]

The archive holds /dev/console (so init has a console), /proc, /sys, /dev,
/tmp, /init from INIT, and further files copied to DEST (with their parent
directories); a SOURCE directory brings every file under it, to the same
place under DEST. With --sysroot, every dynamically linked program among them
brings its loader (PT_INTERP) and the libraries it needs (DT_NEEDED, and
theirs) from DIR, at the same paths. Owners are root, times are 0: the same
inputs give the same bytes.
"""
import os
import stat
import struct
import sys


def elf_deps(data):
    """(interpreter, [DT_NEEDED names]) of an ELF file, or (None, [])."""
    if data[:4] != b'\x7fELF':
        return None, []
    is64, end = data[4] == 2, '<' if data[5] == 1 else '>'
    if is64:
        phoff, phentsize, phnum = struct.unpack_from(end + 'Q', data, 32)[0], *struct.unpack_from(end + 'HH', data, 54)
    else:
        phoff, phentsize, phnum = struct.unpack_from(end + 'I', data, 28)[0], *struct.unpack_from(end + 'HH', data, 42)
    interp, dynamic, loads = None, None, []
    for i in range(phnum):
        o = phoff + i * phentsize
        if is64:
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + 'IIQQQQ', data, o)
        else:
            p_type, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(end + 'IIIII', data, o)
        if p_type == 3:                                   # PT_INTERP
            interp = data[p_offset:p_offset + p_filesz].rstrip(b'\0').decode()
        elif p_type == 2:                                 # PT_DYNAMIC
            dynamic = (p_offset, p_filesz)
        elif p_type == 1:                                 # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
    if not dynamic:
        return interp, []
    fmt, size = (end + 'qQ', 16) if is64 else (end + 'iI', 8)
    needed, strtab = [], None
    for o in range(dynamic[0], dynamic[0] + dynamic[1], size):
        tag, val = struct.unpack_from(fmt, data, o)
        if tag == 0:
            break
        if tag == 1:                                      # DT_NEEDED
            needed.append(val)
        elif tag == 5:                                    # DT_STRTAB (an address)
            strtab = next(off + val - va for va, off, sz in loads if va <= val < va + sz)
    return interp, [data[strtab + n:data.index(b'\0', strtab + n)].decode() for n in needed]


def with_libraries(files, sysroot):
    """files plus the loaders and libraries their programs need from sysroot."""
    dirs = []
    for d in ('lib', 'lib64', 'libx32', 'usr/lib'):
        top = os.path.join(sysroot, d)
        if os.path.isdir(top):
            dirs += [top] + sorted(os.path.join(top, s) for s in os.listdir(top)
                                   if os.path.isdir(os.path.join(top, s)))
    have = {dest.strip('/') for dest, _ in files}
    todo = [src for _, src in files]
    out = list(files)
    while todo:
        with open(todo.pop(), 'rb') as f:
            interp, needed = elf_deps(f.read())
        paths = [os.path.join(sysroot, interp.lstrip('/'))] if interp else []
        for name in needed:
            found = [os.path.join(d, name) for d in dirs if os.path.isfile(os.path.join(d, name))]
            if not found:
                sys.exit(f'mkinitramfs: {name} (needed by a program) is not in {sysroot}')
            paths.append(found[0])
        for p in paths:
            dest = os.path.relpath(p, sysroot)
            if dest not in have:
                have.add(dest)
                out.append((dest, p))
                todo.append(p)
    return out


def entry(ino, name, mode, data=b'', rdev=(0, 0), nlink=1):
    name_b = name.encode() + b'\0'
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    out = b'070701' + b''.join(b'%08X' % v for v in fields) + name_b
    out += b'\0' * (-len(out) % 4)
    out += data + b'\0' * (-len(data) % 4)
    return out


def main():
    argv = sys.argv[1:]
    sysroot = None
    if argv[:1] == ['--sysroot'] and len(argv) > 1:
        sysroot, argv = argv[1], argv[2:]
    if len(argv) < 2:
        sys.exit(__doc__)
    output, init = argv[0], argv[1]
    files = [('init', init)]
    for dest, src in (a.split('=', 1) for a in argv[2:]):
        if os.path.isdir(src):
            for root, dirs, names in os.walk(src):
                dirs.sort()
                for n in sorted(names):
                    p = os.path.join(root, n)
                    files.append((os.path.join(dest, os.path.relpath(p, src)), p))
        else:
            files.append((dest, src))
    if sysroot:
        files = with_libraries(files, sysroot)
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
