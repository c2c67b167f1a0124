#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# test-netlink.sh [-k new|6.12|all]
#
# MRs that existed before tphtrace started, from the RDMA netlink resource
# dump, in QEMU guests with soft-RoCE (rdma_rxe on a veth) and real MRs
# registered through libibverbs by tests/vm/mkmr (tests/vm/guest-netlink.sh,
# one boot per kernel): tphtrace list -j equals `rdma resource show mr -j`
# and mkmr's own lines value by value (check netlink_mrs), the missing
# RDMA netlink and CAP_NET_ADMIN are named (netlink_unavailable,
# netlink_cap), top, check and the exporter count them (netlink_views).
# Kernels: the newest Debian series (7.3), every check, and 6.12, the
# netlink_mrs comparison only (each tphtrace start costs seconds under TCG);
# default: both.
# Prints the guests' "check ..." lines and "N passed, N failed, N skipped";
# exits 1 on any failure, 77 when it cannot run at all (tests/lib/suite.sh).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
out=$top/.output/vm/netlink
series=all
while [ $# -gt 0 ]; do
	case $1 in
	-k) series=$2; shift 2 ;;
	-h | --help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "test-netlink: unknown argument $1" >&2; exit 2 ;;
	esac
done
case $series in
all) kernels="new 6.12" ;;
new | 6.12) kernels=$series ;;
7.*) kernels=new ;;
*) echo "test-netlink: -k wants new, 6.12 or all" >&2; exit 2 ;;
esac

# shellcheck source=tests/lib/suite.sh
. tests/lib/suite.sh
need_cmd qemu-system-x86_64 "scripts/deps.sh"
need_cmd jq "scripts/deps.sh"
need_cmd rdma "iproute2"
need_cmd capsh "libcap2-bin"
need_cmd curl "scripts/deps.sh"
for f in .output/tphtrace .output/tests/mkmr; do
	[ -x "$f" ] || skip_suite "no $f (make check-all builds it)"
done
ls /usr/lib/*/libibverbs/librxe-rdmav*.so >/dev/null 2>&1 ||
	skip_suite "no soft-RoCE provider for libibverbs (ibverbs-providers; scripts/deps.sh)"

line() { # NAME KERNEL RESULT DETAIL (host-side lines, guest format)
	echo "check $1 kernel=$2 hooks=- result=$3${4:+ $4}"
}
rm -rf "$out"
mkdir -p "$out"
for k in $kernels; do
	kver=$(series_kver "$k")
	if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ]; then
		line netlink_mrs "${kver:-$k}" "$(skip_or_fail)" "no guest kernel for series $k (scripts/deps.sh)"
		continue
	fi
	t0=$(date +%s)
	job=$out/job-$kver
	mkdir -p "$job"
	# every check on the newest kernel, the comparison alone on 6.12
	full=0
	[ "$k" = new ] && full=1
	bash "$here/run-guest.sh" -K "$kver" -t 300 -J "$job" -e NETLINK_FULL=$full \
		-s "$here/guest-netlink.sh" >"$out/guest-$kver.log" 2>&1
	guest_result netlink_guest "$kver" $? "$out/guest-$kver.log"
	# the guest's list -j with pre-start MRs, against its documented schema
	if [ -s "$job/netlink/list.json" ] && python3 -c 'import jsonschema' 2>/dev/null; then
		if err=$(python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
			"$job/netlink/list.json" docs/schema/list.json 2>&1); then
			line netlink_schema "$kver" PASS "list -j with pre-start MRs: docs/schema/list.json"
		else
			line netlink_schema "$kver" FAIL "$(echo "$err" | tail -n 1)"
		fi
	fi
	echo "# $kver: $(($(date +%s) - t0)) s (boot + checks)"
done >"$out/all.log"
cat "$out/all.log"
guest_close "$out/all.log"
