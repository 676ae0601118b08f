#!/usr/bin/env python3
"""The kernel configuration check must reject what the kernel cannot give.

Runs kernel/build-kernel.py --config-only twice in a scratch object tree:
with the arch's fragments alone (must pass), and with an unsatisfiable
fragment added (must fail, naming every option that fragment asks for).
"""
import argparse
import re
import shutil
import subprocess
import sys


def configure(args, fragments):
    cmd = [sys.executable, args.build_kernel, '--config-only', '--name', 'config-check',
           '--source-json', args.source_json, '--objdir', args.scratch,
           '--arch', args.arch, '--cross-compile', args.cross_compile] + fragments
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    for opt in ('--build-kernel', '--source-json', '--arch', '--scratch', '--unsatisfiable'):
        ap.add_argument(opt, required=True)
    ap.add_argument('--cross-compile', default='')
    ap.add_argument('fragments', nargs='+')
    args = ap.parse_args()

    with open(args.unsatisfiable) as f:
        asked = re.findall(r'^(CONFIG_\w+)=', f.read(), re.M)
    assert asked, 'the unsatisfiable fragment asks for nothing'
    print('1..2')
    try:
        good = configure(args, args.fragments)
        if good.returncode == 0:
            print('ok 1 - the arch fragments configure')
        else:
            print('not ok 1 - the arch fragments configure')
            print('# ' + good.stderr.strip().replace('\n', '\n# '))

        bad = configure(args, args.fragments + [args.unsatisfiable])
        missing = [o for o in asked if o not in bad.stderr]
        if bad.returncode != 0 and not missing:
            print(f'ok 2 - an unsatisfiable fragment fails naming {", ".join(asked)}')
        else:
            print(f'not ok 2 - an unsatisfiable fragment fails naming {", ".join(asked)} '
                  f'(exit {bad.returncode}, not named: {missing})')
        for line in bad.stderr.strip().splitlines():
            print('# ' + line)
        return 0 if good.returncode == 0 and bad.returncode != 0 and not missing else 1
    finally:
        shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
