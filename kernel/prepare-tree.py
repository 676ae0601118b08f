#!/usr/bin/env python3
"""Make the XSC kernel tree: the pristine tree plus XSC's files and patches.

usage: prepare-tree.py --source-json J --tree DIR --overlay SRC=DEST ...
                       --patches DIR --out-json OUT --depfile D

DIR starts as a hard-link copy of the pristine tree (cp -al: seconds, no
space). Every file XSC adds or patches is then written by replacing the
link, so the pristine tree is never modified. On each run the wanted
content of every managed file is computed afresh (overlay files copied,
patches applied to pristine copies in a scratch directory) and a file is
rewritten only when its content differs: make rebuilds only what changed.
A file managed before but not now goes back to its pristine version.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

MANIFEST = '.xsc-managed.json'


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def put(tree, rel, data, pristine):
    """Make tree/rel hold data, replacing (never writing through) a link."""
    path = os.path.join(tree, rel)
    if os.path.exists(path) and read(path) == data:
        return False
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.xsc-tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    src = os.path.join(pristine, rel)
    os.chmod(tmp, os.stat(src).st_mode & 0o777 if os.path.exists(src) else 0o644)
    os.replace(tmp, path)
    return True


def overlay_files(mappings):
    """{tree-relative path: source path} for every file under the overlays."""
    files = {}
    for mapping in mappings:
        src, dest = mapping.split('=', 1)
        for root, _, names in os.walk(src):
            for name in names:
                path = os.path.join(root, name)
                files[os.path.normpath(os.path.join(dest, os.path.relpath(path, src)))] = path
    return files


def patched_files(pristine, patches):
    """{tree-relative path: content} after applying the patches in order."""
    if not patches:
        return {}
    touched = set()
    for p in patches:
        with open(p) as f:
            # "+++ b/path<TAB>date": the file the patch writes, less the b/
            touched.update(line[4:].split('\t')[0].strip().split('/', 1)[1]
                           for line in f if line.startswith('+++ '))
    with tempfile.TemporaryDirectory() as scratch:
        for rel in touched:
            os.makedirs(os.path.dirname(os.path.join(scratch, rel)), exist_ok=True)
            if os.path.exists(os.path.join(pristine, rel)):
                shutil.copyfile(os.path.join(pristine, rel), os.path.join(scratch, rel))
        for p in patches:
            r = subprocess.run(['patch', '-p1', '--forward', '--batch', '--no-backup-if-mismatch',
                                '-d', scratch, '-i', os.path.abspath(p)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f'prepare-tree: {p} does not apply to the pristine tree:\n{r.stdout}{r.stderr}')
        return {rel: read(os.path.join(scratch, rel)) for rel in touched}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--source-json', required=True)
    ap.add_argument('--tree', required=True)
    ap.add_argument('--overlay', action='append', default=[], metavar='SRC=DEST')
    ap.add_argument('--patches', required=True)
    ap.add_argument('--out-json', required=True)
    ap.add_argument('--depfile', required=True)
    args = ap.parse_args()

    with open(args.source_json) as f:
        source = json.load(f)
    pristine = source['tree']
    tree = os.path.abspath(args.tree)
    if not os.path.exists(os.path.join(tree, MANIFEST)):
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(os.path.dirname(tree), exist_ok=True)
        subprocess.run(['cp', '-al', pristine, tree], check=True)
        with open(os.path.join(tree, MANIFEST), 'w') as f:
            json.dump([], f)

    patches = sorted(os.path.join(args.patches, p) for p in os.listdir(args.patches)
                     if p.endswith('.patch')) if os.path.isdir(args.patches) else []
    overlays = overlay_files(args.overlay)
    wanted = {rel: read(src) for rel, src in overlays.items()}
    for rel, data in patched_files(pristine, patches).items():
        if rel in wanted:
            sys.exit(f'prepare-tree: {rel} is both an overlay file and patched')
        wanted[rel] = data

    with open(os.path.join(tree, MANIFEST)) as f:
        before = set(json.load(f))
    changed = []
    for rel in sorted(before - set(wanted)):
        src = os.path.join(pristine, rel)
        if os.path.exists(src):
            changed += [rel] if put(tree, rel, read(src), pristine) else []
        elif os.path.exists(os.path.join(tree, rel)):
            os.remove(os.path.join(tree, rel))
            changed.append(rel)
    for rel, data in sorted(wanted.items()):
        if put(tree, rel, data, pristine):
            changed.append(rel)
    with open(os.path.join(tree, MANIFEST), 'w') as f:
        json.dump(sorted(wanted), f, indent=1)

    digest = hashlib.sha256()
    for rel, data in sorted(wanted.items()):
        digest.update(rel.encode() + b'\0' + hashlib.sha256(data).digest())
    info = dict(source, tree=tree, pristine_tree=pristine, xsc_files=sorted(wanted),
                xsc_sha256=digest.hexdigest(), patches=[os.path.basename(p) for p in patches])
    # Always rewritten (docs/BUILD-GRAPH.md, "What rebuilds when"); this
    # runs only when an overlay file, a patch or the source changed.
    with open(args.out_json, 'w') as f:
        json.dump(info, f, indent=2)
        f.write('\n')
    print(f'prepare-tree: {len(wanted)} XSC files, {len(changed)} changed'
          + (': ' + ', '.join(changed[:8]) + (' ...' if len(changed) > 8 else '') if changed else ''))

    # Dependencies: every overlay and patch file, and their directories (a
    # directory's mtime changes when a file is added or removed).
    deps = {os.path.abspath(__file__)} | {os.path.abspath(p) for p in overlays.values()} | \
        {os.path.abspath(p) for p in patches}
    for mapping in args.overlay:
        for root, _, _ in os.walk(mapping.split('=', 1)[0]):
            deps.add(os.path.abspath(root))
    if os.path.isdir(args.patches):
        deps.add(os.path.abspath(args.patches))
    with open(args.depfile, 'w') as f:
        f.write(f'{args.out_json}: ' + ' '.join(sorted(d.replace(' ', '\\ ') for d in deps)) + '\n')


if __name__ == '__main__':
    main()
