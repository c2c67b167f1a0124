#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# list / top / check on the host and on recorded traces:
#  - check --replay on every tests/data/traces/*.jsonl reports exactly the
#    rule ids of tests/data/traces/expected.txt, exit 0 without, 1 with;
#  - malformed input: exit 2 naming the line; bad options: exit 2;
#  - list/top/check --replay agree; limits evict and say so;
#  - on the host (root): list, list -D, top --once, check -D run without
#    crashing and say what is unavailable.
# Every check asserts the exact exit code. Prints "ok N - ..." / "not ok N -
# ..." and "N passed, N failed, N skipped"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.."
T=${TPHTRACE:-.output/tphtrace}
D=tests/data/traces
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
if [ ! -x "$T" ]; then
	echo "# skip: no $T (make)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

# ---- replay: every trace against its expected rules ----------------------
for f in "$D"/*.jsonl; do
	b=$(basename "$f")
	want=$(awk -v f="$b" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' "$D/expected.txt")
	if [ -z "$want" ]; then
		nok "$b: listed in expected.txt"
		continue
	fi
	[ "$want" = "-" ] && want=""
	$T check --replay "$f" -j >"$tmp/out" 2>"$tmp/err"; rc=$?
	got=$(jq -r '[.findings[].id] | unique | join(" ")' "$tmp/out")
	erc=1; [ -z "$want" ] && erc=0
	check "$b: rules [${want:-none}], exit $erc" "[ '$got' = '$want' ] && [ $rc -eq $erc ]" \
		"got [$got] exit $rc: $(head -c 300 "$tmp/err")"
done
# every line of the manifest names an existing trace
while read -r f _; do
	case $f in ''|'#'*) continue ;; esac
	[ -f "$D/$f" ] || nok "expected.txt: $f exists"
done <"$D/expected.txt"

# text output carries evidence and the fix
$T check --replay "$D/width-mismatch.jsonl" >"$tmp/out"; rc=$?
check "check text: exit 1, id, evidence, fix" \
	"[ $rc -eq 1 ] && grep -q '^error   TPH002' $tmp/out && grep -q 'dma-buf 101 (vfio_pci_core on 0000:17:00.0)' $tmp/out && grep -q 'device 0000:3b:00.0 (mlx5_0)' $tmp/out && grep -q 'fix: ' $tmp/out && grep -q '^1 finding(s): 1 error' $tmp/out"
$T check --replay "$D/happy-ext.jsonl" >"$tmp/out"; rc=$?
check "check text on a happy path: exit 0, 'no findings'" "[ $rc -eq 0 ] && grep -q '^no findings' $tmp/out"
$T check --replay "$D/width-mismatch.jsonl" --no-hints >"$tmp/out"; rc=$?
check "check --no-hints: exit 1, leaves out the fix" "[ $rc -eq 1 ] && grep -q '^error   TPH002' $tmp/out && ! grep -q 'fix: ' $tmp/out"
$T check --replay - -j <"$D/stale-after-set.jsonl" >"$tmp/out"; rc=$?
check "check --replay - reads stdin" "[ $rc -eq 1 ] && jq -e '.findings[0].id == \"TPH009\" and .findings[0].evidence.values.now_st == 22136' $tmp/out >/dev/null"
$T check --replay "$D/lost.jsonl" -j >"$tmp/out"; rc=$?
check "lost status lines count as lost records (exit 1)" \
	"[ $rc -eq 1 ] && jq -e '.source.lost == 17 and .findings[0].id == \"TPH016\" and .findings[0].count == 17' $tmp/out >/dev/null"

# limits: a model too small evicts, counts and says so
$T check --replay "$D/st-table-full.jsonl" --max-dmabufs 2 -j >"$tmp/out"; rc=$?
check "--max-dmabufs 2 evicts and reports TPH022 (exit 1)" \
	"[ $rc -eq 1 ] && jq -e '[.findings[].id] | index(\"TPH022\") != null' $tmp/out >/dev/null"
$T list --replay "$D/st-table-full.jsonl" --max-dmabufs 2 -j >"$tmp/out"; rc=$?
check "list shows the limit and the evictions (exit 0)" \
	"[ $rc -eq 0 ] && jq -e '.limits.dmabufs.limit == 2 and .limits.dmabufs.evicted == 2 and (.dmabufs | length) == 2' $tmp/out >/dev/null"

# the rule table
$T check --list-rules >"$tmp/out"; rc=$?
check "check --list-rules: 22 rules TPH001..TPH022" \
	"[ $rc -eq 0 ] && [ \$(grep -c '^TPH0' $tmp/out) -eq 22 ] && head -1 $tmp/out | grep -q '^TPH001' && tail -1 $tmp/out | grep -q '^TPH022'"
$T check --list-rules -j >"$tmp/out"; rc=$?
check "check --list-rules -j: exit 0, every rule has a hint" \
	"[ $rc -eq 0 ] && jq -e '(.rules | length) == 22 and all(.rules[]; .hint != \"\")' $tmp/out >/dev/null"
missing=""
for id in $(jq -r '.rules[].id' <($T check --list-rules -j)); do
	grep -q "^## $id " docs/rules.md || missing="$missing $id"
done
check "docs/rules.md documents every rule" "[ -z '$missing' ]" "missing:$missing"

# the examples of docs/rules.md are what check prints today
python3 - "$T" <<'PYEOF' >"$tmp/out" 2>&1
import re, subprocess, sys
s = open("docs/rules.md").read()
pat = re.compile(r"`tphtrace check --replay (\S+)( [^`]*)?` \(exit (\d)\):\n\n```\n(.*?)```", re.S)
bad = []
for m in pat.finditer(s):
    r = subprocess.run([sys.argv[1], "check", "--replay", m.group(1)] + (m.group(2) or "").split(),
                       capture_output=True, text=True)
    if r.stdout != m.group(4) or r.returncode != int(m.group(3)):
        bad.append(m.group(1))
print(len(list(pat.finditer(s))), "examples;", "stale: " + " ".join(bad) if bad else "all current")
sys.exit(1 if bad else 0)
PYEOF
rc=$?
check "docs/rules.md: every example's output is what check prints ($(cat $tmp/out))" "[ $rc -eq 0 ]"

# ---- malformed input and bad options: exit 2 ------------------------------
head -3 "$D/happy-ext.jsonl" >"$tmp/bad.jsonl"
echo '{"kind":"mr_reg","mkey":' >>"$tmp/bad.jsonl"
$T check --replay "$tmp/bad.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
check "malformed line: exit 2 naming the line" "[ $rc -eq 2 ] && grep -q 'bad.jsonl:4: not a JSON object' $tmp/err"
echo '{"kind":"mr_reg","ts":"soon"}' >"$tmp/bad2.jsonl"
$T check --replay "$tmp/bad2.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
check "bad value: exit 2 naming the key" "[ $rc -eq 2 ] && grep -q 'bad2.jsonl:1: bad value for \"ts\"' $tmp/err"
echo '{"kind":"warp_drive"}' >"$tmp/bad3.jsonl"
$T list --replay "$tmp/bad3.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
check "list: unknown kind: exit 2" "[ $rc -eq 2 ] && grep -q 'bad3.jsonl:1: missing or unknown \"kind\"' $tmp/err"
$T check --replay /nonexistent.jsonl >/dev/null 2>"$tmp/err"; rc=$?
check "missing file: exit 2" "[ $rc -eq 2 ] && grep -q 'No such file' $tmp/err"
$T check --replay "$D/happy-ext.jsonl" -D 1 >/dev/null 2>&1; rc=$?
check "--replay with -D: exit 2" "[ $rc -eq 2 ]"
$T top -s colour --once >/dev/null 2>"$tmp/err"; rc=$?
check "top: unknown sort key: exit 2" "[ $rc -eq 2 ] && grep -q \"unknown sort key 'colour'\" $tmp/err"
$T top -n 0 >/dev/null 2>&1; rc=$?
check "top -n 0: exit 2" "[ $rc -eq 2 ]"
$T list -D -3 >/dev/null 2>&1; rc=$?
check "list: bad duration: exit 2" "[ $rc -eq 2 ]"
$T check --max-mrs 0 --replay "$D/happy-ext.jsonl" >/dev/null 2>&1; rc=$?
check "check: bad limit: exit 2" "[ $rc -eq 2 ]"
for c in list top check; do
	$T $c --help >"$tmp/out" 2>&1
	check "$c --help exits 0" "[ $? -eq 0 ] && grep -q -- '--replay' $tmp/out"
done

# ---- list / top on a trace ---------------------------------------------------
$T list --replay "$D/stale-after-reuse.jsonl" -j >"$tmp/out"; rc=$?
check "list --replay -j: the model at the end of the trace" \
	"[ $rc -eq 0 ] && jq -e '.dmabufs[0].ino == 101 and .dmabufs[0].tag.st_ext == 22136 and .dmabufs[0].mrs_tph == 1 and .dmabufs[0].findings == 1 and .mrs[0].reused == true and .mrs[0].published_at_registration.st_ext == 22136' $tmp/out >/dev/null"
check "list -j: devices with PCI TPH state and ST table" \
	"jq -e '.devices[] | select(.device == \"0000:3b:00.0 (mlx5_0)\") | .pci_tph.req_type == \"ext\" and .st_table.used == 1' $tmp/out >/dev/null"
$T list --replay "$D/st-table-full.jsonl" >"$tmp/out"; rc=$?
check "list text: sections and ST table size learned" \
	"[ $rc -eq 0 ] && grep -q '^DMA-BUFS' $tmp/out && grep -q '^MRS' $tmp/out && grep -q '^DEVICES' $tmp/out && grep -q 'size=4 FULL-SEEN' $tmp/out && grep -q '^LIMITS' $tmp/out"
$T list --replay "$D/happy-ext.jsonl" -j >"$tmp/out"; rc=$?
check "list: releases and deregistrations remove entries (exit 0)" \
	"[ $rc -eq 0 ] && jq -e '(.dmabufs | map(.ino)) == [102] and (.mrs | length) == 0' $tmp/out >/dev/null"
$T top --replay "$D/st-table-full.jsonl" -s no-tph >"$tmp/out"; rc=$?
check "top --replay -s no-tph: the MR without TPH first" \
	"[ $rc -eq 0 ] && awk '/ INODE /{getline; sub(/^!/, \"\"); print \$1; exit}' $tmp/out | grep -qx 104 && grep -q 'TPH006' $tmp/out"
$T top --replay "$D/st-table-full.jsonl" -s inode >"$tmp/out"; rc=$?
check "top -s inode (exit 0)" "[ $rc -eq 0 ] && awk '/ INODE /{getline; sub(/^!/, \"\"); print \$1; exit}' $tmp/out | grep -qx 101"
check "top frame has no ANSI escapes when not a terminal" "! grep -q $'\\033' $tmp/out"

# top fits 80 columns unless the terminal is wider (COLUMNS stands for it)
wide=0
for f in "$D"/*.jsonl; do
	for at in "" "--at +0.002" "--at +0.02"; do
		# shellcheck disable=SC2086
		env -u COLUMNS $T top --replay "$f" $at >"$tmp/out" 2>&1 || wide=999
		w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/out")
		[ "$w" -gt "$wide" ] && wide=$w
	done
done
check "top renders every trace within 80 columns by default (widest: $wide)" "[ $wide -le 80 ]"
COLUMNS=132 $T top --replay "$D/stale-after-reuse.jsonl" >"$tmp/out"
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/out")
check "top on 132 columns: wider, with a HOLDERS column, still within them ($w)" \
	"[ $w -gt 80 ] && [ $w -le 132 ] && grep -q ' HOLDERS ' $tmp/out"
COLUMNS=80 $T top --replay "$D/stale-after-reuse.jsonl" -v >"$tmp/out"
check "top -v: cells not cut" "! grep -q '~' $tmp/out && grep -q 'vfio_pci_core 0000:17:00.0' $tmp/out"
$T top --replay "$D/stale-after-reuse.jsonl" >"$tmp/out"
check "top marks a dma-buf with findings with '!'" "grep -q '^! 101 ' $tmp/out"
$T list --replay "$D/sim-stale_after_revoke.jsonl" -j | jq -e '(.dmabufs | length) == 0' >/dev/null
r1=$?
$T list --replay "$D/sim-stale_after_revoke.jsonl" --at +0.03 -j >"$tmp/out"
check "--at: the state in the middle of a recording, not its torn-down end" \
	"[ $r1 -eq 0 ] && jq -e '(.dmabufs | length) == 1 and (.mrs | length) == 2 and (.mrs | map(.stale | length) | add) >= 1 and .source.at.relative' $tmp/out >/dev/null"
$T list --replay "$D/happy-ext.jsonl" --at -1 >/dev/null 2>&1; rc=$?
check "--at: a bad time is refused (exit 2)" "[ $rc -eq 2 ]"
$T list --at +1 >/dev/null 2>"$tmp/err"; rc=$?
check "--at without --replay is refused" "[ $rc -eq 2 ] && grep -q 'needs --replay' $tmp/err"
$T trace --replay "$D/width-mismatch.jsonl" >"$tmp/out"; rc=$?
check "trace --replay renders a JSON trace as text with a header line and names next to numbers" \
	"[ $rc -eq 0 ] && head -1 $tmp/out | grep -q '^EVENT  *COMM  *PID HOOK  *DETAILS' && grep -q 'query_ret=-95(EOPNOTSUPP)' $tmp/out && grep -q 'mode=2(ds)' $tmp/out && grep -q 'rp_completer=3(ext)' $tmp/out"
$T trace --replay "$D/width-mismatch.jsonl" -j -i 101 >"$tmp/out"
check "trace --replay -j -i: the recording filtered, still replayable" \
	"[ \$(wc -l <$tmp/out) -ge 3 ] && $T check --replay $tmp/out -j | jq -e '.findings[0].id == \"TPH002\"' >/dev/null"
COLUMNS=60 $T check --replay "$D/width-mismatch.jsonl" >"$tmp/out"
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/out")
check "check text wraps to the width, the fix hint whole ($w <= 60)" \
	"[ $w -le 60 ] && tr '\n' ' ' <$tmp/out | tr -s ' ' | grep -q 'or publish both; the NIC.s width follows its enabled requester type'"
if command -v script >/dev/null; then
	(sleep 2; printf q) | timeout 30 script -qec "$T top" /dev/null >"$tmp/out" 2>&1; rc=$?
	check "top on a terminal quits on 'q'" "[ $rc -eq 0 ] && grep -q 'q quits' $tmp/out"
fi

# ---- the host: live mode is mostly unavailable, nothing may crash ------------
if [ "$(id -u)" -eq 0 ]; then
	$T list >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "list on the host: exit 0, says what was not recovered" \
		"[ $rc -eq 0 ] && grep -q '^from before start: .* recovered; not seen: .*ST table entries' $tmp/out"
	$T list -v >"$tmp/out" 2>"$tmp/err"; rc=$?
	# dma-bufs from iter/dmabuf where the kernel has it (v6.16+), else debugfs
	check "list -v on the host: every source, the dma-buf list (iter or debugfs) and sysfs PCI among them" \
		"[ $rc -eq 0 ] && grep -qE '^  dma-bufs +(iter|debugfs) ' $tmp/out && grep -q ' sysfs-pci ' $tmp/out && grep -qE '^  MRs +rdma-netlink ' $tmp/out"
	$T list -j >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "list -j on the host: valid JSON with the recovery report" \
		"[ $rc -eq 0 ] && jq -e '(.recovery.not_seen | index(\"st_entries\")) != null and (.recovery.sources | map(select(.source == \"proc\" and .ok)) | length) > 0' $tmp/out >/dev/null"
	timeout 30 $T list -D 1 >"$tmp/out" 2>"$tmp/err"; rc=$?
	if grep -q 'live tracing unavailable' "$tmp/err"; then
		# as check -D: asked to trace, cannot: exit 2, no inventory shown as traced
		check "list -D 1 without hooks: exit 2 and says why, as check -D" \
			"[ $rc -eq 2 ] && [ ! -s $tmp/out ]"
	else
		check "list -D 1 on the host: exit 0, live state said" \
			"[ $rc -eq 0 ] && grep -Eq '^live: ' $tmp/out"
	fi
	timeout 30 $T top --once >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "top --once on the host: exit 0, one frame" \
		"[ $rc -eq 0 ] && [ \$(grep -c '^tphtrace top' $tmp/out) -eq 1 ] && grep -q '^  INODE' $tmp/out"
	timeout 30 $T top -n 2 >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "top -n 2 on the host: two frames" \
		"[ $rc -eq 0 ] && [ \$(grep -c '^tphtrace top' $tmp/out) -eq 2 ]"
	timeout 30 $T check -D 1 >"$tmp/out" 2>"$tmp/err"; rc=$?
	if grep -q 'live tracing unavailable' "$tmp/err"; then
		check "check -D 1 without hooks: exit 2 and says why" "[ $rc -eq 2 ]"
	else
		# exit 0 without findings, 1 with: which one follows from the output;
		# started after whatever exists, it says what it could not see
		erc=1; grep -q '^no findings' "$tmp/out" && erc=0
		check "check -D 1 on the host: exit $erc, says what it could not see" \
			"[ $rc -eq $erc ] && grep -q '^note: started after the set-up: .*ST table entries.* could not be seen' $tmp/out"
	fi
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			$T check -D 1 >/dev/null 2>"$tmp/err"; rc=$?
		check "unprivileged check: exit 2 naming CAP_BPF" \
			"[ $rc -eq 2 ] && grep -q CAP_BPF $tmp/err"
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			$T list >/dev/null 2>"$tmp/err"; rc=$?
		check "unprivileged list: exit 0 (recovers what it can read)" "[ $rc -eq 0 ]"
	else
		skip "unprivileged check and list" "no setpriv"
	fi
else
	skip "list, top, check live on the host" "not root"
fi

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
