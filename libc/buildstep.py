"""What the libc build steps share (glibc/build-glibc.py,
libgcc/build-libgcc.py, libgcc/build-cxx-runtime.py, make-toolchain.py):
running a command with its output kept in a log (on failure the log's tail
goes to stderr and the step stops with one line naming the command and the
log), installing a file only when its bytes changed (otherwise it keeps its
time, so nothing downstream sees a change), and writing a JSON stamp whole
or not at all."""
import json
import os
import shlex
import shutil
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


def install_if_changed(src, dst, mode=None):
    """Copy src to dst (creating its directory; chmod mode if given) unless
    dst has the same bytes. Returns whether it copied."""
    try:
        with open(src, 'rb') as a, open(dst, 'rb') as b:
            if a.read() == b.read():
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst + '.tmp')
    if mode is not None:
        os.chmod(dst + '.tmp', mode)
    os.replace(dst + '.tmp', dst)
    return True


def write_json(path, data):
    """data as indented JSON (sorted keys) to path, through a temporary
    file: a reader never sees half a stamp."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)
