# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by a host test suite whose checks run in the script itself: TAP
# lines and their counts, for tests/run-all.sh (which recounts them).
# Sourcing sets n, pass, fail and skipped to 0; source it before any check
# and not into a script with its own functions of these names.
#
#   ok NAME             "ok N - NAME"
#   nok NAME [DETAIL]   "not ok N - NAME", then "#   DETAIL" when given
#   skip NAME WHY       "ok N - NAME # SKIP WHY"
#   check NAME COND [DETAIL]
#                       ok or nok by the shell condition COND (eval'ed)
#   tap_end             "N passed, N failed, N skipped"; false when one failed

n=0 pass=0 fail=0 skipped=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }

nok() {
	n=$((n + 1)) fail=$((fail + 1))
	echo "not ok $n - $1"
	[ -z "${2:-}" ] || echo "#   $2"
}

skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }

check() { if eval "$2"; then ok "$1"; else nok "$1" "${3:-}"; fi; }

tap_end() {
	echo "$pass passed, $fail failed, $skipped skipped"
	[ "$fail" -eq 0 ]
}
