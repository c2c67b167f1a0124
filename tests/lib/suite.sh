# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by test suite scripts: the skip convention tests/run-all.sh counts.
#
#   skip_suite REASON   the suite cannot run at all: prints "# skip: REASON"
#                       and "0 passed, 0 failed, 1 skipped", exits 77 (skipped;
#                       under CI=true run-all fails a required suite for it)
#   need_cmd CMD [HINT] skip_suite unless CMD is on PATH
#   series_kver 6.12|6.1|new
#                       the Debian kernel version of that series: KVER_612 /
#                       KVER_61 / KVER_NEW from .output/kernels.env
#                       (scripts/deps.sh), else the newest /lib/modules/6.12.*
#                       / 6.1.* (none for new)
#   need_guest SERIES.. skip_suite unless QEMU, and for each series the kernel
#                       image and headers (kernel_headers), are there
#   kernel_headers KVER the kbuild directory of KVER: host or build root
#   skip_or_fail        "SKIP", or "FAIL" under CI=true: the result of a part
#                       of a suite that could not run (a guest result line)
#   tap_count FILE...   "P F S": its ok, not ok and "ok ... # SKIP" lines

skip_suite() {
	echo "# skip: $*"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
}

need_cmd() { # CMD [HINT]
	command -v "$1" >/dev/null 2>&1 || skip_suite "no $1${2:+ ($2)}"
}

series_kver() { # 6.12|6.1|new
	local top var v="" d
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	var=KVER_${1//./}
	[ "$1" = new ] && var=KVER_NEW
	[ -f "$top/.output/kernels.env" ] && v=$(sed -n "s/^$var=//p" "$top/.output/kernels.env")
	if [ -z "$v" ] && [ "$1" != new ]; then
		v=$(for d in /lib/modules/"$1".*; do [ -d "$d" ] && echo "${d##*/}"; done | sort -V | tail -n 1)
	fi
	echo "$v"
}

# kernel_headers KVER: prints the kbuild directory for KVER: the host's
# /lib/modules/KVER/build, or the newest series' in the Debian 13 build root
# (KROOT_NEW in .output/kernels.env; kernel/tphsim/scripts/build.sh builds
# there); fails when neither exists
kernel_headers() {
	local top root
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	[ -d "/lib/modules/$1/build/" ] && { echo "/lib/modules/$1/build"; return 0; }
	root=$(sed -n 's/^KROOT_NEW=//p' "$top/.output/kernels.env" 2>/dev/null | tail -n 1)
	[ -n "$root" ] && [ -d "$root/lib/modules/$1/build/" ] || return 1
	echo "$root/lib/modules/$1/build"
}

need_guest() { # SERIES...
	local s k
	need_cmd qemu-system-x86_64 "scripts/deps.sh"
	for s in "$@"; do
		k=$(series_kver "$s")
		[ -n "$k" ] && [ -r "/boot/vmlinuz-$k" ] && kernel_headers "$k" >/dev/null ||
			skip_suite "no Debian $s kernel image and headers${k:+ ($k)} (scripts/deps.sh)"
	done
}

skip_or_fail() {
	if [ "${CI:-}" = true ]; then echo FAIL; else echo SKIP; fi
}

# tap_count FILE...: "P F S", the ok / not ok / "ok ... # SKIP" lines in them
# (for a suite whose checks ran elsewhere, e.g. in a guest)
tap_count() {
	awk '/^ok / { if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]([^A-Za-z]|$)/) s++; else p++ }
	     /^not ok / { f++ }
	     END { printf "%d %d %d\n", p, f, s }' "$@"
}

# Guest suites (tests/vm/test-*.sh driving tests/vm/run-guest.sh):
#   guest_result NAME KVER RC LOG
#                       the guest's "check ..." and "# ..." lines from LOG,
#                       then one "check NAME kernel=KVER ... result=FAIL" line
#                       when run-guest's exit RC says the job hit its time
#                       limit (124), the guest died (125), or the job failed
#                       without a failed check
#   guest_close FILE    "N passed, N failed, N skipped" from FILE's result=
#                       lines; false when one failed
# In a guest job (bash):
#   wait_for FILE REGEX SECONDS
#                       until FILE has a line matching REGEX; false after
#                       SECONDS
guest_result() { # NAME KVER RC LOG
	local why=""
	sed -n -e '/^check /p' -e '/^# /p' "$4"
	case $3 in
	0) ;;
	124) why="the guest ran past its time limit (load?)" ;;
	125) why="the guest died without a result" ;;
	*) grep -q 'result=FAIL' "$4" || why="exit $3 without a failed check" ;;
	esac
	[ -z "$why" ] || echo "check $1 kernel=$2 hooks=- result=FAIL $why; log $4"
}

guest_close() { # FILE
	local p f s
	p=$(grep -c 'result=PASS' "$1") f=$(grep -c 'result=FAIL' "$1")
	s=$(grep -c 'result=SKIP' "$1")
	echo "$p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ]
}

wait_for() { # FILE REGEX SECONDS
	local i=0
	while ! grep -qE "$2" "$1" 2>/dev/null; do
		[ "$i" -ge $(($3 * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
