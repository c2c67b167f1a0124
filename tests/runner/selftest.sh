#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Proves the rules of tests/run-all.sh on fake suites (pass, fail, skip,
# partial skip, die, lie about the counts, say nothing) with and without
# CI=true, then for real: the guest suites with qemu-system-x86_64 hidden
# from PATH skip without CI and fail the run under CI=true. A few seconds.
# Prints "ok N - ..." / "not ok N - ..." and "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../.." || exit 2
RUN=tests/run-all.sh
tmp=$(mktemp -d /tmp/runner-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 pass=0 fail=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$out"; }
expect() { # DESCRIPTION RC SUITE-LINE-REGEX [MORE-REGEX...]: checks $out and $rc
	local what=$1 want_rc=$2 re
	shift 2
	if [ "$want_rc" = nonzero ]; then [ "$rc" -ne 0 ] || { nok "$what (exit $rc)"; return; }
	elif [ "$rc" -ne "$want_rc" ]; then nok "$what (exit $rc, want $want_rc)"; return; fi
	for re in "$@"; do
		grep -qE -- "$re" "$out" || { nok "$what (no line matching '$re')"; return; }
	done
	ok "$what"
}

# fake suites: NAME BODY
fake() { printf '%s\n' "$2" >"$tmp/$1.sh"; }
fake pass 'echo "ok 1 - a"; echo "ok 2 - b"; echo "2 passed, 0 failed, 0 skipped"'
fake fail 'echo "ok 1 - a"; echo "not ok 2 - b"; echo "1 passed, 1 failed, 0 skipped"; exit 1'
fake skip 'echo "# skip: no frobnicator here"; echo "0 passed, 0 failed, 1 skipped"; exit 77'
fake partial 'echo "ok 1 - a"; echo "ok 2 - b # SKIP no c"; echo "ok 3 - c # skip lower case"
echo "1 passed, 0 failed, 2 skipped"'
fake allskip 'echo "ok 1 - a # SKIP nothing to run on"; echo "0 passed, 0 failed, 1 skipped"'
fake guest 'echo "scenario s1 kernel=6.12 hooks=tp_btf expected=ok observed=ok result=PASS"
echo "scenario s2 kernel=6.1 hooks=fentry expected=- observed=- result=SKIP (needs x)"
echo "check c1 kernel=6.12 hooks=- result=FAIL why"; echo "1 passed, 1 failed, 1 skipped"; exit 1'
fake die 'echo "ok 1 - a"; exit 3'
fake crash 'echo "ok 1 - a"; echo "1 passed, 0 failed, 0 skipped"; kill -SEGV $$'
fake liar 'echo "ok 1 - a # SKIP not really run"; echo "not ok 2 - b"; echo "2 passed, 0 failed, 0 skipped"'
fake silent 'echo "0 passed, 0 failed, 0 skipped"'
fake noclose 'echo "ok 1 - a"'
fake bad77 'echo "0 passed, 0 failed, 1 skipped"; exit 77'
# named runner/fake-*: a required suite (run-all.sh REQUIRED)
suites() { local s; for s in "$@"; do printf 'runner/fake-%s=bash %s/%s.sh\n' "$s" "$tmp" "$s"; done; }
run() { # [ENV=V...] -- SUITE...: run-all on fake suites, output in $out, exit in $rc
	local -a env=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	out=$tmp/out.$((n + 1))
	mapfile -t args < <(suites "$@")
	env CI= "${env[@]}" bash "$RUN" "${args[@]}" >"$out" 2>&1
	rc=$?
}

run -- pass
expect "a passing suite: its checks counted, exit 0" 0 \
	'^runner/fake-pass +2 passed, 0 failed, 0 skipped +[0-9]+s$' '^2 passed, 0 failed, 0 skipped$'
run -- pass fail
expect "a failing suite fails the run" 1 \
	'^runner/fake-fail +1 passed, 1 failed, 0 skipped' '^3 passed, 1 failed, 0 skipped$'
run -- pass skip
expect "a suite that exits 77 is skipped, not passed; exit 0 without CI" 0 \
	'^runner/fake-skip +0 passed, 0 failed, 1 skipped' '# skip: no frobnicator here' '^2 passed, 0 failed, 1 skipped$'
run CI=true -- pass skip
expect "CI=true: the skipped required suite fails the run, named with its reason" 1 \
	'^runner/fake-skip +0 passed, 1 failed, 1 skipped' \
	'FAILED: CI=true: required suite runner/fake-skip skipped: no frobnicator here' '^2 passed, 1 failed, 1 skipped$'
run CI=true -- partial
expect "TAP SKIP directives are skipped, not passed; a partial skip passes under CI" 0 \
	'^runner/fake-partial +1 passed, 0 failed, 2 skipped' '^1 passed, 0 failed, 2 skipped$'
run CI=true -- allskip
expect "CI=true: a suite that skipped every check fails" 1 \
	'^runner/fake-allskip +0 passed, 1 failed, 1 skipped' 'required suite runner/fake-allskip skipped: every check skipped'
run -- guest
expect "guest result=PASS|FAIL|SKIP lines are counted" 1 \
	'^runner/fake-guest +1 passed, 1 failed, 1 skipped' '^1 passed, 1 failed, 1 skipped$'
run -- die
expect "a suite that dies without a closing line fails" 1 \
	'^runner/fake-die +1 passed, 1 failed, 0 skipped .*\(exit 3' "no closing line"
run -- crash
expect "a suite killed by a signal after its closing line fails" 1 \
	'^runner/fake-crash +1 passed, 1 failed, 0 skipped .*\(exit 139'
run -- liar
expect "a closing line that disagrees with the check lines fails" 1 \
	'^runner/fake-liar +0 passed, 2 failed, 1 skipped' 'closing line says 2 passed, 0 failed, 0 skipped; its check lines say 0, 1, 1'
run -- silent
expect "a suite that ran no check fails" 1 '^runner/fake-silent +0 passed, 1 failed, 0 skipped' 'no check ran'
run -- noclose
expect "exit 0 without a closing line fails" 1 '^runner/fake-noclose +1 passed, 1 failed, 0 skipped' 'no closing line'
run -- bad77
expect "exit 77 without a skip reason line fails" 1 '^runner/fake-bad77 +0 passed, 1 failed, 0 skipped' "without a '# skip: REASON' line"
run CI=true -- pass
expect "CI=true changes nothing for a suite that ran" 0 '^2 passed, 0 failed, 0 skipped$'

# ---- for real: the guest suites with QEMU hidden from PATH ------------------
bin=$tmp/bin
mkdir -p "$bin"
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
	for f in "$d"/*; do
		b=${f##*/}
		case $b in qemu-system-*) continue ;; esac
		[ -x "$f" ] && [ ! -e "$bin/$b" ] && ln -s "$f" "$bin/$b"
	done
done
nvm=$(ls tests/vm/test-*.sh | wc -l)
nvm=$((nvm + 2))	# harness selftest, 6.1 regressions
out=$tmp/vm.noci
env CI= PATH="$bin" SUITES=vm bash "$RUN" >"$out" 2>&1
rc=$?
expect "QEMU hidden, no CI: every guest suite ($nvm) skips, naming qemu; exit 0" 0 \
	"^0 passed, 0 failed, $nvm skipped$" '# skip: no qemu-system-x86_64'
# (the arm64 leg names qemu-system-aarch64)
[ "$(grep -c '# skip: no qemu-system-\(x86_64\|aarch64\)' "$out")" -eq "$nvm" ] ||
	nok "QEMU hidden: all $nvm guest suites name qemu as the reason"
out=$tmp/vm.ci
env CI=true PATH="$bin" SUITES=vm bash "$RUN" >"$out" 2>&1
rc=$?
expect "QEMU hidden, CI=true: the run fails, each guest suite named" 1 \
	"^0 passed, $nvm failed, $nvm skipped$" \
	'FAILED: CI=true: required suite vm/test-check skipped: no qemu-system-x86_64' \
	'FAILED: CI=true: required suite vm/test-scenarios skipped: no qemu-system-x86_64'

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
