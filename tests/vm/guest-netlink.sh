#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# guest-netlink.sh   (runs INSIDE the guest, from the repo root)
#
# MRs that existed before tphtrace started, read over RDMA netlink, checked
# against two sources that are not tphtrace: what tests/vm/mkmr registered
# through libibverbs on soft-RoCE (its own lkey/rkey/length/pid/comm/PD
# lines) and `rdma resource show mr -j` (iproute2), value by value:
#   netlink_mrs          list -j pre-start MRs == rdma -j == what mkmr made;
#                        marked pre-start with no TPH outcome; PDs as mkmr
#                        used them; devices count them
# and with NETLINK_FULL=1 (the newest kernel; each tphtrace start costs
# seconds under TCG, so the other kernel runs the comparison only):
#   netlink_unavailable  before ib_core is loaded: "not recovered" + reason
#   netlink_mrs          the text view too
#   netlink_cap          without CAP_NET_ADMIN the kernel hides lkey/rkey:
#                        named, and nothing invented
#   netlink_views        top, check and the exporter account for them
# Prints "check NAME kernel=K hooks=- what=W result=PASS|FAIL|SKIP [detail]".
set -u
T=$PWD/.output/tphtrace
MK=$PWD/.output/tests/mkmr
W=${VM_JOBDIR:-/tmp}/netlink
PRE="pre-start, from RDMA netlink"
FULL=${NETLINK_FULL:-0}
mkdir -p "$W"
kver=$(uname -r)

check() { # NAME WHAT PASS|FAIL|SKIP [DETAIL]
	echo "check $1 kernel=$kver hooks=- what=$2 result=$3${4:+ $4}"
}
# NAME JQ-ARGS...: one jq run whose program yields [WHAT, true|false] pairs;
# one check line per pair, or one FAIL if jq itself fails
jchecks() {
	local name=$1 res what
	shift
	if ! jq -r "$@" >"$W/jq.out" 2>"$W/jq.err"; then
		check "$name" "jq ran" FAIL "$(head -c 300 "$W/jq.err")"
		return
	fi
	while IFS=$'\t' read -r res what; do
		check "$name" "$what" "$res"
	done <"$W/jq.out"
}
# the RDMA netlink source's entry of list -j's recovery report (docs/json.md)
MRSRC='def mrsrc: .recovery.sources | map(select(.what == "mrs" and .source == "rdma-netlink"))[0]; '
# as the pairs' jq program ends
PAIRS='.[] | "\(if .[1] == true then "PASS" else "FAIL" end)\t\(.[0])"'
# wait_for FILE REGEX SECONDS (tests/lib/suite.sh)
. tests/lib/suite.sh
echo "# kernel $kver"
t0=$(date +%s)

# ---- no RDMA netlink yet: the recovery says so, with the reason -------------
if [ "$FULL" = 1 ]; then
	if grep -q '^ib_core ' /proc/modules; then
		check netlink_unavailable "no ib_core: not recovered, reason named" SKIP \
			"ib_core is already loaded in this guest"
	else
		"$T" list -j >"$W/none.json" 2>"$W/none.err"
		jchecks netlink_unavailable "$MRSRC"'(mrsrc) as $s |
			[["no ib_core: not recovered, reason named",
			$s.ok == false and $s.count == 0 and
			($s.detail | startswith("the kernel has no RDMA netlink")) and
			($s.detail | test("ib_core not loaded")) and
			(.recovery.not_seen | index("mrs") != null) and (.mrs | length == 0)]] | '"$PAIRS" \
			"$W/none.json"
	fi
fi

# ---- soft-RoCE (ENVIRONMENT.md): rxe0 on a veth --------------------------------
# the guest does not autoload modules; 6.12's rxe needs crc32_generic, 7.3
# has crc32 built in
modprobe -a rdma_rxe ib_uverbs veth >"$W/setup.log" 2>&1
modprobe crc32_generic >>"$W/setup.log" 2>&1
if ! { ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up &&
	rdma link add rxe0 type rxe netdev v0; } >>"$W/setup.log" 2>&1; then
	check netlink_mrs "soft-RoCE set-up" FAIL "$(tail -n 2 "$W/setup.log" | tr '\n' ' ')"
	exit 1
fi

# ---- real MRs, in two processes, alive while tphtrace runs -------------------
# process a: 4 MRs over 2 PDs (MR i on PD i % 2), process b: 2 MRs on 1 PD;
# they keep them until their stdin, a FIFO this shell holds open, ends (on
# the guest's own tmpfs: a FIFO on the 9p job share does not work)
hold=$(mktemp -u /tmp/mkmr-hold.XXXXXX)
mkfifo "$hold"
"$MK" -n mkmr-a -p 2 4096:l 65536:rw 1048576:rwa 12288:r <"$hold" >"$W/a.out" 2>&1 &
pa=$!
"$MK" -n mkmr-b 8192:r 2097152:lw <"$hold" >"$W/b.out" 2>&1 &
pb=$!
exec 7>"$hold"	# (opening it lets theirs complete)
if ! wait_for "$W/a.out" '^ready' 30 || ! wait_for "$W/b.out" '^ready' 30; then
	check netlink_mrs "mkmr registered its MRs" FAIL "$(cat "$W/a.out" "$W/b.out" | tr '\n' ' ')"
	exit 1
fi
grep -h '^mr ' "$W/a.out" "$W/b.out" >"$W/mkmr.txt"

"$T" list -j >"$W/list.json" 2>"$W/list.err"
rdma resource show mr -j >"$W/rdma.json" 2>"$W/rdma.err"
sed 's/^/# list: /' "$W/list.err"

# mkmr's lines "mr dev=rxe0 pid=138 comm=mkmr-a lkey=0x3d4 rkey=0x3d4
# length=4096 access=0x1 pd=0" as objects; rdma's keys are hex strings
HEX='def hex: ascii_downcase | ltrimstr("0x") | explode |
	reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
def mkmr: split("\n") | map(select(startswith("mr ")) | ltrimstr("mr ") |
	[splits(" ") | split("=") | {(.[0]): .[1]}] | add |
	{dev, pid: (.pid | tonumber), comm, lkey: (.lkey | hex), rkey: (.rkey | hex),
	 length: (.length | tonumber), pd: (.pd | tonumber)});'
jchecks netlink_mrs -n --slurpfile l "$W/list.json" --slurpfile r "$W/rdma.json" \
	--rawfile k "$W/mkmr.txt" --arg pre "$PRE" "$HEX$MRSRC"'
	($k | mkmr) as $k | $r[0] as $r | $l[0] as $l | ($l | mrsrc) as $s |
	($l.mrs | map(select(.origin == $pre))) as $p |
	[ ["mkmr registered 6 MRs, rdma lists 6", ($k | length) == 6 and ($r | length) == 6],
	  # the same MRs, field by field: tphtrace list -j == rdma resource show mr -j
	  ["list -j == rdma resource show mr -j (device lkey rkey length pid comm pdn mrn)",
	   ($r | map({dev: .ifname, lkey: (.lkey | hex), rkey: (.rkey | hex), length: .mrlen,
		pid, comm, pdn, mrn}) | sort) ==
	   ($p | map({dev: .nic, lkey, rkey, length, pid, comm, pdn, mrn}) | sort)],
	  # ... and == what mkmr itself registered
	  ["list -j == mkmr own lines (device lkey rkey length pid comm)",
	   ($k | map(del(.pd)) | sort) ==
	   ($p | map({dev: .nic, pid, comm, lkey, rkey, length}) | sort)],
	  # MRs on one PD of one process share a pdn; different PDs differ
	  ["pdn follows the PDs mkmr used",
	   ([ $k[] as $m | $p[] | select(.lkey == $m.lkey) | {g: "\($m.pid)/\($m.pd)", pdn} ]
	    | length == 6 and (group_by(.g) | all(map(.pdn) | unique | length == 1)) and
	      (map(.g) | unique | length) == (map(.pdn) | unique | length))],
	  ["marked pre-start, TPH outcome not known, nothing invented",
	   ($l.mrs | length) == 6 and ($p | length) == 6 and all($p[];
		.tph_outcome == "not known: registered before start" and .tph == null and
		.reason == null and .source == null and .st == null and .ino == null and
		.mkey == .lkey) and
	   $s.ok and $s.count == 6 and
	   ($s.detail | contains("6 MR(s) on 1 RDMA device(s), \($pre)")) and
	   ($l.recovery.not_seen | index("mr_tph") != null) and
	   ($l.devices | map(select(.device == "rxe0"))[0] | .mrs_pre_start == 6 and .mrs == 6)]
	] | '"$PAIRS"

if [ "$FULL" = 1 ]; then
	# text: the section and one line per MR with its keys and owner
	"$T" list >"$W/list.txt" 2>&1
	ok=1
	grep -qF "MRS FROM BEFORE START ($PRE; TPH outcome not known" "$W/list.txt" || ok=0
	grep -qE '^tphtrace list: 0 dma-buf\(s\), 6 MR\(s\) \(6 pre-start\)' "$W/list.txt" || ok=0
	while read -r _ dev pid comm lkey rkey length _; do
		printf -v re '^%s +0x%x +0x%x +%s +[0-9]+ +[0-9]+ %s %s$' "${dev#dev=}" \
			"${lkey#lkey=}" "${rkey#rkey=}" "${length#length=}" "${pid#pid=}" "${comm#comm=}"
		grep -qE "$re" "$W/list.txt" || ok=0
	done <"$W/mkmr.txt"
	if [ $ok = 1 ]; then
		check netlink_mrs "text: pre-start section, one line per MR" PASS
	else
		check netlink_mrs "text: pre-start section, one line per MR" FAIL "see $W/list.txt"
		sed 's/^/# /' "$W/list.txt"
	fi

	# without CAP_NET_ADMIN the kernel sends no keys
	capsh --drop=cap_net_admin -- -c "'$T' list -j" >"$W/nocap.json" 2>/dev/null
	capsh --drop=cap_net_admin -- -c "rdma resource show mr -j" >"$W/nocap-rdma.json" 2>/dev/null
	jchecks netlink_cap -n --slurpfile l "$W/nocap.json" --slurpfile r "$W/nocap-rdma.json" \
		--arg pre "$PRE" "$MRSRC"'$l[0] as $l | $r[0] as $r | ($l | mrsrc) as $s |
		[ ["rdma without CAP_NET_ADMIN: 6 MRs, no lkey/rkey (the kernel rule)",
		   ($r | length) == 6 and all($r[]; has("lkey") or has("rkey") | not)],
		  ["list without CAP_NET_ADMIN: 6 not recovered, CAP_NET_ADMIN named",
		   $s.ok and $s.count == 0 and
		   ($s.detail | contains("6 not recovered: the kernel gives their lkey/rkey only to CAP_NET_ADMIN")) and
		   ($l.mrs | map(select(.origin == $pre)) | length == 0)]
		] | '"$PAIRS"

	# top, check and the exporter count them
	"$T" top --once >"$W/top.txt" 2>&1
	if grep -qE 'MRs 6 \(TPH 0, pre-start 6\)' "$W/top.txt" &&
		grep -qF "MRs' TPH outcome" "$W/top.txt"; then
		check netlink_views "top: 6 pre-start MRs, neither TPH nor no-TPH" PASS
	else
		check netlink_views "top: 6 pre-start MRs, neither TPH nor no-TPH" FAIL "see $W/top.txt"
	fi
	"$T" check -D 0.2 >"$W/check.txt" 2>&1
	if grep -qF "note: 6 MR(s) existed before start ($PRE): their TPH outcome was not seen" \
		"$W/check.txt"; then
		check netlink_views "check: says no rule judges the 6 pre-start MRs" PASS
	else
		check netlink_views "check: says no rule judges the 6 pre-start MRs" FAIL "see $W/check.txt"
	fi
	"$T" exporter --web.listen-address 127.0.0.1:19435 >"$W/exp.out" 2>"$W/exp.err" &
	px=$!
	i=0
	while ! curl -sf http://127.0.0.1:19435/metrics >"$W/metrics.txt" 2>/dev/null &&
		[ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM $px 2>/dev/null
	wait $px 2>/dev/null
	if grep -qx 'tphtrace_mrs_pre_start{nic="rxe0"} 6' "$W/metrics.txt" &&
		! grep -q '^tphtrace_mrs{importer="rxe0"' "$W/metrics.txt" &&
		grep -qF "MRs from before start: 6 MR(s) on 1 RDMA device(s)" "$W/exp.err"; then
		check netlink_views "exporter: tphtrace_mrs_pre_start{nic=\"rxe0\"} 6, not in tphtrace_mrs" PASS
	else
		check netlink_views "exporter: tphtrace_mrs_pre_start{nic=\"rxe0\"} 6, not in tphtrace_mrs" \
			FAIL "$(grep -m3 'mrs' "$W/metrics.txt" | tr '\n' ' ') $(head -c 300 "$W/exp.err")"
	fi
fi

echo "# checks took $(($(date +%s) - t0)) s in the guest"
exec 7>&-		# EOF: mkmr deregisters and exits
wait $pa $pb
echo "# mkmr exit: $?"
exit 0
