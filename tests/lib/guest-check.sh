# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by a guest job that prints the suite lines its host script
# judges (tests/vm/guest-iter.sh, guest-vfio.sh), after setting kver.
# Sourcing sets pass, fail and skip to 0.
#
#   check NAME HOOKS WHAT PASS|FAIL|SKIP [DETAIL]
#       "check NAME kernel=$kver hooks=HOOKS what=WHAT result=R[ DETAIL]"
#   jcheck NAME HOOKS WHAT FILE JQ-EXPR
#       PASS if jq -e says JQ-EXPR holds for FILE, else FAIL naming it
#   field KEY FILE      the first KEY=value's value in FILE
#   check_totals        "N passed, N failed, N skipped"; false when one failed

pass=0 fail=0 skip=0

# shellcheck disable=SC2154 # kver: set by the sourcing job
check() {
	echo "check $1 kernel=$kver hooks=$2 what=$3 result=$4${5:+ $5}"
	case $4 in
	PASS) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}

jcheck() {
	if jq -e "$5" "$4" >/dev/null 2>&1; then
		check "$1" "$2" "$3" PASS
	else
		check "$1" "$2" "$3" FAIL "jq: $5"
	fi
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" "$2" | head -n 1; }

check_totals() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}
