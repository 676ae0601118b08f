#!/usr/bin/env python3
"""The matrix is checked data: a broken matrix.meson or an incomplete arch
port fails `meson setup` with a message naming the table, entry and key (or
the cell and file/flag), and a port is data plus the files PORTING.md lists.

usage: test-matrix.py SOURCE SCRATCH

Each case configures a scratch copy of SOURCE, changed one way: meson code
appended to matrix.meson (it runs after the tables, so it can replace or
drop an entry), or a file removed. Cases that must configure also check
what the configuration holds: which cells exist, which kernels `ninja -n`
would build, what the summary says.
"""
import json
import os
import re
import shutil
import subprocess
import sys


def drop(table, key, entry=None):
    """meson code that removes table[key] (or table[entry][key])."""
    if entry is None:
        return (f"_t = {{}}\nforeach k, v : {table}\n  if k != '{key}'\n    _t += {{k: v}}\n"
                f"  endif\nendforeach\n{table} = _t\n")
    return (f"_e = {{}}\nforeach k, v : {table}['{entry}']\n  if k != '{key}'\n    _e += {{k: v}}\n"
            f"  endif\nendforeach\n{table} += {{'{entry}': _e}}\n")


def patch(table, entry, key, value):
    """meson code that sets table[entry][key] = value (meson source)."""
    return f"{table} += {{'{entry}': {table}['{entry}'] + {{'{key}': {value}}}}}\n"


O3 = ("xsc_variants += {'O3': xsc_variants['base'] + "
      "{'cflags': xsc_variants['base']['cflags'] + ['-O3']}}\n")

# (description, matrix.meson addition, files to remove, -D options, must
#  configure?, strings the output must hold, extra check name)
CASES = [
    ('an arch whose kernel arch has no xsc_kernels entry',
     drop('xsc_kernels', 'arm64'), [], [], False,
     ["xsc_arches['aarch64']['kernel_arch'] is 'arm64', which is not a key of xsc_kernels"], None),
    ('a variant without a required key',
     drop('xsc_variants', 'cpu', 'hardened'), [], [], False,
     ["xsc_variants['hardened'] has no key 'cpu'"], None),
    ('a variant with an unknown key (the old name family_cflags)',
     patch('xsc_variants', 'base', 'family_cflags', '{}'), [], [], False,
     ["xsc_variants['base'] has an unknown key 'family_cflags'"], None),
    ('a hardened variant without flags for one kernel arch',
     patch('xsc_variants', 'hardened', 'arch_cflags', "{'x86': ['-fcf-protection=full']}"),
     [], [], False,
     ["xsc_variants['hardened']['arch_cflags'] has no entry for kernel arch 'arm64'",
      'aarch64-hardened', "'unsupported'"], None),
    ('a per-kernel-arch table keyed by a user-space arch name',
     patch('xsc_variants', 'hardened', 'cpu', "{'x86_64': 'max', 'arm64': 'max'}"), [], [], False,
     ["xsc_variants['hardened']['cpu'] names 'x86_64', which is not a kernel arch"], None),
    ('a variant naming a kernel profile that does not exist',
     patch('xsc_variants', 'hardened', 'kernel_profile', "'nonexistent'"), [], [], False,
     ["xsc_variants['hardened']['kernel_profile'] is 'nonexistent', which is not a key of "
      "xsc_kernel_profiles"], None),
    ('a kernel profile without fragments for one kernel arch',
     patch('xsc_kernel_profiles', 'hardened', 'fragments',
           "{'x86': ['kernel/configs/hardened-x86.config']}"), [], [], False,
     ["xsc_kernel_profiles['hardened']['fragments'] has no entry for kernel arch 'arm64'"], None),
    ('a port without the boot init\'s arch glue',
     '', ['tests/boot/arch-arm64/boot_arch.h'], [], False,
     ['kernel arch arm64', 'tests/boot/arch-arm64/boot_arch.h is missing', 'docs/PORTING.md'], None),
    ('a port without the driver\'s arch hooks',
     '', ['kernel/arch-x86/include/asm/xsc.h'], ['-Darches=x32'], False,
     ['kernel arch x86', 'kernel/arch-x86/include/asm/xsc.h is missing', 'docs/PORTING.md'], None),
    ('a port without the config check\'s bad fragment',
     '', ['tests/builder/unsatisfiable-arm64.config'], [], False,
     ['tests/builder/unsatisfiable-arm64.config is missing', 'docs/PORTING.md'], None),
    ('a kernel fragment that does not exist',
     "xsc_kernels += {'arm64': xsc_kernels['arm64'] + {'fragments': "
     "['kernel/configs/common.config', 'kernel/configs/arm64-missing.config']}}\n", [], [], False,
     ['kernel/configs/arm64-missing.config is missing'], None),
    ('a variant flag the cell\'s compiler rejects',
     patch('xsc_variants', 'hardened', 'arch_cflags',
           "{'x86': ['-mbranch-protection=standard'], 'arm64': ['-mbranch-protection=standard']}"),
     [], ['-Darches=x86_64'], False,
     ['cell x86_64-hardened', 'x86_64-linux-gnu-gcc rejects', '-mbranch-protection=standard',
      'docs/PORTING.md'], None),
    ('a variant that does not exist on an arch leaves its cell out',
     patch('xsc_variants', 'hardened', 'unsupported', "{'x32': 'a made-up reason'}"),
     [], [], True, ['Cells left out', 'x32-hardened', 'a made-up reason'], 'no-x32-hardened'),
    # no XSC glibc: the guest programs are then linked by the builder's
    # toolchain (image_toolchains), so building two of them does not build
    # a glibc first
    ('a port without libxsc arch hooks uses the generic fallback and builds',
     '', ['libc/xsc/arch-arm64/syscall_arch.h'], ['-Darches=aarch64', '-Dvariants=base',
                                                  '-Dglibc_cells=none'], True,
     ['generic fallback', 'arm64'], 'generic-builds'),
    ('a user-space-only variant builds no kernel of its own (all variants)',
     O3, [], [], True, ['O3'], 'kernels:arm64-base,arm64-debug,arm64-hardened,x86-base,x86-debug,x86-hardened'),
    ('a user-space-only variant alone builds only the base kernels',
     O3, [], ['-Dvariants=O3'], True, ['x86_64-O3'], 'kernels:arm64-base,x86-base'),
]


def copy_source(source, dest):
    """The source tree without .git and build directories."""
    def ignore(d, names):
        return [n for n in names if n == '.git' or
                os.path.exists(os.path.join(d, n, 'meson-private'))]
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest, symlinks=True, ignore=ignore)


def kernels_ninja_would_build(builddir):
    r = subprocess.run(['ninja', '-C', builddir, '-n'], capture_output=True, text=True)
    # kernel/<make_target>-<kernel name>: the image output of each kernel target
    return sorted({m.group(1) for m in re.finditer(r'Generating kernel/kernel-(\S+) with', r.stdout)
                   })


def extra_check(kind, src, build):
    """(ok, note) for a configured scratch build."""
    if kind == 'no-x32-hardened':
        with open(os.path.join(build, 'xsc-cells.json')) as f:
            cells = [c['cell'] for c in json.load(f)['cells']]
        return 'x32-hardened' not in cells and 'x86_64-hardened' in cells, f'cells: {cells}'
    if kind == 'generic-builds':
        r = subprocess.run(['ninja', '-C', build, 'tests/xsc/abi-aarch64-base',
                            'bench/bench-aarch64-base'], capture_output=True, text=True)
        return r.returncode == 0, 'guest programs built over arch-generic: ' + (
            'yes' if r.returncode == 0 else r.stdout[-1500:])
    if kind.startswith('kernels:'):
        want = kind.split(':', 1)[1].split(',')
        got = kernels_ninja_would_build(build)
        return got == want, f'ninja -n would build kernels {got} (want {want})'
    raise ValueError(kind)


def main():
    source, scratch = sys.argv[1:3]
    src, build = os.path.join(scratch, 'src'), os.path.join(scratch, 'build')
    print(f'1..{len(CASES)}')
    failed = 0
    for n, (what, addition, remove, opts, must_pass, expect, extra) in enumerate(CASES, 1):
        copy_source(source, src)
        shutil.rmtree(build, ignore_errors=True)
        if addition:
            with open(os.path.join(src, 'matrix.meson'), 'a') as f:
                f.write('\n# test-matrix.py\n' + addition)
        for rel in remove:
            os.remove(os.path.join(src, rel))
        # cwd: meson 1.0.1's setup runs `ninja -t restat` and `-t cleandead`
        # in its working directory (meson test's is the matrix build's)
        r = subprocess.run(['meson', 'setup', build, src] + opts, capture_output=True, text=True,
                           cwd=scratch)
        out = r.stdout + r.stderr
        missing = [e for e in expect if e not in out]
        ok = (r.returncode == 0) == must_pass and not missing
        note = ''
        if ok and extra:
            ok, note = extra_check(extra, src, build)
        failed += not ok
        verb = 'configures' if must_pass else 'fails'
        print(f"{'ok' if ok else 'not ok'} {n} - {what}: {verb}"
              + ('' if must_pass else f' naming {expect}'))
        if note:
            print('# ' + note)
        if not ok:
            print(f'# exit {r.returncode}, not found: {missing}')
            print('# ' + out.strip()[-2500:].replace('\n', '\n# '))
        else:
            errors = [line for line in out.splitlines() if 'ERROR:' in line]
            if errors:
                print('# ' + errors[0].strip())
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
