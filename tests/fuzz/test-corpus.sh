#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make check: every fuzz harness (tests/fuzz/fuzz_*.c), built with gcc's
# ASan+UBSan objects and driver.c (no libFuzzer), replays the committed
# corpus (tests/fuzz/corpus/NAME), its seeds in tests/data and every input
# that once crashed it (tests/fuzz/crashes/NAME): a crash, a sanitizer
# report or a leak fails the harness's check.
set -u
cd "$(dirname "$0")/../.." || exit 2
OUT=.output/tests/fuzz
n=0 pass=0 fail=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin=$OUT/replay_$name
	dirs=()
	for d in "tests/fuzz/corpus/$name" "tests/fuzz/crashes/$name"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	case $name in
	replay) dirs+=(tests/data/traces) ;;
	lspci) dirs+=(tests/data/lspci) ;;
	esac
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		fail=$((fail + 1))
		echo "not ok $n - $name: $bin is not built"
		continue
	fi
	crashes=$(ls "tests/fuzz/crashes/$name" 2>/dev/null | wc -l)
	out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" "${dirs[@]}" 2>&1)
	rc=$?
	replayed=$(echo "$out" | sed -n 's/^replayed \([0-9]*\) inputs$/\1/p')
	if [ $rc -eq 0 ] && [ -n "$replayed" ] && [ "$replayed" -gt 0 ]; then
		pass=$((pass + 1))
		echo "ok $n - $name: $replayed inputs replayed ($crashes past crashes), no sanitizer report"
	else
		fail=$((fail + 1))
		echo "not ok $n - $name: exit $rc after ${replayed:-?} inputs"
		echo "$out" | grep -E 'ERROR|SUMMARY|#[0-4] ' | head -n 12 | sed 's/^/# /'
	fi
done
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
