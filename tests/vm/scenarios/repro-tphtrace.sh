#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# repro-tphtrace.sh: regression tests for two tphtrace bugs found by
# tests/vm/test-scenarios.sh (both fixed: src/hooks.c dedupe_helpers() and
# the argument-count check in src/sys_probe.c); run by `make check`. Needs
# the Debian 6.1 kernel and headers (make deps); builds tphsim itself.
# Prints "ok"/"not ok" per bug ("not ok" = back again) and "N passed, N
# failed, N skipped"; exit 1 if any is, 77 without QEMU or the 6.1 kernel.
#
# 1. Mixed hook families on one registration: with the query on fentry and
#    the MR on kprobe (what a kernel before v6.5 needs: fentry on the
#    8-argument mlx5_ib_reg_user_mr_dmabuf() is refused), dma_buf_get_tph()
#    is hooked twice (fexit for tph_query, kretprobe for mr_reg). The
#    first handler's query_done() clears TS_EXPORTER, the second's
#    query_state() then zeroes qflags, and derive_reason() says no_op
#    instead of not_published (bpf/handlers.bpf.h query_state/query_done).
#    Expected: not_published.scn -> mr_reg reason not_published.
# 2. Before v6.5, `probe --hooks all=fentry` plans fentry for mr_reg (no
#    argument-count check in src/sys_probe.c), `trace` then fails to attach
#    fentry/fexit__mlx5_ib_reg_user_mr_dmabuf (524, -ENOTSUPP), still says
#    "12 of 13 events hooked" (src/cmd_trace.c counts the plan, not the
#    links) and reports no MR at all. Expected: kprobe fallback, or the
#    event reported unavailable. (6.1 guest)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=$top/.output/vm/repro-tphtrace
job=$out/job
if [ "${1:-}" = --guest ]; then
	cd "$top" || exit 1
	K=$out/src/kernel/tphsim CTL=$out/src/kernel/tphsim/ctl/tphsim-ctl T=$top/.output/tphtrace W=$VM_JOBDIR
	insmod "$K/tphsim.ko" || exit 1
	run() { # TAG SCN ARGS...
		local tag=$1 scn=$2 p
		shift 2
		"$T" trace -j "$@" >"$W/$tag.jsonl" 2>"$W/$tag.err" &
		p=$!
		for _ in $(seq 300); do grep -q 'ready:' "$W/$tag.err" && break; sleep 0.1; done
		"$CTL" run "kernel/tphsim/scenarios/$scn.scn" >"$W/$tag.ctl" 2>&1
		sleep 0.5
		kill -INT $p
		wait $p
	}
	run mixed not_published --hooks all=fentry --hooks mr_reg=kprobe
	run kprobe not_published --hooks all=kprobe
	case $(uname -r) in 6.1.*) run fentry61 ok_8bit --hooks all=fentry ;; esac
	rmmod tphsim
	exit 0
fi
# shellcheck source=tests/lib/suite.sh
. "$top/tests/lib/suite.sh"
need_guest 6.1
need_cmd jq "scripts/deps.sh"
[ -x "$top/.output/tphtrace" ] || skip_suite "no .output/tphtrace (make)"
kver=$(series_kver 6.1)
rm -rf "$out"
mkdir -p "$out/src/kernel" "$job"
cp -r "$top/kernel/tphsim" "$top/kernel/tree" "$out/src/kernel/"
sim=$out/src/kernel/tphsim
# tphsim.ko with its module BTF for 6.1 (kernel/tphsim/scripts/build.sh)
{ bash "$top/kernel/tphsim/scripts/build.sh" -o "$sim" "$kver" &&
	make -C "$sim/ctl"; } >"$out/build.log" 2>&1 || {
	tail "$out/build.log" | sed 's/^/# /'
	echo "not ok - tphsim builds for $kver"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
grc=0
"$top/tests/vm/run-guest.sh" -K "$kver" -t 200 -J "$job" -- "$here/repro-tphtrace.sh" --guest >/dev/null || grc=$?
if [ $grc -ne 0 ]; then
	echo "not ok - the guest job exited $grc (124: time limit, 125: guest died)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
bad=0
r=$(jq -r 'select(.kind == "mr_reg") | .reason' "$job/mixed.jsonl")
k=$(jq -r 'select(.kind == "mr_reg") | .reason' "$job/kprobe.jsonl")
if [ "$r" = not_published ]; then echo "ok - 1 mixed fentry/kprobe: reason $r"; else
	echo "not ok - 1 mixed fentry/kprobe: not_published.scn gives reason '$r' (all=kprobe: '$k')"; bad=$((bad + 1)); fi
n=$(jq -r 'select(.kind == "mr_reg")' "$job/fentry61.jsonl" | grep -c mr_reg)
att=$(grep -c 'cannot attach f.*mlx5_ib_reg_user_mr_dmabuf' "$job/fentry61.err")
rdy=$(grep -o '[0-9]* of [0-9]* events hooked' "$job/fentry61.err")
if [ "$n" -gt 0 ] || [ "$att" = 0 ]; then echo "ok - 2 6.1 all=fentry: $n MR record(s)"; else
	echo "not ok - 2 6.1 all=fentry: $att failed attach(es) on mlx5_ib_reg_user_mr_dmabuf, '$rdy' claimed, $n MR records for ok_8bit"; bad=$((bad + 1)); fi
echo "$((2 - bad)) passed, $bad failed, 0 skipped"
[ $bad -eq 0 ]
