#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# One JSON style (docs/json.md): every command's -j output, on recorded
# traces and on this host, is one compact document per line, starts with
# "command" and "version", and validates against its documented schema
# (docs/schema/CMD.json, JSON Schema 2020-12, python3-jsonschema).
set -u
cd "$(dirname "$0")/../.."
T=${TPHTRACE:-.output/tphtrace}
D=tests/data/traces
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "# skip: python3-jsonschema is not installed (scripts/deps.sh installs it)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

i=0
run() { # NAME CMD ARGS...: one output file per run, named after the command
	local name=$1
	shift
	i=$((i + 1))
	"$T" "$@" -j >"$tmp/$i.$1.json" 2>"$tmp/$i.err"
	echo "$?" >"$tmp/$i.rc"
	echo "$name" >"$tmp/$i.name"
}

for f in "$D"/happy-ext.jsonl "$D"/st-table-full.jsonl "$D"/sim-stale_after_revoke.jsonl \
	 "$D"/lost.jsonl "$D"/stale-after-reuse.jsonl; do
	b=$(basename "$f")
	run "list --replay $b" list --replay "$f"
	run "list --replay $b --at +0.01" list --replay "$f" --at +0.01
	run "check --replay $b" check --replay "$f"
	run "top --replay $b" top --replay "$f"
done
run "list -d (one device)" list --replay "$D/st-table-full.jsonl" -d 0000:3b:00.0
run "check -i (one dma-buf)" check --replay "$D/stale-after-set.jsonl" -i 101
run "check --list-rules" check --list-rules
run "devices --config-dump" devices --config-dump tests/data/lspci/domains.txt
run "exporter --replay --check" exporter --replay "$D/happy-ext.jsonl" --check
run "version" version
if [ "$(id -u)" -eq 0 ]; then
	run "probe (this host)" probe
	run "list (this host)" list
	run "devices (this host)" devices
fi

python3 - "$tmp" <<'EOF'
import glob, json, os, sys
import jsonschema

tmp = sys.argv[1]
schemas = {}
n = ok = 0
for path in sorted(glob.glob(os.path.join(tmp, "*.json")), key=lambda p: int(os.path.basename(p).split(".")[0])):
    base = os.path.basename(path)
    k, cmd = base.split(".")[:2]
    name = open(os.path.join(tmp, k + ".name")).read().strip()
    rc = int(open(os.path.join(tmp, k + ".rc")).read())
    n += 1
    why = None
    text = open(path).read()
    lines = text.split("\n")
    if rc not in (0, 1):
        why = "exit %d: %s" % (rc, open(os.path.join(tmp, k + ".err")).read()[:200])
    elif not text.endswith("\n") or len(lines) != 2:
        why = "not one line: %d lines" % (len(lines) - 1)
    else:
        try:
            doc = json.loads(lines[0])
            if list(doc)[:2] != ["command", "version"]:
                why = "does not start with command, version"
            else:
                if cmd not in schemas:
                    schemas[cmd] = json.load(open("docs/schema/%s.json" % cmd))
                jsonschema.validate(doc, schemas[cmd], cls=jsonschema.Draft202012Validator)
        except Exception as e:
            why = str(e).split("\n")[0][:300]
    if why:
        print("not ok %d - %s -j: %s" % (n, name, why))
    else:
        ok += 1
        print("ok %d - %s -j: one document, docs/schema/%s.json" % (n, name, cmd))
print("%d passed, %d failed, 0 skipped" % (ok, n - ok))
sys.exit(n != ok)
EOF
