"""What the two builds from GCC's source share (build-libgcc.py,
build-cxx-runtime.py): the input checks, unpacking the part of Debian's
gcc-12-source tarball a build reads, configure runs that are skipped when
their command did not change, and GCC's gcc/ directory configured only for
the headers libgcc includes. Each function takes the calling script's name
(`name`), which its messages and failures carry."""
import json
import os
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import buildstep  # noqa: E402  (libc/buildstep.py)

GCC_TOP = 'gcc-12.2.0'
GCC_MAJOR = GCC_TOP.split('-')[1].split('.')[0]
# what of the tarball libgcc's build reads (the rest, front ends and test
# suites, is most of its size); a build that reads more passes its extra
# paths to unpack()
NEEDED = ['gcc', 'libgcc', 'libiberty', 'include', 'libcpp/include', 'config', 'config.guess',
          'config.sub', 'install-sh', 'move-if-change', 'mkinstalldirs', 'config-ml.in',
          'config.rpath', 'ltmain.sh', 'missing', 'depcomp', 'compile']
# what must be there after unpacking (what the build reads first)
CHECKED = ['libgcc/crtstuff.c', 'libiberty/configure', 'gcc/configure', 'libgcc/configure']
SKIPPED = ['gcc/testsuite', 'gcc/ada', 'gcc/go', 'gcc/d', 'gcc/fortran', 'gcc/m2', 'gcc/po',
           'gcc/cp', 'gcc/rust', 'gcc/jit', 'gcc/objc', 'gcc/objcp', 'gcc/lto']
# gcc/configure as Debian configures its cross compilers, as far as the
# headers libgcc includes and libgcc.mvars depend on it
GCC_CONFIGURE = ['--prefix=/usr', '--enable-languages=c', '--disable-multilib', '--enable-shared',
                 '--enable-threads=posix', '--with-sysroot=/', '--enable-default-pie',
                 '--enable-multiarch', '--enable-gnu-unique-object', '--enable-linker-build-id',
                 '--enable-checking=release', '--disable-plugin', '--with-system-zlib']
GCC_CONFIGURE_ARCH = {'aarch64': ['--enable-fix-cortex-a53-843419']}
BUILD = 'x86_64-linux-gnu'      # the build machine (Debian amd64)


def fail(name, msg):
    sys.exit(f'{name}: {msg}')


def check_inputs(name, tarball, target, compilers, binutils):
    """The tarball exists; each of compilers ({option: program}, Debian's
    cross compilers for target) is found and is GCC 12, the version of the
    source; each of binutils (tool names) exists as <target>-<tool>.
    Returns ({option: path}, version, {tool: path})."""
    if not os.path.isfile(tarball):
        fail(name, f'{tarball} does not exist (Debian package gcc-12-source: ci/install-deps.sh)')
    found = {}
    version = None
    for opt, prog in compilers.items():
        found[opt] = shutil.which(prog)
        if not found[opt]:
            fail(name, f'{opt} {prog} not found (Debian cross compiler for {target})')
        version = subprocess.run([found[opt], '-dumpfullversion'], capture_output=True,
                                 text=True).stdout.strip()
        if version.split('.')[0] != GCC_MAJOR:
            fail(name, f'{opt} {prog} is GCC {version or "(no version)"}; the runtime source is '
                 f'{GCC_TOP}: their versions must match')
    tools = {}
    for t in binutils:
        tools[t] = shutil.which(f'{target}-{t}')
        if not tools[t]:
            fail(name, f'{target}-{t} not found (Debian binutils for {target})')
    return found, version, tools


def configure_once(name, configure, builddir, log, **kw):
    """Run configure in builddir unless it last ran with the same command
    (then the tree is kept and make does what it finds to do)."""
    key = os.path.join(builddir, 'xsc-configure.json')
    try:
        with open(key) as f:
            same = json.load(f) == configure
    except (FileNotFoundError, ValueError):
        same = False
    if same and os.path.exists(os.path.join(builddir, 'Makefile')):
        return
    shutil.rmtree(builddir, ignore_errors=True)
    os.makedirs(builddir)
    buildstep.run(configure, log, name, cwd=builddir, **kw)
    buildstep.write_json(key, configure)


def unpack(name, tarball, src, log, needed, check):
    """The needed part of the tarball (paths under GCC_TOP, less SKIPPED)
    into src, once per tarball and path list; check (paths under GCC_TOP) must
    exist afterwards. Returns the tree's top directory."""
    top = os.path.join(src, GCC_TOP)
    mark = os.path.join(src, 'xsc-tarball')
    want = ' '.join([os.path.realpath(tarball), str(os.path.getsize(tarball))] + sorted(needed))
    if os.path.exists(mark) and open(mark).read() == want:
        return top
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    skipped = tuple(f'{GCC_TOP}/{p}/' for p in SKIPPED)
    prefixes = tuple(f'{GCC_TOP}/{p}' for p in needed)
    n = 0
    with tarfile.open(tarball, 'r|*') as t:      # one pass over the stream
        for m in t:
            if m.name.startswith(prefixes) and not (m.name + '/').startswith(skipped):
                t.extract(m, src)
                n += 1
    if not n:
        fail(name, f'{tarball} holds no {GCC_TOP}/ tree (not the gcc-12-source tarball?)')
    for path in check:
        if not os.path.exists(os.path.join(top, path)):
            fail(name, f'{tarball}: no {GCC_TOP}/{path} after unpacking')
    with open(log, 'a') as f:
        f.write(f'unpacked {n} entries of {tarball}\n')
    with open(mark, 'w') as f:
        f.write(want)
    return top


def gcc_headers(name, top, obj, target, tools, make, log):
    """GCC's gcc/ directory configured for target only for what libgcc
    includes: a build-machine libiberty for the two generator programs,
    then tconfig.h, tm.h, options.h, insn-modes.h, insn-constants.h and
    libgcc.mvars (whose rule would build the compiler driver first: -o
    skips that, the recipe only writes make variables)."""
    env = dict(os.environ, CFLAGS='-O1', CXXFLAGS='-O1')
    lib = os.path.join(obj, f'build-{BUILD}', 'libiberty')
    configure_once(name, [os.path.join(top, 'libiberty', 'configure'), f'--build={BUILD}',
                          f'--host={BUILD}', f'--target={target}'], lib, log, env=env)
    buildstep.run(make + ['libiberty.a'], log, name, cwd=lib, env=env)
    gcc = os.path.join(obj, 'gcc')
    arch = target.split('-')[0]
    configure_once(name, [os.path.join(top, 'gcc', 'configure'), f'--build={BUILD}',
                          f'--host={BUILD}', f'--target={target}',
                          f'--includedir=/usr/{target}/include', f'--with-as={tools["as"]}',
                          f'--with-ld={tools["ld"]}']
                   + GCC_CONFIGURE + GCC_CONFIGURE_ARCH.get(arch, []), gcc, log, env=env)
    buildstep.run(make + ['tconfig.h', 'tm.h', 'options.h', 'insn-modes.h', 'insn-constants.h'],
                  log, name, cwd=gcc, env=env)
    buildstep.run(make + ['-o', 'specs', '-o', 'xgcc', 'libgcc.mvars'], log, name, cwd=gcc, env=env)
