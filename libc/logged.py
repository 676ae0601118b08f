"""Running a build step's commands with their output kept in a log: the
helper the libc build scripts (glibc/build-glibc.py, libgcc/build-libgcc.py)
share. On failure the log's tail goes to stderr and the step stops with one
line naming the command and the log."""
import shlex
import subprocess
import sys


def run(cmd, log, name, **kw):
    """Run cmd with its output appended to log; on failure exit with
    '<name>: <command> ... failed (exit N); full log: <log>'."""
    with open(log, 'a') as f:
        f.write('$ ' + ' '.join(shlex.quote(c) for c in cmd) + '\n')
        f.flush()
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw)
    if r.returncode != 0:
        with open(log) as f:
            sys.stderr.write(''.join(f.readlines()[-15:]))
        sys.exit(f'{name}: {cmd[0]} {" ".join(cmd[1:3])} ... failed (exit {r.returncode}); full log: {log}')
