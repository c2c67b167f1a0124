#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""btf-relo-check.py --btf-dir DIR --kernel K NAME,HOOKS,LOG...

Compares libbpf's CO-RE relocation decisions (its debug log: tphtrace -v, or
tests/vm/core-load) for tphtrace's local ___tph flavors (bpf/core.bpf.h)
with the kernel's own BTF, read independently with bpftool from the files a
guest copied out of /sys/kernel/btf (vmlinux.btf + MODULE.btf in DIR):

 - a field the kernel's type has (by name, as bpftool prints it) must be
   matched, at the byte offset the kernel's BTF gives, in a candidate of the
   module bpftool finds it in: a guarded field that silently resolves to
   "does not exist" although the kernel has it FAILs;
 - a field or type the kernel lacks must resolve to "no matching targets";
 - no relocation may be ambiguous or fail the load.
When libbpf searched tphtrace's small BTF of the candidates (src/core_btf.c:
its type ids and "[vmlinux]" are its own), the matched offsets are compared
with the kernel's candidates' offsets instead of the (module, id) pairs.

Prints one suite line per NAME,HOOKS,LOG
  check NAME kernel=K hooks=HOOKS result=PASS|FAIL DETAIL
after '#' lines with every flavor field and what it resolved to; exit 0
when all PASS, 1 otherwise. bpftool's dumps are kept next to the .btf files.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

RAW_TYPE = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")
RAW_MEMBER = re.compile(r"^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)")
RAW_REF = re.compile(r"type_id=(\d+)")
QUALIFIERS = {"TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"}


class Btf:
    """Types of vmlinux and module BTF files as bpftool prints them. Module
    BTF is split BTF: its ids continue vmlinux's, so ids repeat across
    modules and a type is (module, id); a module's reference to an id below
    its first own one is vmlinux's."""

    def __init__(self, btf_dir):
        self.types = {}          # (module, id) -> [kind, name, ref, members]
        self.first = {}          # module -> its first own id
        self.by_name = collections.defaultdict(list)   # name -> [(module, id)]
        base = os.path.join(btf_dir, "vmlinux.btf")
        files = [("vmlinux", base, [])]
        for f in sorted(os.listdir(btf_dir)):
            if f.endswith(".btf") and f != "vmlinux.btf":
                files.append((f[:-4], os.path.join(btf_dir, f), ["--base-btf", base]))
        for mod, path, extra in files:
            raw = path[:-4] + ".raw"    # bpftool's dump, kept for the next run
            if not os.path.exists(raw) or os.path.getmtime(raw) < os.path.getmtime(path):
                out = subprocess.run(["bpftool", "btf", "dump", "file", path] + extra +
                                     ["format", "raw"], check=True, capture_output=True,
                                     text=True).stdout
                with open(raw + ".tmp", "w") as f:
                    f.write(out)
                os.replace(raw + ".tmp", raw)
            with open(raw) as f:
                self._parse(mod, f.read())

    def _parse(self, mod, text):
        cur = None
        for line in text.splitlines():
            m = RAW_TYPE.match(line)
            if m:
                tid, kind, name, rest = int(m[1]), m[2], m[3], m[4]
                self.first.setdefault(mod, tid)
                ref = RAW_REF.search(rest)
                cur = [kind, name, int(ref[1]) if ref else None, []]
                self.types[(mod, tid)] = cur
                if kind in ("STRUCT", "UNION") and name != "(anon)":
                    self.by_name[name].append((mod, tid))
                continue
            m = RAW_MEMBER.match(line)
            if m and cur is not None and cur[0] in ("STRUCT", "UNION"):
                cur[3].append((m[1], int(m[2]), int(m[3])))

    def key(self, mod, tid):
        return (mod, tid) if tid >= self.first.get(mod, 1) else ("vmlinux", tid)

    def strip(self, key):
        while key in self.types and self.types[key][0] in QUALIFIERS:
            key = self.key(key[0], self.types[key][2])
        return key

    def member(self, key, name):
        """(type key, bit offset) of member NAME, through anonymous members."""
        key = self.strip(key)
        if key not in self.types or self.types[key][0] not in ("STRUCT", "UNION"):
            return None
        for mname, mtype, off in self.types[key][3]:
            mkey = self.key(key[0], mtype)
            if mname == name:
                return mkey, off
            if mname == "(anon)":
                sub = self.member(mkey, name)
                if sub:
                    return sub[0], off + sub[1]
        return None

    def path_offset(self, key, path):
        """Byte offset of a dotted member path in type KEY, or None."""
        bits = 0
        for comp in path:
            m = self.member(key, comp)
            if not m:
                return None
            key, off = m
            bits += off
        return bits // 8

    def candidates(self, name):
        """Where libbpf looks: vmlinux's types of that name, else modules'."""
        keys = self.by_name.get(name, [])
        vml = [k for k in keys if k[0] == "vmlinux"]
        return vml or keys


# libbpf 1.1 debug lines
CANDS = re.compile(r"CO-RE relocating \[(\d+)\] (?:struct|union) (\w+)___tph: found target candidate \[(\d+)\] (?:struct|union) \w+ in \[(\w+)\]")
SPEC = re.compile(r"prog '([^']+)': relo #(\d+): <(\w+)> \[\d+\] (?:struct|union) (\w+)___tph(?:\.([\w.]+))? \(")
MATCH = re.compile(r"prog '([^']+)': relo #(\d+): matching candidate #(\d+) <\w+> \[(\d+)\] (?:struct|union) (\w+)(?:\.([\w.]+))? \([\d:]+ @ offset (\d+)\)")
NOMATCH = re.compile(r"prog '([^']+)': relo #(\d+): no matching targets found")
AMBIG = re.compile(r"relocation decision ambiguous|failed to relocate|prog '[^']+': failed to load")


def judge(btf, kernel, name, hooks, log):
    """One suite line for the relocations in LOG; True on PASS."""
    relos = {}      # (prog, relo) -> dict
    cands = collections.defaultdict(list)   # flavor -> [(module, id)] in libbpf's order
    problems = []
    with open(log, errors="replace") as f:
        for line in f:
            if AMBIG.search(line):
                problems.append(line.strip().replace("libbpf: ", ""))
            m = CANDS.search(line)
            if m:
                cands[m[2]].append((m[4], int(m[3])))
                continue
            m = SPEC.search(line)
            if m:
                relos[(m[1], m[2])] = {"type": m[4], "path": m[5] or "", "kind": m[3],
                                       "matches": [], "none": False}
                continue
            m = MATCH.search(line)
            if m and (m[1], m[2]) in relos:
                r = relos[(m[1], m[2])]
                c = cands[r["type"]]
                idx = int(m[3])
                r["matches"].append((c[idx] if idx < len(c) else ("?", int(m[4])), int(m[7])))
                continue
            m = NOMATCH.search(line)
            if m and (m[1], m[2]) in relos:
                relos[(m[1], m[2])]["none"] = True

    fields = collections.OrderedDict()   # "type.path" -> set of outcomes
    # any candidate that is not the kernel's type of that name at that id
    small_btf = any(btf.types.get(c, [None, None])[1] != t
                    for t, cs in cands.items() for c in cs)
    for r in relos.values():
        key = r["type"] + ("." + r["path"] if r["path"] else "")
        want = {}    # (module, id) -> offset, where the kernel has the path
        for c in btf.candidates(r["type"]):
            off = btf.path_offset(c, r["path"].split(".")) if r["path"] else 0
            if off is not None:
                want[c] = off
        mods = ",".join(sorted({c[0] for c in want}))
        got = dict(r["matches"])
        # tphtrace hands libbpf a small BTF of the candidates (src/core_btf.c),
        # whose ids and "[vmlinux]" are its own: then what can be compared
        # is what the program reads, the offsets, not the kernel's type ids
        if small_btf:
            got = {("*", o): o for o in got.values()}
            want = {("*", o): o for o in want.values()}
        if want and r["none"]:
            problems.append(f"{key}: the kernel has it ({', '.join(sorted({c[0] for c in want}))}) "
                            "but libbpf resolved it to 'does not exist'")
        elif not want and got:
            problems.append(f"{key}: the kernel's BTF has no such field, libbpf matched {sorted(got)}")
        elif want and set(got) != set(want):
            problems.append(f"{key}: libbpf matched candidates {sorted(got)}, the kernel's BTF has {sorted(want)}")
        else:
            bad = [c for c in got if got[c] != want.get(c)]
            if bad:
                problems.append(f"{key}: offset {[got[c] for c in bad]} != kernel BTF {[want.get(c) for c in bad]}")
        if want:
            fields.setdefault(key, set()).add(f"{mods}@{sorted(set(want.values()))[0]}")
        else:
            fields.setdefault(key, set()).add("absent")

    present = [k for k, v in fields.items() if "absent" not in v]
    absent = [k for k, v in fields.items() if "absent" in v]
    for k, v in fields.items():
        print(f"# {name} {k}: {' '.join(sorted(v))}")
    mods = sorted({m for v in fields.values() for o in v if o != "absent"
                   for m in o.split("@")[0].split(",")})
    if not relos:
        problems.append("no CO-RE relocation on a ___tph flavor in the log")
    if problems:
        for p in problems[:20]:
            print(f"# {name}: {p}")
        print(f"check {name} kernel={kernel} hooks={hooks} result=FAIL "
              f"{len(problems)} problem(s): {problems[0]}")
        return False
    print(f"check {name} kernel={kernel} hooks={hooks} result=PASS "
          f"{len(relos)} CO-RE relocations on {len(fields)} flavor fields equal the kernel's BTF "
          f"{'(offsets: libbpf searched tphtrace small BTF) ' if small_btf else ''}"
          f"({', '.join(mods)}): {len(present)} present ({' '.join(present)}); "
          f"{len(absent)} absent in this kernel ({' '.join(absent) or '-'})")
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--btf-dir", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("jobs", nargs="+", metavar="NAME,HOOKS,LOG")
    a = ap.parse_args()

    btf = Btf(a.btf_dir)
    ok = True
    for job in a.jobs:
        name, hooks, log = job.split(",", 2)
        ok = judge(btf, a.kernel, name, hooks, log) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
