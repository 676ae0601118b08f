#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build deliberately bad binaries (each with a good twin) for x86_64, x32
and aarch64 with the Debian cross compilers, run xsc-elfcheck on them and
print TAP. Usage: run-tests.py --tool PATH --workdir DIR [--no-smoke]"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys

ABIS = {
    # name: (compiler, is x86)
    'x86_64': ('x86_64-linux-gnu-gcc', True),
    'x32': ('x86_64-linux-gnux32-gcc', True),
    'aarch64': ('aarch64-linux-gnu-gcc', False),
}

PROG_C = r'''
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	char buf[64];
	strcpy(buf, argc > 1 ? argv[1] : "x");
	printf("%d %s\n", argc, buf);
	return buf[0] == 'q';
}
'''

NOFORT_C = r'''
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
'''

# Functions for the no-libc objects (landing pads, properties, closure).
LIB_C = r'''
int lib_counter;
static int helper(int x) { return x * 3 + lib_counter; }
int lib_add(int a, int b) { lib_counter++; return helper(a) + b; }
int lib_call(int (*f)(int, int), int a) { return f(a, a) + 1; }
'''

# Own _start so that no unmarked crt object clears the property bits.
START_C = r'''
extern int lib_add(int, int);
int use_lib(int a) { return lib_add(a, 2); }
void _start(void)
{
	volatile int r = use_lib(1);
	(void)r;
	for (;;)
		;
}
'''

TEXTREL_S = r'''
	.text
	.globl tr_func
	.type tr_func, %function
tr_func:
	.long 0
	.size tr_func, .-tr_func
	{word} tr_data
	.data
	.globl tr_data
tr_data:
	.long 1
	.section .note.GNU-stack,"",%progbits
'''

NOTEXTREL_S = TEXTREL_S.replace('\t{word} tr_data\n\t.data\n',
                                '\t.section .data.rel.ro,"aw"\n\t{word} tr_data\n\t.data\n')

WX_S = r'''
	.section .wxsec,"awx",%progbits
	.globl wx_word
wx_word:
	.long 0
	.section .note.GNU-stack,"",%progbits
'''

GOOD = ['-O2', '-fPIE', '-pie', '-fstack-protector-strong',
        '-D_FORTIFY_SOURCE=2', '-Wl,-z,relro', '-Wl,-z,now',
        '-Wl,-z,noexecstack']


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        self.lines = []

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            self.lines.append('ok %d - %s' % (self.n, desc))
        else:
            self.failed += 1
            self.lines.append('not ok %d - %s' % (self.n, desc))
            if diag:
                for l in str(diag).splitlines()[:12]:
                    self.lines.append('# ' + l)

    def skip(self, desc, why):
        self.n += 1
        self.lines.append('ok %d - %s # SKIP %s' % (self.n, desc, why))

    def finish(self):
        print('1..%d' % self.n)
        for l in self.lines:
            print(l)
        sys.stdout.flush()
        return 1 if self.failed else 0


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw)


class Env:
    def __init__(self, tool, work):
        self.tool = tool
        self.work = work

    def write(self, name, text):
        p = os.path.join(self.work, name)
        with open(p, 'w') as f:
            f.write(text)
        return p

    def build(self, cc, out, srcs, flags):
        out = os.path.join(self.work, out)
        libs = [x for x in flags if x.startswith('-l')]
        flags = [x for x in flags if not x.startswith('-l')]
        r = sh([cc] + flags + srcs + libs + ['-o', out])
        if r.returncode:
            raise RuntimeError('%s failed:\n%s' % (' '.join([cc] + flags + srcs), r.stderr))
        return out

    def run(self, paths, policy='base', sysroot=None, waivers=None):
        cmd = [self.tool, '--policy', policy, '--json', '-']
        if sysroot:
            cmd += ['--sysroot', sysroot]
        if waivers:
            cmd += ['--waivers', waivers]
        r = sh(cmd + list(paths))
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            doc = None
        return r.returncode, doc, r.stderr

    def checks(self, path, **kw):
        rc, doc, err = self.run([path], **kw)
        if not doc or not doc['files'] or 'checks' not in doc['files'][0]:
            return rc, {}, err
        return rc, doc['files'][0], err


def expect(tap, env, path, check, status, desc, contains=None, **kw):
    rc, f, err = env.checks(path, **kw)
    c = f.get('checks', {}).get(check) if f else None
    good = c is not None and c['status'] == status
    if good and contains:
        good = contains in c['detail']
    tap.ok(good, desc, c if c else 'rc=%d %s' % (rc, err))
    return f


def waiver_tests(tap, env, abi, bad):
    """--waivers: a failure the file names becomes 'waived' with its reason
    (exit 0), never 'pass'; a waiver for another check or another path
    changes nothing; a malformed waiver file is a usage error."""
    name = os.path.basename(bad)
    cases = (('relro */%s built without RELRO on purpose' % name, 0, 'waived'),
             ('bindnow */%s another check' % name, 1, 'fail'),
             ('relro */no-such-file another path' , 1, 'fail'))
    for i, (line, want_rc, want) in enumerate(cases):
        wf = env.write('%s-waivers-%d' % (abi, i), '# a comment\n\n' + line + '\n')
        rc, doc, err = env.run([bad], waivers=wf)
        c = doc['files'][0]['checks']['relro'] if doc and doc['files'] else {}
        ok = rc == want_rc and c.get('status') == want
        if want == 'waived':
            ok = ok and 'on purpose' in c.get('detail', '') and doc['summary']['waived'] == 1
        tap.ok(ok, '%s: --waivers "%s": relro %s, exit %d' % (abi, line.split(' ', 2)[0] + ' ' +
               line.split(' ', 2)[1], want, want_rc), c or err)
    wf = env.write('%s-waivers-bad' % abi, 'nosuchcheck * reason\n')
    rc, doc, err = env.run([bad], waivers=wf)
    tap.ok(rc == 2 and 'nosuchcheck' not in err and ':1:' in err,
           '%s: a waiver naming an unknown check: exit 2 naming the line' % abi, err)


def abi_tests(tap, env, abi, cc, x86):
    w = lambda n: abi + '-' + n
    prog = env.write('prog.c', PROG_C)
    nofort = env.write('nofort.c', NOFORT_C)
    lib = env.write('lib.c', LIB_C)
    start = env.write('start.c', START_C)
    word = '.quad' if abi in ('x86_64', 'aarch64') else '.long'
    trs = env.write(w('textrel.s'), TEXTREL_S.format(word=word))
    ntrs = env.write(w('notextrel.s'), NOTEXTREL_S.format(word=word))
    wxs = env.write('wx.s', WX_S)

    good = env.build(cc, w('good'), [prog], GOOD)
    rc, f, err = env.checks(good)
    tap.ok(rc == 0 and f.get('result') == 'pass',
           '%s: good twin passes the base policy' % abi, f or err)

    def pair(check, bad_flags, desc, good_path=good, bad_srcs=None,
             contains=None, drop=()):
        flags = [x for x in GOOD if x not in drop] + bad_flags
        bad = env.build(cc, w('bad-' + check), bad_srcs or [prog], flags)
        expect(tap, env, bad, check, 'fail',
               '%s: %s fails on %s' % (abi, check, desc), contains)
        expect(tap, env, good_path, check, 'pass',
               '%s: %s passes on good twin' % (abi, check))
        rc, f, _ = env.checks(bad)
        tap.ok(rc == 1, '%s: exit 1 for %s' % (abi, desc))

    pair('pie', ['-fno-PIE', '-no-pie'], '-no-pie', drop=('-fPIE', '-pie'))
    pair('relro', ['-Wl,-z,norelro'], '-z norelro', drop=('-Wl,-z,relro',))
    waiver_tests(tap, env, abi, os.path.join(env.work, w('bad-relro')))
    pair('bindnow', ['-Wl,-z,lazy'], '-z lazy', drop=('-Wl,-z,now',))
    pair('nxstack', ['-Wl,-z,execstack'], '-z execstack',
         drop=('-Wl,-z,noexecstack',))
    pair('wx', ['-Wl,--no-warn-rwx-segments'], 'an awx section',
         bad_srcs=[prog, wxs])
    pair('stackprot', ['-fno-stack-protector'], '-fno-stack-protector',
         drop=('-fstack-protector-strong',))
    pair('fortify', ['-U_FORTIFY_SOURCE'], '-U_FORTIFY_SOURCE',
         drop=('-D_FORTIFY_SOURCE=2',))
    nf = env.build(cc, w('nofort'), [nofort], GOOD)
    expect(tap, env, nf, 'fortify', 'n/a',
           '%s: fortify n/a when no fortifiable function is called' % abi)

    # Text relocations: shared libraries from hand-written assembly.
    shflags = ['-shared', '-nostdlib', '-Wl,-z,relro,-z,now',
               '-Wl,-z,noexecstack']
    tr = env.build(cc, w('libtextrel.so'), [trs],
                   shflags + ['-Wl,-z,notext'])
    ntr = env.build(cc, w('libnotextrel.so'), [ntrs], shflags)
    expect(tap, env, tr, 'textrel', 'fail',
           '%s: textrel fails on a non-PIC word in .text' % abi)
    expect(tap, env, ntr, 'textrel', 'pass',
           '%s: textrel passes on good twin' % abi)
    expect(tap, env, ntr, 'pie', 'n/a', '%s: pie n/a on a shared library' % abi)

    # Properties and landing pads: no-libc objects so no unmarked crt file
    # clears the bits.
    if x86:
        mark = ['-fcf-protection=full', '-Wl,-z,cet-report=error']
        unmark = ['-fcf-protection=none']
        forced = ['-fcf-protection=none', '-Wl,-z,ibt', '-Wl,-z,shstk']
    else:
        mark = ['-mbranch-protection=standard']
        unmark = ['-mbranch-protection=none']
        forced = ['-mbranch-protection=none', '-Wl,-z,force-bti']
    base = ['-O2', '-fPIC', '-shared', '-nostdlib', '-Wl,-z,relro,-z,now',
            '-Wl,-z,noexecstack']
    glib = env.build(cc, w('libgood.so'), [lib], base + mark)
    blib = env.build(cc, w('libbad.so'), [lib], base + unmark)
    flib = env.build(cc, w('libforced.so'), [lib], base + forced)
    expect(tap, env, glib, 'property', 'pass', '%s: property passes (marked lib)' % abi)
    expect(tap, env, blib, 'property', 'fail', '%s: property fails (unmarked lib)' % abi)
    expect(tap, env, glib, 'landing', 'pass', '%s: landing pads present (marked lib)' % abi)
    expect(tap, env, blib, 'landing', 'fail', '%s: landing pads missing (unmarked lib)' % abi)
    if x86:
        expect(tap, env, flib, 'property', 'pass',
               '%s: -z ibt -z shstk sets the note on unmarked code' % abi)
    else:
        rc, f, _ = env.checks(flib)
        pdet = f.get('checks', {}).get('property', {}).get('detail', '')
        tap.ok(' BTI' in pdet and '(no BTI)' not in pdet,
               '%s: -z force-bti sets the BTI bit on unmarked code' % abi, pdet)
    expect(tap, env, flib, 'landing', 'fail',
           '%s: forced property without instrumentation fails landing' % abi,
           contains='property forced without instrumentation')
    rc, f, _ = env.checks(flib, policy='hardened')
    tap.ok(rc == 1, '%s: forced lib fails --policy hardened' % abi)

    # Relocatable objects (crt files) and static libraries: the note and
    # the landing pads of each object; an archive fails naming its
    # unmarked member, and passes when every member is marked.
    cflags = ['-O2', '-fPIE', '-c']
    gobj = env.build(cc, w('good.o'), [lib], cflags + [f for f in mark if not f.startswith('-Wl')])
    bobj = env.build(cc, w('bad.o'), [lib], cflags + unmark)
    sobj = env.build(cc, w('start.o'), [start], cflags + [f for f in mark if not f.startswith('-Wl')])
    f = expect(tap, env, gobj, 'property', 'pass', '%s: property passes (marked object)' % abi)
    tap.ok(f.get('kind') == 'object' and f['checks']['pie']['status'] == 'n/a',
           '%s: an object is checked as one (kind object, link checks n/a)' % abi, f)
    expect(tap, env, bobj, 'property', 'fail', '%s: property fails (unmarked object)' % abi)
    expect(tap, env, gobj, 'landing', 'pass', '%s: landing pads present (marked object)' % abi)
    expect(tap, env, bobj, 'landing', 'fail', '%s: landing pads missing (unmarked object)' % abi)
    rc, f, _ = env.checks(bobj, policy='hardened')
    tap.ok(rc == 1, '%s: unmarked object fails --policy hardened' % abi)
    rc, f, _ = env.checks(bobj, policy='base')
    tap.ok(rc == 0, '%s: and passes --policy base (nothing there for an object)' % abi)
    garch = os.path.join(env.work, w('libgood.a'))
    barch = os.path.join(env.work, w('libbad.a'))
    for a, members in ((garch, [gobj, sobj]), (barch, [gobj, bobj, sobj])):
        if os.path.exists(a):
            os.unlink(a)
        r = sh(['ar', 'rcs', a] + members)
        if r.returncode:
            raise RuntimeError('ar failed: ' + r.stderr)
    f = expect(tap, env, garch, 'property', 'pass', '%s: property passes (archive of marked objects)' % abi,
               contains='2 members pass')
    tap.ok(f.get('kind') == 'archive', '%s: a static library is checked as an archive' % abi, f)
    expect(tap, env, barch, 'property', 'fail', '%s: property fails naming the unmarked member' % abi,
           contains='1 of 3 members fail (CET / BTI note): %s' % os.path.basename(bobj))
    expect(tap, env, barch, 'landing', 'fail', '%s: landing fails naming the unmarked member' % abi,
           contains=os.path.basename(bobj))
    cut = os.path.join(env.work, w('libcut.a'))
    with open(garch, 'rb') as src, open(cut, 'wb') as dst:
        dst.write(src.read()[:os.path.getsize(garch) - 100])
    expect(tap, env, cut, 'property', 'fail', '%s: a truncated archive fails (malformed)' % abi,
           contains='malformed archive', policy='hardened')

    # Executables with an own _start: e_entry landing pad and closure.
    root = os.path.join(env.work, w('sysroot'))
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, 'lib'))
    os.makedirs(os.path.join(root, 'opt/app/lib'))
    shutil.copy(glib, os.path.join(root, 'lib/xsc-test-ld.so'))
    shutil.copy(glib, os.path.join(root, 'opt/app/lib/libgood.so'))
    shutil.copy(blib, os.path.join(root, 'opt/app/lib/libbad.so'))
    exe = ['-O2', '-fPIE', '-pie', '-nostdlib', '-Wl,-z,relro,-z,now',
           '-Wl,-z,noexecstack', '-Wl,-dynamic-linker,/lib/xsc-test-ld.so',
           '-Wl,-rpath,$ORIGIN/lib', '-L' + os.path.join(root, 'opt/app/lib')]
    gexe = env.build(cc, os.path.join(root, 'opt/app/good'), [start],
                     exe + mark + ['-lgood'])
    bexe = env.build(cc, os.path.join(root, 'opt/app/bad'), [start],
                     exe + mark + ['-lbad'])
    fexe = env.build(cc, os.path.join(root, 'opt/app/forced'), [start],
                     exe + forced + ['-lgood'])
    expect(tap, env, gexe, 'landing', 'pass', '%s: own _start exe has pads incl. e_entry' % abi,
           contains='e_entry ok')
    expect(tap, env, fexe, 'landing', 'fail', '%s: forced exe lacks pad at e_entry' % abi,
           contains='e_entry')
    expect(tap, env, gexe, 'closure', 'pass', '%s: closure passes (all marked)' % abi,
           sysroot=root)
    blocked = 'libbad.so'
    expect(tap, env, bexe, 'closure', 'fail', '%s: closure fails naming %s' % (abi, blocked),
           contains=blocked, sysroot=root)
    # A missing library is reported as unresolved.
    os.rename(os.path.join(root, 'opt/app/lib/libbad.so'),
              os.path.join(root, 'opt/app/lib/libbad.so.off'))
    expect(tap, env, bexe, 'closure', 'fail', '%s: closure reports unresolved DT_NEEDED' % abi,
           contains='unresolved: libbad.so', sysroot=root)
    os.rename(os.path.join(root, 'opt/app/lib/libbad.so.off'),
              os.path.join(root, 'opt/app/lib/libbad.so'))
    return [good, glib, gexe, tr, barch, gobj]


def fuzz(tap, env, seeds):
    d = os.path.join(env.work, 'fuzz')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    rng = random.Random(1234)
    n = 0
    for s in seeds:
        data = open(s, 'rb').read()
        for cut in sorted(set([0, 3, 4, 15, 16, 40, 52, 63, 64, 100, 200,
                               len(data) // 3, len(data) // 2,
                               len(data) - 1] + [rng.randrange(len(data))
                                                 for _ in range(10)])):
            with open(os.path.join(d, 'cut%d' % n), 'wb') as f:
                f.write(data[:max(cut, 0)])
            n += 1
        for _ in range(60):
            b = bytearray(data)
            for _ in range(rng.choice([1, 4, 16, 64])):
                # Bias flips toward the headers, where offsets live.
                lim = min(len(b), rng.choice([64, 1024, len(b)]))
                i = rng.randrange(lim)
                b[i] ^= 1 << rng.randrange(8)
            with open(os.path.join(d, 'flip%d' % n), 'wb') as f:
                f.write(bytes(b))
            n += 1
    for pol in ('base', 'hardened'):
        r = sh([env.tool, '--policy', pol, '--json', os.path.join(d, 'out.json'), d])
        ok = r.returncode in (0, 1)
        if ok:
            try:
                json.load(open(os.path.join(d, 'out.json')))
            except ValueError as e:
                ok = False
                r.stderr += 'bad JSON: %s' % e
        tap.ok(ok, 'fuzz: %d truncated/bit-flipped files, policy %s, no crash (rc=%d)'
               % (n, pol, r.returncode), r.stderr[-800:])
    # And each one separately, to catch a crash hidden by an earlier one.
    bad = []
    for name in sorted(os.listdir(d)):
        if name == 'out.json':
            continue
        r = sh([env.tool, '--policy', 'hardened', os.path.join(d, name)])
        if r.returncode not in (0, 1):
            bad.append('%s rc=%d' % (name, r.returncode))
    tap.ok(not bad, 'fuzz: every mutated file individually exits 0/1', '\n'.join(bad))


def smoke(tap, env):
    libs = ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/aarch64-linux-gnu/lib/libc.so.6']
    for l in libs:
        if not os.path.exists(l):
            tap.skip('smoke: %s' % l, 'not installed')
            continue
        rc, f, err = env.checks(l, policy='hardened')
        c = f.get('checks', {}) if f else {}
        tap.ok(rc == 1 and c.get('property', {}).get('status') == 'fail'
               and c.get('landing', {}).get('status') == 'fail',
               'smoke: Debian %s fails --policy hardened (no IBT/BTI marks)' % l, f or err)
    # the matrix's sysroots, when there are any: reported as TAP comments,
    # not results (what a cell must pass is the cell's own test)
    sysroots = os.environ.get('XSC_SYSROOTS', '')
    cells = sorted(os.listdir(sysroots)) if sysroots and os.path.isdir(sysroots) else []
    for cell in cells:
        root = os.path.join(sysroots, cell)
        pol = 'hardened' if 'hardened' in cell else 'base'
        rc, doc, err = env.run([root], policy=pol, sysroot=root)
        s = doc['summary'] if doc else {}
        print('# sysroot %s (policy %s): %s ELF, %s pass, %s fail, rc=%d'
              % (cell, pol, s.get('elf'), s.get('pass'), s.get('fail'), rc), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--no-smoke', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    env = Env(os.path.abspath(a.tool), os.path.abspath(a.workdir))
    tap = Tap()

    r = sh([env.tool])
    tap.ok(r.returncode == 2, 'no arguments: exit 2')
    r = sh([env.tool, '--policy', 'bogus', '/bin/true'])
    tap.ok(r.returncode == 2, 'bad policy: exit 2')
    r = sh([env.tool, '/nonexistent/file'])
    tap.ok(r.returncode == 2, 'missing file: exit 2')
    d = os.path.join(env.work, 'nonelf')
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'text'), 'w') as f:
        f.write('hello\n')
    rc, doc, err = env.run([d])
    tap.ok(rc == 0 and doc and doc['summary']['non_elf'] == 1 and doc['summary']['elf'] == 0,
           'non-ELF files are skipped silently and counted', err)

    seeds = []
    for abi, (cc, x86) in ABIS.items():
        if not shutil.which(cc):
            tap.skip('%s tests' % abi, '%s not found' % cc)
            continue
        try:
            seeds += abi_tests(tap, env, abi, cc, x86)
        except RuntimeError as e:
            tap.ok(False, '%s: building test binaries' % abi, e)
    if seeds:
        fuzz(tap, env, seeds)
    if not a.no_smoke:
        smoke(tap, env)
    return tap.finish()


if __name__ == '__main__':
    sys.exit(main())
