#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-iter.sh [-k new|6.12|6.1|all]
#
# iter/dmabuf in QEMU guests (tests/vm/guest-iter.sh, one boot per kernel):
# on the newest Debian series (7.3, v6.16+) the inventory at start
# (check iter_inventory) and the sampled lifetimes forced with --hooks
# (check iter_polling); on 6.12 and 6.1, which lack the iterator, the
# fallback says so (check iter_fallback). tphsim is built for the newest
# kernel (kernel/tphsim/scripts/build.sh) to create dma-bufs with published
# tags.
# Prints the guests' "check ..." lines and "N passed, N failed, N skipped";
# exits 1 on any failure, 77 when it cannot run at all (tests/lib/suite.sh).
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
new | 6.12 | 6.1) kernels=$series ;;
7.*) kernels=new ;;
*) echo "test-iter: -k wants new, 6.12, 6.1 or all" >&2; exit 2 ;;
esac

# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_cmd qemu-system-x86_64 "scripts/deps.sh"
need_cmd jq "scripts/deps.sh"
for f in .output/tphtrace .output/tests/mkdmabuf; do
	[ -x "$f" ] || skip_suite "no $f (make check-all builds it)"
done
have=""
for k in $kernels; do
	kv=$(series_kver "$k")
	[ -n "$kv" ] && [ -r "/boot/vmlinuz-$kv" ] && have="$have $k"
done
[ -n "$have" ] || skip_suite "no guest kernel of series: $kernels (scripts/deps.sh)"

line() { # NAME KERNEL RESULT DETAIL (host-side checks, guest format)
	echo "check $1 kernel=$2 hooks=- result=$3${4:+ $4}"
}
rm -rf "$out"
mkdir -p "$out/src"
# tphsim-ctl from a copy: kernel/tphsim keeps no build products
cp -r kernel/tphsim "$out/src/"
ctl=$out/src/tphsim/ctl/tphsim-ctl
make -s -C "$out/src/tphsim/ctl" clean >/dev/null 2>&1
for k in $kernels; do
	kver=$(series_kver "$k")
	if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ]; then
		line "iter_$k" "${kver:-$k}" "$(skip_or_fail)" "no guest kernel for series $k (scripts/deps.sh)"
		continue
	fi
	if ! make -s -C "$out/src/tphsim/ctl" >"$out/ctl.log" 2>&1; then
		line build_tphsim_ctl host FAIL "$(tail -n 2 "$out/ctl.log" | tr '\n' ' ')"
		break
	fi
	t0=$(date +%s)
	ko=""
	# tphsim (dma-bufs with published tags) where the iterator can read
	# them; the fallback kernels need none (~25 s of build saved each)
	if [ "$k" = new ]; then
		if bash kernel/tphsim/scripts/build.sh -o "$out/$kver" "$kver" >"$out/build-$kver.log" 2>&1; then
			ko=$out/$kver/tphsim.ko
		else
			line build_tphsim "$kver" FAIL "$(tail -n 1 "$out/build-$kver.log")"
		fi
	fi
	job=$out/job-$kver
	mkdir -p "$job"
	bash "$here/run-guest.sh" -K "$kver" -t 400 -J "$job" -s "$here/guest-iter.sh" \
		"$ko" "$ctl" >"$out/guest-$kver.log" 2>&1
	guest_result iter_guest "$kver" $? "$out/guest-$kver.log"
	echo "# $kver: $(($(date +%s) - t0)) s (tphsim build + boot + checks)"
done > "$out/all.log"
cat "$out/all.log"
guest_close "$out/all.log"
