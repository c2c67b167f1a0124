#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the tracepoint series (kernel/patches/) from its sources.

The sources: kernel/tree/ (the tracepoint headers and the fragments of the
existing include/trace/events/{pci,dma_buf}.h, byte for byte what tphsim
builds), kernel/series/NNNN-*.diff (each patch's changes to the code that
fires them), kernel/series/NNNN-*.msg (its commit message) and
kernel/series/0000-cover.txt (the cover letter). They are committed one
patch at a time onto the tree kref_base.py builds from the v7 reference
and written out with `git format-patch --cover-letter`.

From: and Signed-off-by: are whoever runs this: `git config user.name`
and `user.email` of the checkout (or --ident "Name <email>"), so the sender
certifies the DCO. The committed copy is generated with the project's own
identity; check-series.sh regenerates it with the identity and date its
patches carry and requires the same bytes.

usage: gen_series.py [-o DIR] [--ident "Name <email>"] [--date DATE]
                     [--kref TAR] [--newest-headers DIR] [--linux-src TAR]
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERIES = os.path.join(ROOT, 'kernel/series')
TREE = os.path.join(ROOT, 'kernel/tree')

# What each patch adds from kernel/tree besides its diff: new files, or a
# fragment inserted into an existing upstream header before a line.
TREE_FILES = {
    '0001': [('insert', 'include/trace/events/pci.h', 'pci-tph.inc',
              '#endif /* _TRACE_HW_EVENT_PCI_H */')],
    '0002': [('insert', 'include/trace/events/dma_buf.h', 'dma_buf-tph.inc',
              '#endif /* _TRACE_DMA_BUF_H */')],
    '0003': [('new', 'drivers/vfio/pci/vfio_pci_trace.h', 'VFIO DRIVER')],
    '0004': [('new', 'drivers/net/ethernet/mellanox/mlx5/core/diag/st_tracepoint.h',
              'MELLANOX MLX5 core VPI driver')],
    '0005': [('new', 'drivers/infiniband/hw/mlx5/mr_tracepoint.h',
              'MELLANOX MLX5 IB driver')],
}

BASE_IDENT = ('tphtrace series base', 'base@localhost')


def git(tree, *args, env=None, input=None):
    r = subprocess.run(['git', '-C', tree] + list(args), capture_output=True,
                       text=True, env=env, input=input)
    if r.returncode:
        sys.exit(f'gen_series: git {" ".join(args)}: {r.stderr.strip()}')
    return r.stdout


def ident_env(name, email, date):
    env = dict(os.environ)
    env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email,
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return env


def add_maintainers_line(tree, section, path):
    """F: PATH in SECTION of MAINTAINERS, in sorted place among its F: lines."""
    p = os.path.join(tree, 'MAINTAINERS')
    with open(p) as f:
        lines = f.read().split('\n')
    start = lines.index(section)
    end = start + 1
    while end < len(lines) and lines[end] != '':
        end += 1
    entry = 'F:\t' + path
    fl = [i for i in range(start, end) if lines[i].startswith('F:\t')]
    pos = next((i for i in fl if lines[i][3:] > path), fl[-1] + 1)
    lines.insert(pos, entry)
    with open(p, 'w') as f:
        f.write('\n'.join(lines))


def apply_patch(tree, num, diff, msg, env, name, email):
    git(tree, 'apply', '--whitespace=nowarn', diff)
    for item in TREE_FILES[num]:
        if item[0] == 'insert':
            _, target, frag, anchor = item
            p = os.path.join(tree, target)
            with open(p) as f:
                s = f.read()
            with open(os.path.join(TREE, 'include/trace/events', frag)) as f:
                text = f.read()
            if s.count(anchor) != 1:
                sys.exit(f'gen_series: {target}: anchor "{anchor}" not found once')
            with open(p, 'w') as f:
                f.write(s.replace(anchor, text + anchor))
        else:
            _, path, section = item
            dst = os.path.join(tree, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(TREE, path), dst)
            add_maintainers_line(tree, section, path)
    with open(msg) as f:
        text = f.read().rstrip('\n')
    text += f'\n\nSigned-off-by: {name} <{email}>\n'
    git(tree, 'add', '-A')
    git(tree, 'commit', '-q', '-F', '-', env=env, input=text)


def fill_cover(path, cover_txt):
    with open(cover_txt) as f:
        subject, _, body = f.read().partition('\n')
    body = body.strip('\n')
    with open(path) as f:
        s = f.read()
    s = s.replace('*** SUBJECT HERE ***', subject.strip())
    s = s.replace('*** BLURB HERE ***', body)
    with open(path, 'w') as f:
        f.write(s)


def default_ident():
    def cfg(k):
        r = subprocess.run(['git', '-C', ROOT, 'config', k], capture_output=True,
                           text=True)
        return r.stdout.strip()
    name, email = cfg('user.name'), cfg('user.email')
    if not name or not email:
        sys.exit('gen_series: set git user.name and user.email (the sender '
                 'certifies the DCO), or pass --ident "Name <email>"')
    return name, email


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-o', '--out', default=os.path.join(ROOT, 'kernel/patches'))
    ap.add_argument('--ident')
    ap.add_argument('--date', default=None,
                    help='author and commit date (default: now)')
    ap.add_argument('--kref', default=os.path.join(
        ROOT, '../shared/kernel-ref/kernel-ref.tar.gz'))
    ap.add_argument('--newest-headers', default=os.environ.get('NEWEST_HEADERS'))
    cache = os.path.join(ROOT, '.output/kernel-check/checkpatch')
    ap.add_argument('--linux-src', default=cache if os.path.isfile(
        os.path.join(cache, 'MAINTAINERS')) else '/usr/src/linux-source-6.12.tar.xz',
        help='linux-source-6.12 tarball, or the directory check-series.sh '
             'extracts its files to')
    ap.add_argument('--print-newest-headers', action='store_true',
                    help='print where the newest headers are, and exit')
    a = ap.parse_args()
    if a.print_newest_headers:
        print(a.newest_headers or find_newest_headers() or '')
        return

    if a.ident:
        m = re.fullmatch(r'\s*(.+?)\s*<([^>]+)>\s*', a.ident)
        if not m:
            sys.exit('gen_series: --ident wants "Name <email>"')
        name, email = m.group(1), m.group(2)
    else:
        name, email = default_ident()
    date = a.date or subprocess.run(['date', '-R'], capture_output=True,
                                    text=True).stdout.strip()
    newest = a.newest_headers or find_newest_headers()
    for what, p in (('reference tree', a.kref), ('linux-source-6.12', a.linux_src)):
        if not os.path.exists(p):
            sys.exit(f'gen_series: {what} {p} not found')
    if not newest:
        sys.exit('gen_series: no newest Debian kernel headers with '
                 'include/trace/events/dma_buf.h (scripts/deps.sh; or NEWEST_HEADERS)')

    work = tempfile.mkdtemp(prefix='gen-series.')
    try:
        subprocess.run(['tar', '-xzf', a.kref, '-C', work], check=True)
        tree = os.path.join(work, 'kernel-ref')
        subprocess.run([sys.executable, os.path.join(HERE, 'kref_base.py'), tree,
                        '--newest-headers', newest, '--linux-src', a.linux_src,
                        '--context'], check=True)
        git(tree, 'add', '-A')
        git(tree, 'commit', '-q', '-m', 'base: v7, v8+ as public, context',
            env=ident_env(*BASE_IDENT, date))
        base = git(tree, 'rev-parse', 'HEAD').strip()
        env = ident_env(name, email, date)
        for diff in sorted(glob.glob(os.path.join(SERIES, '[0-9][0-9][0-9][0-9]-*.diff'))):
            num = os.path.basename(diff)[:4]
            apply_patch(tree, num, diff, diff[:-5] + '.msg', env, name, email)
        out = os.path.join(work, 'out')
        git(tree, 'format-patch', '-q', '--cover-letter', '--no-signature',
            '--subject-prefix=RFC PATCH', '-o', out, f'{base}..HEAD', env=env)
        cover = glob.glob(os.path.join(out, '0000-*.patch'))[0]
        fill_cover(cover, os.path.join(SERIES, '0000-cover.txt'))
        os.rename(cover, os.path.join(out, '0000-cover-letter.patch'))
        os.makedirs(a.out, exist_ok=True)
        for old in glob.glob(os.path.join(a.out, '[0-9][0-9][0-9][0-9]-*.patch')):
            os.remove(old)
        for p in sorted(os.listdir(out)):
            shutil.copyfile(os.path.join(out, p), os.path.join(a.out, p))
        print(f'gen_series: {len(os.listdir(out))} files in {a.out} '
              f'(From: {name} <{email}>)')
    finally:
        shutil.rmtree(work, ignore_errors=True)


def find_newest_headers():
    """include/trace/events of the newest Debian kernel's common headers:
    $NEWEST_HEADERS, else those of the build root scripts/deps-newest.sh
    makes (KROOT_NEW in .output/kernels.env, /var/lib/tphtrace/trixie-root),
    else /usr/src."""
    roots = []
    env = os.path.join(ROOT, '.output/kernels.env')
    if os.path.isfile(env):
        with open(env) as f:
            for line in f:
                if line.startswith('KROOT_NEW='):
                    roots.append(line.split('=', 1)[1].strip())
    roots += [os.environ.get('TPHTRACE_STATE', '/var/lib/tphtrace') + '/trixie-root', '/']
    c = []
    for r in roots:
        c += [d for d in glob.glob(os.path.join(r, 'usr/src/linux-headers-*-common'))
              if os.path.isfile(os.path.join(d, 'include/trace/events/dma_buf.h'))]
    c.sort(key=lambda d: [int(x) if x.isdigit() else x
                          for x in re.split(r'(\d+)', os.path.basename(d))])
    return c[-1] if c else None


if __name__ == '__main__':
    main()
