#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/run-all.sh [NAME=COMMAND...]
#
# Runs every test suite of `make check` (or the NAME=COMMAND suites given as
# arguments, which tests/runner/selftest.sh uses), prints one line per suite
#   NAME  N passed, N failed, N skipped  Ts
# and last, exactly, "N passed, N failed, N skipped"; exits non-zero on any
# failure. SUITES limits which suites run (space-separated: unit bpf cli
# exporter reliability kernel devices vm runner).
#
# The runner counts, it does not take a suite's word for it:
#   - per check line: TAP "ok ..." passed, "ok ... # SKIP|skip ..." skipped,
#     "not ok ..." failed; guest lines "scenario|check ... result=PASS|FAIL|SKIP";
#     a cmocka binary by its "[  PASSED  ] N test(s)" / FAILED / SKIPPED summary;
#   - every suite script ends with "N passed, N failed, N skipped" and that line
#     must agree with its check lines; no such line, a mismatch, no check at
#     all, or a non-zero exit with no failed check each count as one failure
#     (a suite that dies without saying what failed is a failure);
#   - a suite that cannot run at all prints "# skip: REASON" and
#     "0 passed, 0 failed, 1 skipped" and exits 77: it counts as skipped.
# Under CI=true (.ci/run sets it) a required suite that was skipped, or that
# skipped every check it has, counts as one failure naming the suite and why
# it skipped. Required: every suite below, i.e. the patterns
#   unit/* asan/* bpf/* cli cli/* exporter/* reliability/* kernel/* devices/*
#   vm/* runner/*
# The CI machine runs scripts/deps.sh first, which installs everything each of
# them needs, so none may skip there. A future suite that can legitimately
# skip on that machine goes into OPTIONAL below, with the reason.
set -u
cd "$(dirname "$0")/.." || exit 2
OUT=.output/tests
SUITES=${SUITES:-"unit bpf cli exporter reliability kernel devices vm runner"}
REQUIRED="unit/* asan/* bpf/* cli cli/* exporter/* reliability/* kernel/* devices/* vm/* runner/*"
OPTIONAL=""	# "PATTERN" entries, each with a comment saying why it may skip in CI
log=$OUT/logs
mkdir -p "$log"
total_p=0 total_f=0 total_s=0

# shellcheck disable=SC2254 # the patterns are globs on purpose
required() { # NAME
	local pat
	for pat in $OPTIONAL; do case $1 in $pat) return 1 ;; esac; done
	for pat in $REQUIRED; do case $1 in $pat) return 0 ;; esac; done
	return 1
}

# counts LOGFILE: "P F S CP CF CS CLOSING CMOCKA LINES SKIPLINE" where P F S
# come from the check lines, CP CF CS from the last closing line (- if none)
count() {
	awk '
	function last_closing(s) { n = split(s, w, /[ ,]+/); cp = w[1]; cf = w[3]; cs = w[5] }
	/^ok / { if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]([^A-Za-z]|$)/) s++; else p++; lines++; next }
	/^not ok / { f++; lines++; next }
	/^(scenario|check) .*result=PASS([^A-Z]|$)/ { p++; lines++; next }
	/^(scenario|check) .*result=FAIL([^A-Z]|$)/ { f++; lines++; next }
	/^(scenario|check) .*result=SKIP([^A-Z]|$)/ { s++; lines++; next }
	/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ { closing = 1; last_closing($0); next }
	/^\[==========\]/ { cmocka = 1 }
	/^\[  PASSED  \] [0-9]+ test/ { mp += $4 }
	/^\[  FAILED  \] [0-9]+ test/ { mf += $4 }
	/^\[  SKIPPED \] [0-9]+ test/ { ms += $4 }
	/^# skip: / && skipline == "" { skipline = substr($0, 9) }
	END {
		if (cmocka && !lines) { p = mp; f = mf; s = ms; lines = p + f + s }
		if (!closing) { cp = cf = cs = "-" }
		printf "%d %d %d %s %s %s %d %d %d %s\n", p, f, s, cp, cf, cs, closing, cmocka,
			lines, skipline == "" ? "-" : skipline
	}' "$1"
}

# judge NAME LOGFILE RC SECS: prints the suite's line, adds to the totals
judge() {
	local name=$1 f=$2 rc=$3 secs=$4 p x s cp cf cs closing cmocka lines why
	local -a notes=()
	read -r p x s cp cf cs closing cmocka lines why < <(count "$f")
	[ "$why" = - ] && why=""
	if [ "$rc" -eq 77 ]; then
		if [ -z "$why" ]; then
			x=$((x + 1))
			notes+=("exit 77 without a '# skip: REASON' line")
		elif [ "$s" -eq 0 ] && [ "$cs" != - ] && [ "$cs" -gt 0 ]; then
			s=$cs	# "0 passed, 0 failed, 1 skipped": the suite is the skip
		elif [ "$s" -eq 0 ]; then
			s=1
		fi
	elif [ "$cmocka" -eq 0 ]; then
		if [ "$closing" -eq 0 ]; then
			x=$((x + 1))
			notes+=("no closing line 'N passed, N failed, N skipped' (died?)")
		elif [ "$cp $cf $cs" != "$p $x $s" ]; then
			notes+=("closing line says $cp passed, $cf failed, $cs skipped; its check lines say $p, $x, $s")
			x=$((x + 1))
		fi
		if [ "$lines" -eq 0 ] && [ "$rc" -eq 0 ]; then
			x=$((x + 1))
			notes+=("no check ran")
		fi
	elif [ "$lines" -eq 0 ]; then
		x=$((x + 1))
		notes+=("no test ran")
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$x" -eq 0 ]; then
		x=1
		notes+=("exit $rc without a failed check")
	fi
	if [ "${CI:-}" = true ] && required "$name" && [ "$p" -eq 0 ] && [ "$s" -gt 0 ]; then
		x=$((x + 1))
		notes+=("CI=true: required suite $name skipped: ${why:-every check skipped}")
	fi
	total_p=$((total_p + p)) total_f=$((total_f + x)) total_s=$((total_s + s))
	printf '%-28s %4d passed, %d failed, %d skipped %5ss%s\n' "$name" "$p" "$x" "$s" "$secs" \
		"$( { [ "$rc" -ne 0 ] || [ "$x" -ne 0 ]; } && echo " (exit $rc, log: $f)")"
	[ -z "$why" ] || echo "    | # skip: $why"
	[ ${#notes[@]} -eq 0 ] || printf '    | FAILED: %s\n' "${notes[@]}"
	if [ "$x" -ne 0 ]; then
		tail -n 25 "$f" | sed 's/^/    | /'
	elif [ "$s" -ne 0 ] && [ "$rc" -ne 77 ]; then
		grep -E '^ok .*#[[:space:]]*[Ss][Kk][Ii][Pp]|^(scenario|check) .*result=SKIP' "$f" |
			head -n 5 | sed 's/^/    | /'
	fi
}

suite() { # name command...
	local name=$1 f t0 rc
	shift
	f=$log/$(echo "$name" | tr '/ ' '__').log
	t0=$(date +%s)
	"$@" >"$f" 2>&1 </dev/null
	rc=$?
	judge "$name" "$f" "$rc" $(($(date +%s) - t0))
}

want() { case " $SUITES " in *" $1 "*) return 0 ;; esac; return 1; }

if [ $# -gt 0 ]; then
	for a in "$@"; do
		suite "${a%%=*}" bash -c "${a#*=}"
	done
else
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
		suite "cli/flags" bash tests/cli/test-flags.sh
		suite "cli/json" bash tests/cli/test-json.sh
	fi
	if want exporter || want cli; then
		for t in tests/exporter/test-*.sh; do
			[ -f "$t" ] && suite "exporter/$(basename "$t" .sh)" bash "$t"
		done
	fi
	if want reliability; then
		for t in tests/reliability/test-*.sh; do
			[ -f "$t" ] && suite "reliability/$(basename "$t" .sh)" bash "$t"
		done
		suite "reliability/fuzz-corpus" bash tests/fuzz/test-corpus.sh
	fi
	if want kernel; then
		suite "kernel/check-series" bash kernel/scripts/check-series.sh
		for t in tests/kernel/*.sh; do [ -f "$t" ] && suite "kernel/$(basename "$t")" bash "$t"; done
	fi
	if want devices; then
		suite "devices/lspci" bash tests/devices/check-lspci.sh
	fi
	if want runner || want unit; then
		suite "runner/selftest" bash tests/runner/selftest.sh
	fi
	if want vm; then
		suite "vm/harness-selftest" bash tests/vm/selftest.sh
		suite "vm/regressions-6.1" bash tests/vm/scenarios/repro-tphtrace.sh
		for t in tests/vm/test-*.sh; do [ -f "$t" ] && suite "vm/$(basename "$t" .sh)" bash "$t"; done
	fi
fi

echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
