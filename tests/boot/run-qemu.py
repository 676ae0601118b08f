#!/usr/bin/env python3
"""Boot one XSC cell in QEMU and report as TAP.

The guest's init (tests/boot/init.c) prints a line per check, the count of
checks and a JSON report, then exits QEMU with a pass or fail status, all
as boot_protocol.h (beside this file) states; the constants are read from
that header. This harness adds its own checks (QEMU's status, a complete
report, a serial log free of kernel bug reports), prints one TAP line per
check and an explicit "not ok" on every failure path (timeout, crash, short
report), because meson's JUnit shows a TAP suite that just stops as passed.

The whole serial output goes to --log; a JSON record of the boot to --json.
"""
import argparse
import ast
import json
import os
import re
import selectors
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field

PROTOCOL_H = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'boot_protocol.h')


def read_protocol(path=PROTOCOL_H):
    """{NAME: value} for the header's '#define NAME value' lines (continued
    lines joined): an int, a str, or a tuple of strs."""
    with open(path) as f:
        text = f.read().replace('\\\n', ' ')
    protocol = {}
    for name, value in re.findall(r'^#define (BOOT_\w+) (.+)$', text, re.M):
        value = ast.literal_eval(value.strip())
        protocol[name] = value
    return protocol


P = read_protocol()


@dataclass
class Serial:
    """What the guest said on its console."""
    checks: list = field(default_factory=list)     # "ok ..." / "not ok ..."
    notes: list = field(default_factory=list)
    kernel_lines: list = field(default_factory=list)  # the rest: the kernel's log
    report: dict = None
    done: int = None
    timed_out: bool = False
    status: int = None
    duration: float = 0.0

    def take(self, line):
        if line.startswith(P['BOOT_DONE_PREFIX']):
            self.done = int(line[len(P['BOOT_DONE_PREFIX']):].split()[0])
        elif line.startswith(P['BOOT_CHECK_PREFIX']):
            self.checks.append(line[len(P['BOOT_CHECK_PREFIX']):])
        elif line.startswith(P['BOOT_NOTE_PREFIX']):
            self.notes.append(line[len(P['BOOT_NOTE_PREFIX']):])
        elif line.startswith(P['BOOT_JSON_PREFIX']):
            try:
                self.report = json.loads(line[len(P['BOOT_JSON_PREFIX']):])
            except ValueError:
                self.report = {'unparsable': line[len(P['BOOT_JSON_PREFIX']):]}
        else:
            self.kernel_lines.append(line)


def parse_args(argv=None):
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
    return ap.parse_args(argv)


def qemu_command(args):
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
    return [args.qemu, '-M', args.machine, '-cpu', args.cpu, '-m', args.memory, '-smp', '2',
            '-nodefaults', '-display', 'none', '-serial', 'stdio', '-no-reboot',
            '-kernel', args.kernel, '-initrd', args.initrd, '-append', ' '.join(append)] \
        + args.qemu_args


def read_serial(cmd, log_path, timeout):
    """Run QEMU, copy its console to log_path and sort the lines; kill it
    after timeout seconds."""
    serial = Serial()
    start = time.monotonic()
    with open(log_path, 'wb') as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        pending = b''
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                serial.timed_out = True
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
                serial.take(raw.decode(errors='replace').rstrip('\r'))
            if not chunk:
                break
        serial.kernel_lines.append(pending.decode(errors='replace'))
        serial.status = proc.wait()
    serial.duration = time.monotonic() - start
    return serial


def evaluate(serial, args):
    """[(ok, description, directive)]: the guest's checks and the harness's."""
    results = []

    def add(ok, what, directive=''):
        results.append((ok, what, directive))

    guest_failed = [g for g in serial.checks if g.startswith('not ok')]
    status, passed, failed = serial.status, P['BOOT_QEMU_PASS'], P['BOOT_QEMU_FAIL']
    if args.negative_control:
        add(bool(guest_failed),
            'negative control: guest reported the promised check failing'
            + (': ' + '; '.join(g[7:] for g in guest_failed) if guest_failed else ''))
        add(status == failed, f'negative control: QEMU exit status {status} (want {failed})')
    else:
        for g in serial.checks:
            ok = g.startswith('ok ')
            what, _, skip = (g[3:] if ok else g[7:]).partition(' # SKIP')
            add(ok, 'guest: ' + what, '# SKIP' + skip if skip else '')
        add(status == passed, f'QEMU exit status {status} (want {passed})'
            + (f'; killed after {args.timeout:.0f} s' if serial.timed_out else ''))
    add(not serial.timed_out, f'boot finished within {args.timeout:.0f} s ({serial.duration:.1f} s)')
    add(serial.done is not None and serial.done == len(serial.checks) and serial.report is not None,
        f'guest report complete ({len(serial.checks)} checks, done={serial.done})')
    log = '\n'.join(serial.kernel_lines)
    bug = next((m for m in P['BOOT_BUG_MARKERS'] if m in log), None)
    add(bug is None, 'serial log has no BUG/WARNING/Oops/lockdep report'
        + (f': {bug}' if bug else ''))
    for text in args.not_proven:
        what, _, reason = text.partition(': ')
        add(True, what, '# SKIP ' + (reason or what))
    return results


def print_tap(serial, results, log_path):
    for note in serial.notes:
        print('# ' + note)
    for n, (ok, what, directive) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {what}{(' ' + directive) if directive else ''}")
    print(f'1..{len(results)}')
    if not all(ok for ok, _, _ in results):
        print(f'# serial log: {log_path}')


def write_record(path, args, cmd, serial, results):
    record = {
        'cell': args.cell, 'passed': all(ok for ok, _, _ in results),
        'negative_control': args.negative_control,
        'qemu_command': cmd, 'qemu_status': serial.status, 'timed_out': serial.timed_out,
        'duration_s': round(serial.duration, 2), 'guest_report': serial.report,
        'serial_log': os.path.abspath(args.log),
        'checks': [{'ok': ok, 'what': what, 'directive': d} for ok, what, d in results],
    }
    with open(path, 'w') as f:
        json.dump(record, f, indent=2)
        f.write('\n')


def main():
    args = parse_args()
    cmd = qemu_command(args)
    print('TAP version 13')
    print('# ' + shlex.join(cmd))
    sys.stdout.flush()
    serial = read_serial(cmd, args.log, args.timeout)
    results = evaluate(serial, args)
    print_tap(serial, results, args.log)
    write_record(args.json, args, cmd, serial, results)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
