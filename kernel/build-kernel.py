#!/usr/bin/env python3
"""Configure and build one XSC kernel out of tree.

The configuration is tinyconfig plus the fragments given on the command line
(later fragments override earlier ones), settled by olddefconfig. Every
option a fragment asks for is then checked in the final .config: an option
the kernel dropped (unmet dependency, no such symbol, wrong value) fails the
build with its name and the fragment line that asked for it.

Outputs are always rewritten (docs/BUILD-GRAPH.md, "What rebuilds when",
says why). Nothing in the build graph consumes the image (the boot tests
take it as an argument), so rewriting costs nothing downstream.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

LINE_SET = re.compile(r'^(CONFIG_[A-Za-z0-9_]+)=(.*)$')
LINE_UNSET = re.compile(r'^# (CONFIG_[A-Za-z0-9_]+) is not set$')


def parse_config(path):
    """{option: value} for a .config or fragment; 'n' for '# ... is not set'.
    Also returns {option: 'file:line'} for error messages."""
    values, origin = {}, {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            m = LINE_SET.match(line) or LINE_UNSET.match(line)
            if not m:
                if line.strip() and not line.startswith('#'):
                    sys.exit(f'{path}:{lineno}: not a kernel config line: {line!r}')
                continue
            values[m.group(1)] = m.group(2) if m.re is LINE_SET else 'n'
            origin[m.group(1)] = f'{path}:{lineno}'
    return values, origin


def write_config(path, values):
    with open(path, 'w') as f:
        for opt, val in values.items():
            f.write(f'# {opt} is not set\n' if val == 'n' else f'{opt}={val}\n')


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


class Kernel:
    def __init__(self, args, tree):
        self.args = args
        self.tree = tree
        self.objdir = os.path.abspath(args.objdir)
        cc = args.cross_compile + 'gcc'
        self.make = ['make', '-s' if args.config_only else '--no-print-directory',
                     '-C', tree, 'O=' + self.objdir, 'ARCH=' + args.arch,
                     'CROSS_COMPILE=' + args.cross_compile]
        if args.ccache:
            self.make += [f'CC={args.ccache} {cc}', f'HOSTCC={args.ccache} gcc']
        # Fixed build identity: the image depends only on source and config.
        self.env = dict(os.environ,
                        KBUILD_BUILD_TIMESTAMP='1970-01-01 00:00:00 UTC',
                        KBUILD_BUILD_USER='xsc', KBUILD_BUILD_HOST='xsc',
                        KBUILD_BUILD_VERSION='1',
                        # paths below the kernel build dir hash relative, so
                        # another checkout's build hits the same cache entries
                        CCACHE_BASEDIR=os.path.dirname(self.objdir),
                        CCACHE_NOHASHDIR='1')

    def run(self, *targets, jobs=None):
        cmd = self.make + ([f'-j{jobs}'] if jobs else []) + list(targets)
        print('+', ' '.join(cmd), flush=True)
        subprocess.run(cmd, env=self.env, check=True)

    def configure(self, fragments):
        os.makedirs(self.objdir, exist_ok=True)
        self.run('tinyconfig')
        config_path = os.path.join(self.objdir, '.config')
        config, _ = parse_config(config_path)
        wanted, origin = {}, {}
        for frag in fragments:
            v, o = parse_config(frag)
            wanted.update(v)
            origin.update(o)
        config.update(wanted)
        write_config(config_path, config)
        self.run('olddefconfig')
        final, _ = parse_config(config_path)
        dropped = []
        for opt, val in wanted.items():
            got = final.get(opt, 'n')
            if got != val:
                shown = 'it unset' if got == 'n' else f'{opt}={got}'
                asked = f'{opt} not set' if val == 'n' else f'{opt}={val}'
                dropped.append(f'  {asked} (asked by {origin[opt]}) but the final .config has {shown}')
        if dropped:
            sys.exit(f'kernel {self.args.name}: the kernel did not accept {len(dropped)} requested '
                     f'option(s) (unmet dependency, unknown symbol or forced value):\n'
                     + '\n'.join(dropped))
        return config_path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--name', required=True)
    ap.add_argument('--source-json', required=True)
    ap.add_argument('--objdir', required=True)
    ap.add_argument('--arch', required=True, help='kernel ARCH=')
    ap.add_argument('--cross-compile', default='')
    ap.add_argument('--make-target')
    ap.add_argument('--image', help='image path inside the object tree')
    ap.add_argument('--jobs', type=int, default=0)
    ap.add_argument('--ccache')
    ap.add_argument('--config-only', action='store_true',
                    help='stop after the configuration and its check')
    ap.add_argument('--out-image')
    ap.add_argument('--out-config')
    ap.add_argument('--out-json')
    ap.add_argument('--depfile')
    ap.add_argument('fragments', nargs='+')
    args = ap.parse_args()

    with open(args.source_json) as f:
        source = json.load(f)
    kernel = Kernel(args, source['tree'])
    t0 = time.monotonic()
    config_path = kernel.configure(args.fragments)
    t1 = time.monotonic()
    if args.config_only:
        print(f'kernel {args.name}: configuration accepted every requested option')
        return
    kernel.run(args.make_target, jobs=args.jobs or os.cpu_count())
    t2 = time.monotonic()

    shutil.copyfile(os.path.join(kernel.objdir, args.image), args.out_image)
    shutil.copyfile(config_path, args.out_config)
    with open(os.path.join(kernel.objdir, 'include/config/kernel.release')) as f:
        release = f.read().strip()
    info = {
        'kernel': args.name,
        'arch': args.arch,
        'release': release,
        'source': source,
        # relative to the source tree, so metadata compares across checkouts
        'fragments': [os.path.relpath(p, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
                      for p in args.fragments],
        'config_sha256': sha256(config_path),
        'image': os.path.abspath(args.out_image),
        'image_sha256': sha256(args.out_image),
        'config': os.path.abspath(args.out_config),
        'objdir': kernel.objdir,
        'ccache': bool(args.ccache),
        'durations_s': {'configure': round(t1 - t0, 1), 'build': round(t2 - t1, 1)},
    }
    tmp = args.out_json + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(info, f, indent=2)
        f.write('\n')
    os.replace(tmp, args.out_json)
    if args.depfile:
        deps = [os.path.abspath(__file__)] + [os.path.abspath(p) for p in args.fragments]
        with open(args.depfile, 'w') as f:
            f.write(f'{args.out_image}: ' + ' '.join(d.replace(' ', '\\ ') for d in deps) + '\n')


if __name__ == '__main__':
    main()
