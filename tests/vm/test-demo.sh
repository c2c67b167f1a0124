#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make demo, twice: the same text apart from timestamps and pids (the order is
# the recording's, each step's records under its heading), a drawing of the
# topology and of each MR's path with the failed step marked, no internal
# lines, and the recording copied out so that `tphtrace check --replay` works
# on the host. Prints "ok N - ..." lines and "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../.."
T=.output/tphtrace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_guest 6.12
need_cmd jq "scripts/deps.sh"
[ -x "$T" ] || skip_suite "no $T (make)"

# timestamps (seconds with a fraction) and pids (the PID column of trace
# lines, "pid N") are what may differ between two runs
mask() {
	sed -E 's/[0-9]+\.[0-9]{6,9}/TS/g; s/pid [0-9]+/pid PID/g;
		s/^([a-z_]+ +[^ ]+ +)[0-9]+ /\1PID /' "$1"
}

for i in 1 2; do
	rm -f .output/demo.jsonl
	bash demo/demo.sh >"$tmp/demo$i.out" 2>&1
	echo $? >"$tmp/rc$i"
	# what the guest printed: from the banner on
	sed -n '/^tphtrace demo on /,$p' "$tmp/demo$i.out" >"$tmp/demo$i.txt"
done
check "make demo runs (exit 0, twice)" \
	"[ \$(cat $tmp/rc1) -eq 0 ] && [ \$(cat $tmp/rc2) -eq 0 ] && [ -s $tmp/demo1.txt ]" \
	"$(tail -n 5 "$tmp/demo1.out")"
mask "$tmp/demo1.txt" >"$tmp/m1"
mask "$tmp/demo2.txt" >"$tmp/m2"
check "two runs print the same text apart from timestamps and pids ($(wc -l <"$tmp/m1") lines)" \
	"cmp -s $tmp/m1 $tmp/m2" "$(diff "$tmp/m1" "$tmp/m2" | head -n 6 | tr '\n' '|')"

# each step's records under its heading
section() { # N: the lines of step N (its heading to the next heading), a record's
	     # wrapped lines joined
	awk -v s="$1" '/^== [0-9]+\./ { cur = $2 + 0 } /^== tphtrace check/ { cur = 0 }
		cur == s' "$tmp/demo1.txt" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n  */ /g'
}
check "step 1: the export and the SET, under its heading" \
	"section 1 | grep -q '^dmabuf_export ' && section 1 | grep -q '^tph_publish .* st=0x2a .*ret=0'"
check "step 2: nic0's MR gets the tag (reason=ok)" \
	"section 2 | grep -q '^mr_reg .*ibdev=mlx5_sim0 .*reason=ok' && ! section 2 | grep -q width_mismatch"
check "step 3: nic1's MR without TPH (reason=width_mismatch), the query's errno named" \
	"section 3 | grep -q 'reason=width_mismatch' && section 3 | grep -q 'ret=-95(EOPNOTSUPP)'"
check "step 5: the rejected SET and nothing else" \
	"[ \$(section 5 | grep -c '^tph_publish .*ret=-22(EINVAL)') -eq 1 ] && [ \$(section 5 | grep -c '^[a-z_]* *tphsim-ctl') -eq 1 ]"
check "step 6: the revoke's invalidation" "section 6 | grep -q '^invalidate '"
check "a drawing: topology and each MR's path, the failed step marked" \
	"grep -q '^TOPOLOGY' $tmp/demo1.txt && grep -q '^MR PATHS' $tmp/demo1.txt &&
	 grep -q -- '-> 16-bit requester \\[X' $tmp/demo1.txt && grep -q 'stale: invalidated since' $tmp/demo1.txt"
check "no internal lines (op, bind, done, @clock)" \
	"! grep -Eq '^(op|bind|done|@[0-9])' $tmp/demo1.txt"
check "the demo's diagnosis: TPH002, TPH013, TPH009, TPH010" \
	"grep -q '^error   TPH002' $tmp/demo1.txt && grep -q '^error   TPH013' $tmp/demo1.txt &&
	 grep -q '^warning TPH009' $tmp/demo1.txt && grep -q '^warning TPH010' $tmp/demo1.txt"
$T check --replay .output/demo.jsonl -j >"$tmp/check.json" 2>&1; rc=$?
check "the recording is copied out: check --replay .output/demo.jsonl on the host (exit 1)" \
	"[ $rc -eq 1 ] && jq -e '[.findings[].id] | sort == [\"TPH002\", \"TPH009\", \"TPH010\", \"TPH013\"]' $tmp/check.json >/dev/null"

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
