#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/test-scenarios.sh judges a scenario file given to it by that
# file's own expectations, wherever it lives (it once read them from
# kernel/tphsim/scenarios/NAME.scn, so a scenario from elsewhere passed with
# nothing checked). Three copies of ok_8bit.scn outside the tree, through
# the script (one 6.12 guest, raw_tp leg):
#   outside_ok      unchanged                      -> result=PASS
#   outside_wrong   the MR expected without TPH     -> result=FAIL naming its line
#   outside_none    every expect line removed       -> result=FAIL, nothing to check
# and the script exits 1. Prints "ok N - ..." / "not ok N - ..." and
# "N passed, N failed, N skipped"; 77 when it cannot run (no QEMU, no 6.12).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_guest 6.12
need_cmd jq "scripts/deps.sh"
[ -x .output/tphtrace ] || skip_suite "no .output/tphtrace (make)"
tmp=$(mktemp -d /tmp/scenario-files.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

src=kernel/tphsim/scenarios/ok_8bit.scn
cp "$src" "$tmp/outside_ok.scn"
# the registration as if it had not got the tag: what the kernel does not do
sed 's/^expect! mr_reg \(.*\) st_index=1 ph=2 tph=true reason=ok /expect! mr_reg \1 st_index=0 ph=none tph=false reason=not_published /' \
	"$src" >"$tmp/outside_wrong.scn"
grep -v '^expect' "$src" >"$tmp/outside_none.scn"
if cmp -s "$src" "$tmp/outside_wrong.scn" || ! grep -q '^expect' "$src"; then
	nok "the altered copies differ from $src" "ok_8bit.scn changed: update this test"
	echo "$pass passed, $fail failed, 0 skipped"
	exit 1
fi
wline=$(grep -n '^expect! mr_reg' "$tmp/outside_wrong.scn" | cut -d: -f1)

out=$tmp/out
SCENARIOS_OUT=$PWD/.output/vm/scenario-files bash tests/vm/test-scenarios.sh -k 6.12 -l raw_tp -P 1 \
	"$tmp/outside_ok.scn" "$tmp/outside_wrong.scn" "$tmp/outside_none.scn" >"$out" 2>&1
rc=$?
sed 's/^/# | /' "$out"
res() { sed -n "s/^scenario $1 kernel=[^ ]* hooks=raw_tp .*result=\([A-Z]*\).*/\1/p" "$out"; }
if [ "$(res outside_ok)" = PASS ]; then
	ok "an unchanged scenario outside the tree passes"
else
	nok "an unchanged scenario outside the tree passes" "result '$(res outside_ok)'"
fi
if [ "$(res outside_wrong)" = FAIL ] && grep -q "^# FAIL line $wline: expect! mr_reg" "$out"; then
	ok "a wrong expectation in a scenario outside the tree fails, naming line $wline"
else
	nok "a wrong expectation in a scenario outside the tree fails, naming line $wline" \
		"result '$(res outside_wrong)'"
fi
if [ "$(res outside_none)" = FAIL ] && grep -q '^# FAIL no expect' "$out"; then
	ok "a scenario without expectations fails (nothing to check is no pass)"
else
	nok "a scenario without expectations fails (nothing to check is no pass)" \
		"result '$(res outside_none)'"
fi
if [ "$rc" -eq 1 ]; then
	ok "test-scenarios.sh exits 1"
else
	nok "test-scenarios.sh exits 1" "exit $rc"
fi
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
