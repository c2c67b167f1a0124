#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks on the tracepoint patch series in kernel/patches/, driven by
kernel/scripts/check-series.sh. Every check prints one TAP-style line,
"ok - ..." or "not ok - ...", plus indented detail lines.

  series_check.py checkpatch PATCH CHECKPATCH_OUTPUT README
  series_check.py apply TREE PATCH...
  series_check.py headers TREE_DIR PATCH...
  series_check.py tracepoints TREE TREE_DIR

apply: the patches are applied in order to TREE, a fresh copy of the
kernel-ref reference tree (../shared/kernel-ref) made the series' base by
kref_base.py (the public v8+ changes, the public files the reference
lacks; no reconstructed context). The reference holds only the files the
TPH series v7 touches; some are EXACT copies, the others SKELETON files
whose unknown lines are "KREF-SKELETON" placeholders. A file is
classified by its content (any placeholder line makes it SKELETON):
  - new file            must apply
  - EXACT file          every hunk must apply (git apply, whole file diff)
  - SKELETON file       the whole file diff is tried first; if it does not
                        apply, each hunk is tried alone with git apply; a hunk
                        that fails is "inconclusive" only if every line of its
                        pre-image either equals the reference line at the
                        hunk's position or lies on a KREF-SKELETON placeholder
                        (at least one does); any mismatch on a known line fails.
                        The post-image of an inconclusive hunk is spliced in at
                        that position so later hunks and patches keep their
                        line numbers.
  - public files        the ones kref_base.py adds from public trees
                        (pci.h, dma_buf.h of the newest Debian headers;
                        mlx5_ib.h and MAINTAINERS of 6.12): must apply
  - files absent        skipped, reported as skipped
"""
import os
import re
import subprocess
import sys
import tempfile

SKEL = "KREF-SKELETON"

# checkpatch: no ERROR or WARNING, except COMPLEX_MACRO on the definition
# of an EM()/EMe() list (the symbolic-enum idiom of trace headers, which
# checkpatch cannot tell from an expression: it flags every such list
# upstream too, e.g. PCI_HOTPLUG_EVENT in include/trace/events/pci.h).
# CHECKs, in trace headers only: the TRACE_EVENT() layout
# (PARENTHESIS_ALIGNMENT, OPEN_ENDED_LINE), the path of TRACE_INCLUDE_PATH
# (SPACING around '/') and the idiom's own macro names (CAMELCASE <EMe>).
TRACE_HEADER_DIR = "include/trace/events/"
# files kref_base.py adds from public trees (not the TPH series' files)
PUBLIC_FILES = {
    "include/trace/events/pci.h": "mainline, newest Debian headers",
    "include/trace/events/dma_buf.h": "mainline, newest Debian headers",
    "drivers/infiniband/hw/mlx5/mlx5_ib.h": "mainline 6.12 context",
    "MAINTAINERS": "mainline 6.12",
}
TRACE_HEADER_RE = re.compile(r"(^include/trace/events/|_trace\.h$|_tracepoint\.h$)")


def allowed_issue(lvl, typ, where, msg, ctx):
    """Whether a checkpatch finding is one of the named exceptions."""
    if not TRACE_HEADER_RE.search(where):
        return False
    if lvl in ("ERROR", "WARNING"):
        return typ == "COMPLEX_MACRO" and any(
            re.match(r"^\+\s*EMe?\(", c) for c in ctx)
    if typ in ("PARENTHESIS_ALIGNMENT", "OPEN_ENDED_LINE"):
        return True
    if typ == "SPACING" and "'/'" in msg:
        return any("TRACE_INCLUDE_PATH" in c for c in ctx)
    if typ == "CAMELCASE":
        return msg.endswith("<EMe>") or msg.endswith("<EM>")
    return False

HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


def emit(ok, msg, details=()):
    print(("ok - " if ok else "not ok - ") + msg)
    for d in details:
        print("    " + d)
    sys.stdout.flush()


# ---------------------------------------------------------------- parsing

class Hunk:
    def __init__(self, old_start, old_count, new_start, new_count, func, lines):
        self.old_start = old_start
        self.old_count = old_count
        self.new_start = new_start
        self.new_count = new_count
        self.func = func
        self.lines = lines          # body lines, each with its ' ', '-', '+' or '\\'

    def pre(self):
        return [l[1:] for l in self.lines if l[:1] in (" ", "-")]

    def post(self):
        return [l[1:] for l in self.lines if l[:1] in (" ", "+")]

    def header(self, old_start=None):
        o = self.old_start if old_start is None else old_start
        n = self.new_start + (o - self.old_start)
        return "@@ -%d,%d +%d,%d @@%s" % (o, self.old_count, n,
                                          self.new_count, self.func)

    def describe(self):
        return "@@ -%d,%d @@%s" % (self.old_start, self.old_count,
                                   self.func.rstrip())


class FileDiff:
    def __init__(self, header_lines, old_path, new_path):
        self.header_lines = header_lines   # 'diff --git' .. '+++' lines
        self.old_path = old_path           # None for a new file
        self.new_path = new_path           # None for a deleted file
        self.hunks = []

    @property
    def path(self):
        return self.new_path or self.old_path

    def text(self, hunks=None, old_start=None):
        out = list(self.header_lines)
        for h in (self.hunks if hunks is None else hunks):
            out.append(h.header(old_start))
            out.extend(h.lines)
        return "\n".join(out) + "\n"


def parse_patch(path):
    """Returns (subject, [FileDiff]) of a git format-patch file."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    subject = ""
    for i, l in enumerate(lines):
        if l.startswith("Subject: "):
            subject = l[len("Subject: "):]
            j = i + 1
            while j < len(lines) and lines[j].startswith(" "):
                subject += lines[j]
                j += 1
            break
    files = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("diff --git "):
            i += 1
            continue
        hdr = [lines[i]]
        i += 1
        old_path = new_path = None
        while i < len(lines) and not lines[i].startswith("@@") \
                and not lines[i].startswith("diff --git "):
            l = lines[i]
            hdr.append(l)
            if l.startswith("--- "):
                old_path = None if l == "--- /dev/null" else l[len("--- a/"):]
            elif l.startswith("+++ "):
                new_path = None if l == "+++ /dev/null" else l[len("+++ b/"):]
            i += 1
        fd = FileDiff(hdr, old_path, new_path)
        while i < len(lines) and lines[i].startswith("@@"):
            m = HUNK_RE.match(lines[i])
            if not m:
                raise ValueError("%s: bad hunk header %r" % (path, lines[i]))
            oc = int(m.group(2)) if m.group(2) is not None else 1
            nc = int(m.group(4)) if m.group(4) is not None else 1
            i += 1
            body = []
            o = n = 0
            while o < oc or n < nc or (i < len(lines) and lines[i].startswith("\\")):
                l = lines[i]
                body.append(l)
                c = l[:1]
                if c == " " or l == "":
                    if l == "":
                        body[-1] = " "     # an empty context line lost its space
                    o += 1
                    n += 1
                elif c == "-":
                    o += 1
                elif c == "+":
                    n += 1
                elif c == "\\":
                    pass
                else:
                    raise ValueError("%s: bad hunk line %r" % (path, l))
                i += 1
            fd.hunks.append(Hunk(int(m.group(1)), oc, int(m.group(3)), nc,
                                 m.group(5), body))
        files.append(fd)
    return subject, files


def new_file_content(fd):
    """Byte content of a file the diff creates."""
    out = []
    no_eol = False
    for h in fd.hunks:
        for l in h.lines:
            if l.startswith("\\"):
                no_eol = True
            elif l.startswith("+"):
                out.append(l[1:])
    text = "\n".join(out) + ("" if no_eol else "\n")
    return text.encode("utf-8", errors="surrogateescape")


# ---------------------------------------------------------------- checkpatch

def cmd_checkpatch(patch, output, readme):
    name = os.path.basename(patch)
    with open(output, encoding="utf-8", errors="replace") as f:
        out = f.read().split("\n")
    readme_text = ""
    if os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            readme_text = f.read()
    total = None
    issues = []     # (level, type, file, msg)
    for i, l in enumerate(out):
        m = re.match(r"^(ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)$", l)
        if m:
            where, ctx = "", []
            for k in range(i + 1, min(i + 4, len(out))):
                mm = re.match(r"^#\d+: FILE: (\S+?):\d+:", out[k])
                if mm:
                    where = mm.group(1)
                    ctx = [c for c in out[k + 1:k + 6] if c.startswith("+")]
                    break
            issues.append((m.group(1), m.group(2), where, m.group(3), ctx))
        m = re.match(r"^total: (\d+) errors, (\d+) warnings, (\d+) checks", l)
        if m:
            total = tuple(int(x) for x in m.groups())
    bad, allowed = [], []
    for lvl, typ, where, msg, ctx in issues:
        ok = allowed_issue(lvl, typ, where, msg, ctx)
        (allowed if ok else bad).append((lvl, typ, where, msg))
    details = []
    for lvl, typ, where, msg in bad:
        details.append("%s:%s %s: %s" % (lvl, typ, where or "(commit)", msg))
    undocumented = sorted({t for _, t, _, _ in allowed if t not in readme_text})
    for t in undocumented:
        details.append("excepted type %s occurs but kernel/README.md does not explain it" % t)
    summary = "no checkpatch output" if total is None else \
        "%d errors, %d warnings, %d checks" % total
    kinds = {}
    for lvl, typ, where, _ in allowed:
        k = "%s:%s in %s" % (lvl, typ, where)
        kinds[k] = kinds.get(k, 0) + 1
    for k in sorted(kinds):
        details.append("excepted: %dx %s" % (kinds[k], k))
    emit(total is not None and not bad and not undocumented,
         "checkpatch --strict %s: %s (%d excepted, %d not allowed)" %
         (name, summary, len(allowed), len(bad)), details)
    return 0


# ---------------------------------------------------------------- apply

def git_apply(tree, patch_text, include=None):
    with tempfile.NamedTemporaryFile("w", suffix=".patch", delete=False,
                                     encoding="utf-8",
                                     errors="surrogateescape") as f:
        f.write(patch_text)
        name = f.name
    try:
        cmd = ["git", "-C", tree, "apply", "--whitespace=nowarn"]
        if include:
            cmd.append("--include=" + include)
        cmd.append(name)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        return p.returncode == 0, p.stdout.strip()
    finally:
        os.unlink(name)


def read_lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines) + "\n")


def locate(ref, h, start):
    """Compare the hunk's pre-image with ref (file lines) at 1-based start."""
    pre = h.pre()
    known_mismatch, unknown = [], 0
    for k, want in enumerate(pre):
        idx = start - 1 + k
        if h.old_count == 0:
            idx += 1
        have = ref[idx] if 0 <= idx < len(ref) else None
        if have is not None and SKEL in have:
            unknown += 1
        elif have != want:
            known_mismatch.append((idx + 1, want, have))
    return known_mismatch, unknown


def apply_file(tree, fd, out):
    """Applies one file diff to tree. Appends detail lines to out and returns
    a dict of hunk counts: applied, inconclusive, skipped, failed."""
    path = fd.path
    full = os.path.join(tree, path)
    n = len(fd.hunks)
    res = {"applied": 0, "inconclusive": 0, "skipped": 0, "failed": 0}
    if fd.old_path is None:
        ok, msg = git_apply(tree, fd.text())
        res["applied" if ok else "failed"] += n
        out.append("%s: new file, %s" % (path, "applied" if ok else "FAILED"))
        if not ok:
            out.extend("  " + l for l in msg.split("\n"))
        return res
    if not os.path.exists(full):
        res["skipped"] += n
        out.append("%s: %d hunk(s) skipped (file absent from the reference tree)" %
                   (path, n))
        return res
    before = read_lines(full)
    skeleton = any(SKEL in l for l in before)
    if not skeleton and path in PUBLIC_FILES:
        ok, msg = git_apply(tree, fd.text())
        res["applied" if ok else "failed"] += n
        out.append("%s (%s): %d/%d hunks %s" % (path, PUBLIC_FILES[path], n if ok else 0,
                                                 n, "applied" if ok else "FAIL"))
        if not ok:
            out.extend("  " + l for l in msg.split("\n"))
        return res
    ok, msg = git_apply(tree, fd.text())
    if ok:
        res["applied"] += n
        out.append("%s (%s): %d/%d hunks applied" %
                   (path, "SKELETON" if skeleton else "EXACT", n, n))
        return res
    if not skeleton:
        res["failed"] += n
        out.append("%s (EXACT): the file diff does not apply" % path)
        for h in fd.hunks:
            hok, _ = git_apply(tree, fd.text([h]))
            if hok:             # diagnostics only: leave the file as it was
                write_lines(full, before)
            out.append("  %s %s" % ("applies" if hok else "FAILS  ", h.describe()))
        out.extend("  " + l for l in msg.split("\n"))
        return res
    # SKELETON: hunk by hunk, in order, tracking the line delta
    delta = 0
    lines = []
    for h in fd.hunks:
        start = h.old_start + delta
        at = start - 1 + (1 if h.old_count == 0 else 0)
        cur = read_lines(full)
        hok, hmsg = git_apply(tree, fd.text([h], old_start=start))
        if hok and read_lines(full)[at:at + len(h.post())] != h.post():
            write_lines(full, cur)      # it went in at an offset: undo
            hok, hmsg = False, "applies only at an offset"
        if hok:
            res["applied"] += 1
            lines.append("  applied       %s" % h.describe())
            delta += h.new_count - h.old_count
            continue
        mism, unknown = locate(cur, h, start)
        if not mism and unknown:
            res["inconclusive"] += 1
            lines.append("  inconclusive  %s: %d of %d pre-image lines fall on "
                         "KREF-SKELETON placeholders, the others match" %
                         (h.describe(), unknown, len(h.pre())))
            cur[at:at + len(h.pre())] = h.post()
            write_lines(full, cur)
            delta += h.new_count - h.old_count
        else:
            res["failed"] += 1
            lines.append("  FAILED        %s" % h.describe())
            for ln, want, have in mism[:5]:
                lines.append("    line %d: the patch expects %r, the reference has %r"
                             % (ln, want, have))
            if not mism:
                lines.append("    no placeholder at its position: " + hmsg)
    out.append("%s (SKELETON): %d/%d hunks applied, %d inconclusive, %d failed" %
               (path, res["applied"], n, res["inconclusive"], res["failed"]))
    out.extend(lines)
    return res


def cmd_apply(tree, patches):
    total = {"applied": 0, "inconclusive": 0, "skipped": 0, "failed": 0}
    rc = 0
    for patch in patches:
        name = os.path.basename(patch)
        _, files = parse_patch(patch)
        res = {"applied": 0, "inconclusive": 0, "skipped": 0, "failed": 0}
        details = []
        for fd in files:
            for k, v in apply_file(tree, fd, details).items():
                res[k] += v
        for k in total:
            total[k] += res[k]
        ok = res["failed"] == 0 and bool(files)
        rc |= not ok
        emit(ok, "apply %s: %d hunks applied, %d inconclusive on SKELETON "
             "placeholders, %d skipped, %d failed" %
             (name, res["applied"], res["inconclusive"], res["skipped"],
              res["failed"]), details)
    print("#stats applied=%d inconclusive=%d skipped=%d failed=%d" %
          (total["applied"], total["inconclusive"], total["skipped"],
           total["failed"]))
    return rc


# ---------------------------------------------------------------- headers

def fragment_target(rel):
    """include/trace/events/pci-tph.inc -> include/trace/events/pci.h"""
    d, b = os.path.split(rel)
    return os.path.join(d, b.split("-")[0] + ".h")


def tree_files(tree_dir):
    out = []
    for base, _, names in os.walk(tree_dir):
        for n in names:
            out.append(os.path.relpath(os.path.join(base, n), tree_dir))
    return sorted(out)


def added_runs(fd):
    """The runs of consecutive added lines of a file diff."""
    runs = []
    for h in fd.hunks:
        cur = None
        for l in h.lines:
            if l.startswith("+"):
                if cur is None:
                    cur = []
                    runs.append(cur)
                cur.append(l[1:])
            else:
                cur = None
    return runs


def cmd_headers(tree_dir, patches):
    """kernel/tree is the source of every tracepoint line the series adds:
    each new header is created by exactly one patch, byte for byte; each
    fragment (NAME-*.inc) is inserted by exactly one patch into NAME.h of
    the same directory, as one run of added lines equal to its lines; and
    no patch adds a trace header kernel/tree does not have."""
    diffs = {}          # path -> [(patch, FileDiff)]
    for patch in patches:
        _, files = parse_patch(patch)
        for fd in files:
            diffs.setdefault(fd.path, []).append((os.path.basename(patch), fd))
    rc = 0
    known = set()
    for rel in tree_files(tree_dir):
        with open(os.path.join(tree_dir, rel), "rb") as f:
            want = f.read()
        if rel.endswith(".inc"):
            target = fragment_target(rel)
            known.add(target)
            got = diffs.get(target, [])
            lines = want.decode("utf-8").rstrip("\n").split("\n")
            hits = [p for p, fd in got if fd.old_path is not None and
                    any(r == lines or r[:-1] == lines and r[-1] == "" for r in added_runs(fd))]
            ok = len(got) == 1 and len(hits) == 1
            rc |= not ok
            emit(ok, "fragment kernel/tree/%s: %s" % (rel,
                 "inserted as one block into %s by %s" % (target, hits[0]) if ok else
                 "not found as one block of added lines in exactly one patch "
                 "changing %s (%d patch(es) change it)" % (target, len(got))))
            continue
        known.add(rel)
        got = diffs.get(rel, [])
        created = [(p, new_file_content(fd)) for p, fd in got if fd.old_path is None]
        ok = len(got) == 1 and len(created) == 1 and created[0][1] == want
        details = []
        if len(created) == 1 and created[0][1] != want:
            a = want.decode("utf-8", "replace").split("\n")
            b = created[0][1].decode("utf-8", "replace").split("\n")
            for k in range(max(len(a), len(b))):
                x = a[k] if k < len(a) else None
                y = b[k] if k < len(b) else None
                if x != y:
                    details.append("first difference at line %d: kernel/tree has "
                                   "%r, the patch has %r" % (k + 1, x, y))
                    break
        rc |= not ok
        emit(ok, "header kernel/tree/%s: %s" % (rel,
             "created by %s, byte-identical" % created[0][0] if ok else
             "expected exactly one patch creating it with the same bytes "
             "(%d patch(es) touch it)" % len(got)), details)
    for path, got in sorted(diffs.items()):
        if path in known or not TRACE_HEADER_RE.search(path):
            continue
        if path.endswith(".h"):
            rc = 1
            emit(False, "trace header %s: changed by %s but not in kernel/tree/" %
                 (path, ", ".join(p for p, _ in got)))
    return rc


# ---------------------------------------------------------------- tracepoints

def cmd_tracepoints(tree, tree_dir):
    """Every driver-local header of kernel/tree gets CREATE_TRACE_POINTS in
    exactly one .c file of the patched tree; the events inserted into an
    existing upstream header use that header's upstream instance; and every
    event is fired somewhere."""
    sources = []
    for base, _, names in os.walk(tree):
        if "/.git" in base:
            continue
        for n in names:
            if n.endswith(".c"):
                sources.append(os.path.join(base, n))
    creators, calls = {}, {}
    for src in sources:
        text = "\n".join(read_lines(src))
        rel = os.path.relpath(src, tree)
        pos = text.find("#define CREATE_TRACE_POINTS")
        if pos >= 0:
            for m in re.finditer(r'#include ["<]([\w/.]+\.h)[">]', text[pos:]):
                creators.setdefault(os.path.basename(m.group(1)), []).append(rel)
        for m in re.finditer(r"\btrace_(\w+)\(", text):
            calls.setdefault(m.group(1), set()).add(rel)
    rc = 0
    for rel in tree_files(tree_dir):
        with open(os.path.join(tree_dir, rel), encoding="utf-8") as f:
            text = f.read()
        if rel.endswith(".inc"):
            target = fragment_target(rel)
            with open(os.path.join(tree, target), encoding="utf-8") as f:
                sysm = re.search(r"#define TRACE_SYSTEM (\w+)", f.read())
            emit(bool(sysm), "%s: events of kernel/tree/%s in trace system %s, "
                 "instantiated where upstream instantiates %s" %
                 (target, rel, sysm.group(1) if sysm else "NONE", target))
            rc |= not sysm
        else:
            c = creators.get(os.path.basename(rel), [])
            ok = len(c) == 1
            rc |= not ok
            emit(ok, "CREATE_TRACE_POINTS for %s: %s" %
                 (rel, ", ".join(c) if c else "in no .c file"),
                 [] if len(c) <= 1 else ["defined in more than one compilation unit"])
        events = re.findall(r"^TRACE_EVENT(?:_CONDITION)?\((\w+),", text, re.M) + \
            re.findall(r"^DEFINE_EVENT\(\w+,\s*(\w+),", text, re.M)
        missing = [e for e in events if e not in calls]
        ok = bool(events) and not missing
        rc |= not ok
        emit(ok, "events of kernel/tree/%s fired: %s" % (rel, ", ".join(
            "%s (%s)" % (e, ", ".join(sorted(calls.get(e, ["NOWHERE"]))))
            for e in events)))
    return rc


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "checkpatch" and len(args) == 3:
        return cmd_checkpatch(*args)
    if cmd == "apply" and len(args) >= 2:
        return cmd_apply(args[0], args[1:])
    if cmd == "headers" and len(args) >= 2:
        return cmd_headers(args[0], args[1:])
    if cmd == "tracepoints" and len(args) == 2:
        return cmd_tracepoints(*args)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
