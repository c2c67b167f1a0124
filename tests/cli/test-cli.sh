#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# CLI behaviour on the host: help lists exactly the commands, bad input gets
# a clear error and exit 2, probe explains what this kernel lacks. Every
# check asserts the exact exit code. Prints "ok N - ..." / "not ok N - ..."
# and "N passed, N failed, N skipped"; exits 1 on any failure.
set -u
T=${TPHTRACE:-.output/tphtrace}
n=0 pass=0 fail=0 skipped=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
if [ ! -x "$T" ]; then
	echo "# skip: no $T (make)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

out=$($T --help); rc=$?
cmds=$(echo "$out" | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}' | tr '\n' ' ')
check "--help exits 0" "[ $rc -eq 0 ]"
check "--help lists exactly the commands" "[ '$cmds' = 'trace probe list top check devices exporter version ' ]"
$T bogus >/dev/null 2>/tmp/tph.err; rc=$?
check "unknown command: exit 2" "[ $rc -eq 2 ] && grep -q \"unknown command 'bogus'\" /tmp/tph.err"
$T trace --no-such-flag >/dev/null 2>/tmp/tph.err; rc=$?
check "bad flag: exit 2 with message" "[ $rc -eq 2 ] && grep -q 'no-such-flag' /tmp/tph.err"
$T trace -p abc >/dev/null 2>/tmp/tph.err; rc=$?
check "bad pid: exit 2" "[ $rc -eq 2 ] && grep -q \"invalid pid 'abc'\" /tmp/tph.err"
$T trace --hooks mr_reg=uprobe >/dev/null 2>/tmp/tph.err; rc=$?
check "bad hook family: exit 2" "[ $rc -eq 2 ] && grep -q \"unknown hook family 'uprobe'\" /tmp/tph.err"
$T trace -D -1 >/dev/null 2>/tmp/tph.err; rc=$?
check "bad duration: exit 2" "[ $rc -eq 2 ] && grep -q 'invalid duration' /tmp/tph.err"
out=$($T version); rc=$?
check "version: exit 0, 'tphtrace X.Y.Z'" "[ $rc -eq 0 ] && [[ \$out =~ ^tphtrace\ [0-9]+\.[0-9]+\.[0-9]+ ]]"
out=$($T tr --help); rc=$?
check "prefix command + --help: exit 0, documents --hooks" "[ $rc -eq 0 ] && grep -q -- '--hooks' <<<\"\$out\""
for c in $cmds; do
	$T $c --help >/dev/null 2>&1
	check "$c --help exits 0" "[ $? -eq 0 ]"
done

if [ "$(id -u)" -eq 0 ]; then
	$T probe >/tmp/tph.probe 2>&1; rc=$?
	check "probe on the host: degraded (exit 1)" "[ $rc -eq 1 ]"
	check "probe names why mr_reg is unavailable" \
		"grep -E '^mr_reg .*unavailable: .*mlx5_ib_mr_tph' /tmp/tph.probe >/dev/null"
	$T probe -j >/tmp/tph.probe.json 2>/dev/null; rc=$?
	check "probe -j: exit 1 (degraded), a JSON array of 13 events" \
		"[ $rc -eq 1 ] && jq -e 'length == 13 and all(.[]; has(\"event\"))' /tmp/tph.probe.json >/dev/null"
	# unprivileged: clear message naming the capabilities, exit 2
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			$T trace -D 1 >/dev/null 2>/tmp/tph.err; rc=$?
		check "unprivileged trace: exit 2 naming CAP_BPF" \
			"[ $rc -eq 2 ] && grep -q CAP_BPF /tmp/tph.err"
	else
		skip "unprivileged trace: exit 2 naming CAP_BPF" "no setpriv"
	fi
	# trace on the host attaches what exists and ends cleanly after -D
	timeout 20 $T trace -D 1 >/dev/null 2>/tmp/tph.err; rc=$?
	if grep -q 'no event has a usable hook' /tmp/tph.err; then
		check "trace with no hooks: exit 2 and says so" "[ $rc -eq 2 ]"
	else
		check "trace -D 1 exits 0" "[ $rc -eq 0 ] && grep -q 'ready:' /tmp/tph.err"
	fi
else
	for c in "probe on the host" "probe -j" "unprivileged trace" "trace -D 1"; do
		skip "$c" "not root"
	done
fi

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
