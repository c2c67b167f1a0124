#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-iter.sh [-k new|6.12|6.1|all]
#
# iter/dmabuf in QEMU guests (tests/vm/guest-iter.sh, one boot per kernel):
# on the newest Debian series (7.3, v6.16+) the inventory at start
# (check iter_inventory) and the sampled lifetimes forced with --hooks
# (check iter_polling); on 6.12 and 6.1, which lack the iterator, the
# fallback says so (check iter_fallback). tphsim is built for each kernel
# (kernel/tphsim/scripts/build.sh) to create dma-bufs with published tags.
# Prints the guests' "check ..." lines and "N passed, N failed, N skipped".
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
out=$top/.output/vm/iter
series=all
while [ $# -gt 0 ]; do
	case $1 in
	-k) series=$2; shift 2 ;;
	-h | --help) sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "test-iter: unknown argument $1" >&2; exit 2 ;;
	esac
done
case $series in
all) kernels="new 6.12 6.1" ;;
new | 7.* | 6.12 | 6.1) kernels=$series ;;
*) echo "test-iter: -k wants new, 6.12, 6.1 or all" >&2; exit 2 ;;
esac

pass=0 fail=0 skip=0
line() { # NAME RESULT DETAIL (host-side checks, guest format)
	echo "check $1 kernel=${2:-host} hooks=- result=$3${4:+ $4}"
	case $3 in PASS) pass=$((pass + 1)) ;; SKIP) skip=$((skip + 1)) ;; *) fail=$((fail + 1)) ;; esac
}
envf=$top/.output/kernels.env
kver_of() { # SERIES
	local var
	case $1 in new | 7.*) var=KVER_NEW ;; 6.12) var=KVER_612 ;; 6.1) var=KVER_61 ;; esac
	[ -f "$envf" ] && sed -n "s/^$var=//p" "$envf"
}

rm -rf "$out"
mkdir -p "$out"
if [ ! -x .output/tphtrace ] || [ ! -x .output/tests/mkdmabuf ]; then
	line build host FAIL "missing .output/tphtrace or .output/tests/mkdmabuf (make check-all builds them)"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi
# tphsim-ctl from a copy: kernel/tphsim keeps no build products
mkdir -p "$out/src"
cp -r kernel/tphsim "$out/src/"
ctl=$out/src/tphsim/ctl/tphsim-ctl
make -s -C "$out/src/tphsim/ctl" clean >/dev/null 2>&1
if ! make -s -C "$out/src/tphsim/ctl" >"$out/ctl.log" 2>&1; then
	line build_tphsim_ctl host FAIL "$(tail -n 2 "$out/ctl.log" | tr '\n' ' ')"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi
sed_out() { sed -n -e '/^check /p' -e '/^# /p' "$1"; }
for k in $kernels; do
	kver=$(kver_of "$k")
	if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ]; then
		line "iter_$k" "${kver:-$k}" SKIP "no guest kernel for series $k (scripts/deps.sh)"
		continue
	fi
	t0=$(date +%s)
	ko=""
	if bash kernel/tphsim/scripts/build.sh -o "$out/$kver" "$kver" >"$out/build-$kver.log" 2>&1; then
		ko=$out/$kver/tphsim.ko
	else
		echo "# tphsim does not build for $kver: $(tail -n 1 "$out/build-$kver.log")"
	fi
	job=$out/job-$kver
	mkdir -p "$job"
	bash "$here/run-guest.sh" -K "$kver" -t 400 -J "$job" -s "$here/guest-iter.sh" \
		"$ko" "$ctl" >"$out/guest-$kver.log" 2>&1
	rc=$?
	sed_out "$out/guest-$kver.log"
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/guest-$kver.log" | tail -n 1)
	if [ -n "$counts" ]; then
		p=${counts%% passed*}; rest=${counts#*, }; f=${rest%% failed*}
		s=0
		case $counts in *skipped*) s=${counts##*failed, }; s=${s%% skipped*} ;; esac
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	fi
	case $rc in
	0) ;;
	124) line "iter_guest" "$kver" FAIL "the guest ran past its time limit (load?); log $out/guest-$kver.log" ;;
	125) line "iter_guest" "$kver" FAIL "the guest died without a result; log $out/guest-$kver.log" ;;
	*) [ -n "$counts" ] || line "iter_guest" "$kver" FAIL "exit $rc without results; log $out/guest-$kver.log" ;;
	esac
	echo "# $kver: $(($(date +%s) - t0)) s (tphsim build + boot + checks)"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
