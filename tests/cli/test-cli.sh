#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# CLI behaviour on the host: help lists exactly the commands, bad input gets
# a clear error and exit 2, probe explains what this kernel lacks. Every
# check asserts the exact exit code. Prints "ok N - ..." / "not ok N - ..."
# and "N passed, N failed, N skipped"; exits 1 on any failure.
set -u
T=${TPHTRACE:-.output/tphtrace}
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
if [ ! -x "$T" ]; then
	echo "# skip: no $T (make)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

out=$($T --help); rc=$?
cmds=$(echo "$out" | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}' | tr '\n' ' ')
check "--help exits 0" "[ $rc -eq 0 ]"
check "--help lists exactly the commands" "[ '$cmds' = 'trace probe list top check devices exporter version ' ]"
$T bogus >/dev/null 2>/tmp/tph.err; rc=$?
check "unknown command: exit 2" "[ $rc -eq 2 ] && grep -q \"unknown command 'bogus'\" /tmp/tph.err"
$T trace --no-such-flag >/dev/null 2>/tmp/tph.err; rc=$?
check "bad flag: exit 2 with message" "[ $rc -eq 2 ] && grep -q 'no-such-flag' /tmp/tph.err"
$T trace -p abc >/dev/null 2>/tmp/tph.err; rc=$?
check "bad pid: exit 2" "[ $rc -eq 2 ] && grep -q \"invalid pid 'abc'\" /tmp/tph.err"
$T trace --hooks mr_reg=uprobe >/dev/null 2>/tmp/tph.err; rc=$?
check "bad hook family: exit 2" "[ $rc -eq 2 ] && grep -q \"unknown hook family 'uprobe'\" /tmp/tph.err"
$T trace -D -1 >/dev/null 2>/tmp/tph.err; rc=$?
check "bad duration: exit 2" "[ $rc -eq 2 ] && grep -q 'invalid duration' /tmp/tph.err"
out=$($T version); rc=$?
check "version: exit 0, 'tphtrace X.Y.Z'" "[ $rc -eq 0 ] && [[ \$out =~ ^tphtrace\ [0-9]+\.[0-9]+\.[0-9]+ ]]"
out=$($T tr --help); rc=$?
check "prefix command + --help: exit 0, documents --hooks" "[ $rc -eq 0 ] && grep -q -- '--hooks' <<<\"\$out\""
$T trace --poll-interval 0 >/dev/null 2>/tmp/tph.err; rc=$?
check "bad poll interval: exit 2" "[ $rc -eq 2 ] && grep -q \"invalid poll interval '0'\" /tmp/tph.err"
$T trace --hooks mr_reg=iter >/dev/null 2>/tmp/tph.err; rc=$?
check "iter forced on an event it cannot serve: exit 2" \
	"[ $rc -eq 2 ] && grep -q \"event 'mr_reg' has no iter hook\" /tmp/tph.err"
for c in $cmds; do
	$T $c --help >/dev/null 2>&1
	check "$c --help exits 0" "[ $? -eq 0 ]"
done

if [ "$(id -u)" -eq 0 ]; then
	$T probe >/tmp/tph.probe 2>&1; rc=$?
	check "probe on the host: degraded (exit 1)" "[ $rc -eq 1 ]"
	check "probe names why mr_reg is unavailable" \
		"grep -E '^mr_reg .*unavailable: .*mlx5_ib_mr_tph' /tmp/tph.probe >/dev/null"
	$T probe -j >/tmp/tph.probe.json 2>/dev/null; rc=$?
	check "probe -j: exit 1 (degraded), 13 events" \
		"[ $rc -eq 1 ] && jq -e '.command == \"probe\" and (.events | length) == 13 and all(.events[]; has(\"event\"))' /tmp/tph.probe.json >/dev/null"
	# unprivileged: clear message naming the capabilities, exit 2
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			$T trace -D 1 >/dev/null 2>/tmp/tph.err; rc=$?
		check "unprivileged trace: exit 2 naming CAP_BPF" \
			"[ $rc -eq 2 ] && grep -q CAP_BPF /tmp/tph.err"
	else
		skip "unprivileged trace: exit 2 naming CAP_BPF" "no setpriv"
	fi
	# iter/dmabuf (v6.16+): inventory at start, sampled lifetimes where no
	# export/release hook exists - asserted as this kernel offers them
	if grep -qw bpf_iter_dmabuf /proc/kallsyms; then
		$T probe -j > /tmp/tph.probe.json 2>/dev/null
		exp=$(jq -r '.events[] | select(.event == "dmabuf_export") | .hook' /tmp/tph.probe.json)
		rel=$(jq -r '.events[] | select(.event == "dmabuf_release") | .hook' /tmp/tph.probe.json)
		check "probe: dma-buf export and release hooked where iter/dmabuf exists ($exp, $rel)" \
			"[ '$exp' != null ] && [ '$rel' != null ]"
		if [ "$rel" = iter ]; then
			check "probe: the sampled release hook prints its limit" \
				"grep -A1 '^dmabuf_release  *iter ' /tmp/tph.probe | grep -q 'limit: .*shorter than the interval is not seen'"
		else
			skip "probe: the sampled release hook prints its limit" \
				"dmabuf_release has a better hook on this kernel ($rel)"
		fi
		$T probe -j --hooks dmabuf_export=iter --hooks dmabuf_release=iter > /tmp/tph.probe.json 2>/dev/null
		check "probe --hooks dmabuf_export=iter: sampled, forced, limit in JSON" \
			"jq -e '[.events[] | select(.event == \"dmabuf_export\" or .event == \"dmabuf_release\")] | length == 2 and all(.hook == \"iter\" and .forced and .programs == [\"iter_dmabuf\"] and (.limit | test(\"shorter than the interval\")))' /tmp/tph.probe.json >/dev/null"
		timeout 20 $T trace -D 1.5 --hooks dmabuf_export=iter --hooks dmabuf_release=iter \
			--poll-interval 0.2 >/dev/null 2>/tmp/tph.err; rc=$?
		check "trace with sampled lifetimes: says so, exits 0" \
			"[ $rc -eq 0 ] && grep -q 'dmabuf_export, dmabuf_release sampled from iter/dmabuf snapshots every 0.2 s' /tmp/tph.err"
		$T list -j > /tmp/tph.list.json 2>/dev/null
		check "list -j: the inventory comes from iter/dmabuf" \
			"jq -e '.recovery.sources | map(select(.source == \"iter\" and .what == \"dmabufs\"))[0].ok' /tmp/tph.list.json >/dev/null"
		$T list -v > /tmp/tph.list 2>&1
		check "list: no line says the iterator is unused" \
			"grep -q ' iter  *iter/dmabuf: [0-9]* dma-buf' /tmp/tph.list && ! grep -Eiq 'iter/dmabuf.*(not used|unused|not in this kernel)' /tmp/tph.list"
	else
		$T probe -j --hooks dmabuf_export=iter > /tmp/tph.probe.json 2>/dev/null
		check "probe --hooks dmabuf_export=iter: no iterator here, says v6.16+" \
			"jq -e '.events[] | select(.event == \"dmabuf_export\") | .hook == null and (.why | test(\"v6.16\"))' /tmp/tph.probe.json >/dev/null"
		$T list -j > /tmp/tph.list.json 2>/dev/null
		check "list -j says the inventory fell back" \
			"jq -e '.recovery.sources | map(select(.source == \"iter\" and .what == \"dmabufs\"))[0] | .ok == false and (.detail | test(\"not in this kernel\"))' /tmp/tph.list.json >/dev/null"
	fi
	# trace on the host attaches what exists and ends cleanly after -D
	timeout 20 $T trace -D 1 >/dev/null 2>/tmp/tph.err; rc=$?
	if grep -q 'no event has a usable hook' /tmp/tph.err; then
		check "trace with no hooks: exit 2 and says so" "[ $rc -eq 2 ]"
	else
		check "trace -D 1 exits 0" "[ $rc -eq 0 ] && grep -q 'ready:' /tmp/tph.err"
	fi
	# MRs from before start: this host's RDMA netlink (ib_core) or why not
	$T list >/tmp/tph.list 2>&1; rc=$?
	$T list -j >/tmp/tph.list.json 2>/dev/null
	if python3 -c 'import socket; socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 20)' 2>/dev/null; then
		check "list: existing MRs read over RDMA netlink, marked pre-start" \
			"[ $rc -eq 0 ] && grep -q '^MRS FROM BEFORE START (pre-start, from RDMA netlink' /tmp/tph.list &&
			 jq -e '.recovery.sources | map(select(.what == \"mrs\" and .source == \"rdma-netlink\")) |
				length == 1 and .[0].ok and (.[0].detail | test(\"MR.s. on [0-9]+ RDMA device.s., pre-start, from RDMA netlink\"))' \
				/tmp/tph.list.json >/dev/null"
	else
		check "list: no RDMA netlink here: 'not recovered' with the reason (text, JSON)" \
			"[ $rc -eq 0 ] && grep -qx '(not recovered: the kernel has no RDMA netlink (socket(NETLINK_RDMA): Protocol not supported; ib_core not loaded))' /tmp/tph.list &&
			 grep -q '^from before start: .*not seen: MRs' /tmp/tph.list &&
			 jq -e '(.recovery.not_seen | index(\"mrs\")) != null and
				(.recovery.sources | map(select(.what == \"mrs\" and .source == \"rdma-netlink\")) |
				 length == 1 and (.[0].ok | not) and .[0].count == 0 and (.[0].detail | test(\"ib_core not loaded\")))' \
				/tmp/tph.list.json >/dev/null"
	fi
else
	for c in "probe on the host" "probe -j" "unprivileged trace" "trace -D 1" "list: existing MRs"; do
		skip "$c" "not root"
	done
fi

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
