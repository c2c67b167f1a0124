#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs every test suite of `make check` and prints the closing line
# "N passed, N failed"; exits non-zero on any failure. SUITES limits which
# suites run (space-separated: unit bpf cli reliability kernel devices vm).
set -u
cd "$(dirname "$0")/.."
OUT=.output/tests
SUITES=${SUITES:-"unit bpf cli reliability kernel devices vm"}
pass=0
fail=0
log=$OUT/logs
mkdir -p "$log"

# count "ok"/"not ok" lines, cmocka summaries, or a trailing "N passed, N failed"
tally() { # name logfile rc
	local name=$1 f=$2 rc=$3 p=0 x=0 line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$f" | tail -n1)
	if [ -n "$line" ]; then
		p=${line%% passed*}; x=${line#*, }; x=${x%% failed*}
	elif grep -q '^\[==========\]' "$f"; then
		p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$f" | awk '{s+=$4} END {print s+0}')
		x=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$f" | awk '{s+=$4} END {print s+0}')
	else
		p=$(grep -cE '^ok ' "$f"); x=$(grep -cE '^not ok ' "$f")
	fi
	if [ "$rc" -ne 0 ] && [ "$x" -eq 0 ]; then
		x=1	# a suite that died without saying what failed
	fi
	pass=$((pass + p)); fail=$((fail + x))
	printf '%-28s %4d passed, %d failed %5ss%s\n' "$name" "$p" "$x" "${secs:-0}" \
		"$([ "$rc" -ne 0 ] && echo " (exit $rc, log: $f)")"
	if [ "$x" -ne 0 ]; then tail -n 25 "$f" | sed 's/^/    | /'; fi
}

suite() { # name command...
	local name=$1 f t0 rc
	shift
	f=$log/$(echo "$name" | tr '/ ' '__').log
	t0=$(date +%s)
	"$@" >"$f" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	tally "$name" "$f" $rc
}

want() { case " $SUITES " in *" $1 "*) return 0 ;; esac; return 1; }

if want unit; then
	for t in "$OUT"/test_*; do suite "unit/$(basename "$t")" "$t"; done
	for t in "$OUT"/asan/test_*; do suite "asan/$(basename "$t")" "$t"; done
fi
if want bpf; then
	suite "bpf/host-test-run" "$OUT/bpf_run"
fi
if want cli; then
	suite "cli" bash tests/cli/test-cli.sh
	suite "cli/views" bash tests/cli/test-views.sh
fi
{ want exporter || want cli; } && for t in tests/exporter/test-*.sh; do [ -f "$t" ] && suite "exporter/$(basename "$t" .sh)" bash "$t"; done
if want reliability; then
	for t in tests/reliability/test-*.sh; do [ -f "$t" ] && suite "reliability/$(basename "$t" .sh)" bash "$t"; done
fi
if want kernel && [ -f kernel/scripts/check-series.sh ]; then
	suite "kernel/check-series" bash kernel/scripts/check-series.sh
	for t in tests/kernel/*.sh; do [ -f "$t" ] && suite "kernel/$(basename "$t")" bash "$t"; done
fi
if want devices && [ -f tests/devices/check-lspci.sh ]; then
	suite "devices/lspci" bash tests/devices/check-lspci.sh
fi
if want vm; then
	suite "vm/harness-selftest" bash tests/vm/selftest.sh
	suite "vm/regressions-6.1" bash tests/vm/scenarios/repro-tphtrace.sh
	for t in tests/vm/test-*.sh; do [ -f "$t" ] && suite "vm/$(basename "$t" .sh)" bash "$t"; done
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
