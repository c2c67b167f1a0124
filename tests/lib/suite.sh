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
#                       image and headers, are there
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

need_guest() { # SERIES...
	local s k
	need_cmd qemu-system-x86_64 "scripts/deps.sh"
	for s in "$@"; do
		k=$(series_kver "$s")
		[ -n "$k" ] && [ -r "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/build" ] ||
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
