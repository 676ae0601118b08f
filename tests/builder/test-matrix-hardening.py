#!/usr/bin/env python3
"""ci/matrix's hardening column and metadata record what the reports say.

usage: test-matrix-hardening.py CI_MATRIX SCRATCH

ci/matrix reads two reports per cell from the build tree: xsc-elfcheck's
JSON (tests/boot/elfcheck-<cell>.json) and the boot record of the guest
program 'hardening' (tests/boot/hardening-<cell>.json). This feeds it
reports written here, each made to show one thing, and checks the numbers
and words it derives: a waived check is counted apart and never as a pass,
a closure that is not complete is listed as blocking, a runtime SKIP is
neither passed nor failed and its reason is listed as not exercised (with
the cell's not_proven), a failed case is counted as failed, and a cell
without a report has no column and is listed as not exercised. TAP.
"""
import importlib.machinery
import importlib.util
import json
import os
import shutil
import sys

from tap import check, done

matrix_path, scratch = sys.argv[1:3]
loader = importlib.machinery.SourceFileLoader('ci_matrix', matrix_path)
spec = importlib.util.spec_from_loader('ci_matrix', loader)
matrix = importlib.util.module_from_spec(spec)
loader.exec_module(matrix)


def elf(path, **status):
    """One file of an xsc-elfcheck report; every check passes unless named."""
    names = ('pie', 'relro', 'bindnow', 'nxstack', 'textrel', 'wx', 'stackprot', 'fortify',
             'property', 'landing', 'closure')
    return {'path': path, 'result': 'fail' if 'fail' in status.values() else 'pass',
            'checks': {n: {'status': status.get(n, 'pass'), 'required': True, 'detail': f'{n} detail'}
                       for n in names}}


def write(cell, files, runtime_cases, policy='hardened'):
    d = os.path.join(scratch, cell, 'tests', 'boot')
    os.makedirs(d, exist_ok=True)
    summary = {'elf': len(files), 'fail': sum(f['result'] == 'fail' for f in files)}
    with open(os.path.join(d, f'elfcheck-{cell}.json'), 'w') as f:
        json.dump({'policy': policy, 'files': files, 'summary': summary}, f)
    if runtime_cases is not None:
        with open(os.path.join(d, f'hardening-{cell}.json'), 'w') as f:
            json.dump({'checks': [{'ok': True, 'what': 'guest: mount /proc', 'directive': ''}] + [
                {'ok': ok, 'what': 'guest: hardening: ' + what, 'directive': directive}
                for ok, what, directive in runtime_cases]}, f)
    return os.path.join(scratch, cell)


def report(cell, not_proven=''):
    return matrix.hardening_report({'cell': cell, 'not_proven': not_proven}, os.path.join(scratch, cell))


shutil.rmtree(scratch, ignore_errors=True)
print('1..11')

# every file passes every check; three runtime cases pass
b = write('full', [elf('/a'), elf('/b'), elf('/c')],
          [(True, 'stack smash: killed by signal 6', ''), (True, 'BTI: killed by signal 4', ''),
           (True, 'PAC: killed by signal 11', '')])
h = report('full')
check(h['coverage']['property'] == {'required': True, 'pass': 3, 'waived': 0, 'fail': 0, 'applies': 3,
                                    'percent': 100.0} and h['blocking'] == [],
      f'full coverage: property 3 of 3, 100 %, nothing blocking ({h["coverage"]["property"]})')
col = matrix.hardening_column(h)
check(col == 'hardened: 3 ELF, 0 fail, notes 100%, pads 100%; runtime 3 ok 0 skip 0 fail',
      f'full coverage: column "{col}"')

# a waived note and a waived closure: not passes, and the closure is named
write('waived', [elf('/a'), elf('/lib/libstdc++.so.6', property='waived', landing='waived'),
                 elf('/cxx', closure='waived')], [(True, 'stack smash: killed by signal 6', '')])
h = report('waived')
p = h['coverage']['property']
check(p['pass'] == 2 and p['waived'] == 1 and p['percent'] == 66.7,
      f'a waived note counts apart, not as a pass: {p}')
check(len(h['blocking']) == 1 and h['blocking'][0].startswith('/cxx (waived)'),
      f'a waived closure is listed as blocking: {h["blocking"]}')
col = matrix.hardening_column(h)
check('notes 66.7%' in col and '1 closure(s) waived or blocked' in col, f'waived: column "{col}"')

# a failing file, a failed runtime case and a SKIP with its reason
write('broken', [elf('/a', landing='fail'), elf('/b')],
      [(True, 'stack smash: killed by signal 6', ''),
       (False, 'GOT write: exited 0', ''),
       (True, 'CET shadow stack', '# SKIP QEMU 7.2 emulates no CET')])
h = report('broken', not_proven='x86 CET cannot be enforced here')
rt = h['runtime']
check((rt['passed'], rt['skipped'], rt['failed']) == (1, 1, 1),
      f'runtime: a failure and a SKIP are neither passes ({rt["passed"]} ok, {rt["skipped"]} skip, '
      f'{rt["failed"]} fail)')
check(h['not_exercised'] == ['x86 CET cannot be enforced here', 'QEMU 7.2 emulates no CET'],
      f'not exercised: the cell\'s not_proven and the SKIP reason ({h["not_exercised"]})')
check(h['coverage']['landing']['fail'] == 1 and h['elf_failed'] == 1
      and '1 fail' in matrix.hardening_column(h).split(';')[0],
      f'a failing file is counted: {matrix.hardening_column(h)}')

# elfcheck ran but the guest did not
write('noboot', [elf('/a')], None)
col = matrix.hardening_column(report('noboot'))
check(col.endswith('runtime not run'), f'no runtime record: column "{col}"')

# no elfcheck report (a cell without an XSC glibc)
os.makedirs(os.path.join(scratch, 'none'), exist_ok=True)
h = report('none')
check(h is None and matrix.hardening_column(h) == '-', f'no report: no column ({h})')
what = matrix.not_exercised({'cell': 'none', 'not_proven': 'x86 CET cannot be enforced here'}, h)
check(len(what) == 2 and 'not run' in what[0] and what[1] == 'x86 CET cannot be enforced here',
      f'no report: the summary says the checks did not run, and the not_proven ({what})')

done()
