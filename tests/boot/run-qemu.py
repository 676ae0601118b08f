#!/usr/bin/env python3
"""Boot one XSC cell in QEMU and report as TAP.

The guest's init (tests/boot/init.c) prints "XSC: ok|not ok <check>" lines,
"XSC: done <n>" and "XSC-JSON: {...}", then exits QEMU with status 33 (pass)
or 35 (fail). This harness adds its own checks (QEMU's status, a complete
report, a serial log free of kernel bug reports), prints one TAP line per
check and an explicit "not ok" on every failure path (timeout, crash, short
report), because meson's JUnit shows a TAP suite that just stops as passed.

The whole serial output goes to --log; a JSON record of the boot to --json.
"""
import argparse
import json
import os
import re
import selectors
import shlex
import subprocess
import sys
import time

QEMU_PASS, QEMU_FAIL = 33, 35
BUG_MARKERS = re.compile(r'BUG:|WARNING:|Oops|Kernel panic|possible (recursive|circular) locking'
                         r'|INFO: lockdep|Call [Tt]race:')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cell', required=True)
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--machine', required=True)
    ap.add_argument('--cpu', required=True)
    ap.add_argument('--console', required=True)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--kernel-json', required=True)
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--abi', required=True)
    ap.add_argument('--features', default='', help='comma-separated cpuinfo features')
    ap.add_argument('--not-proven', action='append', default=[],
                    help='something this boot cannot exercise: reported as SKIP')
    ap.add_argument('--negative-control', action='store_true',
                    help='the guest must detect a failure (QEMU status 35)')
    ap.add_argument('--run', help='test program in the initramfs to run after the boot checks')
    ap.add_argument('--append', action='append', default=[], help='extra kernel command line words')
    ap.add_argument('--memory', default='256')
    ap.add_argument('--timeout', type=float, default=240)
    ap.add_argument('--log', required=True)
    ap.add_argument('--json', required=True)
    ap.add_argument('qemu_args', nargs='*')
    args = ap.parse_args()

    with open(args.kernel_json) as f:
        release = json.load(f)['release']
    append = [f'console={args.console}', 'panic=-1', 'loglevel=5',
              f'xsc_cell={args.cell}', f'xsc_abi={args.abi}', f'xsc_release={release}']
    if args.features:
        append.append(f'xsc_features={args.features}')
    if args.run:
        append.append(f'xsc_run={args.run}')
    append += args.append
    # two vCPUs: a ring worker and its submitter can run side by side (MTTCG)
    cmd = [args.qemu, '-M', args.machine, '-cpu', args.cpu, '-m', args.memory, '-smp', '2',
           '-nodefaults', '-display', 'none', '-serial', 'stdio', '-no-reboot',
           '-kernel', args.kernel, '-initrd', args.initrd, '-append', ' '.join(append)]
    cmd += args.qemu_args

    print('TAP version 13')
    print('# ' + shlex.join(cmd))
    sys.stdout.flush()

    start = time.monotonic()
    guest, notes, report, done, timed_out = [], [], None, None, False
    with open(args.log, 'wb') as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        pending = b''
        kernel_lines = []  # the serial log less init's own report lines
        while True:
            left = args.timeout - (time.monotonic() - start)
            if left <= 0:
                timed_out = True
                proc.kill()
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if chunk:
                log.write(chunk)
                log.flush()
                pending += chunk
                *lines, pending = pending.split(b'\n')
            else:               # end of output: a last line without newline counts
                lines, pending = [pending], b''
            for raw in lines:
                line = raw.decode(errors='replace').rstrip('\r')
                if line.startswith('XSC: done '):
                    done = int(line.split()[2])
                elif line.startswith('XSC: '):
                    guest.append(line[5:])
                elif line.startswith('XSC-NOTE: '):
                    notes.append(line[10:])
                elif line.startswith('XSC-JSON: '):
                    try:
                        report = json.loads(line[10:])
                    except ValueError:
                        report = {'unparsable': line[10:]}
                else:
                    kernel_lines.append(line)
            if not chunk:
                break
        kernel_lines.append(pending.decode(errors='replace'))
        status = proc.wait()
    duration = time.monotonic() - start

    results = []  # (ok, description, directive)

    def add(ok, what, directive=''):
        results.append((ok, what, directive))

    guest_failed = [g for g in guest if g.startswith('not ok')]
    if args.negative_control:
        add(bool(guest_failed),
            'negative control: guest reported the promised check failing'
            + (': ' + '; '.join(g[7:] for g in guest_failed) if guest_failed else ''))
        add(status == QEMU_FAIL, f'negative control: QEMU exit status {status} (want {QEMU_FAIL})')
    else:
        for g in guest:
            ok = g.startswith('ok ')
            what, _, skip = (g[3:] if ok else g[7:]).partition(' # SKIP')
            add(ok, 'guest: ' + what, '# SKIP' + skip if skip else '')
        add(status == QEMU_PASS, f'QEMU exit status {status} (want {QEMU_PASS})'
            + (f'; killed after {args.timeout:.0f} s' if timed_out else ''))
    add(not timed_out, f'boot finished within {args.timeout:.0f} s ({duration:.1f} s)')
    add(done is not None and done == len(guest) and report is not None,
        f'guest report complete ({len(guest)} checks, done={done})')
    bug = BUG_MARKERS.search('\n'.join(kernel_lines))
    add(bug is None, 'serial log has no BUG/WARNING/Oops/lockdep report'
        + (f': {bug.group(0)}' if bug else ''))
    for text in args.not_proven:
        what, _, reason = text.partition(': ')
        add(True, what, '# SKIP ' + (reason or what))

    for note in notes:
        print('# ' + note)
    for n, (ok, what, directive) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {what}{(' ' + directive) if directive else ''}")
    print(f'1..{len(results)}')
    passed = all(ok for ok, _, _ in results)
    if not passed:
        print(f'# serial log: {args.log}')

    record = {
        'cell': args.cell, 'passed': passed, 'negative_control': args.negative_control,
        'qemu_command': cmd, 'qemu_status': status, 'timed_out': timed_out,
        'duration_s': round(duration, 2), 'guest_report': report, 'serial_log': os.path.abspath(args.log),
        'checks': [{'ok': ok, 'what': what, 'directive': d} for ok, what, d in results],
    }
    with open(args.json, 'w') as f:
        json.dump(record, f, indent=2)
        f.write('\n')
    return 0 if passed else 1


if __name__ == '__main__':
    sys.exit(main())
