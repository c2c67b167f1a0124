#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make fuzz: run each libFuzzer harness (.output/fuzz/fuzz_NAME, mk/fuzz.mk)
# for FUZZ_SECONDS (default 30) under nice (FUZZ_NICE, default 10: the
# machine is shared), from the committed corpus (tests/fuzz/corpus/NAME), the
# seeds in tests/data and the past crashes, into a working corpus
# .output/fuzz/corpus/NAME; crashes, leaks, timeouts and out-of-memory inputs
# go to .output/fuzz/crashes/NAME. Prints one line per harness with its
# executions, rate, coverage and findings, and exits 1 if any harness found
# one. FUZZ_JOBS=N runs N processes per harness (libFuzzer -fork);
# FUZZ_RUNS=N stops a harness after N executions (the long run: 10000000).
#   tests/fuzz/run.sh [NAME...]    (default: every harness)
set -u
cd "$(dirname "$0")/../.." || exit 2
OUT=.output/fuzz
SECS=${FUZZ_SECONDS:-30}
NICE=${FUZZ_NICE:-10}
names=${*:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
mkdir -p "$OUT/logs"

seeds() { # NAME: the read-only seed directories
	local d
	for d in "tests/fuzz/corpus/$1" "tests/fuzz/crashes/$1"; do
		[ -d "$d" ] && echo "$d"
	done
	case $1 in
	replay) echo tests/data/traces; [ -d tests/data/traces/recorded ] && echo tests/data/traces/recorded ;;
	lspci) echo tests/data/lspci ;;
	esac
}

found_any=0
printf '%-8s %8s %12s %10s %8s %8s  %s\n' harness seconds execs execs/s cov corpus findings
for n in $names; do
	bin=$OUT/fuzz_$n
	if [ ! -x "$bin" ]; then
		echo "$n: $bin missing (make fuzz-build)" >&2
		found_any=1
		continue
	fi
	work=$OUT/corpus/$n
	crashes=$OUT/crashes/$n
	mkdir -p "$work" "$crashes"
	before=$(ls "$crashes" | wc -l)
	dict=""
	[ -f "tests/fuzz/dict/$n.dict" ] && dict="-dict=tests/fuzz/dict/$n.dict"
	fork=""
	[ -n "${FUZZ_RUNS:-}" ] && fork="-runs=$FUZZ_RUNS"
	[ "${FUZZ_JOBS:-1}" -gt 1 ] && fork="$fork -fork=$FUZZ_JOBS -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
	t0=$(date +%s)
	# shellcheck disable=SC2046,SC2086
	nice -n "$NICE" "$bin" -max_total_time="$SECS" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$crashes/" $dict $fork \
		"$work" $(seeds "$n") >"$OUT/logs/$n.log" 2>&1
	t1=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/logs/$n.log" | tail -n 1)
	[ -n "$execs" ] || execs=$(grep -oE '#[0-9]+' "$OUT/logs/$n.log" | tail -n 1 | tr -d '#')
	cov=$(grep -oE 'cov: [0-9]+' "$OUT/logs/$n.log" | tail -n 1 | cut -d' ' -f2)
	after=$(ls "$crashes" | wc -l)
	new=$((after - before))
	[ "$new" -eq 0 ] || found_any=1
	secs=$((t1 - t0))
	[ "$secs" -gt 0 ] || secs=1
	printf '%-8s %8d %12s %10s %8s %8s  %s\n' "$n" "$secs" "${execs:-?}" \
		"$(( ${execs:-0} / secs ))" "${cov:-?}" "$(ls "$work" | wc -l)" \
		"$([ $new -eq 0 ] && echo none || echo "$new new in $crashes")"
	if [ "$new" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|Test unit written' "$OUT/logs/$n.log" | head -n 5 | sed 's/^/    | /'
	fi
done
echo "logs: $OUT/logs; a finding, once fixed, goes to tests/fuzz/crashes/NAME (make check replays it)"
exit $found_any
